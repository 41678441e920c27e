#include "ingest/otlp_json_common.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;
using simdjson::dom::element_type;

std::string Expected(std::string_view name, std::string_view what, const JsonElement& e) {
    std::string m = "field '";
    m += name;
    m += "' must be ";
    m += what;
    m += ", got ";
    std::string text = simdjson::minify(e);
    if (text.size() > 64) text = text.substr(0, 64) + "...";
    m += text;
    return m;
}

// Parses a whole string as a number of type T.
template <typename T>
bool ParseWhole(std::string_view s, T& out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Why a body that simdjson refused is not JSON: a truncation (with the byte where it ends
// and how many containers are still open), else simdjson's reason.
core::Status DiagnoseJson(std::string_view body, simdjson::error_code error) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char ch : body) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (ch == '\\') {
                escaped = true;
            } else if (ch == '"') {
                in_string = false;
            }
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            ++depth;
        } else if (ch == '}' || ch == ']') {
            --depth;
        }
    }
    if (depth > 0 || in_string) {
        return core::Status::InvalidArgument(
            "truncated JSON body: it ends at byte " + std::to_string(body.size()) + " with " +
            (in_string ? std::string("a string and ") : std::string()) + std::to_string(depth) +
            " object(s) or array(s) still open");
    }
    return core::Status::InvalidArgument(std::string("request body is not valid JSON: ") +
                                         simdjson::error_message(error));
}

}  // namespace

core::Result<JsonElement> ParseJsonBody(simdjson::dom::parser& parser, std::string_view body,
                                        bool padded) {
    size_t start = 0;
    while (start < body.size() && (body[start] == ' ' || body[start] == '\n' ||
                                   body[start] == '\r' || body[start] == '\t')) {
        ++start;
    }
    if (start == body.size()) return core::Status::InvalidArgument("empty request body");
    JsonElement root;
    auto error = parser.parse(body.data(), body.size(), !padded).get(root);
    if (error != simdjson::SUCCESS) return DiagnoseJson(body, error);
    return root;
}

std::string_view SnakeCase(std::string_view camel, std::span<char, 64> buffer) {
    size_t n = 0;
    for (char c : camel) {
        if (n + 2 > buffer.size()) return {};
        if (c >= 'A' && c <= 'Z') {
            buffer[n++] = '_';
            buffer[n++] = static_cast<char>(c - 'A' + 'a');
        } else {
            buffer[n++] = c;
        }
    }
    if (n == camel.size()) return {};  // no capitals: nothing else to try
    return std::string_view(buffer.data(), n);
}

bool JsonMember(const JsonObject& o, std::string_view camel, JsonElement& out) {
    if (o.at_key(camel).get(out) == simdjson::SUCCESS) return !out.is_null();
    char buffer[64];
    const std::string_view snake = SnakeCase(camel, buffer);
    if (snake.empty()) return false;
    return o.at_key(snake).get(out) == simdjson::SUCCESS && !out.is_null();
}

std::string JsonString(const JsonElement& e, std::string_view name, std::string& out) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return Expected(name, "a string", e);
    out.assign(s);
    return {};
}

std::string JsonUint64(const JsonElement& e, std::string_view name, uint64_t& out) {
    switch (e.type()) {
        case element_type::UINT64:
            if (e.get_uint64().get(out) == simdjson::SUCCESS) return {};
            break;
        case element_type::INT64: {
            int64_t v = 0;
            if (e.get_int64().get(v) != simdjson::SUCCESS || v < 0) {
                return Expected(name, "a non-negative integer", e);
            }
            out = static_cast<uint64_t>(v);
            return {};
        }
        case element_type::DOUBLE: {
            double d = 0;
            if (e.get_double().get(d) != simdjson::SUCCESS || !(d >= 0) || d >= 1.8e19 ||
                d != std::floor(d)) {
                return Expected(name, "a non-negative integer", e);
            }
            out = static_cast<uint64_t>(d);
            return {};
        }
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) == simdjson::SUCCESS && ParseWhole(s, out)) return {};
            break;
        }
        default:
            break;
    }
    return Expected(name, "a non-negative integer (a number or a decimal string)", e);
}

std::string JsonInt64(const JsonElement& e, std::string_view name, int64_t& out) {
    switch (e.type()) {
        case element_type::INT64:
            if (e.get_int64().get(out) == simdjson::SUCCESS) return {};
            break;
        case element_type::DOUBLE: {
            double d = 0;
            if (e.get_double().get(d) == simdjson::SUCCESS && d == std::floor(d) &&
                std::fabs(d) < 9.2e18) {
                out = static_cast<int64_t>(d);
                return {};
            }
            break;
        }
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) == simdjson::SUCCESS && ParseWhole(s, out)) return {};
            break;
        }
        default:
            break;
    }
    return Expected(name, "a 64-bit integer (a number or a decimal string)", e);
}

std::string JsonDouble(const JsonElement& e, std::string_view name, double& out) {
    switch (e.type()) {
        case element_type::DOUBLE:
        case element_type::INT64:
        case element_type::UINT64:
            if (e.get_double().get(out) == simdjson::SUCCESS) return {};
            break;
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) != simdjson::SUCCESS) break;
            if (s == "NaN") {
                out = std::numeric_limits<double>::quiet_NaN();
                return {};
            }
            if (s == "Infinity" || s == "-Infinity") {
                out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::infinity();
                return {};
            }
            if (ParseWhole(s, out)) return {};
            break;
        }
        default:
            break;
    }
    return Expected(name, "a number", e);
}

std::string JsonBool(const JsonElement& e, std::string_view name, bool& out) {
    return e.get_bool().get(out) == simdjson::SUCCESS ? "" : Expected(name, "true or false", e);
}

std::string JsonEnum(const JsonElement& e, std::string_view name,
                     std::span<const std::string_view> names, int32_t& out) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
        int32_t i = 0;
        for (std::string_view n : names) {
            if (n == s) {
                out = i;
                return {};
            }
            ++i;
        }
    }
    int64_t v = 0;
    if (JsonInt64(e, name, v).empty() && v >= INT32_MIN && v <= INT32_MAX) {
        out = static_cast<int32_t>(v);
        return {};
    }
    return Expected(name, "an enum (an integer or its name)", e);
}

std::string JsonId(const JsonElement& e, std::string_view name, size_t bytes, std::string& out) {
    if (std::string err = JsonString(e, name, out); !err.empty()) return err;
    return NormalizeHexId(out, bytes, name);
}

std::string JsonArrayOf(const JsonElement& e, std::string_view name, JsonArray& out) {
    return e.get_array().get(out) == simdjson::SUCCESS ? "" : Expected(name, "an array", e);
}

std::string JsonAnyValue(const JsonElement& e, int depth, Dynamic& out) {
    if (depth > kMaxValueDepth) {
        return "value nested deeper than " + std::to_string(kMaxValueDepth) + " levels";
    }
    JsonObject o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
        return Expected("value", "an AnyValue object", e);
    }
    JsonElement v;
    if (JsonMember(o, "stringValue", v)) {
        std::string s;
        std::string err = JsonString(v, "stringValue", s);
        out = Dynamic::String(std::move(s));
        return err;
    }
    if (JsonMember(o, "boolValue", v)) {
        bool b = false;
        std::string err = JsonBool(v, "boolValue", b);
        out = Dynamic::Bool(b);
        return err;
    }
    if (JsonMember(o, "intValue", v)) {
        int64_t i = 0;
        std::string err = JsonInt64(v, "intValue", i);
        out = Dynamic::Long(i);
        return err;
    }
    if (JsonMember(o, "doubleValue", v)) {
        double d = 0;
        std::string err = JsonDouble(v, "doubleValue", d);
        out = Dynamic::Real(d);
        return err;
    }
    if (JsonMember(o, "bytesValue", v)) {
        std::string s;
        std::string err = JsonString(v, "bytesValue", s);
        out = Dynamic::String(std::move(s));  // already base64
        return err;
    }
    const bool is_array = JsonMember(o, "arrayValue", v);
    if (!is_array && !JsonMember(o, "kvlistValue", v)) return {};  // an empty AnyValue
    JsonObject container;
    JsonArray values;
    if (v.get_object().get(container) != simdjson::SUCCESS) {
        return Expected(is_array ? "arrayValue" : "kvlistValue", "an object", v);
    }
    JsonElement values_el;
    if (!JsonMember(container, "values", values_el)) {
        // An empty array or kvlist: proto3 JSON leaves the empty list out.
        out = is_array ? Dynamic::MakeArray({}) : Dynamic::MakeObject({});
        return {};
    }
    if (std::string err = JsonArrayOf(values_el, "values", values); !err.empty()) return err;
    if (is_array) {
        Dynamic::Array items;
        for (JsonElement item : values) {
            if (std::string err = JsonAnyValue(item, depth + 1, items.emplace_back());
                !err.empty()) {
                return err;
            }
        }
        out = Dynamic::MakeArray(std::move(items));
        return {};
    }
    Attributes members;
    for (JsonElement kv : values) {
        JsonObject kvo;
        if (kv.get_object().get(kvo) != simdjson::SUCCESS) {
            return Expected("kvlistValue.values[]", "a {key, value} object", kv);
        }
        Attribute& a = members.emplace_back();
        JsonElement key, value;
        if (JsonMember(kvo, "key", key)) {
            if (std::string err = JsonString(key, "key", a.key); !err.empty()) return err;
        }
        if (JsonMember(kvo, "value", value)) {
            if (std::string err = JsonAnyValue(value, depth + 1, a.value); !err.empty()) return err;
        }
    }
    Dynamic::Object object;
    object.reserve(members.size());
    for (auto& m : members) object.emplace_back(std::move(m.key), std::move(m.value));
    out = Dynamic::MakeObject(std::move(object));
    return {};
}

std::string JsonAttributes(const JsonElement& e, Attributes& out) {
    JsonArray list;
    if (std::string err = JsonArrayOf(e, "attributes", list); !err.empty()) return err;
    out.reserve(out.size() + list.size());
    for (JsonElement kv : list) {
        JsonObject kvo;
        if (kv.get_object().get(kvo) != simdjson::SUCCESS) {
            return Expected("attributes[]", "a {key, value} object", kv);
        }
        Attribute& a = out.emplace_back();
        JsonElement key, value;
        if (JsonMember(kvo, "key", key)) {
            if (std::string err = JsonString(key, "key", a.key); !err.empty()) return err;
        }
        if (JsonMember(kvo, "value", value)) {
            if (std::string err = JsonAnyValue(value, 0, a.value); !err.empty()) {
                return "attribute '" + a.key + "': " + err;
            }
        }
    }
    return {};
}

}  // namespace calypso::ingest::internal
