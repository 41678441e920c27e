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

Status CheckRestart(const Args& a, size_t i, std::string_view fn, SourcePos pos) {
    if (a.size() > i && a[i]->type != Type::kBool && a[i]->type != Type::kNull) {
        return Status::SemanticError(
            "the restart argument of " + std::string(fn) + "() must be bool", pos);
    }
    return Status::Ok();
}

// Row i restarts the numbering when the restart argument (args[at]) is true there.
bool Restarts(const std::vector<Vec>& v, size_t at, size_t i) {
    return v.size() > at && !v[at].IsNull(i) && v[at].I64(i) != 0;
}

Result<BoundCall> BindRowNumber(const Args& a, const BindContext&, SourcePos pos) {
    if (!a.empty() && (!IsNumeric(a[0]->type) || a[0]->kind != BoundExpr::Kind::kConst)) {
        return Status::SemanticError("row_number() expects a constant numeric start", pos);
    }
    RETURN_IF_ERROR(CheckRestart(a, 1, "row_number", pos));
    BoundCall c;
    c.type = Type::kLong;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        int64_t start = v.empty() || v[0].IsNull(0) ? 1 : v[0].I64(0);
        core::Column col(Type::kLong);
        col.Reserve(n);
        int64_t next = start;
        for (size_t i = 0; i < n; ++i) {
            if (Restarts(v, 1, i)) next = start;
            col.AppendInt64(next++);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

// row_cumsum(term [, restart]): the running sum; a null term adds nothing.
Result<BoundCall> BindRowCumsum(const Args& a, const BindContext&, SourcePos pos) {
    Type t = a[0]->type;
    if (!IsNumeric(t) && t != Type::kTimespan) {
        return Status::SemanticError(
            "row_cumsum() expects a number or timespan, got " + std::string(core::TypeName(t)),
            pos);
    }
    RETURN_IF_ERROR(CheckRestart(a, 1, "row_cumsum", pos));
    Type out = t == Type::kInt ? Type::kLong : t;
    BoundCall c;
    c.type = out;
    c.kernel = [out](const std::vector<Vec>& v, size_t n) {
        Vec x = CastVec(v[0], out, n);
        bool real = core::PhysicalOf(out) == core::Physical::kDouble;
        core::Column col(out);
        col.Reserve(n);
        int64_t isum = 0;
        double dsum = 0;
        for (size_t i = 0; i < n; ++i) {
            if (Restarts(v, 1, i)) isum = 0, dsum = 0;
            if (!x.IsNull(i)) {
                if (real) {
                    dsum += x.F64(i);
                } else {
                    isum += x.I64(i);
                }
            }
            if (real) {
                col.AppendDouble(dsum);
            } else {
                col.AppendInt64(isum);
            }
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

// row_rank_dense / row_rank_min (term [, restart]): the rank grows when the term differs
// from the previous row's; dense ranks count changes, min ranks are the row number (within
// the partition) where the run of equal terms began.
ScalarFunction Rank(bool dense) {
    return {1, 2, [dense](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(CheckRestart(a, 1, dense ? "row_rank_dense" : "row_rank_min", pos));
                BoundCall c;
                c.type = Type::kLong;
                c.kernel = [dense](const std::vector<Vec>& v, size_t n) {
                    core::Column col(Type::kLong);
                    col.Reserve(n);
                    int64_t rank = 0, row = 0;
                    for (size_t i = 0; i < n; ++i) {
                        bool restart = i == 0 || Restarts(v, 1, i);
                        if (restart) row = 0, rank = 0;
                        ++row;
                        if (restart || !(v[0].Get(i) == v[0].Get(i - 1))) {
                            rank = dense ? rank + 1 : row;
                        }
                        col.AppendInt64(rank);
                    }
                    return Vec::Own(std::move(col));
                };
                return c;
            }};
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

// row_window_session(expr, max_from_first, max_between_neighbors [, restart]): the value
// that started the row's session. A row starts a session when there is none (or the
// previous value was null), when it is at least max_from_first after the session's start
// or max_between_neighbors after the previous value, or when restart is true.
Result<BoundCall> BindRowWindowSession(const Args& a, const BindContext&, SourcePos pos) {
    if (a[0]->type != Type::kDatetime && a[0]->type != Type::kNull) {
        return Status::SemanticError("row_window_session() expects a datetime, got " +
                                         std::string(core::TypeName(a[0]->type)),
                                     pos);
    }
    for (size_t k = 1; k < 3; ++k) {
        if (a[k]->type != Type::kTimespan) {
            return Status::SemanticError(
                "row_window_session() expects timespan distances, got " +
                    std::string(core::TypeName(a[k]->type)),
                pos);
        }
    }
    RETURN_IF_ERROR(CheckRestart(a, 3, "row_window_session", pos));
    BoundCall c;
    c.type = Type::kDatetime;
    c.kernel = [](const std::vector<Vec>& v, size_t n) {
        Vec x = CastVec(v[0], Type::kDatetime, n);
        core::Column col(Type::kDatetime);
        col.Reserve(n);
        bool open = false;
        int64_t start = 0, prev = 0;
        for (size_t i = 0; i < n; ++i) {
            if (x.IsNull(i)) {
                open = false;
                col.AppendNull();
                continue;
            }
            int64_t t = x.I64(i);
            bool from_first = !v[1].IsNull(i) && t >= start + v[1].I64(i);
            bool neighbors = !v[2].IsNull(i) && t >= prev + v[2].I64(i);
            if (!open || from_first || neighbors || Restarts(v, 3, i)) {
                start = t;
                open = true;
            }
            prev = t;
            col.AppendInt64(start);
        }
        return Vec::Own(std::move(col));
    };
    return c;
}

bool IsWindowFunction(std::string_view name) {
    return name == "row_number" || name == "prev" || name == "next" || name == "row_cumsum" ||
           name == "row_rank_dense" || name == "row_rank_min" || name == "row_window_session";
}

void AddWindowFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["row_number"] = {0, 2, BindRowNumber};
    r["row_cumsum"] = {1, 2, BindRowCumsum};
    r["row_window_session"] = {3, 4, BindRowWindowSession};
    r["row_rank_dense"] = Rank(true);
    r["row_rank_min"] = Rank(false);
    r["prev"] = Shift(false);
    r["next"] = Shift(true);
}

}  // namespace calypso::kql::functions
