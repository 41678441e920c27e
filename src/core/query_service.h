#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/resources.h"
#include "core/status.h"
#include "core/table_source.h"

namespace calypso::core {

struct QueryRequest {
    std::string text;
    // Extra time filter from the API's `timespan`, applied to every table's time column.
    std::optional<TimeRange> timespan;
    // "now" for ago()/now(); 0 means the wall clock when the query starts.
    int64_t now_ticks = 0;
    // Most rows returned per table; more are cut and reported in `truncated`.
    size_t max_rows = 500'000;
    // Wall-clock limit for the whole query (parse to last row); past it the query fails
    // with LimitExceeded. <= 0: no limit.
    double max_seconds = 60;
    // Memory the query's operators may hold at once (hash tables, sorted and joined rows,
    // make_list/make_set lists, serialized row sets, the answer); past it the query fails
    // with LimitExceeded naming the operator. 0: no limit.
    size_t max_memory_bytes = size_t{2} << 30;
    // Set to true (from any thread) to stop the query: it fails with Unavailable "query
    // was cancelled" at its next check (between batches and every 64K rows of long loops).
    std::shared_ptr<const std::atomic<bool>> cancelled;
    // Plan only, read nothing: the answer is one table with one string column "Plan", a
    // row per line of the optimized plan.
    bool explain = false;
    // Resolves `workspace("x")` / `app("x")` references; null: the query may not use any
    // (each is an unknown workspace or app). Not owned; must outlive the call.
    const ResourceResolver* resources = nullptr;
    // What the query's own table names read instead of the service's tables (the query
    // API's `workspaces` / `applications`: several workspaces' tables as one); null: the
    // service's own. Not owned; must outlive the call.
    const TableSource* tables = nullptr;
};

struct ResultTable {
    std::string name;  // "PrimaryResult"
    Batch data;
    bool truncated = false;
    // The `render` hint ("timechart", ...), empty when the query has none.
    std::string render;
};

struct QueryResult {
    std::vector<ResultTable> tables;
    // What the query's table scans read and skipped, summed over all of them.
    ScanStats scan_stats;
};

// Runs KQL. Errors are SyntaxError/SemanticError with a source position, NotFound for
// unknown tables, LimitExceeded for budgets (rows of a range, time, memory), Unavailable
// when cancelled. Thread-safe.
class QueryService {
  public:
    virtual ~QueryService() = default;
    virtual Result<QueryResult> Run(const QueryRequest& request) = 0;
};

}  // namespace calypso::core
