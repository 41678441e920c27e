#include "storage/term_index.h"

#include <xxhash.h>

#include <algorithm>

#include "core/terms.h"
#include "storage/coding.h"

namespace calypso::storage {

namespace {

constexpr uint64_t kSeed = 0x706f7374696e6773;  // "postings"

// Term bytes and lower-casing as tables: the build runs over every byte of the column.
struct ByteTables {
    bool term[256];
    bool digit[256];
    char lower[256];
    ByteTables() : term(), digit(), lower() {
        for (int i = 0; i < 256; ++i) {
            const auto c = static_cast<char>(i);
            term[i] = core::IsTermChar(c);
            digit[i] = c >= '0' && c <= '9';
            lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
};
const ByteTables kBytes;

// The key of a lower-cased term; never 0 (the empty slot of the build table).
uint64_t KeyOf(std::string_view lowered) {
    const uint64_t h = XXH3_64bits_withSeed(lowered.data(), lowered.size(), kSeed);
    return h == 0 ? 1 : h;
}

// Calls fn(key) for each term of `value` holding a non-digit (lower-cased first).
template <class Fn>
void ForEachWordKey(std::string_view value, std::string& lowered, Fn&& fn) {
    const size_t n = value.size();
    lowered.resize(n);
    for (size_t i = 0; i < n; ++i) lowered[i] = kBytes.lower[static_cast<unsigned char>(value[i])];
    const char* p = lowered.data();
    size_t i = 0;
    while (i < n) {
        while (i < n && !kBytes.term[static_cast<unsigned char>(p[i])]) ++i;
        const size_t start = i;
        bool word = false;
        while (i < n && kBytes.term[static_cast<unsigned char>(p[i])]) {
            word = word || !kBytes.digit[static_cast<unsigned char>(p[i])];
            ++i;
        }
        if (word) fn(KeyOf(std::string_view(p + start, i - start)));
    }
}

// Term key -> rows seen so far, by open addressing.
class CountTable {
  public:
    struct Entry {
        uint64_t key = 0;
        uint32_t count = 0;
        uint32_t last = 0;  // last row + 1 that counted (a term twice in a row counts once)
    };
    CountTable() : slots_(1024) {}
    size_t size() const { return size_; }
    // The entry of `key`, added when new.
    Entry& At(uint64_t key) {
        size_t mask = slots_.size() - 1;
        for (size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots_[i].key == key) return slots_[i];
            if (slots_[i].key == 0) {
                if ((size_ + 1) * 2 > slots_.size()) {
                    Grow();
                    return At(key);
                }
                ++size_;
                slots_[i].key = key;
                return slots_[i];
            }
        }
    }
    const std::vector<Entry>& slots() const { return slots_; }

  private:
    void Grow() {
        std::vector<Entry> old(slots_.size() * 2);
        old.swap(slots_);
        const size_t mask = slots_.size() - 1;
        for (const Entry& e : old) {
            if (e.key == 0) continue;
            size_t i = e.key & mask;
            while (slots_[i].key != 0) i = (i + 1) & mask;
            slots_[i] = e;
        }
    }
    std::vector<Entry> slots_;
    size_t size_ = 0;
};

}  // namespace

std::string TermIndex::Build(const core::Column& c) {
    const size_t rows = c.size();
    if (rows == 0 || rows > UINT32_MAX - 1) return {};
    // Rare for this segment: a small one indexes only terms of a few rows, so that the
    // index stays small beside the text.
    const uint32_t max_rows = static_cast<uint32_t>(std::clamp<size_t>(rows / 64, 1, kMaxTermRows));
    // Past this many distinct words the column is full of ids: no index.
    const size_t max_terms = rows / 8 + 1024;
    CountTable table;
    std::vector<std::pair<uint64_t, uint32_t>> postings;
    std::string lowered;
    bool too_many = false;
    for (size_t r = 0; r < rows && !too_many; ++r) {
        const auto row = static_cast<uint32_t>(r);
        ForEachWordKey(c.string_at(r), lowered, [&](uint64_t key) {
            CountTable::Entry& e = table.At(key);
            if (e.last == row + 1) return;
            e.last = row + 1;
            if (++e.count <= max_rows) postings.emplace_back(key, row);
        });
        too_many = table.size() > max_terms;
    }
    if (too_many || table.size() == 0) return {};
    // Rows were collected in order: a stable sort by key keeps each term's rows ascending.
    std::stable_sort(postings.begin(), postings.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    auto rare = [&](uint64_t key) { return table.At(key).count <= max_rows; };
    std::string hashes, ends, body;
    size_t nterms = 0;
    for (size_t i = 0; i < postings.size();) {
        const uint64_t key = postings[i].first;
        size_t j = i;
        while (j < postings.size() && postings[j].first == key) ++j;
        if (rare(key)) {
            uint32_t previous = 0;
            for (size_t k = i; k < j; ++k) {
                PutVarint(body, postings[k].second - previous);
                previous = postings[k].second;
            }
            PutFixed64(hashes, key);
            PutFixed32(ends, static_cast<uint32_t>(body.size()));
            ++nterms;
        }
        i = j;
    }
    // An index bigger than about two bytes a row is not worth its room.
    if (nterms == 0 || body.size() + hashes.size() + ends.size() > rows * 2 + 4096) return {};
    std::string out;
    PutVarint(out, nterms);
    out += hashes;
    out += ends;
    out += body;
    return out;
}

core::Result<TermIndex> TermIndex::Parse(std::string data) {
    TermIndex t;
    Reader r(data);
    uint64_t nterms;
    auto bad = [] { return core::Status::Corruption("malformed term index"); };
    if (!r.GetVarint(nterms) || nterms > r.remaining() / 12) return bad();
    t.nterms_ = static_cast<size_t>(nterms);
    t.hashes_ = r.position();
    t.ends_ = t.hashes_ + t.nterms_ * 8;
    t.postings_ = t.ends_ + t.nterms_ * 4;
    const size_t body = data.size() - t.postings_;
    uint64_t previous_hash = 0;
    uint32_t previous_end = 0;
    for (size_t i = 0; i < t.nterms_; ++i) {
        const uint64_t h = DecodeFixed64(data.data() + t.hashes_ + i * 8);
        const uint32_t end = DecodeFixed32(data.data() + t.ends_ + i * 4);
        if ((i > 0 && h <= previous_hash) || end <= previous_end || end > body) return bad();
        previous_hash = h;
        previous_end = end;
    }
    t.data_ = std::move(data);
    return t;
}

std::optional<std::vector<uint32_t>> TermIndex::Rows(uint64_t key) const {
    size_t lo = 0, hi = nterms_;
    const char* hashes = data_.data() + hashes_;
    while (lo < hi) {  // the first hash >= key
        const size_t mid = lo + (hi - lo) / 2;
        if (DecodeFixed64(hashes + mid * 8) < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == nterms_ || DecodeFixed64(hashes + lo * 8) != key) return std::nullopt;
    const char* ends = data_.data() + ends_;
    const uint32_t begin = lo == 0 ? 0 : DecodeFixed32(ends + (lo - 1) * 4);
    const uint32_t end = DecodeFixed32(ends + lo * 4);
    Reader r(std::string_view(data_).substr(postings_ + begin, end - begin));
    std::vector<uint32_t> rows;
    uint64_t row = 0, delta;
    while (r.remaining() > 0 && r.GetVarint(delta)) {
        row += delta;
        if (row > UINT32_MAX) break;  // damaged: rows past any segment
        rows.push_back(static_cast<uint32_t>(row));
    }
    return rows;
}

std::optional<std::vector<uint32_t>> TermIndex::RowsWithTerms(std::string_view text) const {
    std::optional<std::vector<uint32_t>> result;
    std::string lowered;
    ForEachWordKey(text, lowered, [&](uint64_t key) {
        auto rows = Rows(key);
        if (!rows) return;  // not indexed: no restriction from this term
        if (!result) {
            result = std::move(rows);
            return;
        }
        std::vector<uint32_t> both;
        std::set_intersection(result->begin(), result->end(), rows->begin(), rows->end(),
                              std::back_inserter(both));
        *result = std::move(both);
    });
    return result;
}

}  // namespace calypso::storage
