#include "server/kusto_json.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/dynamic.h"
#include "core/time.h"
#include "server/json_text.h"

namespace calypso::server {

namespace {

using core::Type;

// JSON has no NaN or infinities; Kusto writes them as these strings.
bool AppendNonFinite(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "\"NaN\"";
    } else if (std::isinf(v)) {
        out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
        return false;
    }
    return true;
}

void AppendColumns(std::string& out, const core::Schema& schema, bool with_data_type) {
    out += "\"Columns\":[";
    for (size_t c = 0; c < schema.size(); ++c) {
        if (c > 0) out += ',';
        out += "{\"ColumnName\":";
        core::AppendJsonString(out, schema.fields[c].name);
        if (with_data_type) {
            out += ",\"DataType\":";
            core::AppendJsonString(out, KustoDataType(schema.fields[c].type));
        }
        out += ",\"ColumnType\":";
        core::AppendJsonString(out, KustoColumnType(schema.fields[c].type));
        out += '}';
    }
    out += ']';
}

// [{"error":{...}}, ...]
void AppendOneApiErrorArray(std::string& out, const std::vector<KustoError>& errors) {
    out += '[';
    for (size_t i = 0; i < errors.size(); ++i) {
        if (i > 0) out += ',';
        out += "{\"error\":";
        AppendKustoError(out, errors[i]);
        out += '}';
    }
    out += ']';
}

// Rows [from, to) of the table, then its row errors when `with_errors`.
void AppendRows(std::string& out, const KustoTable& table, bool with_errors, size_t from = 0,
                size_t to = SIZE_MAX) {
    out += "\"Rows\":[";
    const core::Batch& data = table.data;
    const size_t rows = std::min(to, data.num_rows());
    for (size_t r = from; r < rows; ++r) {
        if (r > from) out += ',';
        out += '[';
        for (size_t c = 0; c < data.columns.size(); ++c) {
            if (c > 0) out += ',';
            AppendKustoCell(out, data.columns[c], r);
        }
        out += ']';
    }
    if (with_errors && !table.row_errors.empty()) {
        if (rows > from) out += ',';
        out += "{\"OneApiErrors\":";
        AppendOneApiErrorArray(out, table.row_errors);
        out += '}';
    }
    out += ']';
}

}  // namespace

std::string_view KustoColumnType(Type type) {
    switch (type) {
        case Type::kNull:  // a bare null has no column type of its own; Kusto uses string
        case Type::kString:
            return "string";
        default:
            return core::TypeName(type);
    }
}

std::string_view KustoDataType(Type type) {
    switch (type) {
        case Type::kBool:
            return "Boolean";
        case Type::kInt:
            return "Int32";
        case Type::kLong:
            return "Int64";
        case Type::kReal:
            return "Double";
        case Type::kDecimal:
            return "Decimal";
        case Type::kDatetime:
            return "DateTime";
        case Type::kTimespan:
            return "TimeSpan";
        case Type::kGuid:
            return "Guid";
        case Type::kDynamic:
            return "Object";
        case Type::kNull:
        case Type::kString:
            return "String";
    }
    return "String";
}

std::string_view KustoClrType(Type type) {
    switch (type) {
        case Type::kBool:
            return "System.SByte";  // Kusto stores bool as a signed byte
        case Type::kInt:
            return "System.Int32";
        case Type::kLong:
            return "System.Int64";
        case Type::kReal:
            return "System.Double";
        case Type::kDecimal:
            return "System.Data.SqlTypes.SqlDecimal";
        case Type::kDatetime:
            return "System.DateTime";
        case Type::kTimespan:
            return "System.TimeSpan";
        case Type::kGuid:
            return "System.Guid";
        case Type::kDynamic:
            return "System.Object";
        case Type::kNull:
        case Type::kString:
            return "System.String";
    }
    return "System.String";
}

void AppendKustoRow(core::Batch& batch, const std::vector<core::Value>& row) {
    assert(row.size() == batch.columns.size());
    for (size_t c = 0; c < batch.columns.size() && c < row.size(); ++c) {
        batch.columns[c].Append(row[c]);
    }
}

std::string FormatKustoDatetime(int64_t ticks) {
    std::string text = core::FormatDatetime(ticks);  // fraction trimmed, 'Z' last
    text.pop_back();
    const size_t dot = text.find('.', text.find('T'));
    const size_t digits = dot == std::string::npos ? 0 : text.size() - dot - 1;
    if (dot == std::string::npos) text += '.';
    text.append(7 - digits, '0');
    text += 'Z';
    return text;
}

void AppendKustoCell(std::string& out, const core::Column& col, size_t row) {
    if (col.IsNull(row) && col.type() != Type::kString) {
        out += "null";
        return;
    }
    switch (col.type()) {
        case Type::kBool:
            out += col.int64_at(row) ? "true" : "false";
            break;
        case Type::kInt:
        case Type::kLong:
            AppendInteger(out, col.int64_at(row));
            break;
        case Type::kReal:
            if (!AppendNonFinite(out, col.double_at(row))) {
                core::AppendJsonDouble(out, col.double_at(row));
            }
            break;
        case Type::kDecimal: {
            const double v = col.double_at(row);
            if (AppendNonFinite(out, v)) break;
            std::string digits;
            core::AppendJsonDouble(digits, v);
            core::AppendJsonString(out, digits);
            break;
        }
        case Type::kString:
        case Type::kGuid:
            AppendQuoted(out, col.string_at(row));
            break;
        case Type::kDatetime:
            AppendQuotedDatetime(out, col.int64_at(row), /*full_fraction=*/true);
            break;
        case Type::kTimespan:
            core::AppendJsonString(out, core::FormatTimespan(col.int64_at(row)));
            break;
        case Type::kDynamic:
            col.dynamic_at(row).AppendJson(out);
            break;
        case Type::kNull:
            out += "null";
            break;
    }
}

void AppendKustoError(std::string& out, const KustoError& e) {
    out += "{\"code\":";
    core::AppendJsonString(out, e.code);
    out += ",\"message\":";
    core::AppendJsonString(out, e.message);
    if (!e.type.empty()) {
        out += ",\"@type\":";
        core::AppendJsonString(out, e.type);
    }
    out += ",\"@message\":";
    core::AppendJsonString(out, e.detail);
    out += ",\"@context\":{\"timestamp\":";
    core::AppendJsonString(out, FormatKustoDatetime(e.timestamp_ticks));
    out += ",\"serviceAlias\":\"CALYPSO\",\"clientRequestId\":";
    core::AppendJsonString(out, e.client_request_id);
    out += ",\"activityId\":";
    core::AppendJsonString(out, e.activity_id);
    out += "},\"@permanent\":";
    out += e.permanent ? "true" : "false";
    out += '}';
}

std::string KustoErrorBody(const KustoError& error) {
    std::string out = "{\"error\":";
    AppendKustoError(out, error);
    out += '}';
    return out;
}

namespace {

// A PrimaryResult table as progressive frames: TableHeader, TableFragment (DataAppend) per
// kKustoRowsPerFragment rows, TableCompletion. Row errors go into the last fragment (InData)
// or TableCompletion's OneApiErrors (EndOfTable).
void AppendProgressiveTable(std::string& out, size_t id, const KustoTable& table,
                            KustoErrorPlacement placement) {
    const std::string table_id = std::to_string(id);
    out += ",{\"FrameType\":\"TableHeader\",\"TableId\":" + table_id + ",\"TableKind\":";
    core::AppendJsonString(out, table.kind);
    out += ",\"TableName\":";
    core::AppendJsonString(out, table.name);
    out += ',';
    AppendColumns(out, table.data.schema, false);
    out += '}';
    const size_t rows = table.data.num_rows();
    const bool in_data = placement == KustoErrorPlacement::kInData && !table.row_errors.empty();
    for (size_t from = 0; from < rows || (from == 0 && in_data); from += kKustoRowsPerFragment) {
        const size_t to = std::min(rows, from + kKustoRowsPerFragment);
        out +=
            ",{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\","
            "\"TableId\":" +
            table_id + ",\"FieldCount\":" + std::to_string(table.data.schema.size()) + ',';
        AppendRows(out, table, in_data && to == rows, from, to);
        out += '}';
    }
    out += ",{\"FrameType\":\"TableCompletion\",\"TableId\":" + table_id +
           ",\"RowCount\":" + std::to_string(rows);
    if (placement == KustoErrorPlacement::kEndOfTable && !table.row_errors.empty()) {
        out += ",\"OneApiErrors\":";
        AppendOneApiErrorArray(out, table.row_errors);
    }
    out += '}';
}

}  // namespace

std::string WriteKustoV2(const std::vector<KustoTable>& tables, KustoErrorPlacement placement,
                         const std::vector<KustoError>& errors, bool progressive) {
    std::string out = "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":";
    out += progressive ? "true" : "false";
    out += ",\"Version\":\"v2.0\",\"IsFragmented\":";
    out += progressive ? "true" : "false";
    out += ",\"ErrorReportingPlacement\":";
    out += placement == KustoErrorPlacement::kInData       ? "\"InData\""
           : placement == KustoErrorPlacement::kEndOfTable ? "\"EndOfTable\""
                                                           : "\"EndOfDataSet\"";
    out += '}';
    const bool row_errors = placement != KustoErrorPlacement::kEndOfDataSet;
    for (size_t t = 0; t < tables.size(); ++t) {
        if (progressive && tables[t].kind == "PrimaryResult") {
            AppendProgressiveTable(out, t, tables[t], placement);
            continue;
        }
        // Streaming clients read TableId, TableKind, TableName and Columns before Rows.
        out += ",{\"FrameType\":\"DataTable\",\"TableId\":" + std::to_string(t) + ",\"TableKind\":";
        core::AppendJsonString(out, tables[t].kind);
        out += ",\"TableName\":";
        core::AppendJsonString(out, tables[t].name);
        out += ',';
        AppendColumns(out, tables[t].data.schema, false);
        out += ',';
        AppendRows(out, tables[t], row_errors);
        out += '}';
    }
    out += ",{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":";
    out += errors.empty() ? "false" : "true";
    out += ",\"Cancelled\":false";
    if (!errors.empty()) {
        out += ",\"OneApiErrors\":";
        AppendOneApiErrorArray(out, errors);
    }
    out += "}]";
    return out;
}

std::string WriteKustoV1(const std::vector<KustoTable>& tables) {
    std::string out = "{\"Tables\":[";
    for (size_t t = 0; t < tables.size(); ++t) {
        if (t > 0) out += ',';
        out += "{\"TableName\":\"Table_" + std::to_string(t) + "\",";
        AppendColumns(out, tables[t].data.schema, true);
        out += ',';
        AppendRows(out, tables[t], true);
        out += '}';
    }
    out += "]}";
    return out;
}

}  // namespace calypso::server
