#include "plan_fixture.h"

namespace calypso::kql {
namespace {

class ExplainTest : public testing::PlanTest {};

TEST_F(ExplainTest, IndentedTreeWithScanDetails) {
    EXPECT_EQ(Explain("traces | where customDimensions.parent_run_id == 'r1' and timestamp > "
                      "ago(6h) and severityLevel >= 1 | summarize n = count() by "
                      "step = tostring(customDimensions.step) | top 3 by n"),
              "Top 3 by n desc\n"
              "  Aggregate by step=['tostring(customDimensions.step)'] [count()]\n"
              // Only the filter reads the other columns: it passes on the key alone.
              "    Project ['tostring(customDimensions.step)']\n"
              "      Filter ['tostring(customDimensions.parent_run_id)'] == \"r1\" and timestamp > "
              "datetime(2024-01-01T18:00:00Z) and severityLevel >= 1\n"
              "        Scan traces columns=[timestamp, severityLevel] "
              "keys=[tostring(customDimensions.parent_run_id), tostring(customDimensions.step)] "
              "predicates=[tostring(customDimensions.parent_run_id) == \"r1\", "
              "timestamp >= 2024-01-01T18:00:00.0000001Z, severityLevel >= 1] "
              "time=[2024-01-01T18:00:00.0000001Z, +inf)\n");
}

// A filter passes on only the columns the nodes above read (a number when they read none,
// to carry the row count), and nothing is added when it already does.
TEST_F(ExplainTest, FiltersPassOnOnlyWhatIsReadAbove) {
    EXPECT_EQ(Explain("traces | where message has 'x' and severityLevel > 1 | count"),
              "Count\n"
              "  Project severityLevel\n"
              "    Filter message has \"x\" and severityLevel > 1\n"
              "      Scan traces columns=[message, severityLevel] "
              "predicates=[message has \"x\", severityLevel >= 2]\n");
    EXPECT_EQ(Explain("traces | where isnotempty(customDimensions.step) | "
                      "summarize max(timestamp) by message"),
              "Aggregate by message [max(timestamp)]\n"
              "  Project timestamp, message\n"
              "    Filter isnotempty(['tostring(customDimensions.step)'])\n"
              "      Scan traces columns=[timestamp, message] "
              "keys=[tostring(customDimensions.step)]\n");
    EXPECT_EQ(Explain("traces | where severityLevel > 1 | summarize count() by severityLevel"),
              "Aggregate by severityLevel [count()]\n"
              "  Filter severityLevel > 1\n"
              "    Scan traces columns=[severityLevel] predicates=[severityLevel >= 2]\n");
}

TEST_F(ExplainTest, EveryStatementAndTheRequestsTimespan) {
    core::QueryRequest req = Request("traces | count; traces | take 1 | project message");
    req.timespan = core::TimeRange{Dt("2024-01-01T00:00:00Z"), Dt("2024-01-01T12:00:00Z")};
    auto text = engine_.Explain(req);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(
        *text,
        "Count\n"
        "  Scan traces columns=[timestamp] time=[2024-01-01T00:00:00Z, 2024-01-01T12:00:00Z)\n"
        "\n"
        "Project message\n"
        "  Limit 1\n"
        "    Scan traces columns=[message] time=[2024-01-01T00:00:00Z, "
        "2024-01-01T12:00:00Z)\n");
    EXPECT_FALSE(engine_.Explain(Request("traces | where nope == 1")).ok());
}

TEST_F(ExplainTest, RunWithExplainAnswersThePlanAndReadsNothing) {
    core::QueryRequest req = Request("traces | where message has 'error' | count");
    req.explain = true;
    auto r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->tables.size(), 1u);
    const auto& b = r->tables[0].data;
    EXPECT_EQ(testing::FormatHeader(b.schema), "Plan:string");
    ASSERT_EQ(b.num_rows(), 3u);
    EXPECT_EQ(b.columns[0].string_at(0), "Count");
    EXPECT_EQ(b.columns[0].string_at(2),
              "    Scan traces columns=[message] predicates=[message has \"error\"]");
    EXPECT_TRUE(source_.requests().empty());
}

TEST_F(ExplainTest, ScanStatsAddUpOverEveryScan) {
    auto r = engine_.Run(Request("traces | where message has 'error' | count"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->scan_stats.segments, 1u);
    EXPECT_EQ(r->scan_stats.rows, 3u);  // what the source handed over after its skipping
    ASSERT_EQ(source_.requests().size(), 1u);
    EXPECT_NE(source_.last_request().stats, nullptr);
    r =
        engine_.Run(Request("traces | join kind=inner (traces | project message) on message "
                            "| union (traces | take 2) | count"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->scan_stats.segments, 3u);
    EXPECT_GE(r->scan_stats.rows, 16u);
}

}  // namespace
}  // namespace calypso::kql
