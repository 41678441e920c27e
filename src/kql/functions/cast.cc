#include "kql/functions/cast.h"

#include <charconv>
#include <cmath>
#include <string>

#include "core/dynamic.h"
#include "core/number_text.h"
#include "core/time.h"
#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

using core::Type;

std::string RealToString(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    std::string s;
    core::AppendJsonDouble(s, d);
    return s;
}

core::Dynamic ToDynamic(const Vec& v, size_t i) {
    if (v.IsNull(i) && v.type() != Type::kString) return {};
    switch (v.type()) {
        case Type::kBool:
            return core::Dynamic::Bool(v.I64(i) != 0);
        case Type::kInt:
        case Type::kLong:
            return core::Dynamic::Long(v.I64(i));
        case Type::kReal:
        case Type::kDecimal:
            return core::Dynamic::Real(v.F64(i));
        case Type::kString:
        case Type::kGuid:
            return core::Dynamic::String(std::string(v.Str(i)));
        case Type::kDatetime:
            return core::Dynamic::String(core::FormatDatetime(v.I64(i)));
        case Type::kTimespan:
            return core::Dynamic::String(core::FormatTimespan(v.I64(i)));
        case Type::kDynamic:
            return v.Dyn(i);
        case Type::kNull:
            return {};
    }
    return {};
}

std::string ToText(const Vec& v, size_t i) {
    if (v.type() == Type::kDynamic) return v.Dyn(i).is_null() ? "" : v.Dyn(i).ToText();
    if (IsStringy(v.type())) return std::string(v.Str(i));
    if (v.IsNull(i)) return "";
    switch (v.type()) {
        case Type::kBool:
            return v.I64(i) ? "true" : "false";
        case Type::kInt:
        case Type::kLong:
            return std::to_string(v.I64(i));
        case Type::kReal:
        case Type::kDecimal:
            return RealToString(v.F64(i));
        case Type::kDatetime:
            return core::FormatDatetime(v.I64(i));
        case Type::kTimespan:
            return core::FormatTimespan(v.I64(i));
        default:
            return "";
    }
}

bool ParseLong(std::string_view s, int64_t& out) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size()) return !s.empty();
    double d = 0;
    auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec2 == std::errc() && p2 == s.data() + s.size() && std::isfinite(d)) {
        out = static_cast<int64_t>(d);
        return true;
    }
    return false;
}

bool ParseReal(std::string_view s, double& out) { return core::ParseRealText(s, out); }

// Converts one row to int64 for an integral/tick target; false means null.
bool ToInt64(const Vec& v, size_t i, Type to, int64_t& out) {
    Type from = v.type();
    if (from == Type::kDynamic) {
        const core::Dynamic& d = v.Dyn(i);
        switch (d.kind()) {
            case core::Dynamic::Kind::kLong:
                out = d.as_long();
                return true;
            case core::Dynamic::Kind::kReal:
                if (!std::isfinite(d.as_real())) return false;
                out = static_cast<int64_t>(d.as_real());
                return true;
            case core::Dynamic::Kind::kBool:
                out = d.as_bool() ? 1 : 0;
                return true;
            case core::Dynamic::Kind::kString: {
                Vec tmp = Vec::Const(core::Value::String(d.as_string()), Type::kString);
                return ToInt64(tmp, 0, to, out);
            }
            default:
                return false;
        }
    }
    if (IsStringy(from)) {
        std::string_view s = v.Str(i);
        if (to == Type::kDatetime) {
            auto r = core::ParseDatetime(s);
            if (!r.ok()) return false;
            out = *r;
            return true;
        }
        if (to == Type::kTimespan) {
            auto r = core::ParseDotNetTimespan(s);
            if (!r.ok()) return false;
            out = *r;
            return true;
        }
        if (to == Type::kBool) {
            std::string l = Lower(s);
            if (l == "true" || l == "1") {
                out = 1;
                return true;
            }
            if (l == "false" || l == "0") {
                out = 0;
                return true;
            }
            return false;
        }
        return ParseLong(s, out);
    }
    if (v.IsNull(i)) return false;
    if (from == Type::kReal || from == Type::kDecimal) {
        double d = v.F64(i);
        if (!std::isfinite(d)) return false;
        out = to == Type::kBool ? (d != 0) : static_cast<int64_t>(d);
        return true;
    }
    if (from == Type::kNull) return false;
    // Integral or ticks: datetime->long gives ticks, long->datetime is not defined.
    if (to == Type::kDatetime && from != Type::kDatetime) return false;
    out = v.I64(i);
    if (to == Type::kBool) out = out != 0;
    if (to == Type::kInt) out = static_cast<int32_t>(out);
    return true;
}

bool ToDouble(const Vec& v, size_t i, double& out) {
    Type from = v.type();
    if (from == Type::kDynamic) return core::DynamicToReal(v.Dyn(i), out);
    if (IsStringy(from)) return ParseReal(v.Str(i), out);
    if (v.IsNull(i) || from == Type::kNull) return false;
    out = v.F64(i);
    return true;
}

}  // namespace

Vec CastVec(const Vec& v, Type to, size_t rows) {
    Type from = v.type();
    // A guid becomes text through the general path below, so a null guid reads "".
    if (from == to || (IsStringy(from) && to == Type::kGuid)) return v;
    if (v.is_const()) {
        return Vec::Const(CastValue(v.constant(), to), to);
    }
    // Widening an int to a long changes no value: relabel the shared data.
    if (from == Type::kInt && to == Type::kLong) return Vec::Own(v.column().Retyped(to));
    if ((from == Type::kInt || from == Type::kLong) && to == Type::kReal) {
        const auto in = v.column().int64s();
        std::vector<double> values(rows);
        for (size_t i = 0; i < rows; ++i) values[i] = static_cast<double>(in[i]);
        const auto valid = v.column().validity();
        return Vec::Own(core::Column::FromDoubles(
            to, std::move(values), std::vector<uint8_t>(valid.begin(), valid.end())));
    }
    core::Column out(to);
    out.Reserve(rows);
    switch (core::PhysicalOf(to)) {
        case core::Physical::kString:
            for (size_t i = 0; i < rows; ++i) out.AppendString(ToText(v, i));
            break;
        case core::Physical::kDynamic:
            for (size_t i = 0; i < rows; ++i) {
                core::Dynamic d = ToDynamic(v, i);
                if (d.is_null()) {
                    out.AppendNull();
                } else {
                    out.AppendDynamic(std::move(d));
                }
            }
            break;
        case core::Physical::kDouble:
            for (size_t i = 0; i < rows; ++i) {
                double d = 0;
                if (ToDouble(v, i, d)) {
                    out.AppendDouble(d);
                } else {
                    out.AppendNull();
                }
            }
            break;
        case core::Physical::kInt64:
            for (size_t i = 0; i < rows; ++i) {
                int64_t x = 0;
                if (ToInt64(v, i, to, x)) {
                    out.AppendInt64(x);
                } else {
                    out.AppendNull();
                }
            }
            break;
        case core::Physical::kNone:
            for (size_t i = 0; i < rows; ++i) out.AppendNull();
            break;
    }
    return Vec::Own(std::move(out));
}

core::Value CastValue(const core::Value& v, Type to) {
    Type from = v.type();
    if (from == to) return v;
    if (from == Type::kNull || (v.is_null() && from != Type::kString)) {
        return to == Type::kString ? core::Value::String("") : core::Value::Null(to);
    }
    core::Column c(from);
    c.Append(v);
    Vec in = Vec::Own(std::move(c));
    Vec out = CastVec(in, to, 1);
    return out.Get(0);
}

}  // namespace calypso::kql::functions
