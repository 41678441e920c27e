#pragma once

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/column.h"

namespace calypso::core {

// A dynamic column whose rows are objects of string values (Application Insights
// properties, OpenTelemetry string attributes), held as one string column per key. A
// Dynamic tree per row costs ~600 bytes and a dozen allocations for a typical pipeline
// log's custom dimensions; as key columns the same rows take their bytes plus an offset,
// the WAL writes each key once per batch, and a flush stores the columns as they are.
//
// Row r is the object of the keys whose column is not null at r, in key order; the keys
// are those of the whole column, so rows of one batch come back in one key order.
struct StringBags {
    std::vector<std::string> keys;  // distinct
    std::vector<Column> values;     // string columns, one per key, the column's row count

    // The rows as Dynamic objects, built once by the first reader that asks for them.
    mutable std::once_flag once;
    mutable std::vector<Dynamic> objects;
};

// The rows of `bags` as Dynamic objects (null where valid[r] == 0).
std::vector<Dynamic> BagsToObjects(const StringBags& bags, std::span<const uint8_t> valid);

}  // namespace calypso::core
