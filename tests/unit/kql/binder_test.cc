#include "kql/binder/binder.h"

#include <gtest/gtest.h>

#include "kql/syntax/parser.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

std::string NameOf(std::string_view text) {
    auto e = syntax::ParseExpression(text);
    EXPECT_TRUE(e.ok()) << text;
    return InferColumnName(**e);
}

TEST(Binder, InferColumnNameFollowsKusto) {
    EXPECT_EQ(NameOf("x"), "x");
    EXPECT_EQ(NameOf("customDimensions.step_id"), "customDimensions_step_id");
    EXPECT_EQ(NameOf("tostring(customDimensions.step_id)"), "customDimensions_step_id");
    EXPECT_EQ(NameOf("d['a']['b']"), "d_a_b");
    EXPECT_EQ(NameOf("d.['a']"), "d_a");
    EXPECT_EQ(NameOf("bin(timestamp, 1h)"), "timestamp");
    EXPECT_EQ(NameOf("floor(x, 5)"), "x");
    EXPECT_EQ(NameOf("strcat(a, b)"), "");
    EXPECT_EQ(NameOf("a + 1"), "");
}

TEST(Binder, ClosestName) {
    EXPECT_EQ(ClosestName("tracez", {"traces", "requests"}), "traces");
    EXPECT_EQ(ClosestName("Message", {"message", "timestamp"}), "message");
    EXPECT_EQ(ClosestName("zzzzzz", {"traces"}), "");
}

TEST(Binder, ConstantFoldingAndTypes) {
    testing::MemorySource src;
    Binder binder(src, BindContext{1000});
    core::Schema scope;
    scope.fields = {{"n", core::Type::kLong}, {"s", core::Type::kString}};
    auto bind = [&](std::string_view text) {
        auto e = syntax::ParseExpression(text);
        EXPECT_TRUE(e.ok());
        return binder.BindScalar(**e, scope);
    };
    auto r = bind("1 + 2 * 3");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->kind, BoundExpr::Kind::kConst);
    EXPECT_EQ((*r)->value.as_int64(), 7);

    r = bind("now()");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->kind, BoundExpr::Kind::kConst);
    EXPECT_EQ((*r)->value.as_int64(), 1000);

    r = bind("n / 2");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->type, core::Type::kLong);
    r = bind("n / 2.0");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->type, core::Type::kReal);
    r = bind("datetime(2024-01-02) - datetime(2024-01-01)");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->type, core::Type::kTimespan);
    r = bind("s has 'x'");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->type, core::Type::kBool);

    r = bind("nn + 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kSemanticError);
    EXPECT_EQ(r.status().pos().column, 1);
    EXPECT_NE(r.status().message().find("did you mean 'n'"), std::string::npos);

    r = bind("iff(n, 1, 2)");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("must be bool"), std::string::npos);

    r = bind("s.x");
    ASSERT_FALSE(r.ok());
    r = bind("tolower()");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("expects 1 argument"), std::string::npos);
}

}  // namespace
}  // namespace calypso::kql
