#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic.h"
#include "core/row_sink.h"
#include "core/schema.h"
#include "core/status.h"

namespace calypso::ingest {

// The Logs Ingestion API (`POST /dataCollectionRules/{id}/streams/{stream}`, a JSON array
// of row objects) and Azure diagnostic logs (`{"records":[...]}`), into Log Analytics
// tables. Pure functions; thread-safe.

// A row of the request: its 0-based position and its JSON value.
struct InputRow {
    size_t index = 0;
    core::Dynamic value;
};

// A rejected row: position, the field at fault ("" for the row as a whole) and why.
struct RowError {
    size_t index = 0;
    std::string field;
    std::string message;
};

struct RowsBatch {
    size_t rows_received = 0;
    std::vector<core::TableBatch> batches;  // one per table, schema = the table's
    std::vector<RowError> errors;           // sorted by index
};

// What a stream names. "Custom-Name_CL" -> custom table Name_CL (created at first use);
// "Custom-<T>" or "Microsoft-<T>" with T one of the built-in resource-log tables
// (AmlComputeJobEvent, ...) -> T. InvalidArgument for a malformed custom table name,
// NotFound for anything else.
struct StreamTarget {
    std::string table;
    bool custom = false;
};
core::Result<StreamTarget> ResolveStream(std::string_view stream);

// The body must be a JSON array (of objects; other elements become row errors later).
// InvalidArgument, naming the byte offset, otherwise.
core::Result<std::vector<InputRow>> ParseRowArray(std::string_view body);

// The schema a new custom table takes from its first rows: TimeGenerated:datetime, then
// every other valid column name in order of first appearance, typed by its first non-null
// value: string, long (integers), real, bool, dynamic (objects and arrays), and datetime
// for ISO 8601 strings in a column whose name ends in "Time", "time", "Timestamp",
// "timestamp" or "Date" (the name TimeGenerated included). At most kMaxCustomColumns.
inline constexpr size_t kMaxCustomColumns = 500;
core::Schema InferCustomSchema(const std::vector<InputRow>& rows);

// Values the server fills in: TenantId (the workspace id), Type (the table name),
// TimeGenerated when a row has none, SourceSystem when absent.
struct RowDefaults {
    std::string tenant_id;
    int64_t now_ticks = 0;
    std::string source_system = "RestAPI";
};

// Converts rows to one batch of `schema`. A row is stored whole or not at all: a row that
// is not an object, has a column the table lacks, or a value that does not convert to its
// column's type becomes a RowError naming the field. Conversions: anything to dynamic;
// strings, numbers and bools to string (as their JSON text); integers to long/int (int
// range checked), numbers to real; true/false to bool; ISO 8601 strings to datetime;
// .NET or ISO 8601 duration strings to timespan; null to null.
RowsBatch RowsToBatch(const std::string& table, const core::Schema& schema,
                      const std::vector<InputRow>& rows, const RowDefaults& defaults);

// The resource-log table of a diagnostic-setting category (AmlComputeJobEvent ->
// AmlComputeJobEvent, ComputeInstanceEvent -> AmlComputeInstanceEvent, RunReadEvent ->
// AmlRunEvent, ...); "" when unknown.
std::string_view TableForCategory(std::string_view category);

// Decodes `{"records":[{"time","resourceId","category","operationName","properties":{...},
// ...}]}` (Azure diagnostic logs as Event Hubs and storage exports carry them): each
// record goes to its category's table; time -> TimeGenerated, resourceId -> _ResourceId
// (and _SubscriptionId from it), operationName -> OperationName, other top-level fields
// and the keys of `properties` to the table's column of that name with the first letter
// upper-cased (level -> Level). Keys the table has no column for are left out, as Azure
// does. A record with a missing or unknown category, a bad time or an unconvertible value
// is a RowError; InvalidArgument when the body is not that shape at all.
core::Result<RowsBatch> DecodeDiagnosticRecords(std::string_view body, const RowDefaults& defaults);

}  // namespace calypso::ingest
