#include "server/kusto_response.h"

#include <algorithm>
#include <vector>

#include "core/dynamic.h"
#include "server/workspaces.h"

namespace calypso::server {

namespace {

using core::Type;
using core::Value;

constexpr int64_t kLevelError = 2;
constexpr int64_t kLevelInfo = 4;

core::Schema MakeSchema(std::initializer_list<std::pair<const char*, Type>> fields) {
    core::Schema schema;
    for (const auto& [name, type] : fields) schema.fields.push_back({name, type});
    return schema;
}

std::vector<KustoError> PartialFailures(const core::QueryResult& result,
                                        const KustoRequestContext& context, size_t max_rows) {
    std::vector<KustoError> errors;
    for (const auto& table : result.tables) {
        if (table.truncated) errors.push_back(KustoTruncationError(max_rows, context));
    }
    return errors;
}

// The result tables; a truncated table carries its error in its Rows unless deferred.
void AddResultTables(std::vector<KustoTable>& out, const core::QueryResult& result,
                     const KustoRequestContext& context, const KustoAnswerOptions& options) {
    for (const auto& table : result.tables) {
        KustoTable t{"PrimaryResult", table.name, table.data, {}};
        if (table.truncated && !options.defer_partial_failures) {
            t.row_errors.push_back(KustoTruncationError(options.max_rows, context));
        }
        out.push_back(std::move(t));
    }
}

core::Dynamic Visualization(const core::ResultTable& table) {
    return core::Dynamic::MakeObject(
        {{"Visualization",
          table.render.empty() ? core::Dynamic() : core::Dynamic::String(table.render)}});
}

std::string StatisticsPayload(const core::QueryResult& result, double seconds) {
    const core::ScanStats& s = result.scan_stats;
    std::string out = "{\"ExecutionTime\":";
    core::AppendJsonDouble(out, seconds);
    out += ",\"input_dataset_statistics\":{\"extents\":{\"total\":" + std::to_string(s.segments) +
           ",\"scanned\":" + std::to_string(s.segments - std::min(s.segments, s.segments_skipped)) +
           "},\"rows\":{\"scanned\":" + std::to_string(s.rows) +
           "}},\"scan\":{\"blocks\":" + std::to_string(s.blocks) +
           ",\"blocksSkipped\":" + std::to_string(s.blocks_skipped) +
           ",\"bytesRead\":" + std::to_string(s.bytes_read) +
           ",\"bytesCached\":" + std::to_string(s.bytes_cached) + "}}";
    return out;
}

KustoTable CompletionInformation(const core::QueryResult& result,
                                 const KustoRequestContext& context,
                                 const KustoAnswerOptions& options,
                                 const std::vector<KustoError>& errors) {
    KustoTable t{"QueryCompletionInformation",
                 "QueryCompletionInformation",
                 core::Batch::Empty(MakeSchema({{"Timestamp", Type::kDatetime},
                                                {"ClientRequestId", Type::kString},
                                                {"ActivityId", Type::kGuid},
                                                {"SubActivityId", Type::kGuid},
                                                {"ParentActivityId", Type::kGuid},
                                                {"Level", Type::kInt},
                                                {"LevelName", Type::kString},
                                                {"StatusCode", Type::kInt},
                                                {"StatusCodeName", Type::kString},
                                                {"EventType", Type::kInt},
                                                {"EventTypeName", Type::kString},
                                                {"Payload", Type::kString}})),
                 {}};
    const std::string sub_activity = NewGuid();
    auto row = [&](int64_t level, int64_t status_code, std::string status_name, int64_t event_type,
                   std::string event_name, std::string payload) {
        AppendKustoRow(
            t.data,
            {Value::Datetime(context.now_ticks), Value::String(context.client_request_id),
             Value::Guid(context.activity_id), Value::Guid(sub_activity),
             Value::Guid(context.activity_id), Value::Int(level),
             Value::String(level == kLevelError ? "Error" : "Info"), Value::Int(status_code),
             Value::String(std::move(status_name)), Value::Int(event_type),
             Value::String(std::move(event_name)), Value::String(std::move(payload))});
    };
    row(kLevelInfo, 0, "S_OK (0)", 4, "QueryInfo",
        errors.empty() ? R"({"Count":1,"Text":"Query completed successfully"})"
                       : R"({"Count":1,"Text":"Query completed with partial failures"})");
    row(kLevelInfo, 0, "S_OK (0)", 5, "QueryResourceConsumption",
        StatisticsPayload(result, options.execution_seconds));
    for (const KustoError& e : errors) {
        std::string payload;
        AppendKustoError(payload, e);
        row(kLevelError, kKustoResultSetTooLarge, "E_QUERY_RESULT_SET_TOO_LARGE (0x80DA0003)", 4,
            "QueryInfo", std::move(payload));
    }
    return t;
}

}  // namespace

std::string KustoV2QueryAnswer(const core::QueryResult& result, const KustoRequestContext& context,
                               const KustoAnswerOptions& options) {
    std::vector<KustoTable> tables;
    KustoTable props{
        "QueryProperties",
        "@ExtendedProperties",
        core::Batch::Empty(MakeSchema(
            {{"TableId", Type::kInt}, {"Key", Type::kString}, {"Value", Type::kDynamic}})),
        {}};
    for (size_t i = 0; i < result.tables.size(); ++i) {
        // Result tables follow @ExtendedProperties, so the first one is TableId 1.
        AppendKustoRow(props.data,
                       {Value::Int(static_cast<int64_t>(i + 1)), Value::String("Visualization"),
                        Value::FromDynamic(Visualization(result.tables[i]))});
    }
    tables.push_back(std::move(props));
    AddResultTables(tables, result, context, options);
    const std::vector<KustoError> errors = PartialFailures(result, context, options.max_rows);
    tables.push_back(CompletionInformation(result, context, options, errors));
    return WriteKustoV2(tables, options.placement, errors, options.progressive);
}

std::string KustoV1QueryAnswer(const core::QueryResult& result, const KustoRequestContext& context,
                               const KustoAnswerOptions& options) {
    std::vector<KustoTable> tables;
    AddResultTables(tables, result, context, options);
    const size_t results = tables.size();

    KustoTable props{"QueryProperties",
                     "@ExtendedProperties",
                     core::Batch::Empty(MakeSchema({{"Value", Type::kString}})),
                     {}};
    for (const auto& table : result.tables) {
        AppendKustoRow(props.data, {Value::String(Visualization(table).ToJson())});
    }
    tables.push_back(std::move(props));

    KustoTable status{"QueryCompletionInformation",
                      "QueryStatus",
                      core::Batch::Empty(MakeSchema({{"Timestamp", Type::kDatetime},
                                                     {"Severity", Type::kInt},
                                                     {"SeverityName", Type::kString},
                                                     {"StatusCode", Type::kInt},
                                                     {"StatusDescription", Type::kString},
                                                     {"Count", Type::kInt},
                                                     {"RequestId", Type::kGuid},
                                                     {"ActivityId", Type::kGuid},
                                                     {"SubActivityId", Type::kGuid},
                                                     {"ClientActivityId", Type::kString}})),
                      {}};
    const std::string sub_activity = NewGuid();
    auto status_row = [&](int64_t severity, int64_t code, std::string description) {
        AppendKustoRow(status.data,
                       {Value::Datetime(context.now_ticks), Value::Int(severity),
                        Value::String(severity == kLevelError ? "Error" : "Info"), Value::Int(code),
                        Value::String(std::move(description)), Value::Int(1),
                        Value::Guid(context.activity_id), Value::Guid(context.activity_id),
                        Value::Guid(sub_activity), Value::String(context.client_request_id)});
    };
    const std::vector<KustoError> errors = PartialFailures(result, context, options.max_rows);
    status_row(
        kLevelInfo, 0,
        errors.empty() ? "Query completed successfully" : "Query completed with partial failures");
    for (const KustoError& e : errors) status_row(kLevelError, kKustoResultSetTooLarge, e.detail);
    tables.push_back(std::move(status));

    KustoTable toc{"TableOfContents",
                   "TableOfContents",
                   core::Batch::Empty(MakeSchema({{"Ordinal", Type::kLong},
                                                  {"Kind", Type::kString},
                                                  {"Name", Type::kString},
                                                  {"Id", Type::kString},
                                                  {"PrettyName", Type::kString}})),
                   {}};
    for (size_t i = 0; i < tables.size(); ++i) {
        const char* kind = i < results                       ? "QueryResult"
                           : tables[i].name == "QueryStatus" ? "QueryStatus"
                                                             : "QueryProperties";
        AppendKustoRow(
            toc.data, {Value::Long(static_cast<int64_t>(i)), Value::String(kind),
                       Value::String(tables[i].name), Value::String(NewGuid()), Value::String("")});
    }
    tables.push_back(std::move(toc));
    return WriteKustoV1(tables);
}

}  // namespace calypso::server
