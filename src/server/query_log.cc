#include "server/query_log.h"

#include <utility>

#include "core/column.h"
#include "server/workspaces.h"

namespace calypso::server {
namespace {

// Client app names and ids are the caller's; keep them short.
constexpr size_t kMaxHeaderValue = 256;
// What a row costs besides its strings (columns, the Row itself), for the byte bound.
constexpr size_t kRowOverhead = 160;

// The first `max` bytes of `s`, not splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max) {
    if (s.size() <= max) return s;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

size_t RowBytes(const QueryLogEntry& e) {
    return kRowOverhead + e.correlation_id.size() + e.client_app.size() + e.target.size() +
           e.workspace_id.size() + e.text.size();
}

}  // namespace

QueryLogEntry QueryLogEntry::Begin(const net::HttpRequest& request, int64_t now_ticks) {
    QueryLogEntry e;
    e.time_ticks = now_ticks;
    e.started = std::chrono::steady_clock::now();
    std::string_view id = request.Header("x-ms-client-request-id");
    e.correlation_id = id.empty() ? NewGuid() : std::string(CutUtf8(id, kMaxHeaderValue));
    std::string_view app = request.Header("x-ms-app");
    if (app.empty()) app = request.Header("User-Agent");
    e.client_app = std::string(CutUtf8(app, kMaxHeaderValue));
    return e;
}

core::Schema QueryLog::TableSchema() {
    using core::Type;
    return core::Schema{{{"TimeGenerated", Type::kDatetime},
                         {"CorrelationId", Type::kString},
                         {"RequestClientApp", Type::kString},
                         {"RequestTarget", Type::kString},
                         {"TenantId", Type::kString},
                         {"QueryText", Type::kString},
                         {"QueryTimeRangeStart", Type::kDatetime},
                         {"QueryTimeRangeEnd", Type::kDatetime},
                         {"ResponseCode", Type::kInt},
                         {"ResponseDurationMs", Type::kReal},
                         {"ResponseRowCount", Type::kInt},
                         {"StatsDataProcessedKB", Type::kReal}}};
}

QueryLog::QueryLog(core::RowSink& sink, core::MetricsRegistry* registry, Options options)
    : sink_(sink), options_(options) {
    if (registry != nullptr) {
        dropped_counter_ =
            &registry
                 ->Counter("calypso_query_log_dropped_rows",
                           "LAQueryLogs rows dropped because the buffer between flushes was full",
                           {})
                 .With({});
    }
}

void QueryLog::Record(QueryLogEntry entry, int response_code) {
    Row row;
    row.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - entry.started)
            .count();
    if (entry.text.size() > kMaxQueryText)
        entry.text.resize(CutUtf8(entry.text, kMaxQueryText).size());
    row.response_code = response_code;
    row.bytes = RowBytes(entry);
    row.entry = std::move(entry);
    std::lock_guard lock(mu_);
    if (pending_.size() >= options_.max_pending_rows ||
        pending_bytes_ + row.bytes > options_.max_pending_bytes) {
        Drop(1);
        return;
    }
    pending_bytes_ += row.bytes;
    pending_.push_back(std::move(row));
}

void QueryLog::Drop(size_t rows) {
    dropped_ += rows;
    if (dropped_counter_ != nullptr) dropped_counter_->Add(static_cast<double>(rows));
}

core::Status QueryLog::Flush() {
    std::vector<Row> rows;
    {
        std::lock_guard lock(mu_);
        rows.swap(pending_);
        pending_bytes_ = 0;
    }
    if (rows.empty()) return core::Status::Ok();
    core::Batch b = core::Batch::Empty(TableSchema());
    for (auto& c : b.columns) c.Reserve(rows.size());
    auto time_or_null = [](core::Column& c, bool present, int64_t v) {
        present ? c.AppendInt64(v) : c.AppendNull();
    };
    for (const Row& r : rows) {
        const QueryLogEntry& e = r.entry;
        b.columns[0].AppendInt64(e.time_ticks);
        b.columns[1].AppendString(e.correlation_id);
        b.columns[2].AppendString(e.client_app);
        b.columns[3].AppendString(e.target);
        b.columns[4].AppendString(e.workspace_id);
        b.columns[5].AppendString(e.text);
        // An open end of the range (no bound) is left null.
        time_or_null(b.columns[6], e.time_range && e.time_range->min != core::TimeRange{}.min,
                     e.time_range ? e.time_range->min : 0);
        time_or_null(b.columns[7], e.time_range && e.time_range->max != core::TimeRange{}.max,
                     e.time_range ? e.time_range->max : 0);
        b.columns[8].AppendInt64(r.response_code);
        b.columns[9].AppendDouble(r.duration_ms);
        e.row_count ? b.columns[10].AppendInt64(*e.row_count) : b.columns[10].AppendNull();
        if (e.scan_stats) {
            b.columns[11].AppendDouble(
                static_cast<double>(e.scan_stats->bytes_read + e.scan_stats->bytes_cached) /
                1024.0);
        } else {
            b.columns[11].AppendNull();
        }
    }
    std::vector<core::TableBatch> batches;
    batches.push_back({kTable, std::move(b), 0});
    core::Status s = sink_.Append(std::move(batches));
    if (s.ok()) return s;
    // Keep the refused rows ahead of the ones that arrived meanwhile, within the bounds.
    std::lock_guard lock(mu_);
    for (Row& r : pending_) rows.push_back(std::move(r));
    pending_.clear();
    pending_bytes_ = 0;
    size_t kept = 0;
    for (; kept < rows.size(); ++kept) {
        if (kept >= options_.max_pending_rows ||
            pending_bytes_ + rows[kept].bytes > options_.max_pending_bytes) {
            break;
        }
        pending_bytes_ += rows[kept].bytes;
    }
    Drop(rows.size() - kept);
    rows.resize(kept);
    pending_ = std::move(rows);
    return s;
}

size_t QueryLog::pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
}

uint64_t QueryLog::dropped() const {
    std::lock_guard lock(mu_);
    return dropped_;
}

}  // namespace calypso::server
