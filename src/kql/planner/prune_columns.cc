#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kql/planner/rules.h"

namespace calypso::kql {
namespace {

using Names = std::set<std::string>;

void Collect(const BoundExpr& e, Names& out) {
    if (e.kind == BoundExpr::Kind::kColumn) out.insert(e.column);
    for (const auto& a : e.args) Collect(*a, out);
}

// A filter passes on every column of its input, also those only its predicate reads
// (`isnotempty(d.k)`): the rows of those would be gathered for nothing. When the nodes
// above read fewer columns, `filter` becomes a projection of just those (column references
// only) over the filter, which the executor runs as one step that gathers only them.
void NarrowAfterFilter(PlanNode& filter, const Names& required) {
    if (filter.schema.fields.empty()) return;
    core::Schema kept;
    for (const auto& f : filter.schema.fields) {
        if (required.count(f.name) != 0) kept.fields.push_back(f);
    }
    if (kept.fields.empty()) {
        // Something must carry the row count (`where p | count`): a number is the cheapest
        // to gather.
        const auto& fields = filter.schema.fields;
        auto it = std::find_if(fields.begin(), fields.end(), [](const core::Field& f) {
            auto p = core::PhysicalOf(f.type);
            return p == core::Physical::kInt64 || p == core::Physical::kDouble;
        });
        kept.fields.push_back(it != fields.end() ? *it : fields[0]);
    }
    if (kept.size() == filter.schema.size()) return;
    auto inner = std::make_unique<PlanNode>(std::move(filter));
    filter = PlanNode();
    filter.kind = PlanNode::Kind::kProject;
    filter.schema = std::move(kept);
    for (const auto& f : filter.schema.fields)
        filter.exprs.push_back(MakeColumnRef(f.name, f.type));
    filter.input = std::move(inner);
}

// `required` == nullptr means every column of the node's output.
void Prune(PlanNode& node, const Names* required) {
    using K = PlanNode::Kind;
    Names need;
    const Names* child_req = &need;
    switch (node.kind) {
        case K::kScan: {
            if (required == nullptr) return;
            // Predicates name their columns too (the filter above reads them anyway).
            Names keep = *required;
            for (const auto& p : node.scan_predicates) keep.insert(p.column);
            core::Schema narrowed;
            for (const auto& f : node.schema.fields) {
                if (keep.count(f.name) != 0) narrowed.fields.push_back(f);
            }
            std::vector<core::ScanKey> keys;
            for (auto& k : node.scan_keys) {
                if (keep.count(ScanKeyName(k)) != 0) keys.push_back(std::move(k));
            }
            if (narrowed.size() == keys.size() && node.schema.size() > node.scan_keys.size()) {
                // Something must carry the row count, and asking for no column at all
                // means every column: read the time column (cheap to decode) or the first.
                auto idx = node.schema.IndexOf(node.time_column);
                narrowed.fields.insert(narrowed.fields.begin(), node.schema.fields[idx ? *idx : 0]);
            }
            node.scan_keys = std::move(keys);
            node.schema = std::move(narrowed);
            return;
        }
        case K::kValues:
            return;
        case K::kFilter:
        case K::kSort:
        case K::kTop:
        case K::kLimit:
        case K::kSerialize:
            if (required == nullptr) {
                child_req = nullptr;
            } else {
                need = *required;
            }
            if (node.predicate) Collect(*node.predicate, need);
            for (const auto& k : node.sort_keys) Collect(*k.expr, need);
            break;
        case K::kProject: {
            if (required != nullptr) {
                core::Schema kept;
                std::vector<BoundExprPtr> exprs;
                for (size_t i = 0; i < node.exprs.size(); ++i) {
                    if (required->count(node.schema.fields[i].name) == 0) continue;
                    kept.fields.push_back(node.schema.fields[i]);
                    exprs.push_back(std::move(node.exprs[i]));
                }
                if (!kept.fields.empty()) {
                    node.schema = std::move(kept);
                    node.exprs = std::move(exprs);
                } else {
                    // Keep one output so the row count survives; move the exprs back.
                    for (size_t i = 0, j = 0; i < node.exprs.size(); ++i) {
                        if (!node.exprs[i]) node.exprs[i] = std::move(exprs[j++]);
                    }
                    node.schema.fields.resize(1);
                    node.exprs.resize(1);
                }
            }
            for (const auto& e : node.exprs) Collect(*e, need);
            break;
        }
        case K::kAggregate:
        case K::kMakeSeries:
        case K::kTopNested:
            for (const auto& e : node.exprs) Collect(*e, need);
            for (const auto& e : node.keys) Collect(*e, need);
            for (const auto& a : node.aggregates) {
                for (const auto& e : a.args) Collect(*e, need);
            }
            break;
        case K::kCount:
            break;
        case K::kMvExpand:
        case K::kMvApply:
        case K::kMaterialize:
        case K::kTableFunction:
        case K::kParse:
        case K::kJoin:
        case K::kUnion:
            // Their column mappings are by position: the inputs keep every column.
            child_req = nullptr;
            for (auto& in : node.inputs) Prune(*in, nullptr);
            break;
    }
    if (node.input) {
        Prune(*node.input, child_req);
        if (node.kind == K::kFilter || node.kind == K::kSort || node.kind == K::kTop ||
            node.kind == K::kLimit || node.kind == K::kSerialize) {
            node.schema = node.input->schema;
        }
    }
    if (node.kind == K::kFilter && required != nullptr) NarrowAfterFilter(node, *required);
}

}  // namespace

void PruneColumns(PlanNode& root) { Prune(root, nullptr); }

}  // namespace calypso::kql
