#pragma once

#include <functional>
#include <string>

#include "core/query_service.h"
#include "core/row_sink.h"
#include "core/table_source.h"
#include "ingest/otlp.h"
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
    std::function<Health()> health;
    // Table retention in days: read (0 = unknown table) and set.
    std::function<int(const std::string&)> get_retention;
    std::function<core::Status(const std::string&, int)> set_retention;
    // Largest body accepted after decompression.
    size_t max_decompressed_bytes = size_t{256} << 20;
};

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

    ApiServices s_;
};

// "/v2//track/" -> "/v2/track": collapses repeated slashes and drops a trailing one.
std::string NormalizePath(std::string_view path);

}  // namespace calypso::server
