#pragma once

#include <cstddef>
#include <optional>

#include "core/column.h"
#include "core/status.h"
#include "core/table_source.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

struct ExecOptions {
    // Extra filter on every scanned table's time column.
    std::optional<core::TimeRange> time;
    // Most rows kept in the result; more set `truncated`.
    size_t max_rows = 500'000;
};

struct ExecResult {
    core::Batch batch;
    bool truncated = false;
};

// Runs a (pruned) plan to completion, reading tables from `source`.
core::Result<ExecResult> ExecutePlan(PlanNode& plan, const core::TableSource& source,
                                     const ExecOptions& options);

}  // namespace calypso::kql
