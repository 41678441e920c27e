// percentilew / percentilesw (weighted nearest rank), percentiles_array /
// percentilesw_array (the percentiles as one dynamic array) and make_list_with_nulls.
#include <algorithm>
#include <cmath>
#include <string>

#include "kql/functions/aggregates_extra.h"
#include "kql/functions/cast.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Registry = std::map<std::string, AggregateFunction, std::less<>>;

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

// Nearest rank over the values of each group counted `weight` times (1 without a weight
// argument): the value at rank ceil(p/100 * W), at least 1, W the total weight. Rows with
// a null value or a null / non-positive weight are skipped.
class WeightedPercentileState final : public AggregateState {
  public:
    WeightedPercentileState(Type type, bool weighted, bool as_array)
        : type_(type), weighted_(weighted), as_array_(as_array) {}
    void SetConstants(const std::vector<core::Value>& consts) override {
        percents_.clear();
        for (size_t i = weighted_ ? 2 : 1; i < consts.size(); ++i) {
            const core::Value& c = consts[i];
            if (c.type() == Type::kDynamic && !c.is_null() &&
                c.as_dynamic().kind() == core::Dynamic::Kind::kArray) {
                for (const auto& e : c.as_dynamic().as_array()) {
                    core::Value v = CastValue(core::Value::FromDynamic(e), Type::kReal);
                    if (!v.is_null()) percents_.push_back(v.as_double());
                }
                continue;
            }
            core::Value v = CastValue(c, Type::kReal);
            percents_.push_back(v.is_null() ? 50.0 : v.as_double());
        }
    }
    void Resize(size_t n) override { groups_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], type_, n);
        Vec w = weighted_ ? CastVec(args[1], Type::kLong, n) : Vec();
        bool real = core::PhysicalOf(type_) == core::Physical::kDouble;
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            int64_t weight = 1;
            if (weighted_) {
                if (w.IsNull(i) || w.I64(i) <= 0) continue;
                weight = w.I64(i);
            }
            double x = real ? v.F64(i) : 0;
            if (real && std::isnan(x)) continue;
            groups_[groups[i]].push_back({x, real ? 0 : v.I64(i), weight});
            ++count_;
        }
    }
    size_t MemoryBytes(size_t n) const override {
        return count_ * sizeof(Item) + n * sizeof(std::vector<Item>);
    }
    core::Column Finish(size_t n) override {
        std::vector<core::Column> out;
        FinishInto(n, out);
        return std::move(out[0]);
    }
    void FinishInto(size_t n, std::vector<core::Column>& out) override {
        bool real = core::PhysicalOf(type_) == core::Physical::kDouble;
        std::vector<core::Column> cols(as_array_ ? 1 : percents_.size(),
                                       core::Column(as_array_ ? Type::kDynamic : type_));
        for (size_t g = 0; g < n; ++g) {
            auto& items = groups_[g];
            std::sort(items.begin(), items.end(), [real](const Item& a, const Item& b) {
                return real ? a.d < b.d : a.i < b.i;
            });
            int64_t total = 0;
            for (const auto& it : items) total += it.weight;
            core::Dynamic::Array arr;
            for (size_t p = 0; p < percents_.size(); ++p) {
                core::Value v = core::Value::Null(type_);
                if (total > 0) {
                    double rank = std::ceil(percents_[p] / 100.0 * static_cast<double>(total) - 1e-9);
                    auto want = static_cast<int64_t>(std::max(1.0, rank));
                    int64_t seen = 0;
                    for (const auto& it : items) {
                        seen += it.weight;
                        if (seen >= want) {
                            v = real ? core::Value::Real(it.d) : Typed(it.i);
                            break;
                        }
                    }
                    if (v.is_null()) v = real ? core::Value::Real(items.back().d) : Typed(items.back().i);
                }
                if (as_array_) {
                    arr.push_back(CastValue(v, Type::kDynamic).as_dynamic());
                } else {
                    cols[p].Append(v);
                }
            }
            if (as_array_) {
                if (total > 0) {
                    cols[0].AppendDynamic(core::Dynamic::MakeArray(std::move(arr)));
                } else {
                    cols[0].AppendNull();
                }
            }
        }
        for (auto& c : cols) out.push_back(std::move(c));
    }

  private:
    struct Item {
        double d;
        int64_t i;
        int64_t weight;
    };
    core::Value Typed(int64_t v) const {
        switch (type_) {
            case Type::kDatetime:
                return core::Value::Datetime(v);
            case Type::kTimespan:
                return core::Value::Timespan(v);
            default:
                return core::Value::Long(v);
        }
    }
    Type type_;
    bool weighted_;
    bool as_array_;
    std::vector<double> percents_;
    std::vector<std::vector<Item>> groups_;
    size_t count_ = 0;
};

// make_list_with_nulls: every value, nulls included (as JSON null).
class ListWithNullsState final : public AggregateState {
  public:
    void Resize(size_t n) override { lists_.resize(n); }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kDynamic, n);
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic& d = v.Dyn(i);
            bytes_ += d.MemoryBytes() + sizeof(core::Dynamic);
            lists_[groups[i]].push_back(d);
        }
    }
    size_t MemoryBytes(size_t n) const override {
        return bytes_ + n * sizeof(core::Dynamic::Array);
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<ListWithNullsState&>(later);
        for (size_t g = 0; g < n; ++g) {
            auto& dst = lists_[map[g]];
            dst.insert(dst.end(), o.lists_[g].begin(), o.lists_[g].end());
        }
        bytes_ += o.bytes_;
        o.lists_.clear();
        o.bytes_ = 0;
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) c.AppendDynamic(core::Dynamic::MakeArray(lists_[g]));
        return c;
    }

  private:
    std::vector<core::Dynamic::Array> lists_;
    size_t bytes_ = 0;
};

Result<Type> ValueType(Type x, SourcePos pos) {
    if (x == Type::kInt || x == Type::kLong) return Type::kLong;
    if (x == Type::kReal || x == Type::kDecimal || x == Type::kDynamic) return Type::kReal;
    if (x == Type::kDatetime || x == Type::kTimespan) return x;
    return Status::SemanticError(
        "percentile() expects a numeric, datetime or timespan value, got " + TypeStr(x), pos);
}

// `weighted`: the second argument is an integer weight; percentages follow.
AggregateFunction Percentiles(std::string_view prefix, bool weighted, bool as_array,
                              int max_args) {
    AggregateFunction f;
    f.prefix = prefix;
    f.min_args = weighted ? 3 : 2;
    f.max_args = max_args;
    f.result_type = [weighted, as_array](const std::vector<Type>& t,
                                         SourcePos pos) -> Result<Type> {
        ASSIGN_OR_RETURN(Type out, ValueType(t[0], pos));
        if (weighted && t[1] != Type::kInt && t[1] != Type::kLong) {
            return Status::SemanticError("the weight must be an integer, got " + TypeStr(t[1]),
                                         pos);
        }
        for (size_t i = weighted ? 2 : 1; i < t.size(); ++i) {
            bool ok = IsNumeric(t[i]) || (as_array && t[i] == Type::kDynamic);
            if (!ok) {
                return Status::SemanticError("percentages must be numbers, got " + TypeStr(t[i]),
                                             pos);
            }
        }
        return as_array ? Type::kDynamic : out;
    };
    f.make = [weighted, as_array](const std::vector<Type>& t) -> std::unique_ptr<AggregateState> {
        auto vt = ValueType(t[0], {});
        Type value = vt.ok() ? *vt : Type::kReal;
        return std::make_unique<WeightedPercentileState>(value, weighted, as_array);
    };
    return f;
}

}  // namespace

void AddMoreAggregates(Registry& r) {
    r["percentilew"] = Percentiles("percentile", true, false, 3);
    r["percentilesw"] = Percentiles("percentile", true, false, 66);
    r["percentiles_array"] = Percentiles("percentiles", false, true, 65);
    r["percentilesw_array"] = Percentiles("percentiles", true, true, 66);
    r["make_list_with_nulls"] = {"list", 1, 1,
                                 [](const std::vector<Type>&, SourcePos) -> Result<Type> {
                                     return Type::kDynamic;
                                 },
                                 [](const std::vector<Type>&) {
                                     return std::make_unique<ListWithNullsState>();
                                 }};
}

}  // namespace calypso::kql::functions
