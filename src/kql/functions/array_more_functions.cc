// Array builders and array arithmetic: range(), repeat(), array_sum, array_iff,
// array_split, set_equals, jaccard_index.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "core/time.h"
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

// The docs' cap on range()'s length (2^20); longer ranges are cut.
constexpr size_t kMaxRange = 1 << 20;

Value NullDyn() { return Value::Null(Type::kDynamic); }
Value DynValue(Dynamic::Array a) { return Value::FromDynamic(Dynamic::MakeArray(std::move(a))); }

Dynamic AsDynamic(const Value& v) {
    Value d = CastValue(v, Type::kDynamic);
    return d.is_null() ? Dynamic() : d.as_dynamic();
}

const Dynamic::Array* ArrayOf(const Vec& v, size_t i) {
    if (v.type() != Type::kDynamic) return nullptr;
    const Dynamic& d = v.Dyn(i);
    return d.kind() == Dynamic::Kind::kArray ? &d.as_array() : nullptr;
}

std::unordered_set<std::string> DistinctJson(const Dynamic::Array& xs) {
    std::unordered_set<std::string> out;
    for (const auto& e : xs) out.insert(e.ToJson());
    return out;
}

bool Truthy(const Dynamic& d, bool& known) {
    known = true;
    switch (d.kind()) {
        case Dynamic::Kind::kBool:
            return d.as_bool();
        case Dynamic::Kind::kLong:
            return d.as_long() != 0;
        case Dynamic::Kind::kReal:
            return d.as_real() != 0;
        default:
            known = false;
            return false;
    }
}

// range(start, stop [, step]) over longs, reals, datetimes or timespans.
Result<BoundCall> BindRange(const Args& a, const BindContext&, SourcePos pos) {
    Type t0 = a[0]->type, t1 = a[1]->type;
    Type ts = a.size() > 2 ? a[2]->type : Type::kNull;
    bool temporal = (t0 == Type::kDatetime || t0 == Type::kTimespan) && t1 == t0 &&
                    (ts == Type::kTimespan || ts == Type::kNull);
    bool numeric = IsNumeric(t0) && IsNumeric(t1) && (ts == Type::kNull || IsNumeric(ts));
    if (!temporal && !numeric) {
        return Status::SemanticError(
            "range() expects numbers, or datetimes or timespans with a "
            "timespan step",
            pos);
    }
    bool real =
        numeric && (core::PhysicalOf(t0) == core::Physical::kDouble ||
                    core::PhysicalOf(t1) == core::Physical::kDouble ||
                    (ts != Type::kNull && core::PhysicalOf(ts) == core::Physical::kDouble));
    Type kind = temporal ? t0 : real ? Type::kReal : Type::kLong;
    return RowCall(Type::kDynamic, Type::kNull, [kind](const Vecs& v, size_t i) {
        for (const auto& x : v) {
            if (x.IsNull(i)) return NullDyn();
        }
        Dynamic::Array out;
        if (kind == Type::kReal) {
            double start = CastValue(v[0].Get(i), Type::kReal).as_double();
            double stop = CastValue(v[1].Get(i), Type::kReal).as_double();
            double step = v.size() > 2 ? CastValue(v[2].Get(i), Type::kReal).as_double() : 1.0;
            if (step == 0 || std::isnan(step)) return NullDyn();
            for (size_t k = 0; out.size() < kMaxRange; ++k) {
                double x = start + static_cast<double>(k) * step;
                if (step > 0 ? x > stop : x < stop) break;
                out.push_back(Dynamic::Real(x));
            }
            return DynValue(std::move(out));
        }
        int64_t start = v[0].I64(i), stop = v[1].I64(i);
        int64_t step = v.size() > 2 ? v[2].I64(i) : kind == Type::kLong ? 1 : core::kTicksPerHour;
        if (step == 0) return NullDyn();
        for (int64_t x = start; (step > 0 ? x <= stop : x >= stop) && out.size() < kMaxRange;
             x += step) {
            if (kind == Type::kDatetime) {
                out.push_back(Dynamic::String(core::FormatDatetime(x)));
            } else if (kind == Type::kTimespan) {
                out.push_back(Dynamic::String(core::FormatTimespan(x)));
            } else {
                out.push_back(Dynamic::Long(x));
            }
            if ((step > 0 && x > INT64_MAX - step) || (step < 0 && x < INT64_MIN - step)) break;
        }
        return DynValue(std::move(out));
    });
}

}  // namespace

void AddArrayMoreFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["range"] = {2, 3, BindRange};
    // count <= 0 gives an empty array (the docs); a null count gives null.
    r["repeat"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (!IsIntegral(a[1]->type) && a[1]->type != Type::kNull) {
                return Status::SemanticError("repeat(): the count must be an integer", pos);
            }
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                if (v[1].IsNull(i)) return NullDyn();
                int64_t n = std::min<int64_t>(v[1].I64(i), static_cast<int64_t>(kMaxRange));
                Dynamic e = AsDynamic(v[0].Get(i));
                Dynamic::Array out(static_cast<size_t>(std::max<int64_t>(n, 0)), e);
                return DynValue(std::move(out));
            });
        }};
    // The sum as a real; an element that is not a number makes it null.
    r["array_sum"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                          return RowCall(Type::kReal, Type::kNull, [](const Vecs& v, size_t i) {
                              const Dynamic::Array* xs = ArrayOf(v[0], i);
                              if (xs == nullptr) return Value::Null(Type::kReal);
                              double sum = 0;
                              for (const auto& e : *xs) {
                                  if (e.kind() == Dynamic::Kind::kLong) {
                                      sum += static_cast<double>(e.as_long());
                                  } else if (e.kind() == Dynamic::Kind::kReal) {
                                      sum += e.as_real();
                                  } else {
                                      return Value::Null(Type::kReal);
                                  }
                              }
                              return Value::Real(sum);
                          });
                      }};
    // Element-wise choice; a number is true when not 0, any other condition element gives
    // null; when_true / when_false are arrays (missing elements null) or single values.
    r["array_iff"] = {3, 3, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                          return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                              const Dynamic::Array* cond = ArrayOf(v[0], i);
                              if (cond == nullptr) return NullDyn();
                              auto pick = [&](const Vec& x, size_t k) -> Dynamic {
                                  if (const Dynamic::Array* xs = ArrayOf(x, i)) {
                                      return k < xs->size() ? (*xs)[k] : Dynamic();
                                  }
                                  return AsDynamic(x.Get(i));
                              };
                              Dynamic::Array out;
                              for (size_t k = 0; k < cond->size(); ++k) {
                                  bool known = false;
                                  bool t = Truthy((*cond)[k], known);
                                  out.push_back(!known ? Dynamic() : pick(t ? v[1] : v[2], k));
                              }
                              return DynValue(std::move(out));
                          });
                      }};
    r["array_iif"] = r["array_iff"];
    // Splits before each index (one integer or an array of them; negative ones count from
    // the end; indexes are clamped to the array).
    r["array_split"] = {
        2, 2, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic::Array* xs = ArrayOf(v[0], i);
                if (xs == nullptr || v[1].IsNull(i)) return NullDyn();
                auto n = static_cast<int64_t>(xs->size());
                std::vector<int64_t> cuts;
                Dynamic idx = AsDynamic(v[1].Get(i));
                auto add = [&](const Dynamic& d) {
                    if (d.kind() != Dynamic::Kind::kLong) return false;
                    int64_t c = d.as_long() < 0 ? d.as_long() + n : d.as_long();
                    cuts.push_back(std::clamp<int64_t>(c, 0, n));
                    return true;
                };
                if (idx.kind() == Dynamic::Kind::kArray) {
                    for (const auto& e : idx.as_array()) {
                        if (!add(e)) return NullDyn();
                    }
                } else if (!add(idx)) {
                    return NullDyn();
                }
                Dynamic::Array out;
                int64_t from = 0;
                cuts.push_back(n);
                for (int64_t c : cuts) {
                    c = std::max(c, from);
                    out.push_back(
                        Dynamic::MakeArray(Dynamic::Array(xs->begin() + from, xs->begin() + c)));
                    from = c;
                }
                return DynValue(std::move(out));
            });
        }};
    r["set_equals"] = {2, 2, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                           return RowCall(Type::kBool, Type::kNull, [](const Vecs& v, size_t i) {
                               const Dynamic::Array* a = ArrayOf(v[0], i);
                               const Dynamic::Array* b = ArrayOf(v[1], i);
                               if (a == nullptr || b == nullptr) return Value::Null(Type::kBool);
                               return Value::Bool(DistinctJson(*a) == DistinctJson(*b));
                           });
                       }};
    // |A ∩ B| / |A ∪ B| over distinct elements.
    r["jaccard_index"] = {
        2, 2, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kReal, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic::Array* a = ArrayOf(v[0], i);
                const Dynamic::Array* b = ArrayOf(v[1], i);
                if (a == nullptr || b == nullptr) return Value::Null(Type::kReal);
                auto sa = DistinctJson(*a), sb = DistinctJson(*b);
                size_t both = 0;
                for (const auto& e : sa) both += sb.count(e);
                size_t any = sa.size() + sb.size() - both;
                return Value::Real(static_cast<double>(both) / static_cast<double>(any));
            });
        }};
}

}  // namespace calypso::kql::functions
