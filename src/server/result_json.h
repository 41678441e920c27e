#pragma once

#include <string>
#include <string_view>

#include "core/query_service.h"

namespace calypso::server {

// The Log Analytics / Application Insights query API answer:
// {"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[[...]]}]}.
// datetime as ISO 8601, timespan as [d.]hh:mm:ss[.fffffff], dynamic as JSON text in a
// string (as Log Analytics sends it), null as null, NaN/Infinity as strings.
// A table cut at the row cap has "truncated":true, and the answer then carries Log
// Analytics' partial-failure "error" {"code":"PartialError","details":[{"code":
// "EngineError","innererror":{"code":"-2133196797",... E_QUERY_RESULT_SET_TOO_LARGE}}]}.
// With `statistics`, the answer also has what Log Analytics sends for
// `Prefer: include-statistics=true`:
// "statistics":{"query":{"executionTime":seconds,"inputDatasetStatistics":{"extents":
// {"total","scanned"},"rows":{"scanned"}},"scan":{every field of core::ScanStats}}}.
struct QueryStatistics {
    double execution_seconds = 0;
};
std::string ToLogAnalyticsJson(const core::QueryResult& result,
                               const QueryStatistics* statistics = nullptr);

// Whether a `Prefer` header asks for statistics: "include-statistics=true" among its
// comma-separated preferences (case-insensitive).
bool PrefersStatistics(std::string_view prefer);

}  // namespace calypso::server
