#include "kql/functions/aggregates_extra.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Registry = std::map<std::string, AggregateFunction, std::less<>>;

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

// Wraps another aggregate: only rows where args[pred] is true reach it, without args[pred].
class IfState final : public AggregateState {
  public:
    IfState(std::unique_ptr<AggregateState> inner, size_t pred)
        : inner_(std::move(inner)), pred_(pred) {}
    void Resize(size_t n) override { inner_->Resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec p = CastVec(args[pred_], Type::kBool, n);
        rows_.clear();
        groups_.clear();
        for (size_t i = 0; i < n; ++i) {
            if (!p.IsNull(i) && p.I64(i) != 0) {
                rows_.push_back(static_cast<uint32_t>(i));
                groups_.push_back(groups[i]);
            }
        }
        if (rows_.empty()) return;
        std::vector<Vec> sel;
        for (size_t a = 0; a < args.size(); ++a) {
            if (a == pred_) continue;
            const Vec& x = args[a];
            if (x.is_const()) {
                sel.push_back(x);
                continue;
            }
            core::Column c(x.type());
            c.Reserve(rows_.size());
            for (uint32_t r : rows_) c.AppendFrom(x.column(), r);
            sel.push_back(Vec::Own(std::move(c)));
        }
        inner_->Update(sel, groups_.data(), rows_.size());
    }
    core::Column Finish(size_t n) override { return inner_->Finish(n); }
    void SetConstants(const std::vector<core::Value>& consts) override {
        std::vector<core::Value> rest;
        for (size_t i = 0; i < consts.size(); ++i) {
            if (i != pred_) rest.push_back(consts[i]);
        }
        inner_->SetConstants(rest);
    }
    void FinishInto(size_t n, std::vector<core::Column>& out) override {
        inner_->FinishInto(n, out);
    }
    size_t MemoryBytes(size_t n) const override { return inner_->MemoryBytes(n); }
    bool Mergeable() const override { return inner_->Mergeable(); }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        inner_->Merge(*static_cast<IfState&>(later).inner_, map, n);
    }

  private:
    std::unique_ptr<AggregateState> inner_;
    size_t pred_;
    std::vector<uint32_t> rows_;
    std::vector<uint32_t> groups_;
};

// percentile / percentiles: nearest rank over the sorted non-null values of each group
// (rank ceil(p/100 * n), at least 1), so p0 is the minimum and p100 the maximum. Each
// group is sorted once for all its percentages.
class PercentileState final : public AggregateState {
  public:
    explicit PercentileState(Type type) : type_(type) {}
    void SetConstants(const std::vector<core::Value>& consts) override {
        percents_.clear();
        for (size_t i = 1; i < consts.size(); ++i) {
            core::Value v = CastValue(consts[i], Type::kReal);
            percents_.push_back(v.is_null() ? 50.0 : v.as_double());
        }
    }
    void Resize(size_t n) override {
        if (integral()) {
            ivals_.resize(n);
        } else {
            dvals_.resize(n);
        }
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], type_, n);
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            if (integral()) {
                ivals_[groups[i]].push_back(v.I64(i));
                ++count_;
            } else if (!std::isnan(v.F64(i))) {
                dvals_[groups[i]].push_back(v.F64(i));
                ++count_;
            }
        }
    }
    size_t MemoryBytes(size_t n) const override {
        return count_ * sizeof(int64_t) + n * sizeof(std::vector<int64_t>);
    }
    bool Mergeable() const override { return true; }
    // Nearest rank sorts all of a group's values at the end: merging is concatenating.
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<PercentileState&>(later);
        auto move_into = [&](auto& into, auto& from) {
            for (size_t g = 0; g < n; ++g) {
                auto& dst = into[map[g]];
                if (dst.empty()) {
                    dst = std::move(from[g]);
                } else {
                    dst.insert(dst.end(), from[g].begin(), from[g].end());
                }
            }
            from.clear();
        };
        if (integral()) {
            move_into(ivals_, o.ivals_);
        } else {
            move_into(dvals_, o.dvals_);
        }
        count_ += o.count_;
        o.count_ = 0;
    }
    core::Column Finish(size_t n) override {
        std::vector<core::Column> out;
        FinishInto(n, out);
        return std::move(out[0]);
    }
    void FinishInto(size_t n, std::vector<core::Column>& out) override {
        std::vector<core::Column> cols(percents_.size(), core::Column(type_));
        for (auto& c : cols) c.Reserve(n);
        std::vector<size_t> ranks(percents_.size());
        for (size_t g = 0; g < n; ++g) {
            size_t count = integral() ? ivals_[g].size() : dvals_[g].size();
            if (count == 0) {
                for (auto& c : cols) c.AppendNull();
                continue;
            }
            for (size_t p = 0; p < percents_.size(); ++p) {
                // The epsilon keeps 99.9% of 1000 at rank 999 despite binary rounding.
                double rank = std::ceil(percents_[p] / 100.0 * static_cast<double>(count) - 1e-9);
                ranks[p] = rank < 1 ? 0 : std::min(count, static_cast<size_t>(rank)) - 1;
            }
            if (integral()) {
                SelectRanks(ivals_[g], ranks);
                for (size_t p = 0; p < ranks.size(); ++p) cols[p].AppendInt64(ivals_[g][ranks[p]]);
            } else {
                SelectRanks(dvals_[g], ranks);
                for (size_t p = 0; p < ranks.size(); ++p) cols[p].AppendDouble(dvals_[g][ranks[p]]);
            }
        }
        for (auto& c : cols) out.push_back(std::move(c));
    }

  private:
    // Puts the value of each wanted rank in its sorted place without sorting the rest:
    // ranks in ascending order, each selection within what is right of the previous one.
    template <typename T>
    static void SelectRanks(std::vector<T>& values, const std::vector<size_t>& ranks) {
        std::vector<size_t> order(ranks);
        std::sort(order.begin(), order.end());
        size_t from = 0;
        for (size_t r : order) {
            if (r < from) continue;  // the same rank twice
            std::nth_element(values.begin() + from, values.begin() + r, values.end());
            from = r + 1;
        }
    }
    bool integral() const { return core::PhysicalOf(type_) == core::Physical::kInt64; }
    Type type_;
    std::vector<double> percents_;
    std::vector<std::vector<int64_t>> ivals_;
    std::vector<std::vector<double>> dvals_;
    size_t count_ = 0;
};

// stdev / variance (sample: divides by n-1, 0 for a single value) and the population
// forms stdevp / variancep (divide by n). Welford's running update.
class VarianceState final : public AggregateState {
  public:
    VarianceState(bool sample, bool root) : sample_(sample), root_(root) {}
    void Resize(size_t n) override {
        count_.resize(n, 0);
        mean_.resize(n, 0);
        m2_.resize(n, 0);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kReal, n);
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            uint32_t g = groups[i];
            double x = v.F64(i);
            ++count_[g];
            double d = x - mean_[g];
            mean_[g] += d / static_cast<double>(count_[g]);
            m2_[g] += d * (x - mean_[g]);
        }
    }
    bool Mergeable() const override { return true; }
    // Chan et al.'s pairwise combination of counts, means and squared deviations.
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        const auto& o = static_cast<const VarianceState&>(later);
        for (size_t g = 0; g < n; ++g) {
            int64_t nb = o.count_[g];
            if (nb == 0) continue;
            uint32_t t = map[g];
            int64_t na = count_[t];
            if (na == 0) {
                count_[t] = nb;
                mean_[t] = o.mean_[g];
                m2_[t] = o.m2_[g];
                continue;
            }
            auto total = static_cast<double>(na + nb);
            double delta = o.mean_[g] - mean_[t];
            mean_[t] += delta * static_cast<double>(nb) / total;
            m2_[t] += o.m2_[g] +
                      delta * delta * static_cast<double>(na) * static_cast<double>(nb) / total;
            count_[t] = na + nb;
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kReal);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            if (count_[g] == 0) {
                c.AppendNull();
                continue;
            }
            int64_t div = sample_ ? count_[g] - 1 : count_[g];
            double var = div == 0 ? 0.0 : m2_[g] / static_cast<double>(div);
            c.AppendDouble(root_ ? std::sqrt(var) : var);
        }
        return c;
    }

  private:
    bool sample_;
    bool root_;
    std::vector<int64_t> count_;
    std::vector<double> mean_;
    std::vector<double> m2_;
};

// covariance (sample: divides by n-1, 0 for a single pair) and covariancep (divides by n)
// over the rows where both values are present; the co-moment is updated as Welford's.
class CovarianceState final : public AggregateState {
  public:
    explicit CovarianceState(bool sample) : sample_(sample) {}
    void Resize(size_t n) override {
        count_.resize(n, 0);
        mean_x_.resize(n, 0);
        mean_y_.resize(n, 0);
        co_.resize(n, 0);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec x = CastVec(args[0], Type::kReal, n);
        Vec y = CastVec(args[1], Type::kReal, n);
        for (size_t i = 0; i < n; ++i) {
            if (x.IsNull(i) || y.IsNull(i)) continue;
            uint32_t g = groups[i];
            ++count_[g];
            auto k = static_cast<double>(count_[g]);
            double dx = x.F64(i) - mean_x_[g];
            mean_x_[g] += dx / k;
            mean_y_[g] += (y.F64(i) - mean_y_[g]) / k;
            co_[g] += dx * (y.F64(i) - mean_y_[g]);
        }
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        const auto& o = static_cast<const CovarianceState&>(later);
        for (size_t g = 0; g < n; ++g) {
            int64_t nb = o.count_[g];
            if (nb == 0) continue;
            uint32_t t = map[g];
            int64_t na = count_[t];
            auto total = static_cast<double>(na + nb);
            double dx = o.mean_x_[g] - mean_x_[t];
            double dy = o.mean_y_[g] - mean_y_[t];
            co_[t] +=
                o.co_[g] + dx * dy * static_cast<double>(na) * static_cast<double>(nb) / total;
            mean_x_[t] += dx * static_cast<double>(nb) / total;
            mean_y_[t] += dy * static_cast<double>(nb) / total;
            count_[t] = na + nb;
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kReal);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            if (count_[g] == 0) {
                c.AppendNull();
                continue;
            }
            int64_t div = sample_ ? count_[g] - 1 : count_[g];
            c.AppendDouble(div == 0 ? 0.0 : co_[g] / static_cast<double>(div));
        }
        return c;
    }

  private:
    bool sample_;
    std::vector<int64_t> count_;
    std::vector<double> mean_x_, mean_y_, co_;
};

// take_any: the first non-null value seen per group.
class TakeAnyState final : public AggregateState {
  public:
    explicit TakeAnyState(Type type) : type_(type) {}
    void Resize(size_t n) override { values_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        const Vec& v = args[0];
        bool dyn = v.type() == Type::kDynamic;
        for (size_t i = 0; i < n; ++i) {
            auto& slot = values_[groups[i]];
            if (!slot.is_null()) continue;
            if (dyn ? v.Dyn(i).is_null() : (v.IsNull(i) || (IsStringy(type_) && v.Str(i).empty())))
                continue;
            slot = v.Get(i);
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(type_);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.Append(CastValue(values_[g], type_));
        return c;
    }
    bool Mergeable() const override { return true; }
    // This state's rows come first: a later value fills only a group still empty here.
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<TakeAnyState&>(later);
        for (size_t g = 0; g < n; ++g) {
            auto& slot = values_[map[g]];
            if (slot.is_null() && !o.values_[g].is_null()) slot = std::move(o.values_[g]);
        }
    }

  private:
    Type type_;
    std::vector<core::Value> values_;
};

// make_bag: the union of the property bags of each group; the first value of a key wins;
// values that are not bags are ignored.
class BagState final : public AggregateState {
  public:
    void Resize(size_t n) override {
        bags_.resize(n);
        keys_.resize(n);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kDynamic, n);
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic& d = v.Dyn(i);
            if (d.kind() != core::Dynamic::Kind::kObject) continue;
            uint32_t g = groups[i];
            for (const auto& [k, val] : d.as_object()) {
                if (keys_[g].insert(k).second) {
                    bags_[g].emplace_back(k, val);
                    bytes_ += 2 * k.size() + kSetEntryBytes + sizeof(core::Dynamic) +
                              val.MemoryBytes();
                }
            }
        }
    }
    size_t MemoryBytes(size_t n) const override {
        return bytes_ + n * sizeof(core::Dynamic::Object);
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.AppendDynamic(core::Dynamic::MakeObject(bags_[g]));
        return c;
    }
    bool Mergeable() const override { return true; }
    // The first value of a key wins: later bags add only keys not seen here.
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<BagState&>(later);
        for (size_t g = 0; g < n; ++g) {
            uint32_t t = map[g];
            for (auto& [k, val] : o.bags_[g]) {
                if (keys_[t].insert(k).second) {
                    bytes_ += 2 * k.size() + kSetEntryBytes + sizeof(core::Dynamic) +
                              val.MemoryBytes();
                    bags_[t].emplace_back(k, std::move(val));
                }
            }
        }
        o.bags_.clear();
        o.keys_.clear();
        o.bytes_ = 0;
    }

  private:
    std::vector<core::Dynamic::Object> bags_;
    std::vector<std::unordered_set<std::string>> keys_;
    size_t bytes_ = 0;
};

Result<Type> PercentileType(const std::vector<Type>& t, SourcePos pos) {
    Type x = t[0];
    if (x == Type::kInt || x == Type::kLong) return Type::kLong;
    if (x == Type::kReal || x == Type::kDecimal || x == Type::kDynamic) return Type::kReal;
    if (x == Type::kDatetime || x == Type::kTimespan) return x;
    return Status::SemanticError(
        "percentile() expects a numeric, datetime or timespan value, got " + TypeStr(x), pos);
}

Result<Type> CheckPercents(const std::vector<Type>& t, SourcePos pos) {
    for (size_t i = 1; i < t.size(); ++i) {
        if (!IsNumeric(t[i])) {
            return Status::SemanticError(
                "percentile() expects numeric percentages, got " + TypeStr(t[i]), pos);
        }
    }
    return PercentileType(t, pos);
}

// name + "if": the base aggregate over the rows where the argument after the base's
// required ones is true.
void AddIf(Registry& r, const std::string& base_name, const std::string& name,
           std::string_view prefix) {
    AggregateFunction base = r.at(base_name);
    auto pred = static_cast<size_t>(base.min_args);
    auto strip = [pred](const std::vector<Type>& t) {
        std::vector<Type> out;
        for (size_t i = 0; i < t.size(); ++i) {
            if (i != pred) out.push_back(t[i]);
        }
        return out;
    };
    AggregateFunction f;
    f.prefix = prefix;
    f.min_args = base.min_args + 1;
    f.max_args = base.max_args + 1;
    f.result_type = [base, pred, strip, name](const std::vector<Type>& t,
                                              SourcePos pos) -> Result<Type> {
        if (t[pred] != Type::kBool && t[pred] != Type::kDynamic) {
            return Status::SemanticError(
                name + "() expects a bool predicate, got " + TypeStr(t[pred]), pos);
        }
        return base.result_type(strip(t), pos);
    };
    f.make = [base, pred, strip](const std::vector<Type>& t) -> std::unique_ptr<AggregateState> {
        return std::make_unique<IfState>(base.make(strip(t)), pred);
    };
    r[name] = std::move(f);
}

}  // namespace

std::string PercentSuffix(double p) {
    std::string s = fmt::format("{}", p);
    std::replace(s.begin(), s.end(), '.', '_');
    return s;
}

void AddExtraAggregates(Registry& r) {
    AggregateFunction pct;
    pct.prefix = "percentile";
    pct.min_args = 2;
    pct.max_args = 2;
    pct.result_type = CheckPercents;
    pct.make = [](const std::vector<Type>& t) {
        return std::make_unique<PercentileState>(*PercentileType(t, {}));
    };
    r["percentile"] = pct;
    pct.max_args = 64;
    r["percentiles"] = pct;

    auto real_result = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
        if (IsNumeric(t[0]) || t[0] == Type::kDynamic || t[0] == Type::kBool) return Type::kReal;
        return Status::SemanticError("expects a numeric argument, got " + TypeStr(t[0]), pos);
    };
    auto variance = [&](std::string_view prefix, bool sample, bool root) {
        return AggregateFunction{prefix, 1, 1, real_result,
                                 [sample, root](const std::vector<Type>&) {
                                     return std::make_unique<VarianceState>(sample, root);
                                 }};
    };
    r["stdev"] = variance("stdev", true, true);
    r["stdevp"] = variance("stdevp", false, true);
    r["variance"] = variance("variance", true, false);
    r["variancep"] = variance("variancep", false, false);
    auto covariance = [&](std::string_view prefix, bool sample) {
        auto real_pair = [prefix](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            for (Type x : t) {
                if (!IsNumeric(x) && x != Type::kDynamic && x != Type::kBool && x != Type::kNull) {
                    return Status::SemanticError(
                        std::string(prefix) + "() expects numeric arguments, got " + TypeStr(x),
                        pos);
                }
            }
            return Type::kReal;
        };
        return AggregateFunction{prefix, 2, 2, real_pair, [sample](const std::vector<Type>&) {
                                     return std::make_unique<CovarianceState>(sample);
                                 }};
    };
    r["covariance"] = covariance("covariance", true);
    r["covariancep"] = covariance("covariancep", false);

    auto same_type = [](const std::vector<Type>& t, SourcePos) -> Result<Type> {
        return t[0] == Type::kNull ? Type::kString : t[0];
    };
    // take_any keeps the argument's name: an empty prefix.
    r["take_any"] = {"", 1, 1, same_type, [same_type](const std::vector<Type>& t) {
                         return std::make_unique<TakeAnyState>(*same_type(t, {}));
                     }};
    r["any"] = r["take_any"];
    auto dynamic_result = [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
        if (t[0] != Type::kDynamic) {
            return Status::SemanticError("make_bag() expects a dynamic bag, got " + TypeStr(t[0]),
                                         pos);
        }
        return Type::kDynamic;
    };
    r["make_bag"] = {"bag", 1, 1, dynamic_result,
                     [](const std::vector<Type>&) { return std::make_unique<BagState>(); }};
    AggregateFunction distinct = r.at("dcount");
    distinct.prefix = "count_distinct";
    distinct.max_args = 1;
    r["count_distinct"] = distinct;

    AddIf(r, "avg", "avgif", "avgif");
    AddIf(r, "min", "minif", "minif");
    AddIf(r, "max", "maxif", "maxif");
    AddIf(r, "dcount", "dcountif", "dcountif");
    AddIf(r, "count_distinct", "count_distinctif", "count_distinctif");
    AddIf(r, "stdev", "stdevif", "stdevif");
    AddIf(r, "variance", "varianceif", "varianceif");
    AddIf(r, "variancep", "variancepif", "variancepif");
    AddIf(r, "covariance", "covarianceif", "covarianceif");
    AddIf(r, "hll", "hll_if", "hll_if");
    AddIf(r, "covariancep", "covariancepif", "covariancepif");
    AddIf(r, "take_any", "take_anyif", "");
    AddIf(r, "make_list", "make_list_if", "list");
    AddIf(r, "make_set", "make_set_if", "set");
    AddIf(r, "make_bag", "make_bag_if", "bag");
}

}  // namespace calypso::kql::functions
