#pragma once

#include <string>
#include <string_view>

#include "core/column.h"
#include "core/status.h"

namespace calypso::storage {

// Uncompressed binary form of a column and of a batch, shared by the WAL and segments.
//
// column := type:u8 rows:varint validity:(rows bytes, 1 = present) values
// values := int64/datetime/timespan/bool/int: rows x fixed64
//           real/decimal: rows x fixed64 (IEEE bits)
//           string/guid: rows x (len:varint bytes)
//           dynamic: rows x (the binary form of dynamic_codec.h); the type byte has bit
//           0x80 set. Without that bit (WAL files of earlier versions, still read):
//           rows x (len:varint JSON text).
// batch  := ncols:varint (name:len-prefixed column)*
void EncodeColumn(const core::Column& column, std::string& out);
core::Result<core::Column> DecodeColumn(std::string_view data);

void EncodeBatch(const core::Batch& batch, std::string& out);
core::Result<core::Batch> DecodeBatch(std::string_view data);

}  // namespace calypso::storage
