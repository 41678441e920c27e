#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"

namespace calypso::server {

// The Kusto (Azure Data Explorer) REST wire format: column types, cell encodings, error
// objects and the v1 and v2 response bodies. Pure functions of their input; thread-safe.
//
// Cells: bool, int, long and real as JSON booleans and numbers (real NaN and infinities as
// the strings "NaN", "Infinity", "-Infinity", as Kusto writes them); string and guid as
// strings; decimal as a string; datetime as ISO 8601 UTC with exactly 7 fraction digits
// ("2024-05-01T12:34:56.1234567Z"); timespan as .NET's "c" format "[-][d.]hh:mm:ss[.fffffff]";
// dynamic as a real JSON value (not JSON text in a string, unlike Log Analytics); null
// as null (strings are never null in KQL: "").

// The v2 `ColumnType` and v1 `ColumnType` of a column: "long", "datetime", "dynamic", ...
std::string_view KustoColumnType(core::Type type);
// The v1 `DataType`, .NET's type name: "Int64", "DateTime", "Object", ...
std::string_view KustoDataType(core::Type type);
// The `Type` of `.show table T schema as json`: "System.Int64", "System.SByte" (bool), ...
std::string_view KustoClrType(core::Type type);
// "2024-05-01T12:34:56.0000000Z": always 7 fraction digits.
std::string FormatKustoDatetime(int64_t ticks);
// Appends row `row` of `column` as one JSON value.
void AppendKustoCell(std::string& out, const core::Column& column, size_t row);

// A OneApiError: the `error` object of an error response, of an error row inside a
// table's Rows and of DataSetCompletion's OneApiErrors. Clients show `detail`
// ("@message"); `message` is Kusto's short, generic sentence.
struct KustoError {
    std::string code;     // "General_BadRequest", "LimitsExceeded", ...
    std::string message;  // "Request is invalid and cannot be executed."
    std::string type;     // "@type", e.g. "Kusto.Data.Exceptions.SyntaxException"; may be empty
    std::string detail;   // "@message"
    bool permanent = true;
    // "@context": who asked and which activity answered.
    std::string client_request_id;
    std::string activity_id;
    int64_t timestamp_ticks = 0;
};
// {"code":...,"message":...,"@type":...,"@message":...,"@context":{...},"@permanent":...}
void AppendKustoError(std::string& out, const KustoError& error);
// The body of an HTTP error answer: {"error":{...}}.
std::string KustoErrorBody(const KustoError& error);

// One table of an answer. `kind` is the v2 TableKind (PrimaryResult, QueryProperties,
// QueryCompletionInformation, TableOfContents — the only kinds the Python client knows);
// v1 ignores it. `row_errors` are written after the rows as {"OneApiErrors":[...]} objects,
// which is how Kusto reports a partial failure inside a table.
struct KustoTable {
    std::string kind;
    std::string name;
    core::Batch data;
    std::vector<KustoError> row_errors;
};

// Appends one row of values to a small table built by hand (management commands,
// QueryCompletionInformation). REQUIRES one value per column, of the column's physical
// class or null.
void AppendKustoRow(core::Batch& batch, const std::vector<core::Value>& row);

// Where a v2 answer puts partial failures (DataSetHeader.ErrorReportingPlacement). In a
// non-progressive answer "InData" and "EndOfTable" both mean: in the Rows of the table
// concerned (progressive: see WriteKustoV2); "EndOfDataSet": only in DataSetCompletion.
enum class KustoErrorPlacement { kInData, kEndOfTable, kEndOfDataSet };

// The v2 body: a JSON array of frames — DataSetHeader, one DataTable frame per table
// (TableId = its index), then DataSetCompletion {HasErrors, Cancelled[, OneApiErrors]}.
// Row errors are written only for kInData/kEndOfTable; `errors` go to DataSetCompletion.
// `progressive` (the request's results_progressive_enabled): IsProgressive and IsFragmented
// are true and each PrimaryResult table is a TableHeader, TableFragment frames
// (TableFragmentType DataAppend, FieldCount, at most kKustoRowsPerFragment rows each; none
// for an empty table) and a TableCompletion {TableId, RowCount[, OneApiErrors]}; row errors
// go into the last fragment's Rows (kInData) or TableCompletion (kEndOfTable). The other
// tables stay DataTable frames, as Kusto sends them. No TableProgress frames: the answer is
// complete before it is written.
inline constexpr size_t kKustoRowsPerFragment = 1000;
std::string WriteKustoV2(const std::vector<KustoTable>& tables, KustoErrorPlacement placement,
                         const std::vector<KustoError>& errors, bool progressive = false);

// The v1 body: {"Tables":[{"TableName","Columns":[{"ColumnName","DataType","ColumnType"}],
// "Rows"}]}; tables are named Table_0, Table_1, ... as Kusto names them in v1.
std::string WriteKustoV1(const std::vector<KustoTable>& tables);

}  // namespace calypso::server
