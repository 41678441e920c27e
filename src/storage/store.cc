#include "storage/store.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <chrono>
#include <cinttypes>
#include <optional>
#include <cstdio>

#include "core/metrics.h"
#include "storage/segment.h"
#include "storage/store_impl.h"
#include "storage/usage.h"

namespace calypso::storage {

using core::Status;

std::string Store::Impl::WalPath(uint64_t number) const {
    char name[32];
    std::snprintf(name, sizeof name, "/%06" PRIu64 ".log", number);
    return wal_dir + name;
}

std::string Store::Impl::SegmentPath(uint64_t id) const {
    char name[32];
    std::snprintf(name, sizeof name, "/%06" PRIu64 ".seg", id);
    return segment_dir + name;
}

TableState& Store::Impl::TableFor(const std::string& name, const core::Schema& schema) {
    auto it = tables.find(name);
    if (it != tables.end()) return it->second;
    TableState t;
    t.meta.name = name;
    t.meta.schema = schema;
    for (const char* candidate : {"timestamp", "TimeGenerated"}) {
        auto idx = schema.IndexOf(candidate);
        if (idx && schema.fields[*idx].type == core::Type::kDatetime) {
            t.meta.time_column = candidate;
            t.time_index = static_cast<int>(*idx);
            break;
        }
    }
    return tables.emplace(name, std::move(t)).first->second;
}

core::Batch Store::Impl::Normalize(const TableState& table, core::Batch batch) const {
    if (batch.schema == table.meta.schema) return batch;
    core::Batch out;
    out.schema = table.meta.schema;
    const size_t rows = batch.num_rows();
    for (const auto& field : table.meta.schema.fields) {
        auto idx = batch.schema.IndexOf(field.name);
        if (idx && batch.schema.fields[*idx].type == field.type) {
            out.columns.push_back(std::move(batch.columns[*idx]));
        } else {
            out.columns.push_back(core::Column::Nulls(field.type, rows));
        }
    }
    return out;
}

void Store::Impl::ApplyToBuffers(std::vector<core::TableBatch>& batches,
                                 const std::vector<size_t>& memory) {
    for (size_t i = 0; i < batches.size(); ++i) {
        core::TableBatch& tb = batches[i];
        if (tb.batch.num_rows() == 0) continue;
        TableState& t = tables.find(tb.table)->second;
        if (buffered_bytes == 0) oldest_buffered = std::chrono::steady_clock::now();
        buffered_bytes += memory[i];
        t.buffer_rows += tb.batch.num_rows();
        t.buffer.push_back(std::make_shared<const core::Batch>(std::move(tb.batch)));
    }
}

core::Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->env = options.env;
    impl->wal_dir = options.dir + "/wal";
    impl->segment_dir = options.dir + "/segments";
    impl->cache = std::make_unique<ColumnCache>(options.cache_bytes);
    RETURN_IF_ERROR(impl->Recover());
    {
        std::lock_guard lock(impl->mu);
        TableState& usage = impl->TableFor(std::string(kUsageTable), UsageSchema());
        usage.meta.time_column = "TimeGenerated";
        usage.time_index = static_cast<int>(*usage.meta.schema.IndexOf("TimeGenerated"));
    }
    std::unique_ptr<Store> store(new Store(std::move(impl)));
    store->impl_->owner = store.get();
    if (options.background_flush) {
        Impl* p = store->impl_.get();
        p->flusher = std::thread([p] { p->FlusherLoop(); });
    }
    return store;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
    Status s = Close();
    if (!s.ok()) std::fprintf(stderr, "calypso: closing the store: %s\n", s.ToString().c_str());
}

Status Store::DefineTable(const std::string& name, core::Schema schema,
                          const std::string& time_column) {
    std::lock_guard lock(impl_->mu);
    TableState& t = impl_->TableFor(name, schema);
    if (auto idx = t.meta.schema.IndexOf(time_column)) {
        t.meta.time_column = time_column;
        t.time_index = static_cast<int>(*idx);
    }
    return Status::Ok();
}

Status Store::Append(std::vector<core::TableBatch> batches) {
    Impl& d = *impl_;
    Impl::Writer w;
    {
        std::lock_guard lock(d.mu);
        if (d.closed) return Status::Unavailable("the store is shutting down");
        if (!d.background_error.ok()) return d.background_error;
        if (d.buffered_bytes > d.options.buffer_byte_limit) {
            d.flusher_cv.notify_all();
            return Status::LimitExceeded("write buffer full (" +
                                         std::to_string(d.buffered_bytes >> 20) +
                                         " MiB waiting to be flushed); retry shortly");
        }
        for (auto& tb : batches) {
            TableState& t = d.TableFor(tb.table, tb.batch.schema);
            tb.batch = d.Normalize(t, std::move(tb.batch));
        }
    }
    // Buffered rows wait up to a flush interval: keep their strings compact.
    for (auto& tb : batches) {
        for (auto& c : tb.batch.columns) c.PackStrings();
    }
    w.record = EncodeAppendRecord(batches, &w.sizes);
    for (const auto& tb : batches) w.memory.push_back(tb.batch.ByteSize());
    w.batches = std::move(batches);

    std::unique_lock lock(d.mu);
    d.writers.push_back(&w);
    while (!w.done && &w != d.writers.front()) w.cv.wait(lock);
    if (w.done) return w.status;

    // This writer leads a group: everyone queued now shares one write and one fsync.
    std::vector<Impl::Writer*> group(d.writers.begin(), d.writers.end());
    lock.unlock();
    Status status;
    {
        std::lock_guard wal_lock(d.wal_mu);
        for (Impl::Writer* g : group) {
            status = d.wal->AddRecord(g->record);
            if (!status.ok()) break;
        }
        // A write that failed (a full disk, say) is cut off again, so the store stays
        // writable; nothing of this group is acknowledged.
        bool rolled_back = false;
        if (!status.ok()) rolled_back = d.wal->Rollback().ok();
        if (status.ok()) {
            const auto sync_start = std::chrono::steady_clock::now();
            status = d.wal->Sync();
            // How long durability takes, and how many Appends share one fsync (queue depth).
            static auto& fsync = core::DefaultMetrics()
                                     .Histogram("calypso_wal_fsync_duration_seconds",
                                                "Time of one WAL fsync (group commit)", {},
                                                core::LatencyBuckets(), "seconds")
                                     .With({});
            static auto& group_size = core::DefaultMetrics()
                                          .Histogram("calypso_wal_group_commit_appends",
                                                     "Appends acknowledged by one WAL fsync", {},
                                                     {1, 2, 4, 8, 16, 32, 64, 128})
                                          .With({});
            fsync.Observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start)
                    .count());
            group_size.Observe(static_cast<double>(group.size()));
        }
        lock.lock();
        if (status.ok()) {
            const int64_t now = core::NowTicks();
            for (Impl::Writer* g : group) {
                d.CountUsage(*g, now);
                d.ApplyToBuffers(g->batches, g->memory);
            }
        } else if (!rolled_back && d.background_error.ok()) {
            // After a failed fsync (or a write that could not be undone) the WAL's state is
            // unknown: refuse further writes rather than acknowledge rows that might not survive.
            d.background_error = Status::IOError(
                "WAL write failed, store is read-only until restart: " + status.message());
            std::fprintf(stderr, "calypso: %s\n", d.background_error.message().c_str());
        }
    }
    for (Impl::Writer* g : group) {
        d.writers.pop_front();
        g->status = status;
        g->done = true;
        if (g != &w) g->cv.notify_one();
    }
    if (!d.writers.empty()) d.writers.front()->cv.notify_one();
    return status;
}

Status Store::Flush() {
    Impl& d = *impl_;
    std::lock_guard flush_lock(d.flush_mu);
    uint64_t new_wal_min;
    std::vector<std::pair<std::string, std::vector<BatchPtr>>> work;
    {
        std::lock_guard wal_lock(d.wal_mu);
        std::lock_guard lock(d.mu);
        if (!d.background_error.ok()) return d.background_error;
        for (auto& [name, t] : d.tables) {
            if (t.buffer.empty()) continue;
            t.flushing = std::move(t.buffer);
            t.buffer.clear();
            t.buffer_rows = 0;
            work.emplace_back(name, t.flushing);
        }
        d.buffered_bytes = 0;
        if (work.empty()) return Status::Ok();
        RETURN_IF_ERROR(d.OpenNewWal());
        new_wal_min = d.wal_number;
    }

    Manifest next;
    {
        std::lock_guard lock(d.mu);
        next = d.manifest;
        next.tables.clear();
        for (const auto& [name, t] : d.tables) next.tables.push_back(t.meta);
    }
    std::vector<SegmentMeta> written;
    Status status;
    for (const auto& [name, chunks] : work) {
        core::Schema schema;
        int time_index;
        {
            std::lock_guard lock(d.mu);
            const TableState& t = d.tables.find(name)->second;
            schema = t.meta.schema;
            time_index = t.time_index;
        }
        status =
            d.WritePartitions(name, schema, chunks, time_index, next.next_file_number, written);
        if (!status.ok()) break;
    }
    if (status.ok()) {
        next.wal_min = new_wal_min;
        for (const auto& seg : written) next.segments.push_back(seg);
        status = SaveManifest(d.env, d.options.dir, next);
    }

    std::lock_guard lock(d.mu);
    if (!status.ok()) {
        // The rows stay in the WAL; put them back so they are retried by the next flush.
        for (auto& [name, chunks] : work) {
            TableState& t = d.tables.find(name)->second;
            t.buffer.insert(t.buffer.begin(), t.flushing.begin(), t.flushing.end());
            for (const auto& c : t.flushing) t.buffer_rows += c->num_rows();
            t.flushing.clear();
        }
        d.manifest.next_file_number = std::max(d.manifest.next_file_number, next.next_file_number);
        return status;
    }
    next.next_file_number = std::max(next.next_file_number, d.manifest.next_file_number);
    d.manifest = next;
    for (const auto& seg : written) {
        TableState& t = d.tables.find(seg.table)->second;
        t.segments.push_back(d.MakeSegment(seg));
        t.flushing.clear();
    }
    d.RemoveWalFilesBefore(new_wal_min);
    return Status::Ok();
}

Status Store::Impl::WritePartitions(const std::string& table, const core::Schema& schema,
                                    const std::vector<BatchPtr>& chunks, int time_index,
                                    uint64_t& next_id, std::vector<SegmentMeta>& written) {
    // One segment per UTC day of the time column, so retention drops whole days; inside a
    // day rows are in time order, so blocks cover narrow time ranges and skip well. Rows
    // are gathered straight from the buffered chunks (no merged copy of them all).
    using RowRef = core::Column::RowRef;
    std::vector<RowRef> order;
    for (size_t c = 0; c < chunks.size(); ++c) {
        for (size_t r = 0; r < chunks[c]->num_rows(); ++r) {
            order.push_back({static_cast<uint32_t>(c), static_cast<uint32_t>(r)});
        }
    }
    auto time_of = [&](RowRef r) -> std::optional<int64_t> {
        if (time_index < 0) return std::nullopt;
        const core::Column& t = chunks[r.source]->columns[static_cast<size_t>(time_index)];
        if (t.IsNull(r.row)) return std::nullopt;
        return t.int64_at(r.row);
    };
    auto key = [&](RowRef r) { return time_of(r).value_or(std::numeric_limits<int64_t>::min()); };
    if (time_index >= 0) {
        std::stable_sort(order.begin(), order.end(),
                         [&](RowRef a, RowRef b) { return key(a) < key(b); });
    }
    auto day_of = [&](RowRef r) {
        auto t = time_of(r);
        return t ? DayOf(*t) : kNoPartition;
    };
    std::vector<const core::Column*> sources(chunks.size());
    const size_t n = order.size();
    for (size_t begin = 0; begin < n;) {
        const int64_t day = day_of(order[begin]);
        size_t end = begin;
        while (end < n && day_of(order[end]) == day) ++end;
        core::Batch part;
        part.schema = schema;
        const std::span<const RowRef> picked(order.data() + begin, end - begin);
        for (size_t c = 0; c < schema.size(); ++c) {
            for (size_t k = 0; k < chunks.size(); ++k) sources[k] = &chunks[k]->columns[c];
            part.columns.push_back(core::Column::GatherFrom(schema.fields[c].type, sources, picked));
        }
        begin = end;
        const uint64_t id = next_id++;
        SegmentWriteOptions write_options;
        write_options.codec = FlushCodec(day);
        write_options.zstd_level = kFlushZstdLevel;
        write_options.block_rows = options.block_rows;
        ASSIGN_OR_RETURN(auto info, WriteSegment(env, SegmentPath(id), table, part, time_index,
                                                 write_options));
        written.push_back({id, table, info.rows, info.min_time, info.max_time, day});
    }
    return Status::Ok();
}

void Store::Impl::RemoveSegments(const std::vector<SegmentMeta>& gone, bool retire) {
    for (const auto& g : gone) {
        auto& segs = tables.find(g.table)->second.segments;
        for (auto it = segs.begin(); it != segs.end(); ++it) {
            if ((*it)->meta.id != g.id) continue;
            if (retire) (*it)->obsolete = true;
            segs.erase(it);
            break;
        }
        std::erase_if(manifest.segments, [&](const SegmentMeta& m) { return m.id == g.id; });
    }
}

void Store::Impl::RemoveWalFilesBefore(uint64_t number) {
    auto names = env->ListDir(wal_dir);
    if (!names.ok()) return;
    for (const auto& name : *names) {
        uint64_t n = 0;
        if (std::sscanf(name.c_str(), "%" SCNu64 ".log", &n) == 1 && n < number) {
            (void)env->RemoveFile(wal_dir + "/" + name);
        }
    }
}

namespace {

// A flush frees the buffered rows: millions of small blocks spread over the allocator's
// per-thread arenas, which glibc keeps unless asked. Returning them bounds the RSS, but under
// sustained ingestion the next buffer refills that memory within a second, and every page
// handed back is faulted in and zeroed again (measured: 10-15% of the ingest CPU). So memory
// is returned once ingestion slows down, not after every flush.
void ReleaseFreedMemory() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

}  // namespace

void Store::Impl::FlusherLoop() {
    auto next_retention = std::chrono::steady_clock::now();
    bool trim_pending = false;
    size_t rows_at_last_wake = 0;
    std::unique_lock lock(mu);
    while (!stop_flusher) {
        flusher_cv.wait_for(lock, std::chrono::milliseconds(500));
        if (stop_flusher) break;
        const auto now = std::chrono::steady_clock::now();
        bool by_size = buffered_bytes > options.buffer_byte_limit / 2;
        size_t rows = 0;
        for (const auto& [name, t] : tables) {
            by_size = by_size || t.buffer_rows >= options.flush_rows;
            rows += t.buffer_rows;
        }
        const bool by_age = buffered_bytes > 0 && now - oldest_buffered >= options.flush_age;
        // Fewer than 1/8 of a flush's rows arrived since the last wake-up: ingestion is slow.
        const bool slow = rows < rows_at_last_wake + options.flush_rows / 8;
        rows_at_last_wake = rows;
        const bool retention_due = now >= next_retention;
        const bool trim_now = trim_pending && slow && !by_size;
        if (!by_size && !by_age && !retention_due && !trim_now) continue;
        lock.unlock();
        if (by_size || by_age) {
            Status s = owner->Flush();
            if (!s.ok())
                std::fprintf(stderr, "calypso: background flush failed: %s\n",
                             s.ToString().c_str());
            trim_pending = true;
        }
        if (trim_pending && !by_size && slow) {
            ReleaseFreedMemory();
            trim_pending = false;
        }
        if (retention_due) {
            next_retention = now + std::chrono::minutes(1);
            Status u = EmitUsage();
            if (!u.ok())
                std::fprintf(stderr, "calypso: recording usage failed: %s\n", u.ToString().c_str());
            Status s = owner->EnforceRetention(core::NowTicks());
            if (!s.ok())
                std::fprintf(stderr, "calypso: retention failed: %s\n", s.ToString().c_str());
            s = owner->Compact();
            if (!s.ok())
                std::fprintf(stderr, "calypso: compaction failed: %s\n", s.ToString().c_str());
        }
        lock.lock();
        // A flush taken by size resets the count: rows_at_last_wake was before it.
        if (by_size || by_age) rows_at_last_wake = 0;
    }
}

Status Store::Close() {
    Impl& d = *impl_;
    {
        std::lock_guard lock(d.mu);
        if (d.closed || d.stop_flusher) return Status::Ok();
        d.stop_flusher = true;
    }
    d.flusher_cv.notify_all();
    if (d.flusher.joinable()) d.flusher.join();
    Status usage = d.EmitUsage();
    if (!usage.ok())
        std::fprintf(stderr, "calypso: recording usage failed: %s\n", usage.ToString().c_str());
    {
        std::lock_guard lock(d.mu);
        d.closed = true;
    }
    Status s = Flush();
    std::lock_guard wal_lock(d.wal_mu);
    if (d.wal) {
        Status c = d.wal->Close();
        d.wal.reset();
        if (s.ok()) s = c;
    }
    return s;
}

}  // namespace calypso::storage
