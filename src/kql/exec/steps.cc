// The per-batch work of Scan, Filter and Project, shared by their operators
// (executor.cc) and the parallel fragments (parallel.cc). Stateless but for the caller's
// row buffer, so each worker runs its own copy.
#include <optional>
#include <set>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/exec/select.h"

namespace calypso::kql {

using core::Batch;
using core::Status;

core::ScanRequest MakeScanRequest(const PlanNode& scan, const ExecOptions& opts,
                                  bool& filter_time) {
    core::ScanRequest req;
    req.table = scan.table;
    std::set<std::string> key_names;
    for (const auto& k : scan.scan_keys) key_names.insert(ScanKeyName(k));
    for (const auto& f : scan.schema.fields) {
        if (key_names.count(f.name) == 0) req.columns.push_back(f.name);
    }
    req.keys = scan.scan_keys;
    req.predicates = scan.scan_predicates;
    req.time = ScanTimeRange(scan, opts.time);
    // The query's own time conditions are checked by its filters; the API's timespan
    // is checked here.
    filter_time = opts.time && !scan.time_column.empty();
    if (filter_time && !scan.schema.IndexOf(scan.time_column)) {
        req.columns.push_back(scan.time_column);
    }
    return req;
}

Status ScanStep(const PlanNode& scan, const std::optional<core::TimeRange>& time,
                bool filter_time, const Batch& b, std::vector<uint32_t>& rows, const Sink& sink) {
    size_t n = b.num_rows();
    if (n == 0) return Status::Ok();
    bool same = b.schema == scan.schema;
    rows.clear();
    bool all = true;
    if (filter_time) {
        auto ti = b.schema.IndexOf(scan.time_column);
        if (!ti) return Status::Internal("scan did not return the time column");
        const core::Column& tc = b.columns[*ti];
        rows.resize(n);
        size_t kept = 0;
        for (size_t i = 0; i < n; ++i) {  // branch-free, as in select.cc
            rows[kept] = static_cast<uint32_t>(i);
            kept += !tc.IsNull(i) && time->Contains(tc.int64_at(i)) ? 1 : 0;
        }
        rows.resize(kept);
        all = kept == n;
        if (rows.empty()) return Status::Ok();
    }
    if (same && all) return sink(b);
    Batch out;
    out.schema = scan.schema;
    for (const auto& f : scan.schema.fields) {
        auto idx = b.schema.IndexOf(f.name);
        if (!idx) return Status::Internal("scan did not return column '" + f.name + "'");
        out.columns.push_back(b.columns[*idx]);
    }
    if (all) return sink(out);
    return sink(Gather(out, rows));
}

Status FilterStep(const PlanNode& node, const Batch& b, std::vector<uint32_t>& rows,
                  const Sink& sink) {
    const size_t n = b.num_rows();
    SelectRows(*node.predicate, b, rows);
    if (rows.empty()) return Status::Ok();
    if (rows.size() == n) return sink(b);
    return sink(Gather(b, rows));
}

bool IsColumnPick(const PlanNode& node) {
    if (node.kind != PlanNode::Kind::kProject) return false;
    for (size_t i = 0; i < node.exprs.size(); ++i) {
        const BoundExpr& e = *node.exprs[i];
        if (e.kind != BoundExpr::Kind::kColumn || e.type != node.schema.fields[i].type)
            return false;
    }
    return true;
}

namespace {

// The columns of `b` that `pick` picks (shared, not copied); nullopt when one does not
// have the type the pick gives it.
std::optional<Batch> Picked(const PlanNode& pick, const Batch& b) {
    Batch out;
    out.schema = pick.schema;
    out.columns.reserve(pick.exprs.size());
    for (size_t i = 0; i < pick.exprs.size(); ++i) {
        const core::Column& c = b.columns[pick.exprs[i]->index];
        if (c.type() != pick.schema.fields[i].type) return std::nullopt;
        out.columns.push_back(c);
    }
    return out;
}

}  // namespace

Status FilterPickStep(const PlanNode& filter, const PlanNode& pick, const Batch& b,
                      std::vector<uint32_t>& rows, const Sink& sink) {
    const size_t n = b.num_rows();
    SelectRows(*filter.predicate, b, rows);
    if (rows.empty()) return Status::Ok();
    std::optional<Batch> out = Picked(pick, b);
    // Not a pick after all: the long way.
    if (!out) return ProjectStep(pick, rows.size() == n ? b : Gather(b, rows), sink);
    if (rows.size() == n) return sink(*out);
    return sink(Gather(*out, rows));
}

Status FilterSelectStep(const PlanNode& filter, const PlanNode* pick, const Batch& b,
                        std::vector<uint32_t>& rows, const Sink& all, const SelectedSink& some) {
    const size_t n = b.num_rows();
    std::optional<Batch> out;
    if (pick != nullptr) {
        out = Picked(*pick, b);
        if (!out) return FilterPickStep(filter, *pick, b, rows, all);
    }
    SelectRows(*filter.predicate, b, rows);
    if (rows.empty()) return Status::Ok();
    const Batch& kept = out ? *out : b;
    if (rows.size() == n) return all(kept);
    return some(kept, rows);
}

Status ProjectStep(const PlanNode& node, const Batch& b, const Sink& sink) {
    Batch out;
    out.schema = node.schema;
    size_t n = b.num_rows();
    out.columns.reserve(node.exprs.size());
    for (size_t i = 0; i < node.exprs.size(); ++i) {
        Vec v = Evaluate(*node.exprs[i], b);
        core::Type want = node.schema.fields[i].type;
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
}

}  // namespace calypso::kql
