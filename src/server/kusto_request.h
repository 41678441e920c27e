#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http.h"
#include "server/kusto_json.h"

namespace calypso::server {

// A Kusto REST request: POST {"db", "csl", "properties"} (or GET ?db=&csl=&properties=).
// `properties` is ClientRequestProperties, {"Options": {...}, "Parameters": {...}}, as an
// object or as JSON text in a string (the Python client sends text). These options are
// honoured; others are ignored, as Kusto ignores options it does not know:
//   servertimeout       "[d.]hh:mm:ss[.f]" (or Python's "1 day, 0:00:00"); capped at 1 h
//   norequesttimeout    true: the longest timeout (1 h)
//   truncationmaxrecords  lowers the row cap (never raises it past the server's)
//   deferpartialqueryfailures  partial failures only in the completion tables
//   results_error_reporting_placement  in_data | end_of_table | end_of_dataset
//   query_now           the datetime now() and ago() use
//   results_progressive_enabled  true: v2 result tables as progressive frames
struct KustoRequest {
    std::string db;  // "" when absent or null
    std::string csl;
    std::optional<double> server_timeout_seconds;
    std::optional<size_t> truncation_max_records;
    bool defer_partial_failures = false;
    KustoErrorPlacement placement = KustoErrorPlacement::kEndOfTable;
    std::optional<int64_t> query_now_ticks;
    bool progressive = false;
};

// InvalidArgument naming the field for a body that is not JSON, a missing `csl`, malformed
// properties or an option value of the wrong form.
core::Result<KustoRequest> ParseKustoRequest(const net::HttpRequest& request);

// Whether `csl` is a management command: its first character that is not blank or in a
// `//` comment is '.'.
bool IsKustoCommand(std::string_view csl);

}  // namespace calypso::server
