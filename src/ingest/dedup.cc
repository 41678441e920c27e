#include "ingest/dedup.h"

#include <xxhash.h>

#include <algorithm>
#include <optional>
#include <string>

namespace calypso::ingest {

RecentIds::RecentIds(size_t capacity, int64_t max_age_ticks)
    : capacity_(capacity), max_age_ticks_(max_age_ticks) {}

void RecentIds::Expire(int64_t now_ticks) {
    while (!order_.empty() &&
           (order_.size() > capacity_ || order_.front().ticks < now_ticks - max_age_ticks_)) {
        keys_.erase(order_.front().key);
        order_.pop_front();
    }
}

std::vector<bool> RecentIds::Claim(const std::vector<uint64_t>& keys, int64_t now_ticks) {
    std::vector<bool> fresh(keys.size());
    std::lock_guard lock(mu_);
    Expire(now_ticks);  // ids past their age are not duplicates any more
    for (size_t i = 0; i < keys.size(); ++i) {
        fresh[i] = keys_.insert(keys[i]).second;
        if (fresh[i]) order_.push_back({keys[i], now_ticks});
    }
    Expire(now_ticks);
    return fresh;
}

void RecentIds::Forget(const std::vector<uint64_t>& keys) {
    std::lock_guard lock(mu_);
    // The order entries stay until they expire; erasing a key that is no longer there then
    // is harmless, and one reclaimed in between would merely expire a little early.
    for (uint64_t key : keys) keys_.erase(key);
}

size_t RecentIds::size() const {
    std::lock_guard lock(mu_);
    return keys_.size();
}

bool HasItemIds(std::string_view table) {
    return table == "requests" || table == "dependencies" || table == "pageViews" ||
           table == "availabilityResults";
}

std::vector<uint64_t> DropRecentDuplicates(RecentIds& recent,
                                           std::vector<core::TableBatch>& batches,
                                           int64_t now_ticks, size_t* dropped) {
    std::vector<uint64_t> claimed;
    for (auto& tb : batches) {
        if (!HasItemIds(tb.table)) continue;
        const core::Schema& schema = tb.batch.schema;
        const auto id = schema.IndexOf("id");
        if (!id) continue;
        const auto ikey = schema.IndexOf("iKey");
        const auto operation = schema.IndexOf("operation_Id");
        const size_t rows = tb.batch.num_rows();
        auto text = [&](std::optional<size_t> column, size_t row) -> std::string_view {
            if (!column || tb.batch.columns[*column].IsNull(row)) return {};
            return tb.batch.columns[*column].string_at(row);
        };
        std::vector<uint64_t> keys;
        std::vector<size_t> keyed_rows;
        std::string key_text;
        for (size_t r = 0; r < rows; ++r) {
            const std::string_view item_id = text(id, r);
            if (item_id.empty()) continue;
            key_text.assign(tb.table);
            for (std::string_view part : {text(ikey, r), text(operation, r), item_id}) {
                key_text.push_back('\0');
                key_text.append(part);
            }
            keys.push_back(XXH3_64bits(key_text.data(), key_text.size()));
            keyed_rows.push_back(r);
        }
        if (keys.empty()) continue;
        const std::vector<bool> fresh = recent.Claim(keys, now_ticks);
        std::vector<bool> keep(rows, true);
        for (size_t k = 0; k < keys.size(); ++k) {
            if (fresh[k]) {
                claimed.push_back(keys[k]);
            } else {
                keep[keyed_rows[k]] = false;
                ++*dropped;
            }
        }
        if (std::find(keep.begin(), keep.end(), false) == keep.end()) continue;
        core::Batch kept = core::Batch::Empty(schema);
        for (size_t r = 0; r < rows; ++r) {
            if (keep[r]) kept.AppendRow(tb.batch, r);
        }
        // Usage counts the request's bytes: share them by the rows kept.
        tb.source_bytes = rows == 0 ? 0 : tb.source_bytes * kept.num_rows() / rows;
        tb.batch = std::move(kept);
    }
    std::erase_if(batches, [](const core::TableBatch& tb) { return tb.batch.num_rows() == 0; });
    return claimed;
}

}  // namespace calypso::ingest
