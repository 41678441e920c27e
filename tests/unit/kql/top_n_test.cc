#include "plan_fixture.h"

namespace calypso::kql {
namespace {

using K = PlanNode::Kind;

class TopNTest : public testing::PlanTest {};

TEST_F(TopNTest, SortThenTakeBecomesTop) {
    auto p = Plan("traces | sort by itemCount desc | take 3");
    ASSERT_EQ(p->kind, K::kTop);
    EXPECT_EQ(p->limit, 3);
    ASSERT_EQ(p->sort_keys.size(), 1u);
    EXPECT_FALSE(p->sort_keys[0].ascending);
    EXPECT_EQ(p->input->kind, K::kScan);

    p = Plan("traces | top 5 by severityLevel asc | take 2");
    ASSERT_EQ(p->kind, K::kTop);
    EXPECT_EQ(p->limit, 2);
    EXPECT_TRUE(p->sort_keys[0].ascending);
    p = Plan("traces | top 2 by severityLevel | limit 5");
    ASSERT_EQ(p->kind, K::kTop);
    EXPECT_EQ(p->limit, 2);
}

TEST_F(TopNTest, OtherShapesStay) {
    auto p = Plan("traces | take 3 | sort by itemCount");
    EXPECT_EQ(p->kind, K::kSort);
    EXPECT_EQ(p->input->kind, K::kLimit);
    p = Plan("traces | sort by itemCount | project message | take 3");
    EXPECT_EQ(p->kind, K::kLimit);
}

TEST_F(TopNTest, SameRowsAsSortAndTakeIncludingTies) {
    // severityLevel has ties: both keep the input order among equal keys.
    ExpectSameAnswer("traces | sort by severityLevel asc | take 5 | project message");
    ExpectSameAnswer("traces | order by severityLevel desc, message asc | take 3");
    ExpectSameAnswer("traces | sort by itemCount asc nulls first | take 2 | project itemCount");
    ExpectSameAnswer("traces | sort by severityLevel | take 0");
}

}  // namespace
}  // namespace calypso::kql
