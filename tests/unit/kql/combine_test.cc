// Parser and engine checks for join, union, mv-expand, parse and make-series that the
// golden files cannot express: AST shapes and multi-batch inputs.
#include <gtest/gtest.h>

#include "format.h"
#include "kql/engine.h"
#include "kql/syntax/parser.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::Type;

TEST(CombineParser, JoinKeysAndKind) {
    auto q = syntax::Parse("T | join kind=leftouter (U | where x > 1) on a, $left.b == $right.c");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    const auto& op = q->statements[0].tabular->ops[0];
    EXPECT_EQ(op.kind, syntax::Operator::Kind::kJoin);
    EXPECT_EQ(op.mode, "leftouter");
    ASSERT_EQ(op.on.size(), 2u);
    EXPECT_EQ(op.on[0].left, "a");
    EXPECT_EQ(op.on[0].right, "a");
    EXPECT_EQ(op.on[1].left, "b");
    EXPECT_EQ(op.on[1].right, "c");
    EXPECT_EQ(op.tabulars[0]->source.kind, syntax::Source::Kind::kSubquery);
}

TEST(CombineParser, UnionOperandsAndWildcards) {
    auto q = syntax::Parse("union withsource=S kind=outer trace*, (T | take 1), U");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    const auto& src = q->statements[0].tabular->source;
    ASSERT_EQ(src.kind, syntax::Source::Kind::kUnion);
    const auto& op = *src.union_op;
    EXPECT_EQ(op.with_source, "S");
    EXPECT_EQ(op.mode, "outer");
    ASSERT_EQ(op.tabulars.size(), 3u);
    EXPECT_EQ(op.tabulars[0]->source.table, "trace*");
    EXPECT_EQ(op.tabulars[1]->source.kind, syntax::Source::Kind::kSubquery);
    EXPECT_EQ(op.tabulars[2]->source.table, "U");
}

TEST(CombineParser, ParsePatternPieces) {
    auto q = syntax::Parse(R"(T | parse kind=regex msg with * "id=" id:long "," rest)");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    const auto& p = q->statements[0].tabular->ops[0].pattern;
    ASSERT_EQ(p.size(), 5u);
    EXPECT_EQ(p[0].kind, syntax::ParsePiece::Kind::kWildcard);
    EXPECT_EQ(p[1].text, "id=");
    EXPECT_EQ(p[2].kind, syntax::ParsePiece::Kind::kColumn);
    EXPECT_EQ(p[2].type, Type::kLong);
    EXPECT_EQ(p[4].type, Type::kString);
}

class CombineEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        core::Schema schema;
        schema.fields = {{"k", Type::kLong}, {"v", Type::kLong}};
        core::Batch b = core::Batch::Empty(schema);
        for (int64_t i = 0; i < 1000; ++i) {
            b.columns[0].AppendInt64(i % 100);
            b.columns[1].AppendInt64(i);
        }
        source_.AddTable("facts", std::move(b));
        source_.set_max_batch_rows(64);  // many batches per scan
    }
    std::vector<std::string> Rows(const std::string& text) {
        core::QueryRequest req;
        req.text = text;
        req.now_ticks = 1;
        auto r = engine_.Run(req);
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

TEST_F(CombineEngine, JoinAcrossBatches) {
    // Each key has 10 rows on each side: inner gives 100 per key, innerunique 10.
    EXPECT_EQ(Rows("facts | join kind=inner facts on k | count"),
              std::vector<std::string>{"10000"});
    EXPECT_EQ(Rows("facts | join facts on k | count"), std::vector<std::string>{"1000"});
    // innerunique keeps the first left row per key: v == k.
    EXPECT_EQ(Rows("facts | join facts on k | where v != k | count"),
              std::vector<std::string>{"0"});
    EXPECT_EQ(Rows("facts | join kind=leftanti (facts | where k < 50) on k | count"),
              std::vector<std::string>{"500"});
}

TEST_F(CombineEngine, PercentilesAndSeriesAcrossBatches) {
    EXPECT_EQ(Rows("facts | summarize percentiles(v, 0, 50, 100)"),
              std::vector<std::string>{"0 | 499 | 999"});
    EXPECT_EQ(Rows("facts | where k == 7 | make-series n = count() on v from 0 to 1000 step 500"),
              std::vector<std::string>{"[5,5] | [0,500]"});
    EXPECT_EQ(Rows("union facts, facts | count"), std::vector<std::string>{"2000"});
}

}  // namespace
}  // namespace calypso::kql
