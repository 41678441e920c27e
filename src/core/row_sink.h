#pragma once

#include <string>
#include <vector>

#include "core/column.h"
#include "core/status.h"

namespace calypso::core {

struct TableBatch {
    std::string table;
    Batch batch;
    // Bytes of the request items these rows came from (the raw JSON), counted by the
    // `Usage` table; 0 when unknown (the store then counts the rows' encoded size).
    uint64_t source_bytes = 0;
};

// Write access to tables. Implementations are thread-safe.
class RowSink {
  public:
    virtual ~RowSink() = default;
    // Appends all batches as one unit. When it returns OK the rows are durable (they survive
    // kill -9 and power loss) and visible to later scans. Batches for tables not yet known
    // create them with the batch's schema.
    virtual Status Append(std::vector<TableBatch> batches) = 0;
};

}  // namespace calypso::core
