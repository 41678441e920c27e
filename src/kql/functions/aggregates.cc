#include "kql/functions/aggregates.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

#include "kql/functions/aggregates_extra.h"
#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;

class CountState final : public AggregateState {
  public:
    explicit CountState(bool conditional) : conditional_(conditional) {}
    void Resize(size_t n) override { counts_.resize(n, 0); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        if (!conditional_) {
            for (size_t i = 0; i < n; ++i) ++counts_[groups[i]];
            return;
        }
        Vec b = CastVec(args[0], Type::kBool, n);
        if (!b.is_const()) {  // straight over the column: no per-row accessor branches
            const auto valid = b.column().validity();
            const auto v = b.column().int64s();
            for (size_t i = 0; i < n; ++i) counts_[groups[i]] += (valid[i] != 0) & (v[i] != 0);
            return;
        }
        for (size_t i = 0; i < n; ++i) {
            if (!b.IsNull(i) && b.I64(i) != 0) ++counts_[groups[i]];
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kLong);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.AppendInt64(counts_[g]);
        return c;
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        const auto& o = static_cast<const CountState&>(later);
        for (size_t g = 0; g < n; ++g) counts_[map[g]] += o.counts_[g];
    }

  private:
    bool conditional_;
    std::vector<int64_t> counts_;
};

// sum (int64 or double accumulation) and avg.
class SumState final : public AggregateState {
  public:
    SumState(Type out, bool avg) : out_(out), avg_(avg) {}
    void Resize(size_t n) override {
        isum_.resize(n, 0);
        dsum_.resize(n, 0);
        count_.resize(n, 0);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        const Vec& a = args[0];
        bool as_double =
            avg_ || core::PhysicalOf(out_) == core::Physical::kDouble || a.type() == Type::kDynamic;
        Vec v = a.type() == Type::kDynamic ? CastVec(a, Type::kReal, n) : a;
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            uint32_t g = groups[i];
            if (as_double) {
                dsum_[g] += v.F64(i);
            } else {
                isum_[g] = static_cast<int64_t>(static_cast<uint64_t>(isum_[g]) +
                                                static_cast<uint64_t>(v.I64(i)));
            }
            ++count_[g];
        }
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        const auto& o = static_cast<const SumState&>(later);
        for (size_t g = 0; g < n; ++g) {
            uint32_t t = map[g];
            isum_[t] = static_cast<int64_t>(static_cast<uint64_t>(isum_[t]) +
                                            static_cast<uint64_t>(o.isum_[g]));
            dsum_[t] += o.dsum_[g];
            count_[t] += o.count_[g];
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(out_);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            if (avg_) {
                double r = count_[g] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                          : dsum_[g] / static_cast<double>(count_[g]);
                if (out_ == Type::kTimespan || out_ == Type::kDatetime) {
                    if (count_[g] == 0) {
                        c.AppendNull();
                    } else {
                        c.AppendInt64(static_cast<int64_t>(std::llround(r)));
                    }
                } else {
                    c.AppendDouble(r);
                }
            } else if (core::PhysicalOf(out_) == core::Physical::kDouble) {
                c.AppendDouble(dsum_[g]);
            } else {
                c.AppendInt64(isum_[g]);
            }
        }
        return c;
    }

  private:
    Type out_;
    bool avg_;
    std::vector<int64_t> isum_;
    std::vector<double> dsum_;
    std::vector<int64_t> count_;
};

class MinMaxState final : public AggregateState {
  public:
    MinMaxState(Type type, bool is_max) : type_(type), is_max_(is_max) {}
    void Resize(size_t n) override { best_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], type_, n);
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            auto& b = best_[groups[i]];
            switch (core::PhysicalOf(type_)) {
                case core::Physical::kInt64: {
                    int64_t x = v.I64(i);
                    if (!b || (is_max_ ? x > b->i : x < b->i)) b = Cell{x, 0, {}};
                    break;
                }
                case core::Physical::kDouble: {
                    double x = v.F64(i);
                    if (std::isnan(x)) break;
                    if (!b || (is_max_ ? x > b->d : x < b->d)) b = Cell{0, x, {}};
                    break;
                }
                case core::Physical::kString: {
                    std::string_view x = v.Str(i);
                    if (!b || (is_max_ ? x > b->s : x < b->s)) b = Cell{0, 0, std::string(x)};
                    break;
                }
                default:
                    break;
            }
        }
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<MinMaxState&>(later);
        for (size_t g = 0; g < n; ++g) {
            auto& x = o.best_[g];
            if (!x) continue;
            auto& b = best_[map[g]];
            bool better = !b;
            if (b) {
                switch (core::PhysicalOf(type_)) {
                    case core::Physical::kInt64:
                        better = is_max_ ? x->i > b->i : x->i < b->i;
                        break;
                    case core::Physical::kDouble:
                        better = is_max_ ? x->d > b->d : x->d < b->d;
                        break;
                    case core::Physical::kString:
                        better = is_max_ ? x->s > b->s : x->s < b->s;
                        break;
                    default:
                        break;
                }
            }
            if (better) b = std::move(x);
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(type_);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            const auto& b = best_[g];
            if (!b) {
                c.AppendNull();
                continue;
            }
            switch (core::PhysicalOf(type_)) {
                case core::Physical::kInt64:
                    c.AppendInt64(b->i);
                    break;
                case core::Physical::kDouble:
                    c.AppendDouble(b->d);
                    break;
                case core::Physical::kString:
                    c.AppendString(b->s);
                    break;
                default:
                    c.AppendNull();
                    break;
            }
        }
        return c;
    }

  private:
    struct Cell {
        int64_t i;
        double d;
        std::string s;
    };
    Type type_;
    bool is_max_;
    std::vector<std::optional<Cell>> best_;
};

// Distinct count over the 64-bit XXH3 hash of each value: two distinct values collide
// with probability about n^2 / 2^65, so the count is exact in practice (Kusto's dcount is
// itself an estimate), and a set holds 8 bytes a value whatever its size. A
// dictionary-coded string column is hashed once per distinct value.
class DcountState final : public AggregateState {
  public:
    void Resize(size_t n) override { sets_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        const Vec& v = args[0];
        const auto phys = core::PhysicalOf(v.type());
        auto add = [&](size_t i, uint64_t h) {
            if (sets_[groups[i]].insert(h).second) bytes_ += sizeof(uint64_t) + kSetEntryBytes;
        };
        if (phys == core::Physical::kString && !v.is_const() && v.column().is_dictionary()) {
            const auto& dict = v.column().dictionary();
            code_hashes_.assign(dict.size(), 0);
            code_known_.assign(dict.size(), 0);
            const auto codes = v.column().codes();
            for (size_t i = 0; i < n; ++i) {
                const uint32_t c = codes[i];
                if (!code_known_[c]) {
                    code_hashes_[c] = HashText(dict[c]);
                    code_known_[c] = 1;
                }
                add(i, code_hashes_[c]);
            }
            return;
        }
        for (size_t i = 0; i < n; ++i) {
            switch (phys) {
                case core::Physical::kInt64: {
                    if (v.IsNull(i)) continue;
                    const int64_t x = v.I64(i);
                    add(i, XXH3_64bits(&x, sizeof x));
                    break;
                }
                case core::Physical::kDouble: {
                    if (v.IsNull(i)) continue;
                    const double x = v.F64(i);
                    add(i, XXH3_64bits(&x, sizeof x));
                    break;
                }
                case core::Physical::kString:
                    add(i, HashText(v.Str(i)));  // "" (and a null string) is a value
                    break;
                case core::Physical::kDynamic:
                    if (v.Dyn(i).is_null()) continue;
                    add(i, HashText(v.Dyn(i).ToJson()));
                    break;
                case core::Physical::kNone:
                    break;
            }
        }
    }
    size_t MemoryBytes(size_t num_groups) const override {
        return bytes_ + num_groups * sizeof(std::unordered_set<uint64_t>);
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kLong);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.AppendInt64(static_cast<int64_t>(sets_[g].size()));
        return c;
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<DcountState&>(later);
        for (size_t g = 0; g < n; ++g) {
            auto& into = sets_[map[g]];
            if (into.empty() && !o.sets_[g].empty()) {
                bytes_ += o.sets_[g].size() * (sizeof(uint64_t) + kSetEntryBytes);
                into = std::move(o.sets_[g]);
                continue;
            }
            for (uint64_t h : o.sets_[g]) {
                if (into.insert(h).second) bytes_ += sizeof(uint64_t) + kSetEntryBytes;
            }
        }
        o.sets_.clear();
        o.bytes_ = 0;
    }

  private:
    static uint64_t HashText(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

    std::vector<std::unordered_set<uint64_t>> sets_;
    std::vector<uint64_t> code_hashes_;  // this batch's dictionary: code -> hash
    std::vector<uint8_t> code_known_;
    size_t bytes_ = 0;
};

// make_list / make_set: values as a dynamic array (nulls dropped; sets keep first
// occurrences in input order and take the elements of array values).
class ListState final : public AggregateState {
  public:
    explicit ListState(bool is_set) : is_set_(is_set) {}
    void Resize(size_t n) override {
        lists_.resize(n);
        if (is_set_) seen_.resize(n);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kDynamic, n);
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic& d = v.Dyn(i);
            if (d.is_null()) continue;
            uint32_t g = groups[i];
            if (!is_set_) {
                Add(g, d);
            } else if (d.kind() == core::Dynamic::Kind::kArray) {
                // make_set of arrays is the set of their elements (the docs' "set from
                // array column" example).
                for (const auto& e : d.as_array()) {
                    if (!e.is_null()) AddDistinct(g, e);
                }
            } else {
                AddDistinct(g, d);
            }
        }
    }
    size_t MemoryBytes(size_t num_groups) const override {
        return bytes_ + num_groups * sizeof(core::Dynamic::Array);
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.AppendDynamic(core::Dynamic::MakeArray(lists_[g]));
        return c;
    }
    bool Mergeable() const override { return true; }
    // The later rows' values follow this state's (sets: only those not seen yet).
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<ListState&>(later);
        for (size_t g = 0; g < n; ++g) {
            uint32_t t = map[g];
            for (const auto& d : o.lists_[g]) {
                if (is_set_) {
                    AddDistinct(t, d);
                } else {
                    Add(t, d);
                }
            }
        }
        o.lists_.clear();
        o.seen_.clear();
        o.bytes_ = 0;
    }

  private:
    void Add(uint32_t g, const core::Dynamic& d) {
        lists_[g].push_back(d);
        bytes_ += sizeof(core::Dynamic) + d.MemoryBytes();
    }
    void AddDistinct(uint32_t g, const core::Dynamic& d) {
        std::string key = d.ToJson();
        size_t key_bytes = key.size();
        if (!seen_[g].insert(std::move(key)).second) return;
        bytes_ += key_bytes + kSetEntryBytes;
        Add(g, d);
    }

    bool is_set_;
    std::vector<core::Dynamic::Array> lists_;
    std::vector<std::unordered_set<std::string>> seen_;
    size_t bytes_ = 0;
};

// sumif(x, predicate): sum over the rows where the predicate holds.
class SumIfState final : public AggregateState {
  public:
    explicit SumIfState(Type out) : inner_(out, false) {}
    void Resize(size_t n) override { inner_.Resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec p = CastVec(args[1], Type::kBool, n);
        std::vector<uint32_t> g;
        std::vector<uint32_t> rows;
        for (size_t i = 0; i < n; ++i) {
            if (!p.IsNull(i) && p.I64(i) != 0) {
                rows.push_back(static_cast<uint32_t>(i));
                g.push_back(groups[i]);
            }
        }
        if (rows.empty()) return;
        Vec x = args[0];
        if (!x.is_const()) {
            core::Column sel(x.type());
            sel.Reserve(rows.size());
            for (uint32_t r : rows) sel.AppendFrom(x.column(), r);
            x = Vec::Own(std::move(sel));
        }
        inner_.Update({x}, g.data(), rows.size());
    }
    core::Column Finish(size_t n) override { return inner_.Finish(n); }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        inner_.Merge(static_cast<SumIfState&>(later).inner_, map, n);
    }

  private:
    SumState inner_;
};

// Value of args[1] at the row where args[0] is largest (smallest); the first such row wins,
// so several of these over the same key pick the same row.
class ArgState final : public AggregateState {
  public:
    ArgState(Type key, Type value, bool is_max) : key_(key), value_(value), is_max_(is_max) {}
    void Resize(size_t n) override {
        has_.resize(n, 0);
        ikey_.resize(n, 0);
        dkey_.resize(n, 0);
        skey_.resize(n);
        values_.resize(n);
        batch_row_.resize(n, kNoRow);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec k = CastVec(args[0], key_, n);
        Vec v = CastVec(args[1], value_, n);
        auto phys = core::PhysicalOf(key_);
        // The best row of each group in this batch; values are read once at the end, not
        // at every improvement (in time order every row improves on arg_max(timestamp)).
        touched_.clear();
        for (size_t i = 0; i < n; ++i) {
            uint32_t g = groups[i];
            bool better = false;
            switch (phys) {
                case core::Physical::kInt64: {
                    if (k.IsNull(i)) continue;
                    int64_t x = k.I64(i);
                    better = !has_[g] || (is_max_ ? x > ikey_[g] : x < ikey_[g]);
                    if (better) ikey_[g] = x;
                    break;
                }
                case core::Physical::kDouble: {
                    if (k.IsNull(i) || std::isnan(k.F64(i))) continue;
                    double x = k.F64(i);
                    better = !has_[g] || (is_max_ ? x > dkey_[g] : x < dkey_[g]);
                    if (better) dkey_[g] = x;
                    break;
                }
                case core::Physical::kString: {
                    std::string_view x = k.Str(i);
                    better = !has_[g] || (is_max_ ? x > skey_[g] : x < skey_[g]);
                    if (better) skey_[g] = x;
                    break;
                }
                default:
                    continue;
            }
            if (better) {
                has_[g] = 1;
                if (batch_row_[g] == kNoRow) touched_.push_back(g);
                batch_row_[g] = static_cast<uint32_t>(i);
            }
        }
        for (uint32_t g : touched_) {
            values_[g] = v.Get(batch_row_[g]);
            batch_row_[g] = kNoRow;
        }
    }
    bool Mergeable() const override { return true; }
    // A later key replaces this state's only when strictly better: ties keep the first row.
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<ArgState&>(later);
        auto phys = core::PhysicalOf(key_);
        for (size_t g = 0; g < n; ++g) {
            if (!o.has_[g]) continue;
            uint32_t t = map[g];
            bool better = !has_[t];
            if (!better) {
                switch (phys) {
                    case core::Physical::kInt64:
                        better = is_max_ ? o.ikey_[g] > ikey_[t] : o.ikey_[g] < ikey_[t];
                        break;
                    case core::Physical::kDouble:
                        better = is_max_ ? o.dkey_[g] > dkey_[t] : o.dkey_[g] < dkey_[t];
                        break;
                    case core::Physical::kString:
                        better = is_max_ ? o.skey_[g] > skey_[t] : o.skey_[g] < skey_[t];
                        break;
                    default:
                        break;
                }
            }
            if (!better) continue;
            has_[t] = 1;
            ikey_[t] = o.ikey_[g];
            dkey_[t] = o.dkey_[g];
            skey_[t] = std::move(o.skey_[g]);
            values_[t] = std::move(o.values_[g]);
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(value_);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            if (has_[g]) {
                c.Append(values_[g]);
            } else {
                c.AppendNull();
            }
        }
        return c;
    }

  private:
    Type key_;
    Type value_;
    bool is_max_;
    std::vector<uint8_t> has_;
    std::vector<int64_t> ikey_;
    std::vector<double> dkey_;
    std::vector<std::string> skey_;
    std::vector<core::Value> values_;
    static constexpr uint32_t kNoRow = UINT32_MAX;
    std::vector<uint32_t> batch_row_;  // group -> best row of the current batch
    std::vector<uint32_t> touched_;    // groups with a best row in the current batch
};

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

const std::map<std::string, AggregateFunction, std::less<>>& Registry() {
    static const auto* registry = [] {
        auto* m = new std::map<std::string, AggregateFunction, std::less<>>();
        auto& r = *m;
        auto long_result = [](const std::vector<Type>&, SourcePos) -> Result<Type> {
            return Type::kLong;
        };
        r["count"] = {"count", 0, 0, long_result,
                      [](const std::vector<Type>&) { return std::make_unique<CountState>(false); }};
        r["countif"] = {
            "countif", 1, 1,
            [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
                if (t[0] != Type::kBool && t[0] != Type::kDynamic) {
                    return Status::SemanticError(
                        "countif() expects a bool predicate, got " + TypeStr(t[0]), pos);
                }
                return Type::kLong;
            },
            [](const std::vector<Type>&) { return std::make_unique<CountState>(true); }};
        auto sum_type = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            if (IsIntegral(t[0]) && t[0] != Type::kBool) return Type::kLong;
            if (t[0] == Type::kReal || t[0] == Type::kDecimal || t[0] == Type::kDynamic)
                return Type::kReal;
            if (t[0] == Type::kTimespan) return Type::kTimespan;
            return Status::SemanticError("sum() expects a numeric argument, got " + TypeStr(t[0]),
                                         pos);
        };
        r["sum"] = {"sum", 1, 1, sum_type, [sum_type](const std::vector<Type>& t) {
                        return std::make_unique<SumState>(*sum_type(t, {}), false);
                    }};
        auto avg_type = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            if (IsNumeric(t[0]) || t[0] == Type::kDynamic) return Type::kReal;
            if (t[0] == Type::kTimespan || t[0] == Type::kDatetime) return t[0];
            return Status::SemanticError("avg() expects a numeric argument, got " + TypeStr(t[0]),
                                         pos);
        };
        r["avg"] = {"avg", 1, 1, avg_type, [avg_type](const std::vector<Type>& t) {
                        return std::make_unique<SumState>(*avg_type(t, {}), true);
                    }};
        auto minmax_type = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            if (t[0] == Type::kDynamic) return Type::kReal;
            if (t[0] == Type::kNull) return Status::SemanticError("min()/max() of null", pos);
            return t[0] == Type::kInt ? Type::kInt : t[0];
        };
        r["min"] = {"min", 1, 1, minmax_type, [minmax_type](const std::vector<Type>& t) {
                        return std::make_unique<MinMaxState>(*minmax_type(t, {}), false);
                    }};
        r["max"] = {"max", 1, 1, minmax_type, [minmax_type](const std::vector<Type>& t) {
                        return std::make_unique<MinMaxState>(*minmax_type(t, {}), true);
                    }};
        r["sumif"] = {"sumif", 2, 2,
                      [sum_type](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
                          if (t[1] != Type::kBool && t[1] != Type::kDynamic) {
                              return Status::SemanticError(
                                  "sumif() expects a bool predicate, got " + TypeStr(t[1]), pos);
                          }
                          return sum_type(t, pos);
                      },
                      [sum_type](const std::vector<Type>& t) {
                          return std::make_unique<SumIfState>(*sum_type(t, {}));
                      }};
        auto dynamic_result = [](const std::vector<Type>&, SourcePos) -> Result<Type> {
            return Type::kDynamic;
        };
        r["make_list"] = {"list", 1, 1, dynamic_result, [](const std::vector<Type>&) {
                              return std::make_unique<ListState>(false);
                          }};
        r["make_set"] = {"set", 1, 1, dynamic_result, [](const std::vector<Type>&) {
                             return std::make_unique<ListState>(true);
                         }};
        auto arg_type = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            if (t[0] == Type::kNull || t[0] == Type::kDynamic) {
                return Status::SemanticError(
                    "arg_max()/arg_min() need a typed key, got " + TypeStr(t[0]), pos);
            }
            return t[1] == Type::kNull ? Type::kString : t[1];
        };
        auto key_type = [](Type t) { return t == Type::kInt ? Type::kLong : t; };
        r["__arg_max"] = {"arg_max", 2, 2, arg_type, [=](const std::vector<Type>& t) {
                              return std::make_unique<ArgState>(key_type(t[0]), *arg_type(t, {}),
                                                                true);
                          }};
        r["__arg_min"] = {"arg_min", 2, 2, arg_type, [=](const std::vector<Type>& t) {
                              return std::make_unique<ArgState>(key_type(t[0]), *arg_type(t, {}),
                                                                false);
                          }};
        r["dcount"] = {"dcount", 1, 2, long_result,
                       [](const std::vector<Type>&) { return std::make_unique<DcountState>(); }};
        AddDigestAggregates(r);  // before the `*if` forms built from the registry
        AddExtraAggregates(r);
        AddMoreAggregates(r);
        AddSchemaAggregates(r);
        return m;
    }();
    return *registry;
}

}  // namespace

const AggregateFunction* FindAggregate(std::string_view name) {
    const auto& r = Registry();
    auto it = r.find(name);
    return it == r.end() ? nullptr : &it->second;
}

}  // namespace calypso::kql::functions
