#pragma once

// What the run tracker reads from an Azure ML event: the run's record as that one event
// describes it. Decoding the Event Grid / CloudEvents envelope is ingest's job; this
// interprets the `data` payload of RunStatusChanged and RunCompleted events.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dynamic.h"

namespace calypso::runs {

// A PipelineRuns row without its TimeGenerated.
struct RunRecord {
    std::string run_id;
    std::string pipeline_run_id;  // azureml.pipelinerunid; "" for a pipeline run itself
    std::string experiment_id;
    std::string experiment_name;
    std::string run_type;   // azureml.PipelineRun, azureml.StepRun, azureml.ReusedStepRun
    std::string step_name;  // not in the events: from the run's logs (step_names.h)
    std::string step_type;  // runProperties.stepType (any key case)
    std::string node_id;    // azureml.nodeid
    std::string compute_target_type;
    std::string status;
    std::string resource_id;  // the workspace (the event's topic)
    std::optional<int64_t> queued_time, start_time, end_time;
    core::Dynamic tags, properties;

    std::optional<int64_t> ExecutionTimeMs() const;
    bool IsPipeline() const { return pipeline_run_id.empty(); }
    bool operator==(const RunRecord&) const = default;
};

// One delivered event as the tracker needs it.
struct RunEvent {
    std::string key;      // what makes two deliveries the same event (topic + id)
    int64_t time = 0;     // the event's time, ticks
    bool is_run = false;  // a run lifecycle event; any other event is only deduplicated
    // The run as this event describes it: run_id, status (canonical spelling) and the
    // descriptive fields it carries; times are left empty (they come from `time`).
    RunRecord fields;
};

inline constexpr std::string_view kRunStatusChanged =
    "Microsoft.MachineLearningServices.RunStatusChanged";
inline constexpr std::string_view kRunCompleted = "Microsoft.MachineLearningServices.RunCompleted";

// Reads an event's payload. `event_type` and `data` as Event Grid names them.
RunEvent RunEventFrom(std::string key, int64_t time, std::string_view event_type,
                      std::string_view topic, const core::Dynamic& data);

// A run status in the SDK's spelling ("failed" -> "Failed", "Cancelled" -> "Canceled");
// an unknown status is kept as sent.
std::string CanonicalStatus(std::string_view status);
// Completed, Failed or Canceled (canonical spelling).
bool IsTerminal(std::string_view canonical_status);

}  // namespace calypso::runs
