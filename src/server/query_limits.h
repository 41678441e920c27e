#pragma once

#include <optional>
#include <string_view>

#include "core/status.h"
#include "net/http.h"

namespace calypso::server {

// Query governance shared by the Log Analytics and Kusto routes: what a client may ask
// for, and what a query that ran into a limit answers.
//
// Limits an answer may hit, and how each API reports them:
//   row cap (core::QueryRequest::max_rows)  partial success: 200 with the first rows and an
//                                           error (LA: "error" PartialError; Kusto: an error
//                                           row, QueryCompletionInformation, DataSetCompletion)
//   time limit (max_seconds)                504, as Log Analytics and Kusto answer timeouts
//   memory budget, rows of range/make-series 400: the same query fails the same way again,
//                                           so it is not 429 (clients retry 429 blindly)
//   cancelled (client went away)            503; nobody reads it

// Longest time a client may ask for: Log Analytics' `Prefer: wait` allows 10 minutes,
// Kusto's `servertimeout` one hour.
inline constexpr double kMaxLogAnalyticsWaitSeconds = 600;
inline constexpr double kMaxKustoServerTimeoutSeconds = 3600;

// The seconds of a `wait=N` preference in a Prefer header ("wait=30, include-statistics=true");
// nullopt when absent or not a positive number.
std::optional<double> PreferredWaitSeconds(std::string_view prefer);

enum class QueryFailure {
    kTimeout,        // ran past its time limit
    kResourceLimit,  // memory budget, or a range/make-series too large
    kCancelled,      // the cancel flag was set (the client disconnected)
    kOther,          // syntax, semantics, storage, ...
};

// What a failed query ran into. The engine answers LimitExceeded for the time limit and
// for budgets alike; it was the time limit when the query used up its time. Unavailable
// is a cancellation when the cancel flag was set (`cancel_requested`).
QueryFailure ClassifyQueryFailure(const core::Status& status, double elapsed_seconds,
                                  double max_seconds, bool cancel_requested);

// The Log Analytics answer for a failed query: 504 GatewayTimeout for timeouts, 400 for
// budgets (innererror code LimitExceeded), otherwise ErrorResponse's mapping.
net::HttpResponse LogAnalyticsQueryError(const core::Status& status, QueryFailure failure);

}  // namespace calypso::server
