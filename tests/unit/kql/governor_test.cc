// Query governance: time limit, memory budget, cancellation, row cap.
#include "kql/exec/governor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "kql/engine.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::StatusCode;

class GovernorTest : public ::testing::Test {
  protected:
    core::Result<core::QueryResult> Run(core::QueryRequest req) { return engine_.Run(req); }
    static core::QueryRequest Request(std::string text) {
        core::QueryRequest req;
        req.text = std::move(text);
        req.now_ticks = 1;
        return req;
    }

    testing::MemorySource source_;
    Engine engine_{source_};
};

// A query that keeps a few hundred thousand values in memory.
constexpr const char* kBigList = "range x from 1 to 300000 step 1 | summarize make_list(x)";

TEST_F(GovernorTest, DefaultsAreGenerous) {
    core::QueryRequest req;
    EXPECT_EQ(req.max_seconds, 60);
    EXPECT_EQ(req.max_memory_bytes, size_t{2} << 30);
    auto r = Run(Request(kBigList));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->tables[0].data.columns[0].dynamic_at(0).as_array().size(), 300000u);
}

TEST_F(GovernorTest, MakeListOverBudgetFailsInSummarize) {
    auto req = Request(kBigList);
    req.max_memory_bytes = 1 << 20;
    auto r = Run(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(r.status().message(), "query memory budget of 1 MiB exceeded in summarize");
}

TEST_F(GovernorTest, SortJoinSerializeAndGroupsAreCharged) {
    struct Case {
        const char* query;
        const char* op;
    };
    const Case cases[] = {
        {"range x from 1 to 200000 step 1 | extend s = strcat('row', x) | order by s", "sort"},
        {"range x from 1 to 200000 step 1 | join kind=inner (range x from 1 to 10 step 1) on x",
         "join"},
        {"range x from 1 to 200000 step 1 | extend s = strcat('row', x) | serialize",
         "serialize"},
        {"range x from 1 to 200000 step 1 | summarize count() by s = strcat('k', x)",
         "summarize"},
        {"range x from 1 to 200000 step 1 | summarize make_set(x % 100000)", "summarize"},
        {"range x from 1 to 200000 step 1 | summarize dcount(strcat('v', x))", "summarize"},
    };
    for (const auto& c : cases) {
        auto req = Request(c.query);
        req.max_memory_bytes = 1 << 20;
        auto r = Run(req);
        ASSERT_FALSE(r.ok()) << c.query;
        EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded) << c.query;
        EXPECT_EQ(r.status().message(),
                  std::string("query memory budget of 1 MiB exceeded in ") + c.op)
            << c.query;
    }
}

TEST_F(GovernorTest, SmallQueriesFitASmallBudget) {
    auto req = Request("range x from 1 to 1000 step 1 | summarize make_list(x), dcount(x)");
    req.max_memory_bytes = 1 << 20;
    auto r = Run(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(GovernorTest, TimeLimitStopsALongQuery) {
    auto req = Request(
        "range x from 1 to 10000000 step 1 | extend s = strcat('v', x % 1000003) "
        "| summarize dcount(s)");
    req.max_seconds = 0.05;
    auto start = std::chrono::steady_clock::now();
    auto r = Run(req);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(r.status().message(), "query exceeded its time limit of 0.05 s");
    // The check runs between batches of 64K rows, so the query stops soon after the limit.
    EXPECT_LT(took, 2.0);
}

TEST_F(GovernorTest, CancelFromAnotherThread) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    auto req = Request(
        "range x from 1 to 10000000 step 1 | extend s = strcat('v', x % 1000003) "
        "| summarize dcount(s)");
    req.cancelled = flag;
    std::thread canceller([flag] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        flag->store(true);
    });
    auto r = Run(req);
    canceller.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(r.status().message(), "query was cancelled");
}

TEST_F(GovernorTest, CancelledBeforeStartRunsNothing) {
    auto flag = std::make_shared<std::atomic<bool>>(true);
    auto req = Request("print x = 1");
    req.cancelled = flag;
    auto r = Run(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "query was cancelled");
}

TEST_F(GovernorTest, RowCapStillTruncates) {
    auto req = Request("range x from 1 to 100 step 1");
    req.max_rows = 5;
    auto r = Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->tables[0].truncated);
    EXPECT_EQ(r->tables[0].data.num_rows(), 5u);
}

TEST_F(GovernorTest, WindowFunctionsSeeAllSlicesOfALargeRange) {
    auto r = Run(Request(
        "range x from 1 to 200000 step 1 | extend n = row_number(), p = prev(x) "
        "| where n != x or (x > 1 and p != x - 1) | count"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->tables[0].data.columns[0].int64_at(0), 0);
}

TEST(QueryGovernor, ChargesAndReleases) {
    QueryGovernor gov(QueryLimits{0, 1000, nullptr});
    {
        MemoryCharge a(gov, "a");
        EXPECT_TRUE(a.Add(600).ok());
        MemoryCharge b(gov, "b");
        auto s = b.Add(600);
        EXPECT_EQ(s.code(), StatusCode::kLimitExceeded);
        EXPECT_EQ(s.message(), "query memory budget of 0.000953674 MiB exceeded in b");
        EXPECT_TRUE(b.Set(100).ok());
        EXPECT_EQ(gov.used_bytes(), 700);
    }
    EXPECT_EQ(gov.used_bytes(), 0);
    EXPECT_EQ(gov.peak_bytes(), 1200);
    EXPECT_TRUE(gov.Check().ok());
}

}  // namespace
}  // namespace calypso::kql
