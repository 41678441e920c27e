#pragma once

// The PipelineRuns rows of run records (the table is declared with the same columns in
// src/ingest/tables.cc; the store matches columns by name).

#include <cstdint>
#include <utility>
#include <vector>

#include "core/row_sink.h"
#include "runs/run_event.h"

namespace calypso::runs {

// One row per (record, TimeGenerated).
core::TableBatch PipelineRunRows(const std::vector<std::pair<const RunRecord*, int64_t>>& rows);

}  // namespace calypso::runs
