// The Logs Ingestion API and diagnostic-log routes of Api, and the deduplication of resent
// Application Insights batches.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <random>

#include "server/api.h"

namespace calypso::server {
namespace {

class FakeSink : public core::RowSink {
  public:
    core::Status Append(std::vector<core::TableBatch> batches) override {
        if (status.ok()) {
            for (auto& b : batches) appended.push_back(std::move(b));
        }
        return status;
    }
    size_t Rows(std::string_view table) const {
        size_t n = 0;
        for (const auto& b : appended) n += b.table == table ? b.batch.num_rows() : 0;
        return n;
    }
    core::Status status;
    std::vector<core::TableBatch> appended;
};

class LogsIngestionHandlerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = (std::filesystem::temp_directory_path() /
                ("calypso-logs-" + std::to_string(std::random_device{}())))
                   .string();
        auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir_,
                                           std::string("5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f"));
        ASSERT_TRUE(ws.ok()) << ws.status().ToString();
        workspaces_.emplace(std::move(*ws));
        ApiServices services;
        services.sink = &sink_;
        services.workspaces = &*workspaces_;
        services.define_table = [this](const std::string& table, const core::Schema& schema) {
            std::lock_guard lock(mu_);
            return core::Result<core::Schema>(tables_.emplace(table, schema).first->second);
        };
        services.recent_ids = &recent_;
        api_.emplace(std::move(services));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    net::HttpResponse Post(std::string path, std::string body) {
        net::HttpRequest r;
        r.method = "POST";
        r.target = path;
        const size_t q = path.find('?');
        r.path = path.substr(0, q);
        if (q != std::string::npos) r.query = path.substr(q + 1);
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = std::move(body);
        return api_->Handle(r);
    }

    std::string dir_;
    FakeSink sink_;
    std::mutex mu_;
    std::map<std::string, core::Schema> tables_;
    ingest::RecentIds recent_;
    std::optional<Workspaces> workspaces_;
    std::optional<Api> api_;
};

constexpr const char* kStream = "/dataCollectionRules/dcr-123/streams/";

TEST_F(LogsIngestionHandlerTest, StoresRowsOfANewCustomTableAndAnswers204) {
    auto r = Post(std::string(kStream) + "Custom-Steps_CL?api-version=2023-01-01",
                  R"([{"Step":"train","Seconds":12.5},{"Step":"eval","Seconds":3}])");
    EXPECT_EQ(r.status, 204) << r.body;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(sink_.Rows("Steps_CL"), 2u);
    ASSERT_TRUE(tables_.count("Steps_CL"));
    EXPECT_EQ(tables_["Steps_CL"].fields.at(2), (core::Field{"Seconds", core::Type::kReal}));
    const auto& batch = sink_.appended.at(0).batch;
    EXPECT_EQ(batch.columns[2].double_at(1), 3.0);
}

TEST_F(LogsIngestionHandlerTest, LaterConflictsAreRowErrorsNamingIndexAndField) {
    ASSERT_EQ(Post(std::string(kStream) + "Custom-Steps_CL", R"([{"Step":"a","N":1}])").status,
              204);
    auto r = Post(std::string(kStream) + "Custom-Steps_CL",
                  R"([{"Step":"b","N":2},{"Step":"c","N":"three"},{"Step":"d","New":1}])");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(
        r.body.find(
            R"("details":[{"index":1,"field":"N","message":"expected long, got string 'three'"})"),
        std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find(R"({"index":2,"field":"New")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("2 of 3 rows rejected, the other 1 stored"), std::string::npos);
    EXPECT_EQ(sink_.Rows("Steps_CL"), 2u);  // a, and b of the second request
}

TEST_F(LogsIngestionHandlerTest, AmlTablesAndUnknownStreams) {
    auto r =
        Post(std::string(kStream) + "Custom-AmlComputeJobEvent",
             R"([{"JobId":"j1","EventType":"JobFailed","TimeGenerated":"2024-05-01T00:00:00Z"}])");
    EXPECT_EQ(r.status, 204) << r.body;
    EXPECT_EQ(sink_.Rows("AmlComputeJobEvent"), 1u);
    EXPECT_EQ(Post(std::string(kStream) + "Custom-Nope", "[]").status, 404);
    EXPECT_EQ(Post(std::string(kStream) + "Custom-Steps_CL", "{\"not\":\"rows\"}").status, 400);
    EXPECT_EQ(Post("/dataCollectionRules/x/streams/Custom-A_CL/extra", "[]").status, 404);
}

TEST_F(LogsIngestionHandlerTest, StoreBackpressureIsRetriable) {
    sink_.status = core::Status::LimitExceeded("buffer full");
    auto r = Post(std::string(kStream) + "Custom-Steps_CL", R"([{"Step":"a"}])");
    EXPECT_EQ(r.status, 429);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Retry-After");
}

TEST_F(LogsIngestionHandlerTest, DiagnosticLogsGoToTheirCategoryTables) {
    auto r = Post("/api/diagnostics", R"({"records":[
        {"time":"2024-05-01T10:00:00Z","category":"AmlRunStatusChangedEvent","operationName":"x",
         "properties":{"RunId":"r1","Status":"Completed"}},
        {"time":"2024-05-01T10:00:00Z","category":"Mystery"}]})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find(R"({"index":1,"field":"category")"), std::string::npos) << r.body;
    EXPECT_EQ(sink_.Rows("AmlRunStatusChangedEvent"), 1u);
}

constexpr const char* kRequests = R"([
  {"name":"r","time":"2024-05-01T10:00:00Z","iKey":"5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f",
   "data":{"baseType":"RequestData","baseData":{"ver":2,"id":"req-1","name":"GET /",
   "duration":"00:00:00.010","responseCode":"200","success":true}}},
  {"name":"m","time":"2024-05-01T10:00:00Z","iKey":"5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f",
   "data":{"baseType":"MessageData","baseData":{"ver":2,"message":"hello"}}}])";

TEST_F(LogsIngestionHandlerTest, ResentTrackBatchDoesNotDoubleCountItemsWithIds) {
    auto first = Post("/v2/track", kRequests);
    EXPECT_EQ(first.status, 200) << first.body;
    auto retry = Post("/v2/track", kRequests);
    EXPECT_EQ(retry.status, 200) << retry.body;
    EXPECT_NE(retry.body.find(R"("itemsAccepted":2)"), std::string::npos) << retry.body;
    EXPECT_EQ(sink_.Rows("requests"), 1u);
    EXPECT_EQ(sink_.Rows("traces"), 2u);  // messages carry no id: never deduplicated
}

TEST_F(LogsIngestionHandlerTest, AFailedAppendDoesNotMarkItemsAsSeen) {
    sink_.status = core::Status::Unavailable("disk full");
    EXPECT_EQ(Post("/v2/track", kRequests).status, 503);
    sink_.status = core::Status::Ok();
    EXPECT_EQ(Post("/v2/track", kRequests).status, 200);
    EXPECT_EQ(sink_.Rows("requests"), 1u);
}

}  // namespace
}  // namespace calypso::server
