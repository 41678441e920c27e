// series_fir and series_iir: finite and infinite impulse response filters over numeric
// arrays. Elements that are not numbers count as 0 (as values before the series start do).
#include <optional>
#include <vector>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
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

Value NullDyn() { return Value::Null(Type::kDynamic); }

// The numbers of an array (non-numbers as 0); nullopt when `d` is not an array.
std::optional<std::vector<double>> Numbers(const Dynamic& d) {
    if (d.kind() != Dynamic::Kind::kArray) return std::nullopt;
    std::vector<double> out;
    out.reserve(d.as_array().size());
    for (const auto& e : d.as_array()) {
        if (e.kind() == Dynamic::Kind::kLong) {
            out.push_back(static_cast<double>(e.as_long()));
        } else if (e.kind() == Dynamic::Kind::kReal) {
            out.push_back(e.as_real());
        } else {
            out.push_back(0);
        }
    }
    return out;
}

Value RealArray(const std::vector<double>& ys) {
    Dynamic::Array out;
    out.reserve(ys.size());
    for (double y : ys) out.push_back(Dynamic::Real(y));
    return Value::FromDynamic(Dynamic::MakeArray(std::move(out)));
}

Status NeedDynamic(const Args& a, size_t k, const char* fn, SourcePos pos) {
    if (a[k]->type == Type::kDynamic || a[k]->type == Type::kNull) return Status::Ok();
    return Status::SemanticError(std::string(fn) + "(): argument " + std::to_string(k + 1) +
                                     " must be a dynamic array, got " +
                                     std::string(core::TypeName(a[k]->type)),
                                 pos);
}

Status NeedBool(const Args& a, size_t k, const char* fn, SourcePos pos) {
    if (k >= a.size() || a[k]->type == Type::kBool || a[k]->type == Type::kNull) {
        return Status::Ok();
    }
    return Status::SemanticError(std::string(fn) + "(): argument " + std::to_string(k + 1) +
                                     " must be a bool, got " +
                                     std::string(core::TypeName(a[k]->type)),
                                 pos);
}

}  // namespace

void AddSeriesFilters(std::map<std::string, ScalarFunction, std::less<>>& r) {
    // y[i] = sum_k c[k] * x[i - k] (x[j] = 0 outside the series); `center` shifts the window
    // by (m - 1) / 2 so it is centred on i. `normalize` (default: true unless a coefficient
    // is negative) divides by the coefficients' sum; true with a negative one gives null.
    r["series_fir"] = {
        2, 4, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(NeedDynamic(a, 0, "series_fir", pos));
            RETURN_IF_ERROR(NeedDynamic(a, 1, "series_fir", pos));
            RETURN_IF_ERROR(NeedBool(a, 2, "series_fir", pos));
            RETURN_IF_ERROR(NeedBool(a, 3, "series_fir", pos));
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                auto xs = Numbers(v[0].Dyn(i));
                auto cs = Numbers(v[1].Dyn(i));
                if (!xs || !cs || cs->empty()) return NullDyn();
                bool negative = false;
                double sum = 0;
                for (double c : *cs) {
                    negative = negative || c < 0;
                    sum += c;
                }
                bool normalize = !negative;
                if (v.size() > 2 && !v[2].IsNull(i)) normalize = v[2].I64(i) != 0;
                bool center = v.size() > 3 && !v[3].IsNull(i) && v[3].I64(i) != 0;
                if (normalize && (negative || sum == 0)) return NullDyn();
                auto n = static_cast<int64_t>(xs->size());
                auto m = static_cast<int64_t>(cs->size());
                int64_t shift = center ? (m - 1) / 2 : 0;
                std::vector<double> ys(xs->size());
                for (int64_t k = 0; k < n; ++k) {
                    double y = 0;
                    for (int64_t j = 0; j < m; ++j) {
                        int64_t at = k + shift - j;
                        if (at >= 0 && at < n) {
                            y += (*cs)[static_cast<size_t>(j)] * (*xs)[static_cast<size_t>(at)];
                        }
                    }
                    ys[static_cast<size_t>(k)] = normalize ? y / sum : y;
                }
                return RealArray(ys);
            });
        }};
    // The docs' recursion: y[i] = (sum_k b[k] x[i-k] - sum_{k>=1} a[k] y[i-k]) / a[0];
    // a[0] == 0 gives null.
    r["series_iir"] = {3, 3,
                       [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                           for (size_t k = 0; k < 3; ++k)
                               RETURN_IF_ERROR(NeedDynamic(a, k, "series_iir", pos));
                           return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                               auto xs = Numbers(v[0].Dyn(i));
                               auto bs = Numbers(v[1].Dyn(i));
                               auto as = Numbers(v[2].Dyn(i));
                               if (!xs || !bs || !as || as->empty() || (*as)[0] == 0)
                                   return NullDyn();
                               std::vector<double> ys(xs->size());
                               for (size_t k = 0; k < xs->size(); ++k) {
                                   double y = 0;
                                   for (size_t j = 0; j < bs->size() && j <= k; ++j)
                                       y += (*bs)[j] * (*xs)[k - j];
                                   for (size_t j = 1; j < as->size() && j <= k; ++j)
                                       y -= (*as)[j] * ys[k - j];
                                   ys[k] = y / (*as)[0];
                               }
                               return RealArray(ys);
                           });
                       }};
}

}  // namespace calypso::kql::functions
