// The OTLP routes of Api: content types, answers in the request's encoding, and the store's
// backpressure mapped to retriable statuses.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "server/api.h"

namespace calypso::server {
namespace {

// A RowSink that answers `status` and remembers what it was given.
class FakeSink : public core::RowSink {
  public:
    core::Status Append(std::vector<core::TableBatch> batches) override {
        if (status.ok()) {
            for (auto& b : batches) appended.push_back(std::move(b));
        }
        return status;
    }
    core::Status status;
    std::vector<core::TableBatch> appended;
};

constexpr const char* kLogs = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
    {"timeUnixNano":"1795459609312000000","body":{"stringValue":"hello"}}]}]}]})";

class OtlpHandlerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = (std::filesystem::temp_directory_path() /
                ("calypso-otlp-" + std::to_string(std::random_device{}())))
                   .string();
        auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir_,
                                           std::string("5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f"));
        ASSERT_TRUE(ws.ok()) << ws.status().ToString();
        workspaces_.emplace(std::move(*ws));
        ApiServices services;
        services.sink = &sink_;
        services.workspaces = &*workspaces_;
        api_.emplace(std::move(services));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    net::HttpResponse Post(std::string path, std::string content_type, std::string body,
                           std::string method = "POST") {
        net::HttpRequest r;
        r.method = std::move(method);
        r.path = r.target = std::move(path);
        r.headers.emplace_back("Content-Type", std::move(content_type));
        r.body = std::move(body);
        return api_->Handle(r);
    }

    static std::string Header(const net::HttpResponse& r, std::string_view name) {
        for (const auto& [k, v] : r.headers) {
            if (k == name) return v;
        }
        return "<absent>";
    }

    std::string dir_;
    FakeSink sink_;
    std::optional<Workspaces> workspaces_;
    std::optional<Api> api_;
};

TEST_F(OtlpHandlerTest, AcceptsJsonAndStoresRowsInTheDefaultWorkspace) {
    auto r = Post("/v1/logs/", "application/json; charset=utf-8", kLogs);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, "{}");
    ASSERT_EQ(sink_.appended.size(), 1u);
    EXPECT_EQ(sink_.appended[0].table, "traces");
    const auto& batch = sink_.appended[0].batch;
    EXPECT_EQ(batch.num_rows(), 1u);
    EXPECT_EQ(batch.columns[*batch.schema.IndexOf("appName")].string_at(0), "default");
    EXPECT_EQ(batch.columns[*batch.schema.IndexOf("iKey")].string_at(0),
              "5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f");
}

TEST_F(OtlpHandlerTest, EmptyProtobufRequestIsAnEmptySuccess) {
    auto r = Post("/v1/metrics", "application/x-protobuf", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/x-protobuf");
    EXPECT_EQ(r.body, "");
    EXPECT_TRUE(sink_.appended.empty());
}

TEST_F(OtlpHandlerTest, BackpressureIsRetriableWithRetryAfter) {
    sink_.status = core::Status::LimitExceeded("write buffer full");
    auto busy = Post("/v1/logs", "application/json", kLogs);
    EXPECT_EQ(busy.status, 429);
    EXPECT_EQ(Header(busy, "Retry-After"), "5");
    EXPECT_EQ(busy.body, R"({"code":8,"message":"write buffer full"})");

    sink_.status = core::Status::Unavailable("disk full");
    auto down = Post("/v1/logs", "application/json", kLogs);
    EXPECT_EQ(down.status, 503);
    EXPECT_EQ(Header(down, "Retry-After"), "5");
    EXPECT_EQ(down.body, R"({"code":14,"message":"disk full"})");

    sink_.status = core::Status::IOError("broken");
    auto broken = Post("/v1/logs", "application/json", kLogs);
    EXPECT_EQ(broken.status, 500);
    EXPECT_EQ(Header(broken, "Retry-After"), "<absent>");
}

TEST_F(OtlpHandlerTest, UnknownContentTypeAndMethod) {
    auto r = Post("/v1/traces", "text/plain", "x");
    EXPECT_EQ(r.status, 415);
    EXPECT_EQ(r.content_type, "application/json");
    auto none = Post("/v1/traces", "", "x");
    EXPECT_EQ(none.status, 415);
    auto get = Post("/v1/traces", "application/json", "", "GET");
    EXPECT_EQ(get.status, 405);
    EXPECT_EQ(Header(get, "Allow"), "POST");
}

TEST_F(OtlpHandlerTest, UndecodableBodiesAre400InTheirOwnEncoding) {
    auto r = Post("/v1/traces", "application/x-protobuf", std::string("\x0a\x05", 2));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/x-protobuf");
    EXPECT_EQ(r.body.substr(0, 2), std::string("\x08\x03", 2));
    EXPECT_NE(r.body.find("truncated message"), std::string::npos);
}

}  // namespace
}  // namespace calypso::server
