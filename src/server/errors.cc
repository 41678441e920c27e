#include "server/errors.h"

#include "core/dynamic.h"

namespace calypso::server {

using core::StatusCode;

int HttpStatusFor(StatusCode code) {
    switch (code) {
        case StatusCode::kOk:
            return 200;
        case StatusCode::kInvalidArgument:
        case StatusCode::kSyntaxError:
        case StatusCode::kSemanticError:
            return 400;
        case StatusCode::kNotFound:
            return 404;
        case StatusCode::kUnauthenticated:
            return 401;
        case StatusCode::kPermissionDenied:
            return 403;
        case StatusCode::kLimitExceeded:
            return 429;
        case StatusCode::kUnavailable:
            return 503;
        case StatusCode::kCorruption:
        case StatusCode::kIOError:
        case StatusCode::kInternal:
            return 500;
    }
    return 500;
}

net::HttpResponse ErrorResponse(const core::Status& status) {
    const int http = HttpStatusFor(status.code());
    std::string_view outer_code = http == 400   ? "BadArgumentError"
                                  : http == 404 ? "PathNotFoundError"
                                  : http == 503 ? "ServiceUnavailableError"
                                  : http == 429 ? "ThrottledError"
                                                : "InternalServerError";
    return ErrorResponse(status, http, outer_code);
}

net::HttpResponse ErrorResponse(const core::Status& status, int http, std::string_view outer_code) {
    std::string body = "{\"error\":{\"code\":";
    core::AppendJsonString(body, outer_code);
    body += ",\"message\":";
    core::AppendJsonString(body, status.message());
    body += ",\"innererror\":{\"code\":";
    core::AppendJsonString(body, std::string(core::StatusCodeName(status.code())));
    body += ",\"message\":";
    core::AppendJsonString(body, status.ToString());
    if (status.pos().line > 0) {
        body += ",\"line\":" + std::to_string(status.pos().line) +
                ",\"column\":" + std::to_string(status.pos().column) +
                ",\"pos\":" + std::to_string(status.pos().column);
    }
    body += "}}}";
    net::HttpResponse r;
    r.status = http;
    r.body = std::move(body);
    if (http == 503 || http == 429) r.headers.emplace_back("Retry-After", "5");
    return r;
}

}  // namespace calypso::server
