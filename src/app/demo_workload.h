#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "app/demo_catalog.h"
#include "app/demo_random.h"
#include "core/dynamic.h"

namespace calypso::app::demo {

// One step run of a pipeline run, with the times it entered each state (ticks).
struct StepRun {
    size_t spec = 0;  // index into the experiment's steps
    std::string run_id;
    std::string node_id;      // azureml.nodeid, 8 hex digits
    std::string snapshot_id;  // contentSnapshotId
    std::string working_dir;  // where its script ran; appears in file names and stacks
    std::string host;         // the compute node's host name (cloud_RoleInstance)
    int64_t queued = 0, preparing = 0, running = 0, end = 0;
    bool failed = false;
};

// A pipeline run: the steps that ran (a failed step stops the pipeline there).
struct PipelineRun {
    size_t experiment = 0;  // index into Catalog::experiments
    std::string run_id;
    std::string build_version;
    int64_t start = 0, end = 0;
    bool failed = false;
    std::vector<StepRun> steps;
    bool drift_detected = false;  // a kChecksDrift step found drift
    bool deployed = false;        // a registered model was deployed afterwards
    int model_version = 0;
};

// Where an item goes: App Insights envelopes, Event Grid events, or Logs Ingestion rows.
enum class Channel { kTrack, kEventGrid, kComputeJobs, kClusterEvents };
inline constexpr size_t kChannels = 4;

// One envelope, event or row, and when the workspace would deliver it (ticks).
struct Item {
    Channel channel = Channel::kTrack;
    int64_t due = 0;
    core::Dynamic body;
};

// The simulated workspace. Deterministic: the same seed and the same calls give the same
// runs, ids and telemetry. Not thread-safe.
class Workload {
  public:
    Workload(uint64_t seed, std::string ikey);

    // When each experiment runs in [from, to): (experiment, start), by start time. Every
    // experiment keeps its cadence, with some jitter.
    std::vector<std::pair<size_t, int64_t>> Schedule(int64_t from, int64_t to);
    // The next experiment to start live (weighted towards the frequent ones).
    size_t PickExperiment();
    // Decides how a run of `experiment` starting at `start` goes: steps, durations, which
    // step fails (if any).
    PipelineRun Plan(size_t experiment, int64_t start);
    // Everything the workspace sends about `run`, sorted by due time: step logs, metrics
    // and exceptions (as opencensus AzureLogHandler sends them), the Event Grid lifecycle
    // (with the duplicates and reordering of at-least-once delivery) and the compute job
    // and cluster rows.
    std::vector<Item> Render(const PipelineRun& run);

  private:
    Random random_;
    std::string ikey_;
    int build_counter_ = 1;
    std::vector<int> model_versions_;
};

}  // namespace calypso::app::demo
