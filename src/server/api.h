#pragma once

#include <functional>
#include <string>

#include "core/query_service.h"
#include "core/row_sink.h"
#include "core/table_source.h"
#include "ingest/dedup.h"
#include "ingest/otlp.h"
#include "ingest/run_tracker.h"
#include "net/http.h"
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
    // The table catalogue for Kusto's management commands (.show tables, ...); when null,
    // they list the built-in tables.
    const core::TableSource* tables = nullptr;
    std::function<Health()> health;
    // Table retention in days: read (0 = unknown table) and set.
    std::function<int(const std::string&)> get_retention;
    std::function<core::Status(const std::string&, int)> set_retention;
    // Azure ML run events from Event Grid (POST /eventgrid); null disables the route. When
    // `eventgrid_secret` is set, deliveries must carry it (?code=, or Authorization: Bearer).
    ingest::RunTracker* runs = nullptr;
    std::string eventgrid_secret;
    // Logs Ingestion API: defines `table` with `schema` unless it exists, and returns the
    // table's schema either way (first definition wins). Null disables custom tables.
    std::function<core::Result<core::Schema>(const std::string& table, const core::Schema& schema)>
        define_table;
    // Ids of recently stored App Insights items, to drop resent duplicates; null: keep all.
    ingest::RecentIds* recent_ids = nullptr;
    // Largest body accepted after decompression.
    size_t max_decompressed_bytes = size_t{256} << 20;
};

// The Kusto REST endpoints: /v1/rest/query, /v2/rest/query, /v1/rest/mgmt.
enum class KustoEndpoint { kQueryV1, kQueryV2, kMgmt };

// Routes requests to thin handlers. Thread-safe; never throws.
class Api {
  public:
    explicit Api(ApiServices services) : s_(std::move(services)) {}
    net::HttpResponse Handle(const net::HttpRequest& request) const;

  private:
    net::HttpResponse Track(const net::HttpRequest& request) const;
    net::HttpResponse Otlp(const net::HttpRequest& request, ingest::OtlpSignal signal) const;
    net::HttpResponse Query(const net::HttpRequest& request, const std::string& workspace_id) const;
    net::HttpResponse Retention(const net::HttpRequest& request, const std::string& table) const;
    net::HttpResponse EventGrid(const net::HttpRequest& request) const;
    net::HttpResponse Kusto(const net::HttpRequest& request, KustoEndpoint endpoint) const;
    net::HttpResponse LogsIngestion(const net::HttpRequest& request, std::string_view stream) const;
    net::HttpResponse DiagnosticLogs(const net::HttpRequest& request) const;

    ApiServices s_;
};

// "/v2//track/" -> "/v2/track": collapses repeated slashes and drops a trailing one.
std::string NormalizePath(std::string_view path);

}  // namespace calypso::server
