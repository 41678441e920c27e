#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/row_sink.h"
#include "core/table_source.h"

namespace calypso::storage {

struct StoreOptions {
    std::string dir;  // created when missing
    core::Env* env = core::Env::Default();
    size_t flush_rows = 200'000;                  // a table's buffer at this size is flushed
    std::chrono::milliseconds flush_age{30'000};  // ... and any buffered row after this long
    size_t buffer_byte_limit = size_t{1} << 30;   // past it Append answers LimitExceeded
    bool background_flush = true;                 // a thread that applies the two rules above
    int default_retention_days = 90;              // per table unless set otherwise
    size_t compact_min_segments = 4;              // a day with this many small segments ...
    uint64_t compact_target_rows = 1'000'000;     // ... (below this many rows) is merged
    size_t cache_bytes = size_t{512} << 20;       // decoded segment columns kept in memory
    size_t block_rows = 8192;                     // rows per segment block (segment.h)
    size_t parallel_min_rows = 32768;             // ScanParallel: least rows per worker
};

struct StoreStats {
    uint64_t tables = 0;
    uint64_t segments = 0;
    uint64_t segment_rows = 0;
    uint64_t buffered_rows = 0;
    uint64_t buffered_bytes = 0;
    uint64_t recovered_records = 0;     // WAL records replayed at open
    uint64_t torn_tail_bytes = 0;       // bytes cut off damaged WAL tails at open
    uint64_t quarantined_segments = 0;  // damaged segments moved aside
};

// The embedded store: WAL with group commit, per-table write buffers, immutable columnar
// segments and an atomically replaced MANIFEST (see wal.h, segment.h, manifest.h).
//
// Append is durable when it returns OK: its rows were fsynced to the WAL together with
// those of every other Append waiting at the same time. Scans see a consistent snapshot
// (segments plus acknowledged buffered rows) and never block writers for long.
// All methods are thread-safe.
class Store final : public core::RowSink, public core::TableSource {
  public:
    // Opens (creating when new) the store in options.dir and recovers it: replays the WAL
    // past the last flush, cutting a torn tail, and removes files a crash left behind.
    static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
    ~Store() override;

    // Declares a table (idempotent). A table first seen in Append is created from the
    // batch's schema instead.
    core::Status DefineTable(const std::string& name, core::Schema schema,
                             const std::string& time_column);

    // Errors: LimitExceeded while the write buffer is over its budget (retry shortly);
    // Unavailable when the disk is full (nothing acknowledged, the store stays writable and
    // recovers when space returns); IOError after a failed fsync (read-only until restart).
    core::Status Append(std::vector<core::TableBatch> batches) override;
    // Writes every buffered row to segments and retires the WAL files they came from.
    core::Status Flush();
    // Stops the background thread and flushes. Later Appends answer Unavailable.
    core::Status Close();

    // Sets how many days of `table` are kept (durably); NotFound for an unknown table.
    core::Status SetRetention(const std::string& table, int days);
    // The table's retention in days (the default when never set); 0 for an unknown table.
    int RetentionDays(const std::string& table) const;
    // Drops every whole day partition older than its table's retention, as of `now_ticks`.
    // The background thread calls it once a minute.
    core::Status EnforceRetention(int64_t now_ticks);

    // Merges the small segments of each table and day into one (the background thread
    // calls it once a minute). Readers are never blocked; replaced files go when the last
    // scan that could read them ends.
    core::Status Compact();

    StoreStats Stats() const;
    // One line per segment found damaged (at open or while serving) and moved to
    // DIR/quarantine; the store keeps serving everything else.
    std::vector<std::string> Quarantined() const;

    std::vector<std::string> ListTables() const override;
    core::Result<core::Schema> GetSchema(const std::string& table) const override;
    std::string TimeColumn(const std::string& table) const override;
    core::Status Scan(
        const core::ScanRequest& request,
        const std::function<core::Status(const core::Batch&)>& consume) const override;
    // Reads the surviving blocks on consumer.workers threads (started per scan), each
    // worker a consecutive run of about equal rows.
    core::Status ScanParallel(const core::ScanRequest& request,
                              const core::ParallelConsumer& consumer) const override;

    struct Impl;

  private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace calypso::storage
