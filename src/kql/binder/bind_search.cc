// Binder::BindSearch: `search` as a union of the tables searched (with `$table`) followed by
// a filter; the predicate's column `*` (what bare search terms apply to) is expanded here to
// an `or` over the columns, each converted to string.
#include "kql/binder/binder.h"

namespace calypso::kql {
namespace {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;
using syntax::Expr;
using syntax::ExprPtr;

constexpr const char* kTableColumn = "$table";

ExprPtr Copy(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    for (const auto& a : e.args) c->args.push_back(Copy(*a));
    return c;
}

ExprPtr Name(const std::string& name, core::SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kName;
    e->name = name;
    e->pos = pos;
    return e;
}

// `* op rhs` -> `tostring(c1) op rhs or tostring(c2) op rhs or ...` over `schema`.
ExprPtr ExpandStar(const Expr& e, const Schema& schema) {
    if (e.kind == Expr::Kind::kBinary && e.args[0]->kind == Expr::Kind::kName &&
        e.args[0]->name == "*") {
        ExprPtr any;
        for (const auto& f : schema.fields) {
            if (f.name == kTableColumn) continue;
            auto one = std::make_unique<Expr>();
            one->kind = Expr::Kind::kBinary;
            one->op = e.op;
            one->pos = e.pos;
            ExprPtr col = Name(f.name, e.pos);
            if (f.type != Type::kString) {
                auto conv = std::make_unique<Expr>();
                conv->kind = Expr::Kind::kCall;
                conv->name = "tostring";
                conv->pos = e.pos;
                conv->args.push_back(std::move(col));
                col = std::move(conv);
            }
            one->args.push_back(std::move(col));
            one->args.push_back(Copy(*e.args[1]));
            if (!any) {
                any = std::move(one);
                continue;
            }
            auto both = std::make_unique<Expr>();
            both->kind = Expr::Kind::kBinary;
            both->op = "or";
            both->pos = e.pos;
            both->args.push_back(std::move(any));
            both->args.push_back(std::move(one));
            any = std::move(both);
        }
        if (!any) {
            any = std::make_unique<Expr>();
            any->kind = Expr::Kind::kLiteral;
            any->value = core::Value::Bool(false);
            any->pos = e.pos;
        }
        return any;
    }
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    for (const auto& a : e.args) c->args.push_back(ExpandStar(*a, schema));
    return c;
}

}  // namespace

Result<PlanPtr> Binder::BindSearch(const syntax::Operator& op, PlanPtr piped) {
    PlanPtr input = std::move(piped);
    if (!input) {
        // The tables searched (all of them without `in`), as `union withsource=$table`.
        syntax::Operator u;
        u.kind = syntax::Operator::Kind::kUnion;
        u.pos = op.pos;
        u.with_source = kTableColumn;
        std::vector<syntax::Source> tables;  // kTable sources (of another resource too)
        auto add = [&tables](std::string name, core::SourcePos pos, syntax::ResourceRef ref) {
            syntax::Source one;
            one.kind = syntax::Source::Kind::kTable;
            one.table = std::move(name);
            one.pos = pos;
            one.resource = std::move(ref);
            tables.push_back(std::move(one));
        };
        if (op.tabulars.empty()) {
            for (const auto& t : source_.ListTables()) add(t, op.pos, {});
        }
        for (const auto& t : op.tabulars) {
            if (t->source.kind != syntax::Source::Kind::kTable || !t->ops.empty()) {
                return Status::SemanticError("search in (...) takes table names", t->source.pos);
            }
            add(t->source.table, t->source.pos, t->source.resource);
        }
        if (tables.empty()) return Status::SemanticError("there is no table to search", op.pos);
        for (auto& one : tables) {
            auto t = std::make_unique<syntax::TabularExpr>();
            t->source = std::move(one);
            u.tabulars.push_back(std::move(t));
        }
        ASSIGN_OR_RETURN(input, BindUnion(u, nullptr));
    }
    ExprPtr pred = ExpandStar(*op.exprs[0].expr, input->schema);
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kFilter;
    ASSIGN_OR_RETURN(node->predicate, BindScalar(*pred, input->schema));
    Type t = node->predicate->type;
    if (t != Type::kBool && t != Type::kDynamic && t != Type::kNull) {
        return Status::SemanticError("search predicate must be bool, got " +
                                         std::string(core::TypeName(t)),
                                     op.exprs[0].expr->pos);
    }
    node->schema = input->schema;
    node->input = std::move(input);
    return node;
}

}  // namespace calypso::kql
