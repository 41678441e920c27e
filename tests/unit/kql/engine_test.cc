#include "kql/engine.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/time.h"
#include "format.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::Type;

int64_t Dt(const char* s) { return *core::ParseDatetime(s); }

class EngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        core::Schema schema;
        schema.fields = {{"timestamp", Type::kDatetime},
                         {"message", Type::kString},
                         {"severityLevel", Type::kInt},
                         {"customDimensions", Type::kDynamic},
                         {"duration", Type::kReal}};
        core::Batch b = core::Batch::Empty(schema);
        for (int i = 0; i < 10; ++i) {
            b.columns[0].AppendInt64(Dt("2024-01-01T00:00:00Z") + i * core::kTicksPerHour);
            b.columns[1].AppendString(i % 2 ? "Step finished" : "Out of memory error");
            b.columns[2].AppendInt64(i % 4);
            b.columns[3].AppendDynamic(
                *core::Dynamic::Parse("{\"step_id\":\"s" + std::to_string(i % 3) +
                                      "\",\"n\":" + std::to_string(i) + "}"));
            if (i == 5) {
                b.columns[4].AppendNull();
            } else {
                b.columns[4].AppendDouble(i * 1.5);
            }
        }
        source_.AddTable("traces", std::move(b), "timestamp");
        source_.set_max_batch_rows(3);  // several batches per scan
    }

    core::Result<core::QueryResult> Run(std::string text) {
        core::QueryRequest req;
        req.text = std::move(text);
        req.now_ticks = Dt("2024-01-01T12:00:00Z");
        return engine_.Run(req);
    }

    // Rows as " | "-joined strings.
    std::vector<std::string> Rows(const std::string& text) {
        auto r = Run(text);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> out;
        if (!r.ok()) return out;
        const auto& b = r->tables.at(0).data;
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(testing::FormatRow(b, i));
        return out;
    }

    testing::MemorySource source_;
    Engine engine_{source_};
};

TEST_F(EngineTest, PrimaryResultAndSchema) {
    auto r = Run("traces | summarize count() by severityLevel");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->tables.size(), 1u);
    EXPECT_EQ(r->tables[0].name, "PrimaryResult");
    EXPECT_FALSE(r->tables[0].truncated);
    EXPECT_EQ(testing::FormatHeader(r->tables[0].data.schema), "severityLevel:int; count_:long");
}

TEST_F(EngineTest, AggregatesAcrossBatches) {
    EXPECT_EQ(Rows("traces | summarize count(), sum(severityLevel), "
                   "dcount(tostring(customDimensions.step_id))"),
              std::vector<std::string>{"10 | 13 | 3"});
    EXPECT_EQ(Rows("traces | summarize c = count() by s = tostring(customDimensions.step_id) | "
                   "order by s asc"),
              (std::vector<std::string>{"s0 | 4", "s1 | 3", "s2 | 3"}));
    // avg ignores the null duration.
    auto rows = Rows("traces | summarize avg(duration), count()");
    EXPECT_EQ(rows, std::vector<std::string>{"6.666666666666667 | 10"});
}

TEST_F(EngineTest, ColumnPruningRequestsOnlyNeededColumns) {
    ASSERT_TRUE(Run("traces | where severityLevel > 1 | summarize count() by message").ok());
    EXPECT_EQ(source_.last_request().columns,
              (std::vector<std::string>{"message", "severityLevel"}));
    ASSERT_TRUE(Run("traces | count").ok());
    EXPECT_EQ(source_.last_request().columns.size(), 1u);
    ASSERT_TRUE(Run("traces | take 1").ok());
    EXPECT_EQ(source_.last_request().columns.size(), 5u);
    ASSERT_TRUE(Run("traces | extend x = 1 | project message").ok());
    EXPECT_EQ(source_.last_request().columns, std::vector<std::string>{"message"});
}

TEST_F(EngineTest, RequestTimespanFiltersEveryScan) {
    core::QueryRequest req;
    req.text = "traces | project timestamp, message | order by timestamp asc";
    req.timespan = core::TimeRange{Dt("2024-01-01T02:00:00Z"), Dt("2024-01-01T05:00:00Z")};
    auto r = engine_.Run(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const auto& b = r->tables[0].data;
    ASSERT_EQ(b.num_rows(), 3u);  // 02:00, 03:00, 04:00 (max is exclusive)
    EXPECT_EQ(core::FormatDatetime(b.columns[0].int64_at(0)), "2024-01-01T02:00:00Z");
    EXPECT_EQ(source_.last_request().time.min, req.timespan->min);
    // The time column is read for the filter but not returned.
    req.text = "traces | project message";
    r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].data.num_rows(), 3u);
    EXPECT_EQ(r->tables[0].data.schema.size(), 1u);
}

TEST_F(EngineTest, MaxRowsTruncates) {
    core::QueryRequest req;
    req.text = "traces";
    req.max_rows = 4;
    auto r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].data.num_rows(), 4u);
    EXPECT_TRUE(r->tables[0].truncated);
    req.max_rows = 10;
    r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].data.num_rows(), 10u);
    EXPECT_FALSE(r->tables[0].truncated);
}

TEST_F(EngineTest, TakeStopsAndKeepsCount) {
    EXPECT_EQ(Rows("traces | take 4 | count"), std::vector<std::string>{"4"});
    EXPECT_EQ(Rows("traces | take 100 | count"), std::vector<std::string>{"10"});
}

TEST_F(EngineTest, AgoUsesOneNowPerQuery) {
    // now = 12:00, rows at 00:00..09:00; ago(4h) = 08:00.
    EXPECT_EQ(Rows("traces | where timestamp >= ago(4h) | count"), std::vector<std::string>{"2"});
    EXPECT_EQ(Rows("print now() - ago(1h)"), std::vector<std::string>{"01:00:00"});
}

TEST_F(EngineTest, WallClockWhenNowIsZero) {
    core::QueryRequest req;
    req.text = "print now()";
    int64_t before = core::NowTicks();
    auto r = engine_.Run(req);
    int64_t after = core::NowTicks();
    ASSERT_TRUE(r.ok());
    int64_t got = r->tables[0].data.columns[0].int64_at(0);
    EXPECT_GE(got, before);
    EXPECT_LE(got, after);
}

TEST_F(EngineTest, HasMatchesWholeTerms) {
    EXPECT_EQ(Rows("print a = 'KustoExplorerQueryRun' has 'Explorer', b = 'Kusto Explorer' has "
                   "'explorer'"),
              std::vector<std::string>{"false | true"});
    EXPECT_EQ(
        Rows("print 'out-of-memory' has 'of', 'out_of_memory' has 'of', 'outofmemory' has 'of'"),
        std::vector<std::string>{"true | true | false"});
    EXPECT_EQ(Rows("print 'a memory error' has 'memory err', 'a memory error' has 'memory error'"),
              std::vector<std::string>{"false | true"});
}

TEST_F(EngineTest, EqualityCaseRules) {
    EXPECT_EQ(Rows("print 'ABC' == 'abc', 'ABC' =~ 'abc', 'ABC' !~ 'abd', 'ABC' contains 'b', "
                   "'ABC' startswith 'ab', 'ABC' endswith 'BC'"),
              std::vector<std::string>{"false | true | true | true | true | true"});
}

TEST_F(EngineTest, DynamicComparisonsUseTheScalar) {
    EXPECT_EQ(Rows("traces | where customDimensions.step_id == 's1' | count"),
              std::vector<std::string>{"3"});
    EXPECT_EQ(Rows("traces | where customDimensions.n > 7 | count"), std::vector<std::string>{"2"});
    EXPECT_EQ(Rows("traces | where customDimensions['n'] == 3 | project "
                   "tostring(customDimensions.step_id)"),
              std::vector<std::string>{"s0"});
    EXPECT_EQ(Rows("print tostring(dynamic({\"a\": \"x\"}).a), tostring(dynamic({\"a\": [1]}).a)"),
              std::vector<std::string>{"x | [1]"});
}

TEST_F(EngineTest, IntegerDivisionAndNulls) {
    EXPECT_EQ(Rows("print 7 / 2, 7 / 2.0, long(null) + 1, 1 < long(null)"),
              std::vector<std::string>{"3 | 3.5 | null | false"});
}

TEST_F(EngineTest, StringsAreNeverNull) {
    EXPECT_EQ(Rows("print isnull(tostring(long(null))), isempty(tostring(long(null))), strcat('a', "
                   "long(null))"),
              std::vector<std::string>{"false | true | a"});
}

TEST_F(EngineTest, SortNullPlacement) {
    EXPECT_EQ(Rows("traces | top 2 by duration asc | project duration"),
              (std::vector<std::string>{"null", "0"}));
    EXPECT_EQ(Rows("traces | top 2 by duration | project duration"),
              (std::vector<std::string>{"13.5", "12"}));
    auto rows = Rows("traces | order by duration desc | project duration");
    ASSERT_EQ(rows.size(), 10u);
    EXPECT_EQ(rows.back(), "null");
}

TEST_F(EngineTest, SemanticErrorsBeforeExecution) {
    auto r = Run("traces\n| where severityLevel > 1\n| project mesage");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kSemanticError);
    EXPECT_EQ(r.status().pos().line, 3);
    EXPECT_EQ(r.status().pos().column, 11);
    EXPECT_NE(r.status().message().find("did you mean 'message'"), std::string::npos);

    r = Run("tracez");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "unknown table 'tracez' (did you mean 'traces'?)");

    r = Run("traces | where count() > 1");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("only allowed in summarize"), std::string::npos);
}

TEST_F(EngineTest, ArgMaxPicksOneRowAcrossBatches) {
    // Batches of 3 rows; per step the latest row wins and its columns stay together.
    EXPECT_EQ(
        Rows("traces | extend step = tostring(customDimensions.step_id) "
             "| summarize arg_max(timestamp, severityLevel, tolong(customDimensions.n)) by step "
             "| order by step asc"),
        (std::vector<std::string>{"s0 | 2024-01-01T09:00:00Z | 1 | 9",
                                  "s1 | 2024-01-01T07:00:00Z | 3 | 7",
                                  "s2 | 2024-01-01T08:00:00Z | 0 | 8"}));
}

TEST_F(EngineTest, RenderHintIsPassedThrough) {
    auto r =
        Run("traces | summarize count() by bin(timestamp, 1h) | render timechart with (title='x')");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->tables[0].render, "timechart");
    EXPECT_EQ(r->tables[0].data.num_rows(), 10u);
    r = Run("traces | count");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].render, "");
    r = Run("traces | render table | count");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kSemanticError);
}

TEST_F(EngineTest, SeveralTabularStatementsGiveSeveralTables) {
    auto r = Run("traces | count; print x = 1");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->tables.size(), 2u);
    EXPECT_EQ(r->tables[0].name, "PrimaryResult");
    EXPECT_EQ(r->tables[1].data.schema.fields[0].name, "x");
}

TEST_F(EngineTest, LargeWhereSummarize) {
    core::Schema schema;
    schema.fields = {{"k", Type::kLong}, {"v", Type::kLong}, {"s", Type::kString}};
    core::Batch b = core::Batch::Empty(schema);
    const int64_t n = 200'000;
    for (int64_t i = 0; i < n; ++i) {
        b.columns[0].AppendInt64(i % 100);
        b.columns[1].AppendInt64(i);
        b.columns[2].AppendString(i % 2 ? "odd value" : "even value");
    }
    source_.AddTable("big", std::move(b));
    source_.set_max_batch_rows(4096);
    auto rows = Rows(
        "big | where s has 'even' and v >= 1000 | summarize c = count(), s = sum(v) by k "
        "| summarize groups = count(), total = sum(c)");
    EXPECT_EQ(rows, std::vector<std::string>{"50 | 99500"});
}

}  // namespace
}  // namespace calypso::kql
