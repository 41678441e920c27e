// Binder::BindPartition, the multi-result operators fork and facet, and the helpers they
// share: operators over an implicit source (BindOpsOver) and running a plan while binding
// (RunAtBind).
#include <set>
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/exec/evaluate.h"
#include "kql/exec/executor.h"
#include "kql/exec/table_functions.h"
#include "kql/planner/optimizer.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;

namespace {

// Legacy partitions with their own source run one subquery per key value, bound per value.
constexpr size_t kMaxLegacyPartitions = 64;

// The kValues leaf an implicit-source subquery starts from, or null.
PlanNode* ImplicitLeaf(PlanNode& plan, const Schema& schema) {
    PlanNode* leaf = &plan;
    while (leaf->input) leaf = leaf->input.get();
    if (leaf->kind != PlanNode::Kind::kValues || leaf->schema.fields != schema.fields) {
        return nullptr;
    }
    return leaf;
}

syntax::ExprPtr NewExpr(syntax::Expr::Kind kind, core::SourcePos pos) {
    auto e = std::make_unique<syntax::Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
}

}  // namespace

Result<core::Batch> Binder::RunAtBind(PlanPtr plan) {
    const Schema want = plan->schema;  // the optimizer may add columns (scan keys)
    Optimize(*plan);
    ExecOptions opts;
    opts.time = ctx_.timespan;
    opts.max_rows = SIZE_MAX;
    opts.governor = ctx_.governor;
    ASSIGN_OR_RETURN(ExecResult r, ExecutePlan(*plan, source_, opts));
    // The rows stay in the plan until the query ends: charged for the rest of it.
    if (ctx_.governor != nullptr) {
        RETURN_IF_ERROR(ctx_.governor->Charge(static_cast<int64_t>(r.batch.ByteSize()),
                                              "evaluate"));
    }
    return ConformBatch(r.batch, want);
}

Result<PlanPtr> Binder::BindOpsOver(const syntax::TabularExpr& sub, PlanPtr input,
                                    std::string* as_name) {
    PlanPtr plan = std::move(input);
    for (const auto& op : sub.ops) {
        if (op.kind == syntax::Operator::Kind::kAs) {
            if (as_name != nullptr) *as_name = op.names[0];
            continue;
        }
        if (op.kind == syntax::Operator::Kind::kRender) {
            plan->render = op.names[0];
            continue;
        }
        if (op.kind == syntax::Operator::Kind::kInvoke) {
            return Status::SemanticError("invoke is not supported in this subquery", op.pos);
        }
        std::string render = plan->render;
        ASSIGN_OR_RETURN(plan, BindOperator(op, std::move(plan)));
        plan->render = render;
    }
    return plan;
}

Result<PlanPtr> Binder::BindPartition(const syntax::Operator& op, PlanPtr input) {
    const Schema in = input->schema;
    const syntax::Expr& key = *op.by[0].expr;
    auto key_idx = in.IndexOf(key.name);
    if (!key_idx) {
        std::vector<std::string> names;
        for (const auto& f : in.fields) names.push_back(f.name);
        std::string best = ClosestName(key.name, names);
        return Status::SemanticError("unknown column '" + key.name + "'" +
                                         (best.empty() ? "" : " (did you mean '" + best + "'?)"),
                                     key.pos);
    }
    if (in.fields[*key_idx].type == Type::kDynamic) {
        return Status::SemanticError("partition key '" + key.name + "' must not be dynamic",
                                     key.pos);
    }
    if (!op.braces) {
        mv_apply_rows_.push_back(in);
        auto sub = BindTabular(*op.tabulars[0]);
        mv_apply_rows_.pop_back();
        if (!sub.ok()) return sub.status();
        PlanPtr subplan = std::move(*sub);
        PlanNode* leaf = ImplicitLeaf(*subplan, in);
        if (leaf == nullptr) {
            return Status::SemanticError("partition subquery must start from the partition's rows",
                                         op.pos);
        }
        auto node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kTableFunction;
        node->schema = subplan->schema;
        node->table_fn = MakePartitionFunction(in, *key_idx, leaf);
        node->input = std::move(input);
        node->inputs.push_back(std::move(subplan));
        return node;
    }
    if (op.mode == "native" || op.mode == "shuffle") {
        return Status::SemanticError(
            "a partition subquery with its own source needs the legacy strategy", op.mode_pos);
    }
    // `{ T | ... }`: the key column stands for each partition's value; the subquery is bound
    // once per distinct value (the docs' legacy strategy allows at most 64).
    ASSIGN_OR_RETURN(core::Batch rows, RunAtBind(std::move(input)));
    std::vector<core::Value> keys;
    {
        Vec kv = Vec::Borrow(&rows.columns[*key_idx]);
        std::set<std::string> seen;
        std::string buf;
        for (size_t i = 0; i < rows.num_rows(); ++i) {
            buf.clear();
            EncodeKey(kv, i, buf);
            if (seen.insert(buf).second) keys.push_back(kv.Get(i));
        }
    }
    if (keys.size() > kMaxLegacyPartitions) {
        return Status::SemanticError("partition with its own source allows at most " +
                                         std::to_string(kMaxLegacyPartitions) +
                                         " distinct values of '" + key.name + "', got " +
                                         std::to_string(keys.size()),
                                     key.pos);
    }
    Type key_type = in.fields[*key_idx].type;
    auto bind_for = [&](const core::Value& v) -> Result<PlanPtr> {
        auto frame = std::make_shared<Frame>();
        frame->scalars[key.name] = MakeConst(v, key_type, key.pos);
        frames_.push_back(frame);
        auto r = BindTabular(*op.tabulars[0]);
        frames_.pop_back();
        return r;
    };
    if (keys.empty()) {
        ASSIGN_OR_RETURN(PlanPtr shape, bind_for(core::Value::Null(key_type)));
        auto node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kValues;
        node->schema = shape->schema;
        node->values = core::Batch::Empty(node->schema);
        return node;
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kUnion;
    for (const auto& v : keys) {
        ASSIGN_OR_RETURN(PlanPtr sub, bind_for(v));
        if (node->inputs.empty()) {
            node->schema = sub->schema;
        } else if (sub->schema.fields != node->schema.fields) {
            return Status::SemanticError("partition subqueries must all return the same columns",
                                         op.pos);
        }
        std::vector<int> cols;
        for (size_t c = 0; c < sub->schema.size(); ++c) cols.push_back(static_cast<int>(c));
        node->union_spec.columns.push_back(std::move(cols));
        node->inputs.push_back(std::move(sub));
    }
    return node;
}

Status Binder::BindMultiResult(const syntax::TabularExpr& tab, std::vector<PlanPtr>& plans) {
    const size_t n = tab.ops.size() - 1;
    const syntax::Operator& op = tab.ops[n];
    // The rows before fork / facet are computed once and shared by every result.
    auto cache = std::make_shared<PlanNode::MaterializeCache>();
    auto prefix = [&]() -> Result<PlanPtr> {
        ASSIGN_OR_RETURN(PlanPtr rows, BindTabular(tab, n));
        rows->render.clear();
        auto node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kMaterialize;
        node->schema = rows->schema;
        node->cache = cache;
        node->input = std::move(rows);
        return node;
    };
    auto bind_leg = [&](const syntax::TabularExpr& leg, std::string* as_name) -> Result<PlanPtr> {
        ASSIGN_OR_RETURN(PlanPtr rows, prefix());
        return BindOpsOver(leg, std::move(rows), as_name);
    };
    if (op.kind == syntax::Operator::Kind::kFork) {
        std::set<std::string> names;
        for (size_t i = 0; i < op.tabulars.size(); ++i) {
            std::string as_name;
            ASSIGN_OR_RETURN(PlanPtr plan, bind_leg(*op.tabulars[i], &as_name));
            plan->result_name = op.names[i].empty() ? as_name : op.names[i];
            if (!plan->result_name.empty() && !names.insert(plan->result_name).second) {
                return Status::SemanticError(
                    "fork results must have distinct names, '" + plan->result_name + "' repeats",
                    op.name_pos[i]);
            }
            plans.push_back(std::move(plan));
        }
        return Status::Ok();
    }
    // facet: the `with` subquery's table first, then `summarize count_c = count() by c` per
    // column c.
    if (!op.tabulars.empty()) {
        ASSIGN_OR_RETURN(PlanPtr plan, bind_leg(*op.tabulars[0], nullptr));
        plans.push_back(std::move(plan));
    }
    for (size_t i = 0; i < op.names.size(); ++i) {
        syntax::Operator summarize;
        summarize.kind = syntax::Operator::Kind::kSummarize;
        summarize.pos = op.pos;
        syntax::NamedExpr by;
        by.expr = NewExpr(syntax::Expr::Kind::kName, op.name_pos[i]);
        by.expr->name = op.names[i];
        summarize.by.push_back(std::move(by));
        syntax::NamedExpr count;
        count.name = "count_" + op.names[i];
        count.expr = NewExpr(syntax::Expr::Kind::kCall, op.name_pos[i]);
        count.expr->name = "count";
        summarize.exprs.push_back(std::move(count));
        ASSIGN_OR_RETURN(PlanPtr rows, prefix());
        ASSIGN_OR_RETURN(PlanPtr plan, BindOperator(summarize, std::move(rows)));
        plans.push_back(std::move(plan));
    }
    return Status::Ok();
}

}  // namespace calypso::kql
