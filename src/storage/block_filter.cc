#include "storage/block_filter.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
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

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The hash of a term already lower-cased.
uint64_t LoweredTermHash(std::string_view term) {
    return XXH3_64bits_withSeed(term.data(), term.size(), kTermSeed);
}

uint64_t TermHash(std::string_view term, std::string& lowered) {
    lowered.resize(term.size());
    for (size_t i = 0; i < term.size(); ++i) lowered[i] = Lower(term[i]);
    return LoweredTermHash(lowered);
}

// core::IsTermChar as a table, and Lower as one: the loops below run over every byte of
// every distinct value of a flushed block.
struct ByteTables {
    bool term[256];
    char lower[256];
    ByteTables() : term(), lower() {
        for (int i = 0; i < 256; ++i) {
            term[i] = core::IsTermChar(static_cast<char>(i));
            lower[i] = Lower(static_cast<char>(i));
        }
    }
};
const ByteTables kBytes;

// Calls fn(hash) for each term of `value`: the value is lower-cased once, and terms hashed
// straight from that copy (lower-casing never moves a term boundary).
template <class Fn>
void ForEachTermHash(std::string_view value, std::string& lowered, Fn&& fn) {
    const size_t n = value.size();
    lowered.resize(n);
    for (size_t i = 0; i < n; ++i) lowered[i] = kBytes.lower[static_cast<unsigned char>(value[i])];
    const char* p = lowered.data();
    size_t i = 0;
    while (i < n) {
        while (i < n && !kBytes.term[static_cast<unsigned char>(p[i])]) ++i;
        const size_t start = i;
        while (i < n && kBytes.term[static_cast<unsigned char>(p[i])]) ++i;
        if (i > start) fn(LoweredTermHash(std::string_view(p + start, i - start)));
    }
}

// Bit positions of the k probes: (h1 + i * h2) mod nbits by double hashing from the two
// halves of one 64-bit hash. Stepping by h2 mod nbits gives the same positions with two
// divisions instead of k.
template <class Fn>
void Probes(uint64_t hash, size_t nbits, int hashes, Fn&& fn) {
    const uint64_t h1 = hash & 0xffffffff;
    const uint64_t h2 = (hash >> 32) | 1;
    uint64_t bit = h1 % nbits;
    const uint64_t step = h2 % nbits;
    for (int i = 0; i < hashes; ++i) {
        fn(bit);
        bit += step;
        if (bit >= nbits) bit -= nbits;
    }
}

// Distinct values among hashes by linear counting: the share of a bitmap's bits no hash hit
// (Whang et al. 1990). Within a few percent up to ~m ln m distinct hashes, which is plenty to
// size a Bloom filter; past that it answers the number of hashes.
size_t EstimateDistinct(const std::vector<uint64_t>& hashes) {
    constexpr size_t kBits = size_t{1} << 17;  // 16 KiB: stays in L1/L2 while it fills
    if (hashes.size() <= 64) return hashes.size();
    std::vector<uint64_t> bitmap(kBits / 64, 0);
    for (uint64_t h : hashes) {
        const uint64_t b = h >> (64 - 17);
        bitmap[b / 64] |= uint64_t{1} << (b % 64);
    }
    size_t zeros = 0;
    for (uint64_t w : bitmap) zeros += static_cast<size_t>(64 - std::popcount(w));
    if (zeros == 0) return hashes.size();
    const double estimate =
        -static_cast<double>(kBits) * std::log(static_cast<double>(zeros) / kBits);
    return std::min(hashes.size(), static_cast<size_t>(estimate) + 1);
}

// The distinct values of a block, by the hashes of those seen before.
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
            return true;
        }
        const size_t mask = slots_.size() - 1;
        for (size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots_[i] == key) return false;
            if (slots_[i] == 0) {
                slots_[i] = key;
                if (++size_ * 2 > slots_.size()) Grow();
                return true;
            }
        }
    }

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
    size_t size_ = 0;
    bool has_zero_ = false;
};

}  // namespace

void BlockFilter::Build(const core::Column& c, size_t begin, size_t end, std::string& out) {
    // Values repeat (dimensions, dictionary columns): a value seen before adds no new key,
    // so its terms are not extracted again. Terms repeat too (words of log messages), but
    // a Bloom filter does not mind a key added twice: their hashes are only collected, and
    // the filter is sized from an estimate of how many are distinct. (Two values of a block
    // with one 64-bit hash, odds about 1e-12, would lose the second one's terms.)
    HashSet64 values(std::min<size_t>(end - begin, 1024));
    std::vector<uint64_t> keys;
    keys.reserve(end - begin);
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
        keys.push_back(h);
        ForEachTermHash(v, lowered, [&](uint64_t t) { keys.push_back(t); });
    }
    const size_t distinct = EstimateDistinct(keys);
    const size_t words = std::max<size_t>(1, (distinct * kBitsPerKey + 63) / 64);
    std::vector<uint64_t> bits(words);
    for (uint64_t k : keys) {
        Probes(k, words * 64, kHashes,
               [&](uint64_t b) { bits[b / 64] |= uint64_t{1} << (b % 64); });
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
    bool all = true;
    Probes(hash, words_.size() * 64, hashes_, [&](uint64_t b) {
        all = all && (words_[b / 64] & (uint64_t{1} << (b % 64))) != 0;
    });
    return all;
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
