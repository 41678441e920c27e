#pragma once

// The table functions (exec/table_function.h) of partition, scan, reduce and the evaluate plugins,
// and the plugins' computations, which the binder also runs on rows it has read when the
// output columns depend on the data.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/status.h"
#include "kql/exec/table_function.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// partition (exec/partition.cc): node.inputs[0] runs over the rows of each distinct value
// of column `key` (first appearance order), its source `leaf` (a kValues node) holding them.
std::shared_ptr<TableFunction> MakePartitionFunction(core::Schema input, size_t key,
                                                     PlanNode* leaf);

// scan (exec/scan.cc). `record` is the input columns then the declared ones; expressions
// are bound against `eval`: the record, then for each step s and record column c a column
// "s.c" (the step's state).
struct ScanSpec {
    struct Step {
        std::string name;
        enum class Output { kAll, kLast, kNone } output = Output::kAll;
        BoundExprPtr condition;
        std::vector<std::pair<size_t, BoundExprPtr>> assignments;  // record column, value
    };
    core::Schema record;
    size_t num_input = 0;
    std::vector<core::Value> defaults;  // of the declared columns
    bool match_id = false;
    std::vector<Step> steps;
    core::Schema eval;
};
std::shared_ptr<TableFunction> MakeScanFunction(ScanSpec spec);

// reduce (exec/reduce.cc). Output: Pattern, Count, Representative; with `source` the input
// columns and Pattern.
struct ReduceSpec {
    core::Schema input;
    BoundExprPtr text;  // bound against `input`
    double threshold = 0.1;
    std::string characters;  // the term separators; empty: every character but a-z A-Z 0-9
    bool source = false;
};
std::shared_ptr<TableFunction> MakeReduceFunction(ReduceSpec spec);

// Conforms `b` to `schema` by column name: missing columns are null, types are cast.
core::Batch ConformBatch(const core::Batch& b, const core::Schema& schema);

// evaluate narrow() (exec/plugins.cc): Row:long, Column:string, Value:string per cell.
std::shared_ptr<TableFunction> MakeNarrowFunction();

// evaluate bag_unpack(column [, prefix] [, columnsConflict] [, ignoredProperties]).
struct BagUnpackSpec {
    enum class Conflict { kError, kReplaceSource, kKeepSource };
    size_t column = 0;
    std::string prefix;
    Conflict conflict = Conflict::kError;
    std::set<std::string> ignored;
    core::SourcePos pos;  // for the column-conflict error
};
// The unpacked rows; without `schema` the columns come from the data.
core::Result<core::Batch> BagUnpack(const core::Batch& in, const BagUnpackSpec& spec);
// With an output schema (`: (...)`): the rows conformed to `schema`.
std::shared_ptr<TableFunction> MakeBagUnpackFunction(BagUnpackSpec spec, core::Schema schema);

// evaluate pivot(column [, aggregate] [, key columns...]).
struct PivotSpec {
    size_t pivot = 0;
    std::vector<size_t> keys;
    const functions::AggregateFunction* fn = nullptr;
    std::vector<BoundExprPtr> args;  // bound against the input
    core::Type type = core::Type::kLong;
};
core::Result<core::Batch> Pivot(const core::Batch& in, const PivotSpec& spec);
std::shared_ptr<TableFunction> MakePivotFunction(PivotSpec spec, core::Schema schema);

}  // namespace calypso::kql
