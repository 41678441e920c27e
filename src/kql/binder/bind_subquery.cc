// Scalar uses of tabular expressions, computed once while the query is bound
// (Binder::RunAtBind): toscalar(T) and `x in (T)`; and workspace("x").F(), a stored
// function of another workspace.
#include <string>

#include "kql/binder/binder.h"
#include "kql/syntax/parser.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;
using syntax::Expr;

namespace {

// A column reference in the bound expression, or null.
const BoundExpr* ReadColumn(const BoundExpr& e) {
    if (e.kind == BoundExpr::Kind::kColumn) return &e;
    for (const auto& a : e.args) {
        if (const BoundExpr* c = ReadColumn(*a)) return c;
    }
    return nullptr;
}

syntax::ExprPtr CloneExpr(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    c->tabular = e.tabular;
    for (const auto& a : e.args) c->args.push_back(CloneExpr(*a));
    return c;
}

}  // namespace

const syntax::TabularExpr* Binder::TabularOperand(const Expr& e) {
    if (e.tabular) return e.tabular.get();
    if (e.kind != Expr::Kind::kName) return nullptr;
    // A bare name is tabular when it names a tabular let, an `as` result, a view or a table
    // (and no parameter or scalar let shadows it).
    for (auto f = frames_.rbegin(); f != frames_.rend(); ++f) {
        if ((*f)->scalars.count(e.name) != 0) return nullptr;
        if ((*f)->tables.count(e.name) != 0) break;
    }
    if (scalar_lets_.count(e.name) != 0 || expr_lets_.count(e.name) != 0) return nullptr;
    bool tabular = false;
    for (const auto& f : frames_) tabular = tabular || f->tables.count(e.name) != 0;
    const syntax::FunctionDef* fn = FindFunction(e.name);
    tabular = tabular || tabular_lets_.count(e.name) != 0 || as_results_.count(e.name) != 0 ||
              (fn != nullptr && fn->view) || source_.GetSchema(e.name).ok();
    if (!tabular) return nullptr;
    auto t = std::make_unique<syntax::TabularExpr>();
    t->source.kind = syntax::Source::Kind::kTable;
    t->source.table = e.name;
    t->source.pos = e.pos;
    const syntax::TabularExpr* out = t.get();
    owned_.push_back(std::move(t));
    return out;
}

Result<core::Batch> Binder::RunSubquery(const syntax::TabularExpr& tab) {
    ASSIGN_OR_RETURN(PlanPtr plan, BindTabular(tab));
    return RunAtBind(std::move(plan));
}

// toscalar(T): the first column of T's first row (null of that column's type when T has no
// row); toscalar(constant) is the constant. Evaluated once, so it cannot read the row's
// columns.
Result<BoundExprPtr> Binder::BindToScalar(const Expr& call, const Schema& scope) {
    const syntax::TabularExpr* tab =
        call.args.size() == 1 ? TabularOperand(*call.args[0]) : call.tabular.get();
    if (tab == nullptr && call.args.size() != 1) {
        return Status::SemanticError("toscalar() expects one argument", call.pos);
    }
    syntax::TabularExpr print;  // toscalar(scalar): `print` of it, run once
    if (tab == nullptr) {
        ASSIGN_OR_RETURN(BoundExprPtr v, BindScalar(*call.args[0], scope));
        if (v->kind == BoundExpr::Kind::kConst) return v;
        if (const BoundExpr* column = ReadColumn(*v)) {
            return Status::SemanticError("'toscalar': can't use '" + column->column +
                                             "' as it is defined outside its row-context scope",
                                         column->pos);
        }
        // `print x = 1 | project v = expr`: one row, the expression computed once.
        print.source.kind = syntax::Source::Kind::kPrint;
        print.source.pos = call.pos;
        syntax::NamedExpr one;
        one.name = "x";
        auto lit = std::make_unique<Expr>();
        lit->kind = Expr::Kind::kLiteral;
        lit->value = core::Value::Long(1);
        lit->pos = call.pos;
        one.expr = std::move(lit);
        print.source.print.push_back(std::move(one));
        syntax::Operator project;
        project.kind = syntax::Operator::Kind::kProject;
        project.pos = call.pos;
        syntax::NamedExpr ne;
        ne.name = "v";
        ne.expr = CloneExpr(*call.args[0]);
        project.exprs.push_back(std::move(ne));
        print.ops.push_back(std::move(project));
        tab = &print;
    }
    ASSIGN_OR_RETURN(core::Batch rows, RunSubquery(*tab));
    if (rows.columns.empty()) return MakeConst(core::Value(), Type::kNull, call.pos);
    Type t = rows.schema.fields[0].type;
    core::Value v = rows.num_rows() == 0 ? core::Value::Null(t) : rows.columns[0].Get(0);
    return MakeConst(std::move(v), t, call.pos);
}

Result<std::vector<core::Value>> Binder::SubqueryValues(const syntax::TabularExpr& tab) {
    ASSIGN_OR_RETURN(core::Batch rows, RunSubquery(tab));
    std::vector<core::Value> out;
    if (rows.columns.empty()) return out;
    out.reserve(rows.num_rows());
    for (size_t i = 0; i < rows.num_rows(); ++i) out.push_back(rows.columns[0].Get(i));
    return out;
}

Result<BoundExprPtr> Binder::BindPackColumns(const Expr& call, const Schema& scope) {
    const bool all = call.name == "pack_all";
    auto bag = std::make_unique<Expr>();
    bag->kind = Expr::Kind::kCall;
    bag->name = "bag_pack";
    bag->pos = call.pos;
    auto add = [&](const std::string& column) {
        auto key = std::make_unique<Expr>();
        key->kind = Expr::Kind::kLiteral;
        key->value = core::Value::String(column);
        key->pos = call.pos;
        auto ref = std::make_unique<Expr>();
        ref->kind = Expr::Kind::kName;
        ref->name = column;
        ref->pos = call.pos;
        bag->args.push_back(std::move(key));
        bag->args.push_back(std::move(ref));
    };
    bool drop_empty = false;
    if (all) {
        if (call.args.size() > 1) {
            return Status::SemanticError("pack_all() expects at most one argument", call.pos);
        }
        if (call.args.size() == 1) {
            ASSIGN_OR_RETURN(BoundExprPtr flag, BindScalar(*call.args[0], scope));
            if (flag->kind != BoundExpr::Kind::kConst || flag->type != Type::kBool) {
                return Status::SemanticError("pack_all() expects a constant bool",
                                             call.args[0]->pos);
            }
            drop_empty = !flag->value.is_null() && flag->value.as_bool();
        }
        const Schema& base = pack_scope_ ? *pack_scope_ : scope;
        for (const auto& f : base.fields) {
            if (scope.IndexOf(f.name)) add(f.name);
        }
    } else {
        for (const auto& a : call.args) {
            if (a->kind != Expr::Kind::kName || !scope.IndexOf(a->name)) {
                return Status::SemanticError("bag_pack_columns() expects columns", a->pos);
            }
            add(a->name);
        }
    }
    ASSIGN_OR_RETURN(BoundExprPtr packed, BindScalar(*bag, scope));
    if (!drop_empty) return packed;
    // pack_all(true): properties whose value is null or empty are left out.
    BoundCall c;
    c.type = Type::kDynamic;
    c.kernel = [](const std::vector<Vec>& a, size_t n) {
        core::Column col(Type::kDynamic);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic& d = a[0].Dyn(i);
            core::Dynamic::Object kept;
            if (d.kind() == core::Dynamic::Kind::kObject) {
                for (const auto& [k, v] : d.as_object()) {
                    bool empty = v.is_null() || (v.kind() == core::Dynamic::Kind::kString &&
                                                 v.as_string().empty());
                    if (!empty) kept.emplace_back(k, v);
                }
            }
            col.AppendDynamic(core::Dynamic::MakeObject(std::move(kept)));
        }
        return Vec::Own(std::move(col));
    };
    std::vector<BoundExprPtr> args;
    args.push_back(std::move(packed));
    return MakeCall("pack_all", std::move(c), std::move(args), call.pos);
}

Result<PlanPtr> Binder::BindResourceCall(const syntax::Source& src) {
    const syntax::ResourceRef& ref = src.resource;
    const Expr& call = *src.call;
    RETURN_IF_ERROR(TablesOf(src).status());  // an unknown workspace is reported as such
    const auto kind =
        ref.function == "app" ? core::ResourceKind::kApp : core::ResourceKind::kWorkspace;
    Result<std::string> text = ctx_.resources->ResolveFunction(kind, ref.id, call.name);
    if (!text.ok()) {
        return Status::SemanticError("unknown function '" + call.name + "' in " + ref.Text(),
                                     call.pos);
    }
    auto def = syntax::ParseFunctionDefinition(*text);
    if (!def.ok()) {
        return Status(def.status().code(),
                      ref.Text() + "." + call.name + "(): " + def.status().message(), call.pos);
    }
    resource_functions_.push_back(*def);
    return BindTabularCall(call, nullptr, resource_functions_.back().get(), &ref);
}

}  // namespace calypso::kql
