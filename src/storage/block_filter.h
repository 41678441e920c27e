#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/status.h"

namespace calypso::storage {

// A Bloom filter over one block of a string column (or shredded key): its values, for `==`
// and `in`, and the lower-cased terms of its values (core/terms.h), for `has` and `has_cs`.
// "No" is certain; "maybe" is wrong for about 1% of absent keys (10 bits per key).
//
// filter := hashes:u8 words:varint words x fixed64
class BlockFilter {
  public:
    // Appends the filter of rows [begin, end) of string column `c` to `out`.
    static void Build(const core::Column& c, size_t begin, size_t end, std::string& out);
    // Corruption when `data` is not a filter.
    static core::Result<BlockFilter> Parse(std::string_view data);

    bool MayContainValue(std::string_view value) const;
    // True when every term of `needle` may be a term of some value (so `has needle` and
    // `has_cs needle` may match); true for a needle without terms.
    bool MayContainTerms(std::string_view needle) const;
    size_t bytes() const { return words_.size() * 8; }

  private:
    bool MayContain(uint64_t hash) const;
    int hashes_ = 0;
    std::vector<uint64_t> words_;
};

}  // namespace calypso::storage
