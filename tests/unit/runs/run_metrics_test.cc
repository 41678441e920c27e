#include "runs/run_metrics.h"

#include <gtest/gtest.h>

#include "../ingest/eventgrid_test_util.h"
#include "runs/run_tracker.h"
#include "server/run_events.h"

namespace calypso::runs {
namespace {

using ingest::testing::DecodeAll;
using ingest::testing::FakeStore;
using ingest::testing::FixtureBodies;

constexpr const char* kExperiment = "churn-training-pipeline";

// The series of `family` with these label values, or nullptr.
const core::MetricSeries* Series(const std::vector<core::MetricFamily>& families,
                                 const std::string& family,
                                 const std::vector<std::string>& labels) {
    for (const auto& f : families) {
        if (f.name != family) continue;
        for (const auto& s : f.series) {
            if (s.label_values == labels) return &s;
        }
    }
    return nullptr;
}

void Feed(RunTracker& tracker, const char* folder) {
    auto r = server::IngestAmlEvents(tracker, DecodeAll(FixtureBodies(folder)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST(RunMetrics, FinishedRunsStepDurationsAndLastStatus) {
    core::MetricsRegistry registry;
    RunMetrics metrics(registry);
    FakeStore store;
    RunTracker tracker(store, &metrics);
    // Names of the successful run's steps come from logs before the events; the failed
    // run's train step is named after its events.
    const std::vector<StepName> before = {
        {"4e7a9c12-5b3f-4d81-a6e2-9f0c1b7d3a58", "prep_data"},
        {"b2d4f6a8-0c1e-4a3b-8d5f-7e9a1c3b5d70", "train_model"},
        {"c3e5a7b9-1d2f-4b4c-9e6a-8f0b2d4c6e81", "register_model"}};
    ASSERT_TRUE(tracker.LearnStepNames(before).ok());
    Feed(tracker, "eventgrid-schema/lifecycle-success");
    Feed(tracker, "eventgrid-schema/lifecycle-success");  // duplicates count nothing
    Feed(tracker, "cloudevents-schema/lifecycle-failure");

    auto families = registry.Collect();
    auto value = [&](const std::string& family, const std::vector<std::string>& labels) {
        const core::MetricSeries* s = Series(families, family, labels);
        EXPECT_NE(s, nullptr) << family;
        return s ? s->value : -1;
    };
    EXPECT_EQ(value("calypso_pipeline_runs", {kExperiment, "azureml.PipelineRun", "Completed"}), 1);
    EXPECT_EQ(value("calypso_pipeline_runs", {kExperiment, "azureml.PipelineRun", "Failed"}), 1);
    EXPECT_EQ(value("calypso_pipeline_runs", {kExperiment, "azureml.StepRun", "Completed"}), 4);
    EXPECT_EQ(value("calypso_pipeline_runs", {kExperiment, "azureml.StepRun", "Failed"}), 1);

    const core::MetricSeries* train =
        Series(families, "calypso_pipeline_step_duration_seconds", {kExperiment, "train_model"});
    ASSERT_NE(train, nullptr);
    EXPECT_EQ(train->count, 1u) << "the failed train step has no name yet";
    EXPECT_DOUBLE_EQ(train->sum, 765.428);

    // The failed pipeline ended last: its status is the experiment's last.
    EXPECT_EQ(value("calypso_pipeline_last_run_status", {kExperiment, "Failed"}), 1);
    EXPECT_EQ(value("calypso_pipeline_last_run_status", {kExperiment, "Completed"}), 0);
    EXPECT_EQ(value("calypso_pipeline_step_last_status", {kExperiment, "train_model", "Completed"}),
              1);
    // 2025-03-14T09:21:47.9052236Z
    EXPECT_DOUBLE_EQ(
        value("calypso_pipeline_step_last_end_time_seconds", {kExperiment, "train_model"}),
        1741944107.9052236);

    // The failed train step's name arrives from its logs: it becomes the step's last run.
    const std::vector<StepName> after = {{"f2a4b6d8-0e1c-4f3a-9b5d-7f9b1d3f5a24", "train_model"}};
    ASSERT_TRUE(tracker.LearnStepNames(after).ok());
    families = registry.Collect();
    EXPECT_EQ(
        Series(families, "calypso_pipeline_step_duration_seconds", {kExperiment, "train_model"})
            ->count,
        2u);
    EXPECT_EQ(value("calypso_pipeline_step_last_status", {kExperiment, "train_model", "Failed"}),
              1);
    EXPECT_EQ(value("calypso_pipeline_step_last_status", {kExperiment, "train_model", "Completed"}),
              0);
}

TEST(RunMetrics, ReplayRestoresGaugesWithoutCounting) {
    FakeStore store;
    {
        RunTracker first(store);
        Feed(first, "eventgrid-schema/lifecycle-success");
    }
    core::MetricsRegistry registry;
    RunMetrics metrics(registry);
    RunTrackerOptions keep;
    keep.now = [] { return *core::ParseDatetime("2025-03-16T00:00:00Z"); };
    RunTracker second(store, &metrics, keep);
    ASSERT_TRUE(server::RebuildRuns(second, store).ok());
    auto families = registry.Collect();
    EXPECT_EQ(Series(families, "calypso_pipeline_runs",
                     {kExperiment, "azureml.PipelineRun", "Completed"}),
              nullptr);
    const core::MetricSeries* last =
        Series(families, "calypso_pipeline_last_run_status", {kExperiment, "Completed"});
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(last->value, 1);
}

}  // namespace
}  // namespace calypso::runs
