#pragma once

#include <string>

namespace calypso::app {

struct QueryCommandOptions {
    std::string url = "http://127.0.0.1:8080";
    std::string workspace = "default";
    std::string format = "table";  // table | json | csv
    std::string timespan;          // ISO 8601, optional
    std::string query;
    bool explain = false;  // print the optimized plan instead of running the query
    bool stats = false;    // ask for and print scan statistics after the result
};

// `calypso query`: sends the KQL to a running server and prints the result to stdout.
// With `explain`, prints the server's optimized plan instead (nothing is read). With
// `stats`, prints the scan statistics after the result (to stderr for csv, so the CSV stays
// clean; json output carries them in its "statistics" object).
// Returns 0 on success, 1 on a query error (printed with its line:column), 2 when the
// server cannot be reached.
int RunQuery(const QueryCommandOptions& options);

}  // namespace calypso::app
