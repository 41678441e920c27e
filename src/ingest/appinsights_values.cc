#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/time.h"
#include "ingest/appinsights_internal.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;
using simdjson::dom::element_type;

template <typename Int>
void AppendInt(std::string& out, Int v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

bool AsText(const element& e, std::string& scratch, std::string_view& out) {
    switch (e.type()) {
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) != simdjson::SUCCESS) return false;
            out = s;
            return true;
        }
        case element_type::NULL_VALUE:
            return false;
        case element_type::BOOL: {
            bool b = false;
            if (e.get_bool().get(b) != simdjson::SUCCESS) return false;
            out = b ? "true" : "false";
            return true;
        }
        case element_type::INT64: {
            int64_t v = 0;
            if (e.get_int64().get(v) != simdjson::SUCCESS) return false;
            scratch.clear();
            AppendInt(scratch, v);
            break;
        }
        case element_type::UINT64: {
            uint64_t v = 0;
            if (e.get_uint64().get(v) != simdjson::SUCCESS) return false;
            scratch.clear();
            AppendInt(scratch, v);
            break;
        }
        case element_type::DOUBLE: {
            double v = 0;
            if (e.get_double().get(v) != simdjson::SUCCESS) return false;
            scratch.clear();
            core::AppendJsonDouble(scratch, v);
            break;
        }
        case element_type::ARRAY:
        case element_type::OBJECT:
            scratch = simdjson::minify(e);
            break;
    }
    out = scratch;
    return true;
}

bool TextField(const object& o, std::string_view key, std::string& scratch, std::string_view& out) {
    element e;
    return Field(o, key, e) && AsText(e, scratch, out) && !out.empty();
}

bool AsDouble(const element& e, double& out) {
    switch (e.type()) {
        case element_type::INT64: {
            int64_t v = 0;
            if (e.get_int64().get(v) != simdjson::SUCCESS) return false;
            out = static_cast<double>(v);
            return true;
        }
        case element_type::UINT64: {
            uint64_t v = 0;
            if (e.get_uint64().get(v) != simdjson::SUCCESS) return false;
            out = static_cast<double>(v);
            return true;
        }
        case element_type::DOUBLE:
            return e.get_double().get(out) == simdjson::SUCCESS;
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) != simdjson::SUCCESS || s.empty()) return false;
            const char* end = s.data() + s.size();
            auto r = std::from_chars(s.data(), end, out);
            return r.ec == std::errc() && r.ptr == end;
        }
        default:
            return false;
    }
}

bool DoubleField(const object& o, std::string_view key, double& out) {
    element e;
    return Field(o, key, e) && AsDouble(e, out);
}

Dynamic ToDynamic(const array& a) {
    Dynamic::Array items;
    items.reserve(a.size());
    for (element item : a) items.push_back(ToDynamic(item));
    return Dynamic::MakeArray(std::move(items));
}

Dynamic ToDynamic(const element& e) {
    switch (e.type()) {
        case element_type::ARRAY: {
            array a;
            if (e.get_array().get(a) != simdjson::SUCCESS) return {};
            return ToDynamic(a);
        }
        case element_type::OBJECT: {
            object o;
            if (e.get_object().get(o) != simdjson::SUCCESS) return {};
            Dynamic::Object members;
            members.reserve(o.size());
            for (auto kv : o) members.emplace_back(std::string(kv.key), ToDynamic(kv.value));
            return Dynamic::MakeObject(std::move(members));
        }
        case element_type::INT64: {
            int64_t v = 0;
            return e.get_int64().get(v) == simdjson::SUCCESS ? Dynamic::Long(v) : Dynamic();
        }
        case element_type::UINT64: {
            uint64_t v = 0;
            if (e.get_uint64().get(v) != simdjson::SUCCESS) return {};
            return Dynamic::Real(static_cast<double>(v));
        }
        case element_type::DOUBLE: {
            double v = 0;
            return e.get_double().get(v) == simdjson::SUCCESS ? Dynamic::Real(v) : Dynamic();
        }
        case element_type::STRING: {
            std::string_view s;
            if (e.get_string().get(s) != simdjson::SUCCESS) return {};
            return Dynamic::String(std::string(s));
        }
        case element_type::BOOL: {
            bool b = false;
            return e.get_bool().get(b) == simdjson::SUCCESS ? Dynamic::Bool(b) : Dynamic();
        }
        case element_type::NULL_VALUE:
            return {};
    }
    return {};
}

void PropertyList::Collect(const object& base) {
    items.clear();
    texts.clear();
    object props;
    if (!ObjectField(base, "properties", props)) return;
    texts.reserve(props.size());  // never reallocated: the views into it stay valid
    for (auto kv : props) {
        if (kv.key.empty() || kv.value.is_null()) continue;
        if (items.size() == kMaxProperties) {
            ++tl_truncations;
            break;
        }
        std::string_view text;
        if (kv.value.get_string().get(text) != simdjson::SUCCESS) {
            texts.emplace_back();
            std::string scratch;
            if (!AsText(kv.value, scratch, text)) continue;
            texts.back().assign(text);
            text = texts.back();
        }
        items.emplace_back(Truncate(kv.key, kMaxPropertyKey), Truncate(text, kMaxPropertyValue));
    }
}

Dynamic Measurements(const object& base) {
    object m;
    if (!ObjectField(base, "measurements", m)) return {};
    Dynamic::Object members;
    members.reserve(m.size());
    for (auto kv : m) {
        double v = 0;
        if (kv.key.empty() || !AsDouble(kv.value, v)) continue;
        if (members.size() == kMaxProperties) {
            ++tl_truncations;
            break;
        }
        members.emplace_back(std::string(Truncate(kv.key, kMaxPropertyKey)), Dynamic::Real(v));
    }
    if (members.empty()) return {};
    return Dynamic::MakeObject(std::move(members));
}

int64_t Severity(const object& base) {
    element e;
    if (!Field(base, "severityLevel", e)) return -1;
    if (e.type() == element_type::STRING) {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS) return -1;
        static constexpr std::array<std::string_view, 5> kNames = {"Verbose", "Information",
                                                                   "Warning", "Error", "Critical"};
        for (size_t i = 0; i < kNames.size(); ++i) {
            if (IEquals(s, kNames[i])) return static_cast<int64_t>(i);
        }
    }
    double v = 0;
    if (!AsDouble(e, v) || std::isnan(v)) return -1;
    return static_cast<int64_t>(std::clamp(v, 0.0, 4.0));
}

int Duration(const object& base, double& ms) {
    element e;
    if (!Field(base, "duration", e)) return 0;
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS && s.find(':') != std::string_view::npos) {
        auto ticks = core::ParseDotNetTimespan(s);
        if (!ticks.ok()) return -1;
        ms = static_cast<double>(*ticks) / static_cast<double>(core::kTicksPerMillisecond);
        return 1;
    }
    return AsDouble(e, ms) && std::isfinite(ms) ? 1 : -1;
}

std::string_view PerformanceBucket(double ms) {
    if (ms < 250) return "<250ms";
    if (ms < 500) return "250ms-500ms";
    if (ms < 1000) return "500ms-1sec";
    if (ms < 3000) return "1sec-3sec";
    if (ms < 7000) return "3sec-7sec";
    if (ms < 15000) return "7sec-15sec";
    if (ms < 30000) return "15sec-30sec";
    if (ms < 60000) return "30sec-1min";
    if (ms < 120000) return "1min-2min";
    if (ms < 300000) return "2min-5min";
    return ">=5min";
}

std::string_view Success(const object& base) {
    element e;
    if (!Field(base, "success", e)) return {};
    bool b = false;
    if (e.get_bool().get(b) == simdjson::SUCCESS) return b ? "True" : "False";
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
        if (IEquals(s, "true")) return "True";
        if (IEquals(s, "false")) return "False";
    }
    return {};
}

std::string Required(std::string_view field, std::string_view type) {
    std::string m = "Field '";
    m += field;
    m += "' on type '";
    m += type;
    m += "' is required but missing or empty";
    return m;
}

}  // namespace calypso::ingest::internal
