#pragma once

#include <string>

namespace calypso::app {

struct QueryCommandOptions {
    std::string url = "http://127.0.0.1:8080";
    std::string workspace = "default";
    std::string format = "table";  // table | json | csv
    std::string timespan;          // ISO 8601, optional
    std::string query;
};

// `calypso query`: sends the KQL to a running server and prints the result to stdout.
// Returns 0 on success, 1 on a query error (printed with its line:column), 2 when the
// server cannot be reached.
int RunQuery(const QueryCommandOptions& options);

}  // namespace calypso::app
