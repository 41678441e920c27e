// The client half: a single request on its own io_context, with one deadline for the
// whole exchange (Beast's tcp_stream closes the socket when it passes).
#include "net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace calypso::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
    std::string host;
    std::string port = "80";
    std::string target = "/";
};

core::Result<Url> ParseUrl(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme) {
        return core::Status::InvalidArgument("unsupported URL (only http:// is): " +
                                             std::string(url));
    }
    std::string_view rest = url.substr(kScheme.size());
    const size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    Url out;
    if (slash != std::string_view::npos) {
        out.target = std::string(rest.substr(slash));
        if (out.target[0] == '?') out.target.insert(0, "/");
    }
    std::string_view host = authority;
    if (!authority.empty() && authority[0] == '[') {  // [v6]:port
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return core::Status::InvalidArgument("bad URL host: " + std::string(url));
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                return core::Status::InvalidArgument("bad URL host: " + std::string(url));
            }
            out.port = std::string(after.substr(1));
        }
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        out.port = std::string(authority.substr(colon + 1));
    }
    if (host.empty() || out.port.empty() ||
        out.port.find_first_not_of("0123456789") != std::string::npos) {
        return core::Status::InvalidArgument("bad URL: " + std::string(url));
    }
    out.host = std::string(host);
    return out;
}

}  // namespace

core::Result<HttpResponse> HttpFetch(std::string_view method, std::string_view url,
                                     std::string_view body, const ClientOptions& options) {
    ASSIGN_OR_RETURN(Url parsed, ParseUrl(url));
    const std::string where = parsed.host + ":" + parsed.port;

    bhttp::request<bhttp::string_body> req;
    const beast::string_view method_sv(method.data(), method.size());
    const bhttp::verb verb = bhttp::string_to_verb(method_sv);
    if (verb == bhttp::verb::unknown) {
        if (method.empty()) return core::Status::InvalidArgument("empty HTTP method");
        req.method_string(method_sv);
    } else {
        req.method(verb);
    }
    req.target(parsed.target);
    req.version(11);
    const bool default_port = parsed.port == "80";
    req.set(bhttp::field::host,
            (parsed.host.find(':') != std::string::npos ? "[" + parsed.host + "]" : parsed.host) +
                (default_port ? "" : ":" + parsed.port));
    req.set(bhttp::field::user_agent, "calypso");
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : options.headers) req.set(name, value);
    req.body() = std::string(body);
    req.prepare_payload();
    req.keep_alive(false);

    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(1u << 20);
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;

    std::optional<core::Status> failure;
    beast::error_code write_error;
    auto fail = [&](std::string_view step, beast::error_code ec) {
        if (ec == beast::error::timeout) {
            failure =
                core::Status::Unavailable("HTTP " + std::string(method) + " " + std::string(url) +
                                          ": timed out during " + std::string(step));
        } else {
            failure = core::Status::Unavailable("HTTP " + std::string(method) + " " +
                                                std::string(url) + ": " + std::string(step) + " " +
                                                where + ": " + ec.message());
        }
    };
    auto on_read = [&](beast::error_code ec, size_t) {
        if (ec) fail(write_error ? "write" : "read", write_error ? write_error : ec);
    };
    auto start_read = [&] {
        stream.expires_at(deadline);
        bhttp::async_read(stream, buffer, parser, on_read);
    };
    auto on_write = [&](beast::error_code ec, size_t) {
        // The server may answer early (413) and close; still try to read its answer.
        if (ec) write_error = ec;
        start_read();
    };
    auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return fail("connect", ec);
        stream.expires_at(deadline);
        bhttp::async_write(stream, req, on_write);
    };

    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(parsed.host, parsed.port, ec);
    if (ec) {
        return core::Status::Unavailable("cannot resolve " + parsed.host + ": " + ec.message());
    }
    stream.expires_at(deadline);
    stream.async_connect(endpoints, on_connect);
    ioc.run();
    if (failure) return *failure;

    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[bhttp::field::content_type]);
    for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    return out;
}

}  // namespace calypso::net
