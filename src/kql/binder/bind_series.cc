// Binder::BindMakeSeries.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/functions/cast.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;

Result<PlanPtr> Binder::BindMakeSeries(const syntax::Operator& op, PlanPtr input) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kMakeSeries;
    const Schema& in = input->schema;
    auto& spec = node->series;
    std::set<std::string> taken;
    int counter = 0;
    for (const auto& ne : op.by) {
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, in));
        std::string name = ne.name.empty() ? InferColumnName(*ne.expr) : ne.name;
        if (name.empty()) name = NextColumnName(taken, counter);
        if (taken.count(name) != 0) {
            return Status::SemanticError("duplicate column name '" + name + "' in make-series",
                                         ne.expr->pos);
        }
        taken.insert(name);
        node->schema.fields.push_back({name, b->type == Type::kNull ? Type::kString : b->type});
        node->keys.push_back(std::move(b));
    }
    for (size_t i = 0; i < op.exprs.size(); ++i) {
        const syntax::Expr& e = *op.exprs[i].expr;
        if (!IsAggregateCall(e) || e.name == "percentiles") {
            return Status::SemanticError(
                "make-series expects an aggregate such as count() or avg(x)", e.pos);
        }
        ASSIGN_OR_RETURN(std::string name, AddAggregate(e, op.exprs[i].name, *node, in, taken));
        auto idx = node->schema.IndexOf(name);
        Type agg_type = node->schema.fields[*idx].type;
        node->schema.fields[*idx].type = Type::kDynamic;
        core::Value def = core::Value::Long(0);
        if (op.defaults[i]) {
            ASSIGN_OR_RETURN(BoundExprPtr d, BindScalar(*op.defaults[i], Schema{}));
            if (d->kind != BoundExpr::Kind::kConst) {
                return Status::SemanticError("default must be a constant", op.defaults[i]->pos);
            }
            def = d->value;
        }
        spec.defaults.push_back(
            functions::CastValue(functions::CastValue(def, agg_type), Type::kDynamic));
    }
    ASSIGN_OR_RETURN(BoundExprPtr axis, BindScalar(*op.axis, in));
    Type at = axis->type;
    bool temporal = at == Type::kDatetime || at == Type::kTimespan;
    if (!temporal && !IsNumeric(at)) {
        return Status::SemanticError(
            "make-series axis must be datetime, timespan or numeric, got " +
                std::string(core::TypeName(at)),
            op.axis->pos);
    }
    // Without from / to the bounds come from the data (exec/series.cc); a zero stands in
    // for them here.
    spec.infer_from = !op.from;
    spec.infer_to = !op.to;
    std::vector<BoundExprPtr> range;
    for (const syntax::Expr* e : {op.from.get(), op.to.get(), op.step.get()}) {
        if (e == nullptr) {
            core::Value zero = temporal ? (at == Type::kDatetime ? core::Value::Datetime(0)
                                                                 : core::Value::Timespan(0))
                                        : core::Value::Long(0);
            range.push_back(MakeConst(zero, zero.type()));
            continue;
        }
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*e, Schema{}));
        Type want = e == op.step.get() && temporal ? Type::kTimespan : at;
        bool ok = b->kind == BoundExpr::Kind::kConst && !b->value.is_null() &&
                  (b->type == want || (!temporal && IsNumeric(b->type)));
        if (!ok) {
            return Status::SemanticError("make-series bounds and step must be constants of type " +
                                             std::string(core::TypeName(want)),
                                         e->pos);
        }
        range.push_back(std::move(b));
    }
    constexpr size_t kMaxBins = 1'000'000;
    double nbins = 0;
    if (temporal) {
        spec.from = range[0]->value.as_int64();
        spec.step = range[2]->value.as_int64();
        if (spec.step <= 0) return Status::SemanticError("step must be positive", op.step->pos);
        spec.to = range[1]->value.as_int64();
        int64_t span = spec.to - spec.from;
        nbins =
            span <= 0 ? 0 : std::ceil(static_cast<double>(span) / static_cast<double>(spec.step));
        spec.axis_type = at;
    } else {
        spec.real_axis = true;
        auto real = [](const BoundExpr& b) {
            return functions::CastValue(b.value, Type::kReal).as_double();
        };
        spec.from_real = real(*range[0]);
        spec.step_real = real(*range[2]);
        if (spec.step_real <= 0)
            return Status::SemanticError("step must be positive", op.step->pos);
        spec.to_real = real(*range[1]);
        double span = spec.to_real - spec.from_real;
        nbins = span <= 0 ? 0 : std::ceil(span / spec.step_real);
        bool integral = true;
        for (size_t r = 0; r < range.size(); ++r) {
            bool given = r == 2 || (r == 0 ? !spec.infer_from : !spec.infer_to);
            integral = integral && (!given || range[r]->type != Type::kReal);
        }
        spec.axis_type = integral && at != Type::kReal ? Type::kLong : Type::kReal;
    }
    if (nbins > static_cast<double>(kMaxBins)) {
        return Status::LimitExceeded("make-series would produce more than " +
                                     std::to_string(kMaxBins) + " bins");
    }
    spec.bins = static_cast<size_t>(nbins);
    std::string axis_name = InferColumnName(*op.axis);
    if (axis_name.empty()) axis_name = NextColumnName(taken, counter);
    axis_name = UniqueName(axis_name, taken);
    node->schema.fields.push_back({axis_name, Type::kDynamic});
    node->exprs.push_back(std::move(axis));
    node->input = std::move(input);
    return node;
}

Result<PlanPtr> Binder::BindTopNested(const syntax::Operator& op, PlanPtr input) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kTopNested;
    const Schema& in = input->schema;
    std::set<std::string> taken;
    int counter = 0;
    for (size_t i = 0; i < op.exprs.size(); ++i) {
        int64_t limit = -1;
        if (op.level_counts[i]) {
            ASSIGN_OR_RETURN(limit, BindCount(*op.level_counts[i]));
        }
        const syntax::NamedExpr& key = op.exprs[i];
        ASSIGN_OR_RETURN(BoundExprPtr kb, BindScalar(*key.expr, in));
        std::string name = key.name.empty() ? InferColumnName(*key.expr) : key.name;
        if (name.empty()) name = NextColumnName(taken, counter);
        name = UniqueName(name, taken);
        taken.insert(name);
        node->schema.fields.push_back({name, kb->type == Type::kNull ? Type::kString : kb->type});
        node->keys.push_back(std::move(kb));
        const syntax::Expr& agg = *op.by[i].expr;
        if (!IsAggregateCall(agg) || agg.name == "percentiles") {
            return Status::SemanticError("top-nested expects an aggregate such as count()",
                                         agg.pos);
        }
        std::string agg_name = op.by[i].name.empty() ? "aggregated_" + name : op.by[i].name;
        ASSIGN_OR_RETURN(std::string n, AddAggregate(agg, agg_name, *node, in, taken));
        static_cast<void>(n);
        node->top_nested.limits.push_back(limit);
        node->top_nested.ascending.push_back(op.level_asc[i]);
        core::Type key_type = node->schema.fields[node->schema.size() - 2].type;
        core::Value others = core::Value::Null(key_type);
        if (i < op.others.size() && op.others[i]) {
            const syntax::Expr& oe = *op.others[i];
            ASSIGN_OR_RETURN(BoundExprPtr ob, BindScalar(oe, Schema{}));
            others = ob->kind == BoundExpr::Kind::kConst
                         ? functions::CastValue(ob->value, key_type)
                         : core::Value::Null(key_type);
            if (ob->kind != BoundExpr::Kind::kConst || others.is_null()) {
                return Status::SemanticError("'with others' expects a constant of the level's type " +
                                                 std::string(core::TypeName(key_type)),
                                             oe.pos);
            }
        }
        node->top_nested.others.push_back(std::move(others));
    }
    node->input = std::move(input);
    return node;
}

}  // namespace calypso::kql
