#include "storage/column_cache.h"

namespace calypso::storage {

std::string ColumnCache::Key(uint64_t segment, const std::string& column) {
    return std::to_string(segment) + '\0' + column;
}

std::optional<core::Column> ColumnCache::Get(uint64_t segment, const std::string& column) {
    std::lock_guard lock(mu_);
    auto it = index_.find(Key(segment, column));
    if (it == index_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->column;
}

void ColumnCache::Put(uint64_t segment, const std::string& column, const core::Column& value,
                      size_t bytes) {
    if (bytes > budget_ / 4) return;  // one huge column must not flush everything else
    std::lock_guard lock(mu_);
    std::string key = Key(segment, column);
    if (index_.contains(key)) return;
    lru_.push_front({key, value, bytes});
    index_[std::move(key)] = lru_.begin();
    bytes_ += bytes;
    while (bytes_ > budget_ && !lru_.empty()) {
        bytes_ -= lru_.back().bytes;
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
}

size_t ColumnCache::bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
}

}  // namespace calypso::storage
