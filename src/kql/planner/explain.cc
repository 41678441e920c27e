#include <cctype>
#include <limits>
#include <string>

#include "core/dynamic.h"
#include "core/time.h"
#include "kql/functions/scalar.h"
#include "kql/exec/table_function.h"
#include "kql/planner/optimizer.h"

namespace calypso::kql {

namespace {

using K = PlanNode::Kind;
using core::Type;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string Quoted(std::string_view s) {
    std::string out;
    core::AppendJsonString(out, s);
    return out;
}

std::string ValueToString(const core::Value& v) {
    if (v.is_null()) return std::string(core::TypeName(v.type())) + "(null)";
    switch (core::PhysicalOf(v.type())) {
        case core::Physical::kString:
            return v.type() == Type::kGuid ? "guid(" + v.as_string() + ")" : Quoted(v.as_string());
        case core::Physical::kDouble: {
            std::string out;
            core::AppendJsonDouble(out, v.as_double());
            return out;
        }
        case core::Physical::kDynamic:
            return "dynamic(" + v.as_dynamic().ToJson() + ")";
        case core::Physical::kInt64:
            break;
        case core::Physical::kNone:
            return "null";
    }
    switch (v.type()) {
        case Type::kBool:
            return v.as_bool() ? "true" : "false";
        case Type::kDatetime:
            return "datetime(" + core::FormatDatetime(v.as_int64()) + ")";
        case Type::kTimespan:
            return "timespan(" + core::FormatTimespan(v.as_int64()) + ")";
        default:
            return std::to_string(v.as_int64());
    }
}

bool IsIdentifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
}

// Key columns ("customDimensions.k") print as ['customDimensions.k'], as KQL would quote them,
// so they do not read as member accesses.
std::string ColumnName(const std::string& name) {
    if (IsIdentifier(name)) return name;
    std::string out = "['";
    for (char c : name) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "']";
}

bool IsInfix(const BoundExpr& e) {
    return e.kind == BoundExpr::Kind::kCall && e.args.size() == 2 && e.function != "[]" &&
           functions::FindScalarFunction(e.function) == nullptr;
}

// Binding strength of infix operators, as KQL parses them.
int Precedence(std::string_view op) {
    if (op == "or") return 1;
    if (op == "and") return 2;
    if (op == "+" || op == "-") return 4;
    if (op == "*" || op == "/" || op == "%") return 5;
    return 3;  // comparisons and string operators
}

// An operand of an infix operator, parenthesized where KQL would need it.
std::string Operand(const BoundExpr& e, std::string_view parent = "", bool right = false) {
    std::string s = ExprToString(e);
    if (!IsInfix(e) || parent.empty()) return s;
    const int mine = Precedence(e.function), theirs = Precedence(parent);
    const bool associative = e.function == parent && (parent == "and" || parent == "or");
    const bool parens =
        mine < theirs || (mine == theirs && right && !associative) || (mine == 3 && theirs == 3);
    return parens ? "(" + s + ")" : s;
}

std::string IntBound(int64_t v, Type t) {
    switch (t) {
        case Type::kDatetime:
            return core::FormatDatetime(v);
        case Type::kTimespan:
            return core::FormatTimespan(v);
        case Type::kBool:
            return v != 0 ? "true" : "false";
        default:
            return std::to_string(v);
    }
}

std::string ScanLine(const PlanNode& n, const std::optional<core::TimeRange>& timespan) {
    std::string out = "Scan " + QualifiedTableName(n) + " columns=[";
    const size_t plain = n.schema.size() - n.scan_keys.size();
    for (size_t i = 0; i < plain; ++i) out += (i > 0 ? ", " : "") + n.schema.fields[i].name;
    out += "]";
    if (!n.scan_keys.empty()) {
        out += " keys=[";
        for (size_t i = 0; i < n.scan_keys.size(); ++i) {
            out += (i > 0 ? ", " : "") + ScanKeyName(n.scan_keys[i]);
        }
        out += "]";
    }
    if (!n.scan_predicates.empty()) {
        out += " predicates=[";
        for (size_t i = 0; i < n.scan_predicates.size(); ++i) {
            out += (i > 0 ? ", " : "") + PredicateToString(n.scan_predicates[i], n.schema);
        }
        out += "]";
    }
    core::TimeRange t = ScanTimeRange(n, timespan);
    if (!t.unbounded()) {
        out += " time=[" + (t.min == kMin ? std::string("-inf") : core::FormatDatetime(t.min)) +
               ", " + (t.max == kMax ? std::string("+inf") : core::FormatDatetime(t.max)) + ")";
    }
    return out;
}

std::string SortKeys(const std::vector<PlanNode::SortKey>& keys) {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out += ", ";
        out += ExprToString(*keys[i].expr) + (keys[i].ascending ? " asc" : " desc");
    }
    return out;
}

std::string List(const std::vector<BoundExprPtr>& exprs, const core::Schema* names) {
    std::string out;
    for (size_t i = 0; i < exprs.size(); ++i) {
        if (i > 0) out += ", ";
        std::string e = ExprToString(*exprs[i]);
        if (names != nullptr && i < names->size()) {
            std::string name = ColumnName(names->fields[i].name);
            out += e == name ? e : name + "=" + e;
        } else {
            out += e;
        }
    }
    return out;
}

std::string NodeLine(const PlanNode& n, const std::optional<core::TimeRange>& timespan) {
    switch (n.kind) {
        case K::kScan:
            return ScanLine(n, timespan);
        case K::kValues:
            return "Values rows=" + std::to_string(n.values.num_rows());
        case K::kFilter:
            return "Filter " + ExprToString(*n.predicate);
        case K::kProject:
            return "Project " + List(n.exprs, &n.schema);
        case K::kAggregate: {
            std::string out = "Aggregate";
            if (!n.keys.empty()) out += " by " + List(n.keys, &n.schema);
            out += " [";
            for (size_t i = 0; i < n.aggregates.size(); ++i) {
                if (i > 0) out += ", ";
                out += n.aggregates[i].name + "(" + List(n.aggregates[i].args, nullptr) + ")";
            }
            return out + "]";
        }
        case K::kSort:
            return "Sort by " + SortKeys(n.sort_keys);
        case K::kTop:
            return "Top " + std::to_string(n.limit) + " by " + SortKeys(n.sort_keys);
        case K::kLimit:
            return "Limit " + std::to_string(n.limit);
        case K::kCount:
            return "Count";
        case K::kJoin: {
            static constexpr const char* kKinds[] = {"innerunique", "inner",     "leftouter",
                                                     "rightouter",  "fullouter", "leftsemi",
                                                     "leftanti",    "rightsemi", "rightanti"};
            return std::string("Join kind=") + kKinds[static_cast<size_t>(n.join.kind)];
        }
        case K::kUnion:
            return "Union";
        case K::kMvExpand:
            return "MvExpand";
        case K::kParse:
            return "Parse " + ExprToString(*n.exprs[0]);
        case K::kSerialize:
            return "Serialize";
        case K::kMakeSeries:
            return "MakeSeries";
        case K::kTopNested:
            return "TopNested";
        case K::kMvApply:
            return "MvApply " + List(n.exprs, nullptr);
        case K::kMaterialize:
            return "Materialize";
        case K::kTableFunction:
            return n.table_fn->Describe();
    }
    return "?";
}

void Print(const PlanNode& n, int depth, const std::optional<core::TimeRange>& timespan,
           std::string& out) {
    out.append(static_cast<size_t>(depth) * 2, ' ');
    out += NodeLine(n, timespan);
    out += '\n';
    if (n.input) Print(*n.input, depth + 1, timespan, out);
    for (const auto& in : n.inputs) Print(*in, depth + 1, timespan, out);
}

}  // namespace

std::string ExprToString(const BoundExpr& e) {
    switch (e.kind) {
        case BoundExpr::Kind::kConst:
            return ValueToString(e.value);
        case BoundExpr::Kind::kColumn:
            return ColumnName(e.column);
        case BoundExpr::Kind::kCall:
            break;
    }
    if (e.function == "." && e.args.size() == 1 && e.captured.size() == 1) {
        return Operand(*e.args[0]) + "." + e.captured[0].as_string();
    }
    if (e.function == "[]" && e.args.size() == 2) {
        return Operand(*e.args[0]) + "[" + ExprToString(*e.args[1]) + "]";
    }
    if (e.args.size() == 1 && !e.captured.empty()) {  // in, !in, in~, !in~
        std::string list;
        for (size_t i = 0; i < e.captured.size(); ++i) {
            list += (i > 0 ? ", " : "") + ValueToString(e.captured[i]);
        }
        return Operand(*e.args[0]) + " " + e.function + " (" + list + ")";
    }
    if (e.function == "-" && e.args.size() == 1) return "-" + Operand(*e.args[0]);
    if (IsInfix(e)) {
        return Operand(*e.args[0], e.function) + " " + e.function + " " +
               Operand(*e.args[1], e.function, true);
    }
    std::string out = e.function + "(";
    for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        out += ExprToString(*e.args[i]);
    }
    return out + ")";
}

std::string PredicateToString(const core::ScanPredicate& p, const core::Schema& schema) {
    using Op = core::ScanPredicate::Op;
    std::string values;
    for (size_t i = 0; i < p.values.size(); ++i) {
        if (i > 0) values += ", ";
        values += Quoted(p.values[i]);
    }
    switch (p.op) {
        case Op::kEquals:
            return p.column + (p.values.size() == 1 ? " == " + values : " in (" + values + ")");
        case Op::kHas:
            return p.column + " has " + values;
        case Op::kHasCs:
            return p.column + " has_cs " + values;
        case Op::kIntRange:
            break;
    }
    auto idx = schema.IndexOf(p.column);
    Type t = idx ? schema.fields[*idx].type : Type::kLong;
    if (p.min == p.max) return p.column + " == " + IntBound(p.min, t);
    if (p.min == kMin) return p.column + " <= " + IntBound(p.max, t);
    if (p.max == kMax) return p.column + " >= " + IntBound(p.min, t);
    return p.column + " in [" + IntBound(p.min, t) + ", " + IntBound(p.max, t) + "]";
}

std::string ExplainPlan(const PlanNode& root, const std::optional<core::TimeRange>& timespan) {
    std::string out;
    Print(root, 0, timespan, out);
    return out;
}

}  // namespace calypso::kql
