// RunLogs / StepDurations (server/run_functions.h) over the built-in table schemas, and
// `.show functions` listing them.
#include "server/run_functions.h"

#include <gtest/gtest.h>

#include <map>

#include "core/time.h"
#include "format.h"
#include "ingest/tables.h"
#include "memory_source.h"
#include "server/kusto_mgmt.h"

namespace calypso::server {
namespace {

using core::Value;

int64_t Dt(const char* s) { return *core::ParseDatetime(s); }

// Rows of a built-in table: the given cells, every other column null.
class TableBuilder {
  public:
    explicit TableBuilder(const std::string& table)
        : batch_(core::Batch::Empty(ingest::FindBuiltinTable(table)->schema)) {}
    TableBuilder& Row(const std::map<std::string, Value>& cells) {
        for (size_t c = 0; c < batch_.schema.size(); ++c) {
            auto it = cells.find(batch_.schema.fields[c].name);
            if (it == cells.end()) {
                batch_.columns[c].AppendNull();
            } else {
                batch_.columns[c].Append(it->second);
            }
        }
        return *this;
    }
    core::Batch Build() { return std::move(batch_); }

  private:
    core::Batch batch_;
};

Value S(const char* s) { return Value::String(s); }
Value Dims(const char* json) { return Value::FromDynamic(*core::Dynamic::Parse(json)); }

class RunFunctionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Experiment train-exp: pipeline runs P1 (steps S1 prep, S2 train) and P2 (S3 prep,
        // S4 train); experiment other: P3 (S5 prep). A step row per state change.
        auto step = [](const char* run, const char* pipeline, const char* name,
                       const char* status, const char* time, int64_t ms) {
            std::map<std::string, Value> r{{"TimeGenerated", Value::Datetime(Dt(time))},
                                           {"RunId", S(run)},
                                           {"PipelineRunId", S(pipeline)},
                                           {"StepName", S(name)},
                                           {"Status", S(status)}};
            if (ms >= 0) r["ExecutionTimeMs"] = Value::Long(ms);
            return r;
        };
        auto pipeline = [](const char* run, const char* experiment, const char* time) {
            return std::map<std::string, Value>{{"TimeGenerated", Value::Datetime(Dt(time))},
                                                {"RunId", S(run)},
                                                {"PipelineRunId", S("")},
                                                {"ExperimentName", S(experiment)},
                                                {"Status", S("Completed")}};
        };
        TableBuilder runs("PipelineRuns");
        runs.Row(pipeline("P1", "train-exp", "2024-01-01T09:00:00Z"))
            .Row(step("S1", "P1", "prep", "Running", "2024-01-01T09:01:00Z", -1))
            .Row(step("S1", "P1", "prep", "Completed", "2024-01-01T09:02:00Z", 1000))
            .Row(step("S2", "P1", "train", "Failed", "2024-01-01T09:10:00Z", 5000))
            .Row(pipeline("P2", "train-exp", "2024-01-02T09:00:00Z"))
            .Row(step("S3", "P2", "prep", "Completed", "2024-01-02T09:02:00Z", 3000))
            .Row(step("S4", "P2", "train", "Completed", "2024-01-02T09:10:00Z", 7000))
            .Row(pipeline("P3", "other", "2024-01-03T09:00:00Z"))
            .Row(step("S5", "P3", "prep", "Completed", "2024-01-03T09:02:00Z", 99999));
        source_.AddTable("PipelineRuns", runs.Build(), "TimeGenerated");

        TableBuilder traces("traces");
        traces
            .Row({{"timestamp", Value::Datetime(Dt("2024-01-01T09:01:30Z"))},
                  {"message", S("prep started")},
                  {"severityLevel", Value::Int(2)},
                  {"customDimensions", Dims(R"({"parent_run_id":"P1","step_id":"S1"})")}})
            .Row({{"timestamp", Value::Datetime(Dt("2024-01-03T09:01:30Z"))},
                  {"message", S("other experiment")},
                  {"customDimensions", Dims(R"({"parent_run_id":"P3","step_id":"S5"})")}})
            .Row({{"timestamp", Value::Datetime(Dt("2024-01-01T09:00:10Z"))},
                  {"message", S("pipeline submitted")},
                  {"customDimensions", Dims(R"({"parent_run_id":"P1"})")}});
        source_.AddTable("traces", traces.Build(), "timestamp");
        TableBuilder exceptions("exceptions");
        exceptions.Row({{"timestamp", Value::Datetime(Dt("2024-01-01T09:09:00Z"))},
                        {"outerMessage", S("CUDA out of memory")},
                        {"customDimensions", Dims(R"({"parent_run_id":"P1","step_id":"S2"})")}});
        source_.AddTable("exceptions", exceptions.Build(), "timestamp");
        ASSERT_TRUE(RegisterRunFunctions(engine_).ok());
    }

    std::vector<std::string> Rows(const std::string& text) {
        core::QueryRequest req;
        req.text = text;
        auto r = engine_.Run(req);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> out;
        if (!r.ok()) return out;
        const auto& b = r->tables.at(0).data;
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(kql::testing::FormatRow(b, i));
        return out;
    }

    kql::testing::MemorySource source_;
    kql::Engine engine_{source_};
};

TEST_F(RunFunctionsTest, RunLogsOfAPipelineRunAndOfAStep) {
    EXPECT_EQ(Rows("RunLogs('P1') | project SourceTable, timestamp, message, outerMessage"),
              (std::vector<std::string>{
                  "traces | 2024-01-01T09:00:10Z | pipeline submitted | \"\"",
                  "traces | 2024-01-01T09:01:30Z | prep started | \"\"",
                  "exceptions | 2024-01-01T09:09:00Z | \"\" | CUDA out of memory"}));
    EXPECT_EQ(Rows("RunLogs('S2') | project outerMessage"),
              (std::vector<std::string>{"CUDA out of memory"}));
    EXPECT_EQ(Rows("RunLogs('nope') | count"), (std::vector<std::string>{"0"}));
}

TEST_F(RunFunctionsTest, StepDurationsPerStepOfAnExperiment) {
    // prep: S1 1000 ms, S3 3000 ms (the latest, Completed); train: S2 5000 Failed, S4 7000
    // Completed (the latest). p95 is the nearest rank: the larger of two values.
    EXPECT_EQ(Rows("StepDurations('train-exp')"),
              (std::vector<std::string>{
                  "prep | 2 | 2000 | 3000 | 3000 | Completed | 2024-01-02T09:02:00Z",
                  "train | 2 | 6000 | 7000 | 7000 | Completed | 2024-01-02T09:10:00Z"}));
    EXPECT_EQ(Rows("StepDurations('other') | project StepName, Runs, MaxExecutionTimeMs"),
              (std::vector<std::string>{"prep | 1 | 99999"}));
    EXPECT_TRUE(Rows("StepDurations('none')").empty());
}

// The idiom of docs/kql.md, "Runs and logs": PipelineRuns joined with traces by step id.
TEST_F(RunFunctionsTest, RunsJoinedWithLogsByStepId) {
    EXPECT_EQ(Rows(R"(PipelineRuns
| where PipelineRunId == "P1"
| summarize arg_max(TimeGenerated, StepName, Status, ExecutionTimeMs) by RunId
| join kind=leftouter (
    traces
    | where tostring(customDimensions.parent_run_id) == "P1" and severityLevel >= 2
    | summarize Problems = count() by RunId = tostring(customDimensions.step_id)
  ) on RunId
| project StepName, Status, ExecutionTimeMs, Problems = coalesce(Problems, 0)
| order by StepName asc)"),
              (std::vector<std::string>{"prep | Completed | 1000 | 1", "train | Failed | 5000 | 0"}));
}

TEST_F(RunFunctionsTest, ShowFunctionsListsThem) {
    KustoMgmtContext context;
    context.tables = &source_;
    auto b = RunKustoMgmt(".show functions", context, &engine_);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ASSERT_EQ(b->num_rows(), 2u);
    ASSERT_EQ(b->schema.size(), 5u);
    EXPECT_EQ(b->schema.fields[0].name, "Name");
    EXPECT_EQ(b->schema.fields[4].name, "DocString");
    EXPECT_EQ(kql::testing::FormatRow(*b, 0).substr(0, 29), "RunLogs | (run_id:string) | {");
    EXPECT_NE(kql::testing::FormatRow(*b, 1).find("StepDurations | (experiment:string) | {"),
              std::string::npos);
    EXPECT_NE(kql::testing::FormatRow(*b, 1).find("| Calypso/Runs | "), std::string::npos);
    auto one = RunKustoMgmt(".show function StepDurations", context, &engine_);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->num_rows(), 1u);
    auto missing = RunKustoMgmt(".show function Nope", context, &engine_);
    EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
    auto none = RunKustoMgmt(".show functions", context);  // no engine: no functions
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->num_rows(), 0u);
}

}  // namespace
}  // namespace calypso::server
