#include "server/api.h"

#include <chrono>
#include <cstdio>
#include <exception>

#include "core/dynamic.h"
#include "core/time.h"
#include "server/dashboards_handler.h"
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

Api::Api(ApiServices services) : s_(std::move(services)) {
    if (s_.metrics == nullptr) return;
    ingest_latency_ = &s_.metrics->Histogram(
        "calypso_ingest_request_duration_seconds",
        "Time to answer an ingestion request (decode, store durably, respond), by endpoint",
        {"endpoint"}, core::LatencyBuckets(), "seconds");
    query_latency_ = &s_.metrics->Histogram("calypso_query_duration_seconds",
                                            "Time to answer a query request, by API", {"api"},
                                            core::LatencyBuckets(), "seconds");
    requests_ = &s_.metrics->Counter("calypso_http_requests",
                                     "HTTP requests answered, by endpoint and status code",
                                     {"endpoint", "code"});
}

net::HttpResponse Api::Handle(const net::HttpRequest& request) const {
    if (s_.metrics == nullptr) {
        std::string_view endpoint;
        return Route(request, endpoint);
    }
    const auto start = std::chrono::steady_clock::now();
    std::string_view endpoint = "other";
    net::HttpResponse response = Route(request, endpoint);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (endpoint.starts_with("query_")) {
        query_latency_->With({std::string(endpoint.substr(6))}).Observe(seconds);
    } else if (endpoint.starts_with("ingest_")) {
        ingest_latency_->With({std::string(endpoint.substr(7))}).Observe(seconds);
    }
    requests_->With({std::string(endpoint), std::to_string(response.status)}).Add();
    return response;
}

void Api::Reject(std::string_view workspace, std::string_view table, RejectReason reason,
                 uint64_t count, std::string_view example) const {
    if (s_.rejections != nullptr) {
        s_.rejections->Record(workspace, table, reason, count, example, core::NowTicks());
    }
}

std::vector<runs::StepName> Api::StepNames(const std::vector<core::TableBatch>& batches) const {
    if (s_.runs == nullptr) return {};
    return runs::StepNamesIn(batches);
}

void Api::LearnStepNames(const std::vector<runs::StepName>& names) const {
    if (s_.runs == nullptr || names.empty()) return;
    // A refusal (store busy) is not the log request's failure: the step's next log line
    // carries the same name and tries again.
    (void)s_.runs->LearnStepNames(names);
}

net::HttpResponse Api::Route(const net::HttpRequest& request, std::string_view& endpoint) const {
    try {
        const std::string path = NormalizePath(request.path);
        const bool get = request.method == "GET" || request.method == "HEAD";
        const bool post = request.method == "POST";
        if (path == "/metrics" && s_.metrics != nullptr) {
            endpoint = "metrics";
            return Metrics(request);
        }
        if (path == "/healthz" && get) {
            endpoint = "healthz";
            const Health h = s_.health ? s_.health() : Health{};
            return Json(200, std::string("{\"status\":\"") + (h.degraded ? "degraded" : "ok") +
                                 "\",\"store\":" + h.json + "}");
        }
        if (path == "/v2/track" || path == "/v2.1/track") {
            endpoint = "ingest_track";
            if (post) return Track(request);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        if (path == "/v1/logs") {
            endpoint = "ingest_otlp_logs";
            return Otlp(request, ingest::OtlpSignal::kLogs);
        }
        if (path == "/v1/traces") {
            endpoint = "ingest_otlp_traces";
            return Otlp(request, ingest::OtlpSignal::kTraces);
        }
        if (path == "/v1/metrics") {
            endpoint = "ingest_otlp_metrics";
            return Otlp(request, ingest::OtlpSignal::kMetrics);
        }
        if (path == "/eventgrid") {
            endpoint = "ingest_eventgrid";
            return EventGrid(request);
        }
        if (auto stream = MatchStreamPath(path); !stream.empty()) {
            endpoint = "ingest_logs_ingestion";
            if (post) return LogsIngestion(request, stream);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        if (path == "/api/diagnostics") {
            endpoint = "ingest_diagnostics";
            if (post) return DiagnosticLogs(request);
            return ErrorResponse(core::Status::InvalidArgument("use POST for " + path));
        }
        if ((path == "/api/dashboards" || path.starts_with("/api/dashboards/")) &&
            s_.dashboards != nullptr) {
            endpoint = "dashboards";
            return HandleDashboards(*s_.dashboards, request, path);
        }
        if (path == "/api/tables" && s_.tables != nullptr) {
            return HandleTableList(*s_.tables, s_.get_retention, request);
        }
        constexpr std::string_view kTables = "/api/tables/", kRetention = "/retention";
        if (path.starts_with(kTables) && path.ends_with(kRetention) &&
            path.size() > kTables.size() + kRetention.size()) {
            return Retention(request, path.substr(kTables.size(), path.size() - kTables.size() -
                                                                      kRetention.size()));
        }
        if (path == "/v2/rest/query" && (get || post)) {
            endpoint = "query_kusto_v2";
            return Kusto(request, KustoEndpoint::kQueryV2);
        }
        if (path == "/v1/rest/query" && (get || post)) {
            endpoint = "query_kusto_v1";
            return Kusto(request, KustoEndpoint::kQueryV1);
        }
        if ((path == "/v1/rest/mgmt" || path == "/v2/rest/mgmt") && (get || post)) {
            endpoint = "query_kusto_mgmt";
            return Kusto(request, path[2] == '1' ? KustoEndpoint::kMgmt : KustoEndpoint::kMgmtV2);
        }
        for (const char* collection : {"workspaces", "apps"}) {
            std::string id = MatchQueryPath(path, collection);
            if (!id.empty() && (get || post)) {
                endpoint = "query_log_analytics";
                return Query(request, id, std::string_view(collection) == "apps");
            }
        }
        if (s_.web != nullptr) {
            if (auto page = s_.web->Serve(request, path)) return *std::move(page);
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
