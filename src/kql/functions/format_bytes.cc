// format_bytes(size [, precision [, units]]): a size in bytes as text in 1024-based units
// ("564 Bytes", "10.1 KB", "19 MB"), rounded to `precision` decimals (default 0); without
// units, the largest unit the size reaches.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

constexpr const char* kUnits[] = {"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"};

}  // namespace

void AddFormatBytes(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["format_bytes"] = {
        1, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            bool ok = (IsNumeric(a[0]->type) || a[0]->type == Type::kNull) &&
                      (a.size() < 2 || IsIntegral(a[1]->type) || a[1]->type == Type::kNull) &&
                      (a.size() < 3 || a[2]->type == Type::kString);
            if (!ok) {
                return Status::SemanticError(
                    "format_bytes() expects a number, an integer precision and a unit name", pos);
            }
            return RowCall(Type::kString, Type::kNull, [](const Vecs& v, size_t i) {
                if (v[0].IsNull(i)) return Value::String("");
                double size = v[0].F64(i);
                int64_t precision = v.size() > 1 && !v[1].IsNull(i) ? v[1].I64(i) : 0;
                if (precision < 0 || precision > 15 || !std::isfinite(size)) {
                    return Value::String("");
                }
                int unit = -1;
                if (v.size() > 2 && !v[2].Str(i).empty()) {
                    std::string want = Lower(v[2].Str(i));
                    for (int k = 0; k < 7; ++k) {
                        if (Lower(kUnits[k]) == want) unit = k;
                    }
                    if (unit < 0) return Value::String("");
                } else {
                    unit = 0;
                    while (unit < 6 && std::fabs(size) >= std::pow(1024.0, unit + 1)) ++unit;
                }
                double scale = std::pow(10.0, static_cast<double>(precision));
                double x = std::round(size / std::pow(1024.0, unit) * scale) / scale;
                if (x == 0) x = 0;  // no "-0"
                return Value::String(fmt::format("{} {}", x, kUnits[unit]));
            });
        }};
}

}  // namespace calypso::kql::functions
