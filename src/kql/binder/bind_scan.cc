// Binder::BindScanOperator: `scan [with_match_id=Id] [declare (c:type [= v], ...)] with
// (step s [output=...]: condition [=> c = expr, ...]; ...)`. `s.c` in a condition or an
// assignment reads column c of step s's state: it is rewritten to the column "s.c" of the
// evaluation schema (ScanSpec::eval).
#include <set>
#include <string>

#include "kql/binder/binder.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/cast.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;
using syntax::Expr;

namespace {

// A copy of `e` with every `step.column` (step one of `steps`) turned into the name
// "step.column".
syntax::ExprPtr RewriteStepRefs(const Expr& e, const std::set<std::string>& steps) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    c->tabular = e.tabular;
    if (e.kind == Expr::Kind::kMember && e.args[0]->kind == Expr::Kind::kName &&
        steps.count(e.args[0]->name) != 0) {
        c->kind = Expr::Kind::kName;
        c->name = e.args[0]->name + "." + e.name;
        c->pos = e.args[0]->pos;
        return c;
    }
    for (const auto& a : e.args) c->args.push_back(RewriteStepRefs(*a, steps));
    return c;
}

}  // namespace

Result<PlanPtr> Binder::BindScanOperator(const syntax::Operator& op, PlanPtr input) {
    const Schema& in = input->schema;
    ScanSpec spec;
    spec.record = in;
    spec.num_input = in.size();
    for (size_t i = 0; i < op.columns.size(); ++i) {
        const auto& [name, type] = op.columns[i];
        if (spec.record.IndexOf(name)) {
            return Status::SemanticError("declared column '" + name + "' already exists",
                                         op.name_pos[i]);
        }
        core::Value def = core::Value::Null(type);
        if (op.defaults[i]) {
            ASSIGN_OR_RETURN(BoundExprPtr d, BindScalar(*op.defaults[i], Schema{}));
            if (d->kind != BoundExpr::Kind::kConst) {
                return Status::SemanticError("a declared default must be a constant",
                                             op.defaults[i]->pos);
            }
            def = functions::CastValue(d->value, type);
            if (def.is_null() && !d->value.is_null()) {
                return Status::SemanticError("default of '" + name + "' is not a " +
                                                 std::string(core::TypeName(type)),
                                             op.defaults[i]->pos);
            }
        }
        spec.record.fields.push_back({name, type});
        spec.defaults.push_back(def);
    }
    std::set<std::string> steps;
    for (const auto& s : op.steps) steps.insert(s.name);
    spec.eval = spec.record;
    for (const auto& s : op.steps) {
        for (const auto& f : spec.record.fields) spec.eval.fields.push_back({s.name + "." + f.name, f.type});
    }
    for (const auto& s : op.steps) {
        ScanSpec::Step step;
        step.name = s.name;
        step.output = s.output == "last"   ? ScanSpec::Step::Output::kLast
                      : s.output == "none" ? ScanSpec::Step::Output::kNone
                                           : ScanSpec::Step::Output::kAll;
        ASSIGN_OR_RETURN(step.condition, BindScalar(*RewriteStepRefs(*s.condition, steps), spec.eval));
        Type ct = step.condition->type;
        if (ct != Type::kBool && ct != Type::kDynamic && ct != Type::kNull) {
            return Status::SemanticError("scan step condition must be bool, got " +
                                             std::string(core::TypeName(ct)),
                                         s.condition->pos);
        }
        for (const auto& a : s.assignments) {
            auto idx = spec.record.IndexOf(a.name);
            if (!idx || *idx < spec.num_input) {
                return Status::SemanticError(
                    "scan can only assign declared columns; '" + a.name + "' is not declared",
                    a.name_pos);
            }
            ASSIGN_OR_RETURN(BoundExprPtr value, BindScalar(*RewriteStepRefs(*a.expr, steps), spec.eval));
            step.assignments.emplace_back(*idx, std::move(value));
        }
        spec.steps.push_back(std::move(step));
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kTableFunction;
    node->schema = spec.record;
    if (!op.index_column.empty()) {
        if (spec.record.IndexOf(op.index_column)) {
            return Status::SemanticError(
                "with_match_id column '" + op.index_column + "' already exists", op.pos);
        }
        node->schema.fields.push_back({op.index_column, Type::kLong});
        spec.match_id = true;
    }
    node->table_fn = MakeScanFunction(std::move(spec));
    node->input = std::move(input);
    return node;
}

}  // namespace calypso::kql
