// Binder::BindReduce: `reduce [kind=source] by Text [with threshold=T, characters=C]`, a
// table function (exec/reduce.cc) that needs every row before it can tell a pattern.
#include <string>

#include "kql/binder/binder.h"
#include "kql/exec/table_functions.h"

namespace calypso::kql {

using core::Result;
using core::Status;
using core::Type;

Result<PlanPtr> Binder::BindReduce(const syntax::Operator& op, PlanPtr input) {
    ReduceSpec spec;
    spec.input = input->schema;
    spec.source = op.mode == "source";
    ASSIGN_OR_RETURN(spec.text, BindScalar(*op.exprs[0].expr, input->schema));
    const Type tt = spec.text->type;
    if (tt != Type::kString && tt != Type::kDynamic && tt != Type::kNull) {
        return Status::SemanticError(
            "reduce expects a string expression, got " + std::string(core::TypeName(tt)),
            op.exprs[0].expr->pos);
    }
    for (size_t i = 1; i < op.exprs.size(); ++i) {
        const syntax::NamedExpr& ne = op.exprs[i];
        ASSIGN_OR_RETURN(BoundExprPtr v, BindScalar(*ne.expr, {}));
        const bool constant = v->kind == BoundExpr::Kind::kConst && !v->value.is_null();
        if (ne.name == "threshold") {
            const bool number =
                v->type == Type::kReal || v->type == Type::kLong || v->type == Type::kInt;
            const double t = !constant || !number     ? -1
                             : v->type == Type::kReal ? v->value.as_double()
                                                      : static_cast<double>(v->value.as_int64());
            if (!(t >= 0 && t <= 1)) {
                return Status::SemanticError(
                    "reduce threshold must be a constant real between 0 and 1", ne.expr->pos);
            }
            spec.threshold = t;
        } else {
            if (!constant || v->type != Type::kString || v->value.as_string().empty()) {
                return Status::SemanticError(
                    "reduce characters must be a constant, non-empty string", ne.expr->pos);
            }
            spec.characters = v->value.as_string();
        }
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kTableFunction;
    if (spec.source) {
        if (input->schema.IndexOf("Pattern")) {
            return Status::SemanticError("reduce kind=source: column 'Pattern' already exists",
                                         op.pos);
        }
        node->schema = input->schema;
        node->schema.fields.push_back({"Pattern", Type::kString});
    } else {
        node->schema.fields = {
            {"Pattern", Type::kString}, {"Count", Type::kLong}, {"Representative", Type::kString}};
    }
    node->table_fn = MakeReduceFunction(std::move(spec));
    node->input = std::move(input);
    return node;
}

}  // namespace calypso::kql
