#include "kql/functions/scalar.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "core/time.h"
#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/scalar_extra.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Args = std::vector<const BoundExpr*>;

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

Status ArgTypeError(std::string_view fn, size_t i, std::string_view want, Type got, SourcePos pos) {
    return Status::SemanticError("argument " + std::to_string(i + 1) + " of " + std::string(fn) +
                                     "() must be " + std::string(want) + ", got " + TypeStr(got),
                                 pos);
}

// A conversion function to `to`.
ScalarFunction Converter(Type to) {
    return {1, 1, [to](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                BoundCall c;
                c.type = to;
                c.kernel = [to](const std::vector<Vec>& a, size_t n) {
                    return CastVec(a[0], to, n);
                };
                return c;
            }};
}

// A string -> string function applied per row.
template <typename F>
ScalarFunction StringMap(F f) {
    return {1, 1, [f](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                BoundCall c;
                c.type = Type::kString;
                c.kernel = [f](const std::vector<Vec>& a, size_t n) {
                    Vec s = CastVec(a[0], Type::kString, n);
                    core::Column out(Type::kString);
                    out.Reserve(n);
                    for (size_t i = 0; i < n; ++i) out.AppendString(f(s.Str(i)));
                    return Vec::Own(std::move(out));
                };
                return c;
            }};
}

// A predicate over one argument.
template <typename F>
ScalarFunction Predicate(F f) {
    return {1, 1, [f](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                BoundCall c;
                c.type = Type::kBool;
                c.kernel = [f](const std::vector<Vec>& a, size_t n) {
                    return BoolLoop(n, [&](size_t i) { return f(a[0], i); });
                };
                return c;
            }};
}

bool IsEmptyValue(const Vec& v, size_t i) {
    if (IsStringy(v.type())) return v.Str(i).empty();
    if (v.type() == Type::kDynamic) {
        const core::Dynamic& d = v.Dyn(i);
        return d.is_null() || (d.kind() == core::Dynamic::Kind::kString && d.as_string().empty());
    }
    return v.IsNull(i);
}

bool IsNullValue(const Vec& v, size_t i) {
    // Strings are never null; a guid is (toguid("x")), its validity says so.
    if (v.type() == Type::kString) return false;
    if (v.type() == Type::kDynamic) return v.Dyn(i).is_null();
    return v.IsNull(i);
}

Result<BoundCall> BindBin(const Args& args, const BindContext&, SourcePos pos) {
    Type t = args[0]->type;
    Type s = args[1]->type;
    bool ok = ((IsNumeric(t) || t == Type::kNull || t == Type::kDynamic) && IsNumeric(s)) ||
              ((t == Type::kDatetime || t == Type::kTimespan || t == Type::kNull) &&
               s == Type::kTimespan);
    if (!ok) {
        return Status::SemanticError("bin() cannot round " + TypeStr(t) + " by " + TypeStr(s), pos);
    }
    Type out = t == Type::kInt ? Type::kLong : t == Type::kDynamic ? Type::kReal : t;
    if (out == Type::kNull) out = Type::kLong;
    BoundCall c;
    c.type = out;
    c.kernel = [out](const std::vector<Vec>& a, size_t n) {
        Vec v = CastVec(a[0], out, n);
        const Vec& size = a[1];
        // The common case, bin(timestamp, 1h): integer ticks by a positive constant.
        if (!v.is_const() && size.is_const() && !size.IsNull(0) &&
            core::PhysicalOf(out) == core::Physical::kInt64 &&
            core::PhysicalOf(size.type()) == core::Physical::kInt64 && size.I64(0) > 0) {
            const int64_t step = size.I64(0);
            const auto in = v.column().int64s();
            std::vector<int64_t> values(n);
            // Rows in time order mostly fall in the previous row's bin: no division then.
            int64_t lo = 1, hi = 0;  // the last bin, [lo, hi]; empty at first
            for (size_t i = 0; i < n; ++i) {
                const int64_t x = in[i];
                if (x < lo || x > hi) {
                    int64_t q = x / step;
                    if (x % step != 0 && x < 0) --q;
                    lo = q * step;
                    hi = lo > INT64_MAX - (step - 1) ? INT64_MAX : lo + (step - 1);
                }
                values[i] = lo;
            }
            const auto valid = v.column().validity();
            return Vec::Own(core::Column::FromInt64s(
                out, std::move(values), std::vector<uint8_t>(valid.begin(), valid.end())));
        }
        core::Column col(out);
        col.Reserve(n);
        bool real = core::PhysicalOf(out) == core::Physical::kDouble ||
                    core::PhysicalOf(size.type()) == core::Physical::kDouble;
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i) || size.IsNull(i)) {
                col.AppendNull();
                continue;
            }
            if (real) {
                double step = size.F64(i);
                if (step <= 0) {
                    col.AppendNull();
                    continue;
                }
                double r = std::floor(v.F64(i) / step) * step;
                if (core::PhysicalOf(out) == core::Physical::kDouble) {
                    col.AppendDouble(r);
                } else {
                    col.AppendInt64(static_cast<int64_t>(r));
                }
                continue;
            }
            int64_t step = size.I64(i);
            if (step <= 0) {
                col.AppendNull();
                continue;
            }
            int64_t x = v.I64(i);
            int64_t q = x / step;
            if (x % step != 0 && x < 0) --q;
            col.AppendInt64(q * step);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindIff(const Args& args, const BindContext&, SourcePos pos) {
    Type ct = args[0]->type;
    if (ct != Type::kBool && ct != Type::kDynamic && ct != Type::kNull) {
        return ArgTypeError("iff", 0, "bool", ct, pos);
    }
    Type a = args[1]->type, b = args[2]->type;
    Type out = a;
    if (a == Type::kNull) {
        out = b;
    } else if (b != Type::kNull && a != b) {
        if (IsNumeric(a) && IsNumeric(b)) {
            out = (a == Type::kReal || b == Type::kReal) ? Type::kReal : Type::kLong;
        } else if (!(IsStringy(a) && IsStringy(b))) {
            return Status::SemanticError(
                "iff() branches have different types: " + TypeStr(a) + " and " + TypeStr(b), pos);
        }
    }
    if (out == Type::kNull) out = Type::kString;
    BoundCall c;
    c.type = out;
    c.kernel = [out](const std::vector<Vec>& v, size_t n) {
        Vec cond = CastVec(v[0], Type::kBool, n);
        Vec x = CastVec(v[1], out, n);
        Vec y = CastVec(v[2], out, n);
        core::Column col(out);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            bool take = !cond.IsNull(i) && cond.I64(i) != 0;
            const Vec& src = take ? x : y;
            if (src.is_const()) {
                col.Append(src.constant());
            } else {
                col.AppendFrom(src.column(), i);
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindStrcat(const Args&, const BindContext&, SourcePos) {
    BoundCall c;
    c.type = Type::kString;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        std::vector<Vec> s;
        for (const auto& a : v) s.push_back(CastVec(a, Type::kString, n));
        core::Column col(Type::kString);
        col.Reserve(n);
        std::string buf;
        for (size_t i = 0; i < n; ++i) {
            buf.clear();
            for (const auto& a : s) buf += a.Str(i);
            col.AppendString(buf);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindSplit(const Args& args, const BindContext&, SourcePos pos) {
    if (args.size() == 3 && !IsIntegral(args[2]->type)) {
        return ArgTypeError("split", 2, "long", args[2]->type, pos);
    }
    BoundCall c;
    c.type = Type::kDynamic;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        Vec s = CastVec(v[0], Type::kString, n);
        Vec d = CastVec(v[1], Type::kString, n);
        core::Column col(Type::kDynamic);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            std::string_view str = s.Str(i), delim = d.Str(i);
            core::Dynamic::Array parts;
            if (delim.empty()) {
                parts.push_back(core::Dynamic::String(std::string(str)));
            } else {
                size_t start = 0;
                while (true) {
                    size_t p = str.find(delim, start);
                    parts.push_back(
                        core::Dynamic::String(std::string(str.substr(start, p - start))));
                    if (p == std::string_view::npos) break;
                    start = p + delim.size();
                }
            }
            if (v.size() == 3) {
                if (v[2].IsNull(i)) {
                    col.AppendNull();
                    continue;
                }
                int64_t k = v[2].I64(i);
                core::Dynamic::Array one;
                if (k >= 0 && static_cast<size_t>(k) < parts.size()) {
                    one.push_back(parts[static_cast<size_t>(k)]);
                }
                col.AppendDynamic(core::Dynamic::MakeArray(std::move(one)));
                continue;
            }
            col.AppendDynamic(core::Dynamic::MakeArray(std::move(parts)));
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> LongOf(std::function<bool(const Vec&, size_t, int64_t&)> f) {
    BoundCall c;
    c.type = Type::kLong;
    c.kernel = [f](const std::vector<Vec>& v, size_t n) {
        core::Column col(Type::kLong);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            int64_t x = 0;
            if (f(v[0], i, x)) {
                col.AppendInt64(x);
            } else {
                col.AppendNull();
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindSubstring(const Args& args, const BindContext&, SourcePos pos) {
    for (size_t i = 1; i < args.size(); ++i) {
        if (!IsIntegral(args[i]->type))
            return ArgTypeError("substring", i, "long", args[i]->type, pos);
    }
    BoundCall c;
    c.type = Type::kString;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        Vec s = CastVec(v[0], Type::kString, n);
        core::Column col(Type::kString);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            std::string_view str = s.Str(i);
            int64_t len = static_cast<int64_t>(str.size());
            int64_t start = v[1].IsNull(i) ? 0 : v[1].I64(i);
            if (start < 0) start = std::max<int64_t>(0, len + start);
            start = std::min(start, len);
            int64_t count = v.size() > 2 && !v[2].IsNull(i) ? v[2].I64(i) : len - start;
            count = std::clamp<int64_t>(count, 0, len - start);
            col.AppendString(str.substr(static_cast<size_t>(start), static_cast<size_t>(count)));
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> NowPlus(const Args& args, const BindContext& ctx, SourcePos pos, int sign) {
    if (!args.empty() && args[0]->type != Type::kTimespan) {
        return ArgTypeError(sign > 0 ? "now" : "ago", 0, "timespan", args[0]->type, pos);
    }
    int64_t now = ctx.now_ticks;
    BoundCall c;
    c.type = Type::kDatetime;
    c.kernel = [now, sign](const std::vector<Vec>& v, size_t n) {
        core::Column col(Type::kDatetime);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            if (v.empty()) {
                col.AppendInt64(now);
            } else if (v[0].IsNull(i)) {
                col.AppendNull();
            } else {
                col.AppendInt64(now + sign * v[0].I64(i));
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

const std::map<std::string, ScalarFunction, std::less<>>& Registry() {
    static const auto* registry = [] {
        auto* m = new std::map<std::string, ScalarFunction, std::less<>>();
        auto& r = *m;
        r["tostring"] = Converter(Type::kString);
        r["toint"] = Converter(Type::kInt);
        r["tolong"] = Converter(Type::kLong);
        r["todouble"] = Converter(Type::kReal);
        r["toreal"] = Converter(Type::kReal);
        r["todatetime"] = Converter(Type::kDatetime);
        r["totimespan"] = Converter(Type::kTimespan);
        r["tobool"] = Converter(Type::kBool);
        r["toboolean"] = Converter(Type::kBool);
        r["todynamic"] = {
            1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                BoundCall c;
                c.type = Type::kDynamic;
                c.kernel = [](const std::vector<Vec>& v, size_t n) {
                    if (v[0].type() != Type::kString) return CastVec(v[0], Type::kDynamic, n);
                    core::Column col(Type::kDynamic);
                    for (size_t i = 0; i < n; ++i) {
                        std::string_view text = v[0].Str(i);
                        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
                            // An empty (or blank) text is null, as gettype(parse_json('')) shows.
                            col.AppendNull();
                            continue;
                        }
                        auto d = core::Dynamic::Parse(text);
                        if (d.ok()) {
                            col.AppendDynamic(*d);
                        } else {
                            col.AppendDynamic(core::Dynamic::String(std::string(v[0].Str(i))));
                        }
                    }
                    return Vec::Own(std::move(col));
                };
                return c;
            }};
        r["parse_json"] = r["todynamic"];
        r["tolower"] = StringMap([](std::string_view s) { return Lower(s); });
        r["toupper"] = StringMap([](std::string_view s) {
            std::string out(s);
            for (char& ch : out)
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            return out;
        });
        r["strlen"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                           BoundCall c;
                           c.type = Type::kLong;
                           c.kernel = [](const std::vector<Vec>& v, size_t n) {
                               Vec s = CastVec(v[0], Type::kString, n);
                               core::Column col(Type::kLong);
                               col.Reserve(n);
                               for (size_t i = 0; i < n; ++i) {
                                   // Counts UTF-8 code points.
                                   int64_t count = 0;
                                   for (char ch : s.Str(i)) {
                                       count += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
                                   }
                                   col.AppendInt64(count);
                               }
                               return Vec::Own(std::move(col));
                           };
                           return c;
                       }};
        r["isempty"] = Predicate(IsEmptyValue);
        r["isnotempty"] = Predicate([](const Vec& v, size_t i) { return !IsEmptyValue(v, i); });
        r["isnull"] = Predicate(IsNullValue);
        r["isnotnull"] = Predicate([](const Vec& v, size_t i) { return !IsNullValue(v, i); });
        r["not"] = {
            1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                if (a[0]->type != Type::kBool && a[0]->type != Type::kDynamic) {
                    return ArgTypeError("not", 0, "bool", a[0]->type, pos);
                }
                BoundCall c;
                c.type = Type::kBool;
                c.kernel = [](const std::vector<Vec>& v, size_t n) {
                    Vec b = CastVec(v[0], Type::kBool, n);
                    return BoolLoop(n, [&](size_t i) { return !b.IsNull(i) && b.I64(i) == 0; });
                };
                return c;
            }};
        r["bin"] = {2, 2, BindBin};
        r["floor"] = r["bin"];
        r["iff"] = {3, 3, BindIff};
        r["iif"] = r["iff"];
        r["strcat"] = {1, 64, BindStrcat};
        r["split"] = {2, 3, BindSplit};
        r["substring"] = {2, 3, BindSubstring};
        r["now"] = {0, 1, [](const Args& a, const BindContext& ctx, SourcePos pos) {
                        return NowPlus(a, ctx, pos, 1);
                    }};
        r["ago"] = {1, 1, [](const Args& a, const BindContext& ctx, SourcePos pos) {
                        return NowPlus(a, ctx, pos, -1);
                    }};
        r["array_length"] = {1, 1, [](const Args&, const BindContext&, SourcePos) {
                                 return LongOf([](const Vec& v, size_t i, int64_t& out) {
                                     if (v.type() != Type::kDynamic) return false;
                                     const core::Dynamic& d = v.Dyn(i);
                                     if (d.kind() != core::Dynamic::Kind::kArray) return false;
                                     out = static_cast<int64_t>(d.as_array().size());
                                     return true;
                                 });
                             }};
        r["startofday"] = {
            1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                if (a[0]->type != Type::kDatetime)
                    return ArgTypeError("startofday", 0, "datetime", a[0]->type, pos);
                BoundCall c;
                c.type = Type::kDatetime;
                c.kernel = [](const std::vector<Vec>& v, size_t n) {
                    core::Column col(Type::kDatetime);
                    col.Reserve(n);
                    for (size_t i = 0; i < n; ++i) {
                        if (v[0].IsNull(i)) {
                            col.AppendNull();
                            continue;
                        }
                        int64_t t = v[0].I64(i);
                        int64_t q = t / core::kTicksPerDay;
                        if (t % core::kTicksPerDay != 0 && t < 0) --q;
                        col.AppendInt64(q * core::kTicksPerDay);
                    }
                    return Vec::Own(std::move(col));
                };
                return c;
            }};
        AddExtraScalarFunctions(r);
        AddWindowFunctions(r);
        AddDatetimeFunctions(r);
        AddMoreStringFunctions(r);
        AddTextFunctions(r);
        AddMathFunctions(r);
        AddDynamicFunctions(r);
        AddMiscFunctions(r);
        AddArrayBagFunctions(r);
        AddEncodingFunctions(r);
        AddTimezoneFunctions(r);
        AddSeriesFilters(r);
        AddArrayMoreFunctions(r);
        AddBitFunctions(r);
        AddDigestFunctions(r);
        AddIpv4Functions(r);
        AddFormatBytes(r);
        AddUrlTextFunctions(r);
        AddSeriesFit(r);
        return m;
    }();
    return *registry;
}

}  // namespace

const ScalarFunction* FindScalarFunction(std::string_view name) {
    const auto& r = Registry();
    auto it = r.find(name);
    return it == r.end() ? nullptr : &it->second;
}

std::vector<std::string_view> ScalarFunctionNames() {
    std::vector<std::string_view> out;
    for (const auto& [name, fn] : Registry()) out.push_back(name);
    return out;
}

}  // namespace calypso::kql::functions
