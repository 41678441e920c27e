// Engine::CreateFunction / ListFunctions: stored functions callable from every query.
#include <gtest/gtest.h>

#include "core/time.h"
#include "format.h"
#include "kql/engine.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::Type;

class StoredFunctionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        core::Schema schema{{{"timestamp", Type::kDatetime},
                             {"message", Type::kString},
                             {"level", Type::kLong}}};
        core::Batch b = core::Batch::Empty(schema);
        const char* messages[] = {"started", "warning: slow", "failed: OOM"};
        for (int i = 0; i < 3; ++i) {
            b.columns[0].AppendInt64(*core::ParseDatetime("2024-01-01T00:00:00Z") +
                                     i * core::kTicksPerHour);
            b.columns[1].AppendString(messages[i]);
            b.columns[2].AppendInt64(i + 1);
        }
        source_.AddTable("logs", std::move(b), "timestamp");
    }

    core::Result<core::QueryResult> Run(const std::string& text) {
        core::QueryRequest req;
        req.text = text;
        req.now_ticks = *core::ParseDatetime("2024-01-02T00:00:00Z");
        return engine_.Run(req);
    }

    std::vector<std::string> Rows(const std::string& text) {
        auto r = Run(text);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> out;
        if (!r.ok()) return out;
        const auto& b = r->tables.at(0).data;
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(testing::FormatRow(b, i));
        return out;
    }

    std::string Error(const std::string& text) {
        auto r = Run(text);
        EXPECT_FALSE(r.ok()) << text;
        return r.ok() ? "" : r.status().ToString();
    }

    testing::MemorySource source_;
    Engine engine_{source_};
};

TEST_F(StoredFunctionsTest, ScalarAndTabularFunctionsAreCallableFromQueries) {
    ASSERT_TRUE(engine_.CreateFunction(
                           ".create function with (folder = \"Demo\", docstring = \"adds\") "
                           "Add(a:long, b:long = 1) { a + b }")
                    .ok());
    ASSERT_TRUE(engine_
                    .CreateFunction(".create-or-alter function AtLeast(min_level:long) {\n"
                                    "    logs | where level >= min_level | project message\n}")
                    .ok());
    EXPECT_EQ(Rows("print x = Add(2), y = Add(2, 5)"), (std::vector<std::string>{"3 | 7"}));
    EXPECT_EQ(Rows("AtLeast(2)"),
              (std::vector<std::string>{"warning: slow", "failed: OOM"}));
    EXPECT_EQ(Rows("AtLeast(Add(1, 1)) | count"), (std::vector<std::string>{"2"}));
    EXPECT_EQ(Rows("logs | where Add(level) == 4 | project message"),
              (std::vector<std::string>{"failed: OOM"}));
}

TEST_F(StoredFunctionsTest, ListFunctionsKeepsTheDefinitionAsWritten) {
    ASSERT_TRUE(engine_.CreateFunction(
                           ".create function with (docstring = 'adds one', folder = 'Math') "
                           "Add(a:long, b:long = 1) { a + b }")
                    .ok());
    ASSERT_TRUE(engine_.CreateFunction("Zero() { 0 }").ok());
    auto list = engine_.ListFunctions();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "Add");
    EXPECT_EQ(list[0].parameters, "(a:long, b:long = 1)");
    EXPECT_EQ(list[0].body, "{ a + b }");
    EXPECT_EQ(list[0].folder, "Math");
    EXPECT_EQ(list[0].doc_string, "adds one");
    EXPECT_EQ(list[1].name, "Zero");
    EXPECT_EQ(list[1].parameters, "()");
    EXPECT_EQ(list[1].folder, "");
}

TEST_F(StoredFunctionsTest, ReplaceAndIfNotExists) {
    ASSERT_TRUE(engine_.CreateFunction("F() { 1 }").ok());
    ASSERT_TRUE(engine_.CreateFunction(".create-or-alter function F() { 2 }").ok());
    EXPECT_EQ(Rows("print F()"), (std::vector<std::string>{"2"}));
    ASSERT_TRUE(engine_.CreateFunction(".create function ifnotexists F() { 3 }").ok());
    EXPECT_EQ(Rows("print F()"), (std::vector<std::string>{"2"}));
    EXPECT_EQ(engine_.ListFunctions().size(), 1u);
}

TEST_F(StoredFunctionsTest, DefinitionErrorsAreReportedWhenCreated) {
    auto s = engine_.CreateFunction(".create function F(a:long) {\n  a +\n}");
    EXPECT_EQ(s.ToString(), "SyntaxError: expected an expression but found '}' (at 3:1)");
    s = engine_.CreateFunction(".create function G() { nosuch | count }");
    EXPECT_EQ(s.code(), core::StatusCode::kSemanticError);
    EXPECT_NE(s.message().find("unknown table 'nosuch'"), std::string::npos) << s.ToString();
    s = engine_.CreateFunction(".create function H(a:long) { a + b }");
    EXPECT_NE(s.message().find("unknown name 'b'"), std::string::npos) << s.ToString();
    s = engine_.CreateFunction(".create table T (a:long)");
    EXPECT_EQ(s.code(), core::StatusCode::kSyntaxError) << s.ToString();
    s = engine_.CreateFunction("NoBody(a:long)");
    EXPECT_EQ(s.code(), core::StatusCode::kSyntaxError) << s.ToString();
    EXPECT_TRUE(engine_.ListFunctions().empty());
}

TEST_F(StoredFunctionsTest, StoredFunctionsDoNotSeeQueryLetsAndLetsShadowThem) {
    ASSERT_TRUE(engine_.CreateFunction("Level() { logs | summarize max(level) }").ok());
    // A query's let of the same name wins inside that query.
    EXPECT_EQ(Rows("let Level = () { 42 }; print Level()"), (std::vector<std::string>{"42"}));
    // The body's `logs` is the table even when the query defines a let `logs`.
    EXPECT_EQ(Rows("let logs = datatable(level:long)[99]; Level()"),
              (std::vector<std::string>{"3"}));
}

TEST_F(StoredFunctionsTest, UnknownFunctionSuggestsStoredNames) {
    ASSERT_TRUE(engine_.CreateFunction("StepTimes(e:string) { logs | take 1 }").ok());
    EXPECT_EQ(Error("StepTime(\"x\")"),
              "SemanticError: unknown function 'StepTime' (did you mean 'StepTimes'?) (at 1:1)");
    EXPECT_EQ(Error("StepTimes()"),
              "SemanticError: function StepTimes() expects 1 argument(s), got 0 (at 1:1)");
}

}  // namespace
}  // namespace calypso::kql
