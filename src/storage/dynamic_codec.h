#pragma once

#include <string>

#include "core/dynamic.h"
#include "storage/coding.h"

namespace calypso::storage {

// Compact binary form of a dynamic value, used in segment blocks and WAL records. Decoding
// builds the tree directly, without a JSON parser.
//
// value := tag:u8 payload
//   0 null | 1 false | 2 true | 3 long: zigzag varint | 4 real: fixed64 IEEE bits
//   5 string: lp | 6 array: count:varint value* | 7 object: count:varint (key:lp value)*
void EncodeDynamic(const core::Dynamic& value, std::string& out);
// False on malformed or truncated input (or nesting deeper than 256).
bool DecodeDynamic(Reader& in, core::Dynamic& out);

}  // namespace calypso::storage
