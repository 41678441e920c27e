#include <string>

#include "kql/functions/cast.h"
#include "kql/functions/more_scalar.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Args = std::vector<const BoundExpr*>;

Result<BoundCall> BindRowNumber(const Args& a, const BindContext&, SourcePos pos) {
    if (!a.empty() && (!IsNumeric(a[0]->type) || a[0]->kind != BoundExpr::Kind::kConst)) {
        return Status::SemanticError("row_number() expects a constant numeric start", pos);
    }
    BoundCall c;
    c.type = Type::kLong;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        int64_t start = v.empty() || v[0].IsNull(0) ? 1 : v[0].I64(0);
        core::Column col(Type::kLong);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) col.AppendInt64(start + static_cast<int64_t>(i));
        return Vec::Own(std::move(col));
    };
    return c;
}

// prev(x, offset = 1, default = null) / next(...): the value `offset` rows away.
ScalarFunction Shift(bool forward) {
    return {
        1, 3, [forward](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a.size() > 1 && (!IsNumeric(a[1]->type) || a[1]->kind != BoundExpr::Kind::kConst)) {
                return Status::SemanticError("the offset must be a constant integer", pos);
            }
            Type t = a[0]->type == Type::kNull ? Type::kString : a[0]->type;
            BoundCall c;
            c.type = t;
            c.kernel = [forward, t](const std::vector<Vec>& v, size_t n) {
                int64_t off = v.size() > 1 && !v[1].IsNull(0) ? v[1].I64(0) : 1;
                Vec x = CastVec(v[0], t, n);
                Vec def = v.size() > 2 ? CastVec(v[2], t, n) : Vec::Const(core::Value(), t);
                core::Column col(t);
                col.Reserve(n);
                for (size_t i = 0; i < n; ++i) {
                    int64_t j = static_cast<int64_t>(i) + (forward ? off : -off);
                    if (j < 0 || j >= static_cast<int64_t>(n)) {
                        col.Append(CastValue(def.Get(i), t));
                    } else {
                        col.Append(CastValue(x.Get(static_cast<size_t>(j)), t));
                    }
                }
                return Vec::Own(std::move(col));
            };
            return c;
        }};
}

}  // namespace

bool IsWindowFunction(std::string_view name) {
    return name == "row_number" || name == "prev" || name == "next";
}

void AddWindowFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["row_number"] = {0, 2, BindRowNumber};
    r["prev"] = Shift(false);
    r["next"] = Shift(true);
}

}  // namespace calypso::kql::functions
