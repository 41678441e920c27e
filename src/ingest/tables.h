#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace calypso::ingest {

// A table whose name, columns and types are fixed by its Azure counterpart, so that
// published queries bind unchanged. `time_column` is the datetime column used for
// partitioning, retention and time-range pruning.
struct TableDef {
    std::string name;
    core::Schema schema;
    std::string time_column;
};

// Every built-in table: the Application Insights classic tables (traces, customEvents,
// customMetrics, exceptions, requests, dependencies, pageViews, availabilityResults; time
// column "timestamp") and the Azure ML resource-log tables (AmlComputeJobEvent,
// AmlComputeClusterEvent, ...; time column "TimeGenerated"), the Event Grid tables
// (AmlEventGridEvent, AmlModelRegisteredEvent, AmlModelDeployedEvent,
// AmlDatasetDriftDetectedEvent) and PipelineRuns. Built once; thread-safe.
const std::vector<TableDef>& BuiltinTables();

// The built-in table named exactly `name`, or nullptr.
const TableDef* FindBuiltinTable(std::string_view name);

}  // namespace calypso::ingest
