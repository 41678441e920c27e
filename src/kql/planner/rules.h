#pragma once

#include <functional>
#include <string_view>

#include "kql/binder/bound.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// The optimizer's rewrite rules, one file each, applied by Optimize (optimizer.h) in the
// order they are declared here. Each keeps the plan's results the same; the root's schema
// never changes.

// fold_constants.cc: a call whose arguments are all constants becomes a constant, unless
// it is a window function or not deterministic. "now" is the query's, fixed at bind time.
void FoldConstants(PlanNode& root);
// top_n.cc: `sort | take n` (and `top | take n`) becomes one top-N.
void FuseTopN(PlanNode& root);
// push_keys.cc: `d.key`, `d["key"]` on a dynamic column of a scan become references to a
// key column the scan returns ("d.key"), so the store can answer without reading `d`.
void PushKeys(PlanNode& root);
// push_predicates.cc: conditions of a filter above a scan that the store can check
// become scan_predicates (and narrow scan_time); the filter stays.
void PushPredicates(PlanNode& root);
// prune_columns.cc: narrows every scan to the columns and keys the plan above reads and
// drops project outputs nobody reads. Runs last.
void PruneColumns(PlanNode& root);

// Expression helpers shared by the rules and the binder.

// `call` (a kCall) as a constant when it can be evaluated now, else `call` itself.
BoundExprPtr FoldCall(BoundExprPtr call);
// Folds every foldable subexpression of `e`, bottom-up.
void FoldExpr(BoundExprPtr& e);
// False for functions whose value may differ between evaluations with equal arguments.
bool IsDeterministic(std::string_view function);

// expr_util.cc.
// True when `e` calls row_number(), prev() or next(), whose values depend on other rows.
bool HasWindowCall(const BoundExpr& e);
// Calls `fn` on every expression slot of `node` (not of its inputs), evaluated against the
// node's input: predicate, exprs, keys, aggregate arguments, sort keys.
void ForEachExpr(PlanNode& node, const std::function<void(BoundExprPtr&)>& fn);

}  // namespace calypso::kql
