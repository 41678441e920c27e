#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/row_sink.h"
#include "ingest/appinsights.h"

namespace calypso::ingest::testing {

inline constexpr const char* kIKey = "00000000-0000-0000-0000-000000000001";

inline IKeyLookup TestLookup() {
    return [](std::string_view ikey) -> std::optional<AppInfo> {
        if (ikey == kIKey) return AppInfo{"ml-app", "11111111-2222-3333-4444-555555555555"};
        return std::nullopt;
    };
}

inline std::string FixtureDir() {
    const char* src = std::getenv("CALYPSO_SOURCE_DIR");
    return std::string(src ? src : "/work/main") + "/../shared/fixtures/appinsights/";
}

inline std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string Base64Decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        int v = val(c);
        if (v < 0) continue;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xFF));
        }
    }
    return out;
}

// One captured request of a fixture file (protocols.md section 6).
struct CapturedRequest {
    std::string body;       // the decoded body: a JSON array, or NDJSON lines joined by '\n'
    std::string wire_gzip;  // the exact gzip bytes when the client gzipped
    size_t envelopes = 0;
    size_t decoded_body_bytes = 0;
    std::string content_encoding;
};

inline std::vector<CapturedRequest> LoadFixture(const std::string& name) {
    std::vector<CapturedRequest> out;
    simdjson::dom::parser parser;
    simdjson::padded_string text(ReadFile(FixtureDir() + name));
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << name;
    simdjson::dom::array requests;
    EXPECT_EQ(doc["requests"].get_array().get(requests), simdjson::SUCCESS);
    for (simdjson::dom::element r : requests) {
        CapturedRequest req;
        simdjson::dom::element body;
        simdjson::dom::array arr;
        if (r["body_json"].get(body) == simdjson::SUCCESS) {
            req.body = simdjson::minify(body);
            if (body.get_array().get(arr) == simdjson::SUCCESS) req.envelopes = arr.size();
        } else if (r["body_ndjson"].get_array().get(arr) == simdjson::SUCCESS) {
            for (simdjson::dom::element line : arr) {
                if (!req.body.empty()) req.body += '\n';
                req.body += simdjson::minify(line);
                ++req.envelopes;
            }
        }
        std::string_view b64;
        if (r["wire_body_gzip_b64"].get_string().get(b64) == simdjson::SUCCESS) {
            req.wire_gzip = Base64Decode(b64);
        }
        uint64_t n = 0;
        if (r["decoded_body_bytes"].get_uint64().get(n) == simdjson::SUCCESS) {
            req.decoded_body_bytes = n;
        }
        std::string_view enc;
        if (r["headers"]["Content-Encoding"].get_string().get(enc) == simdjson::SUCCESS) {
            req.content_encoding = enc;
        }
        out.push_back(std::move(req));
    }
    return out;
}

inline const core::TableBatch* FindTable(const TrackBatch& tb, std::string_view name) {
    for (const auto& b : tb.batches) {
        if (b.table == name) return &b;
    }
    return nullptr;
}

inline size_t Rows(const TrackBatch& tb, std::string_view table) {
    const auto* b = FindTable(tb, table);
    return b ? b->batch.num_rows() : 0;
}

// The cell of `column` in row `row` of `table`; a null Value when the table or column is
// missing.
inline core::Value Cell(const TrackBatch& tb, std::string_view table, std::string_view column,
                        size_t row = 0) {
    const auto* b = FindTable(tb, table);
    if (b == nullptr) {
        ADD_FAILURE() << "no table " << table;
        return {};
    }
    auto i = b->batch.schema.IndexOf(column);
    if (!i) {
        ADD_FAILURE() << "no column " << column << " in " << table;
        return {};
    }
    return b->batch.columns[*i].Get(row);
}

inline std::string Str(const core::Value& v) { return v.is_null() ? "<null>" : v.as_string(); }

// customDimensions[key] as text, "<absent>" when missing.
inline std::string Dim(const TrackBatch& tb, std::string_view table, std::string_view key,
                       size_t row = 0, std::string_view column = "customDimensions") {
    core::Value v = Cell(tb, table, column, row);
    if (v.is_null()) return "<absent>";
    const core::Dynamic* d = v.as_dynamic().Find(key);
    return d ? d->ToText() : "<absent>";
}

}  // namespace calypso::ingest::testing
