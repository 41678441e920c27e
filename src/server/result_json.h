#pragma once

#include <string>

#include "core/query_service.h"

namespace calypso::server {

// The Log Analytics / Application Insights query API answer:
// {"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[[...]]}]}.
// datetime as ISO 8601, timespan as [d.]hh:mm:ss[.fffffff], dynamic as JSON text in a
// string (as Log Analytics sends it), null as null, NaN/Infinity as strings.
std::string ToLogAnalyticsJson(const core::QueryResult& result);

}  // namespace calypso::server
