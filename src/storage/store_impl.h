#pragma once

// Internals of Store shared by store.cc (write path, scans) and store_recovery.cc.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "core/time.h"
#include "storage/column_cache.h"
#include "storage/manifest.h"
#include "storage/segment.h"
#include "storage/store.h"
#include "storage/wal.h"

namespace calypso::storage {

using BatchPtr = std::shared_ptr<const core::Batch>;

// The partition of rows without a time value.
inline constexpr int64_t kNoPartition = std::numeric_limits<int64_t>::min();
// The UTC day (days since the epoch) of a time in ticks.
inline int64_t DayOf(int64_t ticks) {
    int64_t day = ticks / core::kTicksPerDay;
    return ticks < 0 && ticks % core::kTicksPerDay != 0 ? day - 1 : day;
}

// A live segment file. Scans hold it by shared pointer, so a file retired by retention or
// compaction is deleted only when the last scan that could read it lets go.
struct SegmentFile {
    SegmentMeta meta;
    std::string path;
    core::Env* env = nullptr;
    mutable std::atomic<bool> obsolete{false};

    SegmentFile(SegmentMeta m, std::string p, core::Env* e)
        : meta(std::move(m)), path(std::move(p)), env(e) {}
    // The opened file (footer parsed once, filters kept), opened on first use.
    core::Result<SegmentReaderPtr> Reader() const {
        std::lock_guard lock(open_mu);
        if (!reader) {
            ASSIGN_OR_RETURN(reader, SegmentReader::Open(env, path));
        }
        return reader;
    }
    SegmentFile(const SegmentFile&) = delete;
    SegmentFile& operator=(const SegmentFile&) = delete;
    ~SegmentFile() {
        if (obsolete) (void)env->RemoveFile(path);
    }

  private:
    mutable std::mutex open_mu;
    mutable SegmentReaderPtr reader;
};
using SegmentPtr = std::shared_ptr<const SegmentFile>;

struct TableState {
    TableMeta meta;
    int time_index = -1;
    std::vector<BatchPtr> buffer;    // acknowledged rows not yet being flushed
    std::vector<BatchPtr> flushing;  // rows being written to segments right now
    size_t buffer_rows = 0;
    std::vector<SegmentPtr> segments;
};

struct Store::Impl {
    Store* owner = nullptr;
    StoreOptions options;
    core::Env* env = nullptr;
    std::string wal_dir, segment_dir;

    // Lock order: flush_mu before wal_mu before mu.
    std::mutex flush_mu;    // one flush at a time
    std::mutex wal_mu;      // the WAL writer, and the moment rows move from WAL to buffer
    mutable std::mutex mu;  // everything below

    struct Writer {
        std::string record;
        std::vector<core::TableBatch> batches;
        std::vector<size_t> sizes;   // encoded bytes per batch, for the Usage table
        std::vector<size_t> memory;  // Batch::ByteSize() per batch, measured before locking
        core::Status status;
        bool done = false;
        std::condition_variable cv;
    };
    std::deque<Writer*> writers;
    std::map<std::string, TableState, std::less<>> tables;
    Manifest manifest;  // as last saved, plus next_file_number
    std::unique_ptr<WalWriter> wal;
    uint64_t wal_number = 0;
    size_t buffered_bytes = 0;
    std::chrono::steady_clock::time_point oldest_buffered{};
    core::Status background_error;  // a failed WAL write or sync makes the store read-only
    bool closed = false;
    StoreStats recovery;
    std::vector<std::string> quarantined;  // one line per quarantined segment
    // Rows and bytes acknowledged per (table, hour) since the last Usage emission.
    std::map<std::pair<std::string, int64_t>, std::pair<uint64_t, uint64_t>> usage;

    std::unique_ptr<ColumnCache> cache;  // decoded segment columns

    std::thread flusher;
    std::condition_variable flusher_cv;
    bool stop_flusher = false;

    std::string WalPath(uint64_t number) const;
    std::string SegmentPath(uint64_t id) const;

    // REQUIRES: mu held. Creates the table from `schema` when unknown.
    TableState& TableFor(const std::string& name, const core::Schema& schema);
    // REQUIRES: mu held. Maps `batch` onto the table's schema by column name.
    core::Batch Normalize(const TableState& table, core::Batch batch) const;
    // REQUIRES: mu held. Makes acknowledged batches visible.
    // `memory[i]` is batches[i].batch.ByteSize(), measured by the caller outside the lock
    // (it walks every dynamic value).
    void ApplyToBuffers(std::vector<core::TableBatch>& batches, const std::vector<size_t>& memory);

    // Reads `schema`'s columns of one block of a segment, from the cache when it has them.
    // `schema` ends with one dynamic field per entry of `keys`.
    core::Result<core::Batch> ReadBlock(const SegmentFile& seg, const SegmentReader& reader,
                                        size_t block, const core::Schema& schema,
                                        const std::vector<core::ScanKey>& keys,
                                        core::ScanStats* stats) const;
    // Scans the blocks of one segment that the request cannot rule out. A damaged file gives
    // Corruption; an error of `consume` stops the scan and lands in `consumer`.
    core::Status ScanSegment(const SegmentFile& file, const core::ScanRequest& request,
                             const core::Schema& schema, const std::string& time_column,
                             core::ScanStats& stats,
                             const std::function<core::Status(const core::Batch&)>& consume,
                             core::Status& consumer) const;
    // Reads `schema`'s columns of a whole segment (for compaction; bypasses the cache).
    core::Result<core::Batch> ReadSegment(const SegmentFile& seg,
                                          const core::Schema& schema) const;
    // The codec a flush uses for a partition: LZ4 while the day may still receive rows,
    // zstd for older days.
    static Codec FlushCodec(int64_t day);

    // Writes the rows of `chunks` (batches of `schema`) as one segment per day, numbering
    // them from `next_id`.
    core::Status WritePartitions(const std::string& table, const core::Schema& schema,
                                 const std::vector<BatchPtr>& chunks, int time_index,
                                 uint64_t& next_id, std::vector<SegmentMeta>& written);
    void RemoveWalFilesBefore(uint64_t number);
    SegmentPtr MakeSegment(const SegmentMeta& meta) const {
        return std::make_shared<const SegmentFile>(meta, SegmentPath(meta.id), env);
    }
    // REQUIRES: mu held. Takes the segments with these ids out of their table; when
    // `retire`, their files go once no scan holds them.
    void RemoveSegments(const std::vector<SegmentMeta>& gone, bool retire);
    // REQUIRES: mu held.
    int RetentionOf(const TableMeta& meta) const;

    // Moves a damaged segment's file to DIR/quarantine and records why. The caller takes
    // the segment out of the MANIFEST and the table. REQUIRES: mu held.
    void MoveToQuarantine(const SegmentMeta& seg, const std::string& reason);
    // Quarantines a segment found damaged while serving (takes flush_mu and mu).
    void QuarantineLive(const SegmentMeta& seg, const std::string& reason);

    // Counts an acknowledged group for the Usage table. REQUIRES: mu held.
    void CountUsage(const Writer& writer, int64_t now_ticks);
    // Appends the counted usage as rows of the Usage table and resets the counters.
    core::Status EmitUsage();

    core::Status Recover();
    core::Status OpenNewWal();  // REQUIRES: wal_mu and mu held
    void FlusherLoop();
};

// Record payload of an Append in the WAL: kind:u8(=1) count:varint (table:lp batch)*
// `sizes`, when given, receives the encoded size of each batch.
std::string EncodeAppendRecord(const std::vector<core::TableBatch>& batches,
                               std::vector<size_t>* sizes = nullptr);
core::Result<std::vector<core::TableBatch>> DecodeAppendRecord(std::string_view record);

}  // namespace calypso::storage
