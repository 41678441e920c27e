// Binder::BindExtend, BindMvExpand, BindParse, BindSerialize and BindGetSchema.
#include <re2/re2.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/functions/operators.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;
using core::Type;

namespace {

Status UnknownColumn(const std::string& name, const Schema& s, core::SourcePos pos) {
    std::vector<std::string> names;
    for (const auto& f : s.fields) names.push_back(f.name);
    std::string best = ClosestName(name, names);
    return Status::SemanticError(
        "unknown column '" + name + "'" + (best.empty() ? "" : " (did you mean '" + best + "'?)"),
        pos);
}

std::string DotNetTypeName(Type t) {
    switch (t) {
        case Type::kBool:
            return "System.SByte";
        case Type::kInt:
            return "System.Int32";
        case Type::kLong:
            return "System.Int64";
        case Type::kReal:
            return "System.Double";
        case Type::kDecimal:
            return "System.Data.SqlTypes.SqlDecimal";
        case Type::kString:
            return "System.String";
        case Type::kDatetime:
            return "System.DateTime";
        case Type::kTimespan:
            return "System.TimeSpan";
        case Type::kGuid:
            return "System.Guid";
        case Type::kDynamic:
            return "System.Object";
        case Type::kNull:
            break;
    }
    return "System.Object";
}

// The regex group a parse column captures. In simple mode a numeric column only matches a
// number (so text that is not one fails the whole match, as the docs' "all extended columns
// must match the required types"); in relaxed mode, and for other types, a lazy `.*?` whose
// cast decides: a value that does not convert is null for that column alone.
std::string CaptureFor(Type t, bool relaxed) {
    if (relaxed) return "(.*?)";
    switch (t) {
        case Type::kInt:
        case Type::kLong:
            return "([-+]?\\d+)";
        case Type::kReal:
        case Type::kDecimal:
            return "([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)";
        default:
            return "(.*?)";
    }
}

void CollectColumns(const BoundExpr& e, std::set<std::string>& out) {
    if (e.kind == BoundExpr::Kind::kColumn) out.insert(e.column);
    for (const auto& a : e.args) CollectColumns(*a, out);
}

}  // namespace

Result<PlanPtr> Binder::BindExtend(const syntax::Operator& op, PlanPtr input) {
    // Each item may read columns made by earlier items: an item that does starts a new
    // projection on top of the previous one.
    PlanPtr cur = std::move(input);
    struct RestorePackScope {
        std::optional<core::Schema>& scope;
        std::optional<core::Schema> old;
        ~RestorePackScope() { scope = std::move(old); }
    } restore{pack_scope_, std::exchange(pack_scope_, cur->schema)};
    PlanPtr node;
    std::set<std::string> added;
    int counter = 0;
    auto start_node = [&]() {
        node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kProject;
        node->schema = cur->schema;
        for (const auto& f : cur->schema.fields)
            node->exprs.push_back(MakeColumnRef(f.name, f.type));
        node->input = std::move(cur);
        added.clear();
    };
    start_node();
    for (const auto& ne : op.exprs) {
        // Bind against the schema so far (input + earlier items); a multi-column call
        // (series_stats) gives several items.
        std::vector<std::pair<std::string, BoundExprPtr>> items;
        ASSIGN_OR_RETURN(items, BindMultiColumn(ne, node->schema));
        if (items.empty()) {
            ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, node->schema));
            items.emplace_back(ne.name.empty() ? InferColumnName(*ne.expr) : ne.name, std::move(b));
        }
        std::set<std::string> refs;
        for (const auto& item : items) CollectColumns(*item.second, refs);
        bool needs_new = std::any_of(refs.begin(), refs.end(),
                                     [&](const std::string& r) { return added.count(r) != 0; });
        if (needs_new) {
            cur = std::move(node);
            start_node();
        }
        for (auto& [item_name, b] : items) {
            std::string name = item_name;
            std::set<std::string> taken;
            for (const auto& f : node->schema.fields) taken.insert(f.name);
            if (name.empty()) name = NextColumnName(taken, counter);
            Type t = b->type == Type::kNull ? Type::kString : b->type;
            if (auto idx = node->schema.IndexOf(name)) {
                node->schema.fields[*idx].type = t;
                node->exprs[*idx] = std::move(b);
            } else {
                node->schema.fields.push_back({name, t});
                node->exprs.push_back(std::move(b));
            }
            added.insert(name);
        }
    }
    return node;
}

Result<PlanPtr> Binder::BindMvExpand(const syntax::Operator& op, PlanPtr input) {
    // `name = expr` items: computed first (an extend: an existing column is replaced in
    // place, a new one appended), then expanded as columns.
    bool computed = false;
    for (const auto& item : op.exprs) computed = computed || item.expr != nullptr;
    if (computed) {
        auto ext = std::make_unique<PlanNode>();
        ext->kind = PlanNode::Kind::kProject;
        ext->schema = input->schema;
        for (const auto& f : input->schema.fields) ext->exprs.push_back(MakeColumnRef(f.name, f.type));
        for (size_t i = 0; i < op.exprs.size(); ++i) {
            if (!op.exprs[i].expr) continue;
            ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*op.exprs[i].expr, input->schema));
            Type t = b->type == Type::kNull ? Type::kDynamic : b->type;
            if (auto idx = ext->schema.IndexOf(op.names[i])) {
                ext->schema.fields[*idx].type = t;
                ext->exprs[*idx] = std::move(b);
            } else {
                ext->schema.fields.push_back({op.names[i], t});
                ext->exprs.push_back(std::move(b));
            }
        }
        ext->input = std::move(input);
        input = std::move(ext);
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kMvExpand;
    node->schema = input->schema;
    auto& spec = node->mv_expand;
    for (size_t i = 0; i < op.names.size(); ++i) {
        auto idx = input->schema.IndexOf(op.names[i]);
        if (!idx) return UnknownColumn(op.names[i], input->schema, op.name_pos[i]);
        Type t = op.types[i] == Type::kNull ? Type::kDynamic : op.types[i];
        spec.columns.push_back(*idx);
        spec.types.push_back(t);
        node->schema.fields[*idx].type = t;
    }
    if (op.count) {
        ASSIGN_OR_RETURN(spec.limit, BindCount(*op.count));
    }
    if (!op.index_column.empty()) {
        if (node->schema.IndexOf(op.index_column)) {
            return Status::SemanticError(
                "with_itemindex column '" + op.index_column + "' already exists", op.pos);
        }
        spec.index_column = true;
        node->schema.fields.push_back({op.index_column, Type::kLong});
    }
    node->input = std::move(input);
    return node;
}

Result<PlanPtr> Binder::BindParse(const syntax::Operator& op, PlanPtr input) {
    bool regex = op.mode == "regex";
    bool relaxed = op.mode == "relaxed";
    if (!op.mode.empty() && op.mode != "simple" && !regex && !relaxed) {
        return Status::SemanticError("unsupported parse kind '" + op.mode + "'", op.mode_pos);
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kParse;
    node->schema = input->schema;
    ASSIGN_OR_RETURN(BoundExprPtr text, BindScalar(*op.exprs[0].expr, input->schema));
    node->exprs.push_back(std::move(text));
    std::string re;
    std::set<std::string> seen;
    for (const auto& p : op.pattern) {
        switch (p.kind) {
            case syntax::ParsePiece::Kind::kLiteral:
                re += regex ? p.text : RE2::QuoteMeta(p.text);
                break;
            case syntax::ParsePiece::Kind::kWildcard:
                re += "(?:.*?)";
                break;
            case syntax::ParsePiece::Kind::kColumn: {
                if (!seen.insert(p.text).second) {
                    return Status::SemanticError("column '" + p.text + "' appears twice in parse",
                                                 p.pos);
                }
                re += regex ? "(.*?)" : CaptureFor(p.type, relaxed);
                if (auto idx = node->schema.IndexOf(p.text)) {
                    node->schema.fields[*idx].type = p.type;
                    node->parse.targets.push_back(*idx);
                } else {
                    node->parse.targets.push_back(node->schema.size());
                    node->schema.fields.push_back({p.text, p.type});
                }
                break;
            }
        }
    }
    RE2 check(re, RE2::Quiet);
    if (!check.ok()) {
        return Status::SemanticError("invalid parse pattern: " + check.error(), op.pos);
    }
    if (op.parse_where) {
        // parse-where: keep only the rows whose text matches the whole pattern.
        auto filter = std::make_unique<PlanNode>();
        filter->kind = PlanNode::Kind::kFilter;
        filter->schema = input->schema;
        ASSIGN_OR_RETURN(BoundExprPtr text2, BindScalar(*op.exprs[0].expr, input->schema));
        BoundExprPtr pattern = MakeConst(core::Value::String("^(?:" + re + ")$"), Type::kString);
        ASSIGN_OR_RETURN(BoundCall call, functions::BindBinary("matches regex", text2->type,
                                                               Type::kString, op.pos));
        std::vector<BoundExprPtr> args;
        args.push_back(std::move(text2));
        args.push_back(std::move(pattern));
        ASSIGN_OR_RETURN(filter->predicate,
                         MakeCall("matches regex", std::move(call), std::move(args), op.pos));
        filter->input = std::move(input);
        input = std::move(filter);
    }
    node->parse.regex = std::move(re);
    node->input = std::move(input);
    return node;
}

Result<PlanPtr> Binder::BindSerialize(const syntax::Operator&, PlanPtr input) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kSerialize;
    node->schema = input->schema;
    node->input = std::move(input);
    return node;
}

Result<PlanPtr> Binder::BindGetSchema(PlanPtr input) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kValues;
    node->schema.fields = {{"ColumnName", Type::kString},
                           {"ColumnOrdinal", Type::kInt},
                           {"DataType", Type::kString},
                           {"ColumnType", Type::kString}};
    node->values = core::Batch::Empty(node->schema);
    const auto& fields = input->schema.fields;
    for (size_t i = 0; i < fields.size(); ++i) {
        node->values.columns[0].AppendString(fields[i].name);
        node->values.columns[1].AppendInt64(static_cast<int64_t>(i));
        node->values.columns[2].AppendString(DotNetTypeName(fields[i].type));
        node->values.columns[3].AppendString(core::TypeName(fields[i].type));
    }
    return node;
}

bool IsSerialized(const PlanNode& node) {
    using K = PlanNode::Kind;
    switch (node.kind) {
        case K::kSort:
        case K::kTop:
        case K::kSerialize:
        case K::kValues:
            return true;
        case K::kFilter:
        case K::kProject:
        case K::kLimit:
        case K::kParse:
        case K::kMvExpand:
            return IsSerialized(*node.input);
        default:
            return false;
    }
}

}  // namespace calypso::kql
