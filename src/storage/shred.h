#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"

namespace calypso::storage {

// Shredding of `dynamic` columns in segments. The top-level keys that a segment's objects
// hold often, always as strings, are stored as string sub-columns named
// `column + kShredSeparator + key` (null where a row lacks the key); the column itself keeps
// the rest of each object. Reading one key then decodes one string column and never parses
// JSON; reading the whole column puts the objects back together (shredded keys first).
inline constexpr char kShredSeparator = '\x1f';
// A key is shredded when at least 1/kShredMinShare of the rows hold it: a sparse key costs
// little as a mostly-null string column, and much when every read decodes whole objects.
inline constexpr size_t kShredMinShare = 16;

struct ShreddedColumn {
    core::Column residual;                                   // the objects without the keys
    std::vector<std::pair<std::string, core::Column>> keys;  // key -> string column
};

// Splits a dynamic column. Keys in at least 1/16 of the rows, with only string values, are
// shredded (at most 64); a column with none comes back unchanged as the residual.
ShreddedColumn Shred(const core::Column& dynamic);

// Puts objects back together from the residual and the key columns (same row count).
core::Column Unshred(const core::Column& residual,
                     const std::vector<std::pair<std::string, const core::Column*>>& keys);

// A dynamic column holding each row's value of `key` (null where absent).
core::Column ExtractKey(const core::Column& dynamic, std::string_view key);
// A string sub-column as a dynamic column of string values.
core::Column StringsToDynamic(const core::Column& strings);
// A dynamic column as tostring() reads it: strings as themselves, other values as JSON,
// null as "".
core::Column DynamicToText(const core::Column& dynamic);
// A key's dynamic values as todouble() reads them (core::DynamicToReal): a real column.
core::Column DynamicToReal(const core::Column& dynamic);
// A shredded key's stored strings as todouble() reads them (null rows: absent keys).
core::Column StringsToReal(const core::Column& strings);

}  // namespace calypso::storage
