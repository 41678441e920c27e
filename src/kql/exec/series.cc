// make-series: one aggregate state per (key group, bin) cell, then one array per group.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Dynamic;
using core::Status;

class MakeSeriesOp final : public Operator {
  public:
    MakeSeriesOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}

    Status Run(const Sink& sink) override {
        PlanNode::SeriesSpec spec = node_.series;
        // Bounds from the data: read the input first, then bin it.
        std::optional<Batch> all;
        MemoryCharge charge(governor(), "make-series");
        if (spec.infer_from || spec.infer_to) {
            ASSIGN_OR_RETURN(Batch rows, Collect(*child_, node_.input->schema, charge));
            if (!InferBounds(rows, spec)) return Status::Ok();
            if (spec.bins > kMaxBins) {
                return Status::LimitExceeded("make-series would produce more than " +
                                             std::to_string(kMaxBins) + " bins");
            }
            all = std::move(rows);
        }
        size_t nkeys = node_.keys.size();
        size_t nbins = spec.bins;
        std::vector<core::Column> key_cols;
        for (size_t k = 0; k < nkeys; ++k) key_cols.emplace_back(node_.schema.fields[k].type);
        std::vector<std::unique_ptr<functions::AggregateState>> states;
        for (const auto& a : node_.aggregates) {
            std::vector<core::Type> types;
            std::vector<core::Value> consts;
            for (const auto& e : a.args) {
                types.push_back(e->type);
                consts.push_back(e->kind == BoundExpr::Kind::kConst ? e->value : core::Value());
            }
            states.push_back(a.fn->make(types));
            states.back()->SetConstants(consts);
        }
        std::unordered_map<std::string, uint32_t> groups;
        size_t num_groups = 0;
        std::vector<uint8_t> filled;
        std::vector<uint32_t> rows, cells;
        std::string buf;
        auto process = [&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            Vec axis = Evaluate(*node_.exprs[0], b);
            std::vector<Vec> keys;
            for (const auto& e : node_.keys) keys.push_back(Evaluate(*e, b));
            rows.clear();
            cells.clear();
            for (size_t i = 0; i < n; ++i) {
                if (axis.IsNull(i)) continue;
                double pos = spec.real_axis
                                 ? std::floor((axis.F64(i) - spec.from_real) / spec.step_real)
                                 : std::floor(static_cast<double>(axis.I64(i) - spec.from) /
                                              static_cast<double>(spec.step));
                if (!(pos >= 0 && pos < static_cast<double>(nbins))) continue;
                buf.clear();
                for (const auto& kv : keys) EncodeKey(kv, i, buf);
                auto [it, inserted] = groups.try_emplace(buf, 0);
                if (inserted) {
                    it->second = static_cast<uint32_t>(num_groups++);
                    for (size_t k = 0; k < nkeys; ++k) AppendVecRow(key_cols[k], keys[k], i);
                    filled.resize(num_groups * nbins, 0);
                    for (auto& s : states) s->Resize(num_groups * nbins);
                }
                auto cell = static_cast<uint32_t>(it->second * nbins + static_cast<size_t>(pos));
                filled[cell] = 1;
                rows.push_back(static_cast<uint32_t>(i));
                cells.push_back(cell);
            }
            if (rows.empty()) return Status::Ok();
            Batch sel = rows.size() == n ? b : Gather(b, rows);
            for (size_t a = 0; a < states.size(); ++a) {
                std::vector<Vec> args;
                for (const auto& e : node_.aggregates[a].args) args.push_back(Evaluate(*e, sel));
                states[a]->Update(args, cells.data(), rows.size());
            }
            return Status::Ok();
        };
        if (all) {
            RETURN_IF_ERROR(process(*all));
        } else {
            RETURN_IF_ERROR(child_->Run(process));
        }
        if (num_groups == 0) return Status::Ok();
        Batch out;
        out.schema = node_.schema;
        for (auto& c : key_cols) out.columns.push_back(std::move(c));
        for (size_t a = 0; a < states.size(); ++a) {
            std::vector<core::Column> finished;
            states[a]->FinishInto(num_groups * nbins, finished);
            Vec values = functions::CastVec(Vec::Own(std::move(finished[0])), core::Type::kDynamic,
                                            num_groups * nbins);
            core::Column col(core::Type::kDynamic);
            for (size_t g = 0; g < num_groups; ++g) {
                Dynamic::Array arr;
                arr.reserve(nbins);
                for (size_t k = 0; k < nbins; ++k) {
                    size_t cell = g * nbins + k;
                    arr.push_back(filled[cell] ? values.Dyn(cell) : spec.defaults[a].as_dynamic());
                }
                col.AppendDynamic(Dynamic::MakeArray(std::move(arr)));
            }
            out.columns.push_back(std::move(col));
        }
        Dynamic::Array axis;
        for (size_t k = 0; k < nbins; ++k) {
            core::Value v;
            if (spec.real_axis) {
                double x = spec.from_real + static_cast<double>(k) * spec.step_real;
                v = spec.axis_type == core::Type::kLong ? core::Value::Long(static_cast<int64_t>(x))
                                                        : core::Value::Real(x);
            } else {
                int64_t t = spec.from + static_cast<int64_t>(k) * spec.step;
                v = spec.axis_type == core::Type::kDatetime ? core::Value::Datetime(t)
                                                            : core::Value::Timespan(t);
            }
            axis.push_back(functions::CastValue(v, core::Type::kDynamic).as_dynamic());
        }
        core::Column axis_col(core::Type::kDynamic);
        Dynamic axis_dyn = Dynamic::MakeArray(std::move(axis));
        for (size_t g = 0; g < num_groups; ++g) axis_col.AppendDynamic(axis_dyn);
        out.columns.push_back(std::move(axis_col));
        return sink(out);
    }

  private:
    static constexpr size_t kMaxBins = 1'000'000;

    // The docs: without `from` the first bin with data (bins aligned as bin() aligns them),
    // without `to` the end of the last bin with data, over every series. False when no row
    // has an axis value.
    bool InferBounds(const Batch& rows, PlanNode::SeriesSpec& spec) const {
        if (rows.num_rows() == 0) return false;
        Vec axis = Evaluate(*node_.exprs[0], rows);
        bool any = false;
        if (spec.real_axis) {
            double lo = 0, hi = 0;
            for (size_t i = 0; i < rows.num_rows(); ++i) {
                if (axis.IsNull(i) || std::isnan(axis.F64(i))) continue;
                double x = axis.F64(i);
                lo = any ? std::min(lo, x) : x;
                hi = any ? std::max(hi, x) : x;
                any = true;
            }
            if (!any) return false;
            if (spec.infer_from) spec.from_real = std::floor(lo / spec.step_real) * spec.step_real;
            if (spec.infer_to) {
                spec.to_real = spec.from_real +
                               (std::floor((hi - spec.from_real) / spec.step_real) + 1) * spec.step_real;
            }
            double span = spec.to_real - spec.from_real;
            spec.bins = span <= 0 ? 0 : static_cast<size_t>(std::ceil(span / spec.step_real));
            return true;
        }
        int64_t lo = 0, hi = 0;
        for (size_t i = 0; i < rows.num_rows(); ++i) {
            if (axis.IsNull(i)) continue;
            int64_t x = axis.I64(i);
            lo = any ? std::min(lo, x) : x;
            hi = any ? std::max(hi, x) : x;
            any = true;
        }
        if (!any) return false;
        auto floor_div = [](int64_t a, int64_t b) {
            int64_t q = a / b;
            return (a % b != 0 && a < 0) ? q - 1 : q;
        };
        if (spec.infer_from) spec.from = floor_div(lo, spec.step) * spec.step;
        if (spec.infer_to) spec.to = spec.from + (floor_div(hi - spec.from, spec.step) + 1) * spec.step;
        int64_t span = spec.to - spec.from;
        spec.bins = span <= 0 ? 0
                              : static_cast<size_t>(std::ceil(static_cast<double>(span) /
                                                              static_cast<double>(spec.step)));
        return true;
    }

    PlanNode& node_;
    OpPtr child_;
};

}  // namespace

OpPtr MakeMakeSeriesOp(PlanNode& node, OpPtr child) {
    return std::make_unique<MakeSeriesOp>(node, std::move(child));
}

}  // namespace calypso::kql
