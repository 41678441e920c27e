// The query and Kusto routes over per-workspace engines: workspace()/app() references,
// access (unreadable == unknown), /v2/rest/mgmt, and .create/.drop function.
#include <gtest/gtest.h>

#include "server/api.h"
#include "workspace_data.h"

namespace calypso::server {
namespace {

using core::Dynamic;

class CrossWorkspaceHandlerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(workspaces_.status().ok()) << workspaces_.status().ToString();
        testing::FillWorkspaceStore(store_);
        Restart();
    }

    // A new Api over new engines on the same data directory, as after a server restart.
    void Restart() {
        api_.reset();
        queries_.reset();
        auto q = WorkspaceQueries::Open(core::Env::Default(), workspaces_.dir(), *workspaces_.get(),
                                        store_);
        ASSERT_TRUE(q.ok()) << q.status().ToString();
        queries_ = std::move(q).value();
        ApiServices s;
        s.workspaces = workspaces_.get();
        s.workspace_queries = queries_.get();
        s.queries = &queries_->EngineOf(workspaces_->default_workspace());
        // A caller sending X-Deny: qa may not read workspace qa.
        s.may_read = [](const net::HttpRequest& r, const Workspace& w) {
            return r.Header("X-Deny") != w.name;
        };
        api_ = std::make_unique<Api>(std::move(s));
    }

    net::HttpResponse Post(const std::string& path, const std::string& body, bool deny_qa = false) {
        net::HttpRequest r;
        r.method = "POST";
        r.path = r.target = path;
        r.body = body;
        if (deny_qa) r.headers.emplace_back("X-Deny", "qa");
        return api_->Handle(r);
    }
    net::HttpResponse Query(const std::string& workspace, const std::string& kql,
                            bool deny_qa = false) {
        std::string body = "{\"query\":";
        core::AppendJsonString(body, kql);
        return Post("/v1/workspaces/" + workspace + "/query", body + "}", deny_qa);
    }
    net::HttpResponse Kusto(const std::string& path, const std::string& db, const std::string& csl,
                            bool deny_qa = false) {
        std::string body = "{\"db\":";
        core::AppendJsonString(body, db);
        body += ",\"csl\":";
        core::AppendJsonString(body, csl);
        return Post(path, body + "}", deny_qa);
    }
    // The rows of the first table of a Log Analytics answer, as JSON text.
    static std::string Rows(const net::HttpResponse& r) {
        auto parsed = Dynamic::Parse(r.body);
        if (!parsed.ok()) return "unparsable: " + r.body;
        const Dynamic* tables = parsed->Find("tables");
        if (tables == nullptr) return "no tables: " + r.body;
        return tables->as_array().at(0).Find("rows")->ToJson();
    }
    // The rows of the PrimaryResult frame of a v2 answer.
    static std::string V2Rows(const net::HttpResponse& r) {
        auto parsed = Dynamic::Parse(r.body);
        if (!parsed.ok()) return "unparsable: " + r.body;
        for (const auto& frame : parsed->as_array()) {
            const Dynamic* kind = frame.Find("TableKind");
            if (kind != nullptr && kind->as_string() == "PrimaryResult") {
                return frame.Find("Rows")->ToJson();
            }
        }
        return "no PrimaryResult: " + r.body;
    }

    testing::TempWorkspaces workspaces_{"calypso-xw-", testing::MoreWorkspaces()};
    kql::testing::MemorySource store_;
    std::unique_ptr<WorkspaceQueries> queries_;
    std::unique_ptr<Api> api_;
};

TEST_F(CrossWorkspaceHandlerTest, LogAnalyticsQueriesReadTheirWorkspaceAndReferences) {
    auto r = Query("ml", "traces | count");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Rows(r), "[[3]]");
    r = Query(testing::kQaId,
              "union withsource=T traces, workspace('ml').traces, "
              "app('/subscriptions/s/resourceGroups/g/providers/microsoft.insights/components/"
              "default').traces | summarize n = count() by T | order by T asc");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Rows(r),
              R"([["app(\"/subscriptions/s/resourceGroups/g/providers/microsoft.insights/)"
              R"(components/default\").traces",2],["traces",1],["workspace(\"ml\").traces",3]])");
}

TEST_F(CrossWorkspaceHandlerTest, AnUnreadableWorkspaceAnswersAsAnUnknownOne) {
    // As a reference: the same 400 as a workspace that does not exist.
    auto hidden = Query("default", "workspace('qa').traces", true);
    auto unknown = Query("default", "workspace('qz').traces", true);
    EXPECT_EQ(hidden.status, 400);
    EXPECT_EQ(unknown.status, 400);
    std::string masked = hidden.body;
    masked.replace(masked.find("'qa'"), 4, "'qz'");
    masked.replace(masked.find("'qa'"), 4, "'qz'");
    EXPECT_EQ(masked, unknown.body);
    EXPECT_NE(hidden.body.find("\"line\":1,\"column\":1"), std::string::npos) << hidden.body;
    // Readable when the caller may read it.
    EXPECT_EQ(Rows(Query("default", "workspace('qa').traces | count")), "[[1]]");
    // As the route's workspace and as a Kusto database: 404 as unknown.
    auto route = Query("qa", "traces", true);
    auto route_unknown = Query("qz", "traces", true);
    EXPECT_EQ(route.status, 404);
    EXPECT_EQ(route_unknown.status, 404);
    auto db = Kusto("/v2/rest/query", "qa", "traces", true);
    EXPECT_EQ(db.status, 404);
    EXPECT_NE(db.body.find("Entity name 'qa' of kind 'Database' does not exist"), std::string::npos)
        << db.body;
    // .show databases lists only readable ones.
    auto dbs = Kusto("/v1/rest/mgmt", "default", ".show databases", true);
    ASSERT_EQ(dbs.status, 200) << dbs.body;
    EXPECT_NE(dbs.body.find("\"ml\""), std::string::npos);
    EXPECT_EQ(dbs.body.find("\"qa\""), std::string::npos) << dbs.body;
}

TEST_F(CrossWorkspaceHandlerTest, MgmtV2AnswersInV2Frames) {
    auto r = Kusto("/v2/rest/mgmt", "ml", ".show tables");
    ASSERT_EQ(r.status, 200) << r.body;
    auto frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok()) << r.body;
    ASSERT_EQ(frames->kind(), Dynamic::Kind::kArray);
    EXPECT_EQ(frames->as_array().front().Find("FrameType")->as_string(), "DataSetHeader");
    EXPECT_EQ(frames->as_array().back().Find("FrameType")->as_string(), "DataSetCompletion");
    EXPECT_NE(V2Rows(r).find(R"(["traces","ml","",""])"), std::string::npos) << r.body;
    // A query is refused there, naming the endpoint.
    auto q = Kusto("/v2/rest/mgmt", "ml", "traces | count");
    EXPECT_EQ(q.status, 400);
    EXPECT_NE(q.body.find("/v2/rest/mgmt takes management commands"), std::string::npos);
}

TEST_F(CrossWorkspaceHandlerTest, FunctionsCreatedThroughMgmtArePerWorkspaceAndPersist) {
    auto created = Kusto("/v1/rest/mgmt", "ml",
                         ".create function with (docstring = \"ml errors\") "
                         "Errors() { traces | where severityLevel == 3 }");
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_NE(created.body.find("\"Errors\""), std::string::npos) << created.body;
    EXPECT_NE(created.body.find("\"ml errors\""), std::string::npos) << created.body;
    // .create of an existing function fails; .create-or-alter replaces it.
    auto again = Kusto("/v1/rest/mgmt", "ml", ".create function Errors() { traces | take 1 }");
    EXPECT_EQ(again.status, 400);
    EXPECT_NE(again.body.find("already exists"), std::string::npos) << again.body;
    auto alter_missing = Kusto("/v1/rest/mgmt", "ml", ".alter function Nope() { traces }");
    EXPECT_EQ(alter_missing.status, 404);
    // A body's error is a semantic error with its position.
    auto bad = Kusto("/v2/rest/mgmt", "ml", ".create-or-alter function Bad() {\n  nope }");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("SemanticException"), std::string::npos) << bad.body;

    auto used = Kusto("/v2/rest/query", "ml", "Errors() | count");
    ASSERT_EQ(used.status, 200) << used.body;
    EXPECT_EQ(V2Rows(used), "[[2]]");
    EXPECT_EQ(Kusto("/v2/rest/query", "default", "Errors() | count").status, 400);

    Restart();
    EXPECT_EQ(V2Rows(Kusto("/v2/rest/query", "ml", "Errors() | count")), "[[2]]");
    auto shown = Kusto("/v2/rest/mgmt", "ml", ".show function Errors");
    EXPECT_EQ(V2Rows(shown),
              R"x([["Errors","()","{ traces | where severityLevel == 3 }","","ml errors"]])x");

    auto dropped = Kusto("/v1/rest/mgmt", "ml", ".drop function Errors");
    ASSERT_EQ(dropped.status, 200) << dropped.body;
    EXPECT_NE(dropped.body.find(R"("Rows":[["Errors"]])"), std::string::npos) << dropped.body;
    EXPECT_EQ(Kusto("/v1/rest/mgmt", "ml", ".drop function Errors").status, 404);
    auto if_exists = Kusto("/v2/rest/mgmt", "ml", ".drop function Errors ifexists");
    EXPECT_EQ(if_exists.status, 200);
    EXPECT_EQ(V2Rows(if_exists), "[]");
    Restart();
    EXPECT_EQ(Kusto("/v2/rest/query", "ml", "Errors()").status, 400);
}

TEST_F(CrossWorkspaceHandlerTest, DropFunctionsListsTheRest) {
    for (const char* f : {"A() { print 1 }", "B() { print 2 }", "C() { print 3 }"}) {
        ASSERT_EQ(Kusto("/v1/rest/mgmt", "qa", std::string(".create function ") + f).status, 200);
    }
    auto r = Kusto("/v2/rest/mgmt", "qa", ".drop functions (A, C)");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(V2Rows(r), R"x([["B","()","{ print 2 }","",""]])x");
    // One missing name drops nothing.
    EXPECT_EQ(Kusto("/v1/rest/mgmt", "qa", ".drop functions (B, Nope)").status, 404);
    EXPECT_EQ(V2Rows(Kusto("/v2/rest/query", "qa", "B()")), "[[2]]");
}

}  // namespace
}  // namespace calypso::server
