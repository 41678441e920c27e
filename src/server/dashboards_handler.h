#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/table_source.h"
#include "net/http.h"
#include "server/dashboards.h"

namespace calypso::server {

// GET /api/dashboards (the list), GET|PUT|DELETE /api/dashboards/{id}. `path` is normalized.
net::HttpResponse HandleDashboards(DashboardStore& store, const net::HttpRequest& request,
                                   std::string_view path);

// GET /api/tables: {"tables":[{"name","retentionDays"}]}, for the Usage page.
net::HttpResponse HandleTableList(const core::TableSource& tables,
                                  const std::function<int(const std::string&)>& retention,
                                  const net::HttpRequest& request);

}  // namespace calypso::server
