#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace calypso::net {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;          // 0 = pick a free port (see HttpServer::port())
    size_t worker_threads = 4;     // handlers run here (they may block, e.g. on fsync)
    size_t io_threads = 1;         // threads running the sockets; handlers never run here
    size_t body_limit = 64 << 20;  // bigger bodies get 413 with a JSON error
    // Per request read (headers + body); idle keep-alive connections are closed after it.
    // The clock does not run while the server still owes the connection a response. Also
    // bounds each response write, so a client that stops reading cannot hold Stop().
    std::chrono::seconds read_timeout{30};
    size_t max_queued_responses =
        8;  // per connection (HTTP/1.1 pipelining): stop reading while full
    // HTTPS when both are set: PEM files of the certificate (chain) and its private key.
    // A plain HTTP request on such a port gets an unencrypted 400 that says to use https://.
    std::string tls_cert_file;
    std::string tls_key_file;
};

// An HTTP/1.0 and 1.1 server: keep-alive, pipelining (responses in request order),
// chunked request bodies, a body limit and a read timeout on every connection. Handlers
// run on a pool of `worker_threads`; socket I/O on `io_threads` others.
//
// Thread-safety: all methods may be called from any thread. Malformed requests get 400,
// over-limit bodies 413, a throwing handler 500 (logged to stderr); none of them stops
// the server.
class HttpServer {
  public:
    // Binds, listens and starts serving. Fails (address in use, unresolvable host) with a
    // Status that names the address; an unreadable or mismatched TLS certificate or key is
    // InvalidArgument naming the file.
    static core::Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                           Handler handler);
    ~HttpServer();  // calls Stop()

    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The bound port (the one chosen by the system when options.port was 0).
    uint16_t port() const;

    // Graceful: stops accepting, lets in-flight requests finish and their responses be
    // written (with `Connection: close`), closes idle connections, joins all threads.
    // Idempotent and thread-safe; must not be called from a Handler.
    void Stop();

    struct Impl;

  private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace calypso::net
