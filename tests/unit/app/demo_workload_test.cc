// The demo's simulated workspace: run structure, the lifecycle of every run, failing steps,
// the telemetry's dimensions, and that Calypso's own decoders accept all of it.
#include "app/demo_workload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "app/demo_catalog.h"
#include "app/demo_command.h"
#include "app/demo_telemetry.h"
#include "core/time.h"
#include "ingest/appinsights.h"
#include "ingest/eventgrid.h"
#include "ingest/logs_ingestion.h"
#include "ingest/tables.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;

constexpr const char* kIKey = "11111111-2222-4333-8444-555555555555";
const int64_t kNow = *core::ParseDatetime("2026-11-20T12:00:00Z");

std::string Text(const Dynamic& d, std::initializer_list<const char*> path) {
    const Dynamic* v = &d;
    for (const char* key : path) {
        v = v->Find(key);
        if (v == nullptr) return "<missing " + std::string(key) + ">";
    }
    return v->ToText();
}

// Every run of a two-day window, with what it renders to.
struct Rendered {
    PipelineRun run;
    std::vector<Item> items;
};
std::vector<Rendered> TwoDays(uint64_t seed) {
    Workload w(seed, kIKey);
    std::vector<Rendered> out;
    for (const auto& [e, start] : w.Schedule(kNow - 2 * core::kTicksPerDay, kNow)) {
        Rendered r;
        r.run = w.Plan(e, start);
        r.items = w.Render(r.run);
        out.push_back(std::move(r));
    }
    return out;
}

std::string Json(const std::vector<Item>& items, Channel channel) {
    std::string body = "[";
    for (const auto& i : items) {
        if (i.channel != channel) continue;
        if (body.size() > 1) body += ',';
        i.body.AppendJson(body);
    }
    return body + "]";
}

TEST(DemoCatalogTest, ExperimentsHaveThreeToSixStepsOnCpuAndGpu) {
    const Catalog& c = DemoCatalog();
    ASSERT_GE(c.experiments.size(), 4u);
    bool gpu = false, cpu = false;
    for (const auto& e : c.experiments) {
        EXPECT_GE(e.steps.size(), 3u) << e.name;
        EXPECT_LE(e.steps.size(), 6u) << e.name;
        for (const auto& s : e.steps) {
            (c.clusters.at(s.cluster).gpu ? gpu : cpu) = true;
            // A step that can fail knows how (its exception and stack).
            if (s.fail_weight > 0) {
                EXPECT_FALSE(s.failure.type.empty()) << s.name;
                EXPECT_FALSE(s.failure.frames.empty()) << s.name;
            }
        }
    }
    EXPECT_TRUE(gpu);
    EXPECT_TRUE(cpu);
}

TEST(DemoWorkloadTest, SameSeedSameTelemetryOtherSeedOther) {
    auto a = TwoDays(7), b = TwoDays(7), c = TwoDays(8);
    ASSERT_EQ(a.size(), b.size());
    ASSERT_FALSE(a.empty());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].run.run_id, b[i].run.run_id);
        ASSERT_EQ(a[i].items.size(), b[i].items.size());
        for (size_t j = 0; j < a[i].items.size(); ++j) {
            ASSERT_EQ(a[i].items[j].body.ToJson(), b[i].items[j].body.ToJson());
        }
    }
    EXPECT_NE(a.front().run.run_id, c.front().run.run_id);
}

TEST(DemoWorkloadTest, ScheduleCoversTheWindowForEveryExperiment) {
    Workload w(1, kIKey);
    const int64_t from = kNow - 2 * core::kTicksPerDay;
    auto starts = w.Schedule(from, kNow);
    std::set<size_t> seen;
    for (size_t i = 0; i < starts.size(); ++i) {
        EXPECT_GE(starts[i].second, from);
        EXPECT_LT(starts[i].second, kNow);
        if (i > 0) {
            EXPECT_LE(starts[i - 1].second, starts[i].second);
        }
        seen.insert(starts[i].first);
    }
    EXPECT_EQ(seen.size(), DemoCatalog().experiments.size());
}

// Per run: the Event Grid lifecycle, deduplicated by event id, is complete and in time
// order; a failed run stops at its failed step.
TEST(DemoWorkloadTest, EveryRunHasAConsistentLifecycle) {
    size_t failed_runs = 0, completed_runs = 0, duplicates = 0, late_running = 0;
    for (const auto& r : TwoDays(3)) {
        const ExperimentSpec& spec = DemoCatalog().experiments[r.run.experiment];
        std::map<std::string, std::vector<std::pair<std::string, int64_t>>> statuses;
        std::map<std::string, int> completed_events;
        std::map<std::string, int64_t> running_due, terminal_due;
        std::set<std::string> ids;
        for (const auto& item : r.items) {
            if (item.channel != Channel::kEventGrid) continue;
            const Dynamic& e = item.body;
            const std::string type = Text(e, {"eventType"});
            if (type != ingest::kRunStatusChanged && type != ingest::kRunCompleted) continue;
            const std::string run_id = Text(e, {"data", "runId"});
            const std::string status = Text(e, {"data", "runStatus"});
            if (type == ingest::kRunStatusChanged && status == "Running") {
                running_due[run_id] = item.due;
            } else if (status == "Completed" || status == "Failed") {
                terminal_due[run_id] = item.due;
            }
            if (!ids.insert(Text(e, {"id"})).second) {
                ++duplicates;
                continue;
            }
            EXPECT_EQ(Text(e, {"topic"}), DemoCatalog().workspaces[spec.workspace].ArmId());
            EXPECT_EQ(Text(e, {"subject"}), "experiments/" + spec.id + "/runs/" + run_id);
            const int64_t t = *core::ParseDatetime(Text(e, {"eventTime"}));
            if (type == ingest::kRunCompleted) {
                ++completed_events[run_id];
            } else {
                statuses[run_id].emplace_back(status, t);
            }
            if (run_id != r.run.run_id) {
                EXPECT_EQ(Text(e, {"data", "runTags", "azureml.pipelinerunid"}), r.run.run_id);
                EXPECT_EQ(Text(e, {"data", "runType"}), "azureml.StepRun");
            } else {
                EXPECT_EQ(Text(e, {"data", "runType"}), "azureml.PipelineRun");
            }
        }
        for (const auto& [id, due] : running_due) late_running += due > terminal_due[id];

        const auto& pipeline = statuses[r.run.run_id];
        ASSERT_EQ(pipeline.size(), 2u);
        EXPECT_EQ(pipeline[0].first, "Running");
        EXPECT_EQ(pipeline[1].first, r.run.failed ? "Failed" : "Completed");
        EXPECT_EQ(completed_events[r.run.run_id], r.run.failed ? 0 : 1);
        ASSERT_FALSE(r.run.steps.empty());
        if (r.run.failed) {
            ++failed_runs;
            EXPECT_TRUE(r.run.steps.back().failed);
        } else {
            ++completed_runs;
            EXPECT_EQ(r.run.steps.size(), spec.steps.size());
        }
        for (size_t i = 0; i < r.run.steps.size(); ++i) {
            const StepRun& step = r.run.steps[i];
            EXPECT_EQ(step.failed, r.run.failed && i + 1 == r.run.steps.size());
            // Delivery order may differ; the event times tell the true order.
            auto seen = statuses[step.run_id];
            std::sort(seen.begin(), seen.end(),
                      [](const auto& a, const auto& b) { return a.second < b.second; });
            ASSERT_EQ(seen.size(), 4u) << step.run_id;
            const char* expected[] = {"Queued", "Preparing", "Running",
                                      step.failed ? "Failed" : "Completed"};
            for (size_t k = 0; k < 4; ++k) {
                EXPECT_EQ(seen[k].first, expected[k]);
            }
            EXPECT_GT(seen[3].second - seen[2].second, 0);  // it ran for a while
            EXPECT_EQ(completed_events[step.run_id], step.failed ? 0 : 1);
            if (i > 0) {
                EXPECT_GT(step.queued, r.run.steps[i - 1].end);
            }
        }
        EXPECT_GT(r.run.end, r.run.steps.back().end);
    }
    EXPECT_GT(failed_runs, 0u);
    EXPECT_GT(completed_runs, failed_runs);
    EXPECT_GT(duplicates, 0u);    // at-least-once delivery
    EXPECT_GT(late_running, 0u);  // and out of order
}

TEST(DemoWorkloadTest, StepTelemetryCarriesTheRunDimensions) {
    size_t exceptions = 0, epochs_checked = 0;
    for (const auto& r : TwoDays(5)) {
        const ExperimentSpec& spec = DemoCatalog().experiments[r.run.experiment];
        std::map<std::string, const StepRun*> steps;
        for (const auto& s : r.run.steps) steps[s.run_id] = &s;
        std::map<std::string, int> exceptions_by_step, errors_by_step;
        std::map<std::string, std::set<std::string>> loss_epochs;
        for (const auto& item : r.items) {
            if (item.channel != Channel::kTrack) continue;
            const Dynamic& env = item.body;
            EXPECT_EQ(Text(env, {"iKey"}), kIKey);
            EXPECT_EQ(Text(env, {"tags", "ai.internal.sdkVersion"}), "py3.8.18:oc0.7.13:ext1.0.4");
            const Dynamic& props = *env.Find("data")->Find("baseData")->Find("properties");
            const std::string step_id = Text(props, {"step_id"});
            ASSERT_TRUE(steps.count(step_id)) << env.ToJson();
            const StepRun& step = *steps[step_id];
            EXPECT_EQ(Text(props, {"parent_run_id"}), r.run.run_id);
            EXPECT_EQ(Text(props, {"step_name"}), spec.steps[step.spec].name);
            EXPECT_EQ(Text(props, {"experiment_name"}), spec.name);
            EXPECT_NE(Text(props, {"run_url"}).find(r.run.run_id), std::string::npos);
            EXPECT_EQ(Text(props, {"build_version"}), r.run.build_version);
            EXPECT_EQ(Text(props, {"run_type"}), "azureml.StepRun");
            const int64_t t = *core::ParseDatetime(Text(env, {"time"}));
            EXPECT_GE(t, step.running);
            EXPECT_LE(t, step.end);
            const std::string type = Text(env, {"data", "baseType"});
            if (type == "ExceptionData") {
                ++exceptions_by_step[step_id];
                const Dynamic& ex = *env.Find("data")->Find("baseData")->Find("exceptions")->At(0);
                EXPECT_EQ(Text(ex, {"typeName"}), spec.steps[step.spec].failure.type);
                EXPECT_GE(ex.Find("parsedStack")->as_array().size(), 2u);
                EXPECT_EQ(Text(env, {"data", "baseData", "severityLevel"}), "3");
            } else if (type == "MessageData") {
                EXPECT_EQ(Text(props, {"module"}) + ".py", spec.steps[step.spec].script);
                if (Text(env, {"data", "baseData", "severityLevel"}) == "3")
                    ++errors_by_step[step_id];
            } else if (type == "MetricData") {
                const Dynamic& m = *env.Find("data")->Find("baseData")->Find("metrics")->At(0);
                if (Text(m, {"name"}) == "loss")
                    loss_epochs[step_id].insert(Text(props, {"epoch"}));
            }
        }
        for (const auto& step : r.run.steps) {
            EXPECT_EQ(exceptions_by_step[step.run_id], step.failed ? 1 : 0);
            EXPECT_EQ(errors_by_step[step.run_id], step.failed ? 1 : 0);
            exceptions += step.failed;
            const StepSpec& s = spec.steps[step.spec];
            if (s.epochs > 0 && !step.failed) {
                EXPECT_EQ(loss_epochs[step.run_id].size(), static_cast<size_t>(s.epochs));
                EXPECT_TRUE(loss_epochs[step.run_id].count("1"));
                ++epochs_checked;
            }
        }
    }
    EXPECT_GT(exceptions, 0u);
    EXPECT_GT(epochs_checked, 0u);
}

// What the demo sends must be what Calypso accepts: run it through the real decoders.
TEST(DemoWorkloadTest, CalypsoDecodersAcceptEverything) {
    std::vector<Item> all;
    for (auto& r : TwoDays(11)) {
        for (auto& i : r.items) all.push_back(std::move(i));
    }
    auto track = ingest::DecodeTrack(Json(all, Channel::kTrack), [](std::string_view key) {
        return key == kIKey ? std::optional<ingest::AppInfo>(ingest::AppInfo{"default", "id"})
                            : std::nullopt;
    });
    ASSERT_TRUE(track.ok()) << track.status().message();
    EXPECT_GT(track->items_received, 1000u);
    EXPECT_TRUE(track->errors.empty()) << track->errors.front().message;
    std::set<std::string> tables;
    for (const auto& b : track->batches) tables.insert(b.table);
    EXPECT_EQ(tables, (std::set<std::string>{"traces", "customMetrics", "exceptions"}));

    auto events = ingest::DecodeEventGrid(Json(all, Channel::kEventGrid), kNow);
    ASSERT_TRUE(events.ok()) << events.status().message();
    EXPECT_TRUE(events->errors.empty()) << events->errors.front().ToString();
    std::set<std::string> types;
    for (const auto& e : events->events) types.insert(e.event_type);
    EXPECT_TRUE(types.count(std::string(ingest::kModelRegistered)));
    EXPECT_TRUE(types.count(std::string(ingest::kDatasetDriftDetected)));

    for (auto [channel, table] : {std::pair{Channel::kComputeJobs, "AmlComputeJobEvent"},
                                  std::pair{Channel::kClusterEvents, "AmlComputeClusterEvent"}}) {
        auto rows = ingest::ParseRowArray(Json(all, channel));
        ASSERT_TRUE(rows.ok());
        ASSERT_FALSE(rows->empty());
        auto batch = ingest::RowsToBatch(table, ingest::FindBuiltinTable(table)->schema, *rows,
                                         {"tenant", kNow});
        EXPECT_TRUE(batch.errors.empty())
            << table << ": " << batch.errors.front().field << ": " << batch.errors.front().message;
    }
}

TEST(DemoWorkloadTest, ClusterRowsScaleUpAndNameTheirWorkspace) {
    size_t growing = 0;
    std::set<std::string> workspaces;
    for (const auto& r : TwoDays(2)) {
        for (const auto& item : r.items) {
            if (item.channel != Channel::kClusterEvents) continue;
            const Dynamic& row = item.body;
            if (row.Find("TargetNodeCount")->as_long() > row.Find("CurrentNodeCount")->as_long()) {
                ++growing;
            }
            // Workspace=tostring(split(_ResourceId, "/")[8])
            std::string id = Text(row, {"_ResourceId"});
            std::vector<std::string> parts;
            size_t pos = 0;
            for (size_t slash; (slash = id.find('/', pos)) != std::string::npos; pos = slash + 1) {
                parts.push_back(id.substr(pos, slash - pos));
            }
            parts.push_back(id.substr(pos));
            ASSERT_EQ(parts.size(), 9u) << id;
            workspaces.insert(parts[8]);
        }
    }
    EXPECT_GT(growing, 0u);
    EXPECT_EQ(workspaces, (std::set<std::string>{"mlw-churn-prod", "mlw-vision-dev"}));
}

TEST(DemoWorkloadTest, IsoTimeKeepsTheDigitsEachSenderUses) {
    const int64_t t = *core::ParseDatetime("2025-03-14T09:00:05.4021873Z");
    EXPECT_EQ(IsoTime(t, 7), "2025-03-14T09:00:05.4021873Z");
    EXPECT_EQ(IsoTime(t, 6), "2025-03-14T09:00:05.402187Z");
    EXPECT_EQ(IsoTime(*core::ParseDatetime("2025-03-14T09:00:05Z"), 6),
              "2025-03-14T09:00:05.000000Z");
}

TEST(DemoCommandTest, ParsesBackfillDurations) {
    EXPECT_EQ(*ParseBackfill("14d"), 14 * core::kTicksPerDay);
    EXPECT_EQ(*ParseBackfill("12h"), 12 * core::kTicksPerHour);
    EXPECT_EQ(*ParseBackfill("90m"), 90 * core::kTicksPerMinute);
    EXPECT_EQ(*ParseBackfill("0"), 0);
    EXPECT_EQ(*ParseBackfill("P2D"), 2 * core::kTicksPerDay);
    for (const char* bad : {"", "14", "d", "-1d", "3x", "14 d"}) {
        auto r = ParseBackfill(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.status().message().find("--backfill"), std::string::npos);
    }
}

TEST(DemoCommandTest, ReadsTheDefaultWorkspaceKeyOrSaysWhyNot) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("calypso-demo-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    EXPECT_FALSE(DefaultWorkspaceKey(dir.string()).ok());
    std::ofstream(dir / "workspaces.json")
        << R"({"workspaces":[{"name":"default","id":"abc","ikey":")" << kIKey << R"("}]})";
    auto key = DefaultWorkspaceKey(dir.string());
    ASSERT_TRUE(key.ok()) << key.status().message();
    EXPECT_EQ(*key, kIKey);
    std::ofstream(dir / "workspaces.json") << "{not json";
    EXPECT_FALSE(DefaultWorkspaceKey(dir.string()).ok());
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace calypso::app::demo
