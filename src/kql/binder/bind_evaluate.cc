// Binder::BindEvaluate: the evaluate plugins narrow, bag_unpack and pivot. bag_unpack and
// pivot take their output columns from the data unless the query gives an output schema
// (`: (...)`); without one the input is run here, while binding, and the result becomes a
// constant table (what Kusto does too: the schema is known only after reading the rows).
#include <set>
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/aggregates.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::SourcePos;
using core::Status;
using core::Type;
using syntax::Expr;

namespace {

const char* const kPlugins[] = {"bag_unpack", "narrow", "pivot"};

// A plugin argument: `name = value` (kBinary "=") or a positional value.
struct PluginArg {
    std::string name;
    const Expr* value = nullptr;
};

std::vector<PluginArg> PluginArgs(const Expr& call) {
    std::vector<PluginArg> out;
    for (const auto& a : call.args) {
        if (a->kind == Expr::Kind::kBinary && a->op == "=") {
            out.push_back({a->args[0]->name, a->args[1].get()});
        } else {
            out.push_back({"", a.get()});
        }
    }
    return out;
}

Status UnknownColumnAt(const std::string& name, const Schema& s, SourcePos pos) {
    std::vector<std::string> names;
    for (const auto& f : s.fields) names.push_back(f.name);
    std::string best = ClosestName(name, names);
    return Status::SemanticError(
        "unknown column '" + name + "'" + (best.empty() ? "" : " (did you mean '" + best + "'?)"),
        pos);
}

}  // namespace

Result<PlanPtr> Binder::BindEvaluate(const syntax::Operator& op, PlanPtr input) {
    const Expr& call = *op.exprs[0].expr;
    const Schema in = input->schema;
    const std::string& plugin = call.name;
    std::vector<PluginArg> args = PluginArgs(call);
    // A constant argument of `type`.
    auto constant = [&](const Expr& e, Type type, const char* what) -> Result<core::Value> {
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(e, Schema{}));
        if (b->kind != BoundExpr::Kind::kConst || (b->type != type && !b->value.is_null())) {
            return Status::SemanticError(plugin + "(): " + what + " must be a constant " +
                                             std::string(core::TypeName(type)),
                                         e.pos);
        }
        return b->value;
    };
    // A column of the input named by `e`.
    auto column = [&](const Expr& e, const char* what) -> Result<size_t> {
        if (e.kind != Expr::Kind::kName) {
            return Status::SemanticError(plugin + "(): " + what + " must be a column name", e.pos);
        }
        auto idx = in.IndexOf(e.name);
        if (!idx) return UnknownColumnAt(e.name, in, e.pos);
        return *idx;
    };
    Schema declared;
    for (const auto& [name, type] : op.columns) declared.fields.push_back({name, type});
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kTableFunction;

    if (plugin == "narrow") {
        if (!args.empty()) {
            return Status::SemanticError("narrow() expects no arguments, got " +
                                             std::to_string(args.size()),
                                         call.pos);
        }
        node->schema.fields = {{"Row", Type::kLong}, {"Column", Type::kString},
                               {"Value", Type::kString}};
        node->table_fn = MakeNarrowFunction();
        node->table_fn->input_schema = in;
        node->input = std::move(input);
        return node;
    }
    if (plugin == "bag_unpack") {
        if (args.empty() || args.size() > 4) {
            return Status::SemanticError("bag_unpack() expects 1..4 argument(s), got " +
                                             std::to_string(args.size()),
                                         call.pos);
        }
        BagUnpackSpec spec;
        spec.pos = call.pos;
        static const char* const kPositional[] = {"", "OutputColumnPrefix", "columnsConflict",
                                                  "ignoredProperties"};
        for (size_t i = 0; i < args.size(); ++i) {
            std::string name = args[i].name;
            if (name.empty()) name = kPositional[i];
            const Expr& v = *args[i].value;
            if (i == 0) {
                if (!args[i].name.empty()) {
                    return Status::SemanticError("bag_unpack(): the first argument is the column",
                                                 v.pos);
                }
                ASSIGN_OR_RETURN(spec.column, column(v, "the first argument"));
                if (in.fields[spec.column].type != Type::kDynamic) {
                    return Status::SemanticError(
                        "bag_unpack() expects a dynamic column, got " +
                            std::string(core::TypeName(in.fields[spec.column].type)),
                        v.pos);
                }
            } else if (name == "OutputColumnPrefix" || name == "column_prefix") {
                ASSIGN_OR_RETURN(core::Value p, constant(v, Type::kString, "the column prefix"));
                spec.prefix = p.is_null() ? "" : p.as_string();
            } else if (name == "columnsConflict") {
                ASSIGN_OR_RETURN(core::Value c, constant(v, Type::kString, "columnsConflict"));
                std::string mode = c.is_null() ? "" : c.as_string();
                if (mode == "error") {
                    spec.conflict = BagUnpackSpec::Conflict::kError;
                } else if (mode == "replace_source") {
                    spec.conflict = BagUnpackSpec::Conflict::kReplaceSource;
                } else if (mode == "keep_source") {
                    spec.conflict = BagUnpackSpec::Conflict::kKeepSource;
                } else {
                    return Status::SemanticError(
                        "bag_unpack(): columnsConflict must be 'error', 'replace_source' or "
                        "'keep_source'",
                        v.pos);
                }
            } else if (name == "ignoredProperties") {
                ASSIGN_OR_RETURN(core::Value d,
                                 constant(v, Type::kDynamic, "ignoredProperties"));
                if (!d.is_null()) {
                    const core::Dynamic& dyn = d.as_dynamic();
                    if (dyn.kind() != core::Dynamic::Kind::kArray) {
                        return Status::SemanticError(
                            "bag_unpack(): ignoredProperties must be an array of names", v.pos);
                    }
                    for (const auto& e : dyn.as_array()) spec.ignored.insert(e.ToText());
                }
            } else {
                return Status::SemanticError("bag_unpack(): unknown argument '" + name + "'",
                                             v.pos);
            }
        }
        if (op.schema_given) {
            // `(*, c:t, ...)`: the input's other columns, then the declared ones.
            if (op.schema_wildcard) {
                Schema all;
                for (size_t c = 0; c < in.size(); ++c) {
                    if (c != spec.column && !declared.IndexOf(in.fields[c].name)) {
                        all.fields.push_back(in.fields[c]);
                    }
                }
                for (const auto& f : declared.fields) all.fields.push_back(f);
                declared = std::move(all);
            }
            node->schema = declared;
            node->table_fn = MakeBagUnpackFunction(spec, declared);
            node->table_fn->input_schema = in;
            node->input = std::move(input);
            return node;
        }
        if (!mv_apply_rows_.empty()) {
            return Status::SemanticError(
                "bag_unpack() inside a subquery needs an output schema: (name:type, ...)",
                call.pos);
        }
        ASSIGN_OR_RETURN(core::Batch rows, RunAtBind(std::move(input)));
        ASSIGN_OR_RETURN(core::Batch out, BagUnpack(rows, spec));
        auto values = std::make_unique<PlanNode>();
        values->kind = PlanNode::Kind::kValues;
        values->schema = out.schema;
        values->values = std::move(out);
        return values;
    }
    if (plugin == "pivot") {
        if (args.empty()) {
            return Status::SemanticError("pivot() expects a pivot column", call.pos);
        }
        for (const auto& a : args) {
            if (!a.name.empty()) {
                return Status::SemanticError("pivot(): unknown argument '" + a.name + "'",
                                             a.value->pos);
            }
        }
        PivotSpec spec;
        ASSIGN_OR_RETURN(spec.pivot, column(*args[0].value, "the pivot column"));
        if (in.fields[spec.pivot].type == Type::kDynamic) {
            return Status::SemanticError("pivot(): the pivot column must not be dynamic",
                                         args[0].value->pos);
        }
        size_t next = 1;
        std::set<size_t> used{spec.pivot};
        PlanNode scratch;
        std::set<std::string> taken;
        if (args.size() > 1 && IsAggregateCall(*args[1].value)) {
            const Expr& agg = *args[1].value;
            ASSIGN_OR_RETURN(std::string name, AddAggregate(agg, "", scratch, in, taken));
            (void)name;
            if (!agg.args.empty() && agg.args[0]->kind == Expr::Kind::kName) {
                if (auto idx = in.IndexOf(agg.args[0]->name)) used.insert(*idx);
            }
            next = 2;
        } else {
            syntax::Expr count;
            count.kind = Expr::Kind::kCall;
            count.name = "count";
            count.pos = call.pos;
            ASSIGN_OR_RETURN(std::string name, AddAggregate(count, "", scratch, in, taken));
            (void)name;
        }
        spec.fn = scratch.aggregates[0].fn;
        spec.type = scratch.aggregates[0].type;
        spec.args = std::move(scratch.aggregates[0].args);
        for (size_t i = next; i < args.size(); ++i) {
            ASSIGN_OR_RETURN(size_t idx, column(*args[i].value, "a key"));
            spec.keys.push_back(idx);
        }
        if (next == args.size()) {
            for (size_t c = 0; c < in.size(); ++c) {
                if (used.count(c) == 0) spec.keys.push_back(c);
            }
        }
        if (op.schema_given) {
            node->schema = declared;
            node->table_fn = MakePivotFunction(std::move(spec), declared);
            node->table_fn->input_schema = in;
            node->input = std::move(input);
            return node;
        }
        if (!mv_apply_rows_.empty()) {
            return Status::SemanticError(
                "pivot() inside a subquery needs an output schema: (name:type, ...)", call.pos);
        }
        ASSIGN_OR_RETURN(core::Batch rows, RunAtBind(std::move(input)));
        ASSIGN_OR_RETURN(core::Batch out, Pivot(rows, spec));
        auto values = std::make_unique<PlanNode>();
        values->kind = PlanNode::Kind::kValues;
        values->schema = out.schema;
        values->values = std::move(out);
        return values;
    }
    std::vector<std::string> names(std::begin(kPlugins), std::end(kPlugins));
    std::string best = ClosestName(plugin, names);
    return Status::SemanticError("unknown plugin '" + plugin + "'" +
                                     (best.empty() ? "" : " (did you mean '" + best + "'?)"),
                                 call.pos);
}

}  // namespace calypso::kql
