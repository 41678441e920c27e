#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "net/http.h"

namespace calypso::net {

struct ClientOptions {
    std::chrono::seconds timeout{60};  // for the whole exchange: connect, write, read
    // Extra request headers; they replace the client's defaults of the same name
    // (Content-Type defaults to application/json when there is a body).
    std::vector<std::pair<std::string, std::string>> headers;
    // https:// only: the PEM file of the certificates to trust (a self-signed server's own
    // certificate, say); empty = the system's CA store. The server's name or IP address is
    // checked against the certificate either way.
    std::string ca_file;
};

// A small blocking client for the CLI and tests: one request on a new connection to
// "http[s]://host[:port]/path[?query]" (TLS 1.2+ with a verified peer for https). Any HTTP
// status is a successful
// Result; connection failures, timeouts and bad URLs are errors (Unavailable /
// InvalidArgument). Thread-safe: each call has its own connection and io_context.
core::Result<HttpResponse> HttpFetch(std::string_view method, std::string_view url,
                                     std::string_view body, const ClientOptions& options = {});

}  // namespace calypso::net
