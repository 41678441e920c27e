#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include "storage/segment.h"
#include "storage/shred.h"
#include "storage/store_impl.h"

namespace calypso::storage {

using core::Status;

namespace {

struct Snapshot {
    TableMeta meta;
    int time_index = -1;
    std::vector<SegmentPtr> segments;
    std::vector<BatchPtr> chunks;
};

// Memory a decoded block takes, estimated from its encoded size (JSON trees take several
// times their bytes; shredded sub-columns count with their column).
size_t EstimateBytes(const SegmentInfo& info, const std::string& name, size_t block,
                     core::Type type) {
    size_t raw = 0;
    for (const auto& c : info.columns) {
        if (c.name == name ||
            (c.name.size() > name.size() && c.name.compare(0, name.size(), name) == 0 &&
             c.name[name.size()] == kShredSeparator)) {
            raw += c.blocks[block].raw_size;
        }
    }
    const size_t rows = info.BlockSize(block);
    return type == core::Type::kDynamic ? raw * 6 + rows * 16 : raw * 2 + rows * 32;
}

// Memory a decoded block of a flat column takes: validity, values and strings in any form
// (dictionary codes, packed). The estimate above is several times that for such columns,
// and charging it made a query's working set overflow the cache at 10 M rows (every warm
// run decoded every block again).
size_t MeasuredBytes(const core::Column& col) {
    constexpr size_t kOverhead = 256;  // the column's shared data and vector headers
    return kOverhead + col.size() + col.ValueBytes() + col.StringBytes();
}

// Bytes on disk of one block of a stored column and its shredded sub-columns: what a
// cache hit saved reading.
uint64_t StoredBytes(const SegmentInfo& info, const std::string& name, size_t block) {
    uint64_t bytes = 0;
    for (const auto& c : info.columns) {
        if (c.name == name ||
            (c.name.size() > name.size() && c.name.compare(0, name.size(), name) == 0 &&
             c.name[name.size()] == kShredSeparator)) {
            bytes += c.blocks[block].size;
        }
    }
    return bytes;
}

std::string CacheName(const std::string& column, size_t block) {
    return column + '\x1e' + std::to_string(block);
}

bool Overlaps(const SegmentMeta& seg, const core::TimeRange& range) {
    if (seg.rows == 0) return false;
    if (seg.min_time > seg.max_time) return true;  // no time values: cannot prune
    return seg.max_time >= range.min && seg.min_time < range.max;
}

// A predicate bound to the stored column of one segment that can answer it.
struct BoundPredicate {
    const core::ScanPredicate* predicate;
    const SegmentColumnInfo* column;
};

// The stored column answering `p` in this segment, or nullptr when it cannot skip anything
// (unknown column, a key that is not shredded here, an operator that does not fit the type).
const SegmentColumnInfo* StoredColumnFor(const core::ScanPredicate& p, const SegmentInfo& info,
                                         const std::vector<core::ScanKey>& keys) {
    const SegmentColumnInfo* c = info.Find(p.column);
    if (c == nullptr) {
        for (const auto& k : keys) {
            if (p.column == k.OutputName()) {
                c = info.Find(k.column + kShredSeparator + k.key);
                break;
            }
        }
    }
    if (c == nullptr) return nullptr;
    const bool stringy = c->type == core::Type::kString || c->type == core::Type::kGuid;
    const bool integral = core::PhysicalOf(c->type) == core::Physical::kInt64;
    if (p.op == core::ScanPredicate::Op::kIntRange) return integral ? c : nullptr;
    return stringy ? c : nullptr;
}

// False when block `b` certainly holds no row meeting `p`.
core::Result<bool> BlockMayMatch(const SegmentReader& reader, const BoundPredicate& bp, size_t b,
                                 uint64_t* bytes_read) {
    const core::ScanPredicate& p = *bp.predicate;
    const BlockRef& ref = bp.column->blocks[b];
    if (p.op == core::ScanPredicate::Op::kIntRange) {
        return ref.has_range && ref.max >= p.min && ref.min <= p.max;
    }
    ASSIGN_OR_RETURN(const BlockFilter* filter, reader.Filter(*bp.column, b, bytes_read));
    if (filter == nullptr) return true;
    if (p.op == core::ScanPredicate::Op::kEquals) {
        for (const auto& v : p.values) {
            if (filter->MayContainValue(v)) return true;
        }
        return false;
    }
    return p.values.empty() || filter->MayContainTerms(p.values[0]);
}

// Blocks to read, and when a term index narrowed them, the rows within each (ascending).
struct BlockPick {
    size_t block;
    std::shared_ptr<const std::vector<uint32_t>> rows;  // nullptr: every row
};

// The rows of the segment that may meet `bp`, from the column's term index; nullopt when
// the index cannot say (no index, an operator or value it does not cover).
core::Result<std::optional<std::vector<uint32_t>>> IndexedRows(const SegmentReader& reader,
                                                               const BoundPredicate& bp,
                                                               uint64_t* bytes_read) {
    using Rows = std::optional<std::vector<uint32_t>>;
    const core::ScanPredicate& p = *bp.predicate;
    if (p.op == core::ScanPredicate::Op::kIntRange || p.values.empty()) return Rows();
    ASSIGN_OR_RETURN(const TermIndex* index, reader.Index(*bp.column, bytes_read));
    if (index == nullptr) return Rows();
    if (p.op != core::ScanPredicate::Op::kEquals) return index->RowsWithTerms(p.values[0]);
    // A value equal to v holds every term of v: the union over the values.
    std::vector<uint32_t> all;
    for (const auto& v : p.values) {
        auto rows = index->RowsWithTerms(v);
        if (!rows) return Rows();
        std::vector<uint32_t> merged;
        std::set_union(all.begin(), all.end(), rows->begin(), rows->end(),
                       std::back_inserter(merged));
        all = std::move(merged);
    }
    return Rows(std::move(all));
}

// The blocks of a segment that may hold rows in `time` meeting every predicate.
core::Result<std::vector<BlockPick>> SelectBlocks(const SegmentReader& reader,
                                                  const core::ScanRequest& request,
                                                  const std::string& time_column,
                                                  core::ScanStats& stats) {
    const SegmentInfo& info = reader.info();
    std::vector<BoundPredicate> bound;
    for (const auto& p : request.predicates) {
        if (const auto* c = StoredColumnFor(p, info, request.keys)) bound.push_back({&p, c});
    }
    // Rows named by term indexes: only their blocks are read, and only those rows kept.
    std::optional<std::vector<uint32_t>> indexed;
    std::vector<bool> answered(bound.size(), false);  // by the index: no filter check needed
    for (size_t i = 0; i < bound.size(); ++i) {
        ASSIGN_OR_RETURN(auto rows, IndexedRows(reader, bound[i], &stats.bytes_read));
        if (!rows) continue;
        answered[i] = true;
        if (!indexed) {
            indexed = std::move(rows);
        } else {
            std::vector<uint32_t> both;
            std::set_intersection(indexed->begin(), indexed->end(), rows->begin(), rows->end(),
                                  std::back_inserter(both));
            indexed = std::move(both);
        }
    }
    const SegmentColumnInfo* time = nullptr;
    if (!request.time.unbounded() && !time_column.empty()) time = info.Find(time_column);
    auto keep_block = [&](size_t b) -> core::Result<bool> {
        bool keep = true;
        if (time != nullptr) {
            const BlockRef& ref = time->blocks[b];
            keep = ref.has_range && ref.max >= request.time.min && ref.min < request.time.max;
        }
        for (size_t i = 0; keep && i < bound.size(); ++i) {
            if (answered[i]) continue;
            ASSIGN_OR_RETURN(keep, BlockMayMatch(reader, bound[i], b, &stats.bytes_read));
        }
        return keep;
    };
    std::vector<BlockPick> blocks;
    if (indexed) {
        for (size_t i = 0; i < indexed->size();) {
            const size_t b = (*indexed)[i] / info.block_rows;
            auto rows = std::make_shared<std::vector<uint32_t>>();
            for (; i < indexed->size() && (*indexed)[i] / info.block_rows == b; ++i) {
                rows->push_back(static_cast<uint32_t>((*indexed)[i] - b * info.block_rows));
            }
            if (b >= info.num_blocks()) continue;  // a damaged index: rows past the end
            ASSIGN_OR_RETURN(bool keep, keep_block(b));
            if (keep) blocks.push_back({b, std::move(rows)});
        }
    } else {
        for (size_t b = 0; b < info.num_blocks(); ++b) {
            ASSIGN_OR_RETURN(bool keep, keep_block(b));
            if (keep) blocks.push_back({b, nullptr});
        }
    }
    stats.blocks += info.num_blocks();
    stats.blocks_skipped += info.num_blocks() - blocks.size();
    return blocks;
}

// The rows `rows` of a block's batch (a term index named them).
core::Batch PickRows(const core::Batch& batch, const std::vector<uint32_t>& rows) {
    std::vector<core::Column::RowRef> refs(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) refs[i] = {0, rows[i]};
    core::Batch out;
    out.schema = batch.schema;
    for (const auto& col : batch.columns) {
        const core::Column* source = &col;
        out.columns.push_back(core::Column::GatherFrom(
            col.type(), std::span<const core::Column* const>(&source, 1), refs));
    }
    return out;
}

// One block of a key, as the request wants it: a shredded key read as text is its stored
// string column (dictionary codes kept); anything else goes through the dynamic values.
core::Result<core::Column> ReadKey(const SegmentReader& reader, const core::ScanKey& key,
                                   size_t block, uint64_t* bytes_read) {
    if (key.type == core::Type::kString || key.type == core::Type::kReal) {
        const bool text = key.type == core::Type::kString;
        if (const auto* sub = reader.info().Find(key.column + kShredSeparator + key.key)) {
            ASSIGN_OR_RETURN(core::Column strings, reader.ReadBlock(*sub, block, bytes_read));
            return text ? strings : StringsToReal(strings);
        }
        ASSIGN_OR_RETURN(core::Column values,
                         reader.ReadKeyBlock(key.column, key.key, block, bytes_read));
        return text ? DynamicToText(values) : DynamicToReal(values);
    }
    return reader.ReadKeyBlock(key.column, key.key, block, bytes_read);
}

}  // namespace

Status Store::Impl::ScanSegment(const SegmentFile& file, const core::ScanRequest& request,
                                const core::Schema& schema, const std::string& time_column,
                                core::ScanStats& stats,
                                const std::function<Status(const core::Batch&)>& consume,
                                Status& consumer) const {
    ASSIGN_OR_RETURN(SegmentReaderPtr reader, file.Reader());
    ASSIGN_OR_RETURN(std::vector<BlockPick> blocks,
                     SelectBlocks(*reader, request, time_column, stats));
    for (const BlockPick& pick : blocks) {
        ASSIGN_OR_RETURN(core::Batch batch,
                         ReadBlock(file, *reader, pick.block, schema, request.keys, &stats));
        if (pick.rows) batch = PickRows(batch, *pick.rows);
        stats.rows += batch.num_rows();
        consumer = consume(batch);
        if (!consumer.ok()) return Status::Ok();
    }
    return Status::Ok();
}

Codec Store::Impl::FlushCodec(int64_t day) {
    return day >= DayOf(core::NowTicks()) - 1 ? Codec::kLz4 : Codec::kZstd;
}

core::Result<core::Batch> Store::Impl::ReadBlock(const SegmentFile& seg,
                                                 const SegmentReader& reader, size_t block,
                                                 const core::Schema& schema,
                                                 const std::vector<core::ScanKey>& keys,
                                                 core::ScanStats* stats) const {
    core::Batch batch;
    batch.schema = schema;
    const SegmentInfo& info = reader.info();
    const size_t rows = info.BlockSize(block);
    uint64_t* bytes_read = stats != nullptr ? &stats->bytes_read : nullptr;
    const size_t plain = schema.size() - keys.size();
    for (size_t i = 0; i < schema.size(); ++i) {
        const auto& field = schema.fields[i];
        const core::ScanKey* key = i >= plain ? &keys[i - plain] : nullptr;
        const std::string stored =
            key != nullptr ? key->column + kShredSeparator + key->key : field.name;
        // A key read as text or real is cached apart from the same key read as dynamic.
        const char* form = key == nullptr                     ? ""
                           : key->type == core::Type::kString ? "\x1etext"
                           : key->type == core::Type::kReal   ? "\x1ereal"
                                                              : "";
        const std::string cache_name = CacheName(stored + form, block);
        if (auto cached = cache->Get(seg.meta.id, cache_name)) {
            if (stats != nullptr) {
                const bool shredded = key != nullptr && info.Find(stored) != nullptr;
                stats->bytes_cached +=
                    StoredBytes(info, key != nullptr && !shredded ? key->column : stored, block);
            }
            batch.columns.push_back(std::move(*cached));
            continue;
        }
        auto col = key != nullptr ? ReadKey(reader, *key, block, bytes_read)
                                  : reader.ReadColumnBlock(field.name, block, bytes_read);
        if (!col.ok() && col.status().code() != core::StatusCode::kNotFound) return col.status();
        if (col.ok() && col->type() == field.type && col->size() == rows) {
            const size_t bytes =
                field.type == core::Type::kDynamic
                    ? EstimateBytes(info, key != nullptr ? key->column : stored, block, field.type)
                    : MeasuredBytes(*col);
            cache->Put(seg.meta.id, cache_name, *col, bytes);
            batch.columns.push_back(std::move(col).value());
        } else if (col.ok() && col->size() != rows) {
            return Status::Corruption("segment '" + seg.path + "': column '" + stored + "' block " +
                                      std::to_string(block) + " has " +
                                      std::to_string(col->size()) + " rows, expected " +
                                      std::to_string(rows));
        } else if (field.type == core::Type::kString) {
            batch.columns.push_back(DynamicToText(core::Column::Nulls(core::Type::kDynamic, rows)));
        } else {
            batch.columns.push_back(core::Column::Nulls(field.type, rows));
        }
    }
    return batch;
}

core::Result<core::Batch> Store::Impl::ReadSegment(const SegmentFile& seg,
                                                   const core::Schema& schema) const {
    ASSIGN_OR_RETURN(SegmentReaderPtr reader, seg.Reader());
    core::Batch batch;
    batch.schema = schema;
    for (const auto& field : schema.fields) {
        auto col = reader->ReadColumn(field.name);
        if (!col.ok() && col.status().code() != core::StatusCode::kNotFound) return col.status();
        if (col.ok() && col->type() == field.type && col->size() == seg.meta.rows) {
            batch.columns.push_back(std::move(col).value());
        } else {
            batch.columns.push_back(
                core::Column::Nulls(field.type, static_cast<size_t>(seg.meta.rows)));
        }
    }
    return batch;
}

std::vector<std::string> Store::ListTables() const {
    std::lock_guard lock(impl_->mu);
    std::vector<std::string> names;
    for (const auto& [name, t] : impl_->tables) names.push_back(name);
    return names;
}

core::Result<core::Schema> Store::GetSchema(const std::string& table) const {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->tables.find(table);
    if (it == impl_->tables.end()) return Status::NotFound("unknown table '" + table + "'");
    return it->second.meta.schema;
}

std::string Store::TimeColumn(const std::string& table) const {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->tables.find(table);
    return it == impl_->tables.end() ? std::string() : it->second.meta.time_column;
}

namespace {

// What one scan reads: a snapshot of the table and the output columns.
struct ScanPlan {
    Snapshot snap;
    core::Schema out_schema;
    std::vector<size_t> indexes;      // table columns, in output order
    std::vector<size_t> key_indexes;  // the dynamic column of each request key
    bool prune = false;               // segments may be skipped by time
    std::string time_column;
};

core::Result<ScanPlan> PlanScan(Store::Impl& impl, const core::ScanRequest& request) {
    ScanPlan plan;
    Snapshot& snap = plan.snap;
    {
        std::lock_guard lock(impl.mu);
        auto it = impl.tables.find(request.table);
        if (it == impl.tables.end())
            return Status::NotFound("unknown table '" + request.table + "'");
        const TableState& t = it->second;
        snap.meta = t.meta;
        snap.time_index = t.time_index;
        snap.segments = t.segments;
        snap.chunks = t.flushing;
        snap.chunks.insert(snap.chunks.end(), t.buffer.begin(), t.buffer.end());
    }

    // Output schema: the requested columns in order (unknown names are an error).
    if (request.columns.empty()) {
        plan.out_schema = snap.meta.schema;
        for (size_t i = 0; i < plan.out_schema.size(); ++i) plan.indexes.push_back(i);
    } else {
        for (const auto& name : request.columns) {
            auto idx = snap.meta.schema.IndexOf(name);
            if (!idx)
                return Status::NotFound("table '" + request.table + "' has no column '" + name +
                                        "'");
            plan.indexes.push_back(*idx);
            plan.out_schema.fields.push_back(snap.meta.schema.fields[*idx]);
        }
    }
    for (const auto& k : request.keys) {
        auto idx = snap.meta.schema.IndexOf(k.column);
        if (!idx || snap.meta.schema.fields[*idx].type != core::Type::kDynamic) {
            return Status::NotFound("table '" + request.table + "' has no dynamic column '" +
                                    k.column + "'");
        }
        if (k.type != core::Type::kDynamic && k.type != core::Type::kString &&
            k.type != core::Type::kReal) {
            return Status::InvalidArgument("key '" + k.OutputName() +
                                           "' can only be read as dynamic, string or real");
        }
        plan.key_indexes.push_back(*idx);
        plan.out_schema.fields.push_back({k.OutputName(), k.type});
    }
    plan.prune = snap.time_index >= 0 && !request.time.unbounded();
    plan.time_column = snap.time_index >= 0 ? snap.meta.time_column : std::string();
    return plan;
}

// A buffered chunk as the request wants it.
core::Batch ChunkBatch(const ScanPlan& plan, const core::ScanRequest& request,
                       const core::Batch& chunk) {
    core::Batch batch;
    batch.schema = plan.out_schema;
    for (size_t idx : plan.indexes) batch.columns.push_back(chunk.columns[idx]);
    for (size_t k = 0; k < request.keys.size(); ++k) {
        core::Column values = ExtractKey(chunk.columns[plan.key_indexes[k]], request.keys[k].key);
        const core::Type type = request.keys[k].type;
        batch.columns.push_back(type == core::Type::kString ? DynamicToText(values)
                                : type == core::Type::kReal ? DynamicToReal(values)
                                                            : std::move(values));
    }
    return batch;
}

}  // namespace

Status Store::Scan(const core::ScanRequest& request,
                   const std::function<Status(const core::Batch&)>& consume) const {
    ASSIGN_OR_RETURN(ScanPlan plan, PlanScan(*impl_, request));
    core::ScanStats local;
    core::ScanStats& stats = request.stats != nullptr ? *request.stats : local;

    for (const auto& file : plan.snap.segments) {
        const SegmentMeta& seg = file->meta;
        ++stats.segments;
        if (plan.prune && !Overlaps(seg, request.time)) {
            ++stats.segments_skipped;
            continue;
        }
        Status consumer = Status::Ok();
        auto status = impl_->ScanSegment(*file, request, plan.out_schema, plan.time_column, stats,
                                         consume, consumer);
        RETURN_IF_ERROR(consumer);
        if (status.code() == core::StatusCode::kCorruption) {
            impl_->QuarantineLive(seg, status.message());
            continue;  // everything else is still served
        }
        RETURN_IF_ERROR(status);
    }
    for (const auto& chunk : plan.snap.chunks) {
        core::Batch batch = ChunkBatch(plan, request, *chunk);
        stats.rows += batch.num_rows();
        RETURN_IF_ERROR(consume(batch));
    }
    return Status::Ok();
}

Status Store::ScanParallel(const core::ScanRequest& request,
                           const core::ParallelConsumer& consumer) const {
    ASSIGN_OR_RETURN(ScanPlan plan, PlanScan(*impl_, request));
    core::ScanStats local;
    core::ScanStats& stats = request.stats != nullptr ? *request.stats : local;

    // The blocks that survive skipping, then the buffered chunks: Scan's order.
    struct Unit {
        size_t segment;  // index into plan.snap.segments, or SIZE_MAX for a chunk
        size_t block;    // the block, or the chunk's index
        size_t rows;
        std::shared_ptr<const std::vector<uint32_t>> picked;  // rows a term index named
    };
    std::vector<Unit> units;
    std::vector<SegmentReaderPtr> readers(plan.snap.segments.size());
    for (size_t i = 0; i < plan.snap.segments.size(); ++i) {
        const SegmentFile& file = *plan.snap.segments[i];
        ++stats.segments;
        if (plan.prune && !Overlaps(file.meta, request.time)) {
            ++stats.segments_skipped;
            continue;
        }
        auto selected = [&]() -> core::Result<std::vector<BlockPick>> {
            ASSIGN_OR_RETURN(readers[i], file.Reader());
            return SelectBlocks(*readers[i], request, plan.time_column, stats);
        }();
        if (selected.status().code() == core::StatusCode::kCorruption) {
            impl_->QuarantineLive(file.meta, selected.status().message());
            continue;
        }
        RETURN_IF_ERROR(selected.status());
        for (auto& pick : *selected) {
            const size_t rows =
                pick.rows ? pick.rows->size() : readers[i]->info().BlockSize(pick.block);
            units.push_back({i, pick.block, rows, std::move(pick.rows)});
        }
    }
    for (size_t c = 0; c < plan.snap.chunks.size(); ++c) {
        units.push_back({SIZE_MAX, c, plan.snap.chunks[c]->num_rows(), nullptr});
    }

    // Consecutive runs of about equal rows, one per worker. A small scan stays on the
    // caller's thread: waiting for another core to pick a thread up costs more than
    // sharing a few blocks saves.
    const size_t min_rows = std::max<size_t>(1, impl_->options.parallel_min_rows);
    size_t total_rows = 0;
    for (const auto& u : units) total_rows += u.rows;
    const size_t workers =
        std::max<size_t>(1, std::min({consumer.workers, units.size(), total_rows / min_rows}));
    std::vector<size_t> run_end(workers, units.size());
    {
        size_t w = 0, acc = 0;
        for (size_t i = 0; i < units.size() && w + 1 < workers; ++i) {
            acc += units[i].rows;
            // Leave at least one unit for each worker after w.
            if (acc * workers >= (w + 1) * total_rows ||
                units.size() - (i + 1) == workers - w - 1) {
                run_end[w++] = i + 1;
            }
        }
    }

    std::atomic<bool> stop{false};
    std::mutex error_mu;
    Status first_error = Status::Ok();
    auto fail = [&](Status s) {
        std::lock_guard lock(error_mu);
        if (first_error.ok()) first_error = std::move(s);
        stop = true;
    };
    // Segments found damaged while serving: their remaining blocks are skipped.
    std::vector<std::atomic<bool>> damaged(plan.snap.segments.size());
    std::vector<core::ScanStats> worker_stats(workers);
    auto run = [&](size_t w) {
        core::ScanStats& ws = worker_stats[w];
        for (size_t i = w == 0 ? 0 : run_end[w - 1]; i < run_end[w]; ++i) {
            if (stop.load(std::memory_order_relaxed)) return;
            if (consumer.worker_done && consumer.worker_done(w)) return;
            const Unit& u = units[i];
            core::Batch batch;
            if (u.segment == SIZE_MAX) {
                batch = ChunkBatch(plan, request, *plan.snap.chunks[u.block]);
            } else {
                if (damaged[u.segment].load(std::memory_order_relaxed)) continue;
                const SegmentFile& file = *plan.snap.segments[u.segment];
                auto read = impl_->ReadBlock(file, *readers[u.segment], u.block, plan.out_schema,
                                             request.keys, &ws);
                if (read.status().code() == core::StatusCode::kCorruption) {
                    damaged[u.segment] = true;
                    impl_->QuarantineLive(file.meta, read.status().message());
                    continue;  // everything else is still served
                }
                if (!read.ok()) return fail(read.status());
                batch = u.picked ? PickRows(*read, *u.picked) : std::move(read).value();
            }
            ws.rows += batch.num_rows();
            Status s = consumer.consume(w, batch);
            if (!s.ok()) return fail(std::move(s));
        }
    };
    {
        std::vector<std::jthread> threads;
        for (size_t w = 1; w < workers; ++w) threads.emplace_back(run, w);
        run(0);
    }
    for (const auto& ws : worker_stats) stats += ws;
    return first_error;
}

void Store::Impl::QuarantineLive(const SegmentMeta& seg, const std::string& reason) {
    std::lock_guard flush_lock(flush_mu);
    Manifest next;
    {
        std::lock_guard lock(mu);
        const auto& segs = tables.find(seg.table)->second.segments;
        if (std::none_of(segs.begin(), segs.end(),
                         [&](const SegmentPtr& s) { return s->meta.id == seg.id; })) {
            return;  // another scan got here first
        }
        RemoveSegments({seg}, /*retire=*/false);
        next = manifest;
        MoveToQuarantine(seg, reason);
    }
    Status saved = SaveManifest(env, options.dir, next);
    if (!saved.ok()) {
        std::fprintf(stderr, "calypso: saving the MANIFEST after quarantine: %s\n",
                     saved.ToString().c_str());
    }
}

std::vector<std::string> Store::Quarantined() const {
    std::lock_guard lock(impl_->mu);
    return impl_->quarantined;
}

StoreStats Store::Stats() const {
    std::lock_guard lock(impl_->mu);
    StoreStats s = impl_->recovery;
    s.tables = impl_->tables.size();
    for (const auto& [name, t] : impl_->tables) {
        s.segments += t.segments.size();
        for (const auto& seg : t.segments) s.segment_rows += seg->meta.rows;
        s.buffered_rows += t.buffer_rows;
        for (const auto& c : t.flushing) s.buffered_rows += c->num_rows();
    }
    s.buffered_bytes = impl_->buffered_bytes;
    s.quarantined_segments = impl_->quarantined.size();
    return s;
}

}  // namespace calypso::storage
