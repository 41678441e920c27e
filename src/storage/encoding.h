#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/column.h"
#include "core/status.h"

namespace calypso::storage {

// Encoding of one block of a column (rows [begin, end)), chosen from the data, before the
// block is compressed. The layouts are part of the segment format (segment.h).
//
// block    := encoding:u8 validity payload
// validity := 0 all present | 1 all null | 2 bitmap of ceil(rows/8) bytes, bit set = present
// payload, by encoding:
//   kPlainInt     rows x fixed64                                      (long, datetime, ...)
//   kFrameOfRef   base:fixed64 width:u8 packed(v - base)
//   kDelta        first:fixed64 width:u8 packed(zigzag(v[i] - v[i-1]) for i >= 1)
//   kPlainReal    rows x fixed64 IEEE bits                            (real, decimal)
//   kPlainString  width:u8 packed(length) then the bytes, concatenated (string, guid)
//   kDictionary   n:varint (length:varint bytes)^n width:u8 packed(code)
//   kDynamic      one binary value (dynamic_codec.h) per present row
//   kEmpty        nothing (a null-typed column)
// packed() is bitpack.h's layout. Null rows carry the previous present value (integers, so
// deltas stay small), 0, "" or nothing (dynamic), and decode as the type's null.
enum class Encoding : uint8_t {
    kPlainInt = 0,
    kFrameOfRef = 1,
    kDelta = 2,
    kPlainReal = 3,
    kPlainString = 4,
    kDictionary = 5,
    kDynamic = 6,
    kEmpty = 7,
};

// What the segment footer keeps about a block besides its place.
struct BlockSummary {
    Encoding encoding = Encoding::kEmpty;
    bool has_range = false;  // integer-class columns with a present value
    int64_t min = 0;
    int64_t max = 0;
};

void EncodeBlock(const core::Column& column, size_t begin, size_t end, std::string& out,
                 BlockSummary& summary);
// Corruption (saying what is wrong) when `data` is not a block of `rows` rows of `type`.
core::Result<core::Column> DecodeBlock(core::Type type, std::string_view data, size_t rows);

}  // namespace calypso::storage
