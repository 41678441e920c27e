#include "storage/block_filter.h"

#include <xxhash.h>

#include <algorithm>
#include <vector>

#include "core/terms.h"
#include "storage/coding.h"

namespace calypso::storage {

namespace {

constexpr int kHashes = 6;
constexpr size_t kBitsPerKey = 10;
// Different seeds keep a value and an equal term apart ("x" == value vs has "x").
constexpr uint64_t kValueSeed = 0x76616c7565;
constexpr uint64_t kTermSeed = 0x7465726d;

uint64_t ValueHash(std::string_view v) { return XXH3_64bits_withSeed(v.data(), v.size(), kValueSeed); }

uint64_t TermHash(std::string_view term, std::string& lowered) {
    lowered.resize(term.size());
    for (size_t i = 0; i < term.size(); ++i) {
        char c = term[i];
        lowered[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return XXH3_64bits_withSeed(lowered.data(), lowered.size(), kTermSeed);
}

// Bit i of the k probes: double hashing from the two halves of one 64-bit hash.
template <class Fn>
void Probes(uint64_t hash, size_t nbits, Fn&& fn) {
    const uint64_t h1 = hash & 0xffffffff;
    const uint64_t h2 = (hash >> 32) | 1;
    for (int i = 0; i < kHashes; ++i) fn((h1 + static_cast<uint64_t>(i) * h2) % nbits);
}

// A set of 64-bit hashes by linear probing (the keys are hashes: their low bits index it).
class HashSet64 {
  public:
    explicit HashSet64(size_t expected) {
        size_t capacity = 64;
        while (capacity < expected * 2) capacity <<= 1;
        slots_.assign(capacity, 0);
    }
    // False when `key` was already in the set.
    bool Insert(uint64_t key) {
        if (key == 0) {  // 0 marks an empty slot
            if (has_zero_) return false;
            has_zero_ = true;
            keys_.push_back(0);
            return true;
        }
        const size_t mask = slots_.size() - 1;
        for (size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots_[i] == key) return false;
            if (slots_[i] == 0) {
                slots_[i] = key;
                keys_.push_back(key);
                if (keys_.size() * 2 > slots_.size()) Grow();
                return true;
            }
        }
    }
    // Every key, in insertion order.
    const std::vector<uint64_t>& keys() const { return keys_; }

  private:
    void Grow() {
        std::vector<uint64_t> old(slots_.size() * 2, 0);
        old.swap(slots_);
        const size_t mask = slots_.size() - 1;
        for (uint64_t k : old) {
            if (k == 0) continue;
            size_t i = k & mask;
            while (slots_[i] != 0) i = (i + 1) & mask;
            slots_[i] = k;
        }
    }

    std::vector<uint64_t> slots_;
    std::vector<uint64_t> keys_;
    bool has_zero_ = false;
};

}  // namespace

void BlockFilter::Build(const core::Column& c, size_t begin, size_t end, std::string& out) {
    // Values repeat (dimensions, dictionary columns): a value seen before adds no new key,
    // so its terms are not extracted again. Both sets dedupe in O(n); sorting the keys of a
    // message block (~10 terms a row) was the costliest part of a flush. (Two values of a
    // block with one 64-bit hash, odds about 1e-12, would lose the second one's terms.)
    HashSet64 values(end - begin);
    HashSet64 keys(end - begin);
    std::string lowered;
    std::string_view previous;
    bool first = true;
    for (size_t i = begin; i < end; ++i) {
        std::string_view v = c.string_at(i);  // a null string is "" (and equals "" in KQL)
        if (!first && v == previous) continue;  // runs of one value are common
        first = false;
        previous = v;
        const uint64_t h = ValueHash(v);
        if (!values.Insert(h)) continue;
        keys.Insert(h);
        core::ForEachTerm(v, [&](std::string_view t) { keys.Insert(TermHash(t, lowered)); });
    }
    const size_t words = std::max<size_t>(1, (keys.keys().size() * kBitsPerKey + 63) / 64);
    std::vector<uint64_t> bits(words);
    for (uint64_t k : keys.keys()) {
        Probes(k, words * 64, [&](uint64_t b) { bits[b / 64] |= uint64_t{1} << (b % 64); });
    }
    out.push_back(static_cast<char>(kHashes));
    PutVarint(out, words);
    for (uint64_t w : bits) PutFixed64(out, w);
}

core::Result<BlockFilter> BlockFilter::Parse(std::string_view data) {
    Reader r(data);
    uint8_t hashes;
    uint64_t words;
    if (!r.GetByte(hashes) || hashes == 0 || hashes > 16 || !r.GetVarint(words) || words == 0 ||
        words != r.remaining() / 8 || r.remaining() % 8 != 0) {
        return core::Status::Corruption("malformed block filter");
    }
    BlockFilter f;
    f.hashes_ = hashes;
    f.words_.resize(static_cast<size_t>(words));
    for (auto& w : f.words_) r.GetFixed64(w);
    return f;
}

bool BlockFilter::MayContain(uint64_t hash) const {
    const uint64_t h1 = hash & 0xffffffff;
    const uint64_t h2 = (hash >> 32) | 1;
    const size_t nbits = words_.size() * 64;
    for (int i = 0; i < hashes_; ++i) {
        uint64_t b = (h1 + static_cast<uint64_t>(i) * h2) % nbits;
        if ((words_[b / 64] & (uint64_t{1} << (b % 64))) == 0) return false;
    }
    return true;
}

bool BlockFilter::MayContainValue(std::string_view value) const {
    return MayContain(ValueHash(value));
}

bool BlockFilter::MayContainTerms(std::string_view needle) const {
    std::string lowered;
    bool all = true;
    core::ForEachTerm(needle, [&](std::string_view t) {
        if (all && !MayContain(TermHash(t, lowered))) all = false;
    });
    return all;
}

}  // namespace calypso::storage
