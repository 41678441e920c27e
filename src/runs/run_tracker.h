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
//     latest event wins (ties broken by event key). Statuses compare ignoring case and are
//     stored in the SDK's spelling ("failed" -> "Failed").
//   - StepName: from the step's logs (LearnStepNames), before or after its events.
//   - Every other column: the value of the latest event that carries one.
//
// The store is append-only, so the merged state lives here, in memory, and every change of
// a run's record is appended to PipelineRuns as a new row. Its TimeGenerated is the time
// of the latest event merged, or one tick past the run's previous row when that is later,
// so it is strictly increasing per run (`summarize arg_max(TimeGenerated, *) by RunId` is
// the current record) and retention drops a run's rows by event time, with its raw events.
// The raw events (built by the caller) go in the same Append, and at startup Replay() of
// the stored events arrives at the state the last PipelineRuns rows describe.
//
// Memory is bounded (RunTrackerOptions): each run remembers the keys of at most 32 of its
// events; a finished run is forgotten once it has not changed for 48 hours (Event Grid
// stops retrying a delivery after 24), and past `max_runs` the least recently changed runs
// go first (finished ones before unfinished ones). A forgotten run leaves only its id's
// hash (at most `max_forgotten`): later events for it are duplicates, never a new record.
// Other events' keys: the latest `max_other_keys`. Step names for runs not seen yet: the
// latest `max_pending_names`.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/row_sink.h"
#include "core/status.h"
#include "core/time.h"
#include "runs/run_event.h"
#include "runs/run_metrics.h"
#include "runs/step_names.h"

namespace calypso::runs {

// What one Ingest call did.
struct RunIngestOutcome {
    size_t stored = 0;        // new events stored
    size_t duplicates = 0;    // events seen before (or twice in this call), not stored again
    size_t runs_changed = 0;  // PipelineRuns rows appended
};

struct RunTrackerOptions {
    size_t max_runs = 50'000;
    int64_t keep_finished_ticks = 48 * core::kTicksPerHour;
    size_t max_keys_per_run = 32;
    size_t max_other_keys = 100'000;
    size_t max_pending_names = 100'000;
    size_t max_forgotten = 1'000'000;
    std::function<int64_t()> now = [] { return core::NowTicks(); };
};

// Thread-safe. Calls are processed one at a time.
class RunTracker {
  public:
    // `sink` (and `metrics`, when given) must outlive the tracker.
    explicit RunTracker(core::RowSink& sink, RunMetrics* metrics = nullptr,
                        RunTrackerOptions options = {});

    // Startup: merges stored events, then reads the stored PipelineRuns rows (for step
    // names and the last TimeGenerated of each run). Appends nothing and counts no finished
    // runs; sets the last-status gauges.
    struct StoredRow {
        std::string run_id;
        std::string step_name;
        int64_t time_generated = 0;
    };
    void Replay(std::span<const RunEvent> events);
    void ReplayRows(std::span<const StoredRow> rows);
    // Ends the replay: forgets the runs that are old enough (see above).
    void FinishReplay();

    // The rows of the raw event tables for the events at these indexes of Ingest's input.
    using RawRows = std::function<std::vector<core::TableBatch>(const std::vector<size_t>&)>;

    // Stores the events not seen before (raw_rows) together with a PipelineRuns row for
    // every run whose record they change, in one Append. On an error nothing is stored or
    // remembered, so the sender's retry is processed in full.
    core::Result<RunIngestOutcome> Ingest(std::span<const RunEvent> events,
                                          const RawRows& raw_rows);

    // Step names seen in logs: a known run whose name changes gets a new PipelineRuns row
    // (appended here); a run not seen yet takes the name when its first event arrives.
    // Returns the rows appended; on an error nothing is remembered.
    core::Result<size_t> LearnStepNames(std::span<const StepName> names);

    // The current record of a run.
    std::optional<RunRecord> Find(std::string_view run_id) const;
    size_t run_count() const;
    // Event keys remembered for deduplication (all runs' and the other events').
    size_t remembered_keys() const;

  private:
    // (event time, event key): the order in which "the latest event" is meant.
    using Rank = std::pair<int64_t, std::string>;
    static constexpr size_t kTextFields = 8;
    struct RunState {
        RunRecord record;
        std::array<Rank, kTextFields + 2> field_ranks;  // the text fields, tags, properties
        std::tuple<bool, int64_t, std::string> status_rank{false,
                                                           std::numeric_limits<int64_t>::min(), ""};
        int64_t latest_event_time = std::numeric_limits<int64_t>::min();
        int64_t version_time = 0;      // TimeGenerated of the last row appended
        int64_t last_change = 0;       // for eviction: receive time (event time when replayed)
        std::deque<std::string> keys;  // of its latest events, at most max_keys_per_run
        bool counted = false;          // in calypso_pipeline_runs_total
        bool observed = false;         // in the duration and last-status metrics
    };

    static void Merge(RunState& state, const RunEvent& event);
    bool HasKey(const RunState& state, const std::string& key) const;
    void AddKey(RunState& state, const std::string& key) const;
    bool Forgotten(const std::string& run_id) const;
    void Forget(const std::string& run_id);
    void RememberOtherKey(const std::string& key);
    void RememberPendingName(const StepName& name);
    // Gives a run without a name the one its logs told before its events.
    void TakePendingName(RunState& state) const;
    void NextVersion(RunState& state) const;
    void Observe(RunState& state, bool live);
    // Forgets old finished runs (when `by_age`, at most once a minute), then the least
    // recently changed past max_runs.
    void Evict(int64_t now, bool by_age);

    core::RowSink& sink_;
    RunMetrics* metrics_;
    RunTrackerOptions options_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, RunState> runs_;
    std::unordered_set<std::string> other_keys_;  // events that are not run events
    std::deque<std::string> other_order_;
    std::unordered_map<std::string, std::string> pending_names_;  // run id -> step name
    std::deque<std::string> pending_order_;
    std::unordered_set<uint64_t> forgotten_;  // hashes of forgotten run ids
    std::deque<uint64_t> forgotten_order_;
    int64_t last_sweep_ = 0;
};

}  // namespace calypso::runs
