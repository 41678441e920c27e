// The client half: a single request on its own io_context, with one deadline for the
// whole exchange (Beast's tcp_stream closes the socket when it passes). For https the TLS
// stream runs over that tcp_stream, so the deadline covers the handshake too.
#include "net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
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
    bool tls = false;
    std::string host;
    std::string port = "80";
    std::string target = "/";
};

core::Result<Url> ParseUrl(std::string_view url) {
    Url out;
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        rest = url.substr(8);
        out.tls = true;
        out.port = "443";
    } else {
        return core::Status::InvalidArgument("unsupported URL (only http:// and https:// are): " +
                                             std::string(url));
    }
    const size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
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
    const bool default_port = parsed.port == (parsed.tls ? "443" : "80");
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
    std::optional<asio::ssl::context> tls_context;
    std::optional<asio::ssl::stream<beast::tcp_stream&>> tls;
    if (parsed.tls) {
        tls_context.emplace(asio::ssl::context::tls_client);
        tls_context->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                                 asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        beast::error_code ca_error;
        if (options.ca_file.empty()) {
            tls_context->set_default_verify_paths(ca_error);
        } else {
            tls_context->load_verify_file(options.ca_file, ca_error);
        }
        if (ca_error) {
            return core::Status::InvalidArgument(
                "cannot load CA certificates" +
                (options.ca_file.empty() ? std::string() : " from " + options.ca_file) + ": " +
                ca_error.message());
        }
        tls_context->set_verify_mode(asio::ssl::verify_peer);
        tls.emplace(stream, *tls_context);
        tls->set_verify_callback(asio::ssl::host_name_verification(parsed.host));
        // SNI carries names only, never IP addresses (RFC 6066).
        beast::error_code not_ip;
        asio::ip::make_address(parsed.host, not_ip);
        if (not_ip) SSL_set_tlsext_host_name(tls->native_handle(), parsed.host.c_str());
    }
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
        if (tls) {
            bhttp::async_read(*tls, buffer, parser, on_read);
        } else {
            bhttp::async_read(stream, buffer, parser, on_read);
        }
    };
    auto on_write = [&](beast::error_code ec, size_t) {
        // The server may answer early (413) and close; still try to read its answer.
        if (ec) write_error = ec;
        start_read();
    };
    auto start_write = [&] {
        stream.expires_at(deadline);
        if (tls) {
            bhttp::async_write(*tls, req, on_write);
        } else {
            bhttp::async_write(stream, req, on_write);
        }
    };
    auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return fail("connect", ec);
        if (!tls) return start_write();
        stream.expires_at(deadline);
        tls->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code hec) {
            if (hec) return fail("TLS handshake with", hec);
            start_write();
        });
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
