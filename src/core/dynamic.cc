#include "core/dynamic.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace calypso::core {
namespace {

Dynamic FromElement(simdjson::dom::element e) {
    using simdjson::dom::element_type;
    switch (e.type()) {
        case element_type::ARRAY: {
            simdjson::dom::array arr;
            if (e.get_array().get(arr)) return Dynamic();
            Dynamic::Array a;
            for (auto child : arr) a.push_back(FromElement(child));
            return Dynamic::MakeArray(std::move(a));
        }
        case element_type::OBJECT: {
            simdjson::dom::object obj;
            if (e.get_object().get(obj)) return Dynamic();
            Dynamic::Object o;
            for (auto field : obj) {
                o.emplace_back(std::string(field.key), FromElement(field.value));
            }
            return Dynamic::MakeObject(std::move(o));
        }
        case element_type::INT64:
            return Dynamic::Long(e.get_int64().value_unsafe());
        case element_type::UINT64: {
            uint64_t u = e.get_uint64().value_unsafe();
            return Dynamic::Real(static_cast<double>(u));
        }
        case element_type::DOUBLE:
            return Dynamic::Real(e.get_double().value_unsafe());
        case element_type::STRING:
            return Dynamic::String(std::string(e.get_string().value_unsafe()));
        case element_type::BOOL:
            return Dynamic::Bool(e.get_bool().value_unsafe());
        case element_type::NULL_VALUE:
            return Dynamic();
    }
    return Dynamic();
}

}  // namespace

Result<Dynamic> Dynamic::Parse(std::string_view json) {
    thread_local simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    auto error = parser.parse(padded).get(root);
    if (error) {
        return Status::InvalidArgument(std::string("invalid JSON: ") +
                                       simdjson::error_message(error));
    }
    return FromElement(root);
}

const Dynamic* Dynamic::Find(std::string_view key) const {
    if (kind() != Kind::kObject) return nullptr;
    for (const auto& [k, v] : as_object()) {
        if (k == key) return &v;
    }
    return nullptr;
}

const Dynamic* Dynamic::At(int64_t index) const {
    if (kind() != Kind::kArray) return nullptr;
    const auto& a = as_array();
    const auto n = static_cast<int64_t>(a.size());
    if (index < 0) index += n;
    if (index < 0 || index >= n) return nullptr;
    return &a[static_cast<size_t>(index)];
}

namespace {

// Bytes that JSON strings must escape: control characters, '"' and '\\'.
struct EscapeTable {
    bool escape[256];
    EscapeTable() : escape() {
        for (int c = 0; c < 0x20; ++c) escape[c] = true;
        escape[static_cast<unsigned char>('"')] = true;
        escape[static_cast<unsigned char>('\\')] = true;
    }
};
const EscapeTable kEscape;

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
    out.push_back('"');
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
        // The run of bytes needing no escape goes in with one append (query answers write
        // millions of strings, almost none with an escape).
        const char* run = p;
        while (p < end && !kEscape.escape[static_cast<unsigned char>(*p)]) ++p;
        out.append(run, static_cast<size_t>(p - run));
        if (p == end) break;
        switch (*p) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default: {
                static constexpr char kHex[] = "0123456789abcdef";
                const auto c = static_cast<unsigned char>(*p);
                const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
                out.append(u, sizeof u);
            }
        }
        ++p;
    }
    out.push_back('"');
}

void AppendJsonDouble(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

void Dynamic::AppendJson(std::string& out) const {
    switch (kind()) {
        case Kind::kNull:
            out += "null";
            break;
        case Kind::kBool:
            out += as_bool() ? "true" : "false";
            break;
        case Kind::kLong:
            out += std::to_string(as_long());
            break;
        case Kind::kReal:
            AppendJsonDouble(out, as_real());
            break;
        case Kind::kString:
            AppendJsonString(out, as_string());
            break;
        case Kind::kArray: {
            out.push_back('[');
            bool first = true;
            for (const auto& v : as_array()) {
                if (!first) out.push_back(',');
                first = false;
                v.AppendJson(out);
            }
            out.push_back(']');
            break;
        }
        case Kind::kObject: {
            out.push_back('{');
            bool first = true;
            for (const auto& [k, v] : as_object()) {
                if (!first) out.push_back(',');
                first = false;
                AppendJsonString(out, k);
                out.push_back(':');
                v.AppendJson(out);
            }
            out.push_back('}');
            break;
        }
    }
}

std::string Dynamic::ToJson() const {
    std::string out;
    AppendJson(out);
    return out;
}

std::string Dynamic::ToText() const {
    if (kind() == Kind::kString) return as_string();
    if (kind() == Kind::kNull) return "";
    return ToJson();
}

size_t Dynamic::MemoryBytes() const {
    constexpr size_t kSmallString = 15;  // libstdc++ keeps shorter strings inline
    constexpr size_t kSharedBlock = 32;  // make_shared's control block and alignment
    auto heap = [&](const std::string& str) {
        return str.size() > kSmallString ? str.size() + 1 : 0;
    };
    switch (kind()) {
        case Kind::kString:
            return heap(as_string());
        case Kind::kArray: {
            size_t bytes = kSharedBlock + as_array().capacity() * sizeof(Dynamic);
            for (const auto& v : as_array()) bytes += v.MemoryBytes();
            return bytes;
        }
        case Kind::kObject: {
            size_t bytes = kSharedBlock + as_object().capacity() * sizeof(Member);
            for (const auto& [k, v] : as_object()) bytes += heap(k) + v.MemoryBytes();
            return bytes;
        }
        default:
            return 0;
    }
}

bool Dynamic::operator==(const Dynamic& o) const {
    if (kind() != o.kind()) return false;
    switch (kind()) {
        case Kind::kNull:
            return true;
        case Kind::kBool:
            return as_bool() == o.as_bool();
        case Kind::kLong:
            return as_long() == o.as_long();
        case Kind::kReal:
            return as_real() == o.as_real();
        case Kind::kString:
            return as_string() == o.as_string();
        case Kind::kArray:
            return as_array() == o.as_array();
        case Kind::kObject:
            return as_object() == o.as_object();
    }
    return false;
}

}  // namespace calypso::core
