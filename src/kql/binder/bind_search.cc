// Binder::BindSearch and Binder::BindFind: a filter of each table searched, then their union
// with the source column first (`$table` / `source_`); the predicate's column `*` (what bare
// search terms apply to) is expanded per table to an `or` over its columns, each converted
// to string.
#include <algorithm>
#include <set>

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
    c->tabular = e.tabular;
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
    c->tabular = e.tabular;
    for (const auto& a : e.args) c->args.push_back(ExpandStar(*a, schema));
    return c;
}

// The names the predicate reads (columns, or lets), `*` excepted.
void ReferencedNames(const Expr& e, std::set<std::string>& out) {
    if (e.kind == Expr::Kind::kName && e.name != "*") out.insert(e.name);
    for (const auto& a : e.args) ReferencedNames(*a, out);
}

// The same names in order of first appearance.
void ReferencedInOrder(const Expr& e, std::vector<std::string>& out) {
    if (e.kind == Expr::Kind::kName && e.name != "*" &&
        std::find(out.begin(), out.end(), e.name) == out.end()) {
        out.push_back(e.name);
    }
    for (const auto& a : e.args) ReferencedInOrder(*a, out);
}

bool ReadsAllColumns(const Expr& e) {
    if (e.kind == Expr::Kind::kName && e.name == "*") return true;
    for (const auto& a : e.args) {
        if (ReadsAllColumns(*a)) return true;
    }
    return false;
}

ExprPtr False(core::SourcePos pos) {
    auto f = std::make_unique<Expr>();
    f->kind = Expr::Kind::kLiteral;
    f->value = core::Value::Bool(false);
    f->pos = pos;
    return f;
}

// The predicate as one table sees it: each condition under `and` / `or` / `not` that reads
// a column of the searched tables this table lacks is false (the docs' find example: a
// table without `EventName` is filtered by the other side of the `or` only).
ExprPtr ForTable(const Expr& e, const Schema& table, const std::set<std::string>& all_columns) {
    bool logical = (e.kind == Expr::Kind::kBinary && (e.op == "and" || e.op == "or")) ||
                   (e.kind == Expr::Kind::kCall && e.name == "not" && e.args.size() == 1);
    if (!logical) {
        std::set<std::string> names;
        ReferencedNames(e, names);
        for (const auto& n : names) {
            if (all_columns.count(n) != 0 && !table.IndexOf(n)) return False(e.pos);
        }
        return Copy(e);
    }
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->name = e.name;
    c->op = e.op;
    for (const auto& a : e.args) c->args.push_back(ForTable(*a, table, all_columns));
    return c;
}

}  // namespace

Result<PlanPtr> Binder::BindSearch(const syntax::Operator& op, PlanPtr piped) {
    const Expr& predicate = *op.exprs[0].expr;
    std::vector<PlanPtr> inputs;
    std::vector<std::string> names;
    if (piped && piped->schema.IndexOf(kTableColumn)) {
        // `search ... | search ...`: the input already says where each row comes from.
        inputs.push_back(std::move(piped));
        names.emplace_back();
    } else if (piped) {
        // `T | search`: still a `$table` column (the official parser's schema), holding the
        // table's name when the input reads one table directly.
        names.push_back(piped->kind == PlanNode::Kind::kScan ? QualifiedTableName(*piped)
                                                             : "union_arg0");
        inputs.push_back(std::move(piped));
    } else {
        // The tables searched (all of them without `in`), wildcards expanded.
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
            const syntax::Source& src = t->source;
            if (src.kind != syntax::Source::Kind::kTable || !t->ops.empty()) {
                return Status::SemanticError("search in (...) takes table names", src.pos);
            }
            if (src.table.find('*') == std::string::npos) {
                add(src.table, src.pos, src.resource);
                continue;
            }
            ASSIGN_OR_RETURN(const core::TableSource* in, TablesOf(src));
            size_t before = tables.size();
            for (const auto& name : in->ListTables()) {
                if (WildcardMatch(src.table, name)) add(name, src.pos, src.resource);
            }
            if (tables.size() == before) {
                return Status::SemanticError("no table matches '" + src.table + "'", src.pos);
            }
        }
        if (tables.empty()) return Status::SemanticError("there is no table to search", op.pos);
        for (auto& one : tables) {
            syntax::TabularExpr t;
            t.source = std::move(one);
            ASSIGN_OR_RETURN(PlanPtr p, BindTabular(t));
            names.push_back(QualifiedTableName(*p));
            inputs.push_back(std::move(p));
        }
    }
    // Each table is filtered on its own (so `*` means its own columns), then the results
    // are united with `$table` first.
    std::set<std::string> all_columns;
    for (const auto& in : inputs) {
        for (const auto& f : in->schema.fields) all_columns.insert(f.name);
    }
    std::set<std::string> referenced;
    ReferencedNames(predicate, referenced);
    std::erase_if(referenced, [&](const std::string& n) { return all_columns.count(n) == 0; });
    const bool all = ReadsAllColumns(predicate);
    for (auto& in : inputs) {
        // As find: a table with none of the columns the predicate names (and no term over
        // all columns) takes no part.
        bool takes_part = all || referenced.empty();
        for (const auto& n : referenced) takes_part = takes_part || in->schema.IndexOf(n);
        ExprPtr pred = takes_part
                           ? ExpandStar(*ForTable(predicate, in->schema, all_columns), in->schema)
                           : False(predicate.pos);
        auto node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kFilter;
        ASSIGN_OR_RETURN(node->predicate, BindScalar(*pred, in->schema));
        Type t = node->predicate->type;
        if (t != Type::kBool && t != Type::kDynamic && t != Type::kNull) {
            return Status::SemanticError(
                "search predicate must be bool, got " + std::string(core::TypeName(t)),
                predicate.pos);
        }
        node->schema = in->schema;
        node->input = std::move(in);
        in = std::move(node);
    }
    if (names.size() == 1 && names[0].empty()) return std::move(inputs[0]);
    return MakeUnion(std::move(inputs), std::move(names), false, kTableColumn);
}

namespace {

const char* ConversionTo(Type t) {
    switch (t) {
        case Type::kBool:
            return "tobool";
        case Type::kInt:
            return "toint";
        case Type::kLong:
            return "tolong";
        case Type::kReal:
            return "toreal";
        case Type::kDecimal:
            return "todecimal";
        case Type::kDatetime:
            return "todatetime";
        case Type::kTimespan:
            return "totimespan";
        case Type::kGuid:
            return "toguid";
        case Type::kDynamic:
            return "todynamic";
        default:
            return "tostring";
    }
}

ExprPtr Literal(core::Value v, core::SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kLiteral;
    e->value = std::move(v);
    e->pos = pos;
    return e;
}

// One output column of find: `source` read from each table that has it with `type`.
struct FindColumn {
    std::string name;
    std::string source;
    Type type = Type::kNull;
    bool cast = false;  // explicit `project c:type`: any column `c` is converted
};

}  // namespace

Result<PlanPtr> Binder::BindFind(const syntax::Operator& op) {
    const Expr& predicate = *op.exprs[0].expr;
    std::vector<PlanPtr> inputs;
    std::vector<std::string> names;
    auto add = [&](PlanPtr p, std::string name = "") {
        if (name.empty()) {
            name = p->kind == PlanNode::Kind::kScan ? QualifiedTableName(*p)
                                                    : "union_arg" + std::to_string(inputs.size());
        }
        names.push_back(std::move(name));
        inputs.push_back(std::move(p));
    };
    if (op.tabulars.empty()) {
        for (const auto& t : source_.ListTables()) {
            syntax::TabularExpr one;
            one.source.kind = syntax::Source::Kind::kTable;
            one.source.table = t;
            one.source.pos = op.pos;
            ASSIGN_OR_RETURN(PlanPtr p, BindTabular(one));
            add(std::move(p));
        }
    }
    for (const auto& t : op.tabulars) {
        const syntax::Source& src = t->source;
        if (src.kind != syntax::Source::Kind::kTable || src.table.find('*') == std::string::npos) {
            ASSIGN_OR_RETURN(PlanPtr p, BindTabular(*t));
            // A table or let by name is named so (as union withsource names it).
            const bool named = src.kind == syntax::Source::Kind::kTable && t->ops.empty();
            add(std::move(p), !named                 ? ""
                              : src.resource.empty() ? src.table
                                                     : src.resource.Text() + "." + src.table);
            continue;
        }
        ASSIGN_OR_RETURN(const core::TableSource* in, TablesOf(src));
        size_t before = inputs.size();
        for (const auto& name : in->ListTables()) {
            if (!WildcardMatch(src.table, name)) continue;
            syntax::TabularExpr one;
            one.source.kind = syntax::Source::Kind::kTable;
            one.source.table = name;
            one.source.resource = src.resource;
            one.source.pos = src.pos;
            ASSIGN_OR_RETURN(PlanPtr p, BindTabular(one));
            add(std::move(p));
        }
        if (inputs.size() == before) {
            return Status::SemanticError("no table matches '" + src.table + "'", src.pos);
        }
    }
    if (inputs.empty()) return Status::SemanticError("there is no table to find in", op.pos);

    std::set<std::string> all_columns;
    for (const auto& in : inputs) {
        for (const auto& f : in->schema.fields) all_columns.insert(f.name);
    }
    std::vector<std::string> referenced;
    ReferencedInOrder(predicate, referenced);
    std::erase_if(referenced, [&](const std::string& n) { return all_columns.count(n) == 0; });
    // The docs: "Source tables that don't contain any column used by the predicate
    // evaluation will be filtered out" (the official parser: unless there is one table, or
    // the predicate reads every column through a bare term or `*`).
    const bool all = ReadsAllColumns(predicate) || inputs.size() == 1 || referenced.empty();
    std::vector<bool> part;
    for (const auto& in : inputs) {
        bool p = all;
        for (const auto& n : referenced) p = p || in->schema.IndexOf(n).has_value();
        part.push_back(p);
    }
    auto types_of = [&](const std::string& name) {
        std::vector<Type> types;
        for (size_t i = 0; i < inputs.size(); ++i) {
            auto idx = inputs[i]->schema.IndexOf(name);
            if (!part[i] || !idx) continue;
            Type t = inputs[i]->schema.fields[*idx].type;
            if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
        }
        return types;
    };

    std::vector<FindColumn> out;
    bool pack = false;
    if (op.mode == "project") {
        for (size_t k = 0; k < op.columns.size(); ++k) {
            const auto& [name, declared] = op.columns[k];
            if (declared != Type::kNull) {
                out.push_back({name, name, declared, true});
                continue;
            }
            std::vector<Type> types = types_of(name);
            if (types.empty()) {
                return Status::SemanticError("unknown column '" + name + "' in find's tables",
                                             op.name_pos[k]);
            }
            if (types.size() > 1) {
                return Status::SemanticError("column '" + name +
                                                 "' has several types in find's tables; give "
                                                 "one as " +
                                                 name + ":type",
                                             op.name_pos[k]);
            }
            out.push_back({name, name, types[0], false});
        }
        pack = op.schema_wildcard;
    } else {
        // project-smart: the columns every table taking part has (same name and type), then
        // the columns the predicate names (one per type, `name_type` when several), then
        // `pack_` holding each row's other columns.
        const PlanNode* first = nullptr;
        for (size_t i = 0; i < inputs.size() && !first; ++i) {
            if (part[i]) first = inputs[i].get();
        }
        if (first) {
            for (const auto& f : first->schema.fields) {
                bool everywhere = true;
                for (size_t i = 0; i < inputs.size(); ++i) {
                    auto idx = inputs[i]->schema.IndexOf(f.name);
                    everywhere =
                        everywhere &&
                        (!part[i] || (idx && inputs[i]->schema.fields[*idx].type == f.type));
                }
                if (everywhere) out.push_back({f.name, f.name, f.type, false});
            }
        }
        for (const auto& n : referenced) {
            bool present = false;
            for (const auto& c : out) present = present || c.source == n;
            if (present) continue;
            std::vector<Type> types = types_of(n);
            for (Type t : types) {
                std::string name = types.size() > 1 ? n + "_" + std::string(core::TypeName(t)) : n;
                out.push_back({name, n, t, false});
            }
        }
        for (size_t i = 0; i < inputs.size() && !pack; ++i) {
            if (!part[i]) continue;
            for (const auto& f : inputs[i]->schema.fields) {
                bool shown = false;
                for (const auto& c : out) shown = shown || (c.source == f.name && c.type == f.type);
                pack = pack || !shown;
            }
        }
    }
    for (const auto& n : op.names) {
        std::erase_if(out, [&](const FindColumn& c) { return c.name == n; });
        if (n == "pack_") pack = false;
    }
    const std::string source_column = op.with_source.empty() ? "source_" : op.with_source;

    // Each table: filter, then the output columns (null, "" for strings, where it has none).
    for (size_t i = 0; i < inputs.size(); ++i) {
        PlanPtr& in = inputs[i];
        const Schema schema = in->schema;
        ExprPtr pred = part[i] ? ExpandStar(*ForTable(predicate, schema, all_columns), schema)
                               : False(predicate.pos);
        auto filter = std::make_unique<PlanNode>();
        filter->kind = PlanNode::Kind::kFilter;
        ASSIGN_OR_RETURN(filter->predicate, BindScalar(*pred, schema));
        Type pt = filter->predicate->type;
        if (pt != Type::kBool && pt != Type::kDynamic && pt != Type::kNull) {
            return Status::SemanticError(
                "find predicate must be bool, got " + std::string(core::TypeName(pt)),
                predicate.pos);
        }
        filter->schema = schema;
        filter->input = std::move(in);
        syntax::Operator project;
        project.kind = syntax::Operator::Kind::kProject;
        project.pos = op.pos;
        auto column = [&](std::string name, ExprPtr e) {
            syntax::NamedExpr ne;
            ne.name = std::move(name);
            ne.name_pos = op.pos;
            ne.expr = std::move(e);
            project.exprs.push_back(std::move(ne));
        };
        column(source_column, Literal(core::Value::String(names[i]), op.pos));
        std::set<std::string> shown;
        for (const auto& c : out) {
            auto idx = schema.IndexOf(c.source);
            bool has = idx && (c.cast || schema.fields[*idx].type == c.type);
            if (has) shown.insert(c.source);
            ExprPtr e;
            if (!has) {
                e = Literal(
                    c.type == Type::kString ? core::Value::String("") : core::Value::Null(c.type),
                    op.pos);
            } else if (schema.fields[*idx].type == c.type) {
                e = Name(c.source, op.pos);
            } else {
                auto conv = std::make_unique<Expr>();
                conv->kind = Expr::Kind::kCall;
                conv->name = ConversionTo(c.type);
                conv->pos = op.pos;
                conv->args.push_back(Name(c.source, op.pos));
                e = std::move(conv);
            }
            column(c.name, std::move(e));
        }
        if (pack) {
            auto bag = std::make_unique<Expr>();
            bag->kind = Expr::Kind::kCall;
            bag->name = "bag_pack";
            bag->pos = op.pos;
            for (const auto& f : schema.fields) {
                if (shown.count(f.name) != 0) continue;
                bag->args.push_back(Literal(core::Value::String(f.name), op.pos));
                bag->args.push_back(Name(f.name, op.pos));
            }
            if (bag->args.empty()) {
                bag = Literal(core::Value::FromDynamic(core::Dynamic::MakeObject({})), op.pos);
            }
            column("pack_", std::move(bag));
        }
        ASSIGN_OR_RETURN(in, BindOperator(project, std::move(filter)));
    }
    return MakeUnion(std::move(inputs), std::move(names), false, "");
}

}  // namespace calypso::kql
