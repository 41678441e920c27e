#include <algorithm>
#include <cstdio>
#include <map>

#include "storage/segment.h"
#include "storage/store_impl.h"

namespace calypso::storage {

using core::Status;

namespace {

// True when the segment was written with LZ4 (recent data) and should become zstd.
bool WrittenWithLz4(const SegmentFile& seg) {
    auto reader = seg.Reader();
    if (!reader.ok()) return false;  // a damaged file is quarantined by the next scan
    for (const auto& c : (*reader)->info().columns) {
        for (const auto& b : c.blocks) {
            if (b.codec == Codec::kLz4) return true;
        }
    }
    return false;
}

// Small segments of one table and day, to be merged into one.
struct Group {
    std::string table;
    core::Schema schema;
    int time_index = -1;
    int64_t day = 0;
    std::vector<SegmentPtr> parts;
};

}  // namespace

Status Store::Compact() {
    Impl& d = *impl_;
    std::lock_guard flush_lock(d.flush_mu);
    std::vector<Group> groups, cooled;
    const int64_t today = DayOf(core::NowTicks());
    {
        std::lock_guard lock(d.mu);
        for (const auto& [name, t] : d.tables) {
            std::map<int64_t, std::vector<SegmentPtr>> small;
            for (const auto& seg : t.segments) {
                if (seg->meta.rows < d.options.compact_target_rows) {
                    small[seg->meta.day].push_back(seg);
                } else if (seg->meta.day < today - 1) {
                    cooled.push_back({name, t.meta.schema, t.time_index, seg->meta.day, {seg}});
                }
            }
            for (auto& [day, parts] : small) {
                if (parts.size() >= d.options.compact_min_segments) {
                    groups.push_back({name, t.meta.schema, t.time_index, day, std::move(parts)});
                } else if (day < today - 1) {
                    cooled.push_back({name, t.meta.schema, t.time_index, day, std::move(parts)});
                }
            }
        }
    }
    // Days that stopped receiving rows are rewritten from LZ4 (cheap to write) to zstd
    // (small). flush_mu keeps these segments alive while their footers are read.
    for (auto& g : cooled) {
        if (std::any_of(g.parts.begin(), g.parts.end(),
                        [](const SegmentPtr& p) { return WrittenWithLz4(*p); })) {
            groups.push_back(std::move(g));
        }
    }
    for (auto& g : groups) {
        std::sort(g.parts.begin(), g.parts.end(),
                  [](const SegmentPtr& a, const SegmentPtr& b) { return a->meta.id < b->meta.id; });
        core::Batch merged = core::Batch::Empty(g.schema);
        bool readable = true;
        for (const auto& part : g.parts) {
            auto batch = d.ReadSegment(*part, g.schema);
            if (!batch.ok()) {
                // A damaged part is quarantined by the next scan that reads it; merge later.
                std::fprintf(stderr, "calypso: compaction skips table %s: %s\n", g.table.c_str(),
                             batch.status().ToString().c_str());
                readable = false;
                break;
            }
            for (size_t c = 0; c < merged.columns.size(); ++c) {
                merged.columns[c].AppendAll(batch->columns[c]);
            }
        }
        if (!readable) continue;
        uint64_t id;
        {
            std::lock_guard lock(d.mu);
            id = d.manifest.next_file_number++;
        }
        ASSIGN_OR_RETURN(auto info,
                         WriteSegment(d.env, d.SegmentPath(id), g.table, merged, g.time_index,
                                      {Codec::kZstd, kZstdLevel, d.options.block_rows}));
        SegmentMeta meta{id, g.table, info.rows, info.min_time, info.max_time, g.day};
        std::vector<SegmentMeta> gone;
        for (const auto& part : g.parts) gone.push_back(part->meta);
        Manifest next;
        {
            std::lock_guard lock(d.mu);
            next = d.manifest;
        }
        for (const auto& old : gone) {
            std::erase_if(next.segments, [&](const SegmentMeta& m) { return m.id == old.id; });
        }
        next.segments.push_back(meta);
        RETURN_IF_ERROR(SaveManifest(d.env, d.options.dir, next));
        std::lock_guard lock(d.mu);
        d.RemoveSegments(gone, /*retire=*/true);
        d.tables.find(g.table)->second.segments.push_back(d.MakeSegment(meta));
        d.manifest.segments.push_back(meta);
    }
    return Status::Ok();
}

}  // namespace calypso::storage
