// Math (ceiling, sign, trigonometry, isnan/isinf/isfinite, pi), max_of/min_of, and the
// date/time builders (make_datetime, make_timespan, unixtime_*_todatetime).
#include <cmath>
#include <numbers>
#include <string>

#include "core/time.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

Status NeedNumbers(std::string_view fn, const Args& a, SourcePos pos) {
    for (size_t i = 0; i < a.size(); ++i) {
        Type t = a[i]->type;
        if (!IsNumeric(t) && t != Type::kNull && t != Type::kDynamic && t != Type::kBool) {
            return Status::SemanticError("argument " + std::to_string(i + 1) + " of " +
                                             std::string(fn) + "() must be a number, got " +
                                             std::string(core::TypeName(t)),
                                         pos);
        }
    }
    return Status::Ok();
}

// A real -> real function of `n` arguments (nulls give null).
template <typename F>
ScalarFunction RealMath(std::string fn, int n, F f) {
    return {n, n, [fn, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(NeedNumbers(fn, a, pos));
                return RowCall(Type::kReal, Type::kReal, [f](const Vecs& v, size_t i) {
                    for (const auto& x : v) {
                        if (x.IsNull(i)) return Value::Null(Type::kReal);
                    }
                    if constexpr (std::is_invocable_v<F, double>) {
                        return Value::Real(f(v[0].F64(i)));
                    } else {
                        return Value::Real(f(v[0].F64(i), v[1].F64(i)));
                    }
                });
            }};
}

// A predicate on a real (null gives null).
template <typename F>
ScalarFunction RealTest(std::string fn, F f) {
    return {1, 1, [fn, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(NeedNumbers(fn, a, pos));
                return RowCall(Type::kBool, Type::kReal, [f](const Vecs& v, size_t i) {
                    if (v[0].IsNull(i)) return Value::Null(Type::kBool);
                    return Value::Bool(f(v[0].F64(i)));
                });
            }};
}

// The type max_of/min_of compare in: numbers widen to long or real; otherwise all
// arguments must share one type.
Result<Type> CommonType(std::string_view fn, const Args& a, SourcePos pos) {
    Type out = Type::kNull;
    for (const auto* e : a) {
        Type t = e->type == Type::kInt ? Type::kLong : e->type;
        if (t == Type::kNull || t == out) continue;
        if (out == Type::kNull) {
            out = t;
        } else if (IsNumeric(out) && IsNumeric(t)) {
            out = Type::kReal;
        } else {
            return Status::SemanticError(std::string(fn) + "() arguments have different types: " +
                                             std::string(core::TypeName(out)) + " and " +
                                             std::string(core::TypeName(t)),
                                         pos);
        }
    }
    return out == Type::kNull ? Type::kLong : out;
}

ScalarFunction Extreme(bool is_max) {
    return {2, 64,
            [is_max](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                std::string fn = is_max ? "max_of" : "min_of";
                ASSIGN_OR_RETURN(Type t, CommonType(fn, a, pos));
                if (t == Type::kDynamic || t == Type::kBool) {
                    return Status::SemanticError(fn + "() cannot compare " +
                                                     std::string(core::TypeName(t)) + " values",
                                                 pos);
                }
                // Nulls are skipped; all null gives null.
                return RowCall(t, t, [t, is_max](const Vecs& v, size_t i) {
                    std::optional<size_t> best;
                    auto phys = core::PhysicalOf(t);
                    for (size_t k = 0; k < v.size(); ++k) {
                        if (phys != core::Physical::kString && v[k].IsNull(i)) continue;
                        if (!best) {
                            best = k;
                            continue;
                        }
                        const Vec& x = v[k];
                        const Vec& b = v[*best];
                        bool better = false;
                        if (phys == core::Physical::kString) {
                            better = is_max ? x.Str(i) > b.Str(i) : x.Str(i) < b.Str(i);
                        } else if (phys == core::Physical::kDouble) {
                            better = is_max ? x.F64(i) > b.F64(i) : x.F64(i) < b.F64(i);
                        } else {
                            better = is_max ? x.I64(i) > b.I64(i) : x.I64(i) < b.I64(i);
                        }
                        if (better) best = k;
                    }
                    return best ? v[*best].Get(i) : Value::Null(t);
                });
            }};
}

// unixtime_*_todatetime: `ticks_per_unit` 100 ns ticks per unit of the argument.
ScalarFunction UnixTime(double ticks_per_unit) {
    return {1, 1,
            [ticks_per_unit](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(NeedNumbers("unixtime", a, pos));
                bool real = a[0]->type == Type::kReal || a[0]->type == Type::kDecimal;
                auto per = static_cast<int64_t>(ticks_per_unit);
                return RowCall(Type::kDatetime, Type::kNull,
                               [real, per, ticks_per_unit](const Vecs& v, size_t i) {
                                   if (v[0].IsNull(i)) return Value::Null(Type::kDatetime);
                                   if (!real && per == 0) {
                                       // Nanoseconds: 100 per tick, rounded down.
                                       int64_t x = v[0].I64(i);
                                       int64_t q = x / 100;
                                       if (x % 100 != 0 && x < 0) --q;
                                       return Value::Datetime(q);
                                   }
                                   if (real) {
                                       double t = std::floor(v[0].F64(i) * ticks_per_unit);
                                       if (!std::isfinite(t) || std::fabs(t) > 2.5e18)
                                           return Value::Null(Type::kDatetime);
                                       return Value::Datetime(static_cast<int64_t>(t));
                                   }
                                   int64_t x = v[0].I64(i);
                                   if (x > INT64_MAX / per || x < INT64_MIN / per)
                                       return Value::Null(Type::kDatetime);
                                   return Value::Datetime(x * per);
                               });
            }};
}

constexpr int64_t kTicksPerSecond = 10'000'000;

}  // namespace

void AddMathFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["ceiling"] = {1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                        RETURN_IF_ERROR(NeedNumbers("ceiling", a, pos));
                        Type t = a[0]->type;
                        Type out = IsIntegral(t) ? (t == Type::kInt ? Type::kInt : Type::kLong)
                                                 : Type::kReal;
                        return RowCall(out, out, [out](const Vecs& v, size_t i) {
                            if (v[0].IsNull(i)) return Value::Null(out);
                            if (out == Type::kReal) return Value::Real(std::ceil(v[0].F64(i)));
                            return v[0].Get(i);
                        });
                    }};
    // abs keeps the argument's type (int, long, real, timespan).
    r["abs"] = {1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                    Type t = a[0]->type;
                    if (t != Type::kTimespan) RETURN_IF_ERROR(NeedNumbers("abs", a, pos));
                    Type out = t == Type::kNull || t == Type::kDynamic || t == Type::kBool
                                   ? Type::kReal
                                   : t;
                    return RowCall(out, out, [out](const Vecs& v, size_t i) {
                        if (v[0].IsNull(i)) return Value::Null(out);
                        if (core::PhysicalOf(out) == core::Physical::kDouble) {
                            return Value::Real(std::fabs(v[0].F64(i)));
                        }
                        Value x = v[0].Get(i);
                        int64_t m = x.as_int64();
                        return m < 0 ? CastValue(Value::Long(-m), out) : x;
                    });
                }};
    r["sign"] = {1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                     RETURN_IF_ERROR(NeedNumbers("sign", a, pos));
                     Type out = IsIntegral(a[0]->type) ? Type::kLong : Type::kReal;
                     return RowCall(out, out, [out](const Vecs& v, size_t i) {
                         if (v[0].IsNull(i)) return Value::Null(out);
                         double x = v[0].F64(i);
                         int s = x > 0 ? 1 : x < 0 ? -1 : 0;
                         if (out == Type::kLong) return Value::Long(s);
                         return Value::Real(std::isnan(x) ? x : s);
                     });
                 }};
    r["sin"] = RealMath("sin", 1, [](double x) { return std::sin(x); });
    r["cos"] = RealMath("cos", 1, [](double x) { return std::cos(x); });
    r["tan"] = RealMath("tan", 1, [](double x) { return std::tan(x); });
    r["asin"] = RealMath("asin", 1, [](double x) { return std::asin(x); });
    r["acos"] = RealMath("acos", 1, [](double x) { return std::acos(x); });
    r["atan"] = RealMath("atan", 1, [](double x) { return std::atan(x); });
    r["atan2"] = RealMath("atan2", 2, [](double y, double x) { return std::atan2(y, x); });
    r["cot"] = RealMath("cot", 1, [](double x) { return 1.0 / std::tan(x); });
    r["degrees"] = RealMath("degrees", 1, [](double x) { return x * 180.0 / std::numbers::pi; });
    r["radians"] = RealMath("radians", 1, [](double x) { return x * std::numbers::pi / 180.0; });
    r["exp2"] = RealMath("exp2", 1, [](double x) { return std::exp2(x); });
    r["exp10"] = RealMath("exp10", 1, [](double x) { return std::pow(10.0, x); });
    r["pi"] = {0, 0, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                   return RowCall(Type::kReal, Type::kNull,
                                  [](const Vecs&, size_t) { return Value::Real(std::numbers::pi); });
               }};
    r["isnan"] = RealTest("isnan", [](double x) { return std::isnan(x); });
    r["isinf"] = RealTest("isinf", [](double x) { return std::isinf(x); });
    r["isfinite"] = RealTest("isfinite", [](double x) { return std::isfinite(x); });
    r["max_of"] = Extreme(true);
    r["min_of"] = Extreme(false);

    r["make_datetime"] = {
        3, 6, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(NeedNumbers("make_datetime", a, pos));
            return RowCall(Type::kDatetime, Type::kNull, [](const Vecs& v, size_t i) {
                double part[6] = {0, 1, 1, 0, 0, 0};
                for (size_t k = 0; k < v.size(); ++k) {
                    if (v[k].IsNull(i)) return Value::Null(Type::kDatetime);
                    part[k] = v[k].F64(i);
                }
                auto year = static_cast<int64_t>(part[0]);
                auto month = static_cast<int64_t>(part[1]);
                auto day = static_cast<int64_t>(part[2]);
                auto hour = static_cast<int64_t>(part[3]);
                auto minute = static_cast<int64_t>(part[4]);
                double second = part[5];
                int64_t ydays = 0;
                unsigned mm = 0, dd = 0;
                bool ok = year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
                          hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 &&
                          second < 60;
                if (ok) {
                    // Reject days past the month's end (2023-02-30) by a round trip.
                    int64_t days = core::DaysFromCivil(year, static_cast<unsigned>(month),
                                                       static_cast<unsigned>(day));
                    core::CivilFromDays(days, ydays, mm, dd);
                    ok = dd == static_cast<unsigned>(day);
                    if (ok) {
                        int64_t ticks = days * 86400 * kTicksPerSecond +
                                        (hour * 3600 + minute * 60) * kTicksPerSecond +
                                        std::llround(second * kTicksPerSecond);
                        return Value::Datetime(ticks);
                    }
                }
                return Value::Null(Type::kDatetime);
            });
        }};
    r["make_timespan"] = {
        2, 4, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(NeedNumbers("make_timespan", a, pos));
            return RowCall(Type::kTimespan, Type::kNull, [](const Vecs& v, size_t i) {
                // (hour, minute), (hour, minute, second), (day, hour, minute, second).
                double part[4] = {0, 0, 0, 0};
                size_t first = 4 - v.size() - (v.size() == 2 ? 1 : 0);
                for (size_t k = 0; k < v.size(); ++k) {
                    if (v[k].IsNull(i)) return Value::Null(Type::kTimespan);
                    part[first + k] = v[k].F64(i);
                }
                double seconds = ((part[0] * 24 + part[1]) * 60 + part[2]) * 60 + part[3];
                return Value::Timespan(std::llround(seconds * kTicksPerSecond));
            });
        }};
    r["unixtime_seconds_todatetime"] = UnixTime(1e7);
    r["unixtime_milliseconds_todatetime"] = UnixTime(1e4);
    r["unixtime_microseconds_todatetime"] = UnixTime(10);
    r["unixtime_nanoseconds_todatetime"] = UnixTime(0.01);
}

}  // namespace calypso::kql::functions
