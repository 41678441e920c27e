#include <algorithm>

#include "kql/functions/cast.h"
#include "kql/functions/more_scalar.h"
#include "kql/planner/rules.h"

namespace calypso::kql {

namespace {

void FoldTree(PlanNode& node) {
    ForEachExpr(node, [](BoundExprPtr& e) { FoldExpr(e); });
    if (node.input) FoldTree(*node.input);
    for (auto& in : node.inputs) FoldTree(*in);
}

}  // namespace

bool IsDeterministic(std::string_view function) {
    // None of these exists yet; listed so that adding one cannot make it fold silently.
    return function != "rand" && function != "new_guid" && function != "newguid";
}

BoundExprPtr FoldCall(BoundExprPtr call) {
    if (call->kind != BoundExpr::Kind::kCall) return call;
    // Window functions read the whole row set; their arguments being constant says nothing.
    if (functions::IsWindowFunction(call->function) || !IsDeterministic(call->function)) {
        return call;
    }
    bool all_const = std::all_of(call->args.begin(), call->args.end(), [](const BoundExprPtr& a) {
        return a->kind == BoundExpr::Kind::kConst;
    });
    if (!all_const) return call;
    std::vector<Vec> vals;
    vals.reserve(call->args.size());
    for (const auto& a : call->args) vals.push_back(Vec::Const(a->value, a->type));
    core::Value v = call->kernel(vals, 1).Get(0);
    if (v.type() != call->type && !v.is_null()) v = functions::CastValue(v, call->type);
    return MakeConst(std::move(v), call->type, call->pos);
}

void FoldExpr(BoundExprPtr& e) {
    for (auto& a : e->args) FoldExpr(a);
    e = FoldCall(std::move(e));
}

void FoldConstants(PlanNode& root) { FoldTree(root); }

}  // namespace calypso::kql
