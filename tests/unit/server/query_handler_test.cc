#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "server/api.h"
#include "temp_workspaces.h"

namespace calypso::server {
namespace {

// Answers every query with one empty table and fixed scan statistics.
class FakeQueries final : public core::QueryService {
  public:
    core::Result<core::QueryResult> Run(const core::QueryRequest& request) override {
        last = request;
        core::QueryResult r;
        r.tables.push_back({"PrimaryResult", core::Batch::Empty(core::Schema{}), false, ""});
        r.scan_stats.segments = 3;
        r.scan_stats.rows = 42;
        return r;
    }
    core::QueryRequest last;
};

class QueryHandlerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(workspaces_.status().ok()) << workspaces_.status().ToString();
        ApiServices s;
        s.queries = &queries_;
        s.workspaces = workspaces_.get();
        api_ = std::make_unique<Api>(std::move(s));
    }

    net::HttpResponse Post(std::string body, std::string prefer = "") {
        net::HttpRequest r;
        r.method = "POST";
        r.path = r.target = "/v1/workspaces/default/query";
        r.body = std::move(body);
        if (!prefer.empty()) r.headers.emplace_back("Prefer", prefer);
        return api_->Handle(r);
    }

    FakeQueries queries_;
    testing::TempWorkspaces workspaces_{"calypso-qh-"};
    std::unique_ptr<Api> api_;
};

TEST_F(QueryHandlerTest, StatisticsOnlyWithPreferIncludeStatistics) {
    auto r = Post(R"({"query":"traces | count"})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("statistics"), std::string::npos) << r.body;
    EXPECT_FALSE(queries_.last.explain);
    r = Post(R"({"query":"traces | count"})", "include-statistics=true");
    EXPECT_EQ(r.status, 200);
    auto answer = core::Dynamic::Parse(r.body);
    ASSERT_TRUE(answer.ok()) << r.body;
    const core::Dynamic* scan = answer->Find("statistics")->Find("query")->Find("scan");
    ASSERT_NE(scan, nullptr) << r.body;
    EXPECT_EQ(scan->Find("segments")->as_long(), 3);
    EXPECT_EQ(scan->Find("rows")->as_long(), 42);
}

TEST_F(QueryHandlerTest, ExplainIsPassedToTheQueryService) {
    EXPECT_EQ(Post(R"({"query":"traces | count","explain":true})").status, 200);
    EXPECT_TRUE(queries_.last.explain);
    EXPECT_EQ(Post(R"({"query":"traces | count","explain":"yes"})").status, 200);
    EXPECT_FALSE(queries_.last.explain);
}

}  // namespace
}  // namespace calypso::server
