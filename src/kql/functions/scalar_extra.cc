#include "kql/functions/scalar_extra.h"

#include <re2/re2.h>

#include <cmath>
#include <memory>

#include "core/time.h"
#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Args = std::vector<const BoundExpr*>;

Status TypeError(std::string_view fn, std::string_view want, Type got, SourcePos pos) {
    return Status::SemanticError(std::string(fn) + "() expects " + std::string(want) + ", got " +
                                     std::string(core::TypeName(got)),
                                 pos);
}

// A real -> real function of one or two arguments (null in, null out; NaN results stay).
template <typename F>
ScalarFunction RealMath(std::string name, int nargs, F f) {
    return {
        nargs, nargs,
        [name, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            for (const auto* x : a) {
                if (!IsNumeric(x->type) && x->type != Type::kDynamic && x->type != Type::kNull) {
                    return TypeError(name, "numeric arguments", x->type, pos);
                }
            }
            BoundCall c;
            c.type = Type::kReal;
            c.kernel = [f](const std::vector<Vec>& v, size_t n) {
                std::vector<Vec> r;
                for (const auto& x : v) r.push_back(CastVec(x, Type::kReal, n));
                core::Column col(Type::kReal);
                col.Reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    bool null = false;
                    for (const auto& x : r) null = null || x.IsNull(i);
                    if (null) {
                        col.AppendNull();
                    } else {
                        col.AppendDouble(f(r[0].F64(i), r.size() > 1 ? r[1].F64(i) : 0.0));
                    }
                }
                return Vec::Own(std::move(col));
            };
            return c;
        }};
}

// A datetime -> long calendar part.
template <typename F>
ScalarFunction DatePart(std::string name, F f) {
    return {1, 1, [name, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                if (a[0]->type != Type::kDatetime && a[0]->type != Type::kNull) {
                    return TypeError(name, "a datetime", a[0]->type, pos);
                }
                BoundCall c;
                c.type = Type::kInt;
                c.kernel = [f](const std::vector<Vec>& v, size_t n) {
                    Vec d = CastVec(v[0], Type::kDatetime, n);
                    core::Column col(Type::kInt);
                    col.Reserve(n);
                    for (size_t i = 0; i < n; ++i) {
                        if (d.IsNull(i)) {
                            col.AppendNull();
                            continue;
                        }
                        int64_t t = d.I64(i);
                        int64_t days = t / core::kTicksPerDay;
                        int64_t rem = t % core::kTicksPerDay;
                        if (rem < 0) {
                            rem += core::kTicksPerDay;
                            --days;
                        }
                        int64_t y = 0;
                        unsigned m = 0, day = 0;
                        core::CivilFromDays(days, y, m, day);
                        col.AppendInt64(f(y, m, day, rem));
                    }
                    return Vec::Own(std::move(col));
                };
                return c;
            }};
}

Type CommonType(const Args& a, size_t from, size_t step, SourcePos pos, Result<Type>* err) {
    Type out = Type::kNull;
    for (size_t i = from; i < a.size(); i += step) {
        Type t = a[i]->type;
        if (t == Type::kNull || t == out) continue;
        if (out == Type::kNull) {
            out = t;
        } else if (IsNumeric(out) && IsNumeric(t)) {
            out = (out == Type::kReal || t == Type::kReal) ? Type::kReal : Type::kLong;
        } else if (!(IsStringy(out) && IsStringy(t))) {
            *err = Status::SemanticError(
                "arguments have different types: " + std::string(core::TypeName(out)) + " and " +
                    std::string(core::TypeName(t)),
                pos);
        }
    }
    return out == Type::kNull ? Type::kString : out;
}

Result<BoundCall> BindCase(const Args& a, const BindContext&, SourcePos pos) {
    if (a.size() % 2 == 0) {
        return Status::SemanticError("case() expects predicate/value pairs and an else value", pos);
    }
    for (size_t i = 0; i + 1 < a.size(); i += 2) {
        if (a[i]->type != Type::kBool && a[i]->type != Type::kDynamic) {
            return TypeError("case", "bool predicates", a[i]->type, pos);
        }
    }
    Result<Type> err2 = Type::kNull;
    std::vector<const BoundExpr*> values;
    for (size_t i = 1; i < a.size(); i += 2) values.push_back(a[i]);
    values.push_back(a.back());
    Type out = CommonType(values, 0, 1, pos, &err2);
    if (!err2.ok()) return err2.status();
    BoundCall c;
    c.type = out;
    c.kernel = [out](const std::vector<Vec>& v, size_t n) {
        std::vector<Vec> conds, vals;
        for (size_t i = 0; i + 1 < v.size(); i += 2) {
            conds.push_back(CastVec(v[i], Type::kBool, n));
            vals.push_back(CastVec(v[i + 1], out, n));
        }
        Vec otherwise = CastVec(v.back(), out, n);
        core::Column col(out);
        col.Reserve(n);
        for (size_t r = 0; r < n; ++r) {
            const Vec* pick = &otherwise;
            for (size_t k = 0; k < conds.size(); ++k) {
                if (!conds[k].IsNull(r) && conds[k].I64(r) != 0) {
                    pick = &vals[k];
                    break;
                }
            }
            if (pick->is_const()) {
                col.Append(pick->constant());
            } else {
                col.AppendFrom(pick->column(), r);
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindCoalesce(const Args& a, const BindContext&, SourcePos pos) {
    Result<Type> err = Type::kNull;
    Type out = CommonType(a, 0, 1, pos, &err);
    if (!err.ok()) return err.status();
    BoundCall c;
    c.type = out;
    c.kernel = [out](const std::vector<Vec>& v, size_t n) {
        std::vector<Vec> vals;
        for (const auto& x : v) vals.push_back(CastVec(x, out, n));
        core::Column col(out);
        col.Reserve(n);
        for (size_t r = 0; r < n; ++r) {
            const Vec* pick = &vals.back();
            for (const auto& x : vals) {
                bool empty = IsStringy(out)          ? x.Str(r).empty()
                             : out == Type::kDynamic ? x.Dyn(r).is_null()
                                                     : x.IsNull(r);
                if (!empty) {
                    pick = &x;
                    break;
                }
            }
            if (pick->is_const()) {
                col.Append(pick->constant());
            } else {
                col.AppendFrom(pick->column(), r);
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

// extract(regex, group, text): the group's match, "" when there is none.
Result<BoundCall> BindExtract(const Args& a, const BindContext&, SourcePos pos) {
    if (a[0]->kind != BoundExpr::Kind::kConst || !IsStringy(a[0]->type)) {
        return Status::SemanticError("extract() expects a constant regular expression", pos);
    }
    auto re = std::make_shared<RE2>(a[0]->value.as_string(), RE2::Quiet);
    if (!re->ok()) return Status::SemanticError("invalid regular expression: " + re->error(), pos);
    if (!IsIntegral(a[1]->type))
        return TypeError("extract", "a long capture group", a[1]->type, pos);
    BoundCall c;
    c.type = Type::kString;
    c.kernel = [re](const std::vector<Vec>& v, size_t n) {
        Vec text = CastVec(v[2], Type::kString, n);
        int groups = re->NumberOfCapturingGroups();
        std::vector<re2::StringPiece> m(static_cast<size_t>(groups) + 1);
        core::Column col(Type::kString);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            int64_t g = v[1].IsNull(i) ? -1 : v[1].I64(i);
            std::string_view s = text.Str(i);
            if (g < 0 || g > groups ||
                !re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED,
                           m.data(), groups + 1)) {
                col.AppendString("");
                continue;
            }
            const re2::StringPiece& hit = m[static_cast<size_t>(g)];
            col.AppendString(std::string_view(hit.data(), hit.size()));
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

// indexof(source, lookup [, start [, length [, occurrence]]]): the position of the
// occurrence-th match that lies within [start, start + length) (length -1: to the end);
// a negative start counts from the end; -1 when there is none.
Result<BoundCall> BindIndexOf(const Args& a, const BindContext&, SourcePos pos) {
    for (size_t k = 2; k < a.size(); ++k) {
        if (!IsIntegral(a[k]->type) && a[k]->type != Type::kNull) {
            return Status::SemanticError("argument " + std::to_string(k + 1) +
                                             " of indexof() must be an integer",
                                         pos);
        }
    }
    BoundCall c;
    c.type = Type::kLong;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        Vec s = CastVec(v[0], Type::kString, n);
        Vec f = CastVec(v[1], Type::kString, n);
        core::Column col(Type::kLong);
        col.Reserve(n);
        auto arg = [&](size_t k, size_t i, int64_t def) {
            return v.size() > k && !v[k].IsNull(i) ? v[k].I64(i) : def;
        };
        for (size_t i = 0; i < n; ++i) {
            std::string_view str = s.Str(i), needle = f.Str(i);
            auto len = static_cast<int64_t>(str.size());
            int64_t start = arg(2, i, 0), length = arg(3, i, -1), occurrence = arg(4, i, 1);
            if (start < 0) start = std::max<int64_t>(0, len + start);
            if (start > len || length < -1 || occurrence < 1) {
                col.AppendInt64(-1);
                continue;
            }
            int64_t end = length < 0 ? len : std::min(len, start + length);
            std::string_view window = str.substr(0, static_cast<size_t>(end));
            int64_t found = -1;
            size_t from = static_cast<size_t>(start);
            for (int64_t k = 0; k < occurrence; ++k) {
                size_t p = window.find(needle, from);
                if (p == std::string_view::npos) {
                    found = -1;
                    break;
                }
                found = static_cast<int64_t>(p);
                from = p + 1;
            }
            col.AppendInt64(found);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<BoundCall> BindReplaceString(const Args&, const BindContext&, SourcePos) {
    BoundCall c;
    c.type = Type::kString;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        Vec s = CastVec(v[0], Type::kString, n);
        Vec from = CastVec(v[1], Type::kString, n);
        Vec to = CastVec(v[2], Type::kString, n);
        core::Column col(Type::kString);
        col.Reserve(n);
        std::string out;
        for (size_t i = 0; i < n; ++i) {
            std::string_view str = s.Str(i), f = from.Str(i), t = to.Str(i);
            out.clear();
            if (f.empty()) {
                out = str;
            } else {
                size_t start = 0, p;
                while ((p = str.find(f, start)) != std::string_view::npos) {
                    out.append(str.substr(start, p - start));
                    out.append(t);
                    start = p + f.size();
                }
                out.append(str.substr(start));
            }
            col.AppendString(out);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

}  // namespace

void AddExtraScalarFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["sqrt"] = RealMath("sqrt", 1, [](double x, double) { return std::sqrt(x); });
    r["exp"] = RealMath("exp", 1, [](double x, double) { return std::exp(x); });
    r["log"] = RealMath("log", 1, [](double x, double) { return std::log(x); });
    r["log10"] = RealMath("log10", 1, [](double x, double) { return std::log10(x); });
    r["log2"] = RealMath("log2", 1, [](double x, double) { return std::log2(x); });
    r["gamma"] = RealMath("gamma", 1, [](double x, double) { return std::tgamma(x); });
    // The log of |gamma(x)| (lgamma; not the thread-unsafe signgam it may set).
    r["loggamma"] = RealMath("loggamma", 1, [](double x, double) {
        int sign = 0;
        return lgamma_r(x, &sign);
    });
    r["pow"] = RealMath("pow", 2, [](double x, double y) { return std::pow(x, y); });
    r["round"] = {1, 2, [](const Args& a, const BindContext& ctx, SourcePos pos) {
                      auto one =
                          RealMath("round", static_cast<int>(a.size()), [](double x, double p) {
                              double scale = std::pow(10.0, p);
                              return std::round(x * scale) / scale;
                          });
                      return one.bind(a, ctx, pos);
                  }};
    r["case"] = {3, 255, BindCase};
    r["coalesce"] = {1, 64, BindCoalesce};
    r["extract"] = {3, 3, BindExtract};
    r["indexof"] = {2, 5, BindIndexOf};
    r["replace_string"] = {3, 3, BindReplaceString};
    r["getyear"] = DatePart("getyear", [](int64_t y, unsigned, unsigned, int64_t) { return y; });
    r["getmonth"] = DatePart(
        "getmonth", [](int64_t, unsigned m, unsigned, int64_t) { return static_cast<int64_t>(m); });
    r["monthofyear"] = r["getmonth"];
    r["dayofmonth"] = DatePart("dayofmonth", [](int64_t, unsigned, unsigned d, int64_t) {
        return static_cast<int64_t>(d);
    });
    r["hourofday"] = DatePart("hourofday", [](int64_t, unsigned, unsigned, int64_t rem) {
        return rem / core::kTicksPerHour;
    });
}

}  // namespace calypso::kql::functions
