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
#include "kql/exec/operator.h"
#include "kql/functions/more_scalar.h"

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
        core::ScanRequest req;
        req.table = node_.table;
        std::set<std::string> key_names;
        for (const auto& k : node_.scan_keys) key_names.insert(ScanKeyName(k));
        for (const auto& f : node_.schema.fields) {
            if (key_names.count(f.name) == 0) req.columns.push_back(f.name);
        }
        req.keys = node_.scan_keys;
        req.predicates = node_.scan_predicates;
        req.time = ScanTimeRange(node_, opts_.time);
        // The query's own time conditions are checked by its filters; the API's timespan
        // is checked here.
        bool filter_time = opts_.time && !node_.time_column.empty();
        if (filter_time && !node_.schema.IndexOf(node_.time_column)) {
            req.columns.push_back(node_.time_column);
        }
        core::ScanStats stats;
        if (opts_.stats != nullptr) req.stats = &stats;
        Status s = Scan(req, filter_time, sink);
        if (opts_.stats != nullptr) opts_.stats->Add(stats);
        return s;
    }

  private:
    Status Scan(const core::ScanRequest& req, bool filter_time, const Sink& sink) {
        std::vector<uint32_t> rows;
        return source_.Scan(req, [&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            if (n == 0) return Status::Ok();
            bool same = b.schema == node_.schema;
            rows.clear();
            bool all = true;
            if (filter_time) {
                auto ti = b.schema.IndexOf(node_.time_column);
                if (!ti) return Status::Internal("scan did not return the time column");
                const core::Column& tc = b.columns[*ti];
                for (size_t i = 0; i < n; ++i) {
                    if (!tc.IsNull(i) && opts_.time->Contains(tc.int64_at(i))) {
                        rows.push_back(static_cast<uint32_t>(i));
                    } else {
                        all = false;
                    }
                }
                if (rows.empty()) return Status::Ok();
            }
            if (same && all) return sink(b);
            Batch out;
            out.schema = node_.schema;
            for (const auto& f : node_.schema.fields) {
                auto idx = b.schema.IndexOf(f.name);
                if (!idx) return Status::Internal("scan did not return column '" + f.name + "'");
                const core::Column& src = b.columns[*idx];
                if (all) {
                    out.columns.push_back(src);
                    continue;
                }
                core::Column c(src.type());
                c.Reserve(rows.size());
                for (uint32_t r : rows) c.AppendFrom(src, r);
                out.columns.push_back(std::move(c));
            }
            return sink(out);
        });
    }

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
        return child_->Run([&](const Batch& b) -> Status {
            Vec p = Evaluate(*node_.predicate, b);
            size_t n = b.num_rows();
            rows.clear();
            if (p.type() == core::Type::kDynamic) {
                for (size_t i = 0; i < n; ++i) {
                    const core::Dynamic& d = p.Dyn(i);
                    if (d.kind() == core::Dynamic::Kind::kBool && d.as_bool())
                        rows.push_back(static_cast<uint32_t>(i));
                }
            } else if (p.is_const()) {
                if (p.IsNull(0) || p.I64(0) == 0) return Status::Ok();
                return sink(b);
            } else {
                const auto valid = p.column().validity();
                const auto vals = p.column().int64s();
                for (size_t i = 0; i < n; ++i) {
                    if (valid[i] && vals[i]) rows.push_back(static_cast<uint32_t>(i));
                }
            }
            if (rows.empty()) return Status::Ok();
            if (rows.size() == n) return sink(b);
            return sink(Gather(b, rows));
        });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

class ProjectOp final : public Operator {
  public:
    ProjectOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        return child_->Run([&](const Batch& b) -> Status {
            Batch out;
            out.schema = node_.schema;
            size_t n = b.num_rows();
            out.columns.reserve(node_.exprs.size());
            for (size_t i = 0; i < node_.exprs.size(); ++i) {
                Vec v = Evaluate(*node_.exprs[i], b);
                core::Type want = node_.schema.fields[i].type;
                if (!v.is_const() && v.column().type() == want) {
                    out.columns.push_back(v.TakeColumn(n));
                    continue;
                }
                core::Column c(want);
                c.Reserve(n);
                for (size_t r = 0; r < n; ++r) AppendVecRow(c, v, r);
                out.columns.push_back(std::move(c));
            }
            return sink(out);
        });
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

// Sort (limit < 0) or top-N. Top-N keeps only the best `limit` rows of each batch and
// re-reduces the kept rows when they pile up, so memory stays O(limit).
class SortOp final : public Operator {
  public:
    SortOp(PlanNode& node, OpPtr child, int64_t limit)
        : node_(node), child_(std::move(child)), limit_(limit) {}
    Status Run(const Sink& sink) override {
        Batch all = Batch::Empty(node_.input->schema);
        MemoryCharge charge(governor(), limit_ < 0 ? "sort" : "top");
        core::Status run_status = child_->Run([&](const Batch& b) {
            if (limit_ < 0 || b.num_rows() <= static_cast<size_t>(limit_)) {
                RETURN_IF_ERROR(charge.Add(b.ByteSize()));
                AppendBatch(all, b);
            } else {
                Batch best = Gather(b, Order(b));
                RETURN_IF_ERROR(charge.Add(best.ByteSize()));
                AppendBatch(all, best);
            }
            if (limit_ >= 0 &&
                all.num_rows() > std::max<size_t>(4 * static_cast<size_t>(limit_), 4096)) {
                all = Gather(all, Order(all));
                RETURN_IF_ERROR(charge.Set(all.ByteSize()));
            }
            return Status::Ok();
        });
        if (!run_status.ok()) return run_status;
        if (all.num_rows() == 0) return Status::Ok();
        std::vector<uint32_t> rows = Order(all);
        if (rows.empty()) return Status::Ok();
        return sink(Gather(all, rows));
    }

  private:
    // Row order of `b` under the sort keys, cut to the limit when there is one.
    std::vector<uint32_t> Order(const Batch& b) const {
        size_t n = b.num_rows();
        std::vector<Vec> keys;
        for (const auto& k : node_.sort_keys) keys.push_back(Evaluate(*k.expr, b));
        std::vector<uint32_t> rows(n);
        std::iota(rows.begin(), rows.end(), 0u);
        auto less = [&](uint32_t a, uint32_t c) {
            for (size_t k = 0; k < keys.size(); ++k) {
                int r = CompareRows(keys[k], node_.sort_keys[k], a, c);
                if (r != 0) return r < 0;
            }
            return a < c;
        };
        if (limit_ >= 0 && static_cast<size_t>(limit_) < n) {
            std::partial_sort(rows.begin(), rows.begin() + limit_, rows.end(), less);
            rows.resize(static_cast<size_t>(limit_));
        } else {
            std::sort(rows.begin(), rows.end(), less);
        }
        return rows;
    }

    PlanNode& node_;
    OpPtr child_;
    int64_t limit_;
};

// Estimated bytes per group beyond its key: hash table node, key column cells, ids.
constexpr size_t kGroupOverhead = 64;

class AggregateOp final : public Operator {
  public:
    AggregateOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        size_t nkeys = node_.keys.size();
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
        size_t num_groups = nkeys == 0 ? 1 : 0;
        for (auto& s : states) s->Resize(num_groups);
        bool int_key =
            nkeys == 1 && core::PhysicalOf(node_.keys[0]->type) == core::Physical::kInt64;
        std::unordered_map<int64_t, uint32_t> int_groups;
        int64_t null_group = -1;
        std::unordered_map<std::string, uint32_t> groups;
        std::vector<uint32_t> ids;
        std::string buf;
        MemoryCharge charge(governor(), "summarize");
        size_t key_bytes = 0;  // group keys: columns and hash table entries
        core::Status run_status = child_->Run([&](const Batch& b) -> Status {
            size_t n = b.num_rows();
            ids.assign(n, 0);
            std::vector<Vec> keys;
            for (const auto& e : node_.keys) keys.push_back(Evaluate(*e, b));
            size_t before = num_groups;
            auto new_group = [&](size_t row) {
                for (size_t k = 0; k < nkeys; ++k) AppendVecRow(key_cols[k], keys[k], row);
                return static_cast<uint32_t>(num_groups++);
            };
            if (int_key) {
                const Vec& kv = keys[0];
                for (size_t i = 0; i < n; ++i) {
                    if (kv.IsNull(i)) {
                        if (null_group < 0) null_group = new_group(i);
                        ids[i] = static_cast<uint32_t>(null_group);
                        continue;
                    }
                    auto [it, inserted] = int_groups.try_emplace(kv.I64(i), 0);
                    if (inserted) it->second = new_group(i);
                    ids[i] = it->second;
                }
            } else if (nkeys > 0) {
                for (size_t i = 0; i < n; ++i) {
                    buf.clear();
                    for (const auto& kv : keys) EncodeKey(kv, i, buf);
                    auto it = groups.find(buf);
                    if (it == groups.end()) {
                        it = groups.emplace(buf, new_group(i)).first;
                        key_bytes += 2 * buf.size() + kGroupOverhead;
                    }
                    ids[i] = it->second;
                }
            }
            if (int_key) key_bytes = num_groups * kGroupOverhead;
            if (num_groups != before) {
                for (auto& s : states) s->Resize(num_groups);
            }
            for (size_t a = 0; a < states.size(); ++a) {
                std::vector<Vec> args;
                for (const auto& e : node_.aggregates[a].args) args.push_back(Evaluate(*e, b));
                states[a]->Update(args, ids.data(), n);
            }
            size_t held = key_bytes;
            for (const auto& st : states) held += st->MemoryBytes(num_groups);
            return charge.Set(held);
        });
        if (!run_status.ok()) return run_status;
        if (num_groups == 0) return Status::Ok();
        Batch out;
        out.schema = node_.schema;
        for (auto& c : key_cols) out.columns.push_back(std::move(c));
        for (auto& s : states) s->FinishInto(num_groups, out.columns);
        return sink(out);
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

bool HasWindowCall(const BoundExpr& e) {
    if (e.kind == BoundExpr::Kind::kCall && functions::IsWindowFunction(e.function)) return true;
    for (const auto& a : e.args) {
        if (HasWindowCall(*a)) return true;
    }
    return false;
}

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

core::Result<OpPtr> BuildUnchecked(PlanNode& node, const core::TableSource& source,
                                   const ExecOptions& opts);

}  // namespace

core::Result<OpPtr> BuildOperator(PlanNode& node, const core::TableSource& source,
                                  const ExecOptions& opts) {
    ASSIGN_OR_RETURN(OpPtr op, BuildUnchecked(node, source, opts));
    QueryGovernor* gov = opts.governor != nullptr ? opts.governor : &QueryGovernor::Unlimited();
    op->set_governor(gov);
    OpPtr checked = std::make_unique<CheckedOp>(std::move(op));
    checked->set_governor(gov);
    return checked;
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
    if (node.kind == K::kScan) return OpPtr(std::make_unique<ScanOp>(node, source, opts));
    if (node.kind == K::kValues) return OpPtr(std::make_unique<ValuesOp>(node));
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
        default:
            break;
    }
    return Status::Internal("unknown plan node");
}

}  // namespace

core::Result<ExecResult> ExecutePlan(PlanNode& plan, const core::TableSource& source,
                                     const ExecOptions& options) {
    ASSIGN_OR_RETURN(OpPtr root, BuildOperator(plan, source, options));
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
