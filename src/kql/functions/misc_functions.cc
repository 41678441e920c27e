// strcmp, regex_quote, indexof_regex, array_sort_asc / array_sort_desc, array_index_of,
// set_has_element, bag_remove_keys, hash_sha256, hash_md5, rand, series_stats (as one bag),
// and the kernels of the calls that yield several columns (functions/multi_column.h).
#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/multi_column.h"
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

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

bool IsNumber(const Dynamic& d) {
    return d.kind() == Dynamic::Kind::kLong || d.kind() == Dynamic::Kind::kReal;
}
double AsNumber(const Dynamic& d) {
    return d.kind() == Dynamic::Kind::kLong ? static_cast<double>(d.as_long()) : d.as_real();
}

// Equality of array elements with a looked-up value: numbers by value, the rest exactly.
bool SameValue(const Dynamic& a, const Dynamic& b) {
    if (IsNumber(a) && IsNumber(b)) return AsNumber(a) == AsNumber(b);
    return a == b;
}

// .NET Regex.Escape (what Kusto's regex_quote does): \ * + ? | { [ ( ) ^ $ . # and white
// space are escaped; ] } - are not.
std::string RegexQuote(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '\\': case '*': case '+': case '?': case '|': case '{': case '[': case '(':
            case ')': case '^': case '$': case '.': case '#': case ' ':
                out += '\\';
                out += c;
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) return "";
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[buf[i] >> 4];
        out += kHex[buf[i] & 15];
    }
    return out;
}

ScalarFunction HashFunction(const EVP_MD* (*md)()) {
    return {1, 1, [md](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                return RowCall(Type::kString, Type::kString, [md](const Vecs& v, size_t i) {
                    if (v[0].IsNull(i)) return Value::Null(Type::kString);
                    return Value::String(Digest(md(), v[0].Str(i)));
                });
            }};
}

// The search window [from, to) of indexof_regex / array_index_of for `size` items, or
// false for invalid arguments. A negative start counts from the end when `negative_ok`.
bool Window(const Vecs& v, size_t i, size_t at, int64_t size, bool negative_ok, int64_t& from,
            int64_t& to, int64_t& occurrence) {
    from = 0;
    to = size;
    occurrence = 1;
    if (v.size() > at && !v[at].IsNull(i)) {
        from = v[at].I64(i);
        if (from < 0) {
            if (!negative_ok) return false;
            from = std::max<int64_t>(0, size + from);
        }
    }
    if (v.size() > at + 1 && !v[at + 1].IsNull(i)) {
        int64_t length = v[at + 1].I64(i);
        if (length < -1) return false;
        if (length >= 0) to = std::min(size, from + length);
    }
    if (v.size() > at + 2 && !v[at + 2].IsNull(i)) {
        occurrence = v[at + 2].I64(i);
        if (occurrence < 0) return false;
    }
    return true;
}

Status CheckIntArgs(const Args& a, size_t from, const char* fn, SourcePos pos) {
    for (size_t k = from; k < a.size(); ++k) {
        Type t = a[k]->type;
        if (t != Type::kInt && t != Type::kLong && t != Type::kNull) {
            return Status::SemanticError(std::string(fn) + "() expects integer start, length and "
                                                           "occurrence, got " + TypeStr(t),
                                         pos);
        }
    }
    return Status::Ok();
}

// Sort rank of an element's kind: numbers, then strings, then everything else.
int KindRank(const Dynamic& d) {
    if (IsNumber(d)) return 0;
    if (d.kind() == Dynamic::Kind::kString) return 1;
    return 2;
}

bool ElementLess(const Dynamic& a, const Dynamic& b) {
    int ra = KindRank(a), rb = KindRank(b);
    if (ra != rb) return ra < rb;
    if (ra == 0) return AsNumber(a) < AsNumber(b);
    if (ra == 1) return a.as_string() < b.as_string();
    return a.ToJson() < b.ToJson();
}

// series_stats over one array: min, min_idx, max, max_idx, avg, stdev, variance (sample).
// A non-finite element (null, NaN, inf, not a number) makes every statistic null unless
// `ignore_nonfinite`, which skips it.
struct Stats {
    bool valid = false;
    double min = 0, max = 0, avg = 0, variance = 0;
    int64_t min_idx = 0, max_idx = 0;
};

Stats ComputeStats(const Dynamic& d, bool ignore_nonfinite) {
    Stats s;
    if (d.kind() != Dynamic::Kind::kArray) return s;
    std::vector<std::pair<double, int64_t>> xs;
    const auto& arr = d.as_array();
    for (size_t k = 0; k < arr.size(); ++k) {
        bool finite = IsNumber(arr[k]) && std::isfinite(AsNumber(arr[k]));
        if (!finite) {
            if (!ignore_nonfinite) return s;
            continue;
        }
        xs.emplace_back(AsNumber(arr[k]), static_cast<int64_t>(k));
    }
    if (xs.empty()) return s;
    s.valid = true;
    double sum = 0;
    s.min = s.max = xs[0].first;
    s.min_idx = s.max_idx = xs[0].second;
    for (const auto& [x, k] : xs) {
        if (x < s.min) s.min = x, s.min_idx = k;
        if (x > s.max) s.max = x, s.max_idx = k;
        sum += x;
    }
    s.avg = sum / static_cast<double>(xs.size());
    double ss = 0;
    for (const auto& [x, k] : xs) ss += (x - s.avg) * (x - s.avg);
    s.variance = xs.size() > 1 ? ss / static_cast<double>(xs.size() - 1) : 0;
    return s;
}

Value StatValue(const Stats& s, size_t stat) {
    switch (stat) {
        case 0:
            return s.valid ? Value::Real(s.min) : Value::Null(Type::kReal);
        case 1:
            return s.valid ? Value::Long(s.min_idx) : Value::Null(Type::kLong);
        case 2:
            return s.valid ? Value::Real(s.max) : Value::Null(Type::kReal);
        case 3:
            return s.valid ? Value::Long(s.max_idx) : Value::Null(Type::kLong);
        case 4:
            return s.valid ? Value::Real(s.avg) : Value::Null(Type::kReal);
        case 5:
            return s.valid ? Value::Real(std::sqrt(s.variance)) : Value::Null(Type::kReal);
        default:
            return s.valid ? Value::Real(s.variance) : Value::Null(Type::kReal);
    }
}

bool IgnoreNonfinite(const Vecs& v, size_t i) {
    return v.size() > 1 && !v[1].IsNull(i) && v[1].I64(i) != 0;
}

}  // namespace

const std::vector<std::string>& SeriesStatsNames() {
    static const std::vector<std::string> kNames = {"min", "min_idx", "max", "max_idx",
                                                    "avg", "stdev",   "variance"};
    return kNames;
}

BoundCall SeriesStatsColumn(size_t stat) {
    Type t = stat == 1 || stat == 3 ? Type::kLong : Type::kReal;
    return RowCall(t, Type::kNull, [stat](const Vecs& v, size_t i) {
        return StatValue(ComputeStats(v[0].Dyn(i), IgnoreNonfinite(v, i)), stat);
    });
}

Status CheckSeriesStatsArgs(const std::vector<const BoundExpr*>& a, SourcePos pos) {
    if (a.empty() || a.size() > 2) {
        return Status::SemanticError(
            "function series_stats() expects 1..2 argument(s), got " + std::to_string(a.size()),
            pos);
    }
    if (a[0]->type != Type::kDynamic) {
        return Status::SemanticError("series_stats() expects a dynamic array, got " +
                                         TypeStr(a[0]->type),
                                     pos);
    }
    if (a.size() > 1 && a[1]->type != Type::kBool) {
        return Status::SemanticError("series_stats(): ignore_nonfinite must be bool", pos);
    }
    return Status::Ok();
}

// Sorts the first array; the others follow its permutation (null when their length
// differs). `pick` selects one of the arrays; SIZE_MAX returns them all as an array of
// arrays (one array alone is returned as itself).
BoundCall ArraySortCall(bool asc, size_t num_arrays, size_t pick) {
    return RowCall(Type::kDynamic, Type::kNull, [asc, num_arrays, pick](const Vecs& v, size_t i) {
        bool nulls_last = true;
        if (v.size() > num_arrays && !v[num_arrays].IsNull(i)) nulls_last = v[num_arrays].I64(i) != 0;
        const Dynamic& first = v[0].Dyn(i);
        if (first.kind() != Dynamic::Kind::kArray) return Value::Null(Type::kDynamic);
        const auto& a0 = first.as_array();
        std::vector<size_t> order(a0.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
            bool nx = a0[x].is_null(), ny = a0[y].is_null();
            if (nx || ny) return nx != ny && (nulls_last ? ny : nx);
            return asc ? ElementLess(a0[x], a0[y]) : ElementLess(a0[y], a0[x]);
        });
        auto sorted = [&](size_t k) -> Dynamic {
            const Dynamic& d = v[k].Dyn(i);
            if (d.kind() != Dynamic::Kind::kArray || d.as_array().size() != a0.size()) {
                return Dynamic();
            }
            Dynamic::Array out;
            for (size_t idx : order) out.push_back(d.as_array()[idx]);
            return Dynamic::MakeArray(std::move(out));
        };
        if (pick != SIZE_MAX) return Value::FromDynamic(sorted(pick));
        if (num_arrays == 1) return Value::FromDynamic(sorted(0));
        Dynamic::Array all;
        for (size_t k = 0; k < num_arrays; ++k) all.push_back(sorted(k));
        return Value::FromDynamic(Dynamic::MakeArray(std::move(all)));
    });
}

size_t ArraySortArrays(const std::vector<const BoundExpr*>& a) {
    size_t n = a.size();
    if (n > 1 && a[n - 1]->type == Type::kBool) --n;
    return n;
}

void AddMiscFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["strcmp"] = {2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                       for (const auto* x : a) {
                           if (!IsStringy(x->type) && x->type != Type::kNull) {
                               return Status::SemanticError(
                                   "strcmp() expects strings, got " + TypeStr(x->type), pos);
                           }
                       }
                       return RowCall(Type::kInt, Type::kString, [](const Vecs& v, size_t i) {
                           int c = v[0].Str(i).compare(v[1].Str(i));
                           return Value::Int(c < 0 ? -1 : c > 0 ? 1 : 0);
                       });
                   }};
    r["regex_quote"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                                return Value::String(RegexQuote(v[0].Str(i)));
                            });
                        }};
    r["indexof_regex"] = {
        2, 5, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(CheckIntArgs(a, 2, "indexof_regex", pos));
            if (a[1]->kind == BoundExpr::Kind::kConst && !a[1]->value.is_null()) {
                RE2 re(CastValue(a[1]->value, Type::kString).as_string(), RE2::Quiet);
                if (!re.ok()) {
                    return Status::SemanticError("invalid regular expression: " + re.error(), pos);
                }
            }
            return RowCall(Type::kLong, Type::kNull, [](const Vecs& v, size_t i) {
                std::string_view s = v[0].Str(i);
                int64_t from = 0, to = 0, occurrence = 1;
                if (!Window(v, i, 2, static_cast<int64_t>(s.size()), false, from, to, occurrence)) {
                    return Value::Null(Type::kLong);
                }
                // One compiled pattern per thread, reused while the pattern repeats.
                thread_local std::string last;
                thread_local std::unique_ptr<RE2> re;
                if (!re || last != v[1].Str(i)) {
                    last = std::string(v[1].Str(i));
                    re = std::make_unique<RE2>(last, RE2::Quiet);
                }
                if (!re->ok()) return Value::Null(Type::kLong);
                if (occurrence == 0) occurrence = 1;
                re2::StringPiece text(s.data() + from, static_cast<size_t>(std::max<int64_t>(0, to - from)));
                size_t at_from = 0;
                re2::StringPiece m;
                for (int64_t k = 1; at_from <= text.size(); ++k) {
                    if (!re->Match(text, at_from, text.size(), RE2::UNANCHORED, &m, 1)) break;
                    size_t at = static_cast<size_t>(m.data() - text.data());
                    if (k == occurrence) return Value::Long(from + static_cast<int64_t>(at));
                    at_from = at + std::max<size_t>(1, m.size());  // matches don't overlap
                }
                return Value::Long(-1);
            });
        }};
    auto sorter = [](bool asc) {
        return ScalarFunction{
            1, 64, [asc](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                size_t n = ArraySortArrays(a);
                for (size_t k = 0; k < n; ++k) {
                    if (a[k]->type != Type::kDynamic) {
                        return Status::SemanticError(
                            std::string(asc ? "array_sort_asc" : "array_sort_desc") +
                                "() expects dynamic arrays, got " + TypeStr(a[k]->type),
                            pos);
                    }
                }
                return ArraySortCall(asc, n, SIZE_MAX);
            }};
    };
    r["array_sort_asc"] = sorter(true);
    r["array_sort_desc"] = sorter(false);
    r["array_index_of"] = {
        2, 5, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->type != Type::kDynamic) {
                return Status::SemanticError(
                    "array_index_of() expects a dynamic array, got " + TypeStr(a[0]->type), pos);
            }
            RETURN_IF_ERROR(CheckIntArgs(a, 2, "array_index_of", pos));
            return RowCall(Type::kLong, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray) return Value::Null(Type::kLong);
                const auto& arr = d.as_array();
                int64_t from = 0, to = 0, occurrence = 1;
                if (!Window(v, i, 2, static_cast<int64_t>(arr.size()), true, from, to, occurrence)) {
                    return Value::Null(Type::kLong);
                }
                Dynamic want = CastValue(v[1].Get(i), Type::kDynamic).as_dynamic();
                if (occurrence == 0) occurrence = 1;
                int64_t seen = 0;
                for (int64_t k = from; k < to; ++k) {
                    if (SameValue(arr[static_cast<size_t>(k)], want) && ++seen == occurrence) {
                        return Value::Long(k);
                    }
                }
                return Value::Long(-1);
            });
        }};
    r["set_has_element"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->type != Type::kDynamic) {
                return Status::SemanticError(
                    "set_has_element() expects a dynamic array, got " + TypeStr(a[0]->type), pos);
            }
            return RowCall(Type::kBool, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray) return Value::Null(Type::kBool);
                Dynamic want = CastValue(v[1].Get(i), Type::kDynamic).as_dynamic();
                for (const auto& e : d.as_array()) {
                    if (SameValue(e, want)) return Value::Bool(true);
                }
                return Value::Bool(false);
            });
        }};
    r["bag_remove_keys"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->type != Type::kDynamic || a[1]->type != Type::kDynamic) {
                return Status::SemanticError(
                    "bag_remove_keys() expects a dynamic bag and a dynamic array of keys", pos);
            }
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic& bag = v[0].Dyn(i);
                const Dynamic& keys = v[1].Dyn(i);
                if (bag.kind() != Dynamic::Kind::kObject) return Value::Null(Type::kDynamic);
                if (keys.kind() != Dynamic::Kind::kArray) return Value::FromDynamic(bag);
                // Each key is a path: `a`, `$.a.b` or `$['a']['b']`.
                std::vector<std::vector<std::string>> paths;
                for (const auto& k : keys.as_array()) {
                    if (k.kind() != Dynamic::Kind::kString) continue;
                    std::string p = k.as_string();
                    std::vector<std::string> parts;
                    if (p.rfind("$", 0) == 0) {
                        size_t at = 1;
                        while (at < p.size()) {
                            if (p[at] == '.') {
                                size_t end = p.find_first_of(".[", at + 1);
                                if (end == std::string::npos) end = p.size();
                                parts.push_back(p.substr(at + 1, end - at - 1));
                                at = end;
                            } else if (p.compare(at, 2, "['") == 0) {
                                size_t end = p.find("']", at + 2);
                                if (end == std::string::npos) break;
                                parts.push_back(p.substr(at + 2, end - at - 2));
                                at = end + 2;
                            } else {
                                break;
                            }
                        }
                    } else {
                        parts.push_back(p);
                    }
                    if (!parts.empty()) paths.push_back(std::move(parts));
                }
                // `live`: the paths whose keys so far lead to this bag.
                using Live = std::vector<const std::vector<std::string>*>;
                std::function<Dynamic(const Dynamic&, size_t, const Live&)> strip =
                    [&](const Dynamic& d, size_t depth, const Live& live) {
                        Dynamic::Object out;
                        for (const auto& [key, value] : d.as_object()) {
                            bool drop = false;
                            Live below;
                            for (const auto* path : live) {
                                if ((*path)[depth] != key) continue;
                                if (path->size() == depth + 1) {
                                    drop = true;
                                } else {
                                    below.push_back(path);
                                }
                            }
                            if (drop) continue;
                            if (!below.empty() && value.kind() == Dynamic::Kind::kObject) {
                                out.emplace_back(key, strip(value, depth + 1, below));
                            } else {
                                out.emplace_back(key, value);
                            }
                        }
                        return Dynamic::MakeObject(std::move(out));
                    };
                Live all;
                for (const auto& p : paths) all.push_back(&p);
                return Value::FromDynamic(strip(bag, 0, all));
            });
        }};
    r["hash_sha256"] = HashFunction(EVP_sha256);
    r["hash_md5"] = HashFunction(EVP_md5);
    // rand() in [0, 1); rand(N) a long in [0, N). Not folded: it is never constant.
    r["rand"] = {0, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                     if (!a.empty() && !IsNumeric(a[0]->type)) {
                         return Status::SemanticError("rand() expects a number", pos);
                     }
                     BoundCall c;
                     c.type = a.empty() ? Type::kReal : Type::kLong;
                     c.kernel = [](const std::vector<Vec>& v, size_t n) {
                         thread_local std::mt19937_64 gen{std::random_device{}()};
                         core::Column col(v.empty() ? Type::kReal : Type::kLong);
                         col.Reserve(n);
                         std::uniform_real_distribution<double> unit(0.0, 1.0);
                         for (size_t i = 0; i < n; ++i) {
                             if (v.empty()) {
                                 col.AppendDouble(unit(gen));
                                 continue;
                             }
                             int64_t bound = v[0].IsNull(i) ? 0 : static_cast<int64_t>(v[0].F64(i));
                             if (bound <= 0) {
                                 col.AppendNull();
                                 continue;
                             }
                             std::uniform_int_distribution<int64_t> d(0, bound - 1);
                             col.AppendInt64(d(gen));
                         }
                         return Vec::Own(std::move(col));
                     };
                     return c;
                 }};
    // series_stats() used inside an expression: the statistics as one bag (extend and
    // project expand a top-level call into columns instead, binder/bind_multi_column.cc).
    r["series_stats"] = {1, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                             RETURN_IF_ERROR(CheckSeriesStatsArgs(a, pos));
                             return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                                 Stats s = ComputeStats(v[0].Dyn(i), IgnoreNonfinite(v, i));
                                 if (!s.valid) return Value::Null(Type::kDynamic);
                                 Dynamic::Object o;
                                 for (size_t k = 0; k < SeriesStatsNames().size(); ++k) {
                                     o.emplace_back(SeriesStatsNames()[k],
                                                    CastValue(StatValue(s, k), Type::kDynamic).as_dynamic());
                                 }
                                 return Value::FromDynamic(Dynamic::MakeObject(std::move(o)));
                             });
                         }};
}

}  // namespace calypso::kql::functions
