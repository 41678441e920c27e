#include "kql/syntax/parser.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "kql/syntax/lexer.h"

namespace calypso::kql::syntax {
namespace {

void ExpectSyntaxError(std::string_view text, int line, int column, std::string_view needle) {
    auto r = Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), core::StatusCode::kSyntaxError) << text;
    EXPECT_EQ(r.status().pos().line, line) << text << ": " << r.status().message();
    EXPECT_EQ(r.status().pos().column, column) << text << ": " << r.status().message();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(Lexer, TimespanLiteralsInTicks) {
    auto toks = Lex("1d 2h 30m 10s 100ms 1.5h 3tick");
    ASSERT_TRUE(toks.ok());
    std::vector<int64_t> want = {core::kTicksPerDay,
                                 2 * core::kTicksPerHour,
                                 30 * core::kTicksPerMinute,
                                 10 * core::kTicksPerSecond,
                                 100 * core::kTicksPerMillisecond,
                                 90 * core::kTicksPerMinute,
                                 3};
    ASSERT_EQ(toks->size(), want.size() + 1);
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ((*toks)[i].kind, TokenKind::kTimespan);
        EXPECT_EQ((*toks)[i].int_value, want[i]) << i;
    }
}

TEST(Lexer, StringsAndEscapes) {
    auto toks = Lex(R"('a\'b' "c\"d\n" @'C:\x' @"say ""hi""")");
    ASSERT_TRUE(toks.ok());
    EXPECT_EQ((*toks)[0].text, "a'b");
    EXPECT_EQ((*toks)[1].text, "c\"d\n");
    EXPECT_EQ((*toks)[2].text, "C:\\x");
    EXPECT_EQ((*toks)[3].text, "say \"hi\"");
}

TEST(Lexer, RawLiteralsAndPositions) {
    auto toks = Lex("x\n  datetime(2024-01-01 10:00) dynamic({\"a\": [1, 2]})");
    ASSERT_TRUE(toks.ok());
    EXPECT_EQ((*toks)[1].kind, TokenKind::kRawLiteral);
    EXPECT_EQ((*toks)[1].literal_of, "datetime");
    EXPECT_EQ((*toks)[1].text, "2024-01-01 10:00");
    EXPECT_EQ((*toks)[1].pos.line, 2);
    EXPECT_EQ((*toks)[1].pos.column, 3);
    EXPECT_EQ((*toks)[2].literal_of, "dynamic");
    EXPECT_EQ((*toks)[2].text, "{\"a\": [1, 2]}");
}

TEST(Lexer, CommentsAreSkipped) {
    auto toks = Lex("a // comment | b\nc");
    ASSERT_TRUE(toks.ok());
    ASSERT_EQ(toks->size(), 3u);
    EXPECT_EQ((*toks)[1].text, "c");
    EXPECT_EQ((*toks)[1].pos.line, 2);
}

TEST(Parser, ErrorsCarryPositionAndExpectation) {
    ExpectSyntaxError("T | where", 1, 10, "expected an expression");
    ExpectSyntaxError("T\n| where a ==", 2, 13, "expected an expression");
    ExpectSyntaxError("T | sort a", 1, 10, "expected 'by'");
    ExpectSyntaxError("T | bogus", 1, 5, "unknown query operator 'bogus'");
    ExpectSyntaxError("print a = (1 + 2", 1, 17, "expected ')'");
    ExpectSyntaxError("print a = 'abc", 1, 11, "unterminated string");
    ExpectSyntaxError("T | where a in (1, 2", 1, 21, "expected ')'");
    ExpectSyntaxError("print a = 5x", 1, 12, "unknown timespan unit");
    ExpectSyntaxError("T | take 1 T", 1, 12, "expected ';' or '|'");
    ExpectSyntaxError("", 1, 1, "empty query");
    ExpectSyntaxError("datatable(a:foo)[1]", 1, 13, "unknown type 'foo'");
    ExpectSyntaxError("print d = dynamic({bad json})", 1, 11, "invalid dynamic literal");
}

TEST(Parser, DynamicAccessForms) {
    auto e = ParseExpression("customDimensions.key");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kMember);
    EXPECT_EQ((*e)->name, "key");
    EXPECT_EQ((*e)->args[0]->name, "customDimensions");

    e = ParseExpression("customDimensions['key']");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kIndex);
    EXPECT_EQ((*e)->args[1]->value.as_string(), "key");

    e = ParseExpression("customDimensions.['my key']");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kMember);
    EXPECT_EQ((*e)->name, "my key");

    e = ParseExpression("x[0].a[-1]");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kIndex);
    EXPECT_EQ((*e)->args[1]->kind, Expr::Kind::kUnary);
    EXPECT_EQ((*e)->args[0]->kind, Expr::Kind::kMember);
    EXPECT_EQ((*e)->args[0]->args[0]->kind, Expr::Kind::kIndex);
}

TEST(Parser, PrecedenceAndOperators) {
    auto e = ParseExpression("a or b and c == 1 + 2 * 3");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->op, "or");
    const Expr& rhs = *(*e)->args[1];
    EXPECT_EQ(rhs.op, "and");
    const Expr& cmp = *rhs.args[1];
    EXPECT_EQ(cmp.op, "==");
    EXPECT_EQ(cmp.args[1]->op, "+");
    EXPECT_EQ(cmp.args[1]->args[1]->op, "*");

    e = ParseExpression("s !has 'x'");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->op, "!has");
    e = ParseExpression("s in~ ('a', 'b')");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kIn);
    EXPECT_EQ((*e)->op, "in~");
    EXPECT_EQ((*e)->args.size(), 3u);
    e = ParseExpression("x between (1 .. 10)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kBetween);
}

TEST(Parser, StatementsAndOperators) {
    auto q = Parse(
        "let x = 5;\n"
        "let T = datatable(a:long)[1, 2];\n"
        "T | where a > x | extend b = a * 2 | summarize n = count(), sum(b) by bin(a, 1)\n"
        "  | order by n desc nulls first, a asc | top 3 by n | take 2 | count\n"
        "  | project-away Count | project-rename c = d");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    ASSERT_EQ(q->statements.size(), 3u);
    EXPECT_TRUE(q->statements[0].is_let);
    ASSERT_TRUE(q->statements[0].scalar);
    ASSERT_TRUE(q->statements[1].tabular);
    const auto& ops = q->statements[2].tabular->ops;
    ASSERT_EQ(ops.size(), 9u);
    EXPECT_EQ(ops[2].kind, Operator::Kind::kSummarize);
    EXPECT_EQ(ops[2].exprs.size(), 2u);
    EXPECT_EQ(ops[2].exprs[0].name, "n");
    EXPECT_EQ(ops[2].by.size(), 1u);
    EXPECT_EQ(ops[3].keys.size(), 2u);
    EXPECT_FALSE(ops[3].keys[0].ascending);
    EXPECT_EQ(ops[3].keys[0].nulls_first, true);
    EXPECT_TRUE(ops[3].keys[1].ascending);
    EXPECT_EQ(ops[4].kind, Operator::Kind::kTop);
    EXPECT_EQ(ops[7].kind, Operator::Kind::kProjectAway);
    EXPECT_EQ(ops[8].kind, Operator::Kind::kProjectRename);
    EXPECT_EQ(ops[8].names, (std::vector<std::string>{"c", "d"}));
}

TEST(Parser, TypedNullAndLiterals) {
    auto e = ParseExpression("long(null)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->kind, Expr::Kind::kLiteral);
    EXPECT_TRUE((*e)->value.is_null());
    EXPECT_EQ((*e)->value.type(), core::Type::kLong);
    e = ParseExpression("timespan(1.02:00:00)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->value.as_int64(), core::kTicksPerDay + 2 * core::kTicksPerHour);
    e = ParseExpression("datetime(2024-01-01T10:00:00Z)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->value.type(), core::Type::kDatetime);
    EXPECT_EQ(core::FormatDatetime((*e)->value.as_int64()), "2024-01-01T10:00:00Z");
}

}  // namespace
}  // namespace calypso::kql::syntax
