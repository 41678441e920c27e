#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/dynamic.h"
#include "core/time.h"
#include "server/api.h"
#include "server/errors.h"
#include "server/query_limits.h"
#include "server/result_json.h"
#include "server/workspace_queries.h"
#include "server/workspace_view.h"

namespace calypso::server {

namespace {

using core::Status;

// An ISO 8601 `timespan` of the query API: "PT1H" (ending now), "start/end",
// "start/duration" or "duration/end".
core::Result<core::TimeRange> ParseTimespan(std::string_view text, int64_t now) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        ASSIGN_OR_RETURN(int64_t d, core::ParseIsoDuration(text));
        return core::TimeRange{now - d, now};
    }
    std::string_view a = text.substr(0, slash), b = text.substr(slash + 1);
    const bool a_is_duration = !a.empty() && (a[0] == 'P' || a[0] == '-');
    const bool b_is_duration = !b.empty() && b[0] == 'P';
    if (a_is_duration && b_is_duration) {
        return Status::InvalidArgument("timespan '" + std::string(text) + "' has two durations");
    }
    if (a_is_duration) {
        ASSIGN_OR_RETURN(int64_t d, core::ParseIsoDuration(a));
        ASSIGN_OR_RETURN(int64_t end, core::ParseDatetime(b));
        return core::TimeRange{end - d, end};
    }
    ASSIGN_OR_RETURN(int64_t start, core::ParseDatetime(a));
    if (b_is_duration) {
        ASSIGN_OR_RETURN(int64_t d, core::ParseIsoDuration(b));
        return core::TimeRange{start, start + d};
    }
    ASSIGN_OR_RETURN(int64_t end, core::ParseDatetime(b));
    return core::TimeRange{start, end};
}

// The `workspaces` (or `applications`) of a request: a JSON array of strings in the body,
// or a comma-separated query parameter. Empty when absent.
core::Result<std::vector<std::string>> ExtraResources(const core::Dynamic* field,
                                                      std::string_view name) {
    std::vector<std::string> out;
    if (field == nullptr || field->is_null()) return out;
    const auto bad = [&] {
        return Status::InvalidArgument("request field \"" + std::string(name) +
                                       "\" must be an array of strings");
    };
    if (field->kind() != core::Dynamic::Kind::kArray) return bad();
    for (const auto& v : field->as_array()) {
        if (v.kind() != core::Dynamic::Kind::kString) return bad();
        out.push_back(v.as_string());
    }
    return out;
}

std::vector<std::string> SplitList(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string item(text.substr(start, comma - start));
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

}  // namespace

const Workspace* Api::ReadableWorkspace(const net::HttpRequest& request,
                                        std::string_view id_or_name) const {
    const Workspace* w = s_.workspaces->Find(id_or_name);
    if (w != nullptr && s_.may_read && !s_.may_read(request, *w)) return nullptr;
    return w;
}

Api::QueryTarget Api::TargetOf(const net::HttpRequest& request, const Workspace& workspace) const {
    QueryTarget t;
    t.queries = s_.queries;
    if (s_.workspace_queries != nullptr) {
        t.queries = &s_.workspace_queries->EngineOf(workspace);
        std::function<bool(const Workspace&)> may_read;
        if (s_.may_read) {
            may_read = [this, &request](const Workspace& w) { return s_.may_read(request, w); };
        }
        t.resources =
            std::make_unique<RequestResources>(*s_.workspace_queries, std::move(may_read));
    }
    return t;
}

net::HttpResponse Api::Query(const net::HttpRequest& request, const std::string& workspace_id,
                             bool apps) const {
    // Every answer, errors included, becomes a LAQueryLogs row.
    QueryLogEntry logged = QueryLogEntry::Begin(request, core::NowTicks());
    logged.target = workspace_id;
    net::HttpResponse response = AnswerQuery(request, workspace_id, apps, logged);
    if (s_.query_log != nullptr) s_.query_log->Record(std::move(logged), response.status);
    return response;
}

net::HttpResponse Api::AnswerQuery(const net::HttpRequest& request, const std::string& workspace_id,
                                   bool apps, QueryLogEntry& logged) const {
    const Workspace* workspace = ReadableWorkspace(request, workspace_id);
    if (workspace == nullptr) {
        return ErrorResponse(
            Status::NotFound("workspace or app '" + workspace_id + "' does not exist"));
    }
    logged.target = workspace->name;
    logged.workspace_id = workspace->id;
    std::string query;
    std::optional<std::string> timespan;
    bool explain = false;
    // Azure's field for more resources to query with the one in the path.
    const std::string_view extra_field = apps ? "applications" : "workspaces";
    std::vector<std::string> extra;
    if (request.method == "POST") {
        auto body = core::Dynamic::Parse(request.body);
        if (!body.ok())
            return ErrorResponse(
                Status::InvalidArgument("request body: " + body.status().message()));
        const core::Dynamic* q = body->Find("query");
        if (q == nullptr || q->kind() != core::Dynamic::Kind::kString) {
            return ErrorResponse(
                Status::InvalidArgument("request body needs a string field \"query\""));
        }
        query = q->as_string();
        const core::Dynamic* t = body->Find("timespan");
        if (t != nullptr && t->kind() == core::Dynamic::Kind::kString) timespan = t->as_string();
        // Calypso's extension: the optimized plan instead of the rows.
        const core::Dynamic* e = body->Find("explain");
        explain = e != nullptr && e->kind() == core::Dynamic::Kind::kBool && e->as_bool();
        auto listed = ExtraResources(body->Find(extra_field), extra_field);
        if (!listed.ok()) return ErrorResponse(listed.status());
        extra = *std::move(listed);
    } else {
        auto q = request.QueryParam("query");
        if (!q) return ErrorResponse(Status::InvalidArgument("missing query parameter \"query\""));
        query = *q;
        timespan = request.QueryParam("timespan");
        explain = request.QueryParam("explain") == "true";
        if (auto listed = request.QueryParam(extra_field)) extra = SplitList(*listed);
    }
    logged.text = query;
    core::QueryRequest qr;
    qr.text = std::move(query);
    qr.now_ticks = core::NowTicks();
    if (timespan && !timespan->empty()) {
        auto range = ParseTimespan(*timespan, qr.now_ticks);
        if (!range.ok())
            return ErrorResponse(Status::InvalidArgument("timespan: " + range.status().message()));
        qr.timespan = *range;
        logged.time_range = *range;
    }
    qr.explain = explain;
    // Log Analytics' server timeout: `Prefer: wait=N`, at most 10 minutes.
    if (auto wait = PreferredWaitSeconds(request.Header("Prefer"))) {
        qr.max_seconds = std::min(*wait, kMaxLogAnalyticsWaitSeconds);
    }
    qr.cancelled = request.client_gone;
    const QueryTarget target = TargetOf(request, *workspace);
    qr.resources = target.resources.get();
    // The listed workspaces' tables are unioned with the path's: the query's table names
    // read all of them. One unknown (or unreadable) is an error naming it, as for the path.
    std::optional<WorkspaceUnion> tables;
    if (!extra.empty()) {
        const auto kind = apps ? core::ResourceKind::kApp : core::ResourceKind::kWorkspace;
        std::vector<const core::TableSource*> members;
        if (s_.workspace_queries != nullptr) {
            members.push_back(&s_.workspace_queries->TablesOf(*workspace));
        }
        for (const std::string& id : extra) {
            const core::TableSource* source = nullptr;
            if (target.resources != nullptr) {
                auto resolved = target.resources->Resolve(kind, id);
                if (resolved.ok()) source = *resolved;
            } else if (ReadableWorkspace(request, id) == workspace) {
                continue;  // a single engine: only the path's own workspace is known
            }
            if (source == nullptr) {
                return ErrorResponse(Status::NotFound(
                    std::string(apps ? "app '" : "workspace '") + id + "' listed in \"" +
                    std::string(extra_field) + "\" does not exist"));
            }
            if (std::find(members.begin(), members.end(), source) == members.end()) {
                members.push_back(source);
            }
        }
        if (members.size() > 1) {
            tables.emplace(std::move(members));
            qr.tables = &*tables;
        }
    }
    const auto start = std::chrono::steady_clock::now();
    auto result = target.queries->Run(qr);
    if (!result.ok()) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const bool gone = request.client_gone && request.client_gone->load();
        return LogAnalyticsQueryError(
            result.status(), ClassifyQueryFailure(result.status(), seconds, qr.max_seconds, gone));
    }
    logged.row_count = 0;
    for (const auto& t : result->tables)
        *logged.row_count += static_cast<int64_t>(t.data.num_rows());
    logged.scan_stats = result->scan_stats;
    net::HttpResponse r;
    if (PrefersStatistics(request.Header("Prefer"))) {
        QueryStatistics stats;
        stats.execution_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.body = ToLogAnalyticsJson(*result, &stats);
    } else {
        r.body = ToLogAnalyticsJson(*result);
    }
    return r;
}

}  // namespace calypso::server
