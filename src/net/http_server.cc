// The Beast/Asio half of the server; the only translation unit that instantiates Beast's
// server-side templates. Shaped after Beast's "advanced server" example: one strand per
// connection, a parser with a body limit per request, handlers on a separate pool, and a
// bounded, ordered queue of responses per connection. With TLS, a session first sniffs the
// first bytes (Beast's detect_ssl), then hands them to the handshake; after that every
// read and write goes through the TLS stream instead of the socket.
#include "net/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace calypso::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

namespace {

constexpr size_t kHeaderLimit = 64 << 10;
// How long a connection closed after an error keeps draining what the client still sends,
// so that the client sees the error response instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string FormatEndpoint(const tcp::endpoint& ep) {
    const auto address = ep.address();
    std::string host = address.to_string();
    if (address.is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(ep.port());
}

HttpRequest ToHttpRequest(BeastRequest&& req, const std::string& peer) {
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    std::string_view target = out.target;
    size_t q = target.find('?');
    out.path = PercentDecode(target.substr(0, q));
    if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
    out.headers.reserve(16);
    for (const auto& field : req) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(req.body());
    out.peer = peer;
    return out;
}

// CR or LF in a header would let a handler split the response; such headers are dropped.
bool SafeHeaderText(std::string_view text) {
    return text.find_first_of("\r\n") == std::string_view::npos;
}

BeastResponse ToBeastResponse(HttpResponse r, unsigned version, bool keep_alive, bool head) {
    BeastResponse res;
    res.version(version);
    const int status = (r.status >= 100 && r.status <= 999) ? r.status : 500;
    res.result(static_cast<unsigned>(status));
    res.set(bhttp::field::server, "calypso");
    res.set(bhttp::field::content_type,
            SafeHeaderText(r.content_type) ? r.content_type : "application/octet-stream");
    for (auto& [name, value] : r.headers) {
        if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value)) continue;
        const bhttp::field f = bhttp::string_to_field(name);
        if (f == bhttp::field::content_length || f == bhttp::field::transfer_encoding ||
            f == bhttp::field::connection) {
            continue;
        }
        if (f == bhttp::field::server || f == bhttp::field::content_type) {
            res.set(f, value);
        } else {
            res.insert(name, value);
        }
    }
    // RFC 9110: no body after 204 and 304; no Content-Length on 1xx and 204.
    const bool no_body = status == 204 || status == 304 || status < 200;
    if (no_body) r.body.clear();
    if (status != 204 && status >= 200) res.content_length(r.body.size());
    if (!head) res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    return res;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
    HttpResponse r;
    r.status = status;
    r.body = JsonErrorBody(code, message);
    return r;
}

}  // namespace

class Session;

struct HttpServer::Impl {
    Impl(const ServerOptions& opts, Handler h)
        : options(opts),
          handler(std::move(h)),
          ioc(static_cast<int>(std::max<size_t>(1, opts.io_threads))),
          acceptor(asio::make_strand(ioc)),
          accept_backoff(acceptor.get_executor()),
          workers(std::max<size_t>(1, opts.worker_threads)) {}

    HttpResponse RunHandler(const HttpRequest& request) const;
    void Accept();
    void OnAccept(beast::error_code ec, tcp::socket socket);
    void StopImpl();

    const ServerOptions options;
    const Handler handler;
    asio::io_context ioc;
    tcp::acceptor acceptor;             // used only on its own strand
    asio::steady_timer accept_backoff;  // on the acceptor's strand
    asio::thread_pool workers;
    std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP
    std::vector<std::thread> io_threads;
    uint16_t port = 0;

    std::mutex mu;
    bool stopping = false;                                          // guarded by mu
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

    std::mutex stop_mu;    // serializes Stop()
    bool stopped = false;  // guarded by stop_mu
};

// One connection. Every member is touched only on the socket's strand, except that worker
// threads hold a shared_ptr and post their results back to that strand.
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(HttpServer::Impl& server, tcp::socket socket)
        : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()) {
        beast::error_code ec;
        const auto ep = socket_.remote_endpoint(ec);
        if (!ec) peer_ = FormatEndpoint(ep);
        if (server_.tls) tls_.emplace(socket_, *server_.tls);
    }

    ~Session() {
        std::lock_guard lock(server_.mu);
        server_.sessions.erase(this);
    }

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void Run() {
        asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
            if (self->tls_) {
                self->DetectTls();
            } else {
                self->DoRead();
            }
        });
    }

    // Server shutdown: read no more requests, finish and write those already read.
    void Shutdown() {
        asio::post(socket_.get_executor(), [self = shared_from_this()] {
            self->stopping_ = true;
            self->stop_reading_ = true;
            // Cancelling would also abort a write in progress; OnWrite cancels the read then.
            if (self->reading_ && !self->writing_) self->Cancel();
            self->MaybeFinish();
        });
    }

  private:
    struct Slot {
        bool ready = false;
        bool close = false;   // close the connection after writing this response
        bool linger = false;  // drain input before closing (error responses)
        BeastResponse res;
    };

    // Calls f with the stream requests travel on: the TLS stream once there is one.
    template <class F>
    void OnStream(F&& f) {
        if (tls_) {
            f(*tls_);
        } else {
            f(socket_);
        }
    }

    // The handshake counts as reading: it has the read timeout, and Shutdown cancels it.
    void DetectTls() {
        reading_ = true;
        read_deadline_ = Clock::now() + server_.options.read_timeout;
        ArmTimer();
        beast::async_detect_ssl(socket_, buffer_,
                                [self = shared_from_this()](beast::error_code ec, bool is_tls) {
                                    self->OnDetectTls(ec, is_tls);
                                });
    }

    void OnDetectTls(beast::error_code ec, bool is_tls) {
        reading_ = false;
        if (closed_) return;
        if (ec) {  // closed before sending anything, or cancelled
            stop_reading_ = true;
            return MaybeFinish();
        }
        if (!is_tls) {
            // Answer in plain text, which the client can read, instead of a TLS alert it
            // would show as garbage or a reset.
            tls_.reset();
            stop_reading_ = true;
            QueueError(400, "InvalidArgument",
                       "this port speaks HTTPS: plain HTTP was sent to a TLS port; use https://");
            return;
        }
        reading_ = true;
        ArmTimer();
        tls_->async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                              [self = shared_from_this()](beast::error_code hec, size_t used) {
                                  self->OnHandshake(hec, used);
                              });
    }

    void OnHandshake(beast::error_code ec, size_t used) {
        reading_ = false;
        if (closed_) return;
        if (ec) return CloseNow();  // no HTTP exchange happened, so nothing can be answered
        buffer_.consume(used);
        handshake_done_ = true;
        DoRead();
    }

    void DoRead() {
        if (closed_ || stop_reading_ || reading_ || lingering_ ||
            queue_.size() >= std::max<size_t>(1, server_.options.max_queued_responses)) {
            return;
        }
        parser_.emplace();
        parser_->body_limit(static_cast<std::uint64_t>(server_.options.body_limit));
        parser_->header_limit(static_cast<std::uint32_t>(kHeaderLimit));
        reading_ = true;
        read_deadline_ = Clock::now() + server_.options.read_timeout;
        ArmTimer();
        OnStream([this](auto& stream) {
            bhttp::async_read_header(
                stream, buffer_, *parser_,
                [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
        });
    }

    // Headers are in; answer `Expect: 100-continue` (curl sends it for large bodies and
    // would otherwise wait before sending the body), then read the body.
    void OnHeader(beast::error_code ec) {
        if (ec || closed_ || parser_->is_done()) return OnRead(ec);
        const auto& header = parser_->get();
        const bool expect_continue =
            header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue");
        if (expect_continue && queue_.empty() && !writing_) {
            writing_ = true;
            write_deadline_ = Clock::now() + server_.options.read_timeout;
            ArmTimer();
            OnStream([this](auto& stream) {
                asio::async_write(stream, asio::buffer(kContinue),
                                  [self = shared_from_this()](beast::error_code wec, size_t) {
                                      self->writing_ = false;
                                      if (self->closed_) return;
                                      if (wec) return self->CloseNow();
                                      if (self->stopping_) {
                                          return self->OnRead(asio::error::operation_aborted);
                                      }
                                      self->ReadBody();
                                  });
            });
            return;
        }
        ReadBody();
    }

    void ReadBody() {
        // Beast reads at most the buffer's free capacity per recv, and body bytes pass
        // through it to the body, so a buffer left at its first 512 bytes reads a 250 KB
        // batch in ~500 system calls. Large bodies get a 64 KiB buffer (kept for the
        // connection's next requests).
        constexpr size_t kBodyReadBuffer = 64 * 1024;
        const auto length = parser_->content_length();
        if ((!length || *length > 8 * 1024) && buffer_.capacity() < kBodyReadBuffer) {
            buffer_.reserve(kBodyReadBuffer);
        }
        // Room for the padding HttpRequest promises; the body reader only reserves length.
        if (length && *length <= server_.options.body_limit) {
            parser_->get().body().reserve(static_cast<size_t>(*length) + net::kBodyPadding);
        }
        OnStream([this](auto& stream) {
            bhttp::async_read(
                stream, buffer_, *parser_,
                [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
        });
    }

    void OnRead(beast::error_code ec) {
        reading_ = false;
        if (closed_) return;
        if (ec) {
            stop_reading_ = true;
            if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
                // The client closed its side. HTTP clients do not half-close to wait for an
                // answer (nginx reads it the same way), so handlers still running are
                // working for nobody; tell them.
                client_gone_->store(true, std::memory_order_relaxed);
                MaybeFinish();
            } else if (ec == asio::error::operation_aborted) {
                MaybeFinish();
            } else if (ec == bhttp::error::body_limit) {
                QueueError(413, "LimitExceeded",
                           "request body exceeds the limit of " +
                               std::to_string(server_.options.body_limit) + " bytes");
            } else if (ec == bhttp::error::header_limit) {
                QueueError(431, "LimitExceeded", "request header fields too large");
            } else if (ec.category() ==
                       bhttp::make_error_code(bhttp::error::bad_method).category()) {
                QueueError(400, "InvalidArgument", "malformed HTTP request: " + ec.message());
            } else {
                CloseNow();
            }
            return;
        }
        Dispatch(parser_->release());
        parser_.reset();
        DoRead();
    }

    void Dispatch(BeastRequest req) {
        const uint64_t seq = front_seq_ + queue_.size();
        const bool keep_alive = req.keep_alive();
        const unsigned version = req.version();
        const bool head = req.method() == bhttp::verb::head;
        queue_.emplace_back();
        if (!keep_alive) {
            queue_.back().close = true;
            stop_reading_ = true;
        }
        HttpRequest request = ToHttpRequest(std::move(req), peer_);
        request.client_gone = client_gone_;
        // The work guard keeps the I/O threads running until the result is posted back.
        asio::post(server_.workers, [self = shared_from_this(), seq, version, keep_alive, head,
                                     request = std::move(request),
                                     work = asio::make_work_guard(server_.ioc)]() mutable {
            BeastResponse res;
            try {
                res = ToBeastResponse(self->server_.RunHandler(request), version, keep_alive, head);
            } catch (const std::exception& e) {  // e.g. bad_alloc; never escapes the pool
                res =
                    ToBeastResponse(ErrorResponse(500, "Internal", e.what()), version, false, head);
            }
            asio::post(self->socket_.get_executor(), [self, seq, res = std::move(res)]() mutable {
                self->OnHandlerDone(seq, std::move(res));
            });
        });
    }

    void OnHandlerDone(uint64_t seq, BeastResponse res) {
        if (closed_) return;
        Slot& slot = queue_[static_cast<size_t>(seq - front_seq_)];
        slot.res = std::move(res);
        slot.ready = true;
        MaybeWrite();
    }

    void QueueError(int status, std::string_view code, const std::string& message) {
        queue_.emplace_back();
        Slot& slot = queue_.back();
        slot.ready = true;
        slot.close = true;
        slot.linger = true;
        slot.res = ToBeastResponse(ErrorResponse(status, code, message), 11, false, false);
        MaybeWrite();
    }

    void MaybeWrite() {
        if (closed_ || writing_ || lingering_ || queue_.empty() || !queue_.front().ready) return;
        Slot& slot = queue_.front();
        if (stopping_ && queue_.size() == 1 && !reading_) slot.close = true;
        if (slot.close) slot.res.keep_alive(false);
        writing_ = true;
        // The write timeout grows by a second per MiB so that big results can reach slow
        // clients; it only has to stop a client that does not read at all.
        write_deadline_ = Clock::now() + server_.options.read_timeout +
                          std::chrono::seconds(slot.res.body().size() >> 20);
        ArmTimer();
        OnStream([this, &slot](auto& stream) {
            bhttp::async_write(
                stream, slot.res,
                [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
        });
    }

    void OnWrite(beast::error_code ec) {
        writing_ = false;
        if (closed_) return;
        if (ec) {
            CloseNow();
            return;
        }
        const bool close = queue_.front().close;
        const bool linger = queue_.front().linger;
        queue_.pop_front();
        ++front_seq_;
        if (close) {
            stop_reading_ = true;
            if (reading_) Cancel();
            if (queue_.empty() && !reading_) CloseGracefully(linger);
            return;
        }
        if (stopping_ && reading_) Cancel();
        if (queue_.empty()) read_deadline_ = Clock::now() + server_.options.read_timeout;
        DoRead();
        MaybeWrite();
        MaybeFinish();
    }

    // Closes once nothing is pending and nothing more will be read.
    void MaybeFinish() {
        if (closed_ || lingering_ || reading_ || writing_ || !queue_.empty() || !stop_reading_) {
            return;
        }
        CloseGracefully(false);
    }

    void Cancel() {
        beast::error_code ignored;
        socket_.cancel(ignored);
    }

    void CloseGracefully(bool linger) {
        if (tls_ && handshake_done_) {
            // TLS: send close_notify and give the peer the linger time to answer it (or
            // close); the shutdown reads and discards what the client still sends.
            lingering_ = true;
            linger_deadline_ =
                Clock::now() + std::min<Clock::duration>(kLingerTime, server_.options.read_timeout);
            ArmTimer();
            tls_->async_shutdown([self = shared_from_this()](beast::error_code) {
                if (!self->closed_) self->CloseNow();
            });
            return;
        }
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        if (!linger) {
            CloseNow();
            return;
        }
        lingering_ = true;
        linger_deadline_ =
            Clock::now() + std::min<Clock::duration>(kLingerTime, server_.options.read_timeout);
        ArmTimer();
        DrainInput();
    }

    void DrainInput() {
        socket_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](beast::error_code ec, size_t) {
                                    if (self->closed_) return;
                                    if (ec) {
                                        self->CloseNow();
                                    } else {
                                        self->DrainInput();
                                    }
                                });
    }

    void CloseNow() {
        if (closed_) return;
        closed_ = true;
        client_gone_->store(true, std::memory_order_relaxed);  // no answer can be sent now
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        timer_.cancel();
    }

    // One timer serves the read, write and linger deadlines; it is re-armed for the
    // earliest one that applies. A read only times out while no response is owed.
    void ArmTimer() {
        if (closed_) return;
        auto next = Clock::time_point::max();
        if (reading_) next = std::min(next, read_deadline_);
        if (writing_) next = std::min(next, write_deadline_);
        if (lingering_) next = std::min(next, linger_deadline_);
        if (next == Clock::time_point::max()) return;
        if (timer_armed_ && timer_.expiry() <= next) return;
        timer_armed_ = true;
        timer_.expires_at(next);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec == asio::error::operation_aborted) return;
            self->timer_armed_ = false;
            self->OnTimer();
        });
    }

    void OnTimer() {
        if (closed_) return;
        const auto now = Clock::now();
        if ((writing_ && now >= write_deadline_) || (lingering_ && now >= linger_deadline_)) {
            CloseNow();
            return;
        }
        if (reading_ && now >= read_deadline_) {
            if (queue_.empty()) {
                CloseNow();
                return;
            }
            read_deadline_ = now + server_.options.read_timeout;
        }
        ArmTimer();
    }

    HttpServer::Impl& server_;
    tcp::socket socket_;
    // Set for TLS servers (on socket_); reset when a client speaks plain HTTP instead.
    std::optional<asio::ssl::stream<tcp::socket&>> tls_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::deque<Slot> queue_;  // responses owed, in request order
    uint64_t front_seq_ = 0;  // sequence number of queue_.front()
    std::string peer_;
    std::array<char, 4096> scratch_{};
    // Shared with every request of this connection (HttpRequest::client_gone).
    std::shared_ptr<std::atomic<bool>> client_gone_ = std::make_shared<std::atomic<bool>>(false);
    bool reading_ = false;
    bool writing_ = false;
    bool stop_reading_ = false;
    bool stopping_ = false;
    bool lingering_ = false;
    bool closed_ = false;
    bool timer_armed_ = false;
    bool handshake_done_ = false;
    Clock::time_point read_deadline_;
    Clock::time_point write_deadline_;
    Clock::time_point linger_deadline_;
};

HttpResponse HttpServer::Impl::RunHandler(const HttpRequest& request) const {
    std::string what;
    try {
        return handler(request);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    std::fprintf(stderr, "calypso net: handler for %s %s threw: %s\n", request.method.c_str(),
                 request.target.c_str(), what.c_str());
    return ErrorResponse(500, "Internal", what);
}

void HttpServer::Impl::Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        OnAccept(ec, std::move(socket));
    });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
        std::shared_ptr<Session> session;
        {
            std::lock_guard lock(mu);
            if (stopping) return;  // the socket closes as it goes out of scope
            session = std::make_shared<Session>(*this, std::move(socket));
            sessions.emplace(session.get(), session);
        }
        session->Run();
    } else if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
               ec == asio::error::no_memory) {
        // Out of descriptors: retrying at once would spin; wait for connections to close.
        std::fprintf(stderr, "calypso net: accept failed: %s\n", ec.message().c_str());
        accept_backoff.expires_after(std::chrono::milliseconds(100));
        accept_backoff.async_wait([this](beast::error_code) { Accept(); });
        return;
    }
    Accept();
}

void HttpServer::Impl::StopImpl() {
    std::lock_guard stop_lock(stop_mu);
    if (stopped) return;
    stopped = true;
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(mu);
        stopping = true;
        for (auto& [ptr, weak] : sessions) {
            if (auto s = weak.lock()) live.push_back(std::move(s));
        }
    }
    asio::post(acceptor.get_executor(), [this] {
        beast::error_code ignored;
        acceptor.close(ignored);
        accept_backoff.cancel();
    });
    for (auto& s : live) s->Shutdown();
    live.clear();
    // run() returns once every connection has finished: no work guard is held.
    for (auto& t : io_threads) {
        if (t.joinable()) t.join();
    }
    workers.join();
}

namespace {

// TLS 1.2 and 1.3 only; OpenSSL's default cipher lists for them.
core::Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const ServerOptions& options) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
        return core::Status::InvalidArgument(
            "TLS needs both a certificate file and a key file (--tls-cert and --tls-key)");
    }
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
        return core::Status::InvalidArgument("cannot use TLS certificate " + options.tls_cert_file +
                                             ": " + ec.message());
    }
    ctx->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
        return core::Status::InvalidArgument("cannot use TLS key " + options.tls_key_file + ": " +
                                             ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        return core::Status::InvalidArgument("TLS key " + options.tls_key_file +
                                             " does not belong to certificate " +
                                             options.tls_cert_file);
    }
    return ctx;
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() { impl_->StopImpl(); }

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                            Handler handler) {
    if (!handler) return core::Status::InvalidArgument("HttpServer: no handler");
    auto impl = std::make_unique<Impl>(options, std::move(handler));
    const std::string where = options.host + ":" + std::to_string(options.port);
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
        ASSIGN_OR_RETURN(impl->tls, MakeTlsContext(options));
    }

    beast::error_code ec;
    tcp::resolver resolver(impl->ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        return core::Status::InvalidArgument("cannot listen on " + where +
                                             ": cannot resolve host: " + ec.message());
    }
    const tcp::endpoint endpoint = results.begin()->endpoint();
    auto& acceptor = impl->acceptor;
    auto fail = [&](std::string_view step) {
        return core::Status::Unavailable("cannot listen on " + where + ": " + std::string(step) +
                                         ": " + ec.message());
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("set_option");
    acceptor.bind(endpoint, ec);
    if (ec) return fail("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen");
    impl->port = acceptor.local_endpoint(ec).port();
    if (ec) return fail("local_endpoint");

    impl->Accept();
    const size_t n = std::max<size_t>(1, options.io_threads);
    for (size_t i = 0; i < n; ++i) {
        impl->io_threads.emplace_back([ioc = &impl->ioc] {
            for (;;) {
                try {
                    ioc->run();
                    return;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "calypso net: I/O thread caught: %s\n", e.what());
                } catch (...) {
                    std::fprintf(stderr, "calypso net: I/O thread caught an unknown exception\n");
                }
            }
        });
    }
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace calypso::net
