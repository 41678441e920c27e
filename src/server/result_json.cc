#include "server/result_json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include "core/time.h"
#include "server/json_text.h"

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
            AppendInteger(out, col.int64_at(row));
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
            AppendQuoted(out, col.string_at(row));
            break;
        case Type::kDatetime:
            AppendQuotedDatetime(out, col.int64_at(row));
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

void AppendField(std::string& out, std::string_view name, uint64_t value, bool first = false) {
    if (!first) out += ',';
    out += '"';
    out += name;
    out += "\":";
    out += std::to_string(value);
}

void AppendStatistics(std::string& out, const core::ScanStats& s, const QueryStatistics& q) {
    out += ",\"statistics\":{\"query\":{\"executionTime\":";
    core::AppendJsonDouble(out, q.execution_seconds);
    // Segments play the part of Kusto's extents.
    out += ",\"inputDatasetStatistics\":{\"extents\":{";
    AppendField(out, "total", s.segments, true);
    AppendField(out, "scanned", s.segments - std::min(s.segments, s.segments_skipped));
    out += "},\"rows\":{";
    AppendField(out, "scanned", s.rows, true);
    out += "}},\"scan\":{";
    AppendField(out, "segments", s.segments, true);
    AppendField(out, "segmentsSkipped", s.segments_skipped);
    AppendField(out, "blocks", s.blocks);
    AppendField(out, "blocksSkipped", s.blocks_skipped);
    AppendField(out, "bytesRead", s.bytes_read);
    AppendField(out, "bytesCached", s.bytes_cached);
    AppendField(out, "rows", s.rows);
    out += "}}}";
}

// Log Analytics' partial failure: the rows come with an "error" next to "tables" (which
// LogsQueryClient reports as PartialFailure), one detail per truncated table.
void AppendTruncationError(std::string& out, const core::QueryResult& result) {
    bool first = true;
    for (const auto& table : result.tables) {
        if (!table.truncated) continue;
        if (first) {
            out +=
                ",\"error\":{\"code\":\"PartialError\",\"message\":\"There were some errors "
                "when processing your query.\",\"details\":[";
        } else {
            out += ',';
        }
        first = false;
        out +=
            "{\"code\":\"EngineError\",\"message\":\"Something went wrong processing your "
            "query on the server.\",\"innererror\":{\"code\":\"-2133196797\",\"message\":";
        core::AppendJsonString(out,
                               "Query result set has exceeded the internal record count limit " +
                                   std::to_string(table.data.num_rows()) +
                                   " (E_QUERY_RESULT_SET_TOO_LARGE): table " + table.name +
                                   " holds only the first rows");
        out += ",\"severity\":2,\"severityName\":\"Error\"}}";
    }
    if (!first) out += "]}";
}

}  // namespace

bool PrefersStatistics(std::string_view prefer) {
    while (!prefer.empty()) {
        size_t comma = prefer.find(',');
        std::string_view item = prefer.substr(0, comma);
        prefer = comma == std::string_view::npos ? std::string_view() : prefer.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        constexpr std::string_view kWant = "include-statistics=true";
        if (item.size() == kWant.size() &&
            std::equal(item.begin(), item.end(), kWant.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == b;
            })) {
            return true;
        }
    }
    return false;
}

std::string ToLogAnalyticsJson(const core::QueryResult& result, const QueryStatistics* statistics) {
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
        // Room for the rows up front: growing a multi-megabyte answer by doubling copies
        // it several times.
        size_t estimate = rows * (2 + table.data.columns.size() * 24);
        for (const auto& col : table.data.columns) estimate += col.StringBytes();
        out.reserve(out.size() + estimate);
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
    out += ']';
    AppendTruncationError(out, result);
    if (statistics != nullptr) AppendStatistics(out, result.scan_stats, *statistics);
    out += '}';
    return out;
}

}  // namespace calypso::server
