#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/value.h"

namespace calypso::kql::syntax {

struct TabularExpr;

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
    // kCall toscalar(T) / kIn `x in (T)`: the tabular argument (shared: copies of the
    // expression read the same subquery).
    std::shared_ptr<TabularExpr> tabular;
};
using ExprPtr = std::unique_ptr<Expr>;

// `name = expr` or just `expr` (name empty).
struct NamedExpr {
    std::string name;
    core::SourcePos name_pos;
    ExprPtr expr;
    // `(a, b) = f(x)`: names for the columns of a call that yields several.
    std::vector<std::string> tuple_names;
};

struct SortKey {
    ExprPtr expr;
    bool ascending = false;
    std::optional<bool> nulls_first;  // default depends on direction
};

struct TabularExpr;

// One equality of a join's `on` clause: `on x` has left == right == "x".
struct JoinKey {
    std::string left;
    std::string right;
    core::SourcePos left_pos;
    core::SourcePos right_pos;
};

// One element of a parse pattern: a string constant, `*`, or a column with a type.
struct ParsePiece {
    enum class Kind { kLiteral, kWildcard, kColumn };
    Kind kind = Kind::kLiteral;
    std::string text;  // the literal, or the column name
    core::Type type = core::Type::kString;
    core::SourcePos pos;
};

// One step of `scan`: `step name [output=all|last|none]: condition [=> col = expr, ...];`.
struct ScanStepDef {
    std::string name;
    core::SourcePos pos;
    std::string output = "all";
    ExprPtr condition;
    std::vector<NamedExpr> assignments;
};

struct Operator {
    enum class Kind {
        kWhere,
        kProject,
        kExtend,
        kProjectAway,
        kProjectRename,
        kProjectKeep,     // names: columns or patterns (with '*')
        kProjectReorder,  // names: columns or patterns; level_asc[i] the order of a pattern's
                          // matches, types[i] kBool when given, kNull when not
        kSummarize,
        kSort,
        kTake,
        kTop,
        kCount,
        kDistinct,
        kRender,     // names[0]: the visualization ("timechart", ...)
        kJoin,       // mode, tabulars[0] the right side, on
        kLookup,     // mode, tabulars[0] the right side, on
        kUnion,      // mode, with_source, tabulars (the operands after the piped input)
        kMvExpand,   // names (+ name_pos), types (kNull: not given), count (limit), index
        kParse,      // mode, exprs[0] the source, pattern
        kSerialize,  // exprs: columns to extend
        kAs,         // names[0]
        kGetSchema,
        kMakeSeries,  // exprs (aggregates) + defaults, axis, from, to, step, by
        kTopNested,   // per level: level_counts[i] (null: all), exprs[i] the key, by[i] the
                      // aggregate, level_asc[i]
        kInvoke,      // exprs[0]: the call; the piped input is the first tabular argument
        kMvApply,     // exprs: `[name =] column [to typeof(T)]` (types[i]: kNull when not
                      // given), index_column, count (limit), tabulars[0] the subquery
        kSearch,      // search: exprs[0] the predicate (see SearchTerm)
        kEvaluate,    // exprs[0] the plugin call; columns: `: (OutputSchema)` when schema_given
        kScan,        // index_column (with_match_id), columns + defaults (declare), steps
        kPartition,   // by[0] the key, tabulars[0] the subquery; braces: the `{ }` form
        kFork,        // tabulars: the legs, names[i] a leg's name ("" when not given)
        kFacet,       // names: the columns; tabulars[0] the `with` subquery, when given
        kParseKv,     // exprs[0] the text, then the `with (name = value)` options (name set);
                      // columns: the keys and their types (name_pos per key)
        kReduce,      // mode: kind (`source` or ""), exprs[0] the text, then `threshold` /
                      // `characters` options as for kParseKv
        kSample,          // count
        kSampleDistinct,  // count, exprs[0] the column
        kTopHitters,      // count, exprs[0] the value (`name =` allowed), by[0] the summed value
        kFind,  // only as a source: with_source, tabulars (`in`), exprs[0] the predicate;
                // mode "project" (columns: name and type, kNull when not given;
                // schema_wildcard: pack_all()) or "" (project-smart); names: project-away
    };
    Kind kind = Kind::kWhere;
    core::SourcePos pos;
    std::vector<NamedExpr> exprs;    // where: exprs[0]; project/extend; summarize aggregates
    std::vector<NamedExpr> by;       // summarize keys
    std::vector<SortKey> keys;       // sort / top
    ExprPtr count;                   // take / top
    std::vector<std::string> names;  // project-away; project-rename: pairs new, old
    std::vector<core::SourcePos> name_pos;
    // join / lookup / union
    std::string mode;  // kind=...: "" when not given
    core::SourcePos mode_pos;
    std::vector<std::unique_ptr<TabularExpr>> tabulars;
    std::vector<JoinKey> on;
    std::string with_source;
    bool fuzzy = false;  // union isfuzzy=true
    // mv-expand
    std::vector<core::Type> types;
    std::string index_column;
    // parse; parse-where sets parse_where (rows that do not match are dropped)
    std::vector<ParsePiece> pattern;
    bool parse_where = false;
    // make-series: defaults[i] for exprs[i] (null when not given); from/to may be null.
    std::vector<ExprPtr> defaults;
    ExprPtr axis;
    ExprPtr from;
    ExprPtr to;
    ExprPtr step;
    // top-nested
    std::vector<ExprPtr> level_counts;
    std::vector<bool> level_asc;
    std::vector<ExprPtr> others;  // `with others = expr` per level (null: none)
    // evaluate `: (a:long, ...)` (schema_wildcard: starts with `*`); scan `declare (...)`
    std::vector<std::pair<std::string, core::Type>> columns;
    bool schema_given = false;
    bool schema_wildcard = false;
    std::vector<ScanStepDef> steps;
    bool braces = false;  // partition `{ subquery with its own source }`
};

// `workspace("x")` / `app("x")` / `[cluster("c").]database("x")` in front of a table name:
// the table of another resource (a database is a workspace: this server is one cluster).
struct ResourceRef {
    std::string function;  // "workspace", "app" or "database"; empty: the query's own tables
    std::string id;        // the identifier as written
    std::string cluster;   // database only: the `cluster("c")` in front, as written ("" if none)
    core::SourcePos pos;
    bool empty() const { return function.empty(); }
    // `workspace("x")`, as explain and union withsource show it.
    std::string Text() const {
        std::string t = function + "(\"" + id + "\")";
        return cluster.empty() ? t : "cluster(\"" + cluster + "\")." + t;
    }
};

struct Source {
    // kTable: a table or tabular let (may contain '*' wildcards inside a union), of another
    // workspace or app when `resource` is set;
    // kSubquery: a parenthesized tabular expression; kUnion: `union` as the first operator;
    // kRange: `range column from a to b step s`; kCall: a tabular function call;
    // kSearch: `search [in (T1, ...)] predicate` (search_op, tables in union_op->tabulars).
    // kFind: `find ...` (union_op: kind kFind, see Parser::ParseFind).
    enum class Kind { kTable, kDatatable, kPrint, kSubquery, kUnion, kRange, kCall, kSearch, kFind };
    Kind kind = Kind::kTable;
    core::SourcePos pos;
    std::string table;                                        // kTable
    ResourceRef resource;                                     // kTable
    std::vector<std::pair<std::string, core::Type>> columns;  // kDatatable
    std::vector<ExprPtr> values;                              // kDatatable, row-major
    std::vector<NamedExpr> print;                             // kPrint
    std::unique_ptr<TabularExpr> sub;                         // kSubquery
    std::unique_ptr<Operator> union_op;                       // kUnion
    std::string range_column;                                 // kRange: values[0..2]
    ExprPtr call;              // kCall: a tabular function call `f(args)` (of `resource`
                               // when set: workspace("x").F())
    bool materialize = false;  // kSubquery written as materialize(...)
};

struct TabularExpr {
    Source source;
    std::vector<Operator> ops;
};

// `let name = ...;` or a query expression. A let's value is a tabular expression when
// `tabular` is set, otherwise the scalar `scalar` (which may be a bare name that the binder
// resolves to a table).
struct FunctionDef;

struct Statement {
    bool is_let = false;
    std::string name;
    core::SourcePos pos;
    std::unique_ptr<TabularExpr> tabular;
    ExprPtr scalar;
    std::shared_ptr<const FunctionDef> function;  // `let f = (params) { body }`
};

// One parameter of a user-defined function: `name:type [= default]`, or a tabular
// parameter `T:(col:type, ...)` / `T:(*)`.
struct FunctionParam {
    std::string name;
    core::SourcePos pos;
    core::Type type = core::Type::kNull;
    bool tabular = false;
    std::vector<std::pair<std::string, core::Type>> columns;  // tabular: required columns
    ExprPtr default_value;                                    // null: required
};

// `(params) { let ...; result }`: the last body statement (is_let false) is the result,
// a tabular expression or a scalar expression (a bare name may still be a table).
struct FunctionDef {
    std::string name;
    core::SourcePos pos;
    std::vector<FunctionParam> params;
    std::vector<Statement> body;
    std::string params_text;  // as written, "(a:string, b:long=5)"
    std::string body_text;    // as written, "{ ... }"
    bool view = false;        // `let V = view () { ... }`: union wildcards match it
};

struct Query {
    std::vector<Statement> statements;
};

}  // namespace calypso::kql::syntax
