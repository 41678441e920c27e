#pragma once

#include <string>
#include <string_view>

#include "core/column.h"
#include "core/dynamic.h"
#include "core/time.h"
#include "core/types.h"

namespace calypso::kql::testing {

// One cell as the golden files show it: null as `null`, the empty string as `""`,
// reals in shortest round-trip form (NaN as `NaN`), datetimes ISO 8601, timespans
// [d.]hh:mm:ss[.fffffff], dynamic as compact JSON; newlines and '|' escaped.
inline std::string FormatCell(const core::Column& c, size_t i) {
    core::Type t = c.type();
    auto phys = core::PhysicalOf(t);
    // Strings are never null; guids are.
    if ((phys != core::Physical::kString || t == core::Type::kGuid) && c.IsNull(i)) return "null";
    std::string out;
    switch (t) {
        case core::Type::kBool:
            return c.int64_at(i) ? "true" : "false";
        case core::Type::kInt:
        case core::Type::kLong:
            return std::to_string(c.int64_at(i));
        case core::Type::kReal:
        case core::Type::kDecimal: {
            double d = c.double_at(i);
            if (d != d) return "NaN";
            if (d > 1.7976931348623157e308) return "Infinity";
            if (d < -1.7976931348623157e308) return "-Infinity";
            core::AppendJsonDouble(out, d);
            return out;
        }
        case core::Type::kDatetime:
            return core::FormatDatetime(c.int64_at(i));
        case core::Type::kTimespan:
            return core::FormatTimespan(c.int64_at(i));
        case core::Type::kDynamic:
            return c.dynamic_at(i).ToJson();
        case core::Type::kString:
        case core::Type::kGuid: {
            std::string_view s = c.string_at(i);
            if (s.empty()) return "\"\"";
            for (char ch : s) {
                if (ch == '\n') {
                    out += "\\n";
                } else if (ch == '|') {
                    out += "\\|";
                } else {
                    out += ch;
                }
            }
            return out;
        }
        case core::Type::kNull:
            return "null";
    }
    return out;
}

inline std::string FormatHeader(const core::Schema& s) {
    std::string out;
    for (size_t i = 0; i < s.fields.size(); ++i) {
        if (i) out += "; ";
        out += s.fields[i].name + ":" + std::string(core::TypeName(s.fields[i].type));
    }
    return out;
}

inline std::string FormatRow(const core::Batch& b, size_t r) {
    std::string out;
    for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c) out += " | ";
        out += FormatCell(b.columns[c], r);
    }
    return out;
}

}  // namespace calypso::kql::testing
