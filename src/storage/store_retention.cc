#include <cstdio>

#include "storage/store_impl.h"

namespace calypso::storage {

using core::Status;

int Store::Impl::RetentionOf(const TableMeta& meta) const {
    return meta.retention_days > 0 ? meta.retention_days : options.default_retention_days;
}

Status Store::SetRetention(const std::string& table, int days) {
    if (days < 1 || days > 36500) {
        return Status::InvalidArgument("retention must be between 1 and 36500 days, not " +
                                       std::to_string(days));
    }
    Impl& d = *impl_;
    std::lock_guard flush_lock(d.flush_mu);
    Manifest next;
    {
        std::lock_guard lock(d.mu);
        auto it = d.tables.find(table);
        if (it == d.tables.end()) return Status::NotFound("unknown table '" + table + "'");
        it->second.meta.retention_days = days;
        next = d.manifest;
        next.tables.clear();
        for (const auto& [name, t] : d.tables) next.tables.push_back(t.meta);
    }
    RETURN_IF_ERROR(SaveManifest(d.env, d.options.dir, next));
    std::lock_guard lock(d.mu);
    d.manifest.tables = next.tables;
    return Status::Ok();
}

int Store::RetentionDays(const std::string& table) const {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->tables.find(table);
    return it == impl_->tables.end() ? 0 : impl_->RetentionOf(it->second.meta);
}

Status Store::EnforceRetention(int64_t now_ticks) {
    Impl& d = *impl_;
    std::lock_guard flush_lock(d.flush_mu);
    Manifest next;
    std::vector<SegmentMeta> dropped;
    {
        std::lock_guard lock(d.mu);
        next = d.manifest;
        next.segments.clear();
        for (const auto& seg : d.manifest.segments) {
            const TableState& t = d.tables.find(seg.table)->second;
            // A day goes only when all of it is older than the retention window.
            const int64_t cutoff = now_ticks - int64_t{d.RetentionOf(t.meta)} * core::kTicksPerDay;
            const bool expired =
                seg.day != kNoPartition && (seg.day + 1) * core::kTicksPerDay <= cutoff;
            (expired ? dropped : next.segments).push_back(seg);
        }
    }
    if (dropped.empty()) return Status::Ok();
    RETURN_IF_ERROR(SaveManifest(d.env, d.options.dir, next));
    {
        std::lock_guard lock(d.mu);
        d.RemoveSegments(dropped, /*retire=*/true);
    }
    std::fprintf(stderr, "calypso: retention dropped %zu segment(s)\n", dropped.size());
    return Status::Ok();
}

}  // namespace calypso::storage
