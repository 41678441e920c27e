// Rows of the Logs Ingestion API: stream names, schema inference for custom tables and the
// per-row conversion shared with diagnostic logs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/time.h"
#include "core/value.h"
#include "ingest/logs_ingestion.h"
#include "ingest/tables.h"

namespace calypso::ingest {

namespace {

using core::Dynamic;
using core::Type;
using core::Value;

constexpr std::string_view kTimeGenerated = "TimeGenerated";

bool IsColumnName(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    const char first = name[0];
    if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') || first == '_')) {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

bool LooksLikeTimeColumn(std::string_view name) {
    for (std::string_view suffix : {"Time", "time", "Timestamp", "timestamp", "Date"}) {
        if (name.ends_with(suffix)) return true;
    }
    return false;
}

// Resource-log tables are the built-in tables with Log Analytics' standard columns.
bool IsResourceLogTable(const TableDef& def) {
    return def.time_column == kTimeGenerated && def.schema.IndexOf("TenantId").has_value();
}

std::string_view KindName(Dynamic::Kind kind) {
    switch (kind) {
        case Dynamic::Kind::kNull:
            return "null";
        case Dynamic::Kind::kBool:
            return "bool";
        case Dynamic::Kind::kLong:
            return "integer";
        case Dynamic::Kind::kReal:
            return "real";
        case Dynamic::Kind::kString:
            return "string";
        case Dynamic::Kind::kArray:
            return "array";
        case Dynamic::Kind::kObject:
            return "object";
    }
    return "value";
}

Type InferType(std::string_view name, const Dynamic& v) {
    switch (v.kind()) {
        case Dynamic::Kind::kBool:
            return Type::kBool;
        case Dynamic::Kind::kLong:
            return Type::kLong;
        case Dynamic::Kind::kReal:
            return Type::kReal;
        case Dynamic::Kind::kArray:
        case Dynamic::Kind::kObject:
            return Type::kDynamic;
        case Dynamic::Kind::kString:
            if (LooksLikeTimeColumn(name) && core::ParseDatetime(v.as_string()).ok()) {
                return Type::kDatetime;
            }
            return Type::kString;
        case Dynamic::Kind::kNull:
            break;
    }
    return Type::kString;
}

// Converts one JSON value to a column's type; the error text when it does not fit.
std::optional<std::string> Convert(const Dynamic& v, Type type, Value* out) {
    const Dynamic::Kind kind = v.kind();
    if (kind == Dynamic::Kind::kNull) {
        *out = Value::Null(type);
        return std::nullopt;
    }
    auto mismatch = [&] {
        return "expected " + std::string(core::TypeName(type)) + ", got " +
               std::string(KindName(kind)) +
               (kind == Dynamic::Kind::kString ? " '" + v.as_string().substr(0, 64) + "'" : "");
    };
    const bool scalar = kind != Dynamic::Kind::kArray && kind != Dynamic::Kind::kObject;
    switch (type) {
        case Type::kDynamic:
            *out = Value::FromDynamic(v);
            return std::nullopt;
        case Type::kString:
            if (!scalar) return mismatch() + " (objects and arrays go only into dynamic columns)";
            *out = Value::String(v.ToText());
            return std::nullopt;
        case Type::kGuid:
            if (kind != Dynamic::Kind::kString) return mismatch();
            *out = Value::Guid(v.as_string());
            return std::nullopt;
        case Type::kBool:
            if (kind != Dynamic::Kind::kBool) return mismatch();
            *out = Value::Bool(v.as_bool());
            return std::nullopt;
        case Type::kInt:
        case Type::kLong: {
            int64_t n = 0;
            if (kind == Dynamic::Kind::kLong) {
                n = v.as_long();
            } else if (kind == Dynamic::Kind::kReal && std::trunc(v.as_real()) == v.as_real() &&
                       std::fabs(v.as_real()) < 9.2e18) {
                n = static_cast<int64_t>(v.as_real());
            } else {
                return mismatch();
            }
            if (type == Type::kInt && (n < std::numeric_limits<int32_t>::min() ||
                                       n > std::numeric_limits<int32_t>::max())) {
                return "value " + std::to_string(n) + " is out of range for int";
            }
            *out = type == Type::kInt ? Value::Int(n) : Value::Long(n);
            return std::nullopt;
        }
        case Type::kReal:
        case Type::kDecimal:
            if (kind == Dynamic::Kind::kLong) {
                *out = Value::Real(static_cast<double>(v.as_long()));
            } else if (kind == Dynamic::Kind::kReal) {
                *out = Value::Real(v.as_real());
            } else {
                return mismatch();
            }
            return std::nullopt;
        case Type::kDatetime: {
            if (kind != Dynamic::Kind::kString) return mismatch();
            auto t = core::ParseDatetime(v.as_string());
            if (!t.ok()) return mismatch() + " (not an ISO 8601 datetime)";
            *out = Value::Datetime(*t);
            return std::nullopt;
        }
        case Type::kTimespan: {
            if (kind != Dynamic::Kind::kString) return mismatch();
            auto t = core::ParseDotNetTimespan(v.as_string());
            if (!t.ok()) t = core::ParseIsoDuration(v.as_string());
            if (!t.ok()) return mismatch() + " (not a duration)";
            *out = Value::Timespan(*t);
            return std::nullopt;
        }
        default:
            break;
    }
    return mismatch();
}

}  // namespace

core::Result<StreamTarget> ResolveStream(std::string_view stream) {
    std::string_view name;
    if (stream.starts_with("Custom-")) {
        name = stream.substr(7);
    } else if (stream.starts_with("Microsoft-")) {
        name = stream.substr(10);
    }
    if (!name.empty()) {
        if (const TableDef* def = FindBuiltinTable(name); def && IsResourceLogTable(*def)) {
            return StreamTarget{def->name, false};
        }
    }
    if (stream.starts_with("Custom-") && name.ends_with("_CL")) {
        if (name.size() == 3 || name.size() > 63 || !IsColumnName(name) || name[0] == '_') {
            return core::Status::InvalidArgument(
                "stream '" + std::string(stream) +
                "': a custom table name is letters, digits and _, starts with a letter, ends "
                "in _CL and has at most 63 characters");
        }
        return StreamTarget{std::string(name), true};
    }
    return core::Status::NotFound(
        "unknown stream '" + std::string(stream) +
        "': use Custom-<Name>_CL for a custom table, or Custom-<Table> for a built-in "
        "resource-log table such as AmlComputeJobEvent");
}

core::Result<std::vector<InputRow>> ParseRowArray(std::string_view body) {
    auto parsed = Dynamic::Parse(body);
    if (!parsed.ok()) {
        return core::Status::InvalidArgument("the body is not valid JSON: " +
                                             parsed.status().message());
    }
    if (parsed->kind() != Dynamic::Kind::kArray) {
        return core::Status::InvalidArgument("the body must be a JSON array of row objects, got " +
                                             std::string(KindName(parsed->kind())));
    }
    std::vector<InputRow> rows;
    const auto& items = parsed->as_array();
    rows.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) rows.push_back({i, items[i]});
    return rows;
}

core::Schema InferCustomSchema(const std::vector<InputRow>& rows) {
    core::Schema schema;
    schema.fields.push_back({std::string(kTimeGenerated), Type::kDatetime});
    std::unordered_map<std::string, size_t> position;  // name -> field index
    std::vector<bool> typed(1, true);
    for (const auto& row : rows) {
        if (row.value.kind() != Dynamic::Kind::kObject) continue;
        for (const auto& [name, value] : row.value.as_object()) {
            if (name == kTimeGenerated || !IsColumnName(name)) continue;
            auto [it, inserted] = position.emplace(name, schema.fields.size());
            if (inserted) {
                if (schema.fields.size() >= kMaxCustomColumns) {
                    position.erase(it);
                    continue;
                }
                schema.fields.push_back({name, Type::kString});
                typed.push_back(false);
            }
            if (!typed[it->second] && !value.is_null()) {
                schema.fields[it->second].type = InferType(name, value);
                typed[it->second] = true;
            }
        }
    }
    return schema;
}

RowsBatch RowsToBatch(const std::string& table, const core::Schema& schema,
                      const std::vector<InputRow>& rows, const RowDefaults& defaults) {
    RowsBatch out;
    out.rows_received = rows.size();
    core::Batch batch = core::Batch::Empty(schema);
    const auto time_index = schema.IndexOf(kTimeGenerated);
    const auto tenant_index = schema.IndexOf("TenantId");
    const auto type_index = schema.IndexOf("Type");
    const auto source_index = schema.IndexOf("SourceSystem");
    std::vector<Value> cells(schema.size());
    std::vector<bool> seen(schema.size());
    for (const auto& row : rows) {
        if (row.value.kind() != Dynamic::Kind::kObject) {
            out.errors.push_back({row.index, "",
                                  "row is a JSON " + std::string(KindName(row.value.kind())) +
                                      ", expected an object"});
            continue;
        }
        std::fill(cells.begin(), cells.end(), Value());
        std::fill(seen.begin(), seen.end(), false);
        std::optional<RowError> error;
        for (const auto& [name, value] : row.value.as_object()) {
            const auto idx = schema.IndexOf(name);
            if (!idx) {
                error = RowError{row.index, name,
                                 IsColumnName(name)
                                     ? "table " + table + " has no column '" + name +
                                           "' (a table's columns are fixed when it is created)"
                                     : "'" + name +
                                           "' is not a valid column name (letters, digits and "
                                           "_, starting with a letter or _)"};
                break;
            }
            if (auto message = Convert(value, schema.fields[*idx].type, &cells[*idx])) {
                error = RowError{row.index, name, std::move(*message)};
                break;
            }
            seen[*idx] = true;
        }
        if (error) {
            out.errors.push_back(std::move(*error));
            continue;
        }
        if (tenant_index) cells[*tenant_index] = Value::String(defaults.tenant_id);
        if (type_index) cells[*type_index] = Value::String(table);
        if (source_index && (!seen[*source_index] || cells[*source_index].is_null())) {
            cells[*source_index] = Value::String(defaults.source_system);
        }
        if (time_index && cells[*time_index].is_null()) {
            cells[*time_index] = Value::Datetime(defaults.now_ticks);
        }
        for (size_t c = 0; c < schema.size(); ++c) {
            if (cells[c].is_null()) {
                batch.columns[c].AppendNull();
            } else {
                batch.columns[c].Append(cells[c]);
            }
        }
    }
    if (batch.num_rows() > 0) out.batches.push_back({table, std::move(batch), 0});
    return out;
}

}  // namespace calypso::ingest
