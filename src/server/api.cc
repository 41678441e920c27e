#include "server/api.h"

#include <cstdio>
#include <exception>

#include "core/dynamic.h"
#include "server/errors.h"

namespace calypso::server {

namespace {

net::HttpResponse Json(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

// "/v1/workspaces/{id}/query" -> id; "" when `path` is not of that form.
std::string MatchQueryPath(std::string_view path, std::string_view collection) {
    std::string prefix = "/v1/";
    prefix.append(collection);
    prefix.push_back('/');
    constexpr std::string_view kSuffix = "/query";
    if (path.size() <= prefix.size() + kSuffix.size() || path.substr(0, prefix.size()) != prefix ||
        path.substr(path.size() - kSuffix.size()) != kSuffix) {
        return "";
    }
    std::string_view id = path.substr(prefix.size(), path.size() - prefix.size() - kSuffix.size());
    if (id.find('/') != std::string_view::npos) return "";
    return std::string(id);
}

// "/dataCollectionRules/{id}/streams/{stream}" -> stream; "" otherwise.
std::string_view MatchStreamPath(std::string_view path) {
    constexpr std::string_view kPrefix = "/dataCollectionRules/", kStreams = "/streams/";
    if (!path.starts_with(kPrefix)) return {};
    std::string_view rest = path.substr(kPrefix.size());
    const size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return {};
    rest = rest.substr(slash);
    if (!rest.starts_with(kStreams)) return {};
    rest = rest.substr(kStreams.size());
    return rest.find('/') == std::string_view::npos ? rest : std::string_view();
}

}  // namespace

std::string NormalizePath(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        if (c == '/' && !out.empty() && out.back() == '/') continue;
        out.push_back(c);
    }
    if (out.size() > 1 && out.back() == '/') out.pop_back();
    if (out.empty()) out.push_back('/');
    return out;
}

net::HttpResponse Api::Handle(const net::HttpRequest& request) const {
    try {
        const std::string path = NormalizePath(request.path);
        const bool get = request.method == "GET" || request.method == "HEAD";
        const bool post = request.method == "POST";
        if (path == "/healthz" && get) {
            const Health h = s_.health ? s_.health() : Health{};
            return Json(200, std::string("{\"status\":\"") + (h.degraded ? "degraded" : "ok") +
                                 "\",\"store\":" + h.json + "}");
        }
        if (path == "/v2/track" || path == "/v2.1/track") {
            if (post) return Track(request);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        if (path == "/v1/logs") return Otlp(request, ingest::OtlpSignal::kLogs);
        if (path == "/v1/traces") return Otlp(request, ingest::OtlpSignal::kTraces);
        if (path == "/v1/metrics") return Otlp(request, ingest::OtlpSignal::kMetrics);
        if (path == "/eventgrid") return EventGrid(request);
        if (auto stream = MatchStreamPath(path); !stream.empty()) {
            if (post) return LogsIngestion(request, stream);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        if (path == "/api/diagnostics") {
            if (post) return DiagnosticLogs(request);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        constexpr std::string_view kTables = "/api/tables/", kRetention = "/retention";
        if (path.starts_with(kTables) && path.ends_with(kRetention) &&
            path.size() > kTables.size() + kRetention.size()) {
            return Retention(request, path.substr(kTables.size(), path.size() - kTables.size() -
                                                                      kRetention.size()));
        }
        if (path == "/v2/rest/query" && (get || post))
            return Kusto(request, KustoEndpoint::kQueryV2);
        if (path == "/v1/rest/query" && (get || post))
            return Kusto(request, KustoEndpoint::kQueryV1);
        if (path == "/v1/rest/mgmt" && (get || post)) return Kusto(request, KustoEndpoint::kMgmt);
        for (const char* collection : {"workspaces", "apps"}) {
            std::string id = MatchQueryPath(path, collection);
            if (!id.empty() && (get || post)) return Query(request, id);
        }
        return ErrorResponse(core::Status::NotFound("no route for " + request.method + " " +
                                                    std::string(request.path)));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "calypso: internal error on %s %s: %s\n", request.method.c_str(),
                     request.path.c_str(), e.what());
        return ErrorResponse(core::Status::Internal(e.what()));
    }
}

net::HttpResponse Api::Retention(const net::HttpRequest& request, const std::string& table) const {
    if (request.method == "POST" || request.method == "PUT") {
        auto body = core::Dynamic::Parse(request.body);
        const core::Dynamic* days = body.ok() ? body->Find("days") : nullptr;
        if (days == nullptr || days->kind() != core::Dynamic::Kind::kLong) {
            return ErrorResponse(core::Status::InvalidArgument(
                "request body must be like {\"days\": 30}: an integer number of days"));
        }
        if (days->as_long() < 1 || days->as_long() > 36500) {
            return ErrorResponse(
                core::Status::InvalidArgument("\"days\" must be between 1 and 36500"));
        }
        core::Status s = s_.set_retention(table, static_cast<int>(days->as_long()));
        if (!s.ok()) return ErrorResponse(s);
    } else if (request.method != "GET") {
        return ErrorResponse(core::Status::InvalidArgument("use GET or POST for " + request.path));
    }
    const int days = s_.get_retention(table);
    if (days == 0) return ErrorResponse(core::Status::NotFound("unknown table '" + table + "'"));
    std::string body = "{\"table\":";
    core::AppendJsonString(body, table);
    body += ",\"retentionDays\":" + std::to_string(days) + "}";
    return Json(200, std::move(body));
}

}  // namespace calypso::server
