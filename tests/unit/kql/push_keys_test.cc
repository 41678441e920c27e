#include "plan_fixture.h"

namespace calypso::kql {
namespace {

using K = PlanNode::Kind;

class PushKeysTest : public testing::PlanTest {
  protected:
    static std::vector<std::string> Keys(const PlanNode& scan) {
        std::vector<std::string> out;
        for (const auto& k : scan.scan_keys) out.push_back(ScanKeyName(k));
        return out;
    }
    static std::vector<std::string> Columns(const PlanNode& scan) {
        std::vector<std::string> out;
        for (const auto& f : scan.schema.fields) out.push_back(f.name);
        return out;
    }
};

TEST_F(PushKeysTest, MemberAccessBecomesAKeyColumnAndTheDynamicColumnIsNotRead) {
    const PlanNode& scan =
        Scan("traces | where customDimensions.parent_run_id == 'r1' | project message");
    // Compared with a non-empty string, the key is read as its stored strings.
    EXPECT_EQ(Keys(scan), std::vector<std::string>{"tostring(customDimensions.parent_run_id)"});
    EXPECT_EQ(Columns(scan),
              (std::vector<std::string>{"message", "tostring(customDimensions.parent_run_id)"}));
    EXPECT_EQ(Rows("traces | where customDimensions.parent_run_id == 'r1' | project message"),
              (std::vector<std::string>{"message:string", "Step started", "Out of memory error"}));
    // What the source was asked for.
    const core::ScanRequest& req = source_.last_request();
    EXPECT_EQ(req.columns, std::vector<std::string>{"message"});
    ASSERT_EQ(req.keys.size(), 1u);
    EXPECT_EQ(req.keys[0].column, "customDimensions");
    EXPECT_EQ(req.keys[0].key, "parent_run_id");
}

TEST_F(PushKeysTest, EveryAccessFormAndConversion) {
    for (const char* q : {
             "traces | where customDimensions['step'] == 'train' | count",
             "traces | where customDimensions[\"step\"] == 'train' | count",
             "traces | where customDimensions.['step'] == 'train' | count",
         }) {
        const PlanNode& scan = Scan(q);
        EXPECT_EQ(Keys(scan), std::vector<std::string>{"tostring(customDimensions.step)"}) << q;
        // A plain column carries the row count (no column at all would mean all of them).
        EXPECT_EQ(Columns(scan),
                  (std::vector<std::string>{"timestamp", "tostring(customDimensions.step)"}));
        EXPECT_EQ(Rows(q), (std::vector<std::string>{"Count:long", "3"})) << q;
    }
    // Under tostring() the key is read as a string column (a shredded key's stored strings).
    const char* text = "traces | where tostring(customDimensions.step) == 'train' | count";
    EXPECT_EQ(Keys(Scan(text)), std::vector<std::string>{"tostring(customDimensions.step)"});
    EXPECT_EQ(Scan(text).scan_keys[0].type, core::Type::kString);
    EXPECT_EQ(Rows(text), (std::vector<std::string>{"Count:long", "3"}));
    // Under todouble()/toreal() it is read as a real column the store converts.
    for (const char* q : {"traces | summarize s = sum(todouble(customDimensions.n))",
                          "traces | where toreal(customDimensions.n) > 1 | count"}) {
        EXPECT_EQ(Keys(Scan(q)), std::vector<std::string>{"todouble(customDimensions.n)"}) << q;
        EXPECT_EQ(Scan(q).scan_keys[0].type, core::Type::kReal) << q;
        ExpectSameAnswer(q);
    }
    const PlanNode& scan = Scan(
        "traces | summarize total = sum(toint(customDimensions.n)) by "
        "s = tostring(customDimensions.step)");
    // Group keys are visited before aggregate arguments.
    EXPECT_EQ(Keys(scan), (std::vector<std::string>{"tostring(customDimensions.step)",
                                                    "customDimensions.n"}));
    EXPECT_FALSE(scan.schema.IndexOf("customDimensions"));
    ExpectSameAnswer(
        "traces | summarize total = sum(toint(customDimensions.n)) by "
        "s = tostring(customDimensions.step)");
}

TEST_F(PushKeysTest, OnlyTheFirstLevelBecomesAKey) {
    std::string plan = Explain("traces | where customDimensions.a.b == 'x' | project message");
    EXPECT_NE(plan.find("Filter ['customDimensions.a'].b == \"x\""), std::string::npos) << plan;
    EXPECT_NE(plan.find("keys=[customDimensions.a]"), std::string::npos) << plan;
    ExpectSameAnswer("traces | where customDimensions.a.b == 'x' | project message");
    ExpectSameAnswer("traces | project v = customDimensions['a']['b'], w = customDimensions.a");
}

TEST_F(PushKeysTest, ThroughChainsAboveTheScan) {
    const char* q =
        "traces | where severityLevel > 0 | extend s = tostring(customDimensions.step) "
        "| sort by timestamp asc | where customDimensions.parent_run_id == 'r2' "
        "| top 5 by tostring(customDimensions.n) | project s, message";
    const PlanNode& scan = Scan(q);
    EXPECT_EQ(Keys(scan),
              (std::vector<std::string>{"tostring(customDimensions.step)",
                                        "tostring(customDimensions.parent_run_id)",
                                        "tostring(customDimensions.n)"}));
    EXPECT_FALSE(scan.schema.IndexOf("customDimensions"));
    ExpectSameAnswer(q);
    ExpectSameAnswer(
        "traces | extend s = customDimensions.step | summarize count() by tostring(s), "
        "tostring(customDimensions.parent_run_id) | order by s asc");
}

TEST_F(PushKeysTest, WholeColumnStillReadWhenUsedWhole) {
    const char* q = "traces | where customDimensions.step == 'prep' | project customDimensions";
    const PlanNode& scan = Scan(q);
    EXPECT_TRUE(scan.schema.IndexOf("customDimensions"));
    EXPECT_EQ(Keys(scan), std::vector<std::string>{"tostring(customDimensions.step)"});
    ExpectSameAnswer(q);
    ExpectSameAnswer(
        "traces | where bag_keys(customDimensions)[0] == 'parent_run_id' "
        "and customDimensions.step == 'train' | count");
}

TEST_F(PushKeysTest, TheAnswerKeepsItsColumns) {
    // The filter is the root: a project on top hides the key column again.
    auto p = Plan("traces | where customDimensions.step == 'prep'");
    EXPECT_EQ(p->kind, K::kProject);
    EXPECT_EQ(p->schema, *source_.GetSchema("traces"));
    ExpectSameAnswer("traces | where customDimensions.step == 'prep'");
    ExpectSameAnswer("traces | sort by timestamp asc | where customDimensions.step == 'prep'");
    ExpectSameAnswer("traces | project customDimensions | where customDimensions.step == 'train'");
    // Consumers that take columns by position get the old schema back.
    ExpectSameAnswer(
        "traces | where customDimensions.step == 'train' | mv-expand customDimensions");
    ExpectSameAnswer(
        "traces | where customDimensions.step == 'train' | parse message with * 'r' rest");
    ExpectSameAnswer(
        "traces | where customDimensions.step == 'train' | union (traces | where "
        "customDimensions.step == 'prep')");
    ExpectSameAnswer(
        "traces | where customDimensions.step == 'train' | join kind=inner (traces | "
        "where customDimensions.parent_run_id == 'r1' | project message, "
        "r = customDimensions.parent_run_id) on message");
}

TEST_F(PushKeysTest, WhatIsNotAKey) {
    // Array index, computed index, a renamed or computed dynamic value.
    EXPECT_TRUE(Keys(Scan("traces | where customDimensions[0] == 1 | count")).empty());
    EXPECT_TRUE(Keys(Scan("traces | where customDimensions[message] == 'x' | count")).empty());
    EXPECT_TRUE(
        Keys(Scan("traces | project-rename cd = customDimensions | where cd.step == 'x'")).empty());
    EXPECT_TRUE(Keys(Scan("traces | extend d = todynamic(message) | where d.k == 'x'")).empty());
    EXPECT_TRUE(Keys(Scan("traces | where customDimensions[''] == 'x' | count")).empty());
    // Above a summarize the column is not the table's any more.
    EXPECT_TRUE(Keys(Scan("traces | summarize d = take_any(customDimensions) by message "
                          "| where d.step == 'x'"))
                    .empty());
    ExpectSameAnswer("traces | where customDimensions[0] == 1 | count");
    ExpectSameAnswer("traces | project-rename cd = customDimensions | where cd.step == 'train'");
}

}  // namespace
}  // namespace calypso::kql
