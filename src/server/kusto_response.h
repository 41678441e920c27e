#pragma once

#include <cstddef>
#include <string>

#include "core/query_service.h"
#include "server/kusto_errors.h"
#include "server/kusto_json.h"

namespace calypso::server {

// How a query answer is written, from the request's options.
struct KustoAnswerOptions {
    KustoErrorPlacement placement = KustoErrorPlacement::kEndOfTable;
    // `deferpartialqueryfailures`: partial failures go only to QueryCompletionInformation
    // (v1: QueryStatus) and DataSetCompletion, never into a table's Rows, so clients that
    // raise on error rows return the rows they got.
    bool defer_partial_failures = false;
    // The row cap the query ran with: a truncated table holds this many rows.
    size_t max_rows = 0;
    double execution_seconds = 0;
    // `results_progressive_enabled`: result tables as progressive frames (WriteKustoV2).
    bool progressive = false;
};

// The v2 answer to a query (what Kusto sends, non-progressive):
//   DataSetHeader
//   DataTable @ExtendedProperties (QueryProperties): TableId:int, Key:string, Value:dynamic;
//     one row per result table: [TableId, "Visualization", {"Visualization": render|null}]
//   DataTable per result table (PrimaryResult; a truncated one ends with an error row)
//   DataTable QueryCompletionInformation: a QueryInfo row, a QueryResourceConsumption row
//     (execution time and scan statistics) and one Error row (Level 2) per truncated table
//   DataSetCompletion {HasErrors, Cancelled, OneApiErrors}
std::string KustoV2QueryAnswer(const core::QueryResult& result, const KustoRequestContext& context,
                               const KustoAnswerOptions& options);

// The v1 answer to a query: the result tables, @ExtendedProperties (one string column
// Value), QueryStatus (Severity 4 Info, or 2 Error per truncated table), and a
// TableOfContents (Ordinal, Kind, Name, Id, PrettyName) naming the others as QueryResult,
// QueryProperties and QueryStatus.
std::string KustoV1QueryAnswer(const core::QueryResult& result, const KustoRequestContext& context,
                               const KustoAnswerOptions& options);

}  // namespace calypso::server
