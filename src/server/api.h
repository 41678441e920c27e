#pragma once

#include <functional>
#include <string>

#include "core/metrics.h"
#include "core/query_service.h"
#include "core/row_sink.h"
#include "core/table_source.h"
#include "ingest/dedup.h"
#include "ingest/otlp.h"
#include "net/http.h"
#include "runs/run_tracker.h"
#include "server/dashboards.h"
#include "server/query_log.h"
#include "server/rejections.h"
#include "server/static_handler.h"
#include "server/workspace_queries.h"
#include "server/workspaces.h"

namespace calypso::server {

// What /healthz reports: the store's state as a JSON object, and whether it is degraded
// (serving, but some data was found damaged and set aside).
struct Health {
    bool degraded = false;
    std::string json = "{}";
};

// What the HTTP API needs, wired together in src/app. Nothing here is owned.
struct ApiServices {
    core::RowSink* sink = nullptr;
    core::QueryService* queries = nullptr;
    const Workspaces* workspaces = nullptr;
    // Per workspace: the engine (and stored functions) that answers its queries over its
    // own rows, and what `workspace("x")` / `app("x")` references read. When null, `queries`
    // answers every workspace and such references are unknown.
    WorkspaceQueries* workspace_queries = nullptr;
    // Whether the caller of `request` may read `workspace`; null: anyone may (Calypso has no
    // authentication yet). One the caller may not read answers exactly as an unknown one,
    // on the query routes, as a Kusto database and as a cross-resource reference.
    std::function<bool(const net::HttpRequest& request, const Workspace& workspace)> may_read;
    // The table catalogue for Kusto's management commands (.show tables, ...); when null,
    // they list the built-in tables.
    const core::TableSource* tables = nullptr;
    std::function<Health()> health;
    // Table retention in days: read (0 = unknown table) and set.
    std::function<int(const std::string&)> get_retention;
    std::function<core::Status(const std::string&, int)> set_retention;
    // Azure ML run events from Event Grid (POST /eventgrid); null disables the route. When
    // `eventgrid_secret` is set, deliveries must carry it (?code=, or Authorization: Bearer).
    runs::RunTracker* runs = nullptr;
    std::string eventgrid_secret;
    // Logs Ingestion API: defines `table` with `schema` unless it exists, and returns the
    // table's schema either way (first definition wins). Null disables custom tables.
    std::function<core::Result<core::Schema>(const std::string& table, const core::Schema& schema)>
        define_table;
    // Ids of recently stored App Insights items, to drop resent duplicates; null: keep all.
    ingest::RecentIds* recent_ids = nullptr;
    // GET /metrics exposes this registry and requests are timed into it; null disables both.
    core::MetricsRegistry* metrics = nullptr;
    // Counts refused items (and writes CalypsoRejections); null: not counted.
    Rejections* rejections = nullptr;
    // Largest body accepted after decompression.
    size_t max_decompressed_bytes = size_t{256} << 20;
    // The web UI's files for GET / and the UI's routes; null: no UI.
    const StaticHandler* web = nullptr;
    // Stored dashboards (/api/dashboards); null disables the route.
    DashboardStore* dashboards = nullptr;
    // Gets a LAQueryLogs row per query API request; null: queries are not logged.
    QueryLog* query_log = nullptr;
};

// The Kusto REST endpoints: /v1/rest/query, /v2/rest/query, /v1/rest/mgmt, /v2/rest/mgmt.
enum class KustoEndpoint { kQueryV1, kQueryV2, kMgmt, kMgmtV2 };

// Routes requests to thin handlers. Thread-safe; never throws.
class Api {
  public:
    explicit Api(ApiServices services);
    net::HttpResponse Handle(const net::HttpRequest& request) const;

  private:
    // Routes; `endpoint` names the route for the request metrics (a fixed set of names).
    net::HttpResponse Route(const net::HttpRequest& request, std::string_view& endpoint) const;
    net::HttpResponse Metrics(const net::HttpRequest& request) const;
    // Records refused items when rejections are counted.
    void Reject(std::string_view workspace, std::string_view table, RejectReason reason,
                uint64_t count, std::string_view example) const;
    // Hands the step names in `batches` to the run tracker (before they are appended).
    std::vector<runs::StepName> StepNames(const std::vector<core::TableBatch>& batches) const;
    void LearnStepNames(const std::vector<runs::StepName>& names) const;
    net::HttpResponse Track(const net::HttpRequest& request) const;
    net::HttpResponse Otlp(const net::HttpRequest& request, ingest::OtlpSignal signal) const;
    // /v1/workspaces/{id}/query (`apps` false) or /v1/apps/{id}/query (`apps` true).
    net::HttpResponse Query(const net::HttpRequest& request, const std::string& workspace_id,
                            bool apps = false) const;
    // The workspace `id_or_name` names, when the caller of `request` may read it; null
    // otherwise (unknown and unreadable look the same).
    const Workspace* ReadableWorkspace(const net::HttpRequest& request,
                                       std::string_view id_or_name) const;
    // What a query sent to `workspace` runs on: its engine, and the resolver of its
    // cross-resource references (null when references are unknown).
    struct QueryTarget {
        core::QueryService* queries = nullptr;
        std::unique_ptr<RequestResources> resources;
    };
    QueryTarget TargetOf(const net::HttpRequest& request, const Workspace& workspace) const;
    // Query and Kusto answer through these, which fill in the request's LAQueryLogs row.
    net::HttpResponse AnswerQuery(const net::HttpRequest& request, const std::string& workspace_id,
                                  bool apps, QueryLogEntry& logged) const;
    net::HttpResponse AnswerKusto(const net::HttpRequest& request, KustoEndpoint endpoint,
                                  QueryLogEntry& logged) const;
    net::HttpResponse Retention(const net::HttpRequest& request, const std::string& table) const;
    net::HttpResponse EventGrid(const net::HttpRequest& request) const;
    net::HttpResponse Kusto(const net::HttpRequest& request, KustoEndpoint endpoint) const;
    net::HttpResponse LogsIngestion(const net::HttpRequest& request, std::string_view stream) const;
    net::HttpResponse DiagnosticLogs(const net::HttpRequest& request) const;

    ApiServices s_;
    core::HistogramFamily* ingest_latency_ = nullptr;
    core::HistogramFamily* query_latency_ = nullptr;
    core::CounterFamily* requests_ = nullptr;
};

// "/v2//track/" -> "/v2/track": collapses repeated slashes and drops a trailing one.
std::string NormalizePath(std::string_view path);

}  // namespace calypso::server
