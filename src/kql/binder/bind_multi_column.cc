// Binder::BindMultiColumn: the calls that yield several columns as a whole item of extend,
// project or print. series_stats(x) gives series_stats_x_min, series_stats_x_min_idx, ...;
// series_fit_line(x) series_fit_line_x_rsquare, ..._slope, ... _line_fit;
// array_sort_asc(a, b) / array_sort_desc(a, b) gives a_sorted, b_sorted. `(n1, n2) = call`
// names the first columns and keeps only those (the docs: "If you provide a limited number
// of names, the table will show only those columns").
#include <string>
#include <vector>

#include "kql/binder/binder.h"
#include "kql/functions/multi_column.h"

namespace calypso::kql {

using core::Result;
using core::Schema;
using core::Status;

Result<std::vector<std::pair<std::string, BoundExprPtr>>> Binder::BindMultiColumn(
    const syntax::NamedExpr& ne, const Schema& scope) {
    std::vector<std::pair<std::string, BoundExprPtr>> out;
    const syntax::Expr& e = *ne.expr;
    bool stats = e.kind == syntax::Expr::Kind::kCall && e.name == "series_stats";
    bool fit = e.kind == syntax::Expr::Kind::kCall && e.name == "series_fit_line";
    bool sort = e.kind == syntax::Expr::Kind::kCall &&
                (e.name == "array_sort_asc" || e.name == "array_sort_desc");
    if ((!stats && !sort && !fit) || FindFunction(e.name) != nullptr) {
        if (!ne.tuple_names.empty()) {
            return Status::SemanticError(
                "only a function returning several columns (series_stats, series_fit_line, "
                "array_sort_asc, array_sort_desc) can be assigned to (name, ...)",
                ne.name_pos);
        }
        return out;
    }
    std::vector<BoundExprPtr> args;
    std::vector<const BoundExpr*> raw;
    for (const auto& a : e.args) {
        ASSIGN_OR_RETURN(BoundExprPtr b, BindScalar(*a, scope));
        raw.push_back(b.get());
        args.push_back(std::move(b));
    }
    std::vector<std::string> names;
    std::vector<BoundCall> calls;
    if (fit) {
        RETURN_IF_ERROR(functions::CheckSeriesFitLineArgs(raw, e.pos));
        std::string arg = InferColumnName(*e.args[0]);
        std::string prefix = !ne.name.empty() ? ne.name : "series_fit_line_" + arg;
        const auto& fit_names = functions::SeriesFitLineNames();
        for (size_t k = 0; k < fit_names.size(); ++k) {
            names.push_back(prefix + "_" + fit_names[k]);
            calls.push_back(functions::SeriesFitLineColumn(k));
        }
    } else if (stats) {
        RETURN_IF_ERROR(functions::CheckSeriesStatsArgs(raw, e.pos));
        std::string arg = InferColumnName(*e.args[0]);
        std::string prefix = !ne.name.empty() ? ne.name : "series_stats_" + arg;
        const auto& stat_names = functions::SeriesStatsNames();
        for (size_t k = 0; k < stat_names.size(); ++k) {
            names.push_back(prefix + "_" + stat_names[k]);
            calls.push_back(functions::SeriesStatsColumn(k));
        }
    } else {
        size_t n = functions::ArraySortArrays(raw);
        if (n < 2 && ne.tuple_names.empty()) return out;  // one array: an ordinary call
        if (e.args.empty()) {
            return Status::SemanticError("function " + e.name + "() expects an array", e.pos);
        }
        for (size_t k = 0; k < n; ++k) {
            if (raw[k]->type != core::Type::kDynamic) {
                return Status::SemanticError(e.name + "() expects dynamic arrays, got " +
                                                 std::string(core::TypeName(raw[k]->type)),
                                             e.args[k]->pos);
            }
            std::string arg = InferColumnName(*e.args[k]);
            names.push_back((arg.empty() ? "array" + std::to_string(k + 1) : arg) + "_sorted");
            calls.push_back(functions::ArraySortCall(e.name == "array_sort_asc", n, k));
        }
    }
    if (!ne.tuple_names.empty()) {
        if (ne.tuple_names.size() > names.size()) {
            return Status::SemanticError(e.name + "() yields " + std::to_string(names.size()) +
                                             " column(s), but " +
                                             std::to_string(ne.tuple_names.size()) +
                                             " names were given",
                                         ne.name_pos);
        }
        names.resize(ne.tuple_names.size());
        for (size_t k = 0; k < names.size(); ++k) names[k] = ne.tuple_names[k];
    }
    for (size_t k = 0; k < names.size(); ++k) {
        std::vector<BoundExprPtr> copy;
        for (const auto& a : args) copy.push_back(CloneBoundExpr(*a));
        ASSIGN_OR_RETURN(BoundExprPtr b, MakeCall(e.name, std::move(calls[k]), std::move(copy), e.pos));
        out.emplace_back(names[k], std::move(b));
    }
    return out;
}

}  // namespace calypso::kql
