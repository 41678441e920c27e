#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/status.h"

namespace calypso::core {

// Half-open time interval [min, max) in ticks.
struct TimeRange {
    int64_t min = std::numeric_limits<int64_t>::min();
    int64_t max = std::numeric_limits<int64_t>::max();
    bool Contains(int64_t t) const { return t >= min && t < max; }
    bool unbounded() const {
        return min == std::numeric_limits<int64_t>::min() &&
               max == std::numeric_limits<int64_t>::max();
    }
};

// A top-level key of a dynamic column, e.g. customDimensions.parent_run_id.
struct ScanKey {
    std::string column;
    std::string key;
};

struct ScanRequest {
    std::string table;
    // Columns to return, in this order; empty means every column of the schema.
    std::vector<std::string> columns;
    // Rows outside this range of the table's time column may be skipped (a hint: the
    // consumer filters again).
    TimeRange time;
    // Keys to return as extra dynamic columns after `columns`, named "column.key". A store
    // that shredded the key answers without parsing any JSON.
    std::vector<ScanKey> keys = {};
};

// Read access to tables. Implemented by the store (and later the ClickHouse backend);
// used by the query engine. Implementations are thread-safe.
class TableSource {
  public:
    virtual ~TableSource() = default;
    virtual std::vector<std::string> ListTables() const = 0;
    // The table's schema; NotFound for an unknown table.
    virtual Result<Schema> GetSchema(const std::string& table) const = 0;
    // Name of the table's time column ("timestamp", "TimeGenerated"), or "" when none.
    virtual std::string TimeColumn(const std::string& table) const = 0;
    // Calls `consume` with batches holding the requested columns, from one consistent
    // snapshot. Stops at and returns the first error `consume` returns.
    virtual Status Scan(const ScanRequest& request,
                        const std::function<Status(const Batch&)>& consume) const = 0;
};

}  // namespace calypso::core
