// mv-expand, parse and serialize.
#include <re2/re2.h>

#include <string>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/functions/cast.h"

namespace calypso::kql {

void ExpansionElements(const core::Dynamic& d, std::vector<core::Dynamic>& out) {
    out.clear();
    switch (d.kind()) {
        case core::Dynamic::Kind::kArray:
            out = d.as_array();
            break;
        case core::Dynamic::Kind::kObject:
            for (const auto& m : d.as_object()) out.push_back(core::Dynamic::MakeObject({m}));
            break;
        default:
            out.push_back(d);
            break;
    }
}

namespace {

using core::Batch;
using core::Dynamic;
using core::Status;

class MvExpandOp final : public Operator {
  public:
    MvExpandOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        const auto& spec = node_.mv_expand;
        size_t nexp = spec.columns.size();
        std::vector<int> expanded_at(node_.input->schema.size(), -1);
        for (size_t k = 0; k < nexp; ++k) expanded_at[spec.columns[k]] = static_cast<int>(k);
        std::vector<std::vector<Dynamic>> elems(nexp);
        return child_->Run([&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            std::vector<Vec> src;
            for (size_t k = 0; k < nexp; ++k) {
                src.push_back(functions::CastVec(Vec::Borrow(&b.columns[spec.columns[k]]),
                                                 core::Type::kDynamic, n));
            }
            Batch out = Batch::Empty(node_.schema);
            for (size_t i = 0; i < n; ++i) {
                size_t count = 0;
                for (size_t k = 0; k < nexp; ++k) {
                    ExpansionElements(src[k].Dyn(i), elems[k]);
                    count = std::max(count, elems[k].size());
                }
                if (spec.limit >= 0) count = std::min(count, static_cast<size_t>(spec.limit));
                for (size_t j = 0; j < count; ++j) {
                    for (size_t c = 0; c < b.columns.size(); ++c) {
                        int k = expanded_at[c];
                        if (k < 0) {
                            out.columns[c].AppendFrom(b.columns[c], i);
                            continue;
                        }
                        const auto& e = elems[static_cast<size_t>(k)];
                        Dynamic v = j < e.size() ? e[j] : Dynamic();
                        core::Type t = spec.types[static_cast<size_t>(k)];
                        if (t == core::Type::kDynamic) {
                            out.columns[c].AppendDynamic(std::move(v));
                        } else {
                            out.columns[c].Append(
                                functions::CastValue(core::Value::FromDynamic(std::move(v)), t));
                        }
                    }
                    if (spec.index_column) {
                        out.columns.back().AppendInt64(static_cast<int64_t>(j));
                    }
                }
            }
            if (out.num_rows() == 0) return Status::Ok();
            return sink(out);
        });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

class ParseOp final : public Operator {
  public:
    ParseOp(PlanNode& node, OpPtr child)
        : node_(node), child_(std::move(child)), re_(node.parse.regex, RE2::Quiet) {}
    Status Run(const Sink& sink) override {
        const auto& targets = node_.parse.targets;
        size_t ncap = targets.size();
        std::vector<re2::StringPiece> m(ncap + 1);
        return child_->Run([&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            Vec text = functions::CastVec(Evaluate(*node_.exprs[0], b), core::Type::kString, n);
            std::vector<core::Column> caps(ncap, core::Column(core::Type::kString));
            std::vector<uint8_t> matched(n, 0);
            for (auto& c : caps) c.Reserve(n);
            for (size_t i = 0; i < n; ++i) {
                std::string_view s = text.Str(i);
                bool ok = re_.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(),
                                    RE2::ANCHOR_BOTH, m.data(), static_cast<int>(ncap + 1));
                matched[i] = ok ? 1 : 0;
                for (size_t k = 0; k < ncap; ++k) {
                    if (ok) {
                        caps[k].AppendString(std::string_view(m[k + 1].data(), m[k + 1].size()));
                    } else {
                        caps[k].AppendNull();
                    }
                }
            }
            Batch out;
            out.schema = node_.schema;
            out.columns.resize(node_.schema.size());
            for (size_t c = 0; c < b.columns.size(); ++c) out.columns[c] = b.columns[c];
            for (size_t k = 0; k < ncap; ++k) {
                core::Type t = node_.schema.fields[targets[k]].type;
                Vec v = Vec::Own(std::move(caps[k]));
                Vec cast = functions::CastVec(v, t, n);
                core::Column col(t);
                col.Reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    if (matched[i] == 0) {
                        col.AppendNull();
                    } else {
                        AppendVecRow(col, cast, i);
                    }
                }
                out.columns[targets[k]] = std::move(col);
            }
            return sink(out);
        });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
    RE2 re_;
};

// Collects the input into one batch, so row_number(), prev() and next() see every row
// in order.
class SerializeOp final : public Operator {
  public:
    SerializeOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        MemoryCharge charge(governor(), "serialize");
        ASSIGN_OR_RETURN(Batch all, Collect(*child_, node_.schema, charge));
        if (all.num_rows() == 0) return Status::Ok();
        return sink(all);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

}  // namespace

OpPtr MakeMvExpandOp(PlanNode& node, OpPtr child) {
    return std::make_unique<MvExpandOp>(node, std::move(child));
}
OpPtr MakeParseOp(PlanNode& node, OpPtr child) {
    return std::make_unique<ParseOp>(node, std::move(child));
}
OpPtr MakeSerializeOp(PlanNode& node, OpPtr child) {
    return std::make_unique<SerializeOp>(node, std::move(child));
}

}  // namespace calypso::kql
