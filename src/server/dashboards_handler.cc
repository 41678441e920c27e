// The HTTP side of the APIs behind the web UI's Dashboards and Usage pages.
#include "server/dashboards_handler.h"

#include "server/errors.h"

namespace calypso::server {

using core::Dynamic;
using core::Status;

namespace {

net::HttpResponse JsonResponse(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

}  // namespace

net::HttpResponse HandleDashboards(DashboardStore& store, const net::HttpRequest& request,
                                   std::string_view path) {
    constexpr std::string_view kBase = "/api/dashboards";
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == kBase) {
        if (!get) return ErrorResponse(Status::InvalidArgument("use GET for /api/dashboards"));
        Dynamic::Array list;
        for (auto& d : store.List()) list.push_back(std::move(d));
        return JsonResponse(
            200, Dynamic::MakeObject({{"dashboards", Dynamic::MakeArray(std::move(list))}}).ToJson());
    }
    const std::string_view id = path.substr(kBase.size() + 1);  // after "/api/dashboards/"
    if (!IsDashboardId(id)) {
        return ErrorResponse(Status::InvalidArgument(
            "dashboard id '" + std::string(id) + "' must be 1-64 letters, digits, '-' or '_'"));
    }
    if (get) {
        auto d = store.Get(id);
        if (!d) return ErrorResponse(Status::NotFound("no dashboard '" + std::string(id) + "'"));
        return JsonResponse(200, d->ToJson());
    }
    if (request.method == "PUT") {
        auto body = Dynamic::Parse(request.body);
        if (!body.ok()) {
            return ErrorResponse(
                Status::InvalidArgument("body: not JSON: " + body.status().message()));
        }
        auto stored = store.Put(id, *body);
        if (!stored.ok()) return ErrorResponse(stored.status());
        return JsonResponse(200, stored->ToJson());
    }
    if (request.method == "DELETE") {
        if (Status s = store.Delete(id); !s.ok()) return ErrorResponse(s);
        auto d = store.Get(id);  // a built-in one is back to its original
        return JsonResponse(200, d ? d->ToJson() : "{}");
    }
    return ErrorResponse(
        Status::InvalidArgument("use GET, PUT or DELETE for /api/dashboards/" + std::string(id)));
}

net::HttpResponse HandleTableList(const core::TableSource& tables,
                                  const std::function<int(const std::string&)>& retention,
                                  const net::HttpRequest& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        return ErrorResponse(Status::InvalidArgument("use GET for /api/tables"));
    }
    Dynamic::Array list;
    for (const auto& name : tables.ListTables()) {
        const int days = retention ? retention(name) : 0;
        list.push_back(Dynamic::MakeObject(
            {{"name", Dynamic::String(name)},
             {"retentionDays", days > 0 ? Dynamic::Long(days) : Dynamic()}}));
    }
    return JsonResponse(
        200, Dynamic::MakeObject({{"tables", Dynamic::MakeArray(std::move(list))}}).ToJson());
}

}  // namespace calypso::server
