#pragma once

#include <string_view>

#include "core/schema.h"

namespace calypso::storage {

// The system table of data volume, with the columns of Log Analytics' `Usage` plus `Rows`:
// one row per table and hour of ingestion (or several, whose sums are the hour's totals).
inline constexpr std::string_view kUsageTable = "Usage";
const core::Schema& UsageSchema();

}  // namespace calypso::storage
