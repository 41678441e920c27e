#pragma once

// Azure ML run events -> PipelineRuns: one merged record per run (pipeline or step).
//
// Event Grid delivers at least once and in no order, so the merge is idempotent and
// order-free: the same event twice changes nothing, and any order of a set of events gives
// the same record. Rules (times are the events' own times):
//   - QueuedTime, StartTime, EndTime: the earliest Queued, Running, and terminal
//     (Completed, Failed, Canceled, or a RunCompleted event) time seen;
//     ExecutionTimeMs = EndTime - StartTime in whole milliseconds, once both are known.
//   - Status: a terminal status beats any other; otherwise, and among terminal ones, the
//     latest event wins (ties broken by event id). Statuses compare ignoring case and are
//     stored in the SDK's spelling ("failed" -> "Failed").
//   - Every other column: the value of the latest event that carries one.
//
// The store is append-only, so the merged state lives here, in memory, and every change of
// a run's record is appended to PipelineRuns as a new row (TimeGenerated = when it changed,
// strictly increasing per run): `PipelineRuns | summarize arg_max(TimeGenerated, *) by RunId`
// is the current record, all rows of a run its history. The raw events go to the tables of
// EventRows() in the same Append, so at startup Rebuild() replays AmlEventGridEvent and
// arrives at the state the last PipelineRuns rows describe.

#include <array>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/dynamic.h"
#include "core/row_sink.h"
#include "core/status.h"
#include "core/table_source.h"
#include "ingest/eventgrid.h"

namespace calypso::ingest {

// A PipelineRuns row without its TimeGenerated.
struct RunRecord {
    std::string run_id;
    std::string pipeline_run_id;  // azureml.pipelinerunid; "" for a pipeline run itself
    std::string experiment_id;
    std::string experiment_name;
    std::string run_type;   // azureml.PipelineRun, azureml.StepRun, azureml.ReusedStepRun
    std::string step_name;  // not in the events (a next step: from the run's logs)
    std::string step_type;  // runProperties.stepType (any key case)
    std::string node_id;    // azureml.nodeid
    std::string compute_target_type;
    std::string status;
    std::string resource_id;  // the workspace (the event's topic)
    std::optional<int64_t> queued_time, start_time, end_time;
    core::Dynamic tags, properties;

    std::optional<int64_t> ExecutionTimeMs() const;
    bool operator==(const RunRecord&) const = default;
};

// What one Ingest call did.
struct RunIngestOutcome {
    size_t stored = 0;        // new events stored
    size_t duplicates = 0;    // events seen before (or twice in this call), not stored again
    size_t runs_changed = 0;  // PipelineRuns rows appended
};

// Thread-safe. Events are processed one call at a time.
class RunTracker {
  public:
    // `sink` must outlive the tracker.
    explicit RunTracker(core::RowSink& sink) : sink_(sink) {}

    // Replays the events stored in AmlEventGridEvent. Appends nothing. Call once, before
    // serving.
    core::Status Rebuild(const core::TableSource& source);

    // Stores the events not seen before (EventRows) together with a PipelineRuns row for
    // every run whose record they change, in one Append. On an error nothing is stored or
    // remembered, so the sender's retry is processed in full.
    core::Result<RunIngestOutcome> Ingest(const std::vector<AmlEvent>& events);

    // The current record of a run.
    std::optional<RunRecord> Find(std::string_view run_id) const;
    size_t run_count() const;

  private:
    // (event time, event key): the order in which "the latest event" is meant.
    using Rank = std::pair<int64_t, std::string>;
    static constexpr size_t kTextFields = 8;
    struct RunState {
        RunRecord record;
        std::array<Rank, kTextFields + 2> field_ranks;  // the text fields, tags, properties
        std::tuple<bool, int64_t, std::string> status_rank{false,
                                                           std::numeric_limits<int64_t>::min(), ""};
        int64_t version_time = 0;  // TimeGenerated of the last row appended
    };

    static void Merge(RunState& state, const AmlEvent& event);

    core::RowSink& sink_;
    mutable std::mutex mu_;
    std::unordered_set<std::string> seen_;  // AmlEvent::Key() of every event stored
    std::unordered_map<std::string, RunState> runs_;
};

}  // namespace calypso::ingest
