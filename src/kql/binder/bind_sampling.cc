// Binder::BindSampling: sample, sample-distinct and top-hitters, bound as the operators the
// docs define them by.
//   T | sample N                  -> extend k = rand() | top N by k | project-away k
//   T | sample-distinct N of c    -> summarize by c | sample N
//   T | top-hitters N of v [by s] -> summarize approximate_count_v = count() by v
//                                    (approximate_sum_s = sum(s)) | top N by it desc
// The counts and sums are exact (Kusto estimates them with a Count-Min sketch).
#include "kql/binder/binder.h"

namespace calypso::kql {
namespace {

using core::Result;
using core::Status;
using syntax::Expr;
using syntax::ExprPtr;
using K = syntax::Operator::Kind;

// A name no query column takes (the binder's own; project-away removes it again).
constexpr const char* kSampleKey = "$sample_key";

ExprPtr Clone(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->op = e.op;
    c->tabular = e.tabular;
    for (const auto& a : e.args) c->args.push_back(Clone(*a));
    return c;
}

ExprPtr MakeName(const std::string& name, core::SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kName;
    e->name = name;
    e->pos = pos;
    return e;
}

ExprPtr CallExpr(const std::string& name, core::SourcePos pos, ExprPtr arg = nullptr) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kCall;
    e->name = name;
    e->pos = pos;
    if (arg) e->args.push_back(std::move(arg));
    return e;
}

syntax::Operator TopBy(const syntax::Operator& op, const std::string& key) {
    syntax::Operator top;
    top.kind = K::kTop;
    top.pos = op.pos;
    top.count = Clone(*op.count);
    syntax::SortKey k;
    k.expr = MakeName(key, op.pos);
    top.keys.push_back(std::move(k));
    return top;
}

}  // namespace

Result<PlanPtr> Binder::BindSampling(const syntax::Operator& op, PlanPtr input) {
    if (op.kind == K::kSample) {
        syntax::Operator extend;
        extend.kind = K::kExtend;
        extend.pos = op.pos;
        syntax::NamedExpr key;
        key.name = kSampleKey;
        key.expr = CallExpr("rand", op.pos);
        extend.exprs.push_back(std::move(key));
        syntax::Operator away;
        away.kind = K::kProjectAway;
        away.pos = op.pos;
        away.names.push_back(kSampleKey);
        away.name_pos.push_back(op.pos);
        ASSIGN_OR_RETURN(input, BindOperator(extend, std::move(input)));
        ASSIGN_OR_RETURN(input, BindOperator(TopBy(op, kSampleKey), std::move(input)));
        return BindOperator(away, std::move(input));
    }
    const syntax::NamedExpr& of = op.exprs[0];
    std::string name = of.name.empty() ? InferColumnName(*of.expr) : of.name;
    if (of.name.empty() && of.expr->kind != Expr::Kind::kName) {
        return Status::SemanticError(
            std::string(op.kind == K::kTopHitters ? "top-hitters" : "sample-distinct") +
                " expects a column name after 'of'",
            of.expr->pos);
    }
    syntax::Operator summarize;
    summarize.kind = K::kSummarize;
    summarize.pos = op.pos;
    syntax::NamedExpr key;
    key.name = of.name;
    key.name_pos = of.name_pos;
    key.expr = Clone(*of.expr);
    summarize.by.push_back(std::move(key));
    if (op.kind == K::kSampleDistinct) {
        ASSIGN_OR_RETURN(input, BindOperator(summarize, std::move(input)));
        syntax::Operator sample;
        sample.kind = K::kSample;
        sample.pos = op.pos;
        sample.count = Clone(*op.count);
        return BindSampling(sample, std::move(input));
    }
    // top-hitters: the official parser's names (approximate_count_v / approximate_sum_s).
    syntax::NamedExpr agg;
    if (op.by.empty()) {
        agg.name = "approximate_count_" + name;
        agg.expr = CallExpr("count", op.pos);
    } else {
        agg.name = "approximate_sum_" + InferColumnName(*op.by[0].expr);
        agg.expr = CallExpr("sum", op.by[0].expr->pos, Clone(*op.by[0].expr));
    }
    agg.name_pos = op.pos;
    std::string agg_name = agg.name;
    summarize.exprs.push_back(std::move(agg));
    ASSIGN_OR_RETURN(input, BindOperator(summarize, std::move(input)));
    return BindOperator(TopBy(op, agg_name), std::move(input));
}

}  // namespace calypso::kql
