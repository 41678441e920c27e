#pragma once

// The query audit table LAQueryLogs, with Azure's names and types for the columns Calypso
// fills: one row per request to the query APIs (Log Analytics / App Insights and the Kusto
// REST query endpoints), errors included with their HTTP code. Rows wait in a bounded
// buffer and a background flush appends them through the RowSink, so answering a query
// never waits for a disk; a full buffer drops rows and counts them on /metrics
// (calypso_query_log_dropped_rows_total).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/row_sink.h"
#include "core/schema.h"
#include "core/table_source.h"
#include "net/http.h"

namespace calypso::server {

// What one query request did, filled in by the handler as it goes.
struct QueryLogEntry {
    int64_t time_ticks = 0;  // TimeGenerated: when the request arrived
    std::chrono::steady_clock::time_point started;
    std::string correlation_id;                 // x-ms-client-request-id, else a new guid
    std::string client_app;                     // x-ms-app, else User-Agent
    std::string target;                         // the workspace's name (or the name asked for)
    std::string workspace_id;                   // TenantId: the workspace's id, empty when unknown
    std::string text;                           // the query
    std::optional<core::TimeRange> time_range;  // the request's `timespan`
    std::optional<int64_t> row_count;           // rows answered (all tables)
    std::optional<core::ScanStats> scan_stats;  // what the scans read, on success

    // Starts an entry for `request`, received at `now_ticks`.
    static QueryLogEntry Begin(const net::HttpRequest& request, int64_t now_ticks);
};

class QueryLog {
  public:
    static constexpr const char* kTable = "LAQueryLogs";
    // QueryText is cut to this many bytes (at a UTF-8 boundary).
    static constexpr size_t kMaxQueryText = 8 * 1024;
    static core::Schema TableSchema();

    struct Options {
        size_t max_pending_rows = 10'000;
        size_t max_pending_bytes = size_t{16} << 20;
    };
    // `registry` may be null (drops are then only counted by dropped()).
    QueryLog(core::RowSink& sink, core::MetricsRegistry* registry, Options options);
    QueryLog(core::RowSink& sink, core::MetricsRegistry* registry)
        : QueryLog(sink, registry, Options{}) {}

    // Keeps the row of `entry`, answered with HTTP `response_code`, for the next Flush; the
    // duration runs from entry.started to now. Thread-safe; never blocks on I/O.
    void Record(QueryLogEntry entry, int response_code);

    // Appends every pending row as one batch. When the sink refuses them they are kept for
    // the next call as far as the buffer has room (the rest is counted as dropped).
    core::Status Flush();

    size_t pending() const;
    uint64_t dropped() const;

  private:
    struct Row {
        QueryLogEntry entry;
        int response_code = 0;
        double duration_ms = 0;
        size_t bytes = 0;
    };
    // REQUIRES: mu_ held.
    void Drop(size_t rows);

    core::RowSink& sink_;
    core::MetricCounter* dropped_counter_ = nullptr;
    const Options options_;
    mutable std::mutex mu_;
    std::vector<Row> pending_;
    size_t pending_bytes_ = 0;
    uint64_t dropped_ = 0;
};

}  // namespace calypso::server
