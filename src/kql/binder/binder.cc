#include "kql/binder/binder.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "kql/binder/naming.h"
#include "kql/functions/aggregates.h"
#include "kql/functions/cast.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/operators.h"
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

size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string Lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
    std::string best = ClosestName(name, candidates);
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// A column name against a pattern where '*' matches any run of characters.
bool MatchesPattern(std::string_view pattern, std::string_view name) {
    size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
    while (i < name.size()) {
        if (p < pattern.size() && pattern[p] != '*' && pattern[p] == name[i]) {
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

std::vector<std::string> Names(const Schema& s) {
    std::vector<std::string> out;
    for (const auto& f : s.fields) out.push_back(f.name);
    return out;
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
    // Up to one edit per three characters (at least one), and never a full rewrite.
    size_t allowed = std::max<size_t>(1, (name.size() + 2) / 3);
    std::string best;
    size_t best_d = allowed + 1;
    std::string lname = Lowered(name);
    for (const auto& c : candidates) {
        size_t d = Lowered(c) == lname ? 0 : EditDistance(name, c);
        if (d < best_d && d < name.size()) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

std::string InferColumnName(const Expr& e) {
    switch (e.kind) {
        case Expr::Kind::kName:
            return e.name;
        case Expr::Kind::kMember: {
            std::string base = InferColumnName(*e.args[0]);
            return base.empty() ? "" : base + "_" + e.name;
        }
        case Expr::Kind::kIndex: {
            std::string base = InferColumnName(*e.args[0]);
            const Expr& idx = *e.args[1];
            if (base.empty() || idx.kind != Expr::Kind::kLiteral) return "";
            if (idx.value.type() == Type::kString) return base + "_" + idx.value.as_string();
            if (idx.value.type() == Type::kLong)
                return base + "_" + std::to_string(idx.value.as_int64());
            return "";
        }
        case Expr::Kind::kCall: {
            static const std::set<std::string, std::less<>> kKeepsName = {
                // The official parser's ResultNameKind.FirstArgument functions.
                "tostring",
                "toint",
                "tolong",
                "todouble",
                "toreal",
                "todatetime",
                "totimespan",
                "tobool",
                "bin",
                "floor",
                "todynamic",
                "startofday",
                "bin_at",
                "round",
                "ceiling",
                "pow",
                "sqrt",
                "log",
                "log2",
                "log10",
                "exp",
                "exp2",
                "exp10",
                "cos",
                "sin",
                "tan",
                "acos",
                "asin",
                "atan",
                "atan2",
                "abs",
                "gamma",
                "loggamma",
                "format_datetime",
                "format_timespan"};
            if (kKeepsName.count(e.name) != 0 && !e.args.empty())
                return InferColumnName(*e.args[0]);
            return "";
        }
        default:
            return "";
    }
}

Result<std::vector<PlanPtr>> Binder::BindQuery(const syntax::Query& query) {
    std::vector<PlanPtr> plans;
    for (const auto& st : query.statements) {
        if (st.is_let) {
            RETURN_IF_ERROR(BindLet(st));
            continue;
        }
        const auto& ops = st.tabular->ops;
        if (!ops.empty() && (ops.back().kind == syntax::Operator::Kind::kFork ||
                             ops.back().kind == syntax::Operator::Kind::kFacet)) {
            RETURN_IF_ERROR(BindMultiResult(*st.tabular, plans));
            continue;
        }
        ASSIGN_OR_RETURN(PlanPtr plan, BindTabular(*st.tabular));
        plans.push_back(std::move(plan));
    }
    if (plans.empty()) {
        return Status::SemanticError("the query has no tabular expression to return",
                                     query.statements.back().pos);
    }
    return plans;
}

Result<PlanPtr> Binder::BindTabular(const syntax::TabularExpr& tab, size_t num_ops) {
    ASSIGN_OR_RETURN(PlanPtr plan, BindSource(tab.source));
    std::string render;
    for (size_t i = 0; i < std::min(num_ops, tab.ops.size()); ++i) {
        const auto& op = tab.ops[i];
        if (op.kind == syntax::Operator::Kind::kAs) {
            as_results_[op.names[0]] = {&tab, i};
            continue;
        }
        if (op.kind == syntax::Operator::Kind::kInvoke) {
            // The rows so far are the function's first (tabular) argument, bound again
            // where it is used, as any tabular argument.
            TabularArg piped{&tab, i, std::make_shared<const Scope>(SaveScope())};
            ASSIGN_OR_RETURN(plan, BindTabularCall(*op.exprs[0].expr, &piped));
            continue;
        }
        if (op.kind == syntax::Operator::Kind::kRender) {
            if (i + 1 != tab.ops.size()) {
                return Status::SemanticError("render must be the last operator", op.pos);
            }
            render = op.names[0];
            continue;
        }
        ASSIGN_OR_RETURN(plan, BindOperator(op, std::move(plan)));
    }
    plan->render = std::move(render);
    return plan;
}

Result<PlanPtr> Binder::BindSource(const syntax::Source& src) {
    if (src.kind == syntax::Source::Kind::kSubquery) {
        ASSIGN_OR_RETURN(PlanPtr sub, BindTabular(*src.sub));
        // One cache per materialize() of the query text; inside a function body or an
        // mv-apply subquery the same text may stand for different rows at each use.
        if (!src.materialize || !frames_.empty() || !mv_apply_rows_.empty()) return sub;
        auto node = std::make_unique<PlanNode>();
        node->kind = PlanNode::Kind::kMaterialize;
        node->schema = sub->schema;
        auto& cache = materialized_[&src];
        if (!cache) cache = std::make_shared<PlanNode::MaterializeCache>();
        node->cache = cache;
        node->input = std::move(sub);
        return node;
    }
    if (src.kind == syntax::Source::Kind::kUnion) return BindUnion(*src.union_op, nullptr);
    if (src.kind == syntax::Source::Kind::kRange) return BindRange(src);
    if (src.kind == syntax::Source::Kind::kCall) {
        if (!src.resource.empty()) return BindResourceCall(src);
        return BindTabularCall(*src.call, nullptr);
    }
    if (src.kind == syntax::Source::Kind::kSearch) return BindSearch(*src.union_op, nullptr);
    if (src.kind == syntax::Source::Kind::kFind) return BindFind(*src.union_op);
    auto node = std::make_unique<PlanNode>();
    if (src.kind == syntax::Source::Kind::kTable) {
        if (src.table.empty() && !mv_apply_rows_.empty()) {
            // mv-apply's subquery source: the expanded rows of one input row, supplied at
            // execution time.
            node->kind = PlanNode::Kind::kValues;
            node->schema = mv_apply_rows_.back();
            node->values = core::Batch::Empty(node->schema);
            return node;
        }
        if (!src.resource.empty()) {
            // Another resource's table: never a let, parameter or `as` name.
            ASSIGN_OR_RETURN(const core::TableSource* tables, TablesOf(src));
            return BindScan(src, *tables);
        }
        for (auto f = frames_.rbegin(); f != frames_.rend(); ++f) {
            if (auto it = (*f)->tables.find(src.table); it != (*f)->tables.end()) {
                TabularArg arg = it->second;
                return BindTabularArg(arg);
            }
            if ((*f)->scalars.count(src.table) != 0) break;
        }
        if (auto it = as_results_.find(src.table); it != as_results_.end()) {
            auto [tab, num_ops] = it->second;
            as_results_.erase(it);  // no self-reference
            auto r = BindTabular(*tab, num_ops);
            as_results_[src.table] = {tab, num_ops};
            return r;
        }
        if (auto it = tabular_lets_.find(src.table); it != tabular_lets_.end()) {
            // A let binds a calculation: bind it again at each use.
            const syntax::TabularExpr* t = it->second;
            tabular_lets_.erase(it);  // no self-recursion
            auto r = BindTabular(*t);
            tabular_lets_[src.table] = t;
            return r;
        }
        if (const syntax::FunctionDef* f = FindFunction(src.table); f != nullptr && f->view) {
            // A view is named like a table: `View_1` stands for `View_1()`.
            syntax::Expr call;
            call.kind = Expr::Kind::kCall;
            call.name = src.table;
            call.pos = src.pos;
            return BindTabularCall(call, nullptr);
        }
        if (!default_resource_.empty()) {
            // In a stored function of another workspace: that workspace's table.
            syntax::Source other;
            other.kind = syntax::Source::Kind::kTable;
            other.table = src.table;
            other.pos = src.pos;
            other.resource = default_resource_;
            return BindSource(other);
        }
        if (!source_.GetSchema(src.table).ok()) {
            std::vector<std::string> names = source_.ListTables();
            for (const auto& [n, t] : tabular_lets_) names.push_back(n);
            for (const auto& [n, t] : as_results_) names.push_back(n);
            return Status::SemanticError(
                "unknown table '" + src.table + "'" + DidYouMean(src.table, names), src.pos);
        }
        return BindScan(src, source_);
    }
    node->kind = PlanNode::Kind::kValues;
    if (src.kind == syntax::Source::Kind::kDatatable) {
        for (const auto& [name, type] : src.columns) node->schema.fields.push_back({name, type});
        size_t ncols = src.columns.size();
        if (src.values.size() % ncols != 0) {
            return Status::SemanticError("datatable has " + std::to_string(src.values.size()) +
                                             " values, not a multiple of its " +
                                             std::to_string(ncols) + " columns",
                                         src.pos);
        }
        node->values = core::Batch::Empty(node->schema);
        for (size_t i = 0; i < src.values.size(); ++i) {
            const Expr& e = *src.values[i];
            ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(e, Schema{}));
            if (b->kind != BoundExpr::Kind::kConst) {
                return Status::SemanticError("datatable values must be constants", e.pos);
            }
            Type want = src.columns[i % ncols].second;
            core::Value v = b->value;
            if (v.type() != want && !v.is_null()) {
                bool ok = (IsNumeric(v.type()) && IsNumeric(want)) || want == Type::kDynamic ||
                          (v.type() == Type::kString && want == Type::kGuid);
                if (!ok) {
                    return Status::SemanticError("datatable value of type " + TypeStr(v.type()) +
                                                     " does not match column '" +
                                                     src.columns[i % ncols].first + "' of type " +
                                                     TypeStr(want),
                                                 e.pos);
                }
            }
            node->values.columns[i % ncols].Append(functions::CastValue(v, want));
        }
        return node;
    }
    // print
    std::set<std::string> taken;
    for (size_t i = 0; i < src.print.size(); ++i) {
        const auto& ne = src.print[i];
        ASSIGN_OR_RETURN(auto multi, BindMultiColumn(ne, Schema{}));
        for (auto& [mname, mb] : multi) {
            if (mb->kind != BoundExpr::Kind::kConst) {
                return Status::SemanticError("print expects constant expressions", ne.expr->pos);
            }
            std::string unique = UniqueName(mname, taken);
            taken.insert(unique);
            node->schema.fields.push_back({unique, mb->type});
            core::Column c(mb->type);
            c.Append(functions::CastValue(mb->value, mb->type));
            node->values.columns.push_back(std::move(c));
        }
        if (!multi.empty()) continue;
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, Schema{}));
        if (b->kind != BoundExpr::Kind::kConst) {
            return Status::SemanticError("print expects constant expressions", ne.expr->pos);
        }
        std::string name = !ne.name.empty() ? ne.name : "print_" + std::to_string(i);
        name = UniqueName(name, taken);
        taken.insert(name);
        Type t = b->type == Type::kNull ? Type::kString : b->type;
        node->schema.fields.push_back({name, t});
        core::Column c(t);
        c.Append(functions::CastValue(b->value, t));
        node->values.columns.push_back(std::move(c));
    }
    node->values.schema = node->schema;
    return node;
}

Result<const core::TableSource*> Binder::TablesOf(const syntax::Source& src) {
    if (src.resource.empty() && !default_resource_.empty()) {
        syntax::Source other;
        other.resource = default_resource_;
        return TablesOf(other);
    }
    if (src.resource.empty()) return &source_;
    const syntax::ResourceRef& ref = src.resource;
    auto key = std::make_pair(ref.function, ref.id);
    if (auto it = resources_.find(key); it != resources_.end()) return it->second;
    // As Azure Monitor: at most 100 workspaces and apps in one query.
    constexpr size_t kMaxResources = 100;
    if (resources_.size() == kMaxResources) {
        return Status::SemanticError("a query may reference at most " +
                                         std::to_string(kMaxResources) + " workspaces and apps",
                                     ref.pos);
    }
    const bool app = ref.function == "app";
    // A database is a workspace (the Kusto client's database is one); the cluster is ours.
    // A resource the caller may not read answers NotFound too, so both read the same here.
    Result<const core::TableSource*> tables =
        ctx_.resources == nullptr
            ? Result<const core::TableSource*>(Status::NotFound(""))
            : ctx_.resources->Resolve(
                  app ? core::ResourceKind::kApp : core::ResourceKind::kWorkspace, ref.id);
    if (!tables.ok() || *tables == nullptr) {
        if (tables.ok() || tables.status().code() == core::StatusCode::kNotFound) {
            return Status::SemanticError("unknown " + ref.function + " '" + ref.id + "'", ref.pos);
        }
        return Status(tables.status().code(), tables.status().message(), ref.pos);
    }
    resources_[key] = *tables;
    return *tables;
}

Result<PlanPtr> Binder::BindScan(const syntax::Source& src, const core::TableSource& tables) {
    auto schema = tables.GetSchema(src.table);
    if (!schema.ok()) {
        return Status::SemanticError("unknown table '" + src.table + "' in " + src.resource.Text() +
                                         DidYouMean(src.table, tables.ListTables()),
                                     src.pos);
    }
    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kScan;
    node->table = src.table;
    if (!src.resource.empty()) {
        node->source = &tables;
        node->resource = src.resource.Text();
    }
    node->time_column = tables.TimeColumn(src.table);
    node->schema = *std::move(schema);
    return node;
}

Result<std::vector<PlanNode::SortKey>> Binder::BindSortKeys(
    const std::vector<syntax::SortKey>& keys, const Schema& scope) {
    std::vector<PlanNode::SortKey> out;
    for (const auto& k : keys) {
        PlanNode::SortKey sk;
        ASSIGN_OR_RETURN(sk.expr, BindScalar(*k.expr, scope));
        sk.ascending = k.ascending;
        sk.nulls_first = k.nulls_first.value_or(k.ascending);
        out.push_back(std::move(sk));
    }
    return out;
}

Result<int64_t> Binder::BindCount(const Expr& expr) {
    ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(expr, Schema{}));
    if (b->kind != BoundExpr::Kind::kConst || !(b->type == Type::kLong || b->type == Type::kInt) ||
        b->value.is_null() || b->value.as_int64() < 0) {
        return Status::SemanticError("expected a non-negative constant row count", expr.pos);
    }
    return b->value.as_int64();
}

Result<PlanPtr> Binder::BindOperator(const syntax::Operator& op, PlanPtr input) {
    using K = syntax::Operator::Kind;
    serialized_ = IsSerialized(*input);
    auto node = std::make_unique<PlanNode>();
    const Schema& in = input->schema;
    switch (op.kind) {
        case K::kWhere: {
            node->kind = PlanNode::Kind::kFilter;
            ASSIGN_OR_RETURN(node->predicate, BindScalar(*op.exprs[0].expr, in));
            Type t = node->predicate->type;
            if (t != Type::kBool && t != Type::kDynamic && t != Type::kNull) {
                return Status::SemanticError("where predicate must be bool, got " + TypeStr(t),
                                             op.exprs[0].expr->pos);
            }
            node->schema = in;
            break;
        }
        case K::kProject: {
            node->kind = PlanNode::Kind::kProject;
            std::set<std::string> taken;
            int counter = 0;
            for (const auto& ne : op.exprs) {
                ASSIGN_OR_RETURN(auto multi, BindMultiColumn(ne, in));
                for (auto& [mname, mb] : multi) {
                    if (!taken.insert(mname).second) {
                        return Status::SemanticError(
                            "duplicate column name '" + mname + "' in project", ne.expr->pos);
                    }
                    node->schema.fields.push_back({mname, mb->type});
                    node->exprs.push_back(std::move(mb));
                }
                if (!multi.empty()) continue;
                ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*ne.expr, in));
                std::string name = ne.name.empty() ? InferColumnName(*ne.expr) : ne.name;
                if (name.empty()) name = NextColumnName(taken, counter);
                // A name taken from a call's argument (round(x), tostring(x)) gets the
                // smallest free suffix, as the official parser names it; a written name or
                // a plain column twice is an error.
                if (ne.name.empty() && ne.expr->kind == Expr::Kind::kCall) {
                    name = UniqueName(name, taken);
                }
                if (taken.count(name) != 0) {
                    return Status::SemanticError("duplicate column name '" + name + "' in project",
                                                 ne.name.empty() ? ne.expr->pos : ne.name_pos);
                }
                taken.insert(name);
                node->schema.fields.push_back(
                    {name, b->type == Type::kNull ? Type::kString : b->type});
                node->exprs.push_back(std::move(b));
            }
            break;
        }
        case K::kExtend:
            return BindExtend(op, std::move(input));
        case K::kProjectAway:
        case K::kProjectRename: {
            node->kind = PlanNode::Kind::kProject;
            bool away = op.kind == K::kProjectAway;
            std::map<std::string, std::string> renames;  // old -> new
            std::set<std::string> dropped;
            for (size_t i = 0; i < op.names.size(); i += away ? 1 : 2) {
                const std::string& col = away ? op.names[i] : op.names[i + 1];
                SourcePos pos = away ? op.name_pos[i] : op.name_pos[i + 1];
                if (!in.IndexOf(col)) {
                    return Status::SemanticError(
                        "unknown column '" + col + "'" + DidYouMean(col, Names(in)), pos);
                }
                if (away) {
                    dropped.insert(col);
                } else {
                    renames[col] = op.names[i];
                }
            }
            for (const auto& f : in.fields) {
                if (dropped.count(f.name) != 0) continue;
                auto it = renames.find(f.name);
                node->schema.fields.push_back({it == renames.end() ? f.name : it->second, f.type});
                node->exprs.push_back(MakeColumnRef(f.name, f.type));
            }
            break;
        }
        case K::kProjectKeep:
        case K::kProjectReorder: {
            node->kind = PlanNode::Kind::kProject;
            bool keep = op.kind == K::kProjectKeep;
            // Input column indexes in output order; for reorder, listed first, then the rest.
            std::vector<size_t> order;
            std::vector<bool> used(in.fields.size(), false);
            for (size_t i = 0; i < op.names.size(); ++i) {
                const std::string& pattern = op.names[i];
                std::vector<size_t> matches;
                for (size_t c = 0; c < in.fields.size(); ++c) {
                    if (!used[c] && MatchesPattern(pattern, in.fields[c].name)) matches.push_back(c);
                }
                bool wildcard = pattern.find('*') != std::string::npos;
                if (!wildcard && !in.IndexOf(pattern)) {
                    return Status::SemanticError("unknown column '" + pattern + "'" +
                                                     DidYouMean(pattern, Names(in)),
                                                 op.name_pos[i]);
                }
                if (!keep && op.types[i] == Type::kBool) {
                    bool asc = op.level_asc[i];
                    std::stable_sort(matches.begin(), matches.end(), [&](size_t a, size_t b) {
                        return asc ? in.fields[a].name < in.fields[b].name
                                   : in.fields[a].name > in.fields[b].name;
                    });
                }
                for (size_t c : matches) {
                    used[c] = true;
                    order.push_back(c);
                }
            }
            if (keep) {
                std::sort(order.begin(), order.end());
            } else {
                for (size_t c = 0; c < in.fields.size(); ++c) {
                    if (!used[c]) order.push_back(c);
                }
            }
            for (size_t c : order) {
                node->schema.fields.push_back(in.fields[c]);
                node->exprs.push_back(MakeColumnRef(in.fields[c].name, in.fields[c].type));
            }
            break;
        }
        case K::kSummarize:
        case K::kDistinct:
            return BindSummarize(op, std::move(input));
        case K::kSort:
        case K::kTop: {
            node->kind = op.kind == K::kSort ? PlanNode::Kind::kSort : PlanNode::Kind::kTop;
            ASSIGN_OR_RETURN(node->sort_keys, BindSortKeys(op.keys, in));
            if (op.kind == K::kTop) {
                ASSIGN_OR_RETURN(node->limit, BindCount(*op.count));
            }
            node->schema = in;
            break;
        }
        case K::kTake: {
            node->kind = PlanNode::Kind::kLimit;
            ASSIGN_OR_RETURN(node->limit, BindCount(*op.count));
            node->schema = in;
            break;
        }
        case K::kRender:
            return Status::SemanticError("render must be the last operator", op.pos);
        case K::kJoin:
        case K::kLookup:
            return BindJoin(op, std::move(input));
        case K::kUnion:
            return BindUnion(op, std::move(input));
        case K::kMvExpand:
            return BindMvExpand(op, std::move(input));
        case K::kParse:
            return BindParse(op, std::move(input));
        case K::kSerialize:
            return BindSerialize(op, std::move(input));
        case K::kAs:
            return input;
        case K::kGetSchema:
            return BindGetSchema(std::move(input));
        case K::kMakeSeries:
            return BindMakeSeries(op, std::move(input));
        case K::kTopNested:
            return BindTopNested(op, std::move(input));
        case K::kInvoke:  // handled in BindTabular
            return Status::Internal("invoke outside a tabular expression");
        case K::kSearch:
            return BindSearch(op, std::move(input));
        case K::kMvApply:
            return BindMvApply(op, std::move(input));
        case K::kEvaluate:
            return BindEvaluate(op, std::move(input));
        case K::kScan:
            return BindScanOperator(op, std::move(input));
        case K::kPartition:
            return BindPartition(op, std::move(input));
        case K::kParseKv:
            return BindParseKv(op, std::move(input));
        case K::kReduce:
            return BindReduce(op, std::move(input));
        case K::kSample:
        case K::kSampleDistinct:
        case K::kTopHitters:
            return BindSampling(op, std::move(input));
        case K::kFind:
            return Status::SemanticError("find must start a query", op.pos);
        case K::kFork:
        case K::kFacet:
            return Status::SemanticError(std::string(op.kind == K::kFork ? "fork" : "facet") +
                                             " must be the last operator of a query",
                                         op.pos);
        case K::kCount:
            node->kind = PlanNode::Kind::kCount;
            node->schema.fields.push_back({"Count", Type::kLong});
            break;
    }
    node->input = std::move(input);
    return node;
}

Result<BoundExprPtr> Binder::MakeCall(std::string name, BoundCall call,
                                      std::vector<BoundExprPtr> args, SourcePos pos,
                                      std::vector<core::Value> captured) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExpr::Kind::kCall;
    e->type = call.type;
    e->function = std::move(name);
    e->kernel = std::move(call.kernel);
    e->args = std::move(args);
    e->captured = std::move(captured);
    e->pos = pos;
    // Constant arguments: evaluate now, so lets, datatable and print see constants.
    return FoldCall(std::move(e));
}

Result<BoundExprPtr> Binder::BindName(const Expr& expr, const Schema& scope) {
    // Function parameters shadow columns and lets.
    for (auto f = frames_.rbegin(); f != frames_.rend(); ++f) {
        if (auto it = (*f)->scalars.find(expr.name); it != (*f)->scalars.end()) {
            return CloneBoundExpr(*it->second);
        }
        if ((*f)->tables.count(expr.name) != 0) {
            return Status::SemanticError(
                "'" + expr.name + "' is a tabular parameter and cannot be used as a scalar",
                expr.pos);
        }
    }
    if (auto idx = scope.IndexOf(expr.name)) {
        return MakeColumnRef(expr.name, scope.fields[*idx].type, expr.pos);
    }
    if (auto it = scalar_lets_.find(expr.name); it != scalar_lets_.end()) {
        return MakeConst(it->second, it->second.type(), expr.pos);
    }
    if (auto it = expr_lets_.find(expr.name); it != expr_lets_.end()) {
        return CloneBoundExpr(*it->second);
    }
    std::vector<std::string> names = Names(scope);
    for (const auto& [n, v] : scalar_lets_) names.push_back(n);
    if (scope.fields.empty()) {
        return Status::SemanticError(
            "unknown name '" + expr.name + "'" + DidYouMean(expr.name, names), expr.pos);
    }
    return Status::SemanticError(
        "unknown column '" + expr.name + "'" + DidYouMean(expr.name, names), expr.pos);
}

Result<BoundExprPtr> Binder::BindCall(const Expr& expr, const Schema& scope) {
    bool stored = false;
    if (const syntax::FunctionDef* f = FindFunction(expr.name, &stored)) {
        return BindScalarFunctionCall(*f, stored, expr, scope);
    }
    if (expr.name == "toscalar") return BindToScalar(expr, scope);
    if (expr.name == "pack_all" || expr.name == "bag_pack_columns") {
        return BindPackColumns(expr, scope);
    }
    if (expr.name == "column_ifexists") {
        // The column when the row has it, else the default (decided while binding).
        if (expr.args.size() != 2 || expr.args[0]->kind != Expr::Kind::kLiteral ||
            expr.args[0]->value.type() != Type::kString) {
            return Status::SemanticError(
                "column_ifexists() expects a column name (a string constant) and a default",
                expr.pos);
        }
        const std::string& column = expr.args[0]->value.as_string();
        if (auto idx = scope.IndexOf(column)) {
            return MakeColumnRef(column, scope.fields[*idx].type, expr.pos);
        }
        return BindScalar(*expr.args[1], scope);
    }
    if (functions::FindAggregate(expr.name) != nullptr &&
        functions::FindScalarFunction(expr.name) == nullptr) {
        return Status::SemanticError(
            "aggregate function '" + expr.name + "' is only allowed in summarize", expr.pos);
    }
    const functions::ScalarFunction* fn = functions::FindScalarFunction(expr.name);
    if (fn != nullptr && functions::IsWindowFunction(expr.name) && !serialized_) {
        return Status::SemanticError(
            "function '" + expr.name + "' needs a serialized row set (use serialize or order by)",
            expr.pos);
    }
    if (fn == nullptr) {
        std::vector<std::string> names = FunctionNames();
        for (auto n : functions::ScalarFunctionNames()) names.emplace_back(n);
        return Status::SemanticError(
            "unknown function '" + expr.name + "'" + DidYouMean(expr.name, names), expr.pos);
    }
    int n = static_cast<int>(expr.args.size());
    if (n < fn->min_args || n > fn->max_args) {
        std::string want = fn->min_args == fn->max_args
                               ? std::to_string(fn->min_args)
                               : std::to_string(fn->min_args) + ".." + std::to_string(fn->max_args);
        return Status::SemanticError("function " + expr.name + "() expects " + want +
                                         " argument(s), got " + std::to_string(n),
                                     expr.pos);
    }
    std::vector<BoundExprPtr> args;
    std::vector<const BoundExpr*> raw;
    for (const auto& a : expr.args) {
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*a, scope));
        raw.push_back(b.get());
        args.push_back(std::move(b));
    }
    ASSIGN_OR_RETURN(BoundCall call, fn->bind(raw, ctx_, expr.pos));
    return MakeCall(expr.name, std::move(call), std::move(args), expr.pos);
}

Result<BoundExprPtr> Binder::BindScalar(const Expr& expr, const Schema& scope) {
    if (auto it = agg_columns_.find(&expr); it != agg_columns_.end()) {
        if (auto idx = scope.IndexOf(it->second)) {
            return MakeColumnRef(it->second, scope.fields[*idx].type, expr.pos);
        }
    }
    switch (expr.kind) {
        case Expr::Kind::kLiteral:
            return MakeConst(expr.value, expr.value.type(), expr.pos);
        case Expr::Kind::kName:
            return BindName(expr, scope);
        case Expr::Kind::kCall:
            return BindCall(expr, scope);
        case Expr::Kind::kUnary: {
            ASSIGN_OR_RETURN(BoundExprPtr a, BindScalar(*expr.args[0], scope));
            if (expr.op == "+") return a;
            ASSIGN_OR_RETURN(BoundCall call, functions::BindNegate(a->type, expr.pos));
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(a));
            return MakeCall("-", std::move(call), std::move(args), expr.pos);
        }
        case Expr::Kind::kBinary: {
            ASSIGN_OR_RETURN(BoundExprPtr l, BindScalar(*expr.args[0], scope));
            ASSIGN_OR_RETURN(BoundExprPtr r, BindScalar(*expr.args[1], scope));
            if (expr.op == "matches regex" && r->kind == BoundExpr::Kind::kConst &&
                r->type == Type::kString && !r->value.is_null()) {
                RE2 re(r->value.as_string(), RE2::Quiet);
                if (!re.ok()) {
                    return Status::SemanticError("invalid regular expression: " + re.error(),
                                                 expr.args[1]->pos);
                }
            }
            ASSIGN_OR_RETURN(BoundCall call,
                             functions::BindBinary(expr.op, l->type, r->type, expr.pos));
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(l));
            args.push_back(std::move(r));
            return MakeCall(expr.op, std::move(call), std::move(args), expr.pos);
        }
        case Expr::Kind::kMember: {
            ASSIGN_OR_RETURN(BoundExprPtr base, BindScalar(*expr.args[0], scope));
            if (base->type != Type::kDynamic) {
                return Status::SemanticError("member access '." + expr.name +
                                                 "' requires a dynamic value, got " +
                                                 TypeStr(base->type),
                                             expr.pos);
            }
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(base));
            return MakeCall(".", functions::BindMember(expr.name), std::move(args), expr.pos,
                            {core::Value::String(expr.name)});
        }
        case Expr::Kind::kIndex: {
            ASSIGN_OR_RETURN(BoundExprPtr base, BindScalar(*expr.args[0], scope));
            ASSIGN_OR_RETURN(BoundExprPtr idx, BindScalar(*expr.args[1], scope));
            ASSIGN_OR_RETURN(BoundCall call, functions::BindIndex(base->type, idx->type, expr.pos));
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(base));
            args.push_back(std::move(idx));
            return MakeCall("[]", std::move(call), std::move(args), expr.pos);
        }
        case Expr::Kind::kIn: {
            ASSIGN_OR_RETURN(BoundExprPtr l, BindScalar(*expr.args[0], scope));
            std::vector<core::Value> list;
            // `x in (T)`: the values of T's first column, computed once (a name that is a
            // column of the row is not a table).
            const syntax::TabularExpr* sub = expr.tabular.get();
            if (sub == nullptr && expr.args.size() == 2 && expr.op.rfind("has", 0) != 0 &&
                !(expr.args[1]->kind == Expr::Kind::kName && scope.IndexOf(expr.args[1]->name))) {
                sub = TabularOperand(*expr.args[1]);
            }
            if (sub != nullptr) {
                ASSIGN_OR_RETURN(list, SubqueryValues(*sub));
            }
            for (size_t i = 1; i < expr.args.size() && sub == nullptr; ++i) {
                ASSIGN_OR_RETURN(BoundExprPtr v, BindScalar(*expr.args[i], scope));
                if (v->kind != BoundExpr::Kind::kConst) {
                    return Status::SemanticError("'" + expr.op + "' expects a list of constants",
                                                 expr.args[i]->pos);
                }
                list.push_back(v->value);
            }
            ASSIGN_OR_RETURN(BoundCall call, functions::BindIn(expr.op, l->type, list, expr.pos));
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(l));
            return MakeCall(expr.op, std::move(call), std::move(args), expr.pos, std::move(list));
        }
        case Expr::Kind::kBetween: {
            ASSIGN_OR_RETURN(BoundExprPtr x1, BindScalar(*expr.args[0], scope));
            ASSIGN_OR_RETURN(BoundExprPtr x2, BindScalar(*expr.args[0], scope));
            ASSIGN_OR_RETURN(BoundExprPtr lo, BindScalar(*expr.args[1], scope));
            ASSIGN_OR_RETURN(BoundExprPtr hi, BindScalar(*expr.args[2], scope));
            if (lo->type == Type::kDatetime && hi->type == Type::kTimespan) {
                // `between (dt .. 3d)` means dt .. dt + 3d.
                ASSIGN_OR_RETURN(BoundExprPtr lo2, BindScalar(*expr.args[1], scope));
                ASSIGN_OR_RETURN(BoundCall add,
                                 functions::BindBinary("+", lo2->type, hi->type, expr.pos));
                std::vector<BoundExprPtr> a;
                a.push_back(std::move(lo2));
                a.push_back(std::move(hi));
                ASSIGN_OR_RETURN(hi, MakeCall("+", std::move(add), std::move(a), expr.pos));
            }
            ASSIGN_OR_RETURN(BoundCall ge,
                             functions::BindBinary(">=", x1->type, lo->type, expr.pos));
            ASSIGN_OR_RETURN(BoundCall le,
                             functions::BindBinary("<=", x2->type, hi->type, expr.pos));
            std::vector<BoundExprPtr> a1, a2, a3;
            a1.push_back(std::move(x1));
            a1.push_back(std::move(lo));
            a2.push_back(std::move(x2));
            a2.push_back(std::move(hi));
            ASSIGN_OR_RETURN(BoundExprPtr c1,
                             MakeCall(">=", std::move(ge), std::move(a1), expr.pos));
            ASSIGN_OR_RETURN(BoundExprPtr c2,
                             MakeCall("<=", std::move(le), std::move(a2), expr.pos));
            ASSIGN_OR_RETURN(BoundCall both,
                             functions::BindBinary("and", Type::kBool, Type::kBool, expr.pos));
            a3.push_back(std::move(c1));
            a3.push_back(std::move(c2));
            ASSIGN_OR_RETURN(BoundExprPtr in_range,
                             MakeCall("and", std::move(both), std::move(a3), expr.pos));
            if (expr.op == "between") return in_range;
            const functions::ScalarFunction* notf = functions::FindScalarFunction("not");
            std::vector<const BoundExpr*> raw{in_range.get()};
            ASSIGN_OR_RETURN(BoundCall nc, notf->bind(raw, ctx_, expr.pos));
            std::vector<BoundExprPtr> a4;
            a4.push_back(std::move(in_range));
            return MakeCall("not", std::move(nc), std::move(a4), expr.pos);
        }
    }
    return Status::Internal("unhandled expression kind");
}

}  // namespace calypso::kql
