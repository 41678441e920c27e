#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calypso::net {

// One complete HTTP request as the server hands it to a Handler. Plain data: no Beast or
// Asio type appears here, so modules above net compile without them.
inline constexpr size_t kBodyPadding = 64;

struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as received: path + query
    std::string path;    // percent-decoded path without the query string
    std::string query;   // raw query string (no '?')
    std::vector<std::pair<std::string, std::string>> headers;
    // Complete body (chunked transfer decoded). With a Content-Length, at least
    // kBodyPadding bytes of capacity follow it, so a JSON parser can read it in place.
    std::string body;
    std::string peer;  // "127.0.0.1:54321"
    // Becomes true once the client has closed or reset the connection while the request is
    // being handled, so a long handler (a query) can stop early: nobody will read its
    // answer. Seen only while the server is still reading the connection (keep-alive, and
    // fewer than max_queued_responses requests pending). Null in requests built by hand.
    std::shared_ptr<const std::atomic<bool>> client_gone;

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
