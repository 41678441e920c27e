#include "server/result_json.h"

#include <cmath>

#include "core/time.h"

namespace calypso::server {

namespace {

void AppendCell(std::string& out, const core::Column& col, size_t row) {
    using core::Type;
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
            out += std::to_string(col.int64_at(row));
            break;
        case Type::kReal:
        case Type::kDecimal: {
            double v = col.double_at(row);
            if (std::isnan(v))
                out += "\"NaN\"";
            else if (std::isinf(v))
                out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
            else
                core::AppendJsonDouble(out, v);
            break;
        }
        case Type::kString:
        case Type::kGuid:
            core::AppendJsonString(out, col.string_at(row));
            break;
        case Type::kDatetime:
            core::AppendJsonString(out, core::FormatDatetime(col.int64_at(row)));
            break;
        case Type::kTimespan:
            core::AppendJsonString(out, core::FormatTimespan(col.int64_at(row)));
            break;
        case Type::kDynamic: {
            const auto& d = col.dynamic_at(row);
            if (d.is_null())
                out += "null";
            else
                core::AppendJsonString(out, d.ToJson());
            break;
        }
        case Type::kNull:
            out += "null";
            break;
    }
}

}  // namespace

std::string ToLogAnalyticsJson(const core::QueryResult& result) {
    std::string out = "{\"tables\":[";
    for (size_t t = 0; t < result.tables.size(); ++t) {
        const auto& table = result.tables[t];
        if (t > 0) out += ',';
        out += "{\"name\":";
        core::AppendJsonString(out, table.name);
        out += ",\"columns\":[";
        for (size_t c = 0; c < table.data.schema.size(); ++c) {
            if (c > 0) out += ',';
            out += "{\"name\":";
            core::AppendJsonString(out, table.data.schema.fields[c].name);
            out += ",\"type\":";
            core::AppendJsonString(out,
                                   std::string(core::TypeName(table.data.schema.fields[c].type)));
            out += '}';
        }
        out += "],\"rows\":[";
        const size_t rows = table.data.num_rows();
        for (size_t r = 0; r < rows; ++r) {
            if (r > 0) out += ',';
            out += '[';
            for (size_t c = 0; c < table.data.columns.size(); ++c) {
                if (c > 0) out += ',';
                AppendCell(out, table.data.columns[c], r);
            }
            out += ']';
        }
        out += ']';
        if (!table.render.empty()) {
            out += ",\"render\":{\"visualization\":";
            core::AppendJsonString(out, table.render);
            out += '}';
        }
        if (table.truncated) out += ",\"truncated\":true";
        out += '}';
    }
    out += "]}";
    return out;
}

}  // namespace calypso::server
