#pragma once

#include <string_view>

#include "core/schema.h"

namespace calypso::storage {

// The system table of data volume, with the columns of Log Analytics' `Usage` plus `Rows`:
// one row per table and hour of ingestion (or several, whose sums are the hour's totals).
// Quantity is the ingested size in MiB: the raw JSON of the items when the ingestion route
// knows it (TableBatch::source_bytes), else the rows' encoded size.
inline constexpr std::string_view kUsageTable = "Usage";
const core::Schema& UsageSchema();

}  // namespace calypso::storage
