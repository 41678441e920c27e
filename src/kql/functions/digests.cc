// hll / hll_merge / dcount_hll and tdigest / tdigest_merge / percentile_tdigest. Kusto's
// digests are estimates with an opaque, versioned layout; here they are exact and
// deterministic:
// - hll(x [, accuracy]) is [[1024, p], ["h1", "h2", ...], []] (the sparse layout the docs'
//   hll_merge example shows): p the precision of the accuracy level (0..4 -> 12, 14, 16,
//   17, 18; default 1), then the distinct 64-bit XXH3 hashes of the values (the hashes
//   dcount uses), as signed decimal strings in ascending order. dcount_hll counts them, so
//   dcount_hll(hll(x)) == dcount(x).
// - tdigest(x [, w]) is [type, [v1, w1], [v2, w2], ...]: the value type's name, then each
//   distinct value (datetimes and timespans as ticks) with its total weight, ascending.
//   percentile_tdigest takes the nearest rank, as percentile / percentilew do.
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "kql/functions/aggregates_extra.h"
#include "kql/functions/cast.h"
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
using Registry = std::map<std::string, AggregateFunction, std::less<>>;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

constexpr int64_t kHllLayout = 1024;

int64_t Precision(int64_t accuracy) {
    static constexpr int64_t kBits[] = {12, 14, 16, 17, 18};
    return accuracy >= 0 && accuracy <= 4 ? kBits[accuracy] : 14;
}

// The hash dcount gives row i (false for a null).
bool HashOf(const Vec& v, size_t i, int64_t& out) {
    uint64_t h = 0;
    switch (core::PhysicalOf(v.type())) {
        case core::Physical::kInt64: {
            if (v.IsNull(i)) return false;
            const int64_t x = v.I64(i);
            h = XXH3_64bits(&x, sizeof x);
            break;
        }
        case core::Physical::kDouble: {
            if (v.IsNull(i)) return false;
            const double x = v.F64(i);
            h = XXH3_64bits(&x, sizeof x);
            break;
        }
        case core::Physical::kString: {
            std::string_view s = v.Str(i);
            h = XXH3_64bits(s.data(), s.size());
            break;
        }
        case core::Physical::kDynamic: {
            if (v.Dyn(i).is_null()) return false;
            std::string s = v.Dyn(i).ToJson();
            h = XXH3_64bits(s.data(), s.size());
            break;
        }
        case core::Physical::kNone:
            return false;
    }
    out = static_cast<int64_t>(h);
    return true;
}

Dynamic HllValue(int64_t precision, const std::set<int64_t>& hashes) {
    Dynamic::Array head;
    head.push_back(Dynamic::Long(kHllLayout));
    head.push_back(Dynamic::Long(precision));
    Dynamic::Array list;
    for (int64_t h : hashes) list.push_back(Dynamic::String(std::to_string(h)));
    Dynamic::Array out;
    out.push_back(Dynamic::MakeArray(std::move(head)));
    out.push_back(Dynamic::MakeArray(std::move(list)));
    out.push_back(Dynamic::MakeArray(Dynamic::Array()));
    return Dynamic::MakeArray(std::move(out));
}

// Reads an hll value: false when `d` is not one.
bool ReadHll(const Dynamic& d, int64_t& precision, std::set<int64_t>& hashes) {
    if (d.kind() != Dynamic::Kind::kArray || d.as_array().size() != 3) return false;
    const auto& parts = d.as_array();
    if (parts[0].kind() != Dynamic::Kind::kArray || parts[0].as_array().size() != 2 ||
        parts[1].kind() != Dynamic::Kind::kArray) {
        return false;
    }
    const Dynamic& p = parts[0].as_array()[1];
    if (p.kind() != Dynamic::Kind::kLong) return false;
    precision = p.as_long();
    for (const auto& h : parts[1].as_array()) {
        if (h.kind() != Dynamic::Kind::kString) return false;
        try {
            hashes.insert(std::stoll(h.as_string()));
        } catch (...) {
            return false;
        }
    }
    return true;
}

// hll(x [, accuracy]) and hll_merge(h): a set of hashes per group.
class HllState final : public AggregateState {
  public:
    explicit HllState(bool merge) : merge_(merge) {}
    void SetConstants(const std::vector<Value>& c) override {
        if (c.size() > 1 && !c[1].is_null()) {
            precision_ = Precision(CastValue(c[1], Type::kLong).as_int64());
        }
    }
    void Resize(size_t n) override {
        sets_.resize(n);
        precisions_.resize(n, 0);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        const Vec& v = args[0];
        for (size_t i = 0; i < n; ++i) {
            auto& set = sets_[groups[i]];
            if (!merge_) {
                int64_t h = 0;
                if (HashOf(v, i, h) && set.insert(h).second) bytes_ += 8 + kSetEntryBytes;
                continue;
            }
            if (v.type() != Type::kDynamic) continue;
            int64_t p = 0;
            std::set<int64_t> hashes;
            if (!ReadHll(v.Dyn(i), p, hashes)) continue;
            int64_t& gp = precisions_[groups[i]];
            if (gp != 0 && gp != p) mixed_ = true;
            gp = p;
            for (int64_t h : hashes) {
                if (set.insert(h).second) bytes_ += 8 + kSetEntryBytes;
            }
        }
    }
    size_t MemoryBytes(size_t n) const override { return bytes_ + n * sizeof(std::set<int64_t>); }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            // hll_merge of values of different accuracies: null (the docs: they can't merge).
            if (merge_ && (mixed_ || precisions_[g] == 0)) {
                c.AppendNull();
                continue;
            }
            c.AppendDynamic(HllValue(merge_ ? precisions_[g] : precision_, sets_[g]));
        }
        return c;
    }

  private:
    bool merge_;
    int64_t precision_ = 14;
    bool mixed_ = false;
    std::vector<std::set<int64_t>> sets_;
    std::vector<int64_t> precisions_;
    size_t bytes_ = 0;
};

// tdigest(x [, w]) and tdigest_merge(t): value -> weight per group.
class TdigestState final : public AggregateState {
  public:
    TdigestState(bool merge, Type type) : merge_(merge), type_(type) {}
    void Resize(size_t n) override { maps_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        if (merge_) {
            const Vec& v = args[0];
            if (v.type() != Type::kDynamic) return;
            for (size_t i = 0; i < n; ++i) {
                const Dynamic& d = v.Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray || d.as_array().empty()) continue;
                const auto& parts = d.as_array();
                if (parts[0].kind() == Dynamic::Kind::kString) type_name_ = parts[0].as_string();
                for (size_t k = 1; k < parts.size(); ++k) {
                    const Dynamic& p = parts[k];
                    if (p.kind() != Dynamic::Kind::kArray || p.as_array().size() != 2) continue;
                    Add(groups[i], Number(p.as_array()[0]), Number(p.as_array()[1]));
                }
            }
            return;
        }
        const Vec& x = args[0];
        const bool ticks = core::PhysicalOf(x.type()) == core::Physical::kInt64;
        const bool weighted = args.size() > 1;
        std::optional<Vec> w;
        if (weighted) w = CastVec(args[1], Type::kReal, n);
        for (size_t i = 0; i < n; ++i) {
            if (x.IsNull(i) || (weighted && (w->IsNull(i) || !(w->F64(i) > 0)))) continue;
            double value = ticks ? static_cast<double>(x.I64(i)) : x.F64(i);
            Add(groups[i], value, weighted ? w->F64(i) : 1.0);
        }
    }
    size_t MemoryBytes(size_t n) const override {
        size_t entries = 0;
        for (const auto& m : maps_) entries += m.size();
        return entries * (16 + kSetEntryBytes) + n * sizeof(std::map<double, double>);
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        std::string name = merge_ ? type_name_ : std::string(core::TypeName(type_));
        for (size_t g = 0; g < n; ++g) {
            if (maps_[g].empty()) {
                c.AppendNull();
                continue;
            }
            Dynamic::Array out{Dynamic::String(name)};
            for (const auto& [v, w] : maps_[g]) {
                Dynamic::Array pair;
                pair.push_back(Whole(v));
                pair.push_back(Whole(w));
                out.push_back(Dynamic::MakeArray(std::move(pair)));
            }
            c.AppendDynamic(Dynamic::MakeArray(std::move(out)));
        }
        return c;
    }

  private:
    static double Number(const Dynamic& d) {
        if (d.kind() == Dynamic::Kind::kLong) return static_cast<double>(d.as_long());
        if (d.kind() == Dynamic::Kind::kReal) return d.as_real();
        return std::nan("");
    }
    // Integral numbers are written as JSON integers.
    static Dynamic Whole(double x) {
        if (std::floor(x) == x && std::fabs(x) < 9.0e15)
            return Dynamic::Long(static_cast<int64_t>(x));
        return Dynamic::Real(x);
    }
    void Add(uint32_t g, double v, double w) {
        if (std::isnan(v) || !(w > 0)) return;
        maps_[g][v] += w;
    }

    bool merge_;
    Type type_;
    std::string type_name_ = "real";
    std::vector<std::map<double, double>> maps_;
};

Result<Type> DynamicArg(const std::vector<Type>& t, SourcePos pos, const char* fn) {
    if (t[0] != Type::kDynamic && t[0] != Type::kNull) {
        return Status::SemanticError(std::string(fn) + "() expects a dynamic value, got " +
                                         std::string(core::TypeName(t[0])),
                                     pos);
    }
    return Type::kDynamic;
}

}  // namespace

void AddDigestAggregates(Registry& r) {
    r["hll"] = {"hll", 1, 2,
                [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
                    if (t.size() > 1 && !IsIntegral(t[1])) {
                        return Status::SemanticError("hll(): the accuracy must be an integer", pos);
                    }
                    return Type::kDynamic;
                },
                [](const std::vector<Type>&) { return std::make_unique<HllState>(false); }};
    r["hll_merge"] = {
        "hll_merge", 1, 1,
        [](const std::vector<Type>& t, SourcePos pos) { return DynamicArg(t, pos, "hll_merge"); },
        [](const std::vector<Type>&) { return std::make_unique<HllState>(true); }};
    r["tdigest"] = {
        "tdigest", 1, 2,
        [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            bool ok = IsNumeric(t[0]) || t[0] == Type::kDatetime || t[0] == Type::kTimespan ||
                      t[0] == Type::kNull;
            if (!ok || (t.size() > 1 && !IsNumeric(t[1]))) {
                return Status::SemanticError(
                    "tdigest() expects a number, datetime or timespan and a numeric "
                    "weight",
                    pos);
            }
            return Type::kDynamic;
        },
        [](const std::vector<Type>& t) { return std::make_unique<TdigestState>(false, t[0]); }};
    r["tdigest_merge"] = {
        "tdigest_merge", 1, 1,
        [](const std::vector<Type>& t, SourcePos pos) {
            return DynamicArg(t, pos, "tdigest_merge");
        },
        [](const std::vector<Type>&) { return std::make_unique<TdigestState>(true, Type::kReal); }};
    r["merge_tdigest"] = r["tdigest_merge"];
}

void AddDigestFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["dcount_hll"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kLong, Type::kNull, [](const Vecs& v, size_t i) {
                int64_t p = 0;
                std::set<int64_t> hashes;
                if (v[0].type() != Type::kDynamic || !ReadHll(v[0].Dyn(i), p, hashes)) {
                    return Value::Null(Type::kLong);
                }
                return Value::Long(static_cast<int64_t>(hashes.size()));
            });
        }};
    // percentile_tdigest(digest, p [, typeof(T)]): the value at rank ceil(p/100 * W) of the
    // weighted values (the first for p = 0); real unless a type is given.
    r["percentile_tdigest"] = {
        2, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            Type out = Type::kReal;
            if (a.size() > 2) {
                auto t = a[2]->kind == BoundExpr::Kind::kConst && a[2]->type == Type::kString
                             ? core::ParseTypeName(a[2]->value.as_string())
                             : std::nullopt;
                if (!t) return Status::SemanticError("percentile_tdigest() expects typeof(T)", pos);
                out = *t;
            }
            if (!IsNumeric(a[1]->type)) {
                return Status::SemanticError(
                    "percentile_tdigest(): the percentile must be a number", pos);
            }
            return RowCall(out, Type::kNull, [out](const Vecs& v, size_t i) {
                if (v[0].type() != Type::kDynamic || v[1].IsNull(i)) return Value::Null(out);
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray || d.as_array().size() < 2) {
                    return Value::Null(out);
                }
                double p = CastValue(v[1].Get(i), Type::kReal).as_double();
                if (!(p >= 0 && p <= 100)) return Value::Null(out);
                const auto& parts = d.as_array();
                std::vector<std::pair<double, double>> vw;
                double total = 0;
                for (size_t k = 1; k < parts.size(); ++k) {
                    const auto& e = parts[k];
                    if (e.kind() != Dynamic::Kind::kArray || e.as_array().size() != 2) continue;
                    auto num = [](const Dynamic& x) {
                        return x.kind() == Dynamic::Kind::kLong   ? static_cast<double>(x.as_long())
                               : x.kind() == Dynamic::Kind::kReal ? x.as_real()
                                                                  : std::nan("");
                    };
                    double val = num(e.as_array()[0]), w = num(e.as_array()[1]);
                    if (std::isnan(val) || !(w > 0)) continue;
                    vw.emplace_back(val, w);
                    total += w;
                }
                if (vw.empty()) return Value::Null(out);
                std::sort(vw.begin(), vw.end());
                double rank = std::max(1.0, std::ceil(p / 100 * total));
                double seen = 0;
                double pick = vw.back().first;
                for (const auto& [val, w] : vw) {
                    seen += w;
                    if (seen >= rank) {
                        pick = val;
                        break;
                    }
                }
                if (core::PhysicalOf(out) == core::Physical::kInt64) {
                    auto ticks = static_cast<int64_t>(std::llround(pick));
                    switch (out) {
                        case Type::kDatetime:
                            return Value::Datetime(ticks);
                        case Type::kTimespan:
                            return Value::Timespan(ticks);
                        default:
                            return CastValue(Value::Long(ticks), out);
                    }
                }
                return CastValue(Value::Real(pick), out);
            });
        }};
}

}  // namespace calypso::kql::functions
