#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http.h"

namespace calypso::server {

// The HTTP status for a Status code: InvalidArgument/SyntaxError/SemanticError 400,
// NotFound 404, Unauthenticated 401, PermissionDenied 403, LimitExceeded 429 (with Retry-After),
// Unavailable 503, everything else 500.
int HttpStatusFor(core::StatusCode code);

// A JSON error response in the Log Analytics shape:
// {"error":{"code","message","innererror":{"code","message","line","column","pos"}}}.
net::HttpResponse ErrorResponse(const core::Status& status);
// The same shape with a chosen HTTP status and outer code (query limits, see query_limits.h).
net::HttpResponse ErrorResponse(const core::Status& status, int http, std::string_view outer_code);

}  // namespace calypso::server
