// top-nested: the input is collected once; each level groups the rows kept by the level
// above, aggregates, and keeps its top groups, recursing in their order.
// `with others = v`: the rows of the groups a level did not keep form one "others" row
// for that level (key v, their aggregate), and every level below treats them as one
// group: its key is its own others value and its aggregate over them all, or null for a
// level without `with others` (the docs' example). An others group is emitted when a level
// at or below has `with others`; others rows come after the top rows, deepest level first.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;

// Rows `rows` of `v` (a constant stays as it is).
Vec Select(const Vec& v, const std::vector<uint32_t>& rows) {
    if (v.is_const()) return v;
    core::Column c(v.type());
    c.Reserve(rows.size());
    for (uint32_t r : rows) c.AppendFrom(v.column(), r);
    return Vec::Own(std::move(c));
}

class TopNestedOp final : public Operator {
  public:
    TopNestedOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}

    Status Run(const Sink& sink) override {
        MemoryCharge charge(governor(), "top-nested");
        ASSIGN_OR_RETURN(Batch all, Collect(*child_, node_.input->schema, charge));
        if (all.num_rows() == 0) return Status::Ok();
        for (const auto& k : node_.keys) keys_.push_back(Evaluate(*k, all));
        for (const auto& a : node_.aggregates) {
            std::vector<Vec> args;
            for (const auto& e : a.args) args.push_back(Evaluate(*e, all));
            args_.push_back(std::move(args));
        }
        out_ = Batch::Empty(node_.schema);
        const auto& others = node_.top_nested.others;
        others_below_.assign(keys_.size() + 1, false);
        for (size_t l = keys_.size(); l-- > 0;) {
            others_below_[l] = others_below_[l + 1] || (l < others.size() && !others[l].is_null());
        }
        others_rows_.assign(keys_.size(), {});
        std::vector<uint32_t> rows(all.num_rows());
        std::iota(rows.begin(), rows.end(), 0u);
        prefix_.clear();
        Level(0, rows);
        for (size_t l = keys_.size(); l-- > 0;) {
            for (const auto& row : others_rows_[l]) {
                for (size_t c = 0; c < row.size(); ++c) out_.columns[c].Append(row[c]);
            }
        }
        if (out_.num_rows() == 0) return Status::Ok();
        return sink(out_);
    }

  private:
    void Level(size_t level, const std::vector<uint32_t>& rows) {
        const Vec& key = keys_[level];
        std::unordered_map<std::string, uint32_t> ids;
        std::vector<uint32_t> group_of(rows.size());
        std::vector<uint32_t> first_row;
        std::string buf;
        for (size_t i = 0; i < rows.size(); ++i) {
            buf.clear();
            EncodeKey(key, rows[i], buf);
            auto [it, inserted] = ids.try_emplace(buf, static_cast<uint32_t>(first_row.size()));
            if (inserted) first_row.push_back(rows[i]);
            group_of[i] = it->second;
        }
        size_t ngroups = first_row.size();
        const auto& agg = node_.aggregates[level];
        std::vector<core::Type> types;
        std::vector<core::Value> consts;
        for (const auto& e : agg.args) {
            types.push_back(e->type);
            consts.push_back(e->kind == BoundExpr::Kind::kConst ? e->value : core::Value());
        }
        auto state = agg.fn->make(types);
        state->SetConstants(consts);
        state->Resize(ngroups);
        std::vector<Vec> sel;
        for (const auto& a : args_[level]) sel.push_back(Select(a, rows));
        state->Update(sel, group_of.data(), rows.size());
        Vec values = Vec::Own(state->Finish(ngroups));
        std::vector<uint32_t> order(ngroups);
        std::iota(order.begin(), order.end(), 0u);
        bool asc = node_.top_nested.ascending[level];
        auto phys = core::PhysicalOf(values.type());
        auto is_null = [&](uint32_t g) {
            if (phys == core::Physical::kString) return false;
            if (phys == core::Physical::kDynamic) return true;  // not ordered: kept last
            return values.IsNull(g) ||
                   (phys == core::Physical::kDouble && std::isnan(values.F64(g)));
        };
        auto cmp = [&](uint32_t a, uint32_t b) {
            switch (phys) {
                case core::Physical::kDouble:
                    return values.F64(a) < values.F64(b)   ? -1
                           : values.F64(a) > values.F64(b) ? 1
                                                           : 0;
                case core::Physical::kInt64:
                    return values.I64(a) < values.I64(b)   ? -1
                           : values.I64(a) > values.I64(b) ? 1
                                                           : 0;
                case core::Physical::kString:
                    return values.Str(a).compare(values.Str(b));
                default:
                    return 0;
            }
        };
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            if (is_null(a) || is_null(b)) return !is_null(a) && is_null(b);
            int c = cmp(a, b);
            return asc ? c < 0 : c > 0;
        });
        int64_t limit = node_.top_nested.limits[level];
        if (limit >= 0 && static_cast<size_t>(limit) < order.size()) {
            order.resize(static_cast<size_t>(limit));
        }
        bool last = level + 1 == keys_.size();
        if (others_below_[level] && order.size() < ngroups) {
            std::vector<uint8_t> kept(ngroups, 0);
            for (uint32_t g : order) kept[g] = 1;
            std::vector<uint32_t> rest;
            for (size_t i = 0; i < rows.size(); ++i) {
                if (!kept[group_of[i]]) rest.push_back(rows[i]);
            }
            Others(level, rest);
        }
        for (uint32_t g : order) {
            prefix_.push_back(key.Get(first_row[g]));
            prefix_.push_back(values.Get(g));
            if (last) {
                for (size_t c = 0; c < prefix_.size(); ++c) out_.columns[c].Append(prefix_[c]);
            } else {
                std::vector<uint32_t> sub;
                for (size_t i = 0; i < rows.size(); ++i) {
                    if (group_of[i] == g) sub.push_back(rows[i]);
                }
                Level(level + 1, sub);
            }
            prefix_.resize(prefix_.size() - 2);
        }
    }

    // The others row of `rows` from `level` down, into others_rows_[level].
    void Others(size_t level, const std::vector<uint32_t>& rows) {
        std::vector<core::Value> row = prefix_;
        const auto& others = node_.top_nested.others;
        for (size_t l = level; l < keys_.size(); ++l) {
            core::Type key_type = node_.schema.fields[row.size()].type;
            core::Type agg_type = node_.schema.fields[row.size() + 1].type;
            bool has = l < others.size() && !others[l].is_null();
            row.push_back(has ? others[l] : core::Value::Null(key_type));
            row.push_back(has ? Aggregate(l, rows) : core::Value::Null(agg_type));
        }
        others_rows_[level].push_back(std::move(row));
    }
    // Level `level`'s aggregate over `rows` as one group.
    core::Value Aggregate(size_t level, const std::vector<uint32_t>& rows) {
        const auto& agg = node_.aggregates[level];
        std::vector<core::Type> types;
        std::vector<core::Value> consts;
        for (const auto& e : agg.args) {
            types.push_back(e->type);
            consts.push_back(e->kind == BoundExpr::Kind::kConst ? e->value : core::Value());
        }
        auto state = agg.fn->make(types);
        state->SetConstants(consts);
        state->Resize(1);
        std::vector<Vec> sel;
        for (const auto& a : args_[level]) sel.push_back(Select(a, rows));
        std::vector<uint32_t> groups(rows.size(), 0);
        state->Update(sel, groups.data(), rows.size());
        return state->Finish(1).Get(0);
    }

    PlanNode& node_;
    OpPtr child_;
    std::vector<bool> others_below_;
    std::vector<std::vector<std::vector<core::Value>>> others_rows_;
    std::vector<Vec> keys_;
    std::vector<std::vector<Vec>> args_;
    Batch out_;
    std::vector<core::Value> prefix_;
};

}  // namespace

OpPtr MakeTopNestedOp(PlanNode& node, OpPtr child) {
    return std::make_unique<TopNestedOp>(node, std::move(child));
}

}  // namespace calypso::kql
