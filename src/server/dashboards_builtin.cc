// The four built-in dashboards, one per team. Every query runs against a server filled by
// `calypso demo` (the web UI's browser test opens each tile); they use only KQL that
// docs/kql.md lists as done. A pipeline run's state is its latest PipelineRuns row
// (arg_max by RunId), since each status change adds a row.
#include <cstdio>
#include <cstdlib>

#include "server/dashboards.h"

namespace calypso::server {

using core::Dynamic;

namespace {

struct TileSpec {
    const char* title;
    const char* visualization;
    int x, y, w, h;
    const char* query;
    const char* timespan = "P7D";
};

struct DashboardSpec {
    const char* id;
    const char* title;
    int refresh;
    std::vector<TileSpec> tiles;
};

constexpr const char* kLatestPipelineRuns =
    "PipelineRuns\n| where RunType == 'azureml.PipelineRun'\n"
    "| summarize arg_max(TimeGenerated, *) by RunId\n";
constexpr const char* kLatestTestRuns =
    "PipelineRuns\n| where RunType == 'azureml.PipelineRun'\n"
    "| where ExperimentName contains 'test' or ExperimentName contains 'validation'\n"
    "| summarize arg_max(TimeGenerated, *) by RunId\n";

std::string Cat(const char* a, const char* b) { return std::string(a) + b; }

std::vector<DashboardSpec> Specs() {
    static const std::string failed_runs =
        Cat(kLatestPipelineRuns,
            "| where Status == 'Failed'\n| project EndTime, ExperimentName, RunId\n"
            "| order by EndTime desc");
    static const std::string failed_over_time =
        Cat(kLatestPipelineRuns,
            "| summarize Failed = countif(Status == 'Failed') by bin(StartTime, 6h)\n"
            "| render timechart");
    static const std::string durations =
        Cat(kLatestPipelineRuns,
            "| where Status in ('Completed', 'Failed')\n"
            "| project StartTime, ExperimentName, Minutes = round(ExecutionTimeMs / 60000.0, 1)\n"
            "| render scatterchart");
    static const std::string duration_by_exp =
        Cat(kLatestPipelineRuns,
            "| where Status in ('Completed', 'Failed')\n"
            "| summarize AvgMinutes = round(avg(ExecutionTimeMs) / 60000.0, 1),\n"
            "    P95Minutes = round(percentile(ExecutionTimeMs, 95) / 60000.0, 1) by ExperimentName\n"
            "| order by AvgMinutes desc\n| render columnchart");
    static const std::string test_results =
        Cat(kLatestTestRuns, "| summarize Runs = count() by Status\n| render piechart");
    static const std::string test_pass_rate =
        Cat(kLatestTestRuns,
            "| where Status in ('Completed', 'Failed')\n"
            "| summarize PassRate = round(100.0 * countif(Status == 'Completed') / count(), 1)");
    static const std::string test_over_time =
        Cat(kLatestTestRuns,
            "| summarize Runs = count() by bin(StartTime, 6h), Status\n| render timechart");
    static const std::string recent_runs =
        Cat(kLatestPipelineRuns,
            "| project StartTime, EndTime, ExperimentName, Status, RunId\n"
            "| order by StartTime desc\n| take 50");
    return {
        {"engineering",
         "Engineering",
         60,
         // make-series fills the hours without ingestion with zeros, so the rate is a
         // line even when everything arrived in one hour.
         {{"Ingested rows per table per hour (last 24 h)", "timechart", 0, 0, 8, 4,
           "Usage\n| make-series Rows = sum(Rows) default = 0 on TimeGenerated\n"
           "    from bin(ago(24h), 1h) to now() step 1h by DataType\n"
           "| mv-expand TimeGenerated to typeof(datetime), Rows to typeof(long)\n"
           "| project TimeGenerated, DataType, Rows\n| render timechart",
           "P1D"},
          {"Rejected items", "stat", 8, 0, 4, 2,
           "CalypsoRejections\n| summarize Rejected = sum(Count)"},
          {"Rejections by table and reason", "table", 8, 2, 4, 2,
           "CalypsoRejections\n| summarize Items = sum(Count) by Table, Reason\n"
           "| order by Items desc"},
          {"Exceptions over time (6 h bins)", "timechart", 0, 4, 6, 4,
           "exceptions\n| summarize Exceptions = count() by bin(timestamp, 6h), type\n"
           "| render timechart"},
          {"Failed pipeline runs (6 h bins)", "timechart", 6, 4, 6, 4, failed_over_time.c_str()},
          {"Failed runs", "table", 0, 8, 12, 4, failed_runs.c_str()},
          // LAQueryLogs: one row per query the APIs answered (the UI's own included).
          {"Query latency (ms), p50 and p95 per 5 min", "timechart", 0, 12, 7, 4,
           "LAQueryLogs\n"
           "| summarize p50 = percentile(ResponseDurationMs, 50),\n"
           "    p95 = percentile(ResponseDurationMs, 95) by bin(TimeGenerated, 5m)\n"
           "| render timechart",
           "P1D"},
          {"Slowest queries (24 h)", "table", 7, 12, 5, 4,
           "LAQueryLogs\n| top 10 by ResponseDurationMs\n"
           "| project TimeGenerated, Ms = round(ResponseDurationMs, 1), ResponseCode,\n"
           "    ResponseRowCount, QueryText = substring(QueryText, 0, 200)",
           "P1D"}}},
        {"data-science",
         "Data science",
         300,
         {{"Run durations (minutes) by experiment", "scatterchart", 0, 0, 6, 4, durations.c_str()},
          {"Average and p95 duration by experiment", "columnchart", 6, 0, 6, 4,
           duration_by_exp.c_str()},
          {"Loss and accuracy by epoch", "linechart", 0, 4, 6, 4,
           "customMetrics\n| where name in ('loss', 'accuracy')\n"
           "| extend epoch = toint(customDimensions.epoch)\n"
           "| summarize value = avg(value) by epoch, name\n| order by epoch asc\n"
           "| render linechart"},
          {"Loss and accuracy over time", "timechart", 6, 4, 6, 4,
           "customMetrics\n| where name in ('loss', 'accuracy')\n"
           "| summarize value = avg(value) by bin(timestamp, 1h), name\n| render timechart"},
          {"Failure rate by step (%)", "barchart", 0, 8, 12, 4,
           "PipelineRuns\n| where RunType == 'azureml.StepRun' and Status in ('Completed', 'Failed')\n"
           "| summarize arg_max(TimeGenerated, *) by RunId\n"
           "| summarize Runs = count(), Failed = countif(Status == 'Failed') by StepName\n"
           "| extend FailureRate = round(100.0 * Failed / Runs, 1)\n"
           "| project StepName, FailureRate\n| order by FailureRate desc\n| render barchart"}}},
        {"qa",
         "QA",
         60,
         {{"Test pipeline results", "piechart", 0, 0, 4, 4, test_results.c_str()},
          {"Test runs over time", "timechart", 4, 0, 5, 4, test_over_time.c_str()},
          {"Test pass rate (%)", "stat", 9, 0, 3, 2, test_pass_rate.c_str()},
          {"Failed test steps", "table", 0, 4, 12, 3,
           "PipelineRuns\n| where RunType == 'azureml.StepRun'\n"
           "| summarize arg_max(TimeGenerated, *) by RunId\n"
           "| where Status == 'Failed' and StepName contains 'test'\n"
           "| project EndTime, StepName, PipelineRunId\n| order by EndTime desc"},
          {"Recent run starts and ends", "table", 0, 7, 12, 5, recent_runs.c_str()}}},
        {"analysis",
         "Analysis",
         300,
         {{"Data volume per table (MB)", "barchart", 0, 0, 6, 4,
           "Usage\n| summarize MB = round(sum(Quantity), 3) by DataType\n| order by MB desc\n"
           "| render barchart",
           "P30D"},
          {"Data volume per table per day", "table", 6, 0, 6, 4,
           "Usage\n| summarize Rows = sum(Rows), MB = round(sum(Quantity), 3)\n"
           "    by Day = startofday(TimeGenerated), DataType\n| order by Day desc, MB desc",
           "P30D"},
          {"Model registrations and deployments", "columnchart", 0, 4, 4, 4,
           "union AmlModelRegisteredEvent, AmlModelDeployedEvent\n"
           "| summarize Events = count() by Type\n| render columnchart",
           "P30D"},
          {"Registered models", "table", 4, 4, 4, 4,
           "AmlModelRegisteredEvent\n| project TimeGenerated, ModelName, ModelVersion\n"
           "| order by TimeGenerated desc",
           "P30D"},
          {"Deployments", "table", 8, 4, 4, 4,
           "AmlModelDeployedEvent\n| project TimeGenerated, ServiceName, ServiceComputeType, "
           "ModelIds\n| order by TimeGenerated desc",
           "P30D"}}},
    };
}

}  // namespace

const std::vector<Dynamic>& BuiltinDashboards() {
    static const std::vector<Dynamic> all = [] {
        std::vector<Dynamic> out;
        for (const auto& spec : Specs()) {
            Dynamic::Array tiles;
            for (const auto& t : spec.tiles) {
                tiles.push_back(Dynamic::MakeObject({{"title", Dynamic::String(t.title)},
                                                     {"query", Dynamic::String(t.query)},
                                                     {"timespan", Dynamic::String(t.timespan)},
                                                     {"visualization", Dynamic::String(t.visualization)},
                                                     {"x", Dynamic::Long(t.x)},
                                                     {"y", Dynamic::Long(t.y)},
                                                     {"w", Dynamic::Long(t.w)},
                                                     {"h", Dynamic::Long(t.h)}}));
            }
            auto d = ValidateDashboard(
                spec.id, Dynamic::MakeObject({{"title", Dynamic::String(spec.title)},
                                              {"refresh", Dynamic::Long(spec.refresh)},
                                              {"tiles", Dynamic::MakeArray(std::move(tiles))}}));
            if (!d.ok()) {  // a programming error, caught by the unit test
                std::fprintf(stderr, "calypso: built-in dashboard %s: %s\n", spec.id,
                             d.status().ToString().c_str());
                std::abort();
            }
            out.push_back(*std::move(d));
        }
        return out;
    }();
    return all;
}

}  // namespace calypso::server
