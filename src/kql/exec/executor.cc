#include "kql/exec/executor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>

#include "kql/exec/evaluate.h"
#include "kql/exec/group_aggregation.h"
#include "kql/exec/operator.h"
#include "kql/exec/table_function.h"
#include "kql/functions/more_scalar.h"
#include "kql/planner/rules.h"

namespace calypso::kql {

namespace {
constexpr std::string_view kStopMarker = "\x01stop";
}  // namespace

core::Status StopStatus() { return {core::StatusCode::kLimitExceeded, std::string(kStopMarker)}; }
bool IsStop(const core::Status& s) {
    return s.code() == core::StatusCode::kLimitExceeded && s.message() == kStopMarker;
}

core::Result<core::Batch> Collect(Operator& op, const core::Schema& schema,
                                  MemoryCharge& charge) {
    core::Batch all = core::Batch::Empty(schema);
    core::Status run_status = op.Run([&](const core::Batch& b) {
        RETURN_IF_ERROR(charge.Add(b.ByteSize()));
        AppendBatch(all, b);
        return core::Status::Ok();
    });
    if (!run_status.ok()) return run_status;
    return all;
}

namespace {

using core::Batch;
using core::Status;
Status Stop() { return StopStatus(); }

class ScanOp final : public Operator {
  public:
    ScanOp(PlanNode& node, const core::TableSource& source, const ExecOptions& opts)
        : node_(node), source_(source), opts_(opts) {}
    Status Run(const Sink& sink) override {
        bool filter_time = false;
        core::ScanRequest req = MakeScanRequest(node_, opts_, filter_time);
        core::ScanStats stats;
        if (opts_.stats != nullptr) req.stats = &stats;
        std::vector<uint32_t> rows;
        Status s = source_.Scan(req, [&](const Batch& b) {
            return ScanStep(node_, opts_.time, filter_time, b, rows, sink);
        });
        if (opts_.stats != nullptr) opts_.stats->Add(stats);
        return s;
    }

  private:
    PlanNode& node_;
    const core::TableSource& source_;
    const ExecOptions& opts_;
};

// Large values (a big `range`) go out in slices, so limits are checked between them.
class ValuesOp final : public Operator {
  public:
    explicit ValuesOp(PlanNode& node) : node_(node) {}
    Status Run(const Sink& sink) override {
        size_t n = node_.values.num_rows();
        if (n == 0) return Status::Ok();
        if (n <= kCheckEveryRows) return sink(node_.values);
        std::vector<uint32_t> rows;
        for (size_t start = 0; start < n; start += kCheckEveryRows) {
            rows.resize(std::min(kCheckEveryRows, n - start));
            std::iota(rows.begin(), rows.end(), static_cast<uint32_t>(start));
            RETURN_IF_ERROR(governor().Check());
            RETURN_IF_ERROR(sink(Gather(node_.values, rows)));
        }
        return Status::Ok();
    }

  private:
    PlanNode& node_;
};

class FilterOp final : public Operator {
  public:
    FilterOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        std::vector<uint32_t> rows;
        return child_->Run([&](const Batch& b) { return FilterStep(node_, b, rows, sink); });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

// A filter and the column pick above it (IsColumnPick) as one operator.
class FilterPickOp final : public Operator {
  public:
    FilterPickOp(PlanNode& filter, PlanNode& pick, OpPtr child)
        : filter_(filter), pick_(pick), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        std::vector<uint32_t> rows;
        return child_->Run(
            [&](const Batch& b) { return FilterPickStep(filter_, pick_, b, rows, sink); });
    }

  private:
    PlanNode& filter_;
    PlanNode& pick_;
    OpPtr child_;
};

class ProjectOp final : public Operator {
  public:
    ProjectOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        return child_->Run([&](const Batch& b) { return ProjectStep(node_, b, sink); });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

class LimitOp final : public Operator {
  public:
    LimitOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        auto remaining = static_cast<size_t>(node_.limit);
        if (remaining == 0) return Status::Ok();
        Status s = child_->Run([&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            if (n <= remaining) {
                remaining -= n;
                RETURN_IF_ERROR(sink(b));
            } else {
                std::vector<uint32_t> rows(remaining);
                std::iota(rows.begin(), rows.end(), 0u);
                remaining = 0;
                RETURN_IF_ERROR(sink(Gather(b, rows)));
            }
            return remaining == 0 ? Stop() : Status::Ok();
        });
        // Our own stop ends the child; a stop from downstream must travel on.
        if (IsStop(s) && remaining == 0) return Status::Ok();
        return s;
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

class CountOp final : public Operator {
  public:
    CountOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        int64_t count = 0;
        RETURN_IF_ERROR(child_->Run([&](const Batch& b) {
            count += static_cast<int64_t>(b.num_rows());
            return Status::Ok();
        }));
        Batch out = Batch::Empty(node_.schema);
        out.columns[0].AppendInt64(count);
        return sink(out);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

// Three-way comparison of rows i and j of one sort key; nulls (and NaN) placed per key.
int CompareRows(const Vec& v, const PlanNode::SortKey& k, size_t i, size_t j) {
    auto phys = core::PhysicalOf(v.type());
    auto is_null = [&](size_t r) {
        if (phys == core::Physical::kString) return false;
        if (phys == core::Physical::kDynamic) return v.Dyn(r).is_null();
        if (v.IsNull(r)) return true;
        return phys == core::Physical::kDouble && std::isnan(v.F64(r));
    };
    bool ni = is_null(i), nj = is_null(j);
    if (ni || nj) {
        if (ni && nj) return 0;
        return ni == k.nulls_first ? -1 : 1;
    }
    int c = 0;
    switch (phys) {
        case core::Physical::kInt64: {
            int64_t a = v.I64(i), b = v.I64(j);
            c = a < b ? -1 : a > b ? 1 : 0;
            break;
        }
        case core::Physical::kDouble: {
            double a = v.F64(i), b = v.F64(j);
            c = a < b ? -1 : a > b ? 1 : 0;
            break;
        }
        case core::Physical::kString: {
            int r = v.Str(i).compare(v.Str(j));
            c = r < 0 ? -1 : r > 0 ? 1 : 0;
            break;
        }
        case core::Physical::kDynamic: {
            const core::Dynamic& a = v.Dyn(i);
            const core::Dynamic& b = v.Dyn(j);
            auto num = [](const core::Dynamic& d, double& out) {
                if (d.kind() == core::Dynamic::Kind::kLong)
                    out = static_cast<double>(d.as_long());
                else if (d.kind() == core::Dynamic::Kind::kReal)
                    out = d.as_real();
                else
                    return false;
                return true;
            };
            double x = 0, y = 0;
            if (num(a, x) && num(b, y)) {
                c = x < y ? -1 : x > y ? 1 : 0;
            } else {
                int r = a.ToText().compare(b.ToText());
                c = r < 0 ? -1 : r > 0 ? 1 : 0;
            }
            break;
        }
        case core::Physical::kNone:
            break;
    }
    return k.ascending ? c : -c;
}

}  // namespace

namespace {

// Compares rows a and c of `b` under the sort keys (evaluated in `keys`); ties: lower row.
struct RowLess {
    const PlanNode& node;
    const std::vector<Vec>& keys;
    bool operator()(uint32_t a, uint32_t c) const {
        for (size_t k = 0; k < keys.size(); ++k) {
            int r = CompareRows(keys[k], node.sort_keys[k], a, c);
            if (r != 0) return r < 0;
        }
        return a < c;
    }
};

std::vector<Vec> SortKeys(const PlanNode& node, const Batch& b) {
    std::vector<Vec> keys;
    for (const auto& k : node.sort_keys) keys.push_back(Evaluate(*k.expr, b));
    return keys;
}

}  // namespace

std::vector<uint32_t> SortOrder(const PlanNode& node, const Batch& b, int64_t limit) {
    size_t n = b.num_rows();
    std::vector<Vec> keys = SortKeys(node, b);
    std::vector<uint32_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0u);
    RowLess less{node, keys};
    if (limit >= 0 && static_cast<size_t>(limit) < n) {
        std::partial_sort(rows.begin(), rows.begin() + limit, rows.end(), less);
        rows.resize(static_cast<size_t>(limit));
    } else {
        std::sort(rows.begin(), rows.end(), less);
    }
    return rows;
}

std::vector<uint32_t> MergeSortedRuns(const PlanNode& node, const Batch& b,
                                      const std::vector<size_t>& run_starts) {
    size_t n = b.num_rows();
    std::vector<Vec> keys = SortKeys(node, b);
    std::vector<uint32_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0u);
    RowLess less{node, keys};
    // Runs are merged left to right: ties keep the earlier run's rows first, and the row
    // number breaks the remaining ties, so the result is SortOrder's.
    std::vector<size_t> bounds;
    for (size_t start : run_starts) {
        if (start > 0 && start < n) bounds.push_back(start);
    }
    bounds.push_back(n);
    size_t merged = bounds.front();
    for (size_t i = 1; i < bounds.size(); ++i) {
        std::inplace_merge(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(merged),
                           rows.begin() + static_cast<std::ptrdiff_t>(bounds[i]), less);
        merged = bounds[i];
    }
    return rows;
}

// Top-N keeps only the best `limit` rows of each batch and re-reduces the kept rows when
// they pile up, so memory stays O(limit).
Status SortBuffer::Add(const Batch& b) {
    if (limit_ < 0 || b.num_rows() <= static_cast<size_t>(limit_)) {
        RETURN_IF_ERROR(charge_.Add(b.ByteSize()));
        AppendBatch(all_, b);
    } else {
        Batch best = Gather(b, SortOrder(node_, b, limit_));
        RETURN_IF_ERROR(charge_.Add(best.ByteSize()));
        AppendBatch(all_, best);
    }
    if (limit_ >= 0 && all_.num_rows() > std::max<size_t>(4 * static_cast<size_t>(limit_), 4096)) {
        all_ = Gather(all_, SortOrder(node_, all_, limit_));
        RETURN_IF_ERROR(charge_.Set(all_.ByteSize()));
    }
    return Status::Ok();
}

Batch SortBuffer::Finish() {
    Batch all = std::move(all_);
    all_ = Batch::Empty(node_.input->schema);
    if (all.num_rows() == 0) return all;
    Batch out = Gather(all, SortOrder(node_, all, limit_));
    (void)charge_.Set(0);  // the caller holds the rows now
    return out;
}

namespace {

// Sort (limit < 0) or top-N (SortBuffer).
class SortOp final : public Operator {
  public:
    SortOp(PlanNode& node, OpPtr child, int64_t limit)
        : node_(node), child_(std::move(child)), limit_(limit) {}
    Status Run(const Sink& sink) override {
        SortBuffer buffer(node_, limit_, governor());
        RETURN_IF_ERROR(child_->Run([&](const Batch& b) { return buffer.Add(b); }));
        Batch out = buffer.Finish();
        if (out.num_rows() == 0) return Status::Ok();
        return sink(out);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
    int64_t limit_;
};

class AggregateOp final : public Operator {
  public:
    AggregateOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        GroupAggregation groups(node_, governor());
        RETURN_IF_ERROR(child_->Run([&](const Batch& b) { return groups.Add(b); }));
        std::optional<Batch> out = groups.Finish();
        if (!out) return Status::Ok();
        return sink(*out);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

}  // namespace

namespace {

// Checks the query's limits before the operator starts and after each batch it emits.
class CheckedOp final : public Operator {
  public:
    explicit CheckedOp(OpPtr inner) : inner_(std::move(inner)) {}
    Status Run(const Sink& sink) override {
        RETURN_IF_ERROR(governor().Check());
        return inner_->Run([&](const Batch& b) -> Status {
            RETURN_IF_ERROR(governor().Check());
            return sink(b);
        });
    }

  private:
    OpPtr inner_;
};

// Hands its input on as one batch: window functions (row_number, prev, next) see the whole
// serialized row set only when it comes in one batch, and sources such as a large range
// emit several.
class GatherAllOp final : public Operator {
  public:
    GatherAllOp(const core::Schema& schema, OpPtr child) : schema_(schema), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        MemoryCharge charge(governor(), "serialize");
        ASSIGN_OR_RETURN(Batch all, Collect(*child_, schema_, charge));
        if (all.num_rows() == 0) return Status::Ok();
        return sink(all);
    }

  private:
    const core::Schema& schema_;
    OpPtr child_;
};

core::Result<OpPtr> BuildUnchecked(PlanNode& node, const core::TableSource& source,
                                   const ExecOptions& opts);

}  // namespace

bool UsesWindowFunctions(const PlanNode& node) {
    if (node.predicate && HasWindowCall(*node.predicate)) return true;
    for (const auto& e : node.exprs) {
        if (HasWindowCall(*e)) return true;
    }
    for (const auto& e : node.keys) {
        if (HasWindowCall(*e)) return true;
    }
    for (const auto& a : node.aggregates) {
        for (const auto& e : a.args) {
            if (HasWindowCall(*e)) return true;
        }
    }
    return false;
}


namespace {

// `op` under the query's governor, checked before it starts and after each batch.
OpPtr Governed(OpPtr op, const ExecOptions& opts) {
    QueryGovernor* gov = opts.governor != nullptr ? opts.governor : &QueryGovernor::Unlimited();
    op->set_governor(gov);
    OpPtr checked = std::make_unique<CheckedOp>(std::move(op));
    checked->set_governor(gov);
    return checked;
}

}  // namespace

core::Result<OpPtr> BuildOperator(PlanNode& node, const core::TableSource& source,
                                  const ExecOptions& opts) {
    ASSIGN_OR_RETURN(OpPtr op, BuildUnchecked(node, source, opts));
    return Governed(std::move(op), opts);
}

namespace {

core::Result<OpPtr> BuildUnchecked(PlanNode& node, const core::TableSource& source,
                                   const ExecOptions& opts) {
    using K = PlanNode::Kind;
    if (node.kind == K::kUnion) {
        std::vector<OpPtr> inputs;
        for (auto& in : node.inputs) {
            ASSIGN_OR_RETURN(OpPtr op, BuildOperator(*in, source, opts));
            inputs.push_back(std::move(op));
        }
        return MakeUnionOp(node, std::move(inputs));
    }
    if (node.kind == K::kScan) {
        // A table of another workspace or app is read from its own source.
        const core::TableSource& tables = node.source != nullptr ? *node.source : source;
        return OpPtr(std::make_unique<ScanOp>(node, tables, opts));
    }
    if (node.kind == K::kValues) return OpPtr(std::make_unique<ValuesOp>(node));
    if (IsColumnPick(node) && node.input->kind == K::kFilter && !UsesWindowFunctions(*node.input)) {
        PlanNode& filter = *node.input;
        ASSIGN_OR_RETURN(OpPtr child, BuildOperator(*filter.input, source, opts));
        RETURN_IF_ERROR(ResolveColumns(*filter.predicate, filter.input->schema));
        for (auto& e : node.exprs) RETURN_IF_ERROR(ResolveColumns(*e, filter.schema));
        return OpPtr(std::make_unique<FilterPickOp>(filter, node, std::move(child)));
    }
    ASSIGN_OR_RETURN(OpPtr child, BuildOperator(*node.input, source, opts));
    if (UsesWindowFunctions(node)) {
        child = std::make_unique<GatherAllOp>(node.input->schema, std::move(child));
        child->set_governor(opts.governor != nullptr ? opts.governor
                                                     : &QueryGovernor::Unlimited());
    }
    if (node.kind == K::kJoin) {
        ASSIGN_OR_RETURN(OpPtr right, BuildOperator(*node.inputs[0], source, opts));
        return MakeJoinOp(node, std::move(child), std::move(right));
    }
    const core::Schema& in = node.input->schema;
    if (node.predicate) RETURN_IF_ERROR(ResolveColumns(*node.predicate, in));
    for (auto& e : node.exprs) RETURN_IF_ERROR(ResolveColumns(*e, in));
    for (auto& e : node.keys) RETURN_IF_ERROR(ResolveColumns(*e, in));
    for (auto& a : node.aggregates) {
        for (auto& e : a.args) RETURN_IF_ERROR(ResolveColumns(*e, in));
    }
    for (auto& k : node.sort_keys) RETURN_IF_ERROR(ResolveColumns(*k.expr, in));
    if (OpPtr parallel = MakeParallelOp(node, source, opts)) return parallel;
    switch (node.kind) {
        case K::kFilter:
            return OpPtr(std::make_unique<FilterOp>(node, std::move(child)));
        case K::kProject:
            return OpPtr(std::make_unique<ProjectOp>(node, std::move(child)));
        case K::kAggregate:
            return OpPtr(std::make_unique<AggregateOp>(node, std::move(child)));
        case K::kSort:
            return OpPtr(std::make_unique<SortOp>(node, std::move(child), -1));
        case K::kTop:
            return OpPtr(std::make_unique<SortOp>(node, std::move(child), node.limit));
        case K::kLimit:
            return OpPtr(std::make_unique<LimitOp>(node, std::move(child)));
        case K::kCount:
            return OpPtr(std::make_unique<CountOp>(node, std::move(child)));
        case K::kMvExpand:
            return MakeMvExpandOp(node, std::move(child));
        case K::kParse:
            return MakeParseOp(node, std::move(child));
        case K::kSerialize:
            return MakeSerializeOp(node, std::move(child));
        case K::kMakeSeries:
            return MakeMakeSeriesOp(node, std::move(child));
        case K::kTopNested:
            return MakeTopNestedOp(node, std::move(child));
        case K::kMvApply:
            return MakeMvApplyOp(node, std::move(child), source, opts);
        case K::kMaterialize:
            return MakeMaterializeOp(node, std::move(child));
        case K::kTableFunction:
            return MakeTableFunctionOp(node, std::move(child), source, opts);
        default:
            break;
    }
    return Status::Internal("unknown plan node");
}

}  // namespace

core::Result<ExecResult> ExecutePlan(PlanNode& plan, const core::TableSource& source,
                                     const ExecOptions& options) {
    ASSIGN_OR_RETURN(OpPtr root, BuildOperator(plan, source, options));
    // A query ending in a scan chain reads it in parallel; one row past the cap tells
    // that the answer was cut.
    size_t cap = options.max_rows + (options.max_rows < SIZE_MAX ? 1 : 0);
    if (OpPtr parallel = MakeParallelRootOp(plan, source, options, cap)) {
        root = Governed(std::move(parallel), options);
    }
    // The answer's rows are held too; the row cap bounds them.
    MemoryCharge charge(root->governor(), "the result");
    ExecResult result;
    result.batch = Batch::Empty(plan.schema);
    Status s = root->Run([&](const Batch& b) -> Status {
        size_t room = options.max_rows - std::min(options.max_rows, result.batch.num_rows());
        size_t n = b.num_rows();
        if (n <= room) {
            RETURN_IF_ERROR(charge.Add(b.ByteSize()));
            AppendBatch(result.batch, b);
            return Status::Ok();
        }
        std::vector<uint32_t> rows(room);
        std::iota(rows.begin(), rows.end(), 0u);
        Batch part = Gather(b, rows);
        RETURN_IF_ERROR(charge.Add(part.ByteSize()));
        AppendBatch(result.batch, part);
        result.truncated = true;
        return Stop();
    });
    if (!s.ok() && !IsStop(s)) return s;
    return result;
}

}  // namespace calypso::kql
