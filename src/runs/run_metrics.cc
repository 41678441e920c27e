#include "runs/run_metrics.h"

#include "core/time.h"

namespace calypso::runs {
namespace {

// Pipeline steps take seconds to hours.
std::vector<double> DurationBuckets() {
    return {1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400};
}

constexpr const char* kFinalStatuses[] = {"Completed", "Failed", "Canceled"};

}  // namespace

std::string ExperimentLabel(const RunRecord& r) {
    if (!r.experiment_name.empty()) return r.experiment_name;
    if (!r.experiment_id.empty()) return r.experiment_id;
    return "unknown";
}

RunMetrics::RunMetrics(core::MetricsRegistry& registry)
    : runs_(registry.Counter("calypso_pipeline_runs",
                             "Azure ML runs that reached a final status, by experiment, run type "
                             "and status",
                             {"experiment", "run_type", "status"})),
      run_duration_(registry.Histogram("calypso_pipeline_run_duration_seconds",
                                       "Duration of finished pipeline runs (start to end)",
                                       {"experiment"}, DurationBuckets(), "seconds")),
      step_duration_(registry.Histogram("calypso_pipeline_step_duration_seconds",
                                        "Duration of finished pipeline steps (start to end)",
                                        {"experiment", "step"}, DurationBuckets(), "seconds")),
      run_status_(registry.Gauge("calypso_pipeline_last_run_status",
                                 "1 for the final status of the experiment's latest-ending "
                                 "pipeline run, 0 for the other final statuses",
                                 {"experiment", "status"})),
      step_status_(registry.Gauge("calypso_pipeline_step_last_status",
                                  "1 for the final status of the step's latest-ending run, 0 for "
                                  "the other final statuses",
                                  {"experiment", "step", "status"})),
      run_end_(registry.Gauge("calypso_pipeline_last_run_end_time_seconds",
                              "End time (Unix seconds) of the experiment's latest-ending "
                              "pipeline run",
                              {"experiment"}, "seconds")),
      step_end_(registry.Gauge("calypso_pipeline_step_last_end_time_seconds",
                               "End time (Unix seconds) of the step's latest-ending run",
                               {"experiment", "step"}, "seconds")) {}

void RunMetrics::CountFinished(const RunRecord& r) {
    runs_.With({ExperimentLabel(r), r.run_type.empty() ? "unknown" : r.run_type, r.status}).Add();
}

void RunMetrics::ObserveFinished(const RunRecord& r, bool live) {
    const bool pipeline = r.IsPipeline();
    std::vector<std::string> key = {ExperimentLabel(r)};
    if (!pipeline) key.push_back(r.step_name);
    if (live) {
        if (auto ms = r.ExecutionTimeMs()) {
            (pipeline ? run_duration_ : step_duration_)
                .With(key)
                .Observe(static_cast<double>(*ms) / 1000.0);
        }
    }
    if (!r.end_time) return;
    {
        std::lock_guard lock(mu_);
        auto it = last_end_.find(key);
        if (it == last_end_.end() && last_end_.size() >= kMaxLastKeys) {
            key.assign(key.size(), "other");
            it = last_end_.find(key);
        }
        if (it != last_end_.end() && it->second > *r.end_time) return;  // an older run
        last_end_[key] = *r.end_time;
    }
    (pipeline ? run_end_ : step_end_)
        .With(key)
        .Set(static_cast<double>(*r.end_time) / core::kTicksPerSecond);
    core::GaugeFamily& status = pipeline ? run_status_ : step_status_;
    for (const char* s : kFinalStatuses) {
        std::vector<std::string> labels = key;
        labels.push_back(s);
        status.With(labels).Set(r.status == s ? 1 : 0);
    }
}

}  // namespace calypso::runs
