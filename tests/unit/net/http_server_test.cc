#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"

namespace calypso::net {
namespace {

using namespace std::chrono_literals;

// Generous bound for anything that should happen "promptly"; never a performance claim.
constexpr auto kPatience = 10s;

std::string Url(const HttpServer& server, std::string_view path) {
    return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(path);
}

std::unique_ptr<HttpServer> StartServer(Handler handler, ServerOptions options = {}) {
    options.port = 0;
    auto server = HttpServer::Start(options, std::move(handler));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return std::move(server).value();
}

HttpResponse Echo(const HttpRequest& req) {
    HttpResponse res;
    res.content_type = "text/plain";
    res.body = req.method + " " + req.path + " " + req.body;
    return res;
}

// A raw blocking TCP client, so tests control exactly which bytes go on the wire.
class RawClient {
  public:
    explicit RawClient(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }

    bool Send(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    struct Response {
        int status = 0;
        std::string head;  // status line and headers
        std::string body;
        bool HasHeaderLine(std::string_view line) const {
            return head.find("\r\n" + std::string(line) + "\r\n") != std::string::npos;
        }
    };

    // Reads one response framed by Content-Length; nullopt on EOF, error or timeout.
    // After a HEAD request pass body_expected = false: Content-Length then has no body.
    std::optional<Response> ReadResponse(bool body_expected = true) {
        size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill()) return std::nullopt;
        }
        Response res;
        res.head = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 4);
        if (res.head.size() < 12) return std::nullopt;
        res.status = std::stoi(res.head.substr(9, 3));
        const std::string key = "\r\nContent-Length: ";
        size_t pos = res.head.find(key);
        if (pos == std::string::npos) return std::nullopt;
        size_t length = body_expected ? std::stoul(res.head.substr(pos + key.size())) : 0;
        while (buffer_.size() < length) {
            if (!Fill()) return std::nullopt;
        }
        res.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return res;
    }

    // Reads and consumes everything up to and including `text`.
    bool ReadUntil(std::string_view text) {
        size_t pos;
        while ((pos = buffer_.find(text)) == std::string::npos) {
            if (!Fill()) return false;
        }
        buffer_.erase(0, pos + text.size());
        return true;
    }

    // True when the server closes the connection (EOF or reset) within kPatience.
    bool WaitClosed() {
        auto deadline = std::chrono::steady_clock::now() + kPatience;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
            if (n <= 0) return true;
            buffer_.append(buf, static_cast<size_t>(n));
        }
        return false;
    }

  private:
    bool Fill() {
        pollfd p{fd_, POLLIN, 0};
        auto timeout_ms = static_cast<int>(std::chrono::milliseconds(kPatience).count());
        if (::poll(&p, 1, timeout_ms) <= 0) return false;
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
        if (n <= 0) return false;
        buffer_.append(buf, static_cast<size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

TEST(HttpServerTest, GetAndPostRoundTrip) {
    auto server = StartServer(Echo);
    auto get = HttpFetch("GET", Url(*server, "/hello"), "");
    ASSERT_TRUE(get.ok()) << get.status().ToString();
    EXPECT_EQ(get->status, 200);
    EXPECT_EQ(get->body, "GET /hello ");
    EXPECT_EQ(get->content_type, "text/plain");

    auto post = HttpFetch("POST", Url(*server, "/ingest"), R"({"a":1})");
    ASSERT_TRUE(post.ok()) << post.status().ToString();
    EXPECT_EQ(post->body, R"(POST /ingest {"a":1})");
    bool saw_server = false, saw_length = false;
    for (const auto& [name, value] : post->headers) {
        if (name == "Server") saw_server = value == "calypso";
        if (name == "Content-Length") saw_length = value == std::to_string(post->body.size());
    }
    EXPECT_TRUE(saw_server);
    EXPECT_TRUE(saw_length);
}

TEST(HttpServerTest, HandlerHeadersAndStatusPassThrough) {
    auto server = StartServer([](const HttpRequest& req) {
        HttpResponse res;
        res.status = 201;
        res.headers = {{"X-Echo", std::string(req.Header("x-custom-thing"))},
                       {"Content-Length", "999"},
                       {"X-Split", "a\r\nSet-Cookie: evil"}};
        res.body = "{}";
        return res;
    });
    ClientOptions options;
    options.headers = {{"X-Custom-THING", "value 1"}};
    auto res = HttpFetch("PUT", Url(*server, "/"), "", options);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(res->body, "{}");
    EXPECT_EQ(res->content_type, "application/json");
    bool saw_echo = false;
    for (const auto& [name, value] : res->headers) {
        if (name == "X-Echo") saw_echo = value == "value 1";
        EXPECT_NE(name, "X-Split");
        EXPECT_NE(name, "Set-Cookie");
        if (name == "Content-Length") {
            EXPECT_EQ(value, "2");
        }
    }
    EXPECT_TRUE(saw_echo);
}

TEST(HttpServerTest, PathAndQueryParamsAreDecoded) {
    auto server = StartServer([](const HttpRequest& req) {
        HttpResponse res;
        res.body = req.path + "|" + req.query + "|" + req.QueryParam("name").value_or("<none>") +
                   "|" + req.QueryParam("missing").value_or("<none>") + "|" + req.peer;
        return res;
    });
    auto res = HttpFetch("GET", Url(*server, "/a%20b/c?name=hello+world%21&x=1"), "");
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->body.substr(0, res->body.rfind('|')),
              "/a b/c|name=hello+world%21&x=1|hello world!|<none>");
    EXPECT_EQ(res->body.substr(res->body.rfind('|') + 1, 10), "127.0.0.1:");
}

TEST(HttpServerTest, KeepAlivePipelinedResponsesComeInRequestOrder) {
    ServerOptions options;
    options.worker_threads = 4;
    auto server = StartServer(
        [](const HttpRequest& req) {
            // Earlier requests finish later, so the pool completes them out of order.
            if (req.path == "/0") std::this_thread::sleep_for(300ms);
            if (req.path == "/1") std::this_thread::sleep_for(100ms);
            return Echo(req);
        },
        options);
    RawClient client(server->port());
    ASSERT_TRUE(client.connected());
    std::string batch;
    for (int i = 0; i < 4; ++i) {
        batch += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    ASSERT_TRUE(client.Send(batch));
    for (int i = 0; i < 4; ++i) {
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value()) << i;
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->body, "GET /" + std::to_string(i) + " ");
        EXPECT_TRUE(res->HasHeaderLine("Server: calypso"));
        EXPECT_TRUE(res->HasHeaderLine("Content-Type: text/plain"));
    }
    // The connection stays usable.
    ASSERT_TRUE(client.Send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
    auto res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->body, "POST /later hi");
}

TEST(HttpServerTest, PipeliningBeyondTheQueueBoundIsAnsweredInOrder) {
    ServerOptions options;
    options.max_queued_responses = 2;
    options.io_threads = 2;
    auto server = StartServer(Echo, options);
    RawClient client(server->port());
    std::string batch;
    for (int i = 0; i < 20; ++i) {
        batch += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    ASSERT_TRUE(client.Send(batch));
    for (int i = 0; i < 20; ++i) {
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value()) << i;
        EXPECT_EQ(res->body, "GET /" + std::to_string(i) + " ");
    }
}

TEST(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
    auto server = StartServer(Echo);
    {
        RawClient client(server->port());
        ASSERT_TRUE(client.Send("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value());
        EXPECT_TRUE(res->HasHeaderLine("Connection: close"));
        EXPECT_TRUE(client.WaitClosed());
    }
    {
        RawClient client(server->port());
        ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->head.substr(0, 8), "HTTP/1.0");
        EXPECT_EQ(res->body, "GET /old ");
        EXPECT_TRUE(client.WaitClosed());
    }
    {
        RawClient client(server->port());
        ASSERT_TRUE(client.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value());
        EXPECT_TRUE(res->HasHeaderLine("Connection: keep-alive"));
        ASSERT_TRUE(client.Send("GET /b HTTP/1.0\r\n\r\n"));
        res = client.ReadResponse();
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->body, "GET /b ");
    }
}

TEST(HttpServerTest, ChunkedRequestBody) {
    auto server = StartServer(Echo);
    RawClient client(server->port());
    ASSERT_TRUE(
        client.Send("POST /v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n"
                    "6\r\n world\r\n"
                    "0\r\n\r\n"));
    auto res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /v1/logs hello world");
}

TEST(HttpServerTest, ExpectContinueIsAnswered) {
    auto server = StartServer(Echo);
    RawClient client(server->port());
    ASSERT_TRUE(client.Send(
        "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
    ASSERT_TRUE(client.ReadUntil("HTTP/1.1 100 Continue\r\n\r\n"));
    ASSERT_TRUE(client.Send("body"));
    auto res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /e body");
}

TEST(HttpServerTest, HeadGetsContentLengthWithoutBody) {
    auto server = StartServer(Echo);
    RawClient client(server->port());
    ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto res = client.ReadResponse(/*body_expected=*/false);
    ASSERT_TRUE(res.has_value());
    EXPECT_TRUE(res->HasHeaderLine("Content-Length: 8"));  // "HEAD /h "
    ASSERT_TRUE(client.Send("GET /g HTTP/1.1\r\nHost: x\r\n\r\n"));
    res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->body, "GET /g ");
}

TEST(HttpServerTest, BodyOverLimitGets413) {
    ServerOptions options;
    options.body_limit = 1024;
    std::atomic<int> calls{0};
    auto server = StartServer(
        [&calls](const HttpRequest& req) {
            ++calls;
            return Echo(req);
        },
        options);
    auto res = HttpFetch("POST", Url(*server, "/big"), std::string(256 * 1024, 'x'));
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 413);
    EXPECT_NE(res->body.find(R"({"error":{"code":"LimitExceeded")"), std::string::npos);
    EXPECT_EQ(res->content_type, "application/json");

    // Chunked bodies are limited too.
    RawClient client(server->port());
    std::string chunked = "POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    ASSERT_TRUE(client.Send(chunked));
    auto raw = client.ReadResponse();
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->status, 413);
    EXPECT_TRUE(client.WaitClosed());

    auto small = HttpFetch("POST", Url(*server, "/small"), std::string(1024, 'x'));
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(small->status, 200);
    EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, MalformedRequestGets400AndClose) {
    auto server = StartServer(Echo);
    RawClient client(server->port());
    ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
    auto res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find(R"("code":"InvalidArgument")"), std::string::npos);
    EXPECT_TRUE(client.WaitClosed());
    auto ok = HttpFetch("GET", Url(*server, "/"), "");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerTest, ReadTimeoutClosesStalledAndIdleConnections) {
    ServerOptions options;
    options.read_timeout = 1s;
    auto server = StartServer(Echo, options);
    RawClient stalled(server->port());
    ASSERT_TRUE(stalled.Send("GET / HTTP/1.1\r\nHost: x\r\n"));  // headers never end
    EXPECT_TRUE(stalled.WaitClosed());

    RawClient idle(server->port());
    ASSERT_TRUE(idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(idle.ReadResponse().has_value());
    EXPECT_TRUE(idle.WaitClosed());
}

TEST(HttpServerTest, SlowHandlerIsNotCutByTheReadTimeout) {
    ServerOptions options;
    options.read_timeout = 1s;
    auto server = StartServer(
        [](const HttpRequest& req) {
            std::this_thread::sleep_for(2500ms);
            return Echo(req);
        },
        options);
    RawClient client(server->port());
    ASSERT_TRUE(client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto res = client.ReadResponse();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->body, "GET /slow ");
}

TEST(HttpServerTest, ThrowingHandlerGives500AndServerKeepsServing) {
    auto server = StartServer([](const HttpRequest& req) -> HttpResponse {
        if (req.path == "/throw") throw std::runtime_error("boom \"quoted\"");
        if (req.path == "/throw-int") throw 42;
        return Echo(req);
    });
    auto res = HttpFetch("GET", Url(*server, "/throw"), "");
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body, R"({"error":{"code":"Internal","message":"boom \"quoted\""}})");
    res = HttpFetch("GET", Url(*server, "/throw-int"), "");
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 500);
    res = HttpFetch("GET", Url(*server, "/fine"), "");
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "GET /fine ");
}

TEST(HttpServerTest, StopLetsASlowHandlerFinishAndWriteItsResponse) {
    std::promise<void> entered;
    std::atomic<bool> stop_called{false};
    auto server = StartServer([&](const HttpRequest& req) {
        entered.set_value();
        while (!stop_called.load()) std::this_thread::sleep_for(5ms);
        std::this_thread::sleep_for(300ms);  // still running while Stop() waits
        HttpResponse res;
        res.body = std::string(1 << 20, 'z') + req.path;
        return res;
    });
    auto fetch = std::async(std::launch::async,
                            [url = Url(*server, "/slow")] { return HttpFetch("GET", url, ""); });
    ASSERT_EQ(entered.get_future().wait_for(kPatience), std::future_status::ready);
    stop_called = true;
    server->Stop();
    auto res = fetch.get();
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, std::string(1 << 20, 'z') + "/slow");
    // Stopped: new connections are refused.
    auto after = HttpFetch("GET", Url(*server, "/"), "");
    EXPECT_FALSE(after.ok());
}

TEST(HttpServerTest, StopAnswersPipelinedRequestsInFlight) {
    std::atomic<int> entered{0};
    std::atomic<bool> stop_called{false};
    ServerOptions options;
    options.worker_threads = 4;
    auto server = StartServer(
        [&](const HttpRequest& req) {
            ++entered;
            while (!stop_called.load()) std::this_thread::sleep_for(5ms);
            return Echo(req);
        },
        options);
    RawClient client(server->port());
    std::string batch;
    for (int i = 0; i < 3; ++i) {
        batch += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    ASSERT_TRUE(client.Send(batch));
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (entered.load() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(entered.load(), 3);
    auto stopper = std::async(std::launch::async, [&] { server->Stop(); });
    std::this_thread::sleep_for(50ms);  // not needed for correctness; lets Stop() begin
    stop_called = true;
    for (int i = 0; i < 3; ++i) {
        auto res = client.ReadResponse();
        ASSERT_TRUE(res.has_value()) << i;
        EXPECT_EQ(res->body, "GET /" + std::to_string(i) + " ");
        EXPECT_EQ(res->HasHeaderLine("Connection: close"), i == 2) << i;
    }
    EXPECT_TRUE(client.WaitClosed());
    EXPECT_EQ(stopper.wait_for(kPatience), std::future_status::ready);
}

TEST(HttpServerTest, StopWithIdleKeepAliveClientReturnsPromptly) {
    auto server = StartServer(Echo);
    RawClient client(server->port());
    ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(client.ReadResponse().has_value());
    RawClient never_sent(server->port());  // connected, nothing sent
    ASSERT_TRUE(never_sent.connected());

    auto stopper = std::async(std::launch::async, [&] { server->Stop(); });
    EXPECT_EQ(stopper.wait_for(kPatience), std::future_status::ready);
    stopper.get();
    EXPECT_TRUE(client.WaitClosed());
    EXPECT_TRUE(never_sent.WaitClosed());
    server->Stop();  // idempotent
}

TEST(HttpServerTest, ConcurrentClientsAreAllAnswered) {
    ServerOptions options;
    options.io_threads = 2;
    auto server = StartServer(Echo, options);
    constexpr int kThreads = 8;
    constexpr int kRequests = 50;
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRequests; ++i) {
                std::string body = std::to_string(t) + "-" + std::to_string(i);
                auto res = HttpFetch("POST", Url(*server, "/c"), body);
                if (res.ok() && res->status == 200 && res->body == "POST /c " + body) ++good;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), kThreads * kRequests);
}

TEST(HttpServerTest, StartReportsAddressInUse) {
    auto first = StartServer(Echo);
    ServerOptions options;
    options.port = first->port();
    auto second = HttpServer::Start(options, Echo);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), core::StatusCode::kUnavailable);
    EXPECT_NE(second.status().message().find(std::to_string(first->port())), std::string::npos)
        << second.status().message();

    options.host = "no-such-host.invalid";
    options.port = 0;
    auto third = HttpServer::Start(options, Echo);
    ASSERT_FALSE(third.ok());
}

TEST(HttpFetchTest, RejectsBadUrlsAndReportsRefusedConnections) {
    EXPECT_EQ(HttpFetch("GET", "ftp://127.0.0.1/", "").status().code(),
              core::StatusCode::kInvalidArgument);
    EXPECT_EQ(HttpFetch("GET", "http://:80/", "").status().code(),
              core::StatusCode::kInvalidArgument);
    // Find a port nobody listens on: start a server, note its port, stop it.
    uint16_t port;
    {
        auto server = StartServer(Echo);
        port = server->port();
    }
    auto res = HttpFetch("GET", "http://127.0.0.1:" + std::to_string(port) + "/", "");
    EXPECT_EQ(res.status().code(), core::StatusCode::kUnavailable);
}

TEST(HttpFetchTest, TimesOut) {
    std::atomic<bool> release{false};
    auto server = StartServer([&](const HttpRequest& req) {
        while (!release.load()) std::this_thread::sleep_for(5ms);
        return Echo(req);
    });
    ClientOptions options;
    options.timeout = 1s;
    auto res = HttpFetch("GET", Url(*server, "/"), "", options);
    release = true;
    ASSERT_FALSE(res.ok());
    EXPECT_NE(res.status().message().find("timed out"), std::string::npos)
        << res.status().message();
}

}  // namespace
}  // namespace calypso::net
