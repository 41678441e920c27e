#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http.h"
#include "server/kusto_json.h"
#include "server/query_limits.h"

namespace calypso::server {

// Who asked and which activity answers: echoed in the x-ms-client-request-id and
// x-ms-activity-id headers, every error's @context and QueryCompletionInformation.
struct KustoRequestContext {
    std::string client_request_id;
    std::string activity_id;
    int64_t now_ticks = 0;
};

// Kusto's errors for a Status, as Kusto answers them:
//   SyntaxError     400 General_BadRequest, @type ...SyntaxException, @message
//                   "Syntax error: <what> [line:position=L:C]"
//   SemanticError,  400 General_BadRequest, @type ...SemanticException (an unknown table is
//   NotFound        a semantic error in a query, as in Kusto)
//   InvalidArgument 400 General_BadRequest
//   timeout         504 RequestExecutionTimeout (not permanent)
//   budgets         400 LimitsExceeded (E_RUNAWAY_QUERY)
//   cancelled, Unavailable  503 ServiceUnavailable (not permanent, Retry-After)
//   others          500 InternalServiceError
struct KustoFailure {
    int http = 500;
    KustoError error;
};
KustoFailure KustoFailureFor(const core::Status& status, QueryFailure failure,
                             const KustoRequestContext& context);

// 404 NotFound "Entity name '<db>' of kind 'Database' does not exist." (likewise 'Table'),
// or with the whole `text` given.
KustoFailure KustoEntityNotFound(std::string_view kind, std::string_view name,
                                 const KustoRequestContext& context);
KustoFailure KustoNotFound(std::string text, const KustoRequestContext& context);

// The partial failure of a table cut at `max_rows` rows (E_QUERY_RESULT_SET_TOO_LARGE).
KustoError KustoTruncationError(size_t max_rows, const KustoRequestContext& context);
// Kusto's status code of that failure (0x80DA0003 as a signed 32-bit number).
inline constexpr int64_t kKustoResultSetTooLarge = -2133196797;

// An HTTP response carrying a Kusto error body and the request's id headers.
net::HttpResponse KustoErrorResponse(const KustoFailure& failure,
                                     const KustoRequestContext& context);
// Adds x-ms-client-request-id and x-ms-activity-id.
void AddKustoHeaders(net::HttpResponse& response, const KustoRequestContext& context);

}  // namespace calypso::server
