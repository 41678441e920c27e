#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace calypso::kql {

// Groups keyed by a few 64-bit words (numbers, interned strings, a null mask): open
// addressing with linear probing, each slot holding a group id and 32 bits of its hash
// (so a probe rarely reads a key), the keys stored once in group order. Group ids are
// dense and given in order of first appearance.
class FixedKeyTable {
  public:
    explicit FixedKeyTable(size_t words) : words_(words) { slots_.assign(16, kEmpty); }

    size_t size() const { return size_; }

    // The group of `key` (`words` words); a new group gets id size() and sets `added`.
    uint32_t FindOrAdd(const uint64_t* key, bool& added) {
        // Two to four keys plus the null mask: loops of a known length the compiler unrolls.
        switch (words_) {
            case 3:
                return FindOrAddOf<3>(key, added);
            case 4:
                return FindOrAddOf<4>(key, added);
            case 5:
                return FindOrAddOf<5>(key, added);
            default:
                return FindOrAddOf<0>(key, added);
        }
    }

    size_t MemoryBytes() const {
        return keys_.capacity() * sizeof(uint64_t) + slots_.capacity() * sizeof(uint64_t);
    }

  private:
    static constexpr uint64_t kEmpty = UINT64_MAX;

    // W: the number of words, or 0 for words_ at run time.
    template <size_t W>
    uint32_t FindOrAddOf(const uint64_t* key, bool& added) {
        if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
        const uint64_t h = Hash<W>(key);
        const auto tag = static_cast<uint32_t>(h >> 32);
        const size_t mask = slots_.size() - 1;
        for (size_t s = h & mask;; s = (s + 1) & mask) {
            const uint64_t slot = slots_[s];
            if (slot == kEmpty) {
                slots_[s] = (uint64_t{tag} << 32) | size_;
                keys_.insert(keys_.end(), key, key + words_);
                added = true;
                return static_cast<uint32_t>(size_++);
            }
            if (static_cast<uint32_t>(slot >> 32) != tag) continue;
            const auto g = static_cast<uint32_t>(slot);
            if (Equal<W>(&keys_[g * words_], key)) {
                added = false;
                return g;
            }
        }
    }

    template <size_t W>
    bool Equal(const uint64_t* a, const uint64_t* b) const {
        const size_t n = W != 0 ? W : words_;
        for (size_t i = 0; i < n; ++i) {
            if (a[i] != b[i]) return false;
        }
        return true;
    }

    template <size_t W>
    uint64_t Hash(const uint64_t* key) const {
        const size_t n = W != 0 ? W : words_;
        uint64_t h = 0x243F6A8885A308D3ULL;
        for (size_t i = 0; i < n; ++i) h = (h ^ key[i]) * 0x9E3779B97F4A7C15ULL;
        // A final avalanche, so the low bits used for the slot depend on every input bit.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDULL;
        h ^= h >> 33;
        return h;
    }

    void Grow() {
        std::vector<uint64_t> old(slots_.size() * 2, kEmpty);
        old.swap(slots_);
        const size_t mask = slots_.size() - 1;
        for (uint64_t slot : old) {
            if (slot == kEmpty) continue;
            const auto g = static_cast<uint32_t>(slot);
            size_t s = Hash<0>(&keys_[g * words_]) & mask;
            while (slots_[s] != kEmpty) s = (s + 1) & mask;
            slots_[s] = slot;
        }
    }

    size_t words_;
    size_t size_ = 0;
    std::vector<uint64_t> keys_;   // words_ per group
    std::vector<uint64_t> slots_;  // hash tag << 32 | group id, or kEmpty; a power of two long
};

}  // namespace calypso::kql
