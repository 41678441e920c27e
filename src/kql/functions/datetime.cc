// Calendar functions. Datetimes are 100 ns ticks since the Unix epoch, UTC.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/time.h"
#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"

namespace calypso::kql::functions {
namespace {

using core::kTicksPerDay;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Args = std::vector<const BoundExpr*>;

int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Civil {
    int64_t year;
    unsigned month;
    unsigned day;
    int64_t days;  // since the epoch
    int64_t rem;   // ticks into the day
};

Civil ToCivil(int64_t ticks) {
    Civil c{};
    c.days = FloorDiv(ticks, kTicksPerDay);
    c.rem = ticks - c.days * kTicksPerDay;
    core::CivilFromDays(c.days, c.year, c.month, c.day);
    return c;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned DaysInMonth(int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Sunday-based week index: the epoch (1970-01-01) was a Thursday.
int64_t WeekIndex(int64_t days) { return FloorDiv(days + 4, 7); }

enum class Unit {
    kYear,
    kQuarter,
    kMonth,
    kWeek,
    kDay,
    kHour,
    kMinute,
    kSecond,
    kMillisecond,
    kMicrosecond,
    kNanosecond,
    kDayOfYear,
    kWeekOfYear,
};

std::optional<Unit> ParseUnit(std::string_view s) {
    std::string l = Lower(s);
    if (l == "year") return Unit::kYear;
    if (l == "quarter") return Unit::kQuarter;
    if (l == "month") return Unit::kMonth;
    if (l == "week") return Unit::kWeek;
    if (l == "day") return Unit::kDay;
    if (l == "hour") return Unit::kHour;
    if (l == "minute") return Unit::kMinute;
    if (l == "second") return Unit::kSecond;
    if (l == "millisecond") return Unit::kMillisecond;
    if (l == "microsecond") return Unit::kMicrosecond;
    if (l == "nanosecond") return Unit::kNanosecond;
    if (l == "dayofyear") return Unit::kDayOfYear;
    if (l == "week_of_year") return Unit::kWeekOfYear;
    return std::nullopt;
}

int64_t FixedTicks(Unit u) {
    switch (u) {
        case Unit::kWeek:
            return 7 * kTicksPerDay;
        case Unit::kDay:
            return kTicksPerDay;
        case Unit::kHour:
            return core::kTicksPerHour;
        case Unit::kMinute:
            return core::kTicksPerMinute;
        case Unit::kSecond:
            return core::kTicksPerSecond;
        case Unit::kMillisecond:
            return core::kTicksPerMillisecond;
        case Unit::kMicrosecond:
            return core::kTicksPerMicrosecond;
        default:
            return 0;
    }
}

// The period argument: a constant string naming a unit.
Result<Unit> ConstUnit(const BoundExpr& e, std::string_view fn, SourcePos pos, bool part) {
    if (e.kind != BoundExpr::Kind::kConst || e.type != Type::kString || e.value.is_null()) {
        return Status::SemanticError(std::string(fn) + "() expects a constant period string", pos);
    }
    auto u = ParseUnit(e.value.as_string());
    bool ok = u && (part || (*u != Unit::kDayOfYear && *u != Unit::kWeekOfYear));
    if (!ok) {
        return Status::SemanticError(
            std::string(fn) + "(): unknown period '" + e.value.as_string() + "'", pos);
    }
    return *u;
}

Status Expect(const BoundExpr& e, Type want, std::string_view fn, SourcePos pos) {
    if (e.type == want || e.type == Type::kNull) return Status::Ok();
    if (want == Type::kDatetime && (e.type == Type::kString || e.type == Type::kDynamic))
        return Status::Ok();
    if (want == Type::kLong && IsNumeric(e.type)) return Status::Ok();
    return Status::SemanticError(std::string(fn) + "() expects " +
                                     std::string(core::TypeName(want)) + ", got " +
                                     std::string(core::TypeName(e.type)),
                                 pos);
}

// Builds a kernel over int64 inputs cast to `types`; f returns nullopt for null.
template <typename F>
BoundCall Int64Kernel(Type out, std::vector<Type> types, F f) {
    BoundCall c;
    c.type = out;
    c.kernel = [out, types, f](const std::vector<Vec>& a, size_t n) {
        std::vector<Vec> v;
        for (size_t k = 0; k < a.size(); ++k) {
            // kNull marks an argument the kernel ignores (a period bound at bind time).
            v.push_back(types[k] == Type::kNull ? Vec::Const(core::Value::Long(0), Type::kLong)
                                                : CastVec(a[k], types[k], n));
        }
        core::Column col(out);
        col.Reserve(n);
        std::vector<int64_t> x(v.size());
        for (size_t i = 0; i < n; ++i) {
            bool null = false;
            for (size_t k = 0; k < v.size(); ++k) {
                if (v[k].IsNull(i)) null = true;
                if (!null) x[k] = v[k].I64(i);
            }
            std::optional<int64_t> r = null ? std::nullopt : f(x);
            if (r) {
                col.AppendInt64(*r);
            } else {
                col.AppendNull();
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

int64_t AddMonths(int64_t ticks, int64_t months) {
    Civil c = ToCivil(ticks);
    int64_t m0 = c.year * 12 + (c.month - 1) + months;
    int64_t y = FloorDiv(m0, 12);
    auto m = static_cast<unsigned>(m0 - y * 12 + 1);
    unsigned d = std::min(c.day, DaysInMonth(y, m));
    return core::DaysFromCivil(y, m, d) * kTicksPerDay + c.rem;
}

int64_t Diff(Unit u, int64_t a, int64_t b) {
    Civil x = ToCivil(a);
    Civil y = ToCivil(b);
    switch (u) {
        case Unit::kYear:
            return x.year - y.year;
        case Unit::kQuarter:
            return (x.year * 4 + (x.month - 1) / 3) - (y.year * 4 + (y.month - 1) / 3);
        case Unit::kMonth:
            return (x.year * 12 + x.month) - (y.year * 12 + y.month);
        case Unit::kWeek:
            return WeekIndex(x.days) - WeekIndex(y.days);
        case Unit::kNanosecond:
            return (a - b) * 100;
        default: {
            int64_t t = FixedTicks(u);
            return FloorDiv(a, t) - FloorDiv(b, t);
        }
    }
}

// ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
int64_t IsoWeek(int64_t days) {
    int64_t dow = FloorDiv(days + 3, 1) - FloorDiv(days + 3, 7) * 7;  // 0 = Monday
    int64_t thursday = days - dow + 3;
    Civil t = ToCivil(thursday * kTicksPerDay);
    int64_t jan1 = core::DaysFromCivil(t.year, 1, 1);
    return (thursday - jan1) / 7 + 1;
}

int64_t Part(Unit u, int64_t ticks) {
    Civil c = ToCivil(ticks);
    switch (u) {
        case Unit::kYear:
            return c.year;
        case Unit::kQuarter:
            return (c.month - 1) / 3 + 1;
        case Unit::kMonth:
            return c.month;
        case Unit::kWeek:
        case Unit::kWeekOfYear:
            return IsoWeek(c.days);
        case Unit::kDay:
            return c.day;
        case Unit::kDayOfYear:
            return c.days - core::DaysFromCivil(c.year, 1, 1) + 1;
        case Unit::kHour:
            return c.rem / core::kTicksPerHour;
        case Unit::kMinute:
            return c.rem / core::kTicksPerMinute % 60;
        case Unit::kSecond:
            return c.rem / core::kTicksPerSecond % 60;
        case Unit::kMillisecond:
            return c.rem / core::kTicksPerMillisecond % 1000;
        case Unit::kMicrosecond:
            return c.rem / core::kTicksPerMicrosecond % 1'000'000;
        case Unit::kNanosecond:
            return c.rem % core::kTicksPerSecond * 100;
    }
    return 0;
}

enum class Boundary { kDay, kWeek, kMonth, kYear };

// Start of the period holding `ticks`, moved by `offset` periods.
int64_t StartOf(Boundary b, int64_t ticks, int64_t offset) {
    Civil c = ToCivil(ticks);
    switch (b) {
        case Boundary::kDay:
            return (c.days + offset) * kTicksPerDay;
        case Boundary::kWeek:
            return ((WeekIndex(c.days) + offset) * 7 - 4) * kTicksPerDay;
        case Boundary::kMonth:
            return AddMonths(core::DaysFromCivil(c.year, c.month, 1) * kTicksPerDay, offset);
        case Boundary::kYear:
            return core::DaysFromCivil(c.year + offset, 1, 1) * kTicksPerDay;
    }
    return ticks;
}

ScalarFunction StartEnd(Boundary b, bool end) {
    return {1, 2, [b, end](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(Expect(*a[0], Type::kDatetime, "startof/endof", pos));
                if (a.size() > 1) RETURN_IF_ERROR(Expect(*a[1], Type::kLong, "startof/endof", pos));
                std::vector<Type> types{Type::kDatetime, Type::kLong};
                types.resize(a.size());
                return Int64Kernel(
                    Type::kDatetime, types,
                    [b, end](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                        int64_t off = x.size() > 1 ? x[1] : 0;
                        if (!end) return StartOf(b, x[0], off);
                        return StartOf(b, x[0], off + 1) - 1;
                    });
            }};
}

void Pad(std::string& out, int64_t v, size_t width) {
    std::string s = std::to_string(v);
    if (s.size() < width) out.append(width - s.size(), '0');
    out += s;
}

// format_datetime / format_timespan: runs of one format letter; other characters as is.
std::string FormatWith(std::string_view fmt, int64_t ticks, bool is_span) {
    std::string out;
    bool negative = is_span && ticks < 0;
    int64_t t = negative ? -ticks : ticks;
    Civil c = is_span ? Civil{0, 0, 0, t / kTicksPerDay, t % kTicksPerDay} : ToCivil(t);
    int64_t hour = c.rem / core::kTicksPerHour;
    int64_t minute = c.rem / core::kTicksPerMinute % 60;
    int64_t second = c.rem / core::kTicksPerSecond % 60;
    int64_t frac = c.rem % core::kTicksPerSecond;  // 7 digits
    if (negative) out += '-';
    for (size_t i = 0; i < fmt.size();) {
        char ch = fmt[i];
        size_t j = i;
        while (j < fmt.size() && fmt[j] == ch) ++j;
        size_t n = j - i;
        i = j;
        switch (ch) {
            case 'y':
                if (n <= 2) {
                    Pad(out, c.year % 100, n);
                } else {
                    Pad(out, c.year, n);
                }
                break;
            case 'M':
                Pad(out, c.month, n);
                break;
            case 'd':
                Pad(out, is_span ? c.days : c.day, n);
                break;
            case 'H':
                Pad(out, hour, n);
                break;
            case 'h':
                Pad(out, is_span ? hour : (hour % 12 == 0 ? 12 : hour % 12), n);
                break;
            case 'm':
                Pad(out, minute, n);
                break;
            case 's':
                Pad(out, second, n);
                break;
            case 'f':
            case 'F': {
                std::string digits = fmt::format("{:07}", frac).substr(0, std::min<size_t>(n, 7));
                if (ch == 'F') {
                    while (!digits.empty() && digits.back() == '0') digits.pop_back();
                    if (digits.empty() && !out.empty() && out.back() == '.') out.pop_back();
                }
                out += digits;
                break;
            }
            case 't':
                out += hour < 12 ? (n == 1 ? "A" : "AM") : (n == 1 ? "P" : "PM");
                break;
            default:
                out.append(n, ch);
                break;
        }
    }
    return out;
}

ScalarFunction Formatter(bool is_span) {
    return {
        2, 2, [is_span](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            std::string_view fn = is_span ? "format_timespan" : "format_datetime";
            RETURN_IF_ERROR(Expect(*a[0], is_span ? Type::kTimespan : Type::kDatetime, fn, pos));
            RETURN_IF_ERROR(Expect(*a[1], Type::kString, fn, pos));
            BoundCall c;
            c.type = Type::kString;
            c.kernel = [is_span](const std::vector<Vec>& v, size_t n) {
                Vec t = CastVec(v[0], is_span ? Type::kTimespan : Type::kDatetime, n);
                core::Column col(Type::kString);
                col.Reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    col.AppendString(t.IsNull(i) ? "" : FormatWith(v[1].Str(i), t.I64(i), is_span));
                }
                return Vec::Own(std::move(col));
            };
            return c;
        }};
}

}  // namespace

void AddDatetimeFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["datetime_diff"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            ASSIGN_OR_RETURN(Unit u, ConstUnit(*a[0], "datetime_diff", pos, false));
            RETURN_IF_ERROR(Expect(*a[1], Type::kDatetime, "datetime_diff", pos));
            RETURN_IF_ERROR(Expect(*a[2], Type::kDatetime, "datetime_diff", pos));
            return Int64Kernel(Type::kLong, {Type::kNull, Type::kDatetime, Type::kDatetime},
                               [u](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                                   return Diff(u, x[1], x[2]);
                               });
        }};
    r["datetime_add"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            ASSIGN_OR_RETURN(Unit u, ConstUnit(*a[0], "datetime_add", pos, false));
            RETURN_IF_ERROR(Expect(*a[1], Type::kLong, "datetime_add", pos));
            RETURN_IF_ERROR(Expect(*a[2], Type::kDatetime, "datetime_add", pos));
            return Int64Kernel(Type::kDatetime, {Type::kNull, Type::kLong, Type::kDatetime},
                               [u](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                                   switch (u) {
                                       case Unit::kYear:
                                           return AddMonths(x[2], x[1] * 12);
                                       case Unit::kQuarter:
                                           return AddMonths(x[2], x[1] * 3);
                                       case Unit::kMonth:
                                           return AddMonths(x[2], x[1]);
                                       case Unit::kNanosecond:
                                           return x[2] + x[1] / 100;
                                       default:
                                           return x[2] + x[1] * FixedTicks(u);
                                   }
                               });
        }};
    r["datetime_part"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            ASSIGN_OR_RETURN(Unit u, ConstUnit(*a[0], "datetime_part", pos, true));
            RETURN_IF_ERROR(Expect(*a[1], Type::kDatetime, "datetime_part", pos));
            return Int64Kernel(Type::kInt, {Type::kNull, Type::kDatetime},
                               [u](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                                   return Part(u, x[1]);
                               });
        }};
    // dayofweek is a timespan: days since the preceding Sunday.
    r["dayofweek"] = {
        1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(Expect(*a[0], Type::kDatetime, "dayofweek", pos));
            return Int64Kernel(Type::kTimespan, {Type::kDatetime},
                               [](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                                   int64_t days = FloorDiv(x[0], kTicksPerDay);
                                   return (days - (WeekIndex(days) * 7 - 4)) * kTicksPerDay;
                               });
        }};
    for (auto [name, unit] :
         {std::pair{"dayofyear", Unit::kDayOfYear}, std::pair{"week_of_year", Unit::kWeekOfYear}}) {
        r[name] = {
            1, 1, [unit](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(Expect(*a[0], Type::kDatetime, "dayofyear", pos));
                return Int64Kernel(Type::kInt, {Type::kDatetime},
                                   [unit](const std::vector<int64_t>& x) -> std::optional<int64_t> {
                                       return Part(unit, x[0]);
                                   });
            }};
    }
    r["format_datetime"] = Formatter(false);
    r["format_timespan"] = Formatter(true);
    r["startofweek"] = StartEnd(Boundary::kWeek, false);
    r["startofmonth"] = StartEnd(Boundary::kMonth, false);
    r["startofyear"] = StartEnd(Boundary::kYear, false);
    r["endofday"] = StartEnd(Boundary::kDay, true);
    r["endofweek"] = StartEnd(Boundary::kWeek, true);
    r["endofmonth"] = StartEnd(Boundary::kMonth, true);
    r["endofyear"] = StartEnd(Boundary::kYear, true);
}

}  // namespace calypso::kql::functions
