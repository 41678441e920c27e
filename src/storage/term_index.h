#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/status.h"

namespace calypso::storage {

// Postings of the rare terms of one string column in one segment: for each indexed term
// (lower-cased, as KQL's `has` sees terms, core/terms.h), every row of the segment whose
// value holds it. A search for a rare word then reads a few rows instead of every block
// whose Bloom filter says "maybe".
//
// Indexed are terms that hold a non-digit and occur in at most kMaxTermRows rows of the
// segment: the words and ids people search for. Frequent words and plain numbers are left
// out (a log line's counts and offsets would make the index as big as the text); a term
// not in the index is "unknown", never "absent". Terms are keyed by a 64-bit hash: terms
// sharing a hash share postings, so a lookup gives a superset of the rows holding it.
//
// index := nterms:varint hash:fixed64^nterms (ascending) end:fixed32^nterms
//          postings (per term: its rows ascending, delta-coded varints; `end` is the
//          offset just past a term's postings, counted from the start of postings)
class TermIndex {
  public:
    static constexpr uint32_t kMaxTermRows = 1024;

    // The index of `c` (every row), or "" when the column is not worth one: no term to
    // index, or so many distinct rare terms (ids in every row) that the index would rival
    // the text in size.
    static std::string Build(const core::Column& c);
    // Corruption when `data` is not an index.
    static core::Result<TermIndex> Parse(std::string data);

    // The rows that may hold every term of `text` (ascending), or nullopt when the index
    // cannot say (a term of `text` is not indexed, or `text` has no term).
    std::optional<std::vector<uint32_t>> RowsWithTerms(std::string_view text) const;
    size_t bytes() const { return data_.size(); }

  private:
    // The rows of the term with hash `hash`, or nullopt when it is not indexed.
    std::optional<std::vector<uint32_t>> Rows(uint64_t hash) const;
    std::string data_;
    size_t nterms_ = 0;
    size_t hashes_ = 0;    // offset of the hash array in data_
    size_t ends_ = 0;      // offset of the end array
    size_t postings_ = 0;  // offset of the postings
};

}  // namespace calypso::storage
