#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/value.h"

namespace calypso::kql::syntax {

// Scalar expression node. One struct for all kinds keeps the tree easy to walk.
struct Expr {
    enum class Kind {
        kLiteral,  // value
        kName,     // name (a column, a let variable or a table)
        kUnary,    // op ("-", "+") with args[0]
        kBinary,   // op ("+", "==", "has", "!in", "and", ...) with args[0], args[1]
        kCall,     // name(args...)
        kMember,   // args[0].name  (also args[0].['name'])
        kIndex,    // args[0][args[1]]
        kIn,       // args[0] op (args[1..])  where op is in, !in, in~, !in~
        kBetween,  // args[0] op (args[1] .. args[2])  where op is between, !between
    };
    Kind kind = Kind::kLiteral;
    core::SourcePos pos;
    core::Value value;
    std::string name;
    std::string op;
    std::vector<std::unique_ptr<Expr>> args;
};
using ExprPtr = std::unique_ptr<Expr>;

// `name = expr` or just `expr` (name empty).
struct NamedExpr {
    std::string name;
    core::SourcePos name_pos;
    ExprPtr expr;
};

struct SortKey {
    ExprPtr expr;
    bool ascending = false;
    std::optional<bool> nulls_first;  // default depends on direction
};

struct Operator {
    enum class Kind {
        kWhere,
        kProject,
        kExtend,
        kProjectAway,
        kProjectRename,
        kSummarize,
        kSort,
        kTake,
        kTop,
        kCount,
        kDistinct,
        kRender,  // names[0]: the visualization ("timechart", ...)
    };
    Kind kind = Kind::kWhere;
    core::SourcePos pos;
    std::vector<NamedExpr> exprs;    // where: exprs[0]; project/extend; summarize aggregates
    std::vector<NamedExpr> by;       // summarize keys
    std::vector<SortKey> keys;       // sort / top
    ExprPtr count;                   // take / top
    std::vector<std::string> names;  // project-away; project-rename: pairs new, old
    std::vector<core::SourcePos> name_pos;
};

struct TabularExpr;

struct Source {
    enum class Kind { kTable, kDatatable, kPrint };
    Kind kind = Kind::kTable;
    core::SourcePos pos;
    std::string table;                                        // kTable
    std::vector<std::pair<std::string, core::Type>> columns;  // kDatatable
    std::vector<ExprPtr> values;                              // kDatatable, row-major
    std::vector<NamedExpr> print;                             // kPrint
};

struct TabularExpr {
    Source source;
    std::vector<Operator> ops;
};

// `let name = ...;` or a query expression. A let's value is a tabular expression when
// `tabular` is set, otherwise the scalar `scalar` (which may be a bare name that the binder
// resolves to a table).
struct Statement {
    bool is_let = false;
    std::string name;
    core::SourcePos pos;
    std::unique_ptr<TabularExpr> tabular;
    ExprPtr scalar;
};

struct Query {
    std::vector<Statement> statements;
};

}  // namespace calypso::kql::syntax
