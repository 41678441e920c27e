#pragma once

// Azure ML events do not carry a step's name; the step's own logs do. The opencensus
// handler (and the demo) put `step_id` (the step run's id) and `step_name` into every log
// line's customDimensions, so ingestion hands the pairs it sees to the run tracker.

#include <string>
#include <vector>

#include "core/row_sink.h"

namespace calypso::runs {

struct StepName {
    std::string run_id;  // customDimensions.step_id
    std::string name;    // customDimensions.step_name
    bool operator==(const StepName&) const = default;
};

// The distinct (step_id, step_name) pairs in the `customDimensions` columns of `batches`
// (both must be non-empty strings). Cheap when the batches have none: one key lookup per
// row, and distinct pairs only are copied.
std::vector<StepName> StepNamesIn(const std::vector<core::TableBatch>& batches);

}  // namespace calypso::runs
