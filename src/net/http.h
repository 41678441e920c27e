#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calypso::net {

// One complete HTTP request as the server hands it to a Handler. Plain data: no Beast or
// Asio type appears here, so modules above net compile without them.
struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as received: path + query
    std::string path;    // percent-decoded path without the query string
    std::string query;   // raw query string (no '?')
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // complete body (chunked transfer decoded)
    std::string peer;  // "127.0.0.1:54321"

    // Case-insensitive header lookup; the first match, "" when absent.
    std::string_view Header(std::string_view name) const;
    // Value of a query parameter (percent-decoded, '+' as space), nullopt when absent.
    // A parameter given without '=' ("?flag") has the value "".
    std::optional<std::string> QueryParam(std::string_view name) const;
};

// What a Handler returns. The server adds Content-Length and `Server: calypso`, and
// Content-Type from `content_type`; `headers` may add others (Content-Length,
// Transfer-Encoding and Connection there are ignored: the server owns framing).
struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// Runs on a worker thread, may block, may be called concurrently from several threads.
// An exception thrown by it becomes a 500 response.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

// "%41b+c" -> "Ab+c" ("Ab c" with plus_as_space). Malformed escapes are kept as they are.
std::string PercentDecode(std::string_view text, bool plus_as_space = false);

// The JSON error body used by the server for its own errors:
// {"error":{"code":"<code>","message":"<message>"}} with the strings JSON-escaped.
std::string JsonErrorBody(std::string_view code, std::string_view message);

}  // namespace calypso::net
