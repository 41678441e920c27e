#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/row_sink.h"

namespace calypso::ingest {

// Ids of recently stored telemetry items, so that a batch resent after a lost response is
// not stored twice. Bounded: at most `capacity` ids (about 56 bytes each), none older than
// `max_age_ticks`; the oldest go first. In memory only: a restart forgets them.
// Thread-safe.
class RecentIds {
  public:
    explicit RecentIds(size_t capacity = 1'000'000,
                       int64_t max_age_ticks = int64_t{3600} * 10'000'000);

    // For each key: true when it is new, and it is then remembered at once (so a second
    // request racing with the first sees it); false for a key seen recently or earlier in
    // `keys`. Call Forget with the new keys when their rows could not be stored.
    std::vector<bool> Claim(const std::vector<uint64_t>& keys, int64_t now_ticks);
    void Forget(const std::vector<uint64_t>& keys);

    size_t size() const;

  private:
    void Expire(int64_t now_ticks);  // REQUIRES: mu_ held

    struct Entry {
        uint64_t key;
        int64_t ticks;
    };
    const size_t capacity_;
    const int64_t max_age_ticks_;
    mutable std::mutex mu_;
    std::unordered_set<uint64_t> keys_;  // guarded by mu_
    std::deque<Entry> order_;            // guarded by mu_; oldest first
};

// The Application Insights tables whose items carry a client-made id (baseData.id of
// RequestData, RemoteDependencyData, PageViewData, AvailabilityData: the `id` column).
// Traces, events, metrics and exceptions have none and are never deduplicated.
bool HasItemIds(std::string_view table);

// Drops the rows of `batches` that `recent` has seen (same table, iKey, operation_Id and
// id; rows with an empty id are kept) and claims the others. Returns the claimed keys, to
// pass to RecentIds::Forget if the rows are then not stored, and adds the number of rows
// dropped to `*dropped`.
std::vector<uint64_t> DropRecentDuplicates(RecentIds& recent,
                                           std::vector<core::TableBatch>& batches,
                                           int64_t now_ticks, size_t* dropped);

}  // namespace calypso::ingest
