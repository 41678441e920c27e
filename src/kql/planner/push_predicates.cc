#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/terms.h"
#include "kql/planner/rules.h"

namespace calypso::kql {

namespace {

using K = PlanNode::Kind;
using Op = core::ScanPredicate::Op;
using core::Type;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

bool IsConst(const BoundExpr& e) { return e.kind == BoundExpr::Kind::kConst && !e.value.is_null(); }

// A key read as text or as it is (a key read as a number has no stored text to test).
bool IsKeyColumn(const PlanNode& scan, const std::string& name) {
    return std::any_of(scan.scan_keys.begin(), scan.scan_keys.end(), [&](const core::ScanKey& k) {
        return k.type != core::Type::kReal && ScanKeyName(k) == name;
    });
}

// The scan column `e` reads as text: a string column, a key column, or tostring() of one.
// A key's condition holds only for keys whose value is a string (the store checks only
// keys it holds as strings), which is what == / in / has against a string mean for them.
std::optional<std::string> TextColumn(const BoundExpr& e, const PlanNode& scan) {
    const BoundExpr* x = &e;
    if (x->kind == BoundExpr::Kind::kCall && x->function == "tostring" && x->args.size() == 1) {
        x = x->args[0].get();
    }
    if (x->kind != BoundExpr::Kind::kColumn) return std::nullopt;
    auto idx = scan.schema.IndexOf(x->column);
    if (!idx) return std::nullopt;
    if (IsKeyColumn(scan, x->column) || scan.schema.fields[*idx].type == Type::kString) {
        return x->column;
    }
    return std::nullopt;
}

// A scan column whose values are int64s compared as such: long, int, datetime, timespan,
// bool (key columns are dynamic and never qualify).
std::optional<std::string> IntColumn(const BoundExpr& e, const PlanNode& scan, Type& type) {
    if (e.kind != BoundExpr::Kind::kColumn) return std::nullopt;
    auto idx = scan.schema.IndexOf(e.column);
    if (!idx) return std::nullopt;
    type = scan.schema.fields[*idx].type;
    if (type == Type::kLong || type == Type::kInt || type == Type::kDatetime ||
        type == Type::kTimespan || type == Type::kBool) {
        return e.column;
    }
    return std::nullopt;
}

// A usable string constant: the empty string is left alone, since a missing key reads as
// "" through tostring() but as null in the store.
std::optional<std::string> TextConst(const BoundExpr& e) {
    if (!IsConst(e) || e.type != Type::kString || e.value.as_string().empty()) return std::nullopt;
    return e.value.as_string();
}

enum class Cmp { kEq, kLt, kLe, kGt, kGe };

std::optional<Cmp> CmpOf(std::string_view f) {
    if (f == "==") return Cmp::kEq;
    if (f == "<") return Cmp::kLt;
    if (f == "<=") return Cmp::kLe;
    if (f == ">") return Cmp::kGt;
    if (f == ">=") return Cmp::kGe;
    return std::nullopt;
}

// `c op x` is `x flip(op) c`.
Cmp Flip(Cmp c) {
    switch (c) {
        case Cmp::kLt:
            return Cmp::kGt;
        case Cmp::kLe:
            return Cmp::kGe;
        case Cmp::kGt:
            return Cmp::kLt;
        case Cmp::kGe:
            return Cmp::kLe;
        case Cmp::kEq:
            break;
    }
    return c;
}

// The inclusive range of int64 x with `x op c` for an integer constant.
std::optional<std::pair<int64_t, int64_t>> IntRange(Cmp op, int64_t c) {
    switch (op) {
        case Cmp::kEq:
            return std::pair{c, c};
        case Cmp::kGt:
            if (c == kMax) return std::nullopt;
            return std::pair{c + 1, kMax};
        case Cmp::kGe:
            return std::pair{c, kMax};
        case Cmp::kLt:
            if (c == kMin) return std::nullopt;
            return std::pair{kMin, c - 1};
        case Cmp::kLe:
            return std::pair{kMin, c};
    }
    return std::nullopt;
}

// The same for a real constant, which KQL compares against the column converted to real.
// Only for |c| <= 2^53, where that conversion is exact near c, so integer bounds are exact.
std::optional<std::pair<int64_t, int64_t>> RealRange(Cmp op, double c) {
    constexpr double kExact = 9007199254740992.0;  // 2^53
    if (!std::isfinite(c) || std::fabs(c) > kExact) return std::nullopt;
    const auto lo = static_cast<int64_t>(std::floor(c));
    const auto hi = static_cast<int64_t>(std::ceil(c));
    switch (op) {
        case Cmp::kEq:
            if (lo != hi) return std::nullopt;
            return std::pair{lo, lo};
        case Cmp::kGt:
            return std::pair{lo + 1, kMax};
        case Cmp::kGe:
            return std::pair{hi, kMax};
        case Cmp::kLt:
            return std::pair{kMin, hi - 1};
        case Cmp::kLe:
            return std::pair{kMin, lo};
    }
    return std::nullopt;
}

std::optional<core::ScanPredicate> Comparison(const BoundExpr& e, const PlanNode& scan) {
    auto cmp = CmpOf(e.function);
    if (!cmp || e.args.size() != 2) return std::nullopt;
    const BoundExpr* x = e.args[0].get();
    const BoundExpr* c = e.args[1].get();
    if (IsConst(*x) && !IsConst(*c)) {
        std::swap(x, c);
        *cmp = Flip(*cmp);
    }
    if (!IsConst(*c)) return std::nullopt;
    core::ScanPredicate p;
    if (*cmp == Cmp::kEq) {
        auto column = TextColumn(*x, scan);
        auto text = TextConst(*c);
        if (column && text) {
            p.column = *column;
            p.op = Op::kEquals;
            p.values = {*text};
            return p;
        }
    }
    Type type = Type::kNull;
    auto column = IntColumn(*x, scan, type);
    if (!column) return std::nullopt;
    std::optional<std::pair<int64_t, int64_t>> range;
    const Type ct = c->type;
    const bool integral = type == Type::kLong || type == Type::kInt;
    if (integral && (ct == Type::kLong || ct == Type::kInt)) {
        range = IntRange(*cmp, c->value.as_int64());
    } else if (integral && (ct == Type::kReal || ct == Type::kDecimal)) {
        range = RealRange(*cmp, c->value.as_double());
    } else if ((type == Type::kDatetime || type == Type::kTimespan) && ct == type) {
        range = IntRange(*cmp, c->value.as_int64());
    } else if (type == Type::kBool && ct == Type::kBool && *cmp == Cmp::kEq) {
        range = IntRange(*cmp, c->value.as_bool() ? 1 : 0);
    }
    if (!range) return std::nullopt;
    p.column = *column;
    p.op = Op::kIntRange;
    p.min = range->first;
    p.max = range->second;
    return p;
}

bool HasTerm(std::string_view s) { return std::any_of(s.begin(), s.end(), core::IsTermChar); }

// One conjunct as a scan predicate, when the store can check exactly that.
std::optional<core::ScanPredicate> Analyze(const BoundExpr& e, const PlanNode& scan) {
    if (e.kind == BoundExpr::Kind::kColumn) {
        Type type = Type::kNull;
        if (!IntColumn(e, scan, type) || type != Type::kBool) return std::nullopt;
        core::ScanPredicate p;
        p.column = e.column;
        p.op = Op::kIntRange;
        p.min = p.max = 1;
        return p;
    }
    if (e.kind != BoundExpr::Kind::kCall) return std::nullopt;
    if (auto p = Comparison(e, scan)) return p;
    if (e.function == "in" && e.args.size() == 1 && !e.captured.empty()) {
        auto column = TextColumn(*e.args[0], scan);
        if (!column) return std::nullopt;
        core::ScanPredicate p;
        p.column = *column;
        p.op = Op::kEquals;
        for (const auto& v : e.captured) {
            if (v.type() != Type::kString || v.is_null() || v.as_string().empty()) {
                return std::nullopt;
            }
            p.values.push_back(v.as_string());
        }
        return p;
    }
    if ((e.function == "has" || e.function == "has_cs") && e.args.size() == 2) {
        auto column = TextColumn(*e.args[0], scan);
        auto needle = TextConst(*e.args[1]);
        // A needle without terms matches by substring; no term index can answer that.
        if (!column || !needle || !HasTerm(*needle)) return std::nullopt;
        core::ScanPredicate p;
        p.column = *column;
        p.op = e.function == "has" ? Op::kHas : Op::kHasCs;
        p.values = {*needle};
        return p;
    }
    return std::nullopt;
}

bool SamePredicate(const core::ScanPredicate& a, const core::ScanPredicate& b) {
    return a.column == b.column && a.op == b.op && a.values == b.values && a.min == b.min &&
           a.max == b.max;
}

void AddPredicate(PlanNode& scan, core::ScanPredicate p) {
    if (p.op == Op::kIntRange && p.column == scan.time_column) {
        core::TimeRange& t = scan.scan_time;
        t.min = std::max(t.min, p.min);
        t.max = std::min(t.max, p.max == kMax ? kMax : p.max + 1);
    }
    for (auto& q : scan.scan_predicates) {
        if (p.op == Op::kIntRange && q.op == Op::kIntRange && q.column == p.column) {
            // Both hold: keep their intersection (empty when they contradict).
            q.min = std::max(q.min, p.min);
            q.max = std::min(q.max, p.max);
            return;
        }
        if (SamePredicate(p, q)) return;
    }
    scan.scan_predicates.push_back(std::move(p));
}

void SplitAnd(const BoundExpr& e, std::vector<BoundExprPtr>& out) {
    if (e.kind == BoundExpr::Kind::kCall && e.function == "and" && e.args.size() == 2) {
        SplitAnd(*e.args[0], out);
        SplitAnd(*e.args[1], out);
        return;
    }
    out.push_back(CloneBoundExpr(e));
}

// Replaces references to the project's outputs by the expressions computing them.
bool Inline(BoundExprPtr& e, const PlanNode& project) {
    if (e->kind == BoundExpr::Kind::kColumn) {
        auto idx = project.schema.IndexOf(e->column);
        if (!idx) return false;
        e = CloneBoundExpr(*project.exprs[*idx]);
        return true;
    }
    for (auto& a : e->args) {
        if (!Inline(a, project)) return false;
    }
    return true;
}

// Carries the filter's conjuncts down through nodes that hand each row on unchanged (or
// computed from that row alone) to the scan. Window functions make a row depend on the
// others, and take/top/summarize choose rows: the walk stops there.
void PushFilter(const PlanNode& filter) {
    if (HasWindowCall(*filter.predicate)) return;
    std::vector<BoundExprPtr> conjuncts;
    SplitAnd(*filter.predicate, conjuncts);
    PlanNode* node = filter.input.get();
    while (node != nullptr) {
        switch (node->kind) {
            case K::kScan:
                for (const auto& c : conjuncts) {
                    if (auto p = Analyze(*c, *node)) AddPredicate(*node, std::move(*p));
                }
                return;
            case K::kFilter:
                if (HasWindowCall(*node->predicate)) return;
                break;
            case K::kSort:
            case K::kSerialize:
                break;
            case K::kProject: {
                for (const auto& e : node->exprs) {
                    if (HasWindowCall(*e)) return;
                }
                std::vector<BoundExprPtr> inlined;
                for (auto& c : conjuncts) {
                    if (!Inline(c, *node)) continue;
                    FoldExpr(c);
                    inlined.push_back(std::move(c));
                }
                conjuncts = std::move(inlined);
                break;
            }
            default:
                return;
        }
        node = node->input.get();
    }
}

void Visit(PlanNode& node) {
    if (node.kind == K::kFilter && node.predicate) PushFilter(node);
    if (node.input) Visit(*node.input);
    for (auto& in : node.inputs) Visit(*in);
}

}  // namespace

void PushPredicates(PlanNode& root) { Visit(root); }

}  // namespace calypso::kql
