// Binder: user-defined functions (`let f = (params) { body }` and stored functions). A call
// is bound by binding the body again with the parameters standing for the arguments:
// scalar arguments as their bound expressions, tabular arguments as the expression written
// at the call, bound where it was written.
#include <algorithm>

#include "kql/binder/binder.h"
#include "kql/functions/cast.h"
#include "kql/functions/scalar.h"
#include "kql/planner/rules.h"

namespace calypso::kql {
namespace {

using core::Result;
using core::Schema;
using core::SourcePos;
using core::Status;
using core::Type;
using syntax::Expr;

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

syntax::ExprPtr CloneBoundExpr(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    c->tabular = e.tabular;
    for (const auto& a : e.args) c->args.push_back(CloneBoundExpr(*a));
    return c;
}

// Numeric arguments convert to the parameter's numeric type; null fits anything; a dynamic
// parameter takes any value.
bool ArgumentFits(Type param, Type arg) {
    if (param == arg || arg == Type::kNull || param == Type::kDynamic) return true;
    return core::IsNumeric(param) && core::IsNumeric(arg);
}

std::string Signature(const syntax::FunctionDef& f) {
    size_t required = 0;
    for (const auto& p : f.params) required += p.default_value ? 0 : 1;
    if (required == f.params.size()) return std::to_string(required);
    return std::to_string(required) + ".." + std::to_string(f.params.size());
}

const char* ConversionFunction(Type t) {
    switch (t) {
        case Type::kInt:
            return "toint";
        case Type::kLong:
            return "tolong";
        case Type::kReal:
            return "toreal";
        case Type::kDecimal:
            return "todecimal";
        default:
            return nullptr;
    }
}

}  // namespace

Binder::Scope Binder::SaveScope() const {
    return Scope{scalar_lets_, tabular_lets_, as_results_, functions_, frames_, expr_lets_};
}

void Binder::RestoreScope(Scope s) {
    scalar_lets_ = std::move(s.scalar_lets);
    tabular_lets_ = std::move(s.tabular_lets);
    as_results_ = std::move(s.as_results);
    functions_ = std::move(s.functions);
    frames_ = std::move(s.frames);
    expr_lets_ = std::move(s.expr_lets);
}

void Binder::RestoreDefinitionScope(const syntax::FunctionDef& f, bool stored) {
    if (stored) {
        RestoreScope(Scope{});  // a stored function sees no query lets
        return;
    }
    if (auto it = definition_scopes_.find(&f); it != definition_scopes_.end()) {
        RestoreScope(*it->second);
    }
}

const syntax::FunctionDef* Binder::FindFunction(std::string_view name, bool* stored) const {
    if (stored) *stored = false;
    if (auto it = functions_.find(name); it != functions_.end()) return it->second.get();
    if (stored_functions_) {
        if (auto it = stored_functions_->find(name); it != stored_functions_->end()) {
            if (stored) *stored = true;
            return it->second.get();
        }
    }
    return nullptr;
}

std::vector<std::string> Binder::FunctionNames() const {
    std::vector<std::string> out;
    for (const auto& [n, f] : functions_) out.push_back(n);
    if (stored_functions_) {
        for (const auto& [n, f] : *stored_functions_) out.push_back(n);
    }
    return out;
}

bool Binder::ReturnsTable(const syntax::FunctionDef& f, int depth) const {
    const syntax::Statement& last = f.body.back();
    if (last.tabular) return true;
    const Expr& e = *last.scalar;
    for (const auto& p : f.params) {
        if (p.name == e.name && e.kind == Expr::Kind::kName) return p.tabular;
    }
    if (e.kind == Expr::Kind::kName) {
        for (const auto& st : f.body) {
            if (st.is_let && st.name == e.name) return st.tabular != nullptr;
        }
        return tabular_lets_.count(e.name) != 0 || source_.GetSchema(e.name).ok();
    }
    if (e.kind == Expr::Kind::kCall && depth < 16) {
        const syntax::FunctionDef* g = FindFunction(e.name);
        return g != nullptr && g != &f && ReturnsTable(*g, depth + 1);
    }
    return false;
}

Status Binder::BindLet(const syntax::Statement& st) {
    expr_lets_.erase(st.name);
    if (st.function) {
        functions_[st.name] = st.function;
        // Names in the body mean what they meant here (Kusto binds lexically): a later let
        // is not visible to it. The function itself is, so recursion is reported as such.
        definition_scopes_[st.function.get()] = std::make_shared<const Scope>(SaveScope());
        scalar_lets_.erase(st.name);
        tabular_lets_.erase(st.name);
        return Status::Ok();
    }
    functions_.erase(st.name);
    if (!frames_.empty()) frames_.back()->scalars.erase(st.name);
    if (st.tabular) {
        tabular_lets_[st.name] = st.tabular.get();
        scalar_lets_.erase(st.name);
        return Status::Ok();
    }
    const Expr& e = *st.scalar;
    bool table_name = e.kind == Expr::Kind::kName && scalar_lets_.count(e.name) == 0 &&
                      expr_lets_.count(e.name) == 0 &&
                      (tabular_lets_.count(e.name) != 0 || source_.GetSchema(e.name).ok());
    for (auto f = frames_.rbegin(); f != frames_.rend() && e.kind == Expr::Kind::kName; ++f) {
        if ((*f)->tables.count(e.name) != 0) table_name = true;
        if ((*f)->scalars.count(e.name) != 0) break;
    }
    const syntax::FunctionDef* fn =
        e.kind == Expr::Kind::kCall ? FindFunction(e.name) : nullptr;
    if (table_name || (fn != nullptr && ReturnsTable(*fn))) {
        // A table, tabular let or tabular function call: a tabular let.
        auto t = std::make_unique<syntax::TabularExpr>();
        t->source.pos = e.pos;
        if (table_name) {
            t->source.kind = syntax::Source::Kind::kTable;
            t->source.table = e.name;
        } else {
            t->source.kind = syntax::Source::Kind::kCall;
            t->source.call = CloneBoundExpr(e);
        }
        tabular_lets_[st.name] = t.get();
        scalar_lets_.erase(st.name);
        owned_.push_back(std::move(t));
        return Status::Ok();
    }
    ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(e, Schema{}));
    if (!frames_.empty()) {
        // Inside a function body a let may depend on the arguments (columns of the caller):
        // it stands for its bound expression, as a parameter does.
        frames_.back()->scalars[st.name] = std::move(b);
        scalar_lets_.erase(st.name);
        tabular_lets_.erase(st.name);
        return Status::Ok();
    }
    if (b->kind != BoundExpr::Kind::kConst) {
        // A let binds a calculation: new_guid() or rand() is computed again at each use.
        expr_lets_[st.name] = std::shared_ptr<const BoundExpr>(std::move(b));
        scalar_lets_.erase(st.name);
        tabular_lets_.erase(st.name);
        return Status::Ok();
    }
    scalar_lets_[st.name] = b->value;
    tabular_lets_.erase(st.name);
    return Status::Ok();
}

namespace {

bool IsNamedArg(const Expr& a) { return a.kind == Expr::Kind::kBinary && a.op == "="; }

// The argument for each parameter (null: its default), from `call.args` after the first
// `skip` parameters (invoke's piped input): positional ones first, then `name = value`.
Result<std::vector<const Expr*>> MatchArguments(const syntax::FunctionDef& f, const Expr& call,
                                                size_t skip) {
    std::vector<const Expr*> out(f.params.size(), nullptr);
    size_t next = skip;
    bool named_seen = false;
    for (const auto& a : call.args) {
        if (IsNamedArg(*a)) {
            named_seen = true;
            const std::string& name = a->args[0]->name;
            size_t k = 0;
            while (k < f.params.size() && f.params[k].name != name) ++k;
            if (k == f.params.size() || k < skip) {
                return Status::SemanticError(
                    "function " + f.name + "() has no parameter '" + name + "'", a->pos);
            }
            if (out[k] != nullptr) {
                return Status::SemanticError(
                    "function " + f.name + "(): parameter '" + name + "' is given twice", a->pos);
            }
            out[k] = a->args[1].get();
            continue;
        }
        if (named_seen) {
            return Status::SemanticError("a positional argument cannot follow a named one",
                                         a->pos);
        }
        if (next >= f.params.size()) {
            return Status::SemanticError("function " + f.name + "() expects " + Signature(f) +
                                             " argument(s), got " +
                                             std::to_string(call.args.size() + skip),
                                         call.pos);
        }
        out[next++] = a.get();
    }
    for (size_t k = skip; k < f.params.size(); ++k) {
        if (out[k] == nullptr && !f.params[k].default_value) {
            return Status::SemanticError("function " + f.name + "() expects " + Signature(f) +
                                             " argument(s), got " +
                                             std::to_string(call.args.size() + skip),
                                         call.pos);
        }
    }
    return out;
}

}  // namespace

Result<BoundExprPtr> Binder::BindScalarFunctionCall(const syntax::FunctionDef& f, bool stored,
                                                    const Expr& call, const Schema& scope) {
    ASSIGN_OR_RETURN(std::vector<const Expr*> given_args, MatchArguments(f, call, 0));
    if (std::find(calling_.begin(), calling_.end(), f.name) != calling_.end()) {
        return Status::SemanticError("function '" + f.name + "' calls itself; recursion is not supported",
                                     call.pos);
    }
    for (const auto& p : f.params) {
        if (p.tabular) {
            return Status::SemanticError("function " + f.name +
                                             "() has a tabular parameter; call it as a tabular "
                                             "source or with invoke",
                                         call.pos);
        }
    }
    if (ReturnsTable(f)) {
        return Status::SemanticError(
            "function " + f.name + "() returns a table and cannot be used in a scalar expression",
            call.pos);
    }
    auto frame = std::make_shared<Frame>();
    for (size_t i = 0; i < f.params.size(); ++i) {
        const syntax::FunctionParam& p = f.params[i];
        const bool given = given_args[i] != nullptr;
        const Expr& a = given ? *given_args[i] : *p.default_value;
        ASSIGN_OR_RETURN(BoundExprPtr b, given ? BindScalar(a, scope) : BindScalar(a, Schema{}));
        if (!ArgumentFits(p.type, b->type)) {
            return Status::SemanticError("function " + f.name + "(): argument '" + p.name +
                                             "' expects " + TypeStr(p.type) + ", got " +
                                             TypeStr(b->type),
                                         a.pos);
        }
        if (b->type != p.type && b->type != Type::kNull && ConversionFunction(p.type)) {
            const auto* conv = functions::FindScalarFunction(ConversionFunction(p.type));
            std::vector<const BoundExpr*> raw{b.get()};
            ASSIGN_OR_RETURN(BoundCall c, conv->bind(raw, ctx_, a.pos));
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(b));
            ASSIGN_OR_RETURN(b, MakeCall(ConversionFunction(p.type), std::move(c),
                                         std::move(args), a.pos));
        } else if (b->type == Type::kNull) {
            b = MakeConst(core::Value::Null(p.type), p.type, a.pos);
        }
        frame->scalars[p.name] = std::move(b);
    }
    Scope saved = SaveScope();
    RestoreDefinitionScope(f, stored);
    frames_.push_back(std::move(frame));
    calling_.push_back(f.name);
    Result<BoundExprPtr> out = Status::Internal("function body not bound");
    Status s = Status::Ok();
    for (size_t i = 0; i + 1 < f.body.size() && s.ok(); ++i) s = BindLet(f.body[i]);
    // The body reads no columns of its caller: only parameters, lets and constants.
    if (s.ok()) out = BindScalar(*f.body.back().scalar, Schema{});
    calling_.pop_back();
    RestoreScope(std::move(saved));
    if (!s.ok()) return s;
    return out;
}

Result<PlanPtr> Binder::BindTabularArg(const TabularArg& arg) {
    Scope saved = SaveScope();
    RestoreScope(*arg.scope);
    auto r = BindTabular(*arg.tab, arg.num_ops);
    RestoreScope(std::move(saved));
    return r;
}

Result<PlanPtr> Binder::BindTabularCall(const Expr& call, const TabularArg* piped,
                                        const syntax::FunctionDef* def,
                                        const syntax::ResourceRef* resource) {
    bool stored = def != nullptr;
    const syntax::FunctionDef* fp = def != nullptr ? def : FindFunction(call.name, &stored);
    if (fp == nullptr && functions::FindScalarFunction(call.name) != nullptr) {
        return Status::SemanticError("function " + call.name +
                                         "() returns a scalar and cannot be used as a table",
                                     call.pos);
    }
    if (fp == nullptr) {
        std::string hint = ClosestName(call.name, FunctionNames());
        return Status::SemanticError("unknown function '" + call.name + "'" +
                                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)"),
                                     call.pos);
    }
    const syntax::FunctionDef& f = *fp;
    size_t first = 0;
    if (piped != nullptr) {
        if (f.params.empty() || !f.params[0].tabular) {
            return Status::SemanticError("invoke: the first parameter of " + f.name +
                                             "() must be tabular",
                                         call.pos);
        }
        first = 1;
    }
    if (!ReturnsTable(f)) {
        return Status::SemanticError("function " + f.name +
                                         "() returns a scalar and cannot be used as a table",
                                     call.pos);
    }
    if (std::find(calling_.begin(), calling_.end(), f.name) != calling_.end()) {
        return Status::SemanticError("function '" + f.name + "' calls itself; recursion is not supported",
                                     call.pos);
    }
    ASSIGN_OR_RETURN(std::vector<const Expr*> given_args, MatchArguments(f, call, first));
    auto caller = std::make_shared<const Scope>(SaveScope());
    auto frame = std::make_shared<Frame>();
    for (size_t i = 0; i < f.params.size(); ++i) {
        const syntax::FunctionParam& p = f.params[i];
        const Expr* a = i < first ? nullptr
                        : given_args[i] ? given_args[i]
                                        : p.default_value.get();
        SourcePos apos = a ? a->pos : call.pos;
        if (p.tabular) {
            TabularArg arg;
            if (i < first) {
                arg = *piped;
            } else if (a->kind == Expr::Kind::kName || a->kind == Expr::Kind::kCall) {
                auto t = std::make_unique<syntax::TabularExpr>();
                t->source.pos = a->pos;
                if (a->kind == Expr::Kind::kName) {
                    t->source.kind = syntax::Source::Kind::kTable;
                    t->source.table = a->name;
                } else {
                    t->source.kind = syntax::Source::Kind::kCall;
                    t->source.call = CloneBoundExpr(*a);
                }
                arg.tab = t.get();
                arg.scope = caller;
                owned_.push_back(std::move(t));
            } else {
                return Status::SemanticError("function " + f.name + "(): argument '" + p.name +
                                                 "' must be a table",
                                             apos);
            }
            // The argument must have the declared columns (more are allowed).
            ASSIGN_OR_RETURN(PlanPtr bound, BindTabularArg(arg));
            for (const auto& [col, type] : p.columns) {
                auto idx = bound->schema.IndexOf(col);
                if (!idx || bound->schema.fields[*idx].type != type) {
                    return Status::SemanticError("function " + f.name + "(): table argument '" +
                                                     p.name + "' has no column '" + col +
                                                     "' of type " + TypeStr(type),
                                                 apos);
                }
            }
            frame->tables[p.name] = std::move(arg);
            continue;
        }
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*a, Schema{}));
        if (b->kind != BoundExpr::Kind::kConst) {
            return Status::SemanticError("function " + f.name + "(): argument '" + p.name +
                                             "' must be a constant",
                                         apos);
        }
        if (!ArgumentFits(p.type, b->type)) {
            return Status::SemanticError("function " + f.name + "(): argument '" + p.name +
                                             "' expects " + TypeStr(p.type) + ", got " +
                                             TypeStr(b->type),
                                         apos);
        }
        core::Value v = functions::CastValue(b->value, p.type);
        frame->scalars[p.name] = MakeConst(v, p.type, apos);
    }
    Scope saved = SaveScope();
    RestoreDefinitionScope(f, stored);
    // Table names in a stored function's body are its workspace's: another one's for
    // workspace("x").F(), the query's own otherwise.
    syntax::ResourceRef saved_resource = default_resource_;
    if (stored) default_resource_ = resource != nullptr ? *resource : syntax::ResourceRef{};
    frames_.push_back(std::move(frame));
    calling_.push_back(f.name);
    Result<PlanPtr> out = Status::Internal("function body not bound");
    Status s = Status::Ok();
    for (size_t i = 0; i + 1 < f.body.size() && s.ok(); ++i) s = BindLet(f.body[i]);
    if (s.ok()) {
        const syntax::Statement& last = f.body.back();
        if (last.tabular) {
            out = BindTabular(*last.tabular);
        } else {
            auto t = std::make_unique<syntax::TabularExpr>();
            t->source.pos = last.scalar->pos;
            if (last.scalar->kind == Expr::Kind::kCall) {
                t->source.kind = syntax::Source::Kind::kCall;
                t->source.call = CloneBoundExpr(*last.scalar);
            } else {
                t->source.kind = syntax::Source::Kind::kTable;
                t->source.table = last.scalar->name;
            }
            const syntax::TabularExpr* tp = t.get();
            owned_.push_back(std::move(t));
            out = BindTabular(*tp);
        }
    }
    calling_.pop_back();
    default_resource_ = saved_resource;
    RestoreScope(std::move(saved));
    if (!s.ok()) return s;
    return out;
}

Status Binder::CheckFunction(const syntax::FunctionDef& f) {
    auto frame = std::make_shared<Frame>();
    for (const auto& p : f.params) {
        if (p.tabular) return Status::Ok();
        core::Value v = functions::CastValue(core::Value::Long(0), p.type);
        if (p.default_value) {
            ASSIGN_OR_RETURN(BoundExprPtr d, BindScalar(*p.default_value, Schema{}));
            if (d->kind != BoundExpr::Kind::kConst || !ArgumentFits(p.type, d->type)) {
                return Status::SemanticError("the default of parameter '" + p.name +
                                                 "' must be a constant of type " +
                                                 TypeStr(p.type),
                                             p.default_value->pos);
            }
            v = functions::CastValue(d->value, p.type);
        }
        frame->scalars[p.name] = MakeConst(v, p.type, p.pos);
    }
    Scope saved = SaveScope();
    RestoreScope(Scope{});
    frames_.push_back(std::move(frame));
    calling_.push_back(f.name);
    Status s = Status::Ok();
    for (size_t i = 0; i + 1 < f.body.size() && s.ok(); ++i) s = BindLet(f.body[i]);
    if (s.ok()) {
        const syntax::Statement& last = f.body.back();
        if (last.tabular) {
            s = BindTabular(*last.tabular).status();
        } else if (ReturnsTable(f)) {
            auto t = std::make_unique<syntax::TabularExpr>();
            t->source.pos = last.scalar->pos;
            if (last.scalar->kind == Expr::Kind::kCall) {
                t->source.kind = syntax::Source::Kind::kCall;
                t->source.call = CloneBoundExpr(*last.scalar);
            } else {
                t->source.kind = syntax::Source::Kind::kTable;
                t->source.table = last.scalar->name;
            }
            s = BindTabular(*t).status();
        } else {
            s = BindScalar(*last.scalar, Schema{}).status();
        }
    }
    calling_.pop_back();
    RestoreScope(std::move(saved));
    return s;
}

}  // namespace calypso::kql
