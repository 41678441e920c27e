// Hash join: both sides are collected, the right side is hashed on its key columns and the
// left side probes it. Null keys never match (as `null == null` is not true).
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/functions/aggregates.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;
using JoinKind = PlanNode::JoinSpec::Kind;

constexpr uint32_t kNoRow = UINT32_MAX;

// Encoded key per row; std::nullopt for rows with a null key part.
std::vector<std::optional<std::string>> EncodeKeys(const Batch& b, const std::vector<size_t>& cols,
                                                   const std::vector<core::Type>& types) {
    size_t n = b.num_rows();
    std::vector<Vec> keys;
    for (size_t k = 0; k < cols.size(); ++k) {
        Vec v = Vec::Borrow(&b.columns[cols[k]]);
        if (v.type() != types[k]) v = functions::CastVec(v, types[k], n);
        keys.push_back(std::move(v));
    }
    std::vector<std::optional<std::string>> out(n);
    std::string buf;
    for (size_t i = 0; i < n; ++i) {
        buf.clear();
        bool null = false;
        for (const auto& k : keys) {
            auto phys = core::PhysicalOf(k.type());
            if (phys == core::Physical::kDynamic ? k.Dyn(i).is_null()
                                                 : phys != core::Physical::kString && k.IsNull(i)) {
                null = true;
                break;
            }
            EncodeKey(k, i, buf);
        }
        if (!null) out[i] = buf;
    }
    return out;
}

class JoinOp final : public Operator {
  public:
    JoinOp(PlanNode& node, OpPtr left, OpPtr right)
        : node_(node), left_(std::move(left)), right_(std::move(right)) {}

    Status Run(const Sink& sink) override {
        const PlanNode::JoinSpec& spec = node_.join;
        MemoryCharge charge(governor(), "join");
        ASSIGN_OR_RETURN(Batch left, Collect(*left_, node_.input->schema, charge));
        ASSIGN_OR_RETURN(Batch right, Collect(*right_, node_.inputs[0]->schema, charge));
        auto lkeys = EncodeKeys(left, spec.left_keys, spec.key_types);
        auto rkeys = EncodeKeys(right, spec.right_keys, spec.key_types);
        size_t key_bytes = 0;
        for (const auto* keys : {&lkeys, &rkeys}) {
            for (const auto& k : *keys) key_bytes += sizeof(k) + (k ? k->size() : 0);
        }
        // The hash table: one entry and one row id per right row.
        RETURN_IF_ERROR(charge.Add(key_bytes + rkeys.size() * functions::kSetEntryBytes));
        std::unordered_map<std::string_view, std::vector<uint32_t>> table;
        table.reserve(right.num_rows());
        for (size_t r = 0; r < rkeys.size(); ++r) {
            if (rkeys[r]) table[*rkeys[r]].push_back(static_cast<uint32_t>(r));
        }
        std::vector<uint32_t> lrows, rrows;  // output pairs; kNoRow is a null fill
        std::vector<uint8_t> right_matched(right.num_rows(), 0);
        std::unordered_set<std::string_view> seen_left;
        const JoinKind kind = spec.kind;
        for (size_t l = 0; l < lkeys.size(); ++l) {
            if (l % kCheckEveryRows == 0) RETURN_IF_ERROR(governor().Check());
            const auto& key = lkeys[l];
            if (kind == JoinKind::kInnerUnique && key && !seen_left.insert(*key).second) continue;
            const std::vector<uint32_t>* matches = nullptr;
            if (key) {
                auto it = table.find(*key);
                if (it != table.end()) matches = &it->second;
            }
            auto lr = static_cast<uint32_t>(l);
            switch (kind) {
                case JoinKind::kLeftSemi:
                    if (matches) lrows.push_back(lr);
                    break;
                case JoinKind::kLeftAnti:
                    if (!matches) lrows.push_back(lr);
                    break;
                case JoinKind::kRightSemi:
                case JoinKind::kRightAnti:
                    if (matches) {
                        for (uint32_t r : *matches) right_matched[r] = 1;
                    }
                    break;
                default:
                    if (matches) {
                        for (uint32_t r : *matches) {
                            lrows.push_back(lr);
                            rrows.push_back(r);
                            right_matched[r] = 1;
                        }
                    } else if (kind == JoinKind::kLeftOuter || kind == JoinKind::kFullOuter) {
                        lrows.push_back(lr);
                        rrows.push_back(kNoRow);
                    }
                    break;
            }
        }
        if (kind == JoinKind::kRightSemi || kind == JoinKind::kRightAnti ||
            kind == JoinKind::kRightOuter || kind == JoinKind::kFullOuter) {
            bool want = kind == JoinKind::kRightSemi;
            bool pad = kind == JoinKind::kRightOuter || kind == JoinKind::kFullOuter;
            for (size_t r = 0; r < right_matched.size(); ++r) {
                if ((right_matched[r] != 0) != (pad ? false : want)) continue;
                if (pad) lrows.push_back(kNoRow);
                rrows.push_back(static_cast<uint32_t>(r));
            }
        }
        size_t n = spec.left_cols.empty() ? rrows.size() : lrows.size();
        if (n == 0) return Status::Ok();
        RETURN_IF_ERROR(charge.Add((lrows.size() + rrows.size()) * sizeof(uint32_t)));
        Batch out;
        out.schema = node_.schema;
        auto gather = [&](const core::Column& src, const std::vector<uint32_t>& rows) {
            core::Column c(src.type());
            c.Reserve(rows.size());
            for (uint32_t r : rows) {
                if (r == kNoRow) {
                    c.AppendNull();
                } else {
                    c.AppendFrom(src, r);
                }
            }
            out.columns.push_back(std::move(c));
        };
        for (size_t c : spec.left_cols) gather(left.columns[c], lrows);
        for (size_t c : spec.right_cols) gather(right.columns[c], rrows);
        return sink(out);
    }

  private:
    PlanNode& node_;
    OpPtr left_;
    OpPtr right_;
};

}  // namespace

OpPtr MakeJoinOp(PlanNode& node, OpPtr left, OpPtr right) {
    return std::make_unique<JoinOp>(node, std::move(left), std::move(right));
}

}  // namespace calypso::kql
