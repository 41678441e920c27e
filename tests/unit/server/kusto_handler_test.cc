#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "core/time.h"
#include "server/api.h"
#include "temp_workspaces.h"

namespace calypso::server {
namespace {

using core::Dynamic;
using core::Type;

// Answers with a preset result or error, and remembers the request.
class FakeQueries final : public core::QueryService {
  public:
    core::Result<core::QueryResult> Run(const core::QueryRequest& request) override {
        last = request;
        if (sleep_seconds > 0) {
            std::this_thread::sleep_for(std::chrono::duration<double>(sleep_seconds));
        }
        if (!error.ok()) return error;
        return result;
    }
    core::QueryRequest last;
    core::QueryResult result;
    core::Status error;
    double sleep_seconds = 0;
};

core::QueryResult TwoRows(bool truncated = false, std::string render = "") {
    core::Batch b = core::Batch::Empty(
        core::Schema{{{"timestamp", Type::kDatetime}, {"n", Type::kLong}, {"d", Type::kDynamic}}});
    b.columns[0].AppendInt64(*core::ParseDatetime("2024-05-01T00:00:00Z"));
    b.columns[1].AppendInt64(1);
    b.columns[2].AppendDynamic(*Dynamic::Parse(R"({"k":"v"})"));
    b.columns[0].AppendNull();
    b.columns[1].AppendInt64(2);
    b.columns[2].AppendDynamic(*Dynamic::Parse("[1,2]"));
    core::QueryResult r;
    r.tables.push_back({"PrimaryResult", std::move(b), truncated, std::move(render)});
    r.scan_stats.segments = 2;
    r.scan_stats.rows = 7;
    return r;
}

class KustoHandlerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(workspaces_.status().ok()) << workspaces_.status().ToString();
        ApiServices s;
        s.queries = &queries_;
        s.workspaces = workspaces_.get();
        api_ = std::make_unique<Api>(std::move(s));
        queries_.result = TwoRows();
    }

    net::HttpResponse Post(const std::string& path, std::string body,
                           std::string request_id = "KPC.execute;42") {
        net::HttpRequest r;
        r.method = "POST";
        r.path = r.target = path;
        r.body = std::move(body);
        if (!request_id.empty()) r.headers.emplace_back("x-ms-client-request-id", request_id);
        return api_->Handle(r);
    }
    static std::string Header(const net::HttpResponse& r, std::string_view name) {
        for (const auto& [k, v] : r.headers) {
            if (k == name) return v;
        }
        return "";
    }
    // The v2 frames of a 200 answer.
    static Dynamic Frames(const net::HttpResponse& r) {
        auto parsed = Dynamic::Parse(r.body);
        EXPECT_TRUE(parsed.ok()) << r.body;
        return parsed.ok() ? *parsed : Dynamic();
    }
    static const Dynamic* Frame(const Dynamic& frames, std::string_view type, int nth = 0) {
        for (const Dynamic& f : frames.as_array()) {
            if (f.Find("FrameType")->as_string() == type && nth-- == 0) return &f;
        }
        return nullptr;
    }

    FakeQueries queries_;
    testing::TempWorkspaces workspaces_{"calypso-kh-"};
    std::unique_ptr<Api> api_;
};

TEST_F(KustoHandlerTest, V2AnswerHasEveryFrameAndEchoesTheRequestId) {
    auto r = Post("/v2/rest/query", R"({"db":"default","csl":"T | take 2"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(Header(r, "x-ms-client-request-id"), "KPC.execute;42");
    EXPECT_EQ(Header(r, "x-ms-activity-id").size(), 36u);
    EXPECT_EQ(queries_.last.text, "T | take 2");
    EXPECT_EQ(queries_.last.max_rows, size_t{500'000});
    const Dynamic frames = Frames(r);
    ASSERT_EQ(frames.as_array().size(), 5u) << r.body;
    const Dynamic& header = frames.as_array()[0];
    EXPECT_EQ(header.Find("FrameType")->as_string(), "DataSetHeader");
    EXPECT_EQ(header.Find("Version")->as_string(), "v2.0");
    EXPECT_FALSE(header.Find("IsProgressive")->as_bool());

    const Dynamic* props = Frame(frames, "DataTable", 0);
    EXPECT_EQ(props->Find("TableKind")->as_string(), "QueryProperties");
    EXPECT_EQ(props->Find("TableName")->as_string(), "@ExtendedProperties");
    EXPECT_EQ(props->Find("Rows")->ToJson(), R"([[1,"Visualization",{"Visualization":null}]])");

    const Dynamic* primary = Frame(frames, "DataTable", 1);
    EXPECT_EQ(primary->Find("TableId")->as_long(), 1);
    EXPECT_EQ(primary->Find("TableKind")->as_string(), "PrimaryResult");
    EXPECT_EQ(
        primary->Find("Columns")->ToJson(),
        R"([{"ColumnName":"timestamp","ColumnType":"datetime"},)"
        R"({"ColumnName":"n","ColumnType":"long"},{"ColumnName":"d","ColumnType":"dynamic"}])");
    EXPECT_EQ(primary->Find("Rows")->ToJson(),
              R"([["2024-05-01T00:00:00.0000000Z",1,{"k":"v"}],[null,2,[1,2]]])");

    const Dynamic* qci = Frame(frames, "DataTable", 2);
    EXPECT_EQ(qci->Find("TableKind")->as_string(), "QueryCompletionInformation");
    const auto& rows = qci->Find("Rows")->as_array();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].At(1)->as_string(), "KPC.execute;42");
    EXPECT_EQ(rows[0].At(5)->as_long(), 4);  // Level: Info, so the client counts no error
    EXPECT_EQ(rows[1].At(10)->as_string(), "QueryResourceConsumption");
    EXPECT_NE(rows[1].At(11)->as_string().find(R"("extents":{"total":2,"scanned":2})"),
              std::string::npos);

    const Dynamic* done = Frame(frames, "DataSetCompletion");
    ASSERT_NE(done, nullptr);
    EXPECT_FALSE(done->Find("HasErrors")->as_bool());
    EXPECT_EQ(done->Find("OneApiErrors"), nullptr);
}

TEST_F(KustoHandlerTest, DbNamesAWorkspaceByNameOrIdElseDefault) {
    EXPECT_EQ(Post("/v2/rest/query", R"({"csl":"T"})").status, 200);
    EXPECT_EQ(Post("/v2/rest/query", R"({"db":null,"csl":"T"})").status, 200);
    const std::string id = workspaces_->default_workspace().id;
    EXPECT_EQ(Post("/v2/rest/query", R"({"db":")" + id + R"(","csl":"T"})").status, 200);
    auto r = Post("/v2/rest/query", R"({"db":"mydb","csl":"T"})");
    EXPECT_EQ(r.status, 404);
    auto body = Dynamic::Parse(r.body);
    ASSERT_TRUE(body.ok()) << r.body;
    EXPECT_EQ(body->Find("error")->Find("code")->as_string(), "NotFound");
    EXPECT_EQ(body->Find("error")->Find("@message")->as_string(),
              "Entity name 'mydb' of kind 'Database' does not exist.");
    EXPECT_EQ(Header(r, "x-ms-client-request-id"), "KPC.execute;42");
}

TEST_F(KustoHandlerTest, PropertiesAsTextOrObjectSetLimits) {
    // The Python client sends properties as JSON text.
    auto r = Post("/v2/rest/query",
                  R"({"db":"default","csl":"T","properties":"{\"Options\": {\"servertimeout\": )"
                  R"(\"0:00:30\", \"truncationmaxrecords\": 1, \"query_now\": )"
                  R"(\"2024-01-01T00:00:00Z\"}, \"Parameters\": {}}"})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_DOUBLE_EQ(queries_.last.max_seconds, 30);
    EXPECT_EQ(queries_.last.max_rows, 1u);
    EXPECT_EQ(queries_.last.now_ticks, *core::ParseDatetime("2024-01-01T00:00:00Z"));
    r = Post("/v2/rest/query",
             R"({"csl":"T","properties":{"Options":{"servertimeout":"2 days, 0:00:00",)"
             R"("truncationmaxrecords":"9000000"}}})");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_DOUBLE_EQ(queries_.last.max_seconds, 3600);   // capped at an hour
    EXPECT_EQ(queries_.last.max_rows, size_t{500'000});  // never above the server's cap
    r = Post("/v2/rest/query", R"({"csl":"T","properties":{"Options":{"servertimeout":"soon"}}})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("Options.servertimeout"), std::string::npos) << r.body;
    EXPECT_EQ(Post("/v2/rest/query", R"({"csl":"T","properties":"{not json"})").status, 400);
}

TEST_F(KustoHandlerTest, TruncationIsAPartialFailureEverywhere) {
    queries_.result = TwoRows(/*truncated=*/true, "timechart");
    auto r = Post("/v2/rest/query",
                  R"({"csl":"T","properties":{"Options":{"truncationmaxrecords":2}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    Dynamic frames = Frames(r);
    EXPECT_EQ(Frame(frames, "DataTable", 0)->Find("Rows")->ToJson(),
              R"([[1,"Visualization",{"Visualization":"timechart"}]])");
    const auto& rows = Frame(frames, "DataTable", 1)->Find("Rows")->as_array();
    ASSERT_EQ(rows.size(), 3u);  // two rows, then the error object
    const Dynamic* error = rows[2].Find("OneApiErrors")->At(0)->Find("error");
    EXPECT_EQ(error->Find("code")->as_string(), "LimitsExceeded");
    EXPECT_NE(error->Find("@message")->as_string().find("E_QUERY_RESULT_SET_TOO_LARGE"),
              std::string::npos);
    EXPECT_NE(error->Find("@message")->as_string().find("limit of 2 records"), std::string::npos);
    const auto& qci = Frame(frames, "DataTable", 2)->Find("Rows")->as_array();
    ASSERT_EQ(qci.size(), 3u);
    EXPECT_EQ(qci[2].At(5)->as_long(), 2);  // Level 2: the client counts an error
    EXPECT_EQ(qci[2].At(7)->as_long(), -2133196797);
    const Dynamic* done = Frame(frames, "DataSetCompletion");
    EXPECT_TRUE(done->Find("HasErrors")->as_bool());
    EXPECT_EQ(done->Find("OneApiErrors")->as_array().size(), 1u);

    // Deferred: no error row, the completion tables still tell.
    r = Post("/v2/rest/query",
             R"({"csl":"T","properties":{"Options":{"deferpartialqueryfailures":true}}})");
    frames = Frames(r);
    EXPECT_EQ(Frame(frames, "DataTable", 1)->Find("Rows")->as_array().size(), 2u);
    EXPECT_TRUE(Frame(frames, "DataSetCompletion")->Find("HasErrors")->as_bool());
    r = Post("/v2/rest/query",
             R"({"csl":"T","properties":{"Options":{"results_error_reporting_placement":)"
             R"("end_of_dataset"}}})");
    frames = Frames(r);
    EXPECT_EQ(frames.as_array()[0].Find("ErrorReportingPlacement")->as_string(), "EndOfDataSet");
    EXPECT_EQ(Frame(frames, "DataTable", 1)->Find("Rows")->as_array().size(), 2u);

    // v1: the error row, and a QueryStatus row of Severity 2.
    r = Post("/v1/rest/query", R"({"csl":"T"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto v1 = Dynamic::Parse(r.body);
    ASSERT_TRUE(v1.ok());
    const auto& tables = v1->Find("Tables")->as_array();
    ASSERT_EQ(tables.size(), 4u);
    EXPECT_EQ(tables[0].Find("Rows")->as_array().size(), 3u);
    EXPECT_EQ(tables[2].Find("Rows")->At(1)->At(1)->as_long(), 2);

    // Log Analytics: "error" PartialError next to the tables.
    net::HttpRequest la;
    la.method = "POST";
    la.path = la.target = "/v1/workspaces/default/query";
    la.body = R"({"query":"T"})";
    auto answer = Dynamic::Parse(api_->Handle(la).body);
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->Find("error")->Find("code")->as_string(), "PartialError");
    EXPECT_EQ(answer->Find("error")
                  ->Find("details")
                  ->At(0)
                  ->Find("innererror")
                  ->Find("code")
                  ->as_string(),
              "-2133196797");
    EXPECT_TRUE(answer->Find("tables")->At(0)->Find("truncated")->as_bool());
}

TEST_F(KustoHandlerTest, V1AnswerHasATableOfContents) {
    queries_.result = TwoRows(false, "barchart");
    auto r = Post("/v1/rest/query", R"({"db":"default","csl":"T"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto v1 = Dynamic::Parse(r.body);
    ASSERT_TRUE(v1.ok()) << r.body;
    const auto& tables = v1->Find("Tables")->as_array();
    ASSERT_EQ(tables.size(), 4u);
    EXPECT_EQ(tables[0].Find("TableName")->as_string(), "Table_0");
    EXPECT_EQ(tables[0].Find("Columns")->At(0)->ToJson(),
              R"({"ColumnName":"timestamp","DataType":"DateTime","ColumnType":"datetime"})");
    EXPECT_EQ(tables[1].Find("Rows")->ToJson(), R"([["{\"Visualization\":\"barchart\"}"]])");
    EXPECT_EQ(tables[2].Find("Rows")->At(0)->At(2)->as_string(), "Info");
    const auto& toc = tables[3].Find("Rows")->as_array();
    ASSERT_EQ(toc.size(), 3u);
    EXPECT_EQ(toc[0].At(1)->as_string(), "QueryResult");
    EXPECT_EQ(toc[0].At(2)->as_string(), "PrimaryResult");
    EXPECT_EQ(toc[1].At(1)->as_string(), "QueryProperties");
    EXPECT_EQ(toc[2].At(1)->as_string(), "QueryStatus");
}

TEST_F(KustoHandlerTest, ErrorsInKustoShape) {
    queries_.error = core::Status::SyntaxError("expected an expression", {2, 7});
    auto r = Post("/v2/rest/query", R"({"csl":"T\n| where"})");
    EXPECT_EQ(r.status, 400);
    auto body = Dynamic::Parse(r.body);
    ASSERT_TRUE(body.ok()) << r.body;
    const Dynamic* e = body->Find("error");
    EXPECT_EQ(e->Find("code")->as_string(), "General_BadRequest");
    EXPECT_EQ(e->Find("@type")->as_string(), "Kusto.Data.Exceptions.SyntaxException");
    EXPECT_EQ(e->Find("@message")->as_string(),
              "Syntax error: expected an expression [line:position=2:7]");
    EXPECT_TRUE(e->Find("@permanent")->as_bool());
    EXPECT_EQ(e->Find("@context")->Find("clientRequestId")->as_string(), "KPC.execute;42");

    queries_.error = core::Status::SemanticError("unknown table 'tracez'", {1, 1});
    r = Post("/v1/rest/query", R"({"csl":"tracez"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("Semantic error: unknown table 'tracez' [line:position=1:1]"),
              std::string::npos);

    queries_.error = core::Status::LimitExceeded("query memory budget of 1 MiB exceeded in sort");
    r = Post("/v2/rest/query", R"({"csl":"T"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("\"LimitsExceeded\""), std::string::npos) << r.body;

    queries_.error = core::Status::Internal("boom");
    r = Post("/v2/rest/query", R"({"csl":"T"})");
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(r.body.find("boom"), std::string::npos);

    queries_.error = core::Status::Ok();
    EXPECT_EQ(Post("/v2/rest/query", "not json").status, 400);
    EXPECT_EQ(Post("/v2/rest/query", R"({"db":"default"})").status, 400);
    EXPECT_EQ(Post("/v2/rest/query", R"([1,2])").status, 400);
    r = Post("/v2/rest/query", R"({"csl":"  // note\n.show tables"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("/v1/rest/mgmt"), std::string::npos);
}

TEST_F(KustoHandlerTest, TimeoutsAre504) {
    queries_.error = core::Status::LimitExceeded("query exceeded its time limit of 0.01 s");
    queries_.sleep_seconds = 0.05;
    auto r = Post("/v2/rest/query",
                  R"({"csl":"T","properties":{"Options":{"servertimeout":"00:00:00.01"}}})");
    EXPECT_EQ(r.status, 504) << r.body;
    EXPECT_NE(r.body.find("RequestExecutionTimeout"), std::string::npos);

    // Log Analytics: Prefer: wait=N is the timeout, and a timeout is 504 GatewayTimeout.
    net::HttpRequest la;
    la.method = "POST";
    la.path = la.target = "/v1/workspaces/default/query";
    la.body = R"({"query":"T"})";
    la.headers.emplace_back("Prefer", "wait=0.01, include-statistics=true");
    auto answer = api_->Handle(la);
    EXPECT_EQ(answer.status, 504) << answer.body;
    EXPECT_NE(answer.body.find("GatewayTimeout"), std::string::npos);
    EXPECT_DOUBLE_EQ(queries_.last.max_seconds, 0.01);
    queries_.sleep_seconds = 0;
    answer = api_->Handle(la);  // the same error, quickly: a budget, not a timeout
    EXPECT_EQ(answer.status, 400) << answer.body;
}

TEST_F(KustoHandlerTest, ClientDisconnectCancelsTheQuery) {
    auto gone = std::make_shared<std::atomic<bool>>(false);
    net::HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/v2/rest/query";
    r.body = R"({"csl":"T"})";
    r.client_gone = gone;
    EXPECT_EQ(api_->Handle(r).status, 200);
    ASSERT_NE(queries_.last.cancelled, nullptr);
    EXPECT_FALSE(queries_.last.cancelled->load());
    gone->store(true);
    EXPECT_TRUE(queries_.last.cancelled->load());  // the engine sees the flag the server sets
}

TEST_F(KustoHandlerTest, ManagementCommands) {
    auto r = Post("/v1/rest/mgmt", R"({"db":"default","csl":".show tables"})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto v1 = Dynamic::Parse(r.body);
    ASSERT_TRUE(v1.ok());
    ASSERT_EQ(v1->Find("Tables")->as_array().size(), 1u);
    EXPECT_NE(r.body.find(R"(["traces","default","",""])"), std::string::npos);
    EXPECT_EQ(Header(r, "x-ms-client-request-id"), "KPC.execute;42");

    r = Post("/v1/rest/mgmt", R"({"db":"default","csl":".show table nope schema as json"})");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("Entity name 'nope' of kind 'Table' does not exist."), std::string::npos);
    r = Post("/v1/rest/mgmt", R"({"db":"default","csl":".drop table traces"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("does not support the management command"), std::string::npos);
    r = Post("/v1/rest/mgmt", R"({"db":"default","csl":"traces | take 1"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("start with '.'"), std::string::npos);
    r = Post("/v1/rest/mgmt", R"({"db":"nodb","csl":".show tables"})");
    EXPECT_EQ(r.status, 404);

    // GET with ?db=&csl= works as well; no request id header gets one made up.
    net::HttpRequest get;
    get.method = "GET";
    get.path = "/v1/rest/mgmt";
    get.query = "db=default&csl=.show%20version";
    auto answer = api_->Handle(get);
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(Header(answer, "x-ms-client-request-id").rfind("calypso;", 0), 0u);
}

}  // namespace
}  // namespace calypso::server
