#pragma once

#include <string>

#include "core/column.h"
#include "core/status.h"
#include "core/table_source.h"
#include "kql/exec/executor.h"
#include "kql/exec/governor.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// What a table function may use while it runs: its plan node (node.inputs are subqueries it
// may run with BuildOperator), the query's tables and options, and its governor.
struct TableFunctionContext {
    PlanNode& node;
    const core::TableSource& source;
    const ExecOptions& opts;
    QueryGovernor& governor;
};

// An operator that needs its whole input at once and computes its output from it: the
// evaluate plugins, scan, partition (a kTableFunction plan node). The input is collected
// (and charged to the query's budget) before Run; Run may charge more while it works and
// should call governor.Check() every kCheckEveryRows rows of a long loop.
class TableFunction {
  public:
    virtual ~TableFunction() = default;
    // One line for explain ("Evaluate narrow", "Scan steps=2", ...).
    virtual std::string Describe() const = 0;
    // The output rows, with node.schema, for `input` (the node's input schema).
    virtual core::Result<core::Batch> Run(const core::Batch& input, TableFunctionContext& ctx) = 0;

    // The input columns Run expects, by name (the optimizer may add columns below).
    core::Schema input_schema;
};

// exec/table_function.cc: the operator running node.table_fn.
class Operator;
std::unique_ptr<Operator> MakeTableFunctionOp(PlanNode& node, std::unique_ptr<Operator> child,
                                              const core::TableSource& source,
                                              const ExecOptions& opts);

}  // namespace calypso::kql
