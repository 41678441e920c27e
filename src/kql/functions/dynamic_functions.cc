// Dynamic array and bag functions (bag_merge, array_concat, array_slice, set_union,
// set_intersect, set_difference, zip) and the basic series functions (series_stats_dynamic,
// series_fill_*, element-wise series arithmetic).
#include <cmath>
#include <string>
#include <unordered_set>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

Value DynValue(Dynamic d) { return Value::FromDynamic(std::move(d)); }
Value NullDyn() { return Value::Null(Type::kDynamic); }

// A dynamic -> dynamic function over every argument of one row.
template <typename F>
ScalarFunction DynFunction(int min_args, int max_args, F f) {
    return {min_args, max_args, [f](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                return RowCall(Type::kDynamic, Type::kDynamic, f);
            }};
}

bool AllArrays(const Vecs& v, size_t i) {
    for (const auto& x : v) {
        if (x.Dyn(i).kind() != Dynamic::Kind::kArray) return false;
    }
    return true;
}

// set_union / set_intersect / set_difference: distinct values in order of first appearance.
enum class SetOp { kUnion, kIntersect, kDifference };

Value SetOf(const Vecs& v, size_t i, SetOp op) {
    if (!AllArrays(v, i)) return NullDyn();
    std::vector<std::unordered_set<std::string>> others;
    for (size_t k = 1; k < v.size(); ++k) {
        std::unordered_set<std::string> s;
        for (const auto& e : v[k].Dyn(i).as_array()) s.insert(e.ToJson());
        others.push_back(std::move(s));
    }
    std::unordered_set<std::string> seen;
    Dynamic::Array out;
    auto add = [&](const Dynamic& e) {
        if (seen.insert(e.ToJson()).second) out.push_back(e);
    };
    if (op == SetOp::kUnion) {
        for (const auto& x : v) {
            for (const auto& e : x.Dyn(i).as_array()) add(e);
        }
        return DynValue(Dynamic::MakeArray(std::move(out)));
    }
    for (const auto& e : v[0].Dyn(i).as_array()) {
        std::string key = e.ToJson();
        bool in_all = true, in_any = false;
        for (const auto& s : others) {
            bool in = s.count(key) != 0;
            in_all = in_all && in;
            in_any = in_any || in;
        }
        if (op == SetOp::kIntersect ? in_all : !in_any) add(e);
    }
    return DynValue(Dynamic::MakeArray(std::move(out)));
}

// The numbers of a series: nullopt for elements that are not numbers (nulls, text).
std::vector<std::optional<double>> Numbers(const Dynamic& d) {
    std::vector<std::optional<double>> out;
    for (const auto& e : d.as_array()) {
        if (e.kind() == Dynamic::Kind::kLong) {
            out.emplace_back(static_cast<double>(e.as_long()));
        } else if (e.kind() == Dynamic::Kind::kReal) {
            out.emplace_back(e.as_real());
        } else {
            out.emplace_back(std::nullopt);
        }
    }
    return out;
}

Dynamic NumberArray(const std::vector<std::optional<double>>& xs) {
    Dynamic::Array out;
    for (const auto& x : xs) out.push_back(x ? Dynamic::Real(*x) : Dynamic());
    return Dynamic::MakeArray(std::move(out));
}

// Element-wise series arithmetic; a missing or non-numeric element gives null.
template <typename F>
ScalarFunction SeriesBinary(F f) {
    return DynFunction(2, 2, [f](const Vecs& v, size_t i) {
        const Dynamic& a = v[0].Dyn(i);
        const Dynamic& b = v[1].Dyn(i);
        if (a.kind() != Dynamic::Kind::kArray) return NullDyn();
        auto xs = Numbers(a);
        std::vector<std::optional<double>> ys;
        if (b.kind() == Dynamic::Kind::kArray) {
            ys = Numbers(b);
        } else if (b.kind() == Dynamic::Kind::kLong || b.kind() == Dynamic::Kind::kReal) {
            double s = b.kind() == Dynamic::Kind::kLong ? static_cast<double>(b.as_long()) : b.as_real();
            ys.assign(xs.size(), s);
        } else {
            return NullDyn();
        }
        std::vector<std::optional<double>> out(std::max(xs.size(), ys.size()));
        for (size_t k = 0; k < out.size(); ++k) {
            if (k < xs.size() && k < ys.size() && xs[k] && ys[k]) out[k] = f(*xs[k], *ys[k]);
        }
        return DynValue(NumberArray(out));
    });
}

}  // namespace

void AddDynamicFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    // A key in several bags keeps the value of the leftmost one; non-bags are skipped.
    r["bag_merge"] = DynFunction(2, 64, [](const Vecs& v, size_t i) {
        Dynamic::Object out;
        std::unordered_set<std::string> keys;
        for (const auto& x : v) {
            const Dynamic& d = x.Dyn(i);
            if (d.kind() != Dynamic::Kind::kObject) continue;
            for (const auto& [k, val] : d.as_object()) {
                if (keys.insert(k).second) out.emplace_back(k, val);
            }
        }
        return DynValue(Dynamic::MakeObject(std::move(out)));
    });
    r["array_concat"] = DynFunction(1, 64, [](const Vecs& v, size_t i) {
        if (!AllArrays(v, i)) return NullDyn();
        Dynamic::Array out;
        for (const auto& x : v) {
            for (const auto& e : x.Dyn(i).as_array()) out.push_back(e);
        }
        return DynValue(Dynamic::MakeArray(std::move(out)));
    });
    r["array_slice"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            for (size_t k = 1; k < 3; ++k) {
                if (!IsIntegral(a[k]->type)) {
                    return Status::SemanticError(
                        "argument " + std::to_string(k + 1) + " of array_slice() must be an integer",
                        pos);
                }
            }
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                Vec arr = CastVec(v[0], Type::kDynamic, 1);
                const Dynamic& d = v[0].type() == Type::kDynamic ? v[0].Dyn(i) : arr.Dyn(0);
                if (d.kind() != Dynamic::Kind::kArray || v[1].IsNull(i) || v[2].IsNull(i))
                    return NullDyn();
                const auto& xs = d.as_array();
                auto len = static_cast<int64_t>(xs.size());
                int64_t start = v[1].I64(i), end = v[2].I64(i);
                if (start < 0) start += len;
                if (end < 0) end += len;
                start = std::max<int64_t>(start, 0);
                end = std::min<int64_t>(end, len - 1);
                Dynamic::Array out;
                for (int64_t k = start; k <= end; ++k) out.push_back(xs[static_cast<size_t>(k)]);
                return DynValue(Dynamic::MakeArray(std::move(out)));
            });
        }};
    r["set_union"] = DynFunction(2, 64, [](const Vecs& v, size_t i) {
        return SetOf(v, i, SetOp::kUnion);
    });
    r["set_intersect"] = DynFunction(2, 64, [](const Vecs& v, size_t i) {
        return SetOf(v, i, SetOp::kIntersect);
    });
    r["set_difference"] = DynFunction(2, 64, [](const Vecs& v, size_t i) {
        return SetOf(v, i, SetOp::kDifference);
    });
    // Shorter arrays are padded with nulls.
    r["zip"] = DynFunction(2, 16, [](const Vecs& v, size_t i) {
        if (!AllArrays(v, i)) return NullDyn();
        size_t n = 0;
        for (const auto& x : v) n = std::max(n, x.Dyn(i).as_array().size());
        Dynamic::Array out;
        for (size_t k = 0; k < n; ++k) {
            Dynamic::Array tuple;
            for (const auto& x : v) {
                const auto& xs = x.Dyn(i).as_array();
                tuple.push_back(k < xs.size() ? xs[k] : Dynamic());
            }
            out.push_back(Dynamic::MakeArray(std::move(tuple)));
        }
        return DynValue(Dynamic::MakeArray(std::move(out)));
    });

    // min, min_idx, max, max_idx, avg, stdev (sample), variance (sample) of the numeric
    // elements; non-numeric elements are ignored.
    r["series_stats_dynamic"] = DynFunction(1, 1, [](const Vecs& v, size_t i) {
        const Dynamic& d = v[0].Dyn(i);
        if (d.kind() != Dynamic::Kind::kArray) return NullDyn();
        auto xs = Numbers(d);
        double sum = 0, mn = 0, mx = 0;
        int64_t n = 0, mn_i = -1, mx_i = -1;
        for (size_t k = 0; k < xs.size(); ++k) {
            if (!xs[k]) continue;
            double x = *xs[k];
            if (n == 0 || x < mn) mn = x, mn_i = static_cast<int64_t>(k);
            if (n == 0 || x > mx) mx = x, mx_i = static_cast<int64_t>(k);
            sum += x;
            ++n;
        }
        double avg = n > 0 ? sum / static_cast<double>(n) : NAN;
        double ss = 0;
        for (const auto& x : xs) {
            if (x) ss += (*x - avg) * (*x - avg);
        }
        double var = n > 1 ? ss / static_cast<double>(n - 1) : 0;
        auto num = [n](double x) { return n > 0 ? Dynamic::Real(x) : Dynamic(); };
        auto idx = [n](int64_t x) { return n > 0 ? Dynamic::Long(x) : Dynamic(); };
        Dynamic::Object o;
        o.emplace_back("min", num(mn));
        o.emplace_back("min_idx", idx(mn_i));
        o.emplace_back("max", num(mx));
        o.emplace_back("max_idx", idx(mx_i));
        o.emplace_back("avg", num(avg));
        o.emplace_back("stdev", num(std::sqrt(var)));
        o.emplace_back("variance", num(var));
        return DynValue(Dynamic::MakeObject(std::move(o)));
    });
    // Nulls between two numbers are interpolated linearly; leading and trailing nulls are
    // extended from the nearest number.
    r["series_fill_linear"] = DynFunction(1, 1, [](const Vecs& v, size_t i) {
        const Dynamic& d = v[0].Dyn(i);
        if (d.kind() != Dynamic::Kind::kArray) return NullDyn();
        auto xs = Numbers(d);
        std::vector<size_t> known;
        for (size_t k = 0; k < xs.size(); ++k) {
            if (xs[k]) known.push_back(k);
        }
        if (known.empty()) return DynValue(d);
        for (size_t k = 0; k < xs.size(); ++k) {
            if (xs[k]) continue;
            auto hi = std::lower_bound(known.begin(), known.end(), k);
            if (hi == known.begin()) {
                xs[k] = xs[*hi];
            } else if (hi == known.end()) {
                xs[k] = xs[known.back()];
            } else {
                size_t a = *(hi - 1), b = *hi;
                double t = static_cast<double>(k - a) / static_cast<double>(b - a);
                xs[k] = *xs[a] + (*xs[b] - *xs[a]) * t;
            }
        }
        return DynValue(NumberArray(xs));
    });
    r["series_fill_const"] = DynFunction(1, 2, [](const Vecs& v, size_t i) {
        const Dynamic& d = v[0].Dyn(i);
        if (d.kind() != Dynamic::Kind::kArray) return NullDyn();
        Dynamic fill = v.size() > 1 ? v[1].Dyn(i) : Dynamic::Long(0);
        Dynamic::Array out;
        for (const auto& e : d.as_array()) out.push_back(e.is_null() ? fill : e);
        return DynValue(Dynamic::MakeArray(std::move(out)));
    });
    for (bool forward : {true, false}) {
        r[forward ? "series_fill_forward" : "series_fill_backward"] =
            DynFunction(1, 1, [forward](const Vecs& v, size_t i) {
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray) return NullDyn();
                Dynamic::Array out = d.as_array();
                Dynamic last;
                for (size_t k = 0; k < out.size(); ++k) {
                    size_t j = forward ? k : out.size() - 1 - k;
                    if (out[j].is_null()) {
                        out[j] = last;
                    } else {
                        last = out[j];
                    }
                }
                return DynValue(Dynamic::MakeArray(std::move(out)));
            });
    }
    r["series_add"] = SeriesBinary([](double a, double b) { return a + b; });
    r["series_subtract"] = SeriesBinary([](double a, double b) { return a - b; });
    r["series_multiply"] = SeriesBinary([](double a, double b) { return a * b; });
    r["series_divide"] = SeriesBinary([](double a, double b) { return a / b; });
}

}  // namespace calypso::kql::functions
