// The demo's sender against a real HTTP server that answers as an overloaded or picky
// Calypso would: 429 with Retry-After, App Insights partial success, Event Grid and Logs
// Ingestion row errors, an unknown instrumentation key.
#include "app/demo_sender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "net/http_server.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;

struct Seen {
    std::string path;
    size_t items = 0;
};

// A server whose answers come from a script, one per request (the last one repeats).
class ScriptedServer {
  public:
    explicit ScriptedServer(std::vector<net::HttpResponse> script) : script_(std::move(script)) {
        net::ServerOptions o;
        o.port = 0;
        auto started = net::HttpServer::Start(o, [this](const net::HttpRequest& r) {
            std::lock_guard lock(mu_);
            auto body = Dynamic::Parse(r.body);
            seen_.push_back({r.path, body.ok() ? body->as_array().size() : 0});
            const size_t i = std::min(next_++, script_.size() - 1);
            return script_[i];
        });
        EXPECT_TRUE(started.ok()) << started.status().message();
        server_ = std::move(*started);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
    std::vector<Seen> seen() {
        std::lock_guard lock(mu_);
        return seen_;
    }

  private:
    std::vector<net::HttpResponse> script_;
    std::unique_ptr<net::HttpServer> server_;
    std::mutex mu_;
    std::vector<Seen> seen_;
    size_t next_ = 0;
};

net::HttpResponse Answer(int status, std::string body, std::string retry_after = "") {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    if (!retry_after.empty()) r.headers.emplace_back("Retry-After", retry_after);
    return r;
}

Item Envelope(int n) {
    return {Channel::kTrack, 0, Dynamic::MakeObject({{"n", Dynamic::Long(n)}})};
}

TEST(DemoSenderTest, WaitsOutThrottlingAndResendsOnlyRetriableItems) {
    ScriptedServer server({
        Answer(429, "{}", "1"),
        // Item 0 is retriable (500), item 2 is bad for good (400), item 1 was stored.
        Answer(206, R"({"itemsReceived":3,"itemsAccepted":1,"errors":[)"
                    R"({"index":0,"statusCode":500,"message":"retry me"},)"
                    R"({"index":2,"statusCode":400,"message":"bad envelope"}]})"),
        Answer(200, R"({"itemsReceived":1,"itemsAccepted":1,"errors":[]})"),
    });
    std::atomic<bool> stop{false};
    DemoSender sender({server.url(), "", 3, 5}, stop);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender.Add(Envelope(i)).ok());
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].items, 3u);
    EXPECT_EQ(seen[1].items, 3u);  // the same batch again after Retry-After
    EXPECT_EQ(seen[2].items, 1u);  // only the retriable item
    EXPECT_EQ(seen[0].path, "/v2/track");
    EXPECT_EQ(sender.stats().sent, 2u);
    EXPECT_EQ(sender.stats().rejected, 1u);
    EXPECT_EQ(sender.stats().throttled, 1u);
}

TEST(DemoSenderTest, CountsRowErrorsOfEventGridAndLogsIngestion) {
    ScriptedServer server({
        Answer(400,
               R"({"error":{"code":"InvalidArgument","message":"event 1: data.runId: missing",)"
               R"("details":[{"index":1,"field":"data.runId","message":"missing"}]}})"),
        Answer(204, ""),
    });
    std::atomic<bool> stop{false};
    DemoSender sender({server.url(), "", 100, 5}, stop);
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(sender.Add({Channel::kEventGrid, 0, Dynamic::MakeObject({})}).ok());
    }
    ASSERT_TRUE(sender.Add({Channel::kClusterEvents, 0, Dynamic::MakeObject({})}).ok());
    EXPECT_TRUE(server.seen().empty());  // batches wait until full or flushed
    ASSERT_TRUE(sender.Flush().ok());
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].path, "/eventgrid");
    EXPECT_EQ(seen[1].path,
              "/dataCollectionRules/dcr-7b3e1c2a9d4f4e0b8a6c5d2e1f0a9b8c/streams/"
              "Custom-AmlComputeClusterEvent");
    EXPECT_EQ(sender.stats().sent, 2u);
    EXPECT_EQ(sender.stats().rejected, 1u);
}

TEST(DemoSenderTest, AnUnknownKeyOrAMissingServerStopsTheDemo) {
    ScriptedServer server({Answer(
        400, R"({"itemsReceived":1,"itemsAccepted":0,"errors":[)"
             R"({"index":0,"statusCode":400,"message":"Invalid instrumentation key 'x'"}]})")});
    std::atomic<bool> stop{false};
    DemoSender sender({server.url(), "", 1, 5}, stop);
    auto s = sender.Add(Envelope(0));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("--ikey"), std::string::npos);

    // Nothing listens on port 9 of loopback; give up after a second.
    DemoSender nowhere({"http://127.0.0.1:9", "", 1, 1}, stop);
    auto n = nowhere.Add(Envelope(0));
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.message().find("cannot reach http://127.0.0.1:9"), std::string::npos);
}

}  // namespace
}  // namespace calypso::app::demo
