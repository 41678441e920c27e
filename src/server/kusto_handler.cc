// The Kusto REST API: /v2/rest/query (v2 frames), /v1/rest/query and /v1/rest/mgmt (v1
// tables), as Azure Data Explorer answers them, so that Kusto clients work unchanged.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/time.h"
#include "server/api.h"
#include "server/kusto_errors.h"
#include "server/kusto_mgmt.h"
#include "server/kusto_request.h"
#include "server/kusto_response.h"
#include "server/query_limits.h"

namespace calypso::server {

namespace {

using core::Status;

KustoRequestContext ContextOf(const net::HttpRequest& request) {
    KustoRequestContext c;
    c.client_request_id = std::string(request.Header("x-ms-client-request-id"));
    c.activity_id = NewGuid();
    if (c.client_request_id.empty()) c.client_request_id = "calypso;" + c.activity_id;
    c.now_ticks = core::NowTicks();
    return c;
}

net::HttpResponse KustoOk(std::string body, const KustoRequestContext& context) {
    net::HttpResponse r;
    r.content_type = "application/json; charset=utf-8";
    r.body = std::move(body);
    AddKustoHeaders(r, context);
    return r;
}

net::HttpResponse BadRequest(std::string message, const KustoRequestContext& context) {
    return KustoErrorResponse(
        KustoFailureFor(Status::InvalidArgument(std::move(message)), QueryFailure::kOther, context),
        context);
}

}  // namespace

net::HttpResponse Api::Kusto(const net::HttpRequest& request, KustoEndpoint endpoint) const {
    // Each request to a query endpoint, errors included, becomes a LAQueryLogs row
    // (management commands do not).
    QueryLogEntry logged = QueryLogEntry::Begin(request, core::NowTicks());
    net::HttpResponse response = AnswerKusto(request, endpoint, logged);
    if (s_.query_log != nullptr && endpoint != KustoEndpoint::kMgmt &&
        endpoint != KustoEndpoint::kMgmtV2) {
        s_.query_log->Record(std::move(logged), response.status);
    }
    return response;
}

net::HttpResponse Api::AnswerKusto(const net::HttpRequest& request, KustoEndpoint endpoint,
                                   QueryLogEntry& logged) const {
    const KustoRequestContext context = ContextOf(request);
    logged.correlation_id = context.client_request_id;
    auto parsed = ParseKustoRequest(request);
    if (!parsed.ok()) return BadRequest(parsed.status().message(), context);
    const KustoRequest& kr = *parsed;
    logged.text = kr.csl;
    logged.target = kr.db;

    // `db` names a workspace by name or id, as the Log Analytics route does; none: default.
    // One the caller may not read is as unknown.
    const Workspace* database =
        ReadableWorkspace(request, kr.db.empty() ? s_.workspaces->default_workspace().id : kr.db);
    if (database == nullptr) {
        return KustoErrorResponse(KustoEntityNotFound("Database", kr.db, context), context);
    }
    logged.target = database->name;
    logged.workspace_id = database->id;

    const bool command = IsKustoCommand(kr.csl);
    const QueryTarget target = TargetOf(request, *database);
    if (endpoint == KustoEndpoint::kMgmt || endpoint == KustoEndpoint::kMgmtV2) {
        const bool v2 = endpoint == KustoEndpoint::kMgmtV2;
        if (!command) {
            return BadRequest(std::string(v2 ? "/v2/rest/mgmt" : "/v1/rest/mgmt") +
                                  " takes management commands, which start with '.'; "
                                  "send queries to /v2/rest/query or /v1/rest/query",
                              context);
        }
        KustoMgmtContext mc;
        mc.workspaces = s_.workspaces;
        mc.database = database;
        mc.tables = s_.tables;
        mc.workspace_queries = s_.workspace_queries;
        mc.resources = target.resources.get();
        if (s_.may_read) {
            mc.may_read = [this, &request](const Workspace& w) { return s_.may_read(request, w); };
        }
        auto table = RunKustoMgmt(kr.csl, mc, target.queries);
        if (!table.ok()) {
            const core::StatusCode code = table.status().code();
            if (code == core::StatusCode::kNotFound) {
                return KustoErrorResponse(KustoNotFound(table.status().message(), context),
                                          context);
            }
            if (code == core::StatusCode::kSyntaxError ||
                code == core::StatusCode::kSemanticError || code == core::StatusCode::kIOError ||
                code == core::StatusCode::kInternal || code == core::StatusCode::kUnavailable) {
                // A function body's errors, as a query's; a failed write as the store's.
                return KustoErrorResponse(
                    KustoFailureFor(table.status(), QueryFailure::kOther, context), context);
            }
            return BadRequest(table.status().message(), context);
        }
        if (v2) {
            // The same frames as a query's answer, with the command's table as PrimaryResult.
            core::QueryResult result;
            result.tables.push_back({"PrimaryResult", std::move(*table), false, ""});
            return KustoOk(KustoV2QueryAnswer(result, context, KustoAnswerOptions{}), context);
        }
        return KustoOk(
            WriteKustoV1({KustoTable{"PrimaryResult", "Table_0", std::move(*table), {}}}), context);
    }
    if (command) {
        return BadRequest(
            "management commands (starting with '.') go to /v1/rest/mgmt or /v2/rest/mgmt",
            context);
    }

    core::QueryRequest qr;
    qr.text = kr.csl;
    qr.now_ticks = kr.query_now_ticks.value_or(context.now_ticks);
    if (kr.server_timeout_seconds) qr.max_seconds = *kr.server_timeout_seconds;
    if (kr.truncation_max_records) qr.max_rows = std::min(qr.max_rows, *kr.truncation_max_records);
    qr.cancelled = request.client_gone;
    qr.resources = target.resources.get();
    const auto start = std::chrono::steady_clock::now();
    auto result = target.queries->Run(qr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.ok()) {
        const bool gone = request.client_gone && request.client_gone->load();
        const QueryFailure failure =
            ClassifyQueryFailure(result.status(), seconds, qr.max_seconds, gone);
        if (failure == QueryFailure::kCancelled) {
            std::fprintf(stderr, "calypso: Kusto query %s cancelled: the client (%s) went away\n",
                         context.client_request_id.c_str(), request.peer.c_str());
        }
        return KustoErrorResponse(KustoFailureFor(result.status(), failure, context), context);
    }
    logged.row_count = 0;
    for (const auto& t : result->tables)
        *logged.row_count += static_cast<int64_t>(t.data.num_rows());
    logged.scan_stats = result->scan_stats;
    KustoAnswerOptions options;
    options.placement = kr.placement;
    options.defer_partial_failures = kr.defer_partial_failures;
    options.max_rows = qr.max_rows;
    options.execution_seconds = seconds;
    options.progressive = kr.progressive;
    return KustoOk(endpoint == KustoEndpoint::kQueryV2
                       ? KustoV2QueryAnswer(*result, context, options)
                       : KustoV1QueryAnswer(*result, context, options),
                   context);
}

}  // namespace calypso::server
