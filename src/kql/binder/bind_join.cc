// Binder::BindJoin, Binder::BindUnion and Binder::BindRange: the operators that combine or
// generate tables.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/binder/naming.h"
#include "kql/functions/cast.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::SourcePos;
using core::Status;
using core::Type;
using JoinKind = PlanNode::JoinSpec::Kind;

namespace {

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

std::vector<std::string> FieldNames(const Schema& s) {
    std::vector<std::string> out;
    for (const auto& f : s.fields) out.push_back(f.name);
    return out;
}

Status UnknownColumn(const std::string& name, std::string_view side, const Schema& schema,
                     SourcePos pos) {
    std::string best = ClosestName(name, FieldNames(schema));
    return Status::SemanticError("unknown column '" + name + "' on the " + std::string(side) +
                                     " side of the join" +
                                     (best.empty() ? "" : " (did you mean '" + best + "'?)"),
                                 pos);
}

std::optional<JoinKind> ParseJoinKind(const std::string& s, bool lookup) {
    static const std::map<std::string, JoinKind, std::less<>> kKinds = {
        {"innerunique", JoinKind::kInnerUnique}, {"inner", JoinKind::kInner},
        {"leftouter", JoinKind::kLeftOuter},     {"rightouter", JoinKind::kRightOuter},
        {"fullouter", JoinKind::kFullOuter},     {"leftsemi", JoinKind::kLeftSemi},
        {"leftanti", JoinKind::kLeftAnti},       {"anti", JoinKind::kLeftAnti},
        {"leftantisemi", JoinKind::kLeftAnti},   {"rightsemi", JoinKind::kRightSemi},
        {"rightanti", JoinKind::kRightAnti},     {"rightantisemi", JoinKind::kRightAnti},
    };
    if (s.empty()) return lookup ? JoinKind::kLeftOuter : JoinKind::kInnerUnique;
    auto it = kKinds.find(s);
    if (it == kKinds.end()) return std::nullopt;
    if (lookup && it->second != JoinKind::kLeftOuter && it->second != JoinKind::kInner)
        return std::nullopt;
    return it->second;
}

}  // namespace

// Glob match with '*' only.
bool WildcardMatch(std::string_view pattern, std::string_view s) {
    size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
    while (i < s.size()) {
        if (p < pattern.size() && pattern[p] != '*' && pattern[p] == s[i]) {
            ++p;
            ++i;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = i;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

Result<PlanPtr> Binder::BindJoin(const syntax::Operator& op, PlanPtr left) {
    bool lookup = op.kind == syntax::Operator::Kind::kLookup;
    std::optional<JoinKind> kind = ParseJoinKind(op.mode, lookup);
    if (!kind) {
        return Status::SemanticError(
            "unknown " + std::string(lookup ? "lookup" : "join") + " kind '" + op.mode + "'",
            op.mode_pos);
    }
    ASSIGN_OR_RETURN(PlanPtr right, BindTabular(*op.tabulars[0]));
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kJoin;
    PlanNode::JoinSpec& spec = node->join;
    spec.kind = *kind;
    const Schema& ls = left->schema;
    const Schema& rs = right->schema;
    std::set<size_t> right_key_cols;
    for (const auto& k : op.on) {
        auto li = ls.IndexOf(k.left);
        if (!li) return UnknownColumn(k.left, "left", ls, k.left_pos);
        auto ri = rs.IndexOf(k.right);
        if (!ri) return UnknownColumn(k.right, "right", rs, k.right_pos);
        Type lt = ls.fields[*li].type;
        Type rt = rs.fields[*ri].type;
        Type kt = lt;
        if (lt != rt) {
            bool integral =
                (lt == Type::kInt || lt == Type::kLong) && (rt == Type::kInt || rt == Type::kLong);
            if (integral) {
                kt = Type::kLong;
            } else if (IsNumeric(lt) && IsNumeric(rt)) {
                kt = Type::kReal;
            } else {
                return Status::SemanticError("join key '" + k.left + "' is " + TypeStr(lt) +
                                                 " on the left but '" + k.right + "' is " +
                                                 TypeStr(rt) + " on the right",
                                             k.left_pos);
            }
        }
        spec.left_keys.push_back(*li);
        spec.right_keys.push_back(*ri);
        spec.key_types.push_back(kt);
        right_key_cols.insert(*ri);
    }
    bool left_only = *kind == JoinKind::kLeftSemi || *kind == JoinKind::kLeftAnti;
    bool right_only = *kind == JoinKind::kRightSemi || *kind == JoinKind::kRightAnti;
    std::set<std::string> taken;
    if (!right_only) {
        for (size_t i = 0; i < ls.size(); ++i) {
            spec.left_cols.push_back(i);
            node->schema.fields.push_back(ls.fields[i]);
            taken.insert(ls.fields[i].name);
        }
    }
    if (!left_only) {
        for (size_t i = 0; i < rs.size(); ++i) {
            // lookup keeps the key columns once (the left's).
            if (lookup && right_key_cols.count(i) != 0) continue;
            std::string name = UniqueName(rs.fields[i].name, taken);
            taken.insert(name);
            spec.right_cols.push_back(i);
            node->schema.fields.push_back({name, rs.fields[i].type});
        }
    }
    node->input = std::move(left);
    node->inputs.push_back(std::move(right));
    return node;
}

namespace {

// The name given by a trailing `as Name` of an operand (also inside parentheses), or "".
std::string TrailingAsName(const syntax::TabularExpr& t) {
    if (!t.ops.empty()) {
        const syntax::Operator& last = t.ops.back();
        return last.kind == syntax::Operator::Kind::kAs ? last.names[0] : "";
    }
    if (t.source.kind == syntax::Source::Kind::kSubquery && t.source.sub) {
        return TrailingAsName(*t.source.sub);
    }
    return "";
}

// Whether `s` says a table did not resolve (what union isfuzzy=true forgives; an unknown
// workspace or app still fails the query, as the Azure Monitor docs say).
bool IsResolutionFailure(const Status& s) {
    return s.code() == core::StatusCode::kSemanticError &&
           s.message().rfind("unknown table", 0) == 0;
}

}  // namespace

Result<PlanPtr> Binder::BindUnion(const syntax::Operator& op, PlanPtr first) {
    if (!op.mode.empty() && op.mode != "inner" && op.mode != "outer") {
        return Status::SemanticError("unknown union kind '" + op.mode + "'", op.mode_pos);
    }
    std::vector<PlanPtr> inputs;
    std::vector<std::string> names;
    if (first) {
        names.push_back(first->kind == PlanNode::Kind::kScan ? QualifiedTableName(*first)
                                                             : "union_arg0");
        inputs.push_back(std::move(first));
    }
    Status first_failure = Status::Ok();
    for (const auto& t : op.tabulars) {
        const syntax::Source& src = t->source;
        if (src.kind == syntax::Source::Kind::kTable && src.table.find('*') != std::string::npos) {
            size_t before = inputs.size();
            ASSIGN_OR_RETURN(const core::TableSource* tables, TablesOf(src));
            for (const auto& table : tables->ListTables()) {
                if (!WildcardMatch(src.table, table)) continue;
                syntax::TabularExpr one;
                one.source.kind = syntax::Source::Kind::kTable;
                one.source.table = table;
                one.source.resource = src.resource;
                one.source.pos = src.pos;
                ASSIGN_OR_RETURN(PlanPtr p, BindTabular(one));
                names.push_back(QualifiedTableName(*p));
                inputs.push_back(std::move(p));
            }
            for (const auto& [name, f] : src.resource.empty() ? functions_ : FunctionMap{}) {
                if (!f->view || !WildcardMatch(src.table, name)) continue;
                syntax::TabularExpr one;
                one.source.kind = syntax::Source::Kind::kCall;
                one.source.pos = src.pos;
                one.source.call = std::make_unique<syntax::Expr>();
                one.source.call->kind = syntax::Expr::Kind::kCall;
                one.source.call->name = name;
                one.source.call->pos = src.pos;
                ASSIGN_OR_RETURN(PlanPtr p, BindTabular(one));
                names.push_back(name);
                inputs.push_back(std::move(p));
            }
            if (inputs.size() == before) {
                Status none =
                    Status::SemanticError("no table matches '" + src.table + "'", src.pos);
                if (!op.fuzzy) return none;
                if (first_failure.ok()) first_failure = none;
            }
            continue;
        }
        Result<PlanPtr> p = BindTabular(*t);
        if (!p.ok()) {
            // isfuzzy: a leg that does not resolve is left out (Kusto warns; there is no
            // warning channel here), unless no leg resolves at all.
            if (!op.fuzzy || !IsResolutionFailure(p.status())) return p.status();
            if (first_failure.ok()) first_failure = p.status();
            continue;
        }
        const bool named = src.kind == syntax::Source::Kind::kTable && t->ops.empty();
        std::string as_name = TrailingAsName(*t);
        names.push_back(
            named ? (src.resource.empty() ? src.table : src.resource.Text() + "." + src.table)
            : !as_name.empty() ? as_name
                               : "union_arg" + std::to_string(inputs.size()));
        inputs.push_back(std::move(*p));
    }
    if (inputs.empty()) return first_failure;
    return MakeUnion(std::move(inputs), std::move(names), op.mode == "inner", op.with_source);
}

PlanPtr MakeUnion(std::vector<PlanPtr> inputs, std::vector<std::string> names, bool inner,
                  const std::string& with_source) {
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kUnion;
    node->inputs = std::move(inputs);
    // Output columns: every distinct (name, type) in order of first appearance; a name seen
    // with several types becomes one column per type, suffixed with the type name.
    std::vector<core::Field> all;
    std::map<std::string, std::set<Type>> types_of;
    for (const auto& in : node->inputs) {
        for (const auto& f : in->schema.fields) {
            if (types_of[f.name].insert(f.type).second) all.push_back(f);
        }
    }
    std::vector<core::Field> out;  // (source name, type) per output column
    for (const auto& f : all) {
        if (inner) {
            bool everywhere = true;
            for (const auto& in : node->inputs) {
                auto idx = in->schema.IndexOf(f.name);
                everywhere = everywhere && idx && in->schema.fields[*idx].type == f.type;
            }
            if (!everywhere) continue;
        }
        out.push_back(f);
    }
    PlanNode::UnionSpec& spec = node->union_spec;
    std::set<std::string> taken;
    if (!with_source.empty()) {
        spec.source_column = true;
        spec.source_names = std::move(names);
        node->schema.fields.push_back({with_source, Type::kString});
        taken.insert(with_source);
    }
    // Names that stay as they are win over type-suffixed ones (the docs' example: x:long
    // becomes x_long1 next to a column already called x_long).
    for (const auto& f : out) {
        if (types_of[f.name].size() == 1 && f.name != with_source) taken.insert(f.name);
    }
    for (const auto& f : out) {
        std::string name = f.name;
        if (types_of[f.name].size() > 1 || f.name == with_source) {
            if (types_of[f.name].size() > 1) name += "_" + TypeStr(f.type);
            name = UniqueName(name, taken);
            taken.insert(name);
        }
        node->schema.fields.push_back({name, f.type});
    }
    for (const auto& in : node->inputs) {
        std::vector<int> cols;
        if (spec.source_column) cols.push_back(-1);
        for (const auto& f : out) {
            auto idx = in->schema.IndexOf(f.name);
            bool match = idx && in->schema.fields[*idx].type == f.type;
            cols.push_back(match ? static_cast<int>(*idx) : -1);
        }
        spec.columns.push_back(std::move(cols));
    }
    return node;
}

Result<PlanPtr> Binder::BindRange(const syntax::Source& src) {
    std::vector<BoundExprPtr> b;
    for (const auto& e : src.values) {
        ASSIGN_OR_RETURN(BoundExprPtr x, BindScalar(*e, Schema{}));
        if (x->kind != BoundExpr::Kind::kConst || x->value.is_null()) {
            return Status::SemanticError("range expects non-null constant bounds and step", e->pos);
        }
        b.push_back(std::move(x));
    }
    Type from = b[0]->type;
    Type to = b[1]->type;
    Type step = b[2]->type;
    bool numeric = IsNumeric(from) && IsNumeric(to) && IsNumeric(step);
    bool temporal = from == to && (from == Type::kDatetime || from == Type::kTimespan) &&
                    step == Type::kTimespan;
    if (!numeric && !temporal) {
        return Status::SemanticError("range cannot step from " + TypeStr(from) + " to " +
                                         TypeStr(to) + " by " + TypeStr(step),
                                     src.pos);
    }
    Type out = from;
    if (numeric) {
        bool real = core::PhysicalOf(from) == core::Physical::kDouble ||
                    core::PhysicalOf(to) == core::Physical::kDouble ||
                    core::PhysicalOf(step) == core::Physical::kDouble;
        out = real ? Type::kReal : Type::kLong;
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kValues;
    node->schema.fields.push_back({src.range_column, out});
    node->values = core::Batch::Empty(node->schema);
    core::Column& col = node->values.columns[0];
    constexpr size_t kMaxRows = 10'000'000;
    auto too_many = [&]() {
        return Status::LimitExceeded("range would produce more than " + std::to_string(kMaxRows) +
                                     " rows");
    };
    if (core::PhysicalOf(out) == core::Physical::kDouble) {
        double a = functions::CastValue(b[0]->value, Type::kReal).as_double();
        double z = functions::CastValue(b[1]->value, Type::kReal).as_double();
        double s = functions::CastValue(b[2]->value, Type::kReal).as_double();
        if (s == 0) return Status::SemanticError("range step must not be zero", src.pos);
        for (size_t i = 0;; ++i) {
            double v = a + static_cast<double>(i) * s;
            if (s > 0 ? v > z : v < z) break;
            if (i >= kMaxRows) return too_many();
            col.AppendDouble(v);
        }
    } else {
        int64_t a = b[0]->value.as_int64();
        int64_t z = b[1]->value.as_int64();
        int64_t s = b[2]->value.as_int64();
        if (s == 0) return Status::SemanticError("range step must not be zero", src.pos);
        for (int64_t v = a; s > 0 ? v <= z : v >= z; v += s) {
            if (col.size() >= kMaxRows) return too_many();
            col.AppendInt64(v);
            if ((s > 0 && v > INT64_MAX - s) || (s < 0 && v < INT64_MIN - s)) break;
        }
    }
    return node;
}

}  // namespace calypso::kql
