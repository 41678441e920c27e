#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/demo_catalog.h"
#include "app/demo_random.h"
#include "app/demo_workload.h"

namespace calypso::app::demo {

// What the renderers of one pipeline run share.
struct RunContext {
    const Catalog& catalog;
    const ExperimentSpec& experiment;
    const AmlWorkspace& workspace;
    const PipelineRun& run;
    const std::string& ikey;
};

// "2025-03-14T09:00:05.402187Z" with `digits` (1..7) fractional digits, always printed:
// opencensus prints 6, Event Grid 7.
std::string IsoTime(int64_t ticks, int digits);

// The step's logs, per-epoch metrics and (when it failed) its exception, as App Insights
// envelopes shaped like opencensus-ext-azure's AzureLogHandler sends them.
void AppendStepTelemetry(const RunContext& ctx, const StepRun& step, Random& random,
                         std::vector<Item>& out);

// The Event Grid lifecycle of the pipeline run and its steps (RunStatusChanged,
// RunCompleted), with redeliveries and out-of-order deliveries, and the model and drift
// events the run causes.
void AppendRunEvents(const RunContext& ctx, Random& random, std::vector<Item>& out);

// AmlComputeJobEvent and AmlComputeClusterEvent rows for a step (submission, start and
// end of its job; the cluster growing for it, steady, and shrinking when idle).
void AppendComputeRows(const RunContext& ctx, const StepRun& step, Random& random,
                       std::vector<Item>& out);

}  // namespace calypso::app::demo
