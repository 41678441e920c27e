#include "core/status.h"

namespace calypso::core {

std::string_view StatusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::kOk:
            return "OK";
        case StatusCode::kInvalidArgument:
            return "InvalidArgument";
        case StatusCode::kSyntaxError:
            return "SyntaxError";
        case StatusCode::kSemanticError:
            return "SemanticError";
        case StatusCode::kNotFound:
            return "NotFound";
        case StatusCode::kPermissionDenied:
            return "PermissionDenied";
        case StatusCode::kUnauthenticated:
            return "Unauthenticated";
        case StatusCode::kLimitExceeded:
            return "LimitExceeded";
        case StatusCode::kUnavailable:
            return "Unavailable";
        case StatusCode::kCorruption:
            return "Corruption";
        case StatusCode::kIOError:
            return "IOError";
        case StatusCode::kInternal:
            return "Internal";
    }
    return "Unknown";
}

std::string Status::ToString() const {
    if (ok()) return "OK";
    std::string s(StatusCodeName(code_));
    s += ": ";
    s += message_;
    if (pos_.line > 0) {
        s += " (at " + std::to_string(pos_.line) + ":" + std::to_string(pos_.column) + ")";
    }
    return s;
}

}  // namespace calypso::core
