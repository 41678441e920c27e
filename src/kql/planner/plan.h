#pragma once

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/schema.h"
#include "core/table_source.h"
#include "kql/binder/bound.h"
#include "kql/functions/aggregates.h"

namespace calypso::kql {

class TableFunction;  // kql/exec/table_function.h

// A logical plan node. Each node owns its input; `schema` is the node's output.
struct PlanNode {
    enum class Kind {
        kScan,        // table, time_column, scan_keys, scan_predicates, scan_time
        kValues,      // values (datatable, print)
        kFilter,      // predicate
        kProject,     // exprs[i] computes schema.fields[i]
        kAggregate,   // keys (schema fields [0, keys)), then aggregates
        kSort,        // sort_keys
        kTop,         // sort_keys, limit
        kLimit,       // limit
        kCount,       // one row: Count:long
        kJoin,        // input (left) joined with inputs[0] (right); see JoinSpec
        kUnion,       // inputs concatenated; see UnionSpec (input is null)
        kMvExpand,    // see MvExpandSpec
        kParse,       // exprs[0] the text; see ParseSpec
        kSerialize,   // the input as one batch (for row_number, prev, next)
        kMakeSeries,  // keys, aggregates, exprs[0] the axis; see SeriesSpec
        kTopNested,   // keys[i] / aggregates[i] per level; see TopNestedSpec
        kMvApply,     // exprs: the arrays to expand; inputs[0] the subquery; see MvApplySpec
        kMaterialize,  // materialize(input): rows kept in `cache`, shared by every use
        kTableFunction,  // the whole input to table_fn (evaluate, scan, partition); inputs:
                         // subqueries the function runs
    };
    struct Aggregate {
        const functions::AggregateFunction* fn = nullptr;
        std::string name;  // as written ("count", "dcount", ...), for explain
        std::vector<BoundExprPtr> args;
        core::Type type = core::Type::kNull;
    };
    struct SortKey {
        BoundExprPtr expr;
        bool ascending = false;
        bool nulls_first = false;
    };

    // kJoin. Output columns: left_cols of the left input, then right_cols of the right
    // input (indices into the inputs' schemas). Keys compare after casting to key_types.
    struct JoinSpec {
        enum class Kind {
            kInnerUnique,
            kInner,
            kLeftOuter,
            kRightOuter,
            kFullOuter,
            kLeftSemi,
            kLeftAnti,
            kRightSemi,
            kRightAnti,
        };
        Kind kind = Kind::kInnerUnique;
        std::vector<size_t> left_keys;
        std::vector<size_t> right_keys;
        std::vector<core::Type> key_types;
        std::vector<size_t> left_cols;
        std::vector<size_t> right_cols;
    };
    // kUnion. columns[i][c]: the column of inputs[i] giving output column c, or -1 for a
    // null fill. With `source_column`, output column 0 holds source_names[i].
    struct UnionSpec {
        std::vector<std::vector<int>> columns;
        bool source_column = false;
        std::vector<std::string> source_names;
    };

    // kMvExpand. The output is the input schema with columns[i] retyped to types[i]
    // (dynamic unless `to typeof()`), plus index_column (long) at the end when set.
    struct MvExpandSpec {
        std::vector<size_t> columns;
        std::vector<core::Type> types;
        int64_t limit = -1;
        bool index_column = false;
    };
    // kParse. `regex` (RE2 syntax, full match) has one group per capture; capture i goes to
    // output column targets[i] with type schema.fields[targets[i]].type. Other output
    // columns are the input's, by position. A failed match gives nulls ("" for strings).
    struct ParseSpec {
        std::string regex;
        std::vector<size_t> targets;
    };

    // kMakeSeries. Bins [from + k*step, from + (k+1)*step) for k < bins; axis values are
    // ticks (datetime, timespan) or numbers (as doubles when `real_axis`). Output: keys, one
    // dynamic array per aggregate (defaults[i] where a bin has no rows), the axis array.
    struct SeriesSpec {
        bool real_axis = false;
        int64_t from = 0;
        int64_t step = 1;
        double from_real = 0;
        double step_real = 1;
        size_t bins = 0;
        core::Type axis_type = core::Type::kDatetime;
        std::vector<core::Value> defaults;
        // No `from` / `to`: the first bin with data / the end of the last one, over all
        // series (from, bins and from_real are then set when the input has been read).
        bool infer_from = false;
        bool infer_to = false;
        double to_real = 0;
        int64_t to = 0;
    };

    // kTopNested. Level i keeps the limits[i] (-1: all) groups of keys[i] with the largest
    // (ascending[i]: smallest) aggregates[i] within each group kept by the level above.
    // Output: per level, the key then the aggregate.
    struct TopNestedSpec {
        std::vector<int64_t> limits;
        std::vector<bool> ascending;
        // `with others = v`: others[i] is the key value of level i's "others" row (null
        // Value: the level has none). See exec/top_nested.cc.
        std::vector<core::Value> others;
    };

    // kMvApply. For each input row, exprs[i] expand in parallel (as mv-expand: arrays to
    // their elements, cast to types[i]; at most `limit` rows; a long index column last when
    // index_column) into the rows of `rows`, a kValues leaf of the subquery inputs[0], which
    // is then run. Output: the input columns `kept`, then the subquery's columns.
    struct MvApplySpec {
        std::vector<core::Type> types;
        int64_t limit = -1;
        bool index_column = false;
        std::vector<size_t> kept;
        PlanNode* rows = nullptr;
    };

    // kMaterialize. Every use of one materialize() in a query is its own copy of the plan
    // below, all sharing one cache: the first to run fills it, the others replay it.
    struct MaterializeCache {
        std::mutex mu;
        bool done = false;
        core::Batch rows;
    };

    Kind kind = Kind::kValues;
    core::Schema schema;
    std::unique_ptr<PlanNode> input;
    std::vector<std::unique_ptr<PlanNode>> inputs;  // kJoin: the right side; kUnion: all
    JoinSpec join;
    UnionSpec union_spec;
    MvExpandSpec mv_expand;
    ParseSpec parse;
    SeriesSpec series;
    TopNestedSpec top_nested;
    MvApplySpec mv_apply;
    std::shared_ptr<MaterializeCache> cache;
    std::shared_ptr<TableFunction> table_fn;  // kTableFunction

    std::string table;
    // kScan of another workspace or app (`workspace("x").T`): where to read `table`, and the
    // reference as written (`workspace("x")`). Null / empty: the query's own source.
    const core::TableSource* source = nullptr;
    std::string resource;
    std::string time_column;
    // kScan. The schema is the table columns read, then one dynamic field per scan_keys
    // entry named "column.key", in that order (what TableSource::Scan returns).
    // scan_predicates and scan_time are hints the source may use to skip rows; a Filter
    // above the scan still decides which rows pass.
    std::vector<core::ScanKey> scan_keys;
    std::vector<core::ScanPredicate> scan_predicates;
    core::TimeRange scan_time;
    core::Batch values;
    BoundExprPtr predicate;
    std::vector<BoundExprPtr> exprs;
    std::vector<BoundExprPtr> keys;
    std::vector<Aggregate> aggregates;
    std::vector<SortKey> sort_keys;
    int64_t limit = 0;
    // On the root only: the `render` hint of the query ("" when none), and the result
    // table's name when the query gave it one (fork legs).
    std::string render;
    std::string result_name;
};
using PlanPtr = std::unique_ptr<PlanNode>;

// A scan's table as a query names it: `T`, or `workspace("x").T` for another resource's.
inline std::string QualifiedTableName(const PlanNode& scan) {
    return scan.resource.empty() ? scan.table : scan.resource + "." + scan.table;
}

// The name under which a scan returns `key`: "column.key".
inline std::string ScanKeyName(const core::ScanKey& key) { return key.OutputName(); }

// The time range a scan asks its source for: scan_time narrowed by the API's timespan,
// which applies only to tables with a time column.
inline core::TimeRange ScanTimeRange(const PlanNode& scan,
                                     const std::optional<core::TimeRange>& timespan) {
    core::TimeRange r = scan.scan_time;
    if (timespan && !scan.time_column.empty()) {
        r.min = std::max(r.min, timespan->min);
        r.max = std::min(r.max, timespan->max);
    }
    return r;
}

}  // namespace calypso::kql
