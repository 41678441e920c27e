#pragma once

#include <optional>
#include <string>

#include "core/table_source.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// Rewrites a bound plan into the plan that runs (rules in planner/rules.h): constants
// folded, sort+take fused to top-N, dynamic keys, predicates and time ranges pushed into
// the scans, unread columns pruned. Results are unchanged; the root's schema is too.
void Optimize(PlanNode& root);

// The plan as an indented tree, one node per line (explain.cc). Scans show their table,
// columns, keys, predicates and the time range they ask for (scan_time narrowed by
// `timespan`, as ScanOp does).
std::string ExplainPlan(const PlanNode& root,
                        const std::optional<core::TimeRange>& timespan = std::nullopt);

// An expression as KQL-like text, for explain and messages.
std::string ExprToString(const BoundExpr& e);
// A scan predicate as explain shows it; `schema` (the scan's) gives the column's type.
std::string PredicateToString(const core::ScanPredicate& p, const core::Schema& schema);

}  // namespace calypso::kql
