// workspace("x").T / app("x").T: tables of other resources through core::ResourceResolver.
#include <gtest/gtest.h>

#include <map>

#include "core/time.h"
#include "format.h"
#include "kql/engine.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::Type;

// Two workspaces, each its own in-memory source; `hidden` exists but may not be read.
class Resolver final : public core::ResourceResolver {
  public:
    core::Result<const core::TableSource*> Resolve(core::ResourceKind kind,
                                                   std::string_view id) const override {
        ++calls;
        const auto& by_id = kind == core::ResourceKind::kApp ? apps : workspaces;
        auto it = by_id.find(std::string(id));
        if (it == by_id.end() || id == "hidden") {
            return core::Status::NotFound("no such resource");
        }
        return it->second;
    }
    core::Result<std::string> ResolveFunction(core::ResourceKind kind, std::string_view id,
                                              std::string_view name) const override {
        RETURN_IF_ERROR(Resolve(kind, id).status());
        auto it = functions.find(std::string(id) + "/" + std::string(name));
        if (it == functions.end()) return core::Status::NotFound("no such function");
        return it->second;
    }
    std::map<std::string, const core::TableSource*> workspaces;
    std::map<std::string, std::string> functions;  // "workspace/name" -> "Name(...) {...}"
    std::map<std::string, const core::TableSource*> apps;
    mutable int calls = 0;
};

core::Batch Traces(const std::string& tenant, std::vector<std::pair<std::string, int>> rows) {
    core::Schema schema{{{"TimeGenerated", Type::kDatetime},
                         {"Message", Type::kString},
                         {"Level", Type::kLong},
                         {"TenantId", Type::kString},
                         {"_ResourceId", Type::kString}}};
    core::Batch b = core::Batch::Empty(schema);
    int64_t t = *core::ParseDatetime("2024-01-01T00:00:00Z");
    for (const auto& [message, level] : rows) {
        b.columns[0].AppendInt64(t);
        t += core::kTicksPerMinute;
        b.columns[1].AppendString(message);
        b.columns[2].AppendInt64(level);
        b.columns[3].AppendString(tenant);
        b.columns[4].AppendString(
            "/subscriptions/s/resourcegroups/g/providers/"
            "microsoft.operationalinsights/workspaces/" +
            tenant);
    }
    return b;
}

class ResourcesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        home_.AddTable("traces", Traces("home", {{"h1", 1}, {"h2", 3}}), "TimeGenerated");
        other_.AddTable("traces", Traces("other", {{"o1", 2}, {"o2", 3}, {"o3", 3}}),
                        "TimeGenerated");
        other_.AddTable("tracesExtra", Traces("other", {{"x1", 1}}), "TimeGenerated");
        resolver_.workspaces = {{"home", &home_}, {"other", &other_}, {"hidden", &other_}};
        resolver_.apps = {{"other-app", &other_}};
    }

    core::Result<core::QueryResult> Run(const std::string& text, bool with_resolver = true) {
        core::QueryRequest req;
        req.text = text;
        req.now_ticks = *core::ParseDatetime("2024-01-02T00:00:00Z");
        if (with_resolver) req.resources = &resolver_;
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

    std::string Error(const std::string& text, bool with_resolver = true) {
        auto r = Run(text, with_resolver);
        EXPECT_FALSE(r.ok()) << text;
        return r.ok() ? "" : r.status().ToString();
    }

    testing::MemorySource home_, other_;
    Resolver resolver_;
    Engine engine_{home_};
};

TEST_F(ResourcesTest, FirstSourceReadsTheOtherWorkspace) {
    EXPECT_EQ(Rows("workspace('other').traces | where Level == 3 | project Message, TenantId"),
              (std::vector<std::string>{"o2 | other", "o3 | other"}));
    EXPECT_EQ(Rows("app(\"other-app\").traces | count"), (std::vector<std::string>{"3"}));
    // Brackets around the table name, and the query's own workspace by reference.
    EXPECT_EQ(Rows("workspace('other').['tracesExtra'] | project Message"),
              (std::vector<std::string>{"x1"}));
    EXPECT_EQ(Rows("workspace('home').traces | count"), (std::vector<std::string>{"2"}));
}

TEST_F(ResourcesTest, UnionKeepsEachWorkspacesOwnColumns) {
    // Rows keep their workspace's TenantId and _ResourceId.
    EXPECT_EQ(Rows("union traces, workspace('other').traces | summarize n = count() by TenantId "
                   "| order by TenantId asc"),
              (std::vector<std::string>{"home | 2", "other | 3"}));
    EXPECT_EQ(Rows("union withsource = T workspace('home').traces, workspace('other').trace* "
                   "| summarize n = count() by T | order by T asc"),
              (std::vector<std::string>{"workspace(\"home\").traces | 2",
                                        "workspace(\"other\").traces | 3",
                                        "workspace(\"other\").tracesExtra | 1"}));
    EXPECT_EQ(Rows("traces | union withsource = T workspace('other').traces | summarize count() "
                   "by T | order by T asc"),
              (std::vector<std::string>{"traces | 2", "workspace(\"other\").traces | 3"}));
    EXPECT_EQ(Rows("workspace('other').traces | union traces | where Message endswith '2' "
                   "| project _ResourceId | order by _ResourceId asc"),
              (std::vector<std::string>{
                  "/subscriptions/s/resourcegroups/g/providers/microsoft.operationalinsights/"
                  "workspaces/home",
                  "/subscriptions/s/resourcegroups/g/providers/microsoft.operationalinsights/"
                  "workspaces/other"}));
}

TEST_F(ResourcesTest, JoinLookupLetFunctionsAndSearch) {
    EXPECT_EQ(Rows("traces | project Level, Home = Message | join kind=inner "
                   "(workspace('other').traces | project Level, Other = Message) on Level "
                   "| project Home, Other | order by Other asc"),
              (std::vector<std::string>{"h2 | o2", "h2 | o3"}));
    EXPECT_EQ(Rows("traces | project Level, Home = Message | lookup "
                   "workspace('other').tracesExtra on Level | project Home, Message"),
              (std::vector<std::string>{"h1 | x1", "h2 | \"\""}));
    EXPECT_EQ(Rows("let o = workspace('other').traces; o | count"),
              (std::vector<std::string>{"3"}));
    EXPECT_EQ(Rows("let f = (lvl:long) { workspace('other').traces | where Level == lvl }; "
                   "f(2) | project Message"),
              (std::vector<std::string>{"o1"}));
    EXPECT_EQ(Rows("search in (workspace('other').traces) 'o3' | project $table, Message"),
              (std::vector<std::string>{"workspace(\"other\").traces | o3"}));
    // Each reference is resolved once per query.
    resolver_.calls = 0;
    Rows("union workspace('other').traces, workspace('other').traces | count");
    EXPECT_EQ(resolver_.calls, 1);
}

TEST_F(ResourcesTest, StoredFunctionsUseTheCallersResolver) {
    // The body is checked with the resolver given at creation ...
    EXPECT_NE(engine_
                  .CreateFunction("OtherErrors() { workspace('other').traces | where Level "
                                  "== 3 }")
                  .ToString()
                  .find("unknown workspace 'other'"),
              std::string::npos);
    ASSERT_TRUE(
        engine_
            .CreateFunction("OtherErrors() { workspace('other').traces | where Level == 3 }",
                            &resolver_)
            .ok());
    // ... and bound at each call with the calling query's.
    EXPECT_EQ(Rows("OtherErrors() | count"), (std::vector<std::string>{"2"}));
    EXPECT_NE(Error("OtherErrors() | count", false).find("unknown workspace 'other'"),
              std::string::npos);
}

TEST_F(ResourcesTest, UnknownOrUnreadableResourcesAreTheSameSemanticError) {
    const std::string unknown = Error("print 1;\nunion traces, workspace('nope').traces");
    EXPECT_EQ(unknown, "SemanticError: unknown workspace 'nope' (at 2:15)");
    // Exists, but the resolver refuses it: the same answer.
    EXPECT_EQ(Error("print 1;\nunion traces, workspace('hidden').traces"),
              "SemanticError: unknown workspace 'hidden' (at 2:15)");
    EXPECT_EQ(Error("app('other').traces"), "SemanticError: unknown app 'other' (at 1:1)");
    // Without a resolver every reference is unknown.
    EXPECT_EQ(Error("workspace('other').traces", false),
              "SemanticError: unknown workspace 'other' (at 1:1)");
    EXPECT_EQ(Error("workspace('other').tracez"),
              "SemanticError: unknown table 'tracez' in workspace(\"other\") (did you mean "
              "'traces'?) (at 1:1)");
    EXPECT_EQ(Error("union workspace('other').nothing*"),
              "SemanticError: no table matches 'nothing*' (at 1:7)");
}

// The server is one cluster and a Kusto database is a workspace: database("x").T and
// cluster("any").database("x").T read workspace x's T.
TEST_F(ResourcesTest, DatabaseAndClusterReferencesNameWorkspaces) {
    EXPECT_EQ(Rows("database('other').traces | where Level == 3 | project Message, TenantId"),
              (std::vector<std::string>{"o2 | other", "o3 | other"}));
    EXPECT_EQ(Rows("cluster('https://help.kusto.windows.net').database('other').traces | count"),
              (std::vector<std::string>{"3"}));
    EXPECT_EQ(Rows("union withsource = T traces, cluster('c').database('other').trace* "
                   "| summarize n = count() by T | order by T asc"),
              (std::vector<std::string>{"cluster(\"c\").database(\"other\").traces | 3",
                                        "cluster(\"c\").database(\"other\").tracesExtra | 1",
                                        "traces | 2"}));
    EXPECT_EQ(Rows("traces | join kind=inner (database('other').tracesExtra) on Level "
                   "| project Message, Message1"),
              (std::vector<std::string>{"h1 | x1"}));
    EXPECT_EQ(Error("print 1;\nunion traces, database('nope').traces"),
              "SemanticError: unknown database 'nope' (at 2:15)");
    EXPECT_EQ(Error("cluster('c').database('hidden').traces"),
              "SemanticError: unknown database 'hidden' (at 1:14)");
    EXPECT_EQ(Error("database('other').tracez"),
              "SemanticError: unknown table 'tracez' in database(\"other\") (did you mean "
              "'traces'?) (at 1:1)");
    // cluster() alone names no table.
    EXPECT_NE(Error("cluster('c').traces").find("SyntaxError"), std::string::npos);
}

TEST_F(ResourcesTest, StoredFunctionsOfAnotherWorkspace) {
    resolver_.functions = {
        {"other/OtherErrors", "OtherErrors(lvl:long) { traces | where Level >= lvl }"},
        // tracesExtra exists only in `other`: the body's table names are other's.
        {"other/Extra", "Extra() { tracesExtra | project Message }"},
        {"other/Both",
         "Both() { union withsource=T traces, tracesExtra | summarize count() by T }"},
        {"hidden/Secret", "Secret() { traces }"},
    };
    EXPECT_EQ(Rows("workspace('other').OtherErrors(3) | project Message, TenantId | order by "
                   "Message asc"),
              (std::vector<std::string>{"o2 | other", "o3 | other"}));
    EXPECT_EQ(Rows("workspace('other').Extra()"), (std::vector<std::string>{"x1"}));
    // withsource names the body's tables as they are written there.
    EXPECT_EQ(Rows("workspace('other').Both() | order by T asc"),
              (std::vector<std::string>{"traces | 3", "tracesExtra | 1"}));
    // As a join operand and a let value; the caller's tables stay its own.
    EXPECT_EQ(Rows("let e = workspace('other').Extra(); traces | extend Message = 'x1' | join "
                   "kind=inner (e) on Message | count"),
              (std::vector<std::string>{"2"}));
    EXPECT_EQ(Rows("union (workspace('other').Extra()), (traces | project Message) | count"),
              (std::vector<std::string>{"3"}));
    EXPECT_NE(Error("workspace('other').Nope()")
                  .find("unknown function 'Nope' in "
                        "workspace(\"other\")"),
              std::string::npos);
    EXPECT_NE(Error("workspace('hidden').Secret()").find("unknown workspace 'hidden'"),
              std::string::npos);
    EXPECT_NE(Error("workspace('other').OtherErrors('x')").find("expects long"), std::string::npos);
}

TEST_F(ResourcesTest, ExplainNamesTheResource) {
    core::QueryRequest req;
    req.text = "workspace('other').traces | where Level == 3 | project Message";
    req.resources = &resolver_;
    auto plan = engine_.Explain(req);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_NE(plan->find("Scan workspace(\"other\").traces columns=[Message, Level]"),
              std::string::npos)
        << *plan;
    // The scan went to the other source, with the predicate pushed into it.
    ASSERT_TRUE(Run(req.text).ok());
    ASSERT_FALSE(other_.requests().empty());
    EXPECT_EQ(other_.last_request().table, "traces");
    EXPECT_EQ(other_.last_request().predicates.size(), 1u);
}

}  // namespace
}  // namespace calypso::kql
