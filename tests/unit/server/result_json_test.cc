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

TEST(ErrorsTest, KqlErrorsCarryLineAndColumn) {
    auto r = ErrorResponse(core::Status::SyntaxError("expected an expression", {2, 7}));
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("\"line\":2,\"column\":7"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"code\":\"SyntaxError\""), std::string::npos);
    EXPECT_EQ(ErrorResponse(core::Status::Unavailable("full")).status, 503);
}

}  // namespace
}  // namespace calypso::server
