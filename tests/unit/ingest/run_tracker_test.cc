#include "ingest/run_tracker.h"

#include <gtest/gtest.h>

#include <random>

#include "core/time.h"
#include "eventgrid_test_util.h"

namespace calypso::ingest {
namespace {

using testing::DecodeAll;
using testing::FakeStore;
using testing::FixtureBodies;

// Run ids from shared/fixtures/eventgrid/ids.json.
constexpr const char* kPipeline = "8c1f6e2a-4b7d-4a93-b5e0-2d9c7f3a1e65";
constexpr const char* kPrep = "4e7a9c12-5b3f-4d81-a6e2-9f0c1b7d3a58";
constexpr const char* kTrain = "b2d4f6a8-0c1e-4a3b-8d5f-7e9a1c3b5d70";
constexpr const char* kRegister = "c3e5a7b9-1d2f-4b4c-9e6a-8f0b2d4c6e81";
constexpr const char* kFailedPipeline = "d7a3b9c1-5e2f-4c80-a1d6-3f8b0e2c4a96";
constexpr const char* kFailedTrain = "f2a4b6d8-0e1c-4f3a-9b5d-7f9b1d3f5a24";
constexpr const char* kFailedRegisterNode = "9c0d1e2f";

int64_t Time(const char* text) { return *core::ParseDatetime(text); }

std::vector<AmlEvent> Lifecycle(const char* schema, const char* which) {
    return DecodeAll(FixtureBodies(std::string(schema) + "/lifecycle-" + which));
}

std::vector<AmlEvent> Everything() {
    std::vector<AmlEvent> all;
    for (const char* schema : {"eventgrid-schema", "cloudevents-schema"}) {
        for (const char* which : {"success", "failure"}) {
            auto part = Lifecycle(schema, which);
            all.insert(all.end(), part.begin(), part.end());
        }
    }
    return all;
}

RunRecord Ingested(RunTracker& tracker, const std::vector<AmlEvent>& events, const char* run) {
    auto r = tracker.Ingest(events);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto record = tracker.Find(run);
    EXPECT_TRUE(record.has_value()) << run;
    return record.value_or(RunRecord{});
}

TEST(RunTracker, SuccessfulPipelineInOrder) {
    FakeStore store;
    RunTracker tracker(store);
    RunRecord train = Ingested(tracker, Lifecycle("eventgrid-schema", "success"), kTrain);
    EXPECT_EQ(train.status, "Completed");
    EXPECT_EQ(train.pipeline_run_id, kPipeline);
    EXPECT_EQ(train.run_type, "azureml.StepRun");
    EXPECT_EQ(train.step_type, "PythonScriptStep");
    EXPECT_EQ(train.node_id, "5e6f7a8b");
    EXPECT_EQ(train.compute_target_type, "AmlCompute");
    EXPECT_EQ(train.experiment_name, "churn-training-pipeline");
    EXPECT_EQ(train.experiment_id, "3b9e2f4c-6a1d-4e8b-9f27-c5d0a8e1b734");
    EXPECT_EQ(train.queued_time, Time("2025-03-14T09:05:15.0213377Z"));
    EXPECT_EQ(train.start_time, Time("2025-03-14T09:09:02.4770581Z"));
    EXPECT_EQ(train.end_time, Time("2025-03-14T09:21:47.9052236Z"));
    EXPECT_EQ(train.ExecutionTimeMs(), 765428);
    EXPECT_EQ(train.properties.Find("contentSnapshotId")->as_string(),
              "7e3f9a51-2b4c-4d6e-8f90-1b2c3d4e5f60");
    EXPECT_TRUE(train.resource_id.ends_with("/workspaces/mlw-churn-prod"));

    auto pipeline = tracker.Find(kPipeline);
    ASSERT_TRUE(pipeline);
    EXPECT_EQ(pipeline->status, "Completed");
    EXPECT_EQ(pipeline->pipeline_run_id, "");
    EXPECT_EQ(pipeline->run_type, "azureml.PipelineRun");
    EXPECT_FALSE(pipeline->queued_time);
    EXPECT_EQ(pipeline->tags.Find("build_version")->as_string(), "1.4.2+20250314.3");
    EXPECT_EQ(tracker.run_count(), 4u);

    // 18 events, all stored raw (14 status changes); one delivery changes each run once.
    EXPECT_EQ(store.Rows("AmlEventGridEvent"), 18u);
    EXPECT_EQ(store.Rows("AmlRunStatusChangedEvent"), 14u);
    EXPECT_EQ(store.Rows("PipelineRuns"), 4u);
}

TEST(RunTracker, ShuffledDuplicatedAndBothSchemasGiveTheSameRecords) {
    FakeStore ordered_store;
    RunTracker ordered(ordered_store);
    for (const char* which : {"success", "failure"}) {
        for (const AmlEvent& e : Lifecycle("eventgrid-schema", which)) {
            ASSERT_TRUE(ordered.Ingest({e}).ok());
        }
    }
    for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
        std::vector<AmlEvent> events = Everything();
        auto copy = events;
        events.insert(events.end(), copy.begin(), copy.begin() + 9);
        std::shuffle(events.begin(), events.end(), std::mt19937(seed));
        FakeStore store;
        RunTracker shuffled(store);
        for (size_t i = 0; i < events.size(); i += 3) {  // deliveries of up to 3 events
            std::vector<AmlEvent> batch(
                events.begin() + static_cast<std::ptrdiff_t>(i),
                events.begin() + static_cast<std::ptrdiff_t>(std::min(i + 3, events.size())));
            ASSERT_TRUE(shuffled.Ingest(batch).ok());
        }
        EXPECT_EQ(shuffled.run_count(), ordered.run_count());
        for (const char* run :
             {kPipeline, kPrep, kTrain, kRegister, kFailedPipeline, kFailedTrain}) {
            EXPECT_EQ(shuffled.Find(run), ordered.Find(run)) << run << " seed " << seed;
        }
        EXPECT_EQ(store.Rows("AmlEventGridEvent"), 29u) << "each event stored once";
        // Everything again: nothing new.
        auto again = shuffled.Ingest(Everything());
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(again->stored, 0u);
        EXPECT_EQ(again->duplicates, 58u);
        EXPECT_EQ(again->runs_changed, 0u);
    }
}

TEST(RunTracker, CompletedBeforeRunning) {
    auto events = Lifecycle("eventgrid-schema", "success");
    std::vector<AmlEvent> train;
    for (const auto& e : events) {
        if (e.data.Find("runId")->as_string() == kTrain) train.push_back(e);
    }
    std::reverse(train.begin(), train.end());
    FakeStore store;
    RunTracker tracker(store);
    for (size_t i = 0; i < train.size(); ++i) {
        ASSERT_TRUE(tracker.Ingest({train[i]}).ok());
        if (i == 0) {  // only RunCompleted so far
            EXPECT_EQ(tracker.Find(kTrain)->status, "Completed");
            EXPECT_FALSE(tracker.Find(kTrain)->ExecutionTimeMs());
        }
    }
    RunRecord r = *tracker.Find(kTrain);
    EXPECT_EQ(r.status, "Completed");
    EXPECT_EQ(r.ExecutionTimeMs(), 765428);
    EXPECT_EQ(r.start_time, Time("2025-03-14T09:09:02.4770581Z"));
}

TEST(RunTracker, StatusIgnoresCaseAndTerminalWins) {
    auto events = Lifecycle("eventgrid-schema", "failure");
    FakeStore store;
    RunTracker tracker(store);
    // The failed step's events, "Failed" sent as "failed" and first.
    std::vector<AmlEvent> train;
    for (auto e : events) {
        if (e.data.Find("runId")->as_string() != kFailedTrain) continue;
        if (e.data.Find("runStatus")->as_string() == "Failed") {
            auto obj = e.data.as_object();
            for (auto& [k, v] : obj) {
                if (k == "runStatus") v = core::Dynamic::String("failed");
            }
            e.data = core::Dynamic::MakeObject(obj);
            train.insert(train.begin(), e);
        } else {
            train.push_back(e);
        }
    }
    for (const auto& e : train) ASSERT_TRUE(tracker.Ingest({e}).ok());
    RunRecord r = *tracker.Find(kFailedTrain);
    EXPECT_EQ(r.status, "Failed");
    EXPECT_EQ(r.end_time, Time("2025-03-15T09:14:33.2501874Z"));
    EXPECT_EQ(r.start_time, Time("2025-03-15T09:08:47.1035560Z"));
    EXPECT_EQ(r.ExecutionTimeMs(), 346146);
}

TEST(RunTracker, FailedPipeline) {
    FakeStore store;
    RunTracker tracker(store);
    RunRecord pipeline =
        Ingested(tracker, Lifecycle("cloudevents-schema", "failure"), kFailedPipeline);
    EXPECT_EQ(pipeline.status, "Failed");
    EXPECT_EQ(tracker.run_count(), 3u);  // register_model never started
    EXPECT_EQ(tracker.Find(kFailedTrain)->status, "Failed");
    for (const char* run : {kFailedPipeline, kFailedTrain}) {
        EXPECT_NE(tracker.Find(run)->node_id, kFailedRegisterNode);
    }
}

TEST(RunTracker, RefusedAppendRemembersNothing) {
    FakeStore store;
    RunTracker tracker(store);
    store.refuse = core::Status::LimitExceeded("full");
    auto events = Lifecycle("eventgrid-schema", "success");
    auto r = tracker.Ingest(events);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kLimitExceeded);
    EXPECT_EQ(tracker.run_count(), 0u);
    store.refuse = core::Status::Ok();
    auto retry = tracker.Ingest(events);
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->stored, 18u);
    EXPECT_EQ(tracker.Find(kTrain)->ExecutionTimeMs(), 765428);
}

TEST(RunTracker, RebuildFromStoredEvents) {
    FakeStore store;
    RunTracker first(store);
    ASSERT_TRUE(first.Ingest(Lifecycle("eventgrid-schema", "success")).ok());
    ASSERT_TRUE(first.Ingest(Lifecycle("cloudevents-schema", "failure")).ok());
    const size_t rows = store.Rows("PipelineRuns");

    RunTracker second(store);
    ASSERT_TRUE(second.Rebuild(store).ok());
    EXPECT_EQ(store.Rows("PipelineRuns"), rows) << "rebuilding appends nothing";
    EXPECT_EQ(second.run_count(), first.run_count());
    for (const char* run : {kPipeline, kTrain, kFailedPipeline, kFailedTrain}) {
        EXPECT_EQ(second.Find(run), first.Find(run)) << run;
    }
    auto again = second.Ingest(Lifecycle("cloudevents-schema", "success"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->stored, 0u);
    EXPECT_EQ(again->runs_changed, 0u);
}

TEST(RunTracker, VersionTimesIncreasePerRun) {
    FakeStore store;
    RunTracker tracker(store);
    for (const auto& e : Lifecycle("eventgrid-schema", "success")) {
        ASSERT_TRUE(tracker.Ingest({e}).ok());
    }
    std::map<std::string, int64_t> last;
    for (const auto& b : store.Batches("PipelineRuns")) {
        const auto& ids = b.columns[*b.schema.IndexOf("RunId")];
        const auto& times = b.columns[*b.schema.IndexOf("TimeGenerated")];
        for (size_t i = 0; i < b.num_rows(); ++i) {
            std::string id(ids.string_at(i));
            EXPECT_GT(times.int64_at(i), last[id]);
            last[id] = times.int64_at(i);
        }
    }
    EXPECT_EQ(last.size(), 4u);
    // One row per change: every status change, but not RunCompleted after Completed.
    EXPECT_EQ(store.Rows("PipelineRuns"), 14u);
}

}  // namespace
}  // namespace calypso::ingest
