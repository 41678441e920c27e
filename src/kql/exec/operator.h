#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/status.h"
#include "core/table_source.h"
#include "kql/exec/executor.h"
#include "kql/exec/governor.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// Internal to exec/: the physical operators. An operator pushes its output batches into a
// sink; a sink error (or the stop marker) ends the run.
using Sink = std::function<core::Status(const core::Batch&)>;

class Operator {
  public:
    virtual ~Operator() = default;
    virtual core::Status Run(const Sink& sink) = 0;
    // The query's governor (set by BuildOperator): operators that hold rows charge them
    // here, long loops call Check().
    QueryGovernor& governor() const { return *governor_; }
    void set_governor(QueryGovernor* g) { governor_ = g; }

  private:
    QueryGovernor* governor_ = &QueryGovernor::Unlimited();
};
using OpPtr = std::unique_ptr<Operator>;

// Returned through the callbacks to end a run early (take, row cap); never escapes
// ExecutePlan.
core::Status StopStatus();
bool IsStop(const core::Status& s);

// Builds the operator tree for `node` (resolving column references).
core::Result<OpPtr> BuildOperator(PlanNode& node, const core::TableSource& source,
                                  const ExecOptions& opts);

// Runs `op` and concatenates its output into one batch with `schema`, charging the rows to
// `charge` (named after the operator that keeps them).
core::Result<core::Batch> Collect(Operator& op, const core::Schema& schema, MemoryCharge& charge);

// exec/join.cc and exec/union.cc.
OpPtr MakeJoinOp(PlanNode& node, OpPtr left, OpPtr right);
OpPtr MakeUnionOp(PlanNode& node, std::vector<OpPtr> inputs);
// exec/reshape.cc.
OpPtr MakeMvExpandOp(PlanNode& node, OpPtr child);
OpPtr MakeParseOp(PlanNode& node, OpPtr child);
OpPtr MakeSerializeOp(PlanNode& node, OpPtr child);
// exec/series.cc.
OpPtr MakeMakeSeriesOp(PlanNode& node, OpPtr child);
// exec/top_nested.cc.
OpPtr MakeTopNestedOp(PlanNode& node, OpPtr child);

}  // namespace calypso::kql
