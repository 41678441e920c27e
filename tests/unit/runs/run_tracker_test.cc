#include "runs/run_tracker.h"

#include <gtest/gtest.h>

#include <random>

#include "../ingest/eventgrid_test_util.h"
#include "core/time.h"
#include "server/run_events.h"

namespace calypso::runs {
namespace {

using ingest::AmlEvent;
using ingest::testing::DecodeAll;
using ingest::testing::FakeStore;
using ingest::testing::FixtureBodies;

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

// The tracker as the server feeds it: the raw rows by ingest, the records by runs.
core::Result<RunIngestOutcome> Ingest(RunTracker& tracker, const std::vector<AmlEvent>& events) {
    return server::IngestAmlEvents(tracker, events);
}

// A clock shortly after the fixtures' runs, so that none is old enough to be forgotten.
RunTrackerOptions FixtureClock() {
    RunTrackerOptions o;
    o.now = [] { return Time("2025-03-16T00:00:00Z"); };
    return o;
}

RunRecord Ingested(RunTracker& tracker, const std::vector<AmlEvent>& events, const char* run) {
    auto r = Ingest(tracker, events);
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
            ASSERT_TRUE(Ingest(ordered, {e}).ok());
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
            ASSERT_TRUE(Ingest(shuffled, batch).ok());
        }
        EXPECT_EQ(shuffled.run_count(), ordered.run_count());
        for (const char* run :
             {kPipeline, kPrep, kTrain, kRegister, kFailedPipeline, kFailedTrain}) {
            EXPECT_EQ(shuffled.Find(run), ordered.Find(run)) << run << " seed " << seed;
        }
        EXPECT_EQ(store.Rows("AmlEventGridEvent"), 29u) << "each event stored once";
        // Everything again: nothing new.
        auto again = Ingest(shuffled, Everything());
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
        ASSERT_TRUE(Ingest(tracker, {train[i]}).ok());
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
    for (const auto& e : train) ASSERT_TRUE(Ingest(tracker, {e}).ok());
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
    auto r = Ingest(tracker, events);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kLimitExceeded);
    EXPECT_EQ(tracker.run_count(), 0u);
    store.refuse = core::Status::Ok();
    auto retry = Ingest(tracker, events);
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->stored, 18u);
    EXPECT_EQ(tracker.Find(kTrain)->ExecutionTimeMs(), 765428);
}

TEST(RunTracker, RebuildFromStoredEvents) {
    FakeStore store;
    RunTracker first(store);
    ASSERT_TRUE(Ingest(first, Lifecycle("eventgrid-schema", "success")).ok());
    ASSERT_TRUE(Ingest(first, Lifecycle("cloudevents-schema", "failure")).ok());
    const size_t rows = store.Rows("PipelineRuns");

    RunTracker second(store, nullptr, FixtureClock());
    ASSERT_TRUE(server::RebuildRuns(second, store).ok());
    EXPECT_EQ(store.Rows("PipelineRuns"), rows) << "rebuilding appends nothing";
    EXPECT_EQ(second.run_count(), first.run_count());
    for (const char* run : {kPipeline, kTrain, kFailedPipeline, kFailedTrain}) {
        EXPECT_EQ(second.Find(run), first.Find(run)) << run;
    }
    auto again = Ingest(second, Lifecycle("cloudevents-schema", "success"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->stored, 0u);
    EXPECT_EQ(again->runs_changed, 0u);
}

TEST(RunTracker, VersionTimesIncreasePerRun) {
    FakeStore store;
    RunTracker tracker(store);
    for (const auto& e : Lifecycle("eventgrid-schema", "success")) {
        ASSERT_TRUE(Ingest(tracker, {e}).ok());
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

// The StepName column of every PipelineRuns row of `run`, in append order.
std::vector<std::string> StepNameRows(FakeStore& store, const char* run) {
    std::vector<std::string> out;
    for (const auto& b : store.Batches("PipelineRuns")) {
        const auto& ids = b.columns[*b.schema.IndexOf("RunId")];
        const auto& names = b.columns[*b.schema.IndexOf("StepName")];
        for (size_t i = 0; i < b.num_rows(); ++i) {
            if (ids.string_at(i) == run) out.emplace_back(names.string_at(i));
        }
    }
    return out;
}

TEST(RunTracker, StepNameFromLogsBeforeTheEvents) {
    FakeStore store;
    RunTracker tracker(store);
    const std::vector<StepName> names = {{kTrain, "train_model"}};
    auto learned = tracker.LearnStepNames(names);
    ASSERT_TRUE(learned.ok());
    EXPECT_EQ(*learned, 0u) << "no record yet: the name waits for the run";
    EXPECT_EQ(store.Rows("PipelineRuns"), 0u);
    RunRecord train = Ingested(tracker, Lifecycle("eventgrid-schema", "success"), kTrain);
    EXPECT_EQ(train.step_name, "train_model");
    EXPECT_EQ(StepNameRows(store, kTrain), std::vector<std::string>{"train_model"});
    EXPECT_EQ(tracker.Find(kPrep)->step_name, "");
}

TEST(RunTracker, StepNameFromLogsAfterTheEvents) {
    FakeStore store;
    RunTracker tracker(store);
    for (const auto& e : Lifecycle("eventgrid-schema", "success")) {
        ASSERT_TRUE(Ingest(tracker, {e}).ok());
    }
    const size_t rows = store.Rows("PipelineRuns");
    const std::vector<StepName> names = {{kPrep, "prep_data"}, {"unknown-run", "x"}};
    auto learned = tracker.LearnStepNames(names);
    ASSERT_TRUE(learned.ok());
    EXPECT_EQ(*learned, 1u);
    EXPECT_EQ(store.Rows("PipelineRuns"), rows + 1);
    EXPECT_EQ(tracker.Find(kPrep)->step_name, "prep_data");
    EXPECT_EQ(tracker.Find(kPrep)->status, "Completed") << "the rest of the record is kept";
    EXPECT_EQ(StepNameRows(store, kPrep).back(), "prep_data");
    // The same name again (every log line carries it) changes nothing.
    learned = tracker.LearnStepNames(names);
    ASSERT_TRUE(learned.ok());
    EXPECT_EQ(*learned, 0u);
    EXPECT_EQ(store.Rows("PipelineRuns"), rows + 1);

    // A refused append remembers nothing; the next log line tries again.
    store.refuse = core::Status::LimitExceeded("full");
    const std::vector<StepName> train = {{kTrain, "train_model"}};
    EXPECT_FALSE(tracker.LearnStepNames(train).ok());
    EXPECT_EQ(tracker.Find(kTrain)->step_name, "");
    store.refuse = core::Status::Ok();
    ASSERT_TRUE(tracker.LearnStepNames(train).ok());
    EXPECT_EQ(tracker.Find(kTrain)->step_name, "train_model");

    // The name survives a restart (read back from PipelineRuns), and a later row of the
    // run sorts after the stored ones.
    RunTracker second(store, nullptr, FixtureClock());
    ASSERT_TRUE(server::RebuildRuns(second, store).ok());
    EXPECT_EQ(second.Find(kPrep)->step_name, "prep_data");
    EXPECT_EQ(second.Find(kTrain)->step_name, "train_model");
}

TEST(RunTracker, TimeGeneratedIsEventTime) {
    FakeStore store;
    RunTracker tracker(store);
    ASSERT_TRUE(Ingest(tracker, Lifecycle("eventgrid-schema", "success")).ok());
    for (const auto& b : store.Batches("PipelineRuns")) {
        const auto& times = b.columns[*b.schema.IndexOf("TimeGenerated")];
        for (size_t i = 0; i < b.num_rows(); ++i) {
            EXPECT_GE(times.int64_at(i), Time("2025-03-14T09:00:00Z"));
            EXPECT_LT(times.int64_at(i), Time("2025-03-15T00:00:00Z"))
                << "retention drops a run's rows by the time of its events";
        }
    }
}

TEST(RunTracker, ForgetsOldFinishedRunsAndTreatsTheirEventsAsDuplicates) {
    FakeStore store;
    int64_t now = Time("2025-03-15T12:00:00Z");
    RunTrackerOptions options;
    options.now = [&now] { return now; };
    RunTracker tracker(store, nullptr, options);
    ASSERT_TRUE(Ingest(tracker, Lifecycle("eventgrid-schema", "success")).ok());
    EXPECT_EQ(tracker.run_count(), 4u);
    const size_t keys = tracker.remembered_keys();
    EXPECT_EQ(keys, 18u);

    now += 49 * core::kTicksPerHour;  // past the 48 hours Event Grid could still retry
    ASSERT_TRUE(Ingest(tracker, Lifecycle("eventgrid-schema", "failure")).ok());
    EXPECT_EQ(tracker.run_count(), 3u) << "only the failed pipeline's runs are left";
    EXPECT_FALSE(tracker.Find(kTrain));
    EXPECT_EQ(tracker.remembered_keys(), 11u) << "the forgotten runs took their keys along";

    const size_t rows = store.Rows("PipelineRuns");
    auto late = Ingest(tracker, Lifecycle("cloudevents-schema", "success"));
    ASSERT_TRUE(late.ok());
    EXPECT_EQ(late->stored, 0u);
    EXPECT_EQ(late->duplicates, 18u);
    EXPECT_EQ(store.Rows("PipelineRuns"), rows) << "no partial record for a forgotten run";
}

TEST(RunTracker, RunCountAndKeysPerRunAreCapped) {
    FakeStore store;
    RunTrackerOptions options = FixtureClock();
    options.max_runs = 3;
    options.max_keys_per_run = 2;
    RunTracker tracker(store, nullptr, options);
    for (const auto& e : Everything()) ASSERT_TRUE(Ingest(tracker, {e}).ok());
    EXPECT_LE(tracker.run_count(), 3u);
    EXPECT_LE(tracker.remembered_keys(), 2u * tracker.run_count());
}

}  // namespace
}  // namespace calypso::runs
