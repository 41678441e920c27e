#include "server/result_json.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "server/errors.h"

namespace calypso::server {
namespace {

TEST(ResultJsonTest, WritesTheLogAnalyticsShape) {
    core::Schema schema{{{"ts", core::Type::kDatetime},
                         {"n", core::Type::kLong},
                         {"s", core::Type::kString},
                         {"d", core::Type::kDynamic},
                         {"x", core::Type::kReal},
                         {"span", core::Type::kTimespan}}};
    core::Batch b = core::Batch::Empty(schema);
    b.columns[0].AppendInt64(*core::ParseDatetime("2024-01-02T03:04:05Z"));
    b.columns[1].AppendNull();
    b.columns[2].AppendString("a\"b");
    b.columns[3].AppendDynamic(*core::Dynamic::Parse(R"({"k":"v"})"));
    b.columns[4].AppendDouble(1.5);
    b.columns[5].AppendInt64(90 * core::kTicksPerMinute);
    core::QueryResult r;
    r.tables.push_back({"PrimaryResult", std::move(b), false, ""});
    EXPECT_EQ(
        ToLogAnalyticsJson(r),
        R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"ts","type":"datetime"},)"
        R"({"name":"n","type":"long"},{"name":"s","type":"string"},{"name":"d","type":"dynamic"},)"
        R"({"name":"x","type":"real"},{"name":"span","type":"timespan"}],)"
        R"("rows":[["2024-01-02T03:04:05Z",null,"a\"b","{\"k\":\"v\"}",1.5,"01:30:00"]]}]})");
}

TEST(ResultJsonTest, StatisticsOnlyWhenAsked) {
    core::QueryResult r;
    r.tables.push_back({"PrimaryResult", core::Batch::Empty(core::Schema{}), false, ""});
    r.scan_stats.segments = 5;
    r.scan_stats.segments_skipped = 2;
    r.scan_stats.blocks = 30;
    r.scan_stats.blocks_skipped = 20;
    r.scan_stats.bytes_read = 4096;
    r.scan_stats.bytes_cached = 100;
    r.scan_stats.rows = 2560;
    EXPECT_EQ(ToLogAnalyticsJson(r),
              R"({"tables":[{"name":"PrimaryResult","columns":[],"rows":[]}]})");
    QueryStatistics q;
    q.execution_seconds = 0.25;
    EXPECT_EQ(ToLogAnalyticsJson(r, &q),
              R"({"tables":[{"name":"PrimaryResult","columns":[],"rows":[]}],)"
              R"("statistics":{"query":{"executionTime":0.25,"inputDatasetStatistics":)"
              R"({"extents":{"total":5,"scanned":3},"rows":{"scanned":2560}},)"
              R"("scan":{"segments":5,"segmentsSkipped":2,"blocks":30,"blocksSkipped":20,)"
              R"("bytesRead":4096,"bytesCached":100,"rows":2560}}}})");
    auto parsed = core::Dynamic::Parse(ToLogAnalyticsJson(r, &q));
    ASSERT_TRUE(parsed.ok());
}

TEST(ResultJsonTest, PreferHeaderAsksForStatistics) {
    EXPECT_TRUE(PrefersStatistics("include-statistics=true"));
    EXPECT_TRUE(PrefersStatistics("wait=600, Include-Statistics=TRUE ,include-render=true"));
    EXPECT_FALSE(PrefersStatistics(""));
    EXPECT_FALSE(PrefersStatistics("include-statistics=false"));
    EXPECT_FALSE(PrefersStatistics("include-render=true"));
    EXPECT_FALSE(PrefersStatistics("xinclude-statistics=true"));
}

TEST(ErrorsTest, KqlErrorsCarryLineAndColumn) {
    auto r = ErrorResponse(core::Status::SyntaxError("expected an expression", {2, 7}));
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("\"line\":2,\"column\":7"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"code\":\"SyntaxError\""), std::string::npos);
    EXPECT_EQ(ErrorResponse(core::Status::Unavailable("full")).status, 503);
}

}  // namespace
}  // namespace calypso::server
