#include <limits>

#include "plan_fixture.h"

namespace calypso::kql {
namespace {

using K = PlanNode::Kind;
using Op = core::ScanPredicate::Op;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

class PushPredicatesTest : public testing::PlanTest {
  protected:
    // The scan's predicates as explain shows them.
    std::vector<std::string> Pushed(const std::string& where) {
        const PlanNode& scan = Scan("traces | where " + where + " | project message");
        std::vector<std::string> out;
        for (const auto& p : scan.scan_predicates) out.push_back(PredicateToString(p, scan.schema));
        return out;
    }
    using V = std::vector<std::string>;
};

TEST_F(PushPredicatesTest, StringConditions) {
    EXPECT_EQ(Pushed("message == 'Step started'"), V{"message == \"Step started\""});
    EXPECT_EQ(Pushed("'Step started' == message"), V{"message == \"Step started\""});
    EXPECT_EQ(Pushed("message in ('a', 'b')"), V{"message in (\"a\", \"b\")"});
    EXPECT_EQ(Pushed("message has 'error'"), V{"message has \"error\""});
    EXPECT_EQ(Pushed("message has_cs 'ERROR'"), V{"message has_cs \"ERROR\""});
    EXPECT_EQ(Pushed("message has 'disk full'"), V{"message has \"disk full\""});
    // The same condition twice is pushed once.
    EXPECT_EQ(Pushed("message == 'a' and message has 'b' and message in ('a')"),
              (V{"message == \"a\"", "message has \"b\""}));
}

TEST_F(PushPredicatesTest, KeyConditions) {
    // A key tested against a non-empty string is read as its stored strings.
    V want{"tostring(customDimensions.parent_run_id) == \"r1\""};
    EXPECT_EQ(Pushed("customDimensions.parent_run_id == 'r1'"), want);
    EXPECT_EQ(Pushed("tostring(customDimensions.parent_run_id) == 'r1'"), want);
    EXPECT_EQ(Pushed("customDimensions['parent_run_id'] == 'r1'"), want);
    EXPECT_EQ(Pushed("customDimensions.step in ('train', 'prep')"),
              V{"tostring(customDimensions.step) in (\"train\", \"prep\")"});
    EXPECT_EQ(Pushed("customDimensions.step has 'model'"),
              V{"tostring(customDimensions.step) has \"model\""});
    EXPECT_EQ(Pushed("tostring(customDimensions.step) has_cs 'Eval'"),
              V{"tostring(customDimensions.step) has_cs \"Eval\""});
}

TEST_F(PushPredicatesTest, IntRanges) {
    const PlanNode& scan = Scan("traces | where itemCount > 10 and severityLevel <= 2 | count");
    ASSERT_EQ(scan.scan_predicates.size(), 2u);
    EXPECT_EQ(scan.scan_predicates[0].op, Op::kIntRange);
    EXPECT_EQ(scan.scan_predicates[0].column, "itemCount");
    EXPECT_EQ(scan.scan_predicates[0].min, 11);
    EXPECT_EQ(scan.scan_predicates[0].max, kMax);
    EXPECT_EQ(scan.scan_predicates[1].min, kMin);
    EXPECT_EQ(scan.scan_predicates[1].max, 2);
    EXPECT_EQ(Pushed("itemCount >= 10"), V{"itemCount >= 10"});
    EXPECT_EQ(Pushed("itemCount < 10"), V{"itemCount <= 9"});
    EXPECT_EQ(Pushed("10 < itemCount"), V{"itemCount >= 11"});
    EXPECT_EQ(Pushed("itemCount == 30"), V{"itemCount == 30"});
    EXPECT_EQ(Pushed("itemCount between (10 .. 30)"), V{"itemCount in [10, 30]"});
    EXPECT_EQ(Pushed("itemCount > 2.5"), V{"itemCount >= 3"});
    EXPECT_EQ(Pushed("itemCount <= 2.5"), V{"itemCount <= 2"});
    EXPECT_EQ(Pushed("itemCount < -2.5"), V{"itemCount <= -3"});
    EXPECT_EQ(Pushed("itemCount == 3.0"), V{"itemCount == 3"});
    EXPECT_EQ(Pushed("success"), V{"success == true"});
    EXPECT_EQ(Pushed("success == false"), V{"success == false"});
    EXPECT_EQ(Pushed("duration >= 5m"), V{"duration >= 00:05:00"});
    // Two conditions on one column become one range.
    EXPECT_EQ(Pushed("severityLevel > 0 and severityLevel < 3"), V{"severityLevel in [1, 2]"});
}

TEST_F(PushPredicatesTest, TimeColumnNarrowsTheScanTime) {
    const PlanNode& scan = Scan(
        "traces | where timestamp >= datetime(2024-01-01 18:00) and timestamp < "
        "datetime(2024-01-01 21:00) | count");
    EXPECT_EQ(scan.scan_time.min, Dt("2024-01-01T18:00:00Z"));
    EXPECT_EQ(scan.scan_time.max, Dt("2024-01-01T21:00:00Z"));
    const PlanNode& between =
        Scan("traces | where timestamp between (datetime(2024-01-01 18:00) .. 1h) | count");
    EXPECT_EQ(between.scan_time.min, Dt("2024-01-01T18:00:00Z"));
    EXPECT_EQ(between.scan_time.max, Dt("2024-01-01T19:00:00Z") + 1);  // inclusive end
    EXPECT_EQ(Rows("traces | where timestamp between (datetime(2024-01-01 18:00) .. 1h) | count"),
              (V{"Count:long", "2"}));
    // The API timespan narrows what the scan asks for further (but not the plan).
    core::QueryRequest req = Request("traces | where timestamp >= ago(6h) | count");
    req.timespan = core::TimeRange{Dt("2024-01-01T10:00:00Z"), Dt("2024-01-01T20:00:00Z")};
    auto r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].data.columns[0].int64_at(0), 2);  // 18:00 and 19:00
    EXPECT_EQ(source_.last_request().time.min, Dt("2024-01-01T18:00:00Z"));
    EXPECT_EQ(source_.last_request().time.max, Dt("2024-01-01T20:00:00Z"));
}

TEST_F(PushPredicatesTest, ThroughNodesThatKeepRows) {
    EXPECT_EQ(Scan("traces | extend m = message, lvl = severityLevel | sort by timestamp "
                   "| where m == 'x' and lvl > 1 | project m")
                  .scan_predicates.size(),
              2u);
    EXPECT_EQ(Scan("traces | where severityLevel > 0 | serialize | where message has 'error'")
                  .scan_predicates.size(),
              2u);
    // The filter stays above the scan: the predicates are only hints.
    auto p = Plan("traces | where message has 'error' | project message");
    ASSERT_EQ(p->input->kind, K::kFilter);
    EXPECT_EQ(p->input->input->kind, K::kScan);
}

TEST_F(PushPredicatesTest, WhatIsNotPushed) {
    for (const char* where : {
             "message != 'x'",
             "message =~ 'step started'",
             "message !has 'error'",
             "message contains 'err'",
             "message startswith 'Step'",
             "message in~ ('a')",
             "message !in ('a')",
             "message == 'a' or message == 'b'",
             "not(message == 'a')",
             "message == ''",
             "message in ('a', '')",
             "message has '-'",
             "message has ''",
             "message == strcat(message, '')",
             "customDimensions.n == 3",
             "customDimensions.parent_run_id == 5",
             "tostring(customDimensions.parent_run_id) == ''",
             "customDimensions == 'x'",
             "itemCount != 5",
             "itemCount > 1e300",
             "itemCount == 2.5",
             "itemCount > toreal('nan')",
             "tolong(severityLevel) > 1",
             "severityLevel !between (1 .. 2)",
         }) {
        EXPECT_TRUE(Pushed(where).empty()) << where;
    }
    // Rows chosen by take, top or summarize, or numbered by window functions, depend on
    // rows the filter would drop.
    for (const char* q : {
             "traces | take 3 | where message has 'error'",
             "traces | top 3 by timestamp | where message has 'error'",
             "traces | summarize c = count() by message | where message has 'error'",
             "traces | serialize n = row_number() | where message has 'error'",
             "traces | sort by timestamp asc | extend p = prev(message) | where message has 'e'",
             "traces | serialize | where row_number() < 3 and message has 'error'",
             "traces | union traces | where message has 'error'",
         }) {
        EXPECT_TRUE(Scan(q).scan_predicates.empty()) << q;
        ExpectSameAnswer(q);
    }
}

TEST_F(PushPredicatesTest, AnswersDoNotChange) {
    // The source drops rows by every hint it gets, so a wrong hint changes the answer.
    for (const char* q : {
             "traces | where message has 'error' | project message",
             "traces | where message has_cs 'ERROR' | project message",
             "traces | where message has 'ERROR again'",
             "traces | where customDimensions.parent_run_id == '5' | count",
             "traces | where tostring(customDimensions.n) == '7' | count",
             "traces | where customDimensions.step has 'model' | project message",
             "traces | where customDimensions.step in ('train', 'Eval Model') | count",
             "traces | where itemCount > 2.5 and itemCount <= 60 | project itemCount",
             "traces | where 30 >= itemCount | project itemCount",
             "traces | where success | count",
             "traces | where success == false | count",
             "traces | where severityLevel between (1 .. 2) and duration > 2m | count",
             "traces | where timestamp > datetime(2024-01-01 20:00) | count",
             "traces | where timestamp <= datetime(2024-01-01 20:00) and timestamp > "
             "ago(7h) | count",
             "traces | extend lvl = severityLevel * 2 | where lvl > 2 | count",
             "traces | where customDimensions.parent_run_id == 'r2' and message has 'epoch'",
         }) {
        ExpectSameAnswer(q);
    }
}

}  // namespace
}  // namespace calypso::kql
