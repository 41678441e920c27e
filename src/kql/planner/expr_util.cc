#include "kql/functions/more_scalar.h"
#include "kql/planner/rules.h"

namespace calypso::kql {

BoundExprPtr CloneExpr(const BoundExpr& e) {
    auto c = std::make_unique<BoundExpr>();
    c->kind = e.kind;
    c->type = e.type;
    c->pos = e.pos;
    c->value = e.value;
    c->column = e.column;
    c->index = e.index;
    c->function = e.function;
    c->kernel = e.kernel;
    c->captured = e.captured;
    c->args.reserve(e.args.size());
    for (const auto& a : e.args) c->args.push_back(CloneExpr(*a));
    return c;
}

bool HasWindowCall(const BoundExpr& e) {
    if (e.kind == BoundExpr::Kind::kCall && functions::IsWindowFunction(e.function)) return true;
    for (const auto& a : e.args) {
        if (HasWindowCall(*a)) return true;
    }
    return false;
}

void ForEachExpr(PlanNode& node, const std::function<void(BoundExprPtr&)>& fn) {
    if (node.predicate) fn(node.predicate);
    for (auto& e : node.exprs) fn(e);
    for (auto& e : node.keys) fn(e);
    for (auto& a : node.aggregates) {
        for (auto& e : a.args) fn(e);
    }
    for (auto& k : node.sort_keys) fn(k.expr);
}

}  // namespace calypso::kql
