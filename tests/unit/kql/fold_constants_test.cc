#include "kql/functions/operators.h"
#include "kql/planner/rules.h"
#include "plan_fixture.h"

namespace calypso::kql {
namespace {

using core::Type;

class FoldConstantsTest : public testing::PlanTest {};

BoundExprPtr Call(std::string name, BoundCall call, std::vector<BoundExprPtr> args) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExpr::Kind::kCall;
    e->type = call.type;
    e->function = std::move(name);
    e->kernel = std::move(call.kernel);
    e->args = std::move(args);
    return e;
}

BoundExprPtr Add(int64_t a, int64_t b) {
    std::vector<BoundExprPtr> args;
    args.push_back(MakeConst(core::Value::Long(a), Type::kLong));
    args.push_back(MakeConst(core::Value::Long(b), Type::kLong));
    return Call("+", *functions::BindBinary("+", Type::kLong, Type::kLong, {}), std::move(args));
}

TEST_F(FoldConstantsTest, FoldsConstantCallsTheBinderLeft) {
    // A filter `itemCount > 1 + (2 + 3)` built by hand, as a rewrite could leave it.
    std::vector<BoundExprPtr> outer;
    outer.push_back(MakeConst(core::Value::Long(1), Type::kLong));
    outer.push_back(Add(2, 3));
    std::vector<BoundExprPtr> cmp;
    cmp.push_back(MakeColumnRef("itemCount", Type::kLong));
    cmp.push_back(
        Call("+", *functions::BindBinary("+", Type::kLong, Type::kLong, {}), std::move(outer)));
    PlanNode filter;
    filter.kind = PlanNode::Kind::kFilter;
    filter.predicate =
        Call(">", *functions::BindBinary(">", Type::kLong, Type::kLong, {}), std::move(cmp));
    FoldConstants(filter);
    const BoundExpr& rhs = *filter.predicate->args[1];
    ASSERT_EQ(rhs.kind, BoundExpr::Kind::kConst);
    EXPECT_EQ(rhs.value.as_int64(), 6);
    EXPECT_EQ(filter.predicate->kind, BoundExpr::Kind::kCall);  // the column stays
}

TEST_F(FoldConstantsTest, LeavesWindowAndNondeterministicFunctions) {
    BoundCall fixed;
    fixed.type = Type::kLong;
    fixed.kernel = [](const std::vector<Vec>&, size_t) {
        return Vec::Const(core::Value::Long(4), Type::kLong);
    };
    for (const char* name : {"row_number", "rand", "new_guid"}) {
        BoundExprPtr e = Call(name, fixed, {});
        FoldExpr(e);
        EXPECT_EQ(e->kind, BoundExpr::Kind::kCall) << name;
    }
    EXPECT_FALSE(IsDeterministic("rand"));
    EXPECT_TRUE(IsDeterministic("strcat"));
    // A deterministic call with constant arguments does fold.
    BoundExprPtr e = Add(40, 2);
    FoldExpr(e);
    ASSERT_EQ(e->kind, BoundExpr::Kind::kConst);
    EXPECT_EQ(e->value.as_int64(), 42);
}

TEST_F(FoldConstantsTest, ConstantSubexpressionsBecomeLiterals) {
    std::string plan = Explain(
        "traces | where message == strcat('a', 'b') and timestamp < datetime(2024-01-01) + 1d "
        "and timestamp > ago(1h)");
    EXPECT_NE(plan.find("message == \"ab\""), std::string::npos) << plan;
    EXPECT_NE(plan.find("timestamp < datetime(2024-01-02T00:00:00Z)"), std::string::npos) << plan;
    // ago() uses the query's fixed now (2024-01-02T00:00:00Z).
    EXPECT_NE(plan.find("timestamp > datetime(2024-01-01T23:00:00Z)"), std::string::npos) << plan;
}

TEST_F(FoldConstantsTest, NowIsTheRequestsNow) {
    core::QueryRequest req = Request("traces | where timestamp > ago(3h) | count");
    req.now_ticks = Dt("2024-01-01T20:00:00Z");
    auto plan = engine_.Explain(req);
    ASSERT_TRUE(plan.ok());
    EXPECT_NE(plan->find("time=[2024-01-01T17:00:00.0000001Z, +inf)"), std::string::npos) << *plan;
    auto r = engine_.Run(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tables[0].data.columns[0].int64_at(0), 6);  // 18:00 .. 23:00
}

TEST_F(FoldConstantsTest, ConstantsReachThroughExtendForPushDown) {
    const PlanNode& scan = Scan(
        "traces | extend since = ago(2h), who = 'r1' | where timestamp >= since "
        "and tostring(customDimensions.parent_run_id) == who");
    EXPECT_EQ(scan.scan_time.min, Dt("2024-01-01T22:00:00Z"));
    ASSERT_EQ(scan.scan_predicates.size(), 2u);
    EXPECT_EQ(scan.scan_predicates[1].column, "tostring(customDimensions.parent_run_id)");
    EXPECT_EQ(scan.scan_predicates[1].values, std::vector<std::string>{"r1"});
    ExpectSameAnswer(
        "traces | extend since = ago(7h), who = 'r2' | where timestamp >= since "
        "and tostring(customDimensions.parent_run_id) == who | project message");
}

}  // namespace
}  // namespace calypso::kql
