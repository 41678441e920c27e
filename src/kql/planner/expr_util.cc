#include "kql/functions/more_scalar.h"
#include "kql/planner/rules.h"

namespace calypso::kql {

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
