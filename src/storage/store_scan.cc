#include <cstdio>

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

// Memory a decoded column takes, estimated from its encoded size (JSON trees take several
// times their text; shredded sub-columns count with their column).
size_t EstimateBytes(const SegmentReader& reader, const std::string& name, core::Type type) {
    size_t raw = 0;
    for (const auto& c : reader.info().columns) {
        if (c.name == name ||
            (c.name.size() > name.size() && c.name.compare(0, name.size(), name) == 0 &&
             c.name[name.size()] == kShredSeparator)) {
            raw += c.raw_size;
        }
    }
    return type == core::Type::kDynamic ? raw * 6 : raw * 2;
}

bool Overlaps(const SegmentMeta& seg, const core::TimeRange& range) {
    if (seg.rows == 0) return false;
    if (seg.min_time > seg.max_time) return true;  // no time values: cannot prune
    return seg.max_time >= range.min && seg.min_time < range.max;
}

}  // namespace

core::Result<core::Batch> Store::Impl::ReadSegment(const SegmentMeta& seg,
                                                   const core::Schema& schema,
                                                   const std::vector<core::ScanKey>& keys) const {
    core::Batch batch;
    batch.schema = schema;
    std::optional<SegmentReader> reader;  // opened only when a column is not cached
    auto open = [&]() -> Status {
        if (!reader) {
            ASSIGN_OR_RETURN(auto opened, SegmentReader::Open(env, SegmentPath(seg.id)));
            reader.emplace(std::move(opened));
        }
        return Status::Ok();
    };
    const size_t plain = schema.size() - keys.size();
    for (size_t i = 0; i < plain; ++i) {
        const auto& field = schema.fields[i];
        if (auto cached = cache->Get(seg.id, field.name)) {
            batch.columns.push_back(std::move(*cached));
            continue;
        }
        RETURN_IF_ERROR(open());
        auto col = reader->ReadColumn(field.name);
        if (!col.ok() && col.status().code() != core::StatusCode::kNotFound) return col.status();
        if (col.ok() && col->type() == field.type) {
            cache->Put(seg.id, field.name, *col, EstimateBytes(*reader, field.name, field.type));
            batch.columns.push_back(std::move(col).value());
        } else {
            batch.columns.push_back(core::Column::Nulls(field.type, static_cast<size_t>(seg.rows)));
        }
    }
    for (const auto& k : keys) {
        const std::string cache_name = k.column + kShredSeparator + k.key;
        if (auto cached = cache->Get(seg.id, cache_name)) {
            batch.columns.push_back(std::move(*cached));
            continue;
        }
        RETURN_IF_ERROR(open());
        auto col = reader->ReadKey(k.column, k.key);
        if (!col.ok() && col.status().code() != core::StatusCode::kNotFound) return col.status();
        if (col.ok()) {
            cache->Put(seg.id, cache_name, *col, static_cast<size_t>(seg.rows) * 48);
            batch.columns.push_back(std::move(col).value());
        } else {
            batch.columns.push_back(
                core::Column::Nulls(core::Type::kDynamic, static_cast<size_t>(seg.rows)));
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

Status Store::Scan(const core::ScanRequest& request,
                   const std::function<Status(const core::Batch&)>& consume) const {
    Snapshot snap;
    {
        std::lock_guard lock(impl_->mu);
        auto it = impl_->tables.find(request.table);
        if (it == impl_->tables.end())
            return Status::NotFound("unknown table '" + request.table + "'");
        const TableState& t = it->second;
        snap.meta = t.meta;
        snap.time_index = t.time_index;
        snap.segments = t.segments;
        snap.chunks = t.flushing;
        snap.chunks.insert(snap.chunks.end(), t.buffer.begin(), t.buffer.end());
    }

    // Output schema: the requested columns in order (unknown names are an error).
    core::Schema out_schema;
    std::vector<size_t> indexes;
    if (request.columns.empty()) {
        out_schema = snap.meta.schema;
        for (size_t i = 0; i < out_schema.size(); ++i) indexes.push_back(i);
    } else {
        for (const auto& name : request.columns) {
            auto idx = snap.meta.schema.IndexOf(name);
            if (!idx)
                return Status::NotFound("table '" + request.table + "' has no column '" + name +
                                        "'");
            indexes.push_back(*idx);
            out_schema.fields.push_back(snap.meta.schema.fields[*idx]);
        }
    }
    std::vector<size_t> key_indexes;
    for (const auto& k : request.keys) {
        auto idx = snap.meta.schema.IndexOf(k.column);
        if (!idx || snap.meta.schema.fields[*idx].type != core::Type::kDynamic) {
            return Status::NotFound("table '" + request.table + "' has no dynamic column '" +
                                    k.column + "'");
        }
        key_indexes.push_back(*idx);
        out_schema.fields.push_back({k.column + "." + k.key, core::Type::kDynamic});
    }
    const bool prune = snap.time_index >= 0 && !request.time.unbounded();

    for (const auto& file : snap.segments) {
        const SegmentMeta& seg = file->meta;
        if (prune && !Overlaps(seg, request.time)) continue;
        auto batch = impl_->ReadSegment(seg, out_schema, request.keys);
        if (!batch.ok() && batch.status().code() == core::StatusCode::kCorruption) {
            impl_->QuarantineLive(seg, batch.status().message());
            continue;  // everything else is still served
        }
        if (!batch.ok()) return batch.status();
        RETURN_IF_ERROR(consume(*batch));
    }
    for (const auto& chunk : snap.chunks) {
        core::Batch batch;
        batch.schema = out_schema;
        for (size_t idx : indexes) batch.columns.push_back(chunk->columns[idx]);
        for (size_t k = 0; k < request.keys.size(); ++k) {
            batch.columns.push_back(
                ExtractKey(chunk->columns[key_indexes[k]], request.keys[k].key));
        }
        RETURN_IF_ERROR(consume(batch));
    }
    return Status::Ok();
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
