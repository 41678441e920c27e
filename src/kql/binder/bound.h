#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/resources.h"
#include "core/status.h"
#include "core/table_source.h"
#include "core/types.h"
#include "core/value.h"
#include "kql/exec/vec.h"
#include "kql/syntax/ast.h"

namespace calypso::kql {

class QueryGovernor;  // kql/exec/governor.h

// A scalar kernel: computes `rows` rows from its evaluated arguments. Kernels never fail;
// invalid inputs produce nulls, as in KQL.
using Kernel = std::function<Vec(const std::vector<Vec>& args, size_t rows)>;

// A bound (name-resolved, typed) scalar expression.
struct BoundExpr {
    enum class Kind { kConst, kColumn, kCall };
    Kind kind = Kind::kConst;
    core::Type type = core::Type::kNull;
    core::SourcePos pos;
    core::Value value;     // kConst
    std::string column;    // kColumn: name in the input schema
    size_t index = 0;      // kColumn: resolved against the input schema before execution
    std::string function;  // kCall: for messages and naming
    Kernel kernel;         // kCall
    std::vector<std::unique_ptr<BoundExpr>> args;
    // kCall: constants the kernel captured at bind time, kept so the optimizer and explain
    // can read them: the key of `.` (member access), the list of `in`, `!in`, `in~`, `!in~`.
    std::vector<core::Value> captured;
};
using BoundExprPtr = std::unique_ptr<BoundExpr>;

inline BoundExprPtr MakeConst(core::Value v, core::Type type, core::SourcePos pos = {}) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExpr::Kind::kConst;
    e->type = type;
    e->value = v.is_null() ? core::Value::Null(type) : std::move(v);
    e->pos = pos;
    return e;
}

inline BoundExprPtr MakeColumnRef(std::string name, core::Type type, core::SourcePos pos = {}) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExpr::Kind::kColumn;
    e->type = type;
    e->column = std::move(name);
    e->pos = pos;
    return e;
}

// A deep copy (kernels are shared).
inline BoundExprPtr CloneBoundExpr(const BoundExpr& e) {
    auto c = std::make_unique<BoundExpr>();
    c->kind = e.kind;
    c->type = e.type;
    c->pos = e.pos;
    c->value = e.value;
    c->column = e.column;
    c->index = e.index;
    c->function = e.function;
    c->kernel = e.kernel;
    c->captured = e.captured;
    for (const auto& a : e.args) c->args.push_back(CloneBoundExpr(*a));
    return c;
}

// A bound call: the result type and the kernel computing it.
struct BoundCall {
    core::Type type = core::Type::kNull;
    Kernel kernel;
};

// Stored functions by name (Engine::CreateFunction); immutable once shared.
using FunctionMap = std::map<std::string, std::shared_ptr<const syntax::FunctionDef>, std::less<>>;

// Per-query values functions may capture at bind time.
struct BindContext {
    // Not an aggregate, so `BindContext{now}` leaves the other members at their defaults.
    BindContext() = default;
    explicit BindContext(int64_t now) : now_ticks(now) {}

    int64_t now_ticks = 0;
    // Resolves `workspace("x").T` / `app("x").T`; null: every such reference is unknown.
    const core::ResourceResolver* resources = nullptr;
    // For the operators the binder runs to learn their output columns (Binder::RunAtBind):
    // the API's time range and the query's governor (null: no limits).
    std::optional<core::TimeRange> timespan;
    QueryGovernor* governor = nullptr;
};

}  // namespace calypso::kql
