#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/status.h"

namespace calypso::core {

// Half-open time interval [min, max) in ticks.
struct TimeRange {
    int64_t min = std::numeric_limits<int64_t>::min();
    int64_t max = std::numeric_limits<int64_t>::max();
    bool Contains(int64_t t) const { return t >= min && t < max; }
    bool unbounded() const {
        return min == std::numeric_limits<int64_t>::min() &&
               max == std::numeric_limits<int64_t>::max();
    }
};

// A top-level key of a dynamic column, e.g. customDimensions.parent_run_id.
struct ScanKey {
    std::string column;
    std::string key;
    // kDynamic: the value as it is; kString: as tostring() gives it ("" when absent), so a
    // shredded key arrives as its stored string column, dictionary codes and all; kReal: as
    // todouble() gives it (core::DynamicToReal; null when not a number).
    Type type = Type::kDynamic;

    // The name of the returned column: "column.key", "tostring(column.key)" or
    // "todouble(column.key)".
    std::string OutputName() const {
        std::string name = column + "." + key;
        if (type == Type::kString) return "tostring(" + name + ")";
        if (type == Type::kReal) return "todouble(" + name + ")";
        return name;
    }
};

// A condition a source may use to skip rows that cannot satisfy it, before decoding them.
// A hint like ScanRequest::time: the consumer filters again, and a source may ignore it.
struct ScanPredicate {
    enum class Op : uint8_t {
        kEquals,    // string column equals one of `values`, case-sensitively (==, in)
        kHas,       // string column has `values[0]` as whole term(s), ignoring case (has)
        kHasCs,     // the same, case-sensitively (has_cs)
        kIntRange,  // long/int/datetime/timespan/bool column in [min, max]; nulls fail
    };
    // A requested column, or the OutputName() of an entry of ScanRequest::keys.
    std::string column;
    Op op = Op::kEquals;
    std::vector<std::string> values = {};
    int64_t min = std::numeric_limits<int64_t>::min();
    int64_t max = std::numeric_limits<int64_t>::max();
};

// What a scan read and skipped; filled by the source when ScanRequest::stats is set.
struct ScanStats {
    uint64_t segments = 0;          // segments of the table in the snapshot
    uint64_t segments_skipped = 0;  // by time range or predicates, without reading blocks
    uint64_t blocks = 0;            // row blocks of the segments not skipped
    uint64_t blocks_skipped = 0;    // by block min/max or term index
    uint64_t bytes_read = 0;        // column and index bytes read from disk (cache misses)
    uint64_t bytes_cached = 0;      // on-disk bytes of blocks served from the decoded cache
    uint64_t rows = 0;              // rows handed to the consumer

    ScanStats& operator+=(const ScanStats& o) {
        segments += o.segments;
        segments_skipped += o.segments_skipped;
        blocks += o.blocks;
        blocks_skipped += o.blocks_skipped;
        bytes_read += o.bytes_read;
        bytes_cached += o.bytes_cached;
        rows += o.rows;
        return *this;
    }
};

struct ScanRequest {
    std::string table;
    // Columns to return, in this order; empty means every column of the schema.
    std::vector<std::string> columns;
    // Rows outside this range of the table's time column may be skipped (a hint: the
    // consumer filters again).
    TimeRange time;
    // Keys to return as extra columns after `columns`, named ScanKey::OutputName(). A store
    // that shredded the key answers without parsing any JSON.
    std::vector<ScanKey> keys = {};
    // Conditions every returned row would have to meet (a conjunction).
    std::vector<ScanPredicate> predicates = {};
    // When set, the source adds what it read and skipped (not thread-safe: one per scan).
    ScanStats* stats = nullptr;
};

// How ScanParallel hands batches to several workers.
struct ParallelConsumer {
    size_t workers = 1;
    // Called for worker `worker` on one thread at a time (workers run concurrently).
    std::function<Status(size_t worker, const Batch&)> consume;
    // Optional: true once `worker` needs no more batches (say, its share of a `take` is
    // full); the source then stops giving it any. The others go on.
    std::function<bool(size_t worker)> worker_done = nullptr;
};

// Read access to tables. Implemented by the store (and later the ClickHouse backend);
// used by the query engine. Implementations are thread-safe.
class TableSource {
  public:
    virtual ~TableSource() = default;
    virtual std::vector<std::string> ListTables() const = 0;
    // The table's schema; NotFound for an unknown table.
    virtual Result<Schema> GetSchema(const std::string& table) const = 0;
    // Name of the table's time column ("timestamp", "TimeGenerated"), or "" when none.
    virtual std::string TimeColumn(const std::string& table) const = 0;
    // Calls `consume` with batches holding the requested columns, from one consistent
    // snapshot. Stops at and returns the first error `consume` returns.
    virtual Status Scan(const ScanRequest& request,
                        const std::function<Status(const Batch&)>& consume) const = 0;
    // Scan on up to consumer.workers threads. The batches Scan would give, in Scan's order,
    // are cut into consecutive runs, one per worker, and worker w gets run w in order: the
    // batches of worker 0, then 1, ... are Scan's (so partial results merged in worker
    // order see the rows in scan order). The first error of any worker stops all of them
    // and is returned. request.stats gets the sum over the workers. The default runs Scan
    // as worker 0.
    virtual Status ScanParallel(const ScanRequest& request,
                                const ParallelConsumer& consumer) const {
        bool done = false;
        Status s = Scan(request, [&](const Batch& b) -> Status {
            RETURN_IF_ERROR(consumer.consume(0, b));
            if (consumer.worker_done && consumer.worker_done(0)) {
                done = true;
                return {StatusCode::kLimitExceeded, "worker done"};
            }
            return Status::Ok();
        });
        return done ? Status::Ok() : s;
    }
};

}  // namespace calypso::core
