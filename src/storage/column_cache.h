#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/column.h"

namespace calypso::storage {

// Decoded segment columns kept in memory, least recently used evicted first, within a
// byte budget. Segments are immutable and their ids never reused, so entries never go
// stale. Thread-safe.
class ColumnCache {
  public:
    explicit ColumnCache(size_t byte_budget) : budget_(byte_budget) {}

    std::optional<core::Column> Get(uint64_t segment, const std::string& column);
    // `bytes`: the caller's estimate of the memory the decoded column holds.
    void Put(uint64_t segment, const std::string& column, const core::Column& value, size_t bytes);
    size_t bytes() const;

  private:
    struct Entry {
        std::string key;
        core::Column column;
        size_t bytes;
    };
    static std::string Key(uint64_t segment, const std::string& column);

    const size_t budget_;
    mutable std::mutex mu_;
    std::list<Entry> lru_;  // front = most recent
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
    size_t bytes_ = 0;
};

}  // namespace calypso::storage
