#include "server/kusto_errors.h"

namespace calypso::server {

namespace {

constexpr std::string_view kBadRequest = "Request is invalid and cannot be executed.";

KustoError MakeError(std::string code, std::string_view message, std::string type,
                     std::string detail, bool permanent, const KustoRequestContext& context) {
    KustoError e;
    e.code = std::move(code);
    e.message = std::string(message);
    e.type = std::move(type);
    e.detail = std::move(detail);
    e.permanent = permanent;
    e.client_request_id = context.client_request_id;
    e.activity_id = context.activity_id;
    e.timestamp_ticks = context.now_ticks;
    return e;
}

// "<what> [line:position=2:7]", the way Kusto places a position in its messages.
std::string WithPosition(const core::Status& status) {
    std::string text = status.message();
    if (status.pos().line > 0) {
        text += " [line:position=" + std::to_string(status.pos().line) + ":" +
                std::to_string(status.pos().column) + "]";
    }
    return text;
}

}  // namespace

KustoFailure KustoFailureFor(const core::Status& status, QueryFailure failure,
                             const KustoRequestContext& context) {
    using core::StatusCode;
    if (failure == QueryFailure::kTimeout) {
        return {504, MakeError("RequestExecutionTimeout", "Request execution timed out.", "",
                               "Query execution has exceeded its time limit: " + status.message() +
                                   " (raise it with the servertimeout request option)",
                               false, context)};
    }
    if (failure == QueryFailure::kResourceLimit) {
        return {400, MakeError("LimitsExceeded", kBadRequest, "",
                               "Query execution has exceeded the allowed limits: " +
                                   status.message() + " (E_RUNAWAY_QUERY)",
                               true, context)};
    }
    switch (status.code()) {
        case StatusCode::kSyntaxError:
            return {400, MakeError("General_BadRequest", kBadRequest,
                                   "Kusto.Data.Exceptions.SyntaxException",
                                   "Syntax error: " + WithPosition(status), true, context)};
        case StatusCode::kSemanticError:
        case StatusCode::kNotFound:
            return {400, MakeError("General_BadRequest", kBadRequest,
                                   "Kusto.Data.Exceptions.SemanticException",
                                   "Semantic error: " + WithPosition(status), true, context)};
        case StatusCode::kInvalidArgument:
            return {400, MakeError("General_BadRequest", kBadRequest, "", status.message(), true,
                                   context)};
        case StatusCode::kUnauthenticated:
            return {401, MakeError("Unauthorized", "Client needs to authenticate first.", "",
                                   status.message(), true, context)};
        case StatusCode::kPermissionDenied:
            return {403, MakeError("Forbidden", "Client request is denied.", "", status.message(),
                                   true, context)};
        case StatusCode::kLimitExceeded:  // classified above; kept for completeness
        case StatusCode::kUnavailable:
            return {503, MakeError("ServiceUnavailable", "Service is unavailable.", "",
                                   status.message(), false, context)};
        case StatusCode::kOk:
        case StatusCode::kCorruption:
        case StatusCode::kIOError:
        case StatusCode::kInternal:
            break;
    }
    return {500, MakeError("InternalServiceError", "Service failed to execute the request.", "",
                           status.ToString(), false, context)};
}

KustoFailure KustoEntityNotFound(std::string_view kind, std::string_view name,
                                 const KustoRequestContext& context) {
    return KustoNotFound("Entity name '" + std::string(name) + "' of kind '" + std::string(kind) +
                             "' does not exist.",
                         context);
}

KustoFailure KustoNotFound(std::string text, const KustoRequestContext& context) {
    return {404, MakeError("NotFound", text,
                           "Kusto.Common.Svc.Exceptions.EntityNameDoesNotExistException", text,
                           true, context)};
}

KustoError KustoTruncationError(size_t max_rows, const KustoRequestContext& context) {
    const std::string n = std::to_string(max_rows);
    return MakeError("LimitsExceeded", kBadRequest,
                     "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException",
                     "Query execution has exceeded the allowed limits (80DA0003): the results of "
                     "this query exceed the set limit of " +
                         n + " records, so only the first " + n +
                         " were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003). Reduce the "
                         "result with take, summarize or project.",
                     false, context);
}

void AddKustoHeaders(net::HttpResponse& response, const KustoRequestContext& context) {
    response.headers.emplace_back("x-ms-client-request-id", context.client_request_id);
    response.headers.emplace_back("x-ms-activity-id", context.activity_id);
}

net::HttpResponse KustoErrorResponse(const KustoFailure& failure,
                                     const KustoRequestContext& context) {
    net::HttpResponse r;
    r.status = failure.http;
    r.body = KustoErrorBody(failure.error);
    AddKustoHeaders(r, context);
    if (failure.http == 503) r.headers.emplace_back("Retry-After", "5");
    return r;
}

}  // namespace calypso::server
