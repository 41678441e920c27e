#include "server/query_limits.h"

#include <gtest/gtest.h>

namespace calypso::server {
namespace {

TEST(QueryLimitsTest, PreferWait) {
    EXPECT_EQ(PreferredWaitSeconds("wait=30"), 30.0);
    EXPECT_EQ(PreferredWaitSeconds("include-statistics=true, Wait=2.5"), 2.5);
    EXPECT_EQ(PreferredWaitSeconds(""), std::nullopt);
    EXPECT_EQ(PreferredWaitSeconds("wait=soon"), std::nullopt);
    EXPECT_EQ(PreferredWaitSeconds("wait=0"), std::nullopt);
    EXPECT_EQ(PreferredWaitSeconds("wait=-3"), std::nullopt);
}

TEST(QueryLimitsTest, ClassifiesFailures) {
    const auto limit = core::Status::LimitExceeded("x");
    EXPECT_EQ(ClassifyQueryFailure(limit, 10, 5, false), QueryFailure::kTimeout);
    EXPECT_EQ(ClassifyQueryFailure(limit, 1, 5, false), QueryFailure::kResourceLimit);
    EXPECT_EQ(ClassifyQueryFailure(limit, 10, 0, false), QueryFailure::kResourceLimit);
    const auto cancelled = core::Status::Unavailable("query was cancelled");
    EXPECT_EQ(ClassifyQueryFailure(cancelled, 1, 5, true), QueryFailure::kCancelled);
    EXPECT_EQ(ClassifyQueryFailure(cancelled, 1, 5, false), QueryFailure::kOther);
    EXPECT_EQ(ClassifyQueryFailure(core::Status::SyntaxError("x", {1, 1}), 1, 5, true),
              QueryFailure::kOther);
}

TEST(QueryLimitsTest, LogAnalyticsStatuses) {
    const auto limit = core::Status::LimitExceeded("query memory budget of 1 MiB exceeded in sort");
    auto r = LogAnalyticsQueryError(limit, QueryFailure::kTimeout);
    EXPECT_EQ(r.status, 504);
    EXPECT_NE(r.body.find(R"("code":"GatewayTimeout")"), std::string::npos) << r.body;
    r = LogAnalyticsQueryError(limit, QueryFailure::kResourceLimit);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find(R"("innererror":{"code":"LimitExceeded")"), std::string::npos) << r.body;
    EXPECT_TRUE(r.headers.empty());  // no Retry-After: the same query would fail again
    r = LogAnalyticsQueryError(core::Status::Unavailable("query was cancelled"),
                               QueryFailure::kCancelled);
    EXPECT_EQ(r.status, 503);
}

}  // namespace
}  // namespace calypso::server
