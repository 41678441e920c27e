// Azure diagnostic logs ({"records":[...]}) to resource-log rows: each record is reshaped
// into a row object with the table's column names, then converted like Logs Ingestion rows.
#include <algorithm>
#include <cctype>
#include <map>

#include "ingest/logs_ingestion.h"
#include "ingest/tables.h"

namespace calypso::ingest {

namespace {

using core::Dynamic;

// Diagnostic-setting categories of Microsoft.MachineLearningServices/workspaces and their
// resource-specific tables (aml-monitor.md 4.1). The deprecated node-event category has
// its own table here, which tables.h keeps for old exports.
constexpr std::pair<std::string_view, std::string_view> kCategories[] = {
    {"AmlComputeClusterEvent", "AmlComputeClusterEvent"},
    {"AmlComputeClusterNodeEvent", "AmlComputeClusterNodeEvent"},
    {"AmlComputeCpuGpuUtilization", "AmlComputeCpuGpuUtilization"},
    {"AmlComputeJobEvent", "AmlComputeJobEvent"},
    {"AmlRunStatusChangedEvent", "AmlRunStatusChangedEvent"},
    {"ComputeInstanceEvent", "AmlComputeInstanceEvent"},
    {"DataLabelChangeEvent", "AmlDataLabelEvent"},
    {"DataLabelReadEvent", "AmlDataLabelEvent"},
    {"DataSetChangeEvent", "AmlDataSetEvent"},
    {"DataSetReadEvent", "AmlDataSetEvent"},
    {"DataStoreChangeEvent", "AmlDataStoreEvent"},
    {"DataStoreReadEvent", "AmlDataStoreEvent"},
    {"DeploymentEventACI", "AmlDeploymentEvent"},
    {"DeploymentEventAKS", "AmlDeploymentEvent"},
    {"DeploymentReadEvent", "AmlDeploymentEvent"},
    {"EnvironmentChangeEvent", "AmlEnvironmentEvent"},
    {"EnvironmentReadEvent", "AmlEnvironmentEvent"},
    {"InferencingOperationACI", "AmlInferencingEvent"},
    {"InferencingOperationAKS", "AmlInferencingEvent"},
    {"ModelsActionEvent", "AmlModelsEvent"},
    {"ModelsChangeEvent", "AmlModelsEvent"},
    {"ModelsReadEvent", "AmlModelsEvent"},
    {"PipelineChangeEvent", "AmlPipelineEvent"},
    {"PipelineReadEvent", "AmlPipelineEvent"},
    {"RunEvent", "AmlRunEvent"},
    {"RunReadEvent", "AmlRunEvent"},
    {"AmlOnlineEndpointConsoleLog", "AmlOnlineEndpointConsoleLog"},
    {"AmlOnlineEndpointTrafficLog", "AmlOnlineEndpointTrafficLog"},
    {"AmlOnlineEndpointEventLog", "AmlOnlineEndpointEventLog"},
};

std::string UpperFirst(std::string_view key) {
    std::string out(key);
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

// "/subscriptions/{id}/resourceGroups/..." -> id.
std::string SubscriptionOf(std::string_view resource_id) {
    constexpr std::string_view kPrefix = "/subscriptions/";
    if (resource_id.size() <= kPrefix.size()) return "";
    std::string lower(resource_id.substr(0, kPrefix.size()));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != kPrefix) return "";
    std::string_view rest = resource_id.substr(kPrefix.size());
    return std::string(rest.substr(0, rest.find('/')));
}

// The record reshaped into the table's columns; keys without a column are left out.
Dynamic ToRow(const Dynamic& record, const core::Schema& schema) {
    Dynamic::Object row;
    auto put = [&](const std::string& column, const Dynamic& value) {
        if (!schema.IndexOf(column)) return;
        for (auto& [k, v] : row) {
            if (k == column) {
                v = value;
                return;
            }
        }
        row.emplace_back(column, value);
    };
    for (const auto& [key, value] : record.as_object()) {
        if (key == "properties" || key == "category") continue;
        if (key == "time") {
            put("TimeGenerated", value);
        } else if (key == "resourceId") {
            put("_ResourceId", value);
            if (value.kind() == Dynamic::Kind::kString) {
                if (std::string sub = SubscriptionOf(value.as_string()); !sub.empty()) {
                    put("_SubscriptionId", Dynamic::String(sub));
                }
            }
        } else {
            put(UpperFirst(key), value);
        }
    }
    // properties win over top-level fields of the same name: they are the table's own.
    if (const Dynamic* props = record.Find("properties");
        props && props->kind() == Dynamic::Kind::kObject) {
        for (const auto& [key, value] : props->as_object()) put(UpperFirst(key), value);
    }
    return Dynamic::MakeObject(std::move(row));
}

}  // namespace

std::string_view TableForCategory(std::string_view category) {
    for (const auto& [name, table] : kCategories) {
        if (name == category) return table;
    }
    return "";
}

core::Result<RowsBatch> DecodeDiagnosticRecords(std::string_view body,
                                                const RowDefaults& defaults) {
    auto parsed = Dynamic::Parse(body);
    if (!parsed.ok()) {
        return core::Status::InvalidArgument("the body is not valid JSON: " +
                                             parsed.status().message());
    }
    const Dynamic* records =
        parsed->kind() == Dynamic::Kind::kObject ? parsed->Find("records") : nullptr;
    if (records == nullptr || records->kind() != Dynamic::Kind::kArray) {
        return core::Status::InvalidArgument(
            "the body must be a JSON object {\"records\": [...]} of Azure diagnostic log "
            "records");
    }
    RowsBatch out;
    out.rows_received = records->as_array().size();
    std::map<std::string_view, std::vector<InputRow>> by_table;
    for (size_t i = 0; i < records->as_array().size(); ++i) {
        const Dynamic& record = records->as_array()[i];
        if (record.kind() != Dynamic::Kind::kObject) {
            out.errors.push_back({i, "", "record is not a JSON object"});
            continue;
        }
        const Dynamic* category = record.Find("category");
        if (category == nullptr || category->kind() != Dynamic::Kind::kString) {
            out.errors.push_back({i, "category", "missing category (a string)"});
            continue;
        }
        const std::string_view table = TableForCategory(category->as_string());
        if (table.empty()) {
            out.errors.push_back({i, "category",
                                  "unknown category '" + category->as_string() +
                                      "': not an Azure Machine Learning diagnostic category"});
            continue;
        }
        const TableDef* def = FindBuiltinTable(table);
        if (def == nullptr) {
            out.errors.push_back({i, "category", "no table " + std::string(table)});
            continue;
        }
        by_table[table].push_back({i, ToRow(record, def->schema)});
    }
    for (const auto& [table, rows] : by_table) {
        const TableDef* def = FindBuiltinTable(table);
        RowsBatch part = RowsToBatch(def->name, def->schema, rows, defaults);
        for (auto& b : part.batches) out.batches.push_back(std::move(b));
        for (auto& e : part.errors) out.errors.push_back(std::move(e));
    }
    std::sort(out.errors.begin(), out.errors.end(),
              [](const RowError& a, const RowError& b) { return a.index < b.index; });
    return out;
}

}  // namespace calypso::ingest
