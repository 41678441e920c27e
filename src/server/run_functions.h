#pragma once

#include "core/status.h"
#include "kql/engine.h"

namespace calypso::server {

// Stores the functions every query can call to read pipeline runs (they name the tables
// of src/ingest/tables.cc, so they live here rather than in the engine):
//   RunLogs(run_id:string)             every traces and exceptions row of the run: its id
//                                      as customDimensions.parent_run_id or .step_id,
//                                      oldest first, with the table in SourceTable
//   StepDurations(experiment:string)   per step name of the experiment's pipeline runs:
//                                      Runs, AvgExecutionTimeMs, P95ExecutionTimeMs,
//                                      MaxExecutionTimeMs, LastStatus, LastRunTime
core::Status RegisterRunFunctions(kql::Engine& engine);

}  // namespace calypso::server
