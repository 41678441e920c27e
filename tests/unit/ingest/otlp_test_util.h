#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ingest/otlp.h"
#include "ingest/otlp_wire.h"
#include "test_util.h"

namespace calypso::ingest::testing {

inline std::string OtlpFixtureDir() {
    const char* src = std::getenv("CALYPSO_SOURCE_DIR");
    return std::string(src ? src : "/work/main") + "/../shared/fixtures/otlp/";
}

// The bodies of a captured-request fixture file: JSON bodies minified, protobuf decoded
// from base64.
inline std::vector<std::string> OtlpFixtureBodies(const std::string& name) {
    std::vector<std::string> out;
    simdjson::dom::parser parser;
    simdjson::padded_string text(ReadFile(OtlpFixtureDir() + name));
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << name;
    simdjson::dom::array requests;
    EXPECT_EQ(doc["requests"].get_array().get(requests), simdjson::SUCCESS);
    for (simdjson::dom::element r : requests) {
        simdjson::dom::element body;
        std::string_view b64;
        if (r["body_json"].get(body) == simdjson::SUCCESS) {
            out.push_back(simdjson::minify(body));
        } else if (r["body_b64"].get_string().get(b64) == simdjson::SUCCESS) {
            out.push_back(Base64Decode(b64));
        }
    }
    return out;
}

inline OtlpWorkspace TestWorkspace() {
    return {"default", "11111111-2222-3333-4444-555555555555", kIKey};
}

inline OtlpOptions TestOptions() {
    OtlpOptions o;
    o.workspace = TestWorkspace();
    o.lookup = [](std::string_view name) -> std::optional<OtlpWorkspace> {
        if (name == "ml") return OtlpWorkspace{"ml", "99999999-2222-3333-4444-555555555555", "k2"};
        return std::nullopt;
    };
    o.now_ticks = 17954596100000000;  // 2026-11-23T18:46:50Z
    return o;
}

inline OtlpResult MustDecode(OtlpSignal signal, OtlpFormat format, const std::string& body) {
    auto r = DecodeOtlp(signal, format, body, TestOptions());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : OtlpResult{};
}

inline const core::TableBatch* FindOtlpTable(const OtlpResult& r, std::string_view name) {
    for (const auto& b : r.batches) {
        if (b.table == name) return &b;
    }
    return nullptr;
}

inline size_t OtlpRows(const OtlpResult& r, std::string_view table) {
    const auto* b = FindOtlpTable(r, table);
    return b ? b->batch.num_rows() : 0;
}

inline core::Value OtlpCell(const OtlpResult& r, std::string_view table, std::string_view column,
                            size_t row = 0) {
    const auto* b = FindOtlpTable(r, table);
    if (b == nullptr) {
        ADD_FAILURE() << "no table " << table;
        return {};
    }
    auto i = b->batch.schema.IndexOf(column);
    if (!i) {
        ADD_FAILURE() << "no column " << column << " in " << table;
        return {};
    }
    if (row >= b->batch.num_rows()) {
        ADD_FAILURE() << "no row " << row << " in " << table;
        return {};
    }
    return b->batch.columns[*i].Get(row);
}

inline std::string OtlpStr(const OtlpResult& r, std::string_view table, std::string_view column,
                           size_t row = 0) {
    return Str(OtlpCell(r, table, column, row));
}

// A dynamic cell as compact JSON, "<null>" when null.
inline std::string OtlpJson(const OtlpResult& r, std::string_view table, std::string_view column,
                            size_t row = 0) {
    core::Value v = OtlpCell(r, table, column, row);
    return v.is_null() ? "<null>" : v.as_dynamic().ToJson();
}

// Builds protobuf messages field by field, for tests.
class Proto {
  public:
    Proto& Varint(uint32_t field, uint64_t v) {
        internal::PutVarintField(s_, field, v);
        return *this;
    }
    Proto& Bytes(uint32_t field, std::string_view v) {
        internal::PutBytesField(s_, field, v);
        return *this;
    }
    Proto& Msg(uint32_t field, const Proto& m) { return Bytes(field, m.s_); }
    Proto& Fixed64(uint32_t field, uint64_t v) {
        internal::PutFixed64Field(s_, field, v);
        return *this;
    }
    Proto& Double(uint32_t field, double v) {
        internal::PutDoubleField(s_, field, v);
        return *this;
    }
    Proto& Raw(std::string_view bytes) {
        s_.append(bytes);
        return *this;
    }
    const std::string& str() const { return s_; }

  private:
    std::string s_;
};

inline Proto StringValue(std::string_view s) { return Proto().Bytes(1, s); }
inline Proto KeyValue(std::string_view key, const Proto& value) {
    return Proto().Bytes(1, key).Msg(2, value);
}
inline Proto StrAttr(std::string_view key, std::string_view value) {
    return KeyValue(key, StringValue(value));
}
inline Proto IntAttr(std::string_view key, int64_t value) {
    return KeyValue(key, Proto().Varint(3, static_cast<uint64_t>(value)));
}
// Export*ServiceRequest with one resource (service.name=trainer) and one scope holding
// `items` (each already encoded).
inline std::string OneScopeRequest(const std::vector<Proto>& items) {
    Proto scope;
    scope.Msg(1, Proto().Bytes(1, "test-scope"));
    for (const auto& item : items) scope.Msg(2, item);
    Proto resource = Proto().Msg(1, StrAttr("service.name", "trainer"));
    return Proto().Msg(1, Proto().Msg(1, resource).Msg(2, scope)).str();
}

inline std::string Bytes(std::initializer_list<int> bytes) {
    std::string s;
    for (int b : bytes) s.push_back(static_cast<char>(b));
    return s;
}

}  // namespace calypso::ingest::testing
