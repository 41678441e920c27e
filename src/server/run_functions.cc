#include "server/run_functions.h"

namespace calypso::server {

namespace {

// A step's record is its PipelineRuns row with the latest TimeGenerated; steps belong to
// the experiment of their pipeline run (PipelineRunId), which names the experiment.
constexpr const char* kRunLogs = R"kql(.create-or-alter function
with (folder = "Calypso/Runs", docstring = "All traces and exceptions of one pipeline or step run")
RunLogs(run_id:string) {
    union withsource=SourceTable traces, exceptions
    | where tostring(customDimensions.parent_run_id) == run_id
        or tostring(customDimensions.step_id) == run_id
    | order by timestamp asc
})kql";

constexpr const char* kStepDurations = R"kql(.create-or-alter function
with (folder = "Calypso/Runs", docstring = "Duration statistics and last status per step of an experiment")
StepDurations(experiment:string) {
    let pipelines = PipelineRuns
        | where ExperimentName == experiment and isempty(PipelineRunId)
        | distinct PipelineRunId = RunId;
    PipelineRuns
    | where isnotempty(PipelineRunId)
    | join kind=leftsemi pipelines on PipelineRunId
    | summarize arg_max(TimeGenerated, StepName, Status, ExecutionTimeMs) by RunId
    | summarize Runs = count(), AvgExecutionTimeMs = avg(ExecutionTimeMs),
        P95ExecutionTimeMs = percentile(ExecutionTimeMs, 95),
        MaxExecutionTimeMs = max(ExecutionTimeMs), arg_max(TimeGenerated, Status) by StepName
    | project StepName, Runs, AvgExecutionTimeMs, P95ExecutionTimeMs, MaxExecutionTimeMs,
        LastStatus = Status, LastRunTime = TimeGenerated
    | order by StepName asc
})kql";

}  // namespace

core::Status RegisterRunFunctions(kql::Engine& engine) {
    for (const char* text : {kRunLogs, kStepDurations}) {
        RETURN_IF_ERROR(engine.CreateFunction(text));
    }
    return core::Status::Ok();
}

}  // namespace calypso::server
