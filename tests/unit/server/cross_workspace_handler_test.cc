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

    // A query API POST with more fields after "query" (`extra`: ,"workspaces":[...]).
    net::HttpResponse QueryWith(const std::string& path, const std::string& kql,
                                const std::string& extra, bool deny_qa = false) {
        std::string body = "{\"query\":";
        core::AppendJsonString(body, kql);
        return Post(path, body + extra + "}", deny_qa);
    }
    // A Kusto request with `properties` (JSON text, sent as a string as Python does).
    net::HttpResponse KustoWith(const std::string& db, const std::string& csl,
                                const std::string& properties) {
        std::string body = "{\"db\":";
        core::AppendJsonString(body, db);
        body += ",\"csl\":";
        core::AppendJsonString(body, csl);
        body += ",\"properties\":";
        core::AppendJsonString(body, properties);
        return Post("/v2/rest/query", body + "}");
    }
    // Each frame of a v2 answer as "FrameType" or "FrameType:TableKind".
    static std::vector<std::string> FrameTypes(const Dynamic& frames) {
        std::vector<std::string> out;
        for (const auto& f : frames.as_array()) {
            std::string t = f.Find("FrameType")->as_string();
            if (const Dynamic* kind = f.Find("TableKind")) t += ":" + kind->as_string();
            out.push_back(t);
        }
        return out;
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

// The query API's "workspaces" ("applications" on /v1/apps): the listed workspaces' rows are
// read with the path's, under the query's own table names.
TEST_F(CrossWorkspaceHandlerTest, WorkspacesFieldUnionsTheListedWorkspaces) {
    const std::string path = "/v1/workspaces/default/query";
    // default has 2 traces, ml 3, qa 1.
    auto r = QueryWith(path, "traces | count", R"(,"workspaces":["ml"])");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Rows(r), "[[5]]");
    // By name and by id; each row keeps its own workspace's columns.
    r = QueryWith(path, "traces | summarize n = count() by appName | order by appName asc",
                  R"(,"workspaces":["ml",")" + testing::kQaId + R"("])");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Rows(r), R"([["",1],["default",1],["ml",3],["qa",1]])");
    // The path's own workspace listed again, or twice, is read once.
    EXPECT_EQ(Rows(QueryWith(path, "traces | count", R"(,"workspaces":["default","ml","ml"])")),
              "[[5]]");
    // Log Analytics tables too; PipelineRuns rows (no workspace column) are default's only.
    EXPECT_EQ(Rows(QueryWith("/v1/workspaces/qa/query", "AmlComputeJobEvent | count",
                             R"(,"workspaces":["ml"])")),
              "[[2]]");
    EXPECT_EQ(Rows(QueryWith("/v1/workspaces/ml/query", "PipelineRuns | count",
                             R"(,"workspaces":["default"])")),
              "[[2]]");
    // An Azure resource id names a workspace as in workspace("...").
    EXPECT_EQ(Rows(QueryWith("/v1/workspaces/qa/query", "traces | count",
                             R"(,"workspaces":["/subscriptions/s/resourceGroups/g/providers/)"
                             R"(Microsoft.OperationalInsights/workspaces/ml"])")),
              "[[4]]");
    // An empty list changes nothing.
    EXPECT_EQ(Rows(QueryWith(path, "traces | count", R"(,"workspaces":[])")), "[[2]]");
    // /v1/apps takes "applications".
    EXPECT_EQ(Rows(QueryWith("/v1/apps/ml/query", "traces | count", R"(,"applications":["qa"])")),
              "[[4]]");
    // GET: a comma-separated parameter.
    net::HttpRequest get;
    get.method = "GET";
    get.path = "/v1/workspaces/default/query";
    get.query = "query=traces%20%7C%20count&workspaces=ml,qa";
    get.target = get.path + "?" + get.query;
    auto g = api_->Handle(get);
    ASSERT_EQ(g.status, 200) << g.body;
    EXPECT_EQ(Rows(g), "[[6]]");
}

TEST_F(CrossWorkspaceHandlerTest, WorkspacesFieldErrorsNameTheWorkspace) {
    const std::string path = "/v1/workspaces/default/query";
    auto unknown = QueryWith(path, "traces", R"(,"workspaces":["ml","nope"])");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    EXPECT_NE(unknown.body.find("workspace 'nope' listed in \\\"workspaces\\\" does not exist"),
              std::string::npos)
        << unknown.body;
    // One the caller may not read answers as one that does not exist.
    auto hidden = QueryWith(path, "traces", R"(,"workspaces":["qa"])", true);
    auto missing = QueryWith(path, "traces", R"(,"workspaces":["qz"])", true);
    EXPECT_EQ(hidden.status, 404);
    std::string masked = hidden.body;
    masked.replace(masked.find("'qa'"), 4, "'qz'");
    masked.replace(masked.find("'qa'"), 4, "'qz'");
    EXPECT_EQ(masked, missing.body);
    auto app = QueryWith("/v1/apps/default/query", "traces", R"(,"applications":["nope"])");
    EXPECT_EQ(app.status, 404);
    EXPECT_NE(app.body.find("app 'nope' listed in"), std::string::npos) << app.body;
    // Not a list of strings: 400.
    for (const char* bad : {R"(,"workspaces":"ml")", R"(,"workspaces":[1])"}) {
        auto r = QueryWith(path, "traces", bad);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_NE(r.body.find("request field \\\"workspaces\\\" must be an array of strings"),
                  std::string::npos)
            << r.body;
    }
}

// The Kusto client's database is a workspace, and this server is the one cluster.
TEST_F(CrossWorkspaceHandlerTest, DatabaseAndClusterReferences) {
    EXPECT_EQ(V2Rows(Kusto("/v2/rest/query", "default", "database('ml').traces | count")),
              "[[3]]");
    EXPECT_EQ(V2Rows(Kusto("/v2/rest/query", "ml",
                           "cluster('https://help.kusto.windows.net').database('" +
                               testing::kQaId + "').traces | count")),
              "[[1]]");
    EXPECT_EQ(V2Rows(Kusto("/v2/rest/query", "ml",
                           "union database('default').traces, traces | count")),
              "[[5]]");
    auto unknown = Kusto("/v2/rest/query", "default", "cluster('c').database('nope').traces");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("unknown database 'nope'"), std::string::npos) << unknown.body;
    // Unreadable is unknown.
    auto hidden = Kusto("/v2/rest/query", "default", "database('qa').traces", true);
    EXPECT_EQ(hidden.status, 400);
    EXPECT_NE(hidden.body.find("unknown database 'qa'"), std::string::npos) << hidden.body;
}

// results_progressive_enabled: the result table as TableHeader, TableFragment and
// TableCompletion frames, the other tables as DataTable frames.
TEST_F(CrossWorkspaceHandlerTest, ProgressiveFrames) {
    auto r = KustoWith("ml", "traces | project message | order by message asc",
                       R"({"Options":{"results_progressive_enabled":true}})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok()) << r.body;
    EXPECT_EQ(FrameTypes(*frames),
              (std::vector<std::string>{"DataSetHeader", "DataTable:QueryProperties",
                                        "TableHeader:PrimaryResult", "TableFragment",
                                        "TableCompletion", "DataTable:QueryCompletionInformation",
                                        "DataSetCompletion"}));
    const auto& f = frames->as_array();
    EXPECT_TRUE(f[0].Find("IsProgressive")->as_bool());
    EXPECT_EQ(f[2].Find("TableId")->as_long(), 1);
    EXPECT_EQ(f[2].Find("Columns")->ToJson(), R"([{"ColumnName":"message","ColumnType":"string"}])");
    EXPECT_EQ(f[3].Find("TableId")->as_long(), 1);
    EXPECT_EQ(f[3].Find("FieldCount")->as_long(), 1);
    EXPECT_EQ(f[3].Find("TableFragmentType")->as_string(), "DataAppend");
    EXPECT_EQ(f[3].Find("Rows")->ToJson(), R"([["m1"],["m2 err"],["m3 err"]])");
    EXPECT_EQ(f[4].Find("RowCount")->as_long(), 3);
    EXPECT_EQ(f[4].Find("OneApiErrors"), nullptr);
    EXPECT_FALSE(f[6].Find("HasErrors")->as_bool());

    // 2500 rows: fragments of 1000, 1000 and 500 rows, in order.
    r = KustoWith("ml", "range x from 1 to 2500 step 1",
                  R"({"Options":{"results_progressive_enabled":"true"}})");
    ASSERT_EQ(r.status, 200) << r.body;
    frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok());
    std::vector<size_t> sizes;
    int64_t next = 1;
    for (const auto& frame : frames->as_array()) {
        if (frame.Find("FrameType")->as_string() != "TableFragment") continue;
        sizes.push_back(frame.Find("Rows")->as_array().size());
        for (const auto& row : frame.Find("Rows")->as_array()) {
            EXPECT_EQ(row.as_array()[0].as_long(), next++);
        }
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{1000, 1000, 500}));

    // Truncation: the error goes to TableCompletion (EndOfTable, the default) or into the
    // last fragment's rows (InData), and to DataSetCompletion.
    r = KustoWith("ml", "traces | project message | order by message asc",
                  R"({"Options":{"results_progressive_enabled":true,"truncationmaxrecords":2}})");
    frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok()) << r.body;
    EXPECT_EQ(frames->as_array()[3].Find("Rows")->ToJson(), R"([["m1"],["m2 err"]])");
    const Dynamic& completion = frames->as_array()[4];
    EXPECT_EQ(completion.Find("RowCount")->as_long(), 2);
    ASSERT_NE(completion.Find("OneApiErrors"), nullptr) << r.body;
    EXPECT_NE(completion.Find("OneApiErrors")->ToJson().find("LimitsExceeded"), std::string::npos)
        << r.body;
    EXPECT_TRUE(frames->as_array().back().Find("HasErrors")->as_bool());
    r = KustoWith("ml", "traces | project message | order by message asc",
                  R"({"Options":{"results_progressive_enabled":true,"truncationmaxrecords":2,)"
                  R"("results_error_reporting_placement":"in_data"}})");
    frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok()) << r.body;
    const auto& rows = frames->as_array()[3].Find("Rows")->as_array();
    ASSERT_EQ(rows.size(), 3u) << r.body;
    EXPECT_NE(rows[2].Find("OneApiErrors"), nullptr);
    EXPECT_EQ(frames->as_array()[4].Find("OneApiErrors"), nullptr);

    // Off (the default, or false): one DataTable frame per table.
    r = KustoWith("ml", "traces | count", R"({"Options":{"results_progressive_enabled":false}})");
    frames = Dynamic::Parse(r.body);
    ASSERT_TRUE(frames.ok());
    EXPECT_FALSE(frames->as_array()[0].Find("IsProgressive")->as_bool());
    EXPECT_EQ(FrameTypes(*frames)[2], "DataTable:PrimaryResult");
    EXPECT_EQ(KustoWith("ml", "print 1", R"({"Options":{"results_progressive_enabled":"maybe"}})")
                  .status,
              400);
}

}  // namespace
}  // namespace calypso::server
