// series_fit_line (as several columns, functions/multi_column.h) and series_fit_line_dynamic
// (one bag): least-squares line over x = 1..n, as the docs' example shows (its LineFit
// starts at slope + interception). variance and rvariance are sample variances (n - 1) of
// the values and of the residuals: the numbers of that example. Elements that are not
// numbers are skipped (their x is kept); fewer than two numbers give nulls.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/multi_column.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

struct LineFit {
    double rsquare = 0, slope = 0, variance = 0, rvariance = 0, interception = 0;
    std::vector<double> line;
};

std::optional<LineFit> Fit(const Dynamic& d) {
    if (d.kind() != Dynamic::Kind::kArray) return std::nullopt;
    std::vector<std::pair<double, double>> xy;
    const auto& xs = d.as_array();
    for (size_t k = 0; k < xs.size(); ++k) {
        const Dynamic& e = xs[k];
        if (e.kind() == Dynamic::Kind::kLong) {
            xy.emplace_back(static_cast<double>(k + 1), static_cast<double>(e.as_long()));
        } else if (e.kind() == Dynamic::Kind::kReal && std::isfinite(e.as_real())) {
            xy.emplace_back(static_cast<double>(k + 1), e.as_real());
        }
    }
    if (xy.size() < 2) return std::nullopt;
    auto n = static_cast<double>(xy.size());
    double mx = 0, my = 0;
    for (const auto& [x, y] : xy) {
        mx += x;
        my += y;
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (const auto& [x, y] : xy) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    LineFit f;
    f.slope = sxy / sxx;
    f.interception = my - f.slope * mx;
    double residual = 0;
    for (const auto& [x, y] : xy) {
        double r = y - (f.slope * x + f.interception);
        residual += r * r;
    }
    f.variance = syy / (n - 1);
    f.rvariance = residual / (n - 1);
    f.rsquare = syy == 0 ? 1 : 1 - residual / syy;
    for (size_t k = 0; k < xs.size(); ++k) {
        f.line.push_back(f.slope * static_cast<double>(k + 1) + f.interception);
    }
    return f;
}

Dynamic LineArray(const LineFit& f) {
    Dynamic::Array out;
    for (double v : f.line) out.push_back(Dynamic::Real(v));
    return Dynamic::MakeArray(std::move(out));
}

Value Stat(const std::optional<LineFit>& f, size_t k) {
    if (!f) return Value::Null(k == 5 ? Type::kDynamic : Type::kReal);
    switch (k) {
        case 0:
            return Value::Real(f->rsquare);
        case 1:
            return Value::Real(f->slope);
        case 2:
            return Value::Real(f->variance);
        case 3:
            return Value::Real(f->rvariance);
        case 4:
            return Value::Real(f->interception);
        default:
            return Value::FromDynamic(LineArray(*f));
    }
}

}  // namespace

const std::vector<std::string>& SeriesFitLineNames() {
    static const std::vector<std::string> kNames = {"rsquare",   "slope",        "variance",
                                                    "rvariance", "interception", "line_fit"};
    return kNames;
}

BoundCall SeriesFitLineColumn(size_t k) {
    return RowCall(k == 5 ? Type::kDynamic : Type::kReal, Type::kDynamic,
                   [k](const Vecs& v, size_t i) { return Stat(Fit(v[0].Dyn(i)), k); });
}

core::Status CheckSeriesFitLineArgs(const std::vector<const BoundExpr*>& args, SourcePos pos) {
    if (args.size() != 1) {
        return Status::SemanticError(
            "function series_fit_line() expects 1 argument(s), got " + std::to_string(args.size()),
            pos);
    }
    if (args[0]->type != Type::kDynamic && args[0]->type != Type::kNull) {
        return Status::SemanticError("series_fit_line() expects a dynamic array, got " +
                                         std::string(core::TypeName(args[0]->type)),
                                     pos);
    }
    return Status::Ok();
}

void AddSeriesFit(std::map<std::string, ScalarFunction, std::less<>>& r) {
    // Inside an expression (and as series_fit_line_dynamic): one bag of the six values.
    ScalarFunction bag = {
        1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(CheckSeriesFitLineArgs(a, pos));
            return RowCall(Type::kDynamic, Type::kDynamic, [](const Vecs& v, size_t i) {
                auto f = Fit(v[0].Dyn(i));
                if (!f) return Value::Null(Type::kDynamic);
                Dynamic::Object o;
                const auto& names = SeriesFitLineNames();
                for (size_t k = 0; k < 5; ++k)
                    o.emplace_back(names[k], Dynamic::Real(Stat(f, k).as_double()));
                o.emplace_back(names[5], LineArray(*f));
                return Value::FromDynamic(Dynamic::MakeObject(std::move(o)));
            });
        }};
    r["series_fit_line_dynamic"] = bag;
    r["series_fit_line"] = bag;
}

}  // namespace calypso::kql::functions
