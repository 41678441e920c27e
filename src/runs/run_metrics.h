#pragma once

// Pipeline metrics for Prometheus, recorded by the run tracker as runs finish:
//   calypso_pipeline_runs_total{experiment,run_type,status}          runs that finished
//   calypso_pipeline_run_duration_seconds{experiment}                 pipeline runs
//   calypso_pipeline_step_duration_seconds{experiment,step}           step runs
//   calypso_pipeline_last_run_status{experiment,status}               1 for the status of the
//   calypso_pipeline_step_last_status{experiment,step,status}         latest-ending run, 0 for
//                                                                     the other final statuses
//   calypso_pipeline_last_run_end_time_seconds{experiment}            its end (Unix seconds)
//   calypso_pipeline_step_last_end_time_seconds{experiment,step}
// Labels are experiment names, run types and step names, never run ids; each family keeps
// at most 1,000 label sets (then "other").

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "runs/run_event.h"

namespace calypso::runs {

class RunMetrics {
  public:
    explicit RunMetrics(core::MetricsRegistry& registry);

    // A run reached a final status for the first time (live events only).
    void CountFinished(const RunRecord& r);
    // A finished run whose duration and (for a step) name are known: durations, and the
    // last-status gauges if it ended after the last one seen. `live` false (rebuilding at
    // startup) sets the gauges only.
    void ObserveFinished(const RunRecord& r, bool live);

  private:
    static constexpr size_t kMaxLastKeys = 4096;

    core::CounterFamily& runs_;
    core::HistogramFamily& run_duration_;
    core::HistogramFamily& step_duration_;
    core::GaugeFamily& run_status_;
    core::GaugeFamily& step_status_;
    core::GaugeFamily& run_end_;
    core::GaugeFamily& step_end_;

    std::mutex mu_;
    std::map<std::vector<std::string>, int64_t> last_end_;  // labels -> end time (ticks)
};

// The experiment label of a run: its name, else its id, else "unknown".
std::string ExperimentLabel(const RunRecord& r);

}  // namespace calypso::runs
