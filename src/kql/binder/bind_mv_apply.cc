// Binder::BindMvApply: `mv-apply [with_itemindex=I] [Name =] arr [to typeof(T)], ...
// [limit N] on (subquery)`. The subquery's source is the expanded rows of one input row
// (only the expanded columns and the index); its result gets the input row's other columns
// in front.
#include "kql/binder/binder.h"
#include "kql/binder/naming.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;

Result<PlanPtr> Binder::BindMvApply(const syntax::Operator& op, PlanPtr input) {
    const Schema& in = input->schema;
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kMvApply;
    Schema rows;
    std::set<std::string> taken;
    std::set<std::string> expanded;  // input columns expanded in place
    int counter = 0;
    for (size_t i = 0; i < op.exprs.size(); ++i) {
        const auto& ne = op.exprs[i];
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, in));
        std::string name = !ne.name.empty() ? ne.name : InferColumnName(*ne.expr);
        // A column expanded under its own name replaces it; `New = col` keeps col.
        if (ne.expr->kind == syntax::Expr::Kind::kName && in.IndexOf(ne.expr->name) &&
            (ne.name.empty() || ne.name == ne.expr->name)) {
            expanded.insert(ne.expr->name);
        }
        if (name.empty()) name = NextColumnName(taken, counter);
        if (taken.count(name) != 0) {
            return Status::SemanticError("duplicate column name '" + name + "' in mv-apply",
                                         ne.expr->pos);
        }
        taken.insert(name);
        Type t = op.types[i] == Type::kNull ? Type::kDynamic : op.types[i];
        rows.fields.push_back({name, t});
        node->mv_apply.types.push_back(t);
        node->exprs.push_back(std::move(b));
    }
    if (!op.index_column.empty()) {
        if (taken.count(op.index_column) != 0) {
            return Status::SemanticError(
                "duplicate column name '" + op.index_column + "' in mv-apply", op.pos);
        }
        rows.fields.push_back({op.index_column, Type::kLong});
        node->mv_apply.index_column = true;
    }
    if (op.count) {
        ASSIGN_OR_RETURN(node->mv_apply.limit, BindCount(*op.count));
    }
    mv_apply_rows_.push_back(rows);
    auto sub = BindTabular(*op.tabulars[0]);
    mv_apply_rows_.pop_back();
    if (!sub.ok()) return sub.status();
    PlanPtr subplan = std::move(*sub);
    // The subquery's leaf (its source is always the implicit rows).
    PlanNode* leaf = subplan.get();
    while (leaf->input) leaf = leaf->input.get();
    if (leaf->kind != PlanNode::Kind::kValues || leaf->schema.fields != rows.fields) {
        return Status::SemanticError("mv-apply subquery must start from the expanded rows",
                                     op.pos);
    }
    node->mv_apply.rows = leaf;
    std::set<std::string> out_names;
    for (size_t c = 0; c < in.fields.size(); ++c) {
        if (expanded.count(in.fields[c].name) != 0) continue;
        node->mv_apply.kept.push_back(c);
        node->schema.fields.push_back(in.fields[c]);
        out_names.insert(in.fields[c].name);
    }
    for (const auto& f : subplan->schema.fields) {
        std::string name = UniqueName(f.name, out_names);
        out_names.insert(name);
        node->schema.fields.push_back({name, f.type});
    }
    node->input = std::move(input);
    node->inputs.push_back(std::move(subplan));
    return node;
}

}  // namespace calypso::kql
