#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>

#include "core/column.h"
#include "core/status.h"
#include "core/table_source.h"
#include "kql/exec/governor.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// What every scan of a query read and skipped. Each scan adds its own counts when it ends,
// so scans may run on several threads.
class ScanStatsTotal {
  public:
    void Add(const core::ScanStats& s) {
        std::lock_guard lock(mu_);
        total_ += s;
    }
    core::ScanStats Get() const {
        std::lock_guard lock(mu_);
        return total_;
    }

  private:
    mutable std::mutex mu_;
    core::ScanStats total_;
};

struct ExecOptions {
    // Extra filter on every scanned table's time column.
    std::optional<core::TimeRange> time;
    // Most rows kept in the result; more set `truncated`.
    size_t max_rows = 500'000;
    // When set, scans ask their source for statistics and add them here.
    ScanStatsTotal* stats = nullptr;
    // Time limit, memory budget and cancellation; none when null.
    QueryGovernor* governor = nullptr;
    // Workers for the scan and what follows it up to the first pipeline breaker (see
    // docs/architecture.md, "Parallel execution"); 1 runs everything on the caller's thread.
    size_t threads = std::max(1u, std::thread::hardware_concurrency());
};

struct ExecResult {
    core::Batch batch;
    bool truncated = false;
};

// Runs a (pruned) plan to completion, reading tables from `source`.
core::Result<ExecResult> ExecutePlan(PlanNode& plan, const core::TableSource& source,
                                     const ExecOptions& options);

}  // namespace calypso::kql
