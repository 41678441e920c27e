#pragma once

// Glue between the Event Grid decoder (ingest) and the run tracker (runs): decoded events
// into the tracker with their raw rows, and the tracker's state rebuilt at startup.

#include <vector>

#include "core/status.h"
#include "core/table_source.h"
#include "ingest/eventgrid.h"
#include "runs/run_tracker.h"

namespace calypso::server {

core::Result<runs::RunIngestOutcome> IngestAmlEvents(runs::RunTracker& tracker,
                                                     const std::vector<ingest::AmlEvent>& events);

// Replays AmlEventGridEvent, then the stored PipelineRuns rows (step names learned from
// logs, last TimeGenerated per run). Appends nothing. Call once, before serving.
core::Status RebuildRuns(runs::RunTracker& tracker, const core::TableSource& source);

}  // namespace calypso::server
