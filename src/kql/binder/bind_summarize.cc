// Binder::BindSummarize and its helpers (summarize, distinct, arg_max/arg_min).
#include <set>
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/functions/aggregates.h"
#include "kql/functions/aggregates_extra.h"
#include "kql/functions/scalar.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;
using syntax::Expr;

namespace {
std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }
}  // namespace

Result<PlanPtr> Binder::BindSummarize(const syntax::Operator& op, PlanPtr input) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kAggregate;
    const Schema& in = input->schema;
    std::set<std::string> taken;
    int counter = 0;
    for (const auto& ne : op.by) {
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, in));
        std::string name = ne.name.empty() ? InferColumnName(*ne.expr) : ne.name;
        if (name.empty()) name = NextColumnName(taken, counter);
        if (taken.count(name) != 0) {
            return Status::SemanticError("duplicate column name '" + name + "' in summarize",
                                         ne.expr->pos);
        }
        taken.insert(name);
        node->schema.fields.push_back({name, b->type == Type::kNull ? Type::kString : b->type});
        node->keys.push_back(std::move(b));
    }
    // Each output is an aggregate call or an expression over aggregate calls; the latter
    // become hidden aggregate columns and a projection on top computes the expression.
    struct Output {
        std::string name;
        const Expr* computed = nullptr;
    };
    std::vector<Output> outputs;
    bool any_computed = false;
    int hidden = 0;
    for (const auto& ne : op.exprs) {
        const Expr& e = *ne.expr;
        if (e.kind == Expr::Kind::kCall && (e.name == "arg_max" || e.name == "arg_min")) {
            ASSIGN_OR_RETURN(std::vector<std::string> names,
                             AddArgAggregates(e, ne.name, *node, in, taken));
            for (auto& n : names) outputs.push_back({std::move(n), nullptr});
            continue;
        }
        if (IsAggregateCall(e)) {
            std::vector<std::string> extra;
            ASSIGN_OR_RETURN(std::string name, AddAggregate(e, ne.name, *node, in, taken, &extra));
            outputs.push_back({name, nullptr});
            for (auto& n : extra) outputs.push_back({std::move(n), nullptr});
            continue;
        }
        std::vector<const Expr*> calls;
        FindAggregateCalls(e, calls);
        if (calls.empty()) {
            return Status::SemanticError(
                "summarize expects an aggregate function call such as count() or sum(x)", e.pos);
        }
        for (const Expr* c : calls) {
            std::string hidden_name = "__agg_" + std::to_string(hidden++);
            ASSIGN_OR_RETURN(std::string n, AddAggregate(*c, hidden_name, *node, in, taken));
            agg_columns_[c] = n;
        }
        std::string name = ne.name.empty() ? NextColumnName(taken, counter) : ne.name;
        name = UniqueName(name, taken);
        taken.insert(name);
        outputs.push_back({name, &e});
        any_computed = true;
    }
    node->input = std::move(input);
    if (!any_computed) return node;
    auto proj = std::make_unique<PlanNode>();
    proj->kind = PlanNode::Kind::kProject;
    for (size_t k = 0; k < node->keys.size(); ++k) {
        const auto& f = node->schema.fields[k];
        proj->schema.fields.push_back(f);
        proj->exprs.push_back(MakeColumnRef(f.name, f.type));
    }
    for (const auto& o : outputs) {
        if (o.computed == nullptr) {
            auto idx = node->schema.IndexOf(o.name);
            Type t = node->schema.fields[*idx].type;
            proj->schema.fields.push_back({o.name, t});
            proj->exprs.push_back(MakeColumnRef(o.name, t));
            continue;
        }
        auto b = BindScalar(*o.computed, node->schema);
        if (!b.ok()) {
            agg_columns_.clear();
            return b.status();
        }
        Type t = (*b)->type == Type::kNull ? Type::kString : (*b)->type;
        proj->schema.fields.push_back({o.name, t});
        proj->exprs.push_back(std::move(*b));
    }
    agg_columns_.clear();
    proj->input = std::move(node);
    return proj;
}

Result<std::vector<std::string>> Binder::AddArgAggregates(const Expr& e, const std::string& given,
                                                          PlanNode& node, const Schema& in,
                                                          std::set<std::string>& taken) {
    bool is_max = e.name == "arg_max";
    if (e.args.size() < 2) {
        return Status::SemanticError(
            e.name + "() expects a key expression and at least one column or *", e.pos);
    }
    const Expr& key = *e.args[0];
    auto add = [&](std::string_view fn_name, std::vector<BoundExprPtr> args,
                   std::string name) -> Result<std::string> {
        PlanNode::Aggregate agg;
        agg.fn = functions::FindAggregate(fn_name);
        agg.name = std::string(fn_name);
        std::vector<Type> types;
        for (const auto& a : args) types.push_back(a->type);
        ASSIGN_OR_RETURN(agg.type, agg.fn->result_type(types, e.pos));
        agg.args = std::move(args);
        name = UniqueName(name, taken);
        taken.insert(name);
        node.schema.fields.push_back({name, agg.type});
        node.aggregates.push_back(std::move(agg));
        return name;
    };
    std::vector<std::string> names;
    ASSIGN_OR_RETURN(BoundExprPtr kb, BindScalar(key, in));
    if (kb->type == Type::kNull || kb->type == Type::kDynamic || kb->type == Type::kBool) {
        return Status::SemanticError(
            e.name + "() needs a key of an ordered type, got " + TypeStr(kb->type), key.pos);
    }
    std::string key_name = given.empty() ? InferColumnName(key) : given;
    if (key_name.empty()) key_name = is_max ? "max_" : "min_";
    std::vector<BoundExprPtr> key_args;
    key_args.push_back(std::move(kb));
    ASSIGN_OR_RETURN(std::string kn, add(is_max ? "max" : "min", std::move(key_args), key_name));
    names.push_back(kn);
    std::string_view state = is_max ? "__arg_max" : "__arg_min";
    std::set<std::string> by_names = taken;
    int counter = 0;
    for (size_t i = 1; i < e.args.size(); ++i) {
        const Expr& a = *e.args[i];
        std::vector<std::pair<std::string, BoundExprPtr>> cols;
        if (a.kind == Expr::Kind::kName && a.name == "*") {
            for (const auto& f : in.fields) {
                if (by_names.count(f.name) != 0) continue;
                cols.emplace_back(f.name, MakeColumnRef(f.name, f.type));
            }
        } else {
            ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(a, in));
            std::string n = InferColumnName(a);
            if (n.empty()) n = NextColumnName(taken, counter);
            cols.emplace_back(n, std::move(b));
        }
        for (auto& [n, b] : cols) {
            if (n == kn) continue;  // the key column appears once
            std::vector<BoundExprPtr> args;
            ASSIGN_OR_RETURN(BoundExprPtr kb2, BindScalar(key, in));
            args.push_back(std::move(kb2));
            args.push_back(std::move(b));
            ASSIGN_OR_RETURN(std::string out, add(state, std::move(args), n));
            names.push_back(out);
        }
    }
    return names;
}

bool Binder::IsAggregateCall(const Expr& e) {
    return e.kind == Expr::Kind::kCall && functions::FindAggregate(e.name) != nullptr &&
           functions::FindScalarFunction(e.name) == nullptr;
}

void Binder::FindAggregateCalls(const Expr& e, std::vector<const Expr*>& out) {
    if (IsAggregateCall(e)) {
        out.push_back(&e);
        return;
    }
    for (const auto& a : e.args) FindAggregateCalls(*a, out);
}

Result<std::string> Binder::AddAggregate(const Expr& e, const std::string& given, PlanNode& node,
                                         const Schema& in, std::set<std::string>& taken,
                                         std::vector<std::string>* extra) {
    const functions::AggregateFunction* fn = functions::FindAggregate(e.name);
    int n = static_cast<int>(e.args.size());
    if (n < fn->min_args || n > fn->max_args) {
        return Status::SemanticError(
            "aggregate " + e.name + "() expects " + std::to_string(fn->min_args) +
                (fn->max_args != fn->min_args ? ".." + std::to_string(fn->max_args) : "") +
                " argument(s), got " + std::to_string(n),
            e.pos);
    }
    PlanNode::Aggregate agg;
    agg.fn = fn;
    agg.name = e.name;
    std::vector<Type> types;
    for (const auto& a : e.args) {
        if (std::vector<const Expr*> nested; FindAggregateCalls(*a, nested), !nested.empty()) {
            return Status::SemanticError("aggregate calls cannot be nested", nested[0]->pos);
        }
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*a, in));
        types.push_back(b->type);
        agg.args.push_back(std::move(b));
    }
    ASSIGN_OR_RETURN(agg.type, fn->result_type(types, e.pos));
    bool weighted = e.name == "percentilew" || e.name == "percentilesw" ||
                    e.name == "percentilesw_array";
    bool as_array = e.name == "percentiles_array" || e.name == "percentilesw_array";
    bool is_percentile =
        e.name == "percentile" || e.name == "percentiles" || (weighted && !as_array);
    for (size_t i = weighted ? 2 : 1; as_array && i < agg.args.size(); ++i) {
        if (agg.args[i]->kind != BoundExpr::Kind::kConst || agg.args[i]->value.is_null()) {
            return Status::SemanticError(e.name + "() expects constant percentages",
                                         e.args[i]->pos);
        }
    }
    std::vector<std::string> suffixes;  // percentile(s): one output per percentage
    if (is_percentile) {
        for (size_t i = weighted ? 2 : 1; i < agg.args.size(); ++i) {
            const BoundExpr& p = *agg.args[i];
            if (p.kind != BoundExpr::Kind::kConst || p.value.is_null()) {
                return Status::SemanticError(e.name + "() expects constant percentages",
                                             e.args[i]->pos);
            }
            double v = p.value.type() == Type::kReal ? p.value.as_double()
                                                     : static_cast<double>(p.value.as_int64());
            if (v < 0 || v > 100) {
                return Status::SemanticError("percentage must be between 0 and 100",
                                             e.args[i]->pos);
            }
            suffixes.push_back(functions::PercentSuffix(v));
        }
        if (suffixes.size() > 1 && !given.empty()) {
            return Status::SemanticError(
                "percentiles() yields one column per percentage and cannot be given one name",
                e.pos);
        }
    } else {
        suffixes.emplace_back();
    }
    std::string first;
    for (size_t i = 0; i < suffixes.size(); ++i) {
        std::string name = given;
        if (name.empty()) {
            std::string arg = fn->min_args > 0 ? InferColumnName(*e.args[0]) : "";
            if (fn->prefix.empty()) {
                name = arg.empty() ? e.name + "_" : arg;
            } else {
                name = std::string(fn->prefix) + "_";
                if (fn->prefix != "countif") name += arg;
                // covariance(x, y) names both variables: covariance_x_y.
                if (fn->prefix.rfind("covariance", 0) == 0 && e.args.size() > 1) {
                    name += "_" + InferColumnName(*e.args[1]);
                }
            }
            if (is_percentile) name += "_" + suffixes[i];
        }
        name = UniqueName(name, taken);
        taken.insert(name);
        node.schema.fields.push_back({name, agg.type});
        if (i == 0) {
            first = name;
        } else if (extra != nullptr) {
            extra->push_back(name);
        }
    }
    node.aggregates.push_back(std::move(agg));
    return first;
}

}  // namespace calypso::kql
