#include "server/query_limits.h"

#include <cctype>
#include <charconv>

#include "server/errors.h"

namespace calypso::server {

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

}  // namespace

std::optional<double> PreferredWaitSeconds(std::string_view prefer) {
    while (!prefer.empty()) {
        const size_t comma = prefer.find(',');
        std::string_view item = Trim(prefer.substr(0, comma));
        prefer = comma == std::string_view::npos ? std::string_view() : prefer.substr(comma + 1);
        constexpr std::string_view kWait = "wait=";
        if (!StartsWithIgnoreCase(item, kWait)) continue;
        std::string_view number = Trim(item.substr(kWait.size()));
        double seconds = 0;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), seconds);
        if (ec != std::errc() || end != number.data() + number.size() || !(seconds > 0)) {
            return std::nullopt;
        }
        return seconds;
    }
    return std::nullopt;
}

QueryFailure ClassifyQueryFailure(const core::Status& status, double elapsed_seconds,
                                  double max_seconds, bool cancel_requested) {
    switch (status.code()) {
        case core::StatusCode::kLimitExceeded:
            return max_seconds > 0 && elapsed_seconds >= max_seconds ? QueryFailure::kTimeout
                                                                     : QueryFailure::kResourceLimit;
        case core::StatusCode::kUnavailable:
            return cancel_requested ? QueryFailure::kCancelled : QueryFailure::kOther;
        default:
            return QueryFailure::kOther;
    }
}

net::HttpResponse LogAnalyticsQueryError(const core::Status& status, QueryFailure failure) {
    switch (failure) {
        case QueryFailure::kTimeout:
            return ErrorResponse(status, 504, "GatewayTimeout");
        case QueryFailure::kResourceLimit:
            return ErrorResponse(status, 400, "BadArgumentError");
        case QueryFailure::kCancelled:
        case QueryFailure::kOther:
            break;
    }
    return ErrorResponse(status);
}

}  // namespace calypso::server
