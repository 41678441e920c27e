#pragma once

#include <functional>
#include <memory>
#include <optional>
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

// Per-batch work shared by the serial operators and the parallel fragments
// (exec/parallel.cc); each pushes its output (if any rows remain) into `sink`.
// The request ScanOp sends for `scan`; `filter_time` is set when the API timespan
// (`opts.time`) must be checked on the returned rows.
core::ScanRequest MakeScanRequest(const PlanNode& scan, const ExecOptions& opts,
                                  bool& filter_time);
// A batch the source returned, fitted to the scan's schema (rows outside `time` dropped
// when `filter_time`).
core::Status ScanStep(const PlanNode& scan, const std::optional<core::TimeRange>& time,
                      bool filter_time, const core::Batch& b, std::vector<uint32_t>& rows,
                      const Sink& sink);
core::Status FilterStep(const PlanNode& node, const core::Batch& b, std::vector<uint32_t>& rows,
                        const Sink& sink);
core::Status ProjectStep(const PlanNode& node, const core::Batch& b, const Sink& sink);
// True when `node` is a projection of its input's columns as they are (the optimizer puts
// one above a filter to drop the columns only the filter reads).
bool IsColumnPick(const PlanNode& node);
// FilterStep then ProjectStep of such a `pick` as one step: only the picked columns'
// rows are gathered.
core::Status FilterPickStep(const PlanNode& filter, const PlanNode& pick, const core::Batch& b,
                            std::vector<uint32_t>& rows, const Sink& sink);
// The rows of a batch a filter keeps, without gathering them: the batch and its rows.
using SelectedSink = std::function<core::Status(const core::Batch&, const std::vector<uint32_t>&)>;
// FilterStep (or FilterPickStep when `pick` is set) that hands a batch whose every row
// passed to `all` and one with dropped rows to `some` with the kept rows' indexes.
core::Status FilterSelectStep(const PlanNode& filter, const PlanNode* pick, const core::Batch& b,
                              std::vector<uint32_t>& rows, const Sink& all,
                              const SelectedSink& some);

// The rows a sort (limit < 0) or top-N keeps while its input arrives: O(limit) for top-N.
class SortBuffer {
  public:
    SortBuffer(const PlanNode& node, int64_t limit, QueryGovernor& governor)
        : node_(node), limit_(limit), all_(core::Batch::Empty(node.input->schema)),
          charge_(governor, limit < 0 ? "sort" : "top") {}
    core::Status Add(const core::Batch& b);
    // The kept rows in order, cut to the limit; `this` is emptied.
    core::Batch Finish();

  private:
    const PlanNode& node_;
    int64_t limit_;
    core::Batch all_;
    MemoryCharge charge_;
};
// Row order of `b` under node.sort_keys (ties: lower row first), cut to `limit` when >= 0.
std::vector<uint32_t> SortOrder(const PlanNode& node, const core::Batch& b, int64_t limit);
// Row order of `b` made of runs each already in SortOrder, starting at `run_starts`.
std::vector<uint32_t> MergeSortedRuns(const PlanNode& node, const core::Batch& b,
                                      const std::vector<size_t>& run_starts);

// True when an expression of `node` calls a window function (row_number, prev, next).
bool UsesWindowFunctions(const PlanNode& node);

// exec/parallel.cc. `node` run as a parallel fragment on opts.threads workers when it is
// a breaker (summarize with mergeable aggregates, count, sort, top, take) over a
// Scan -> (Filter | Project)* chain; nullptr otherwise.
OpPtr MakeParallelOp(PlanNode& node, const core::TableSource& source, const ExecOptions& opts);
// The same for a query whose root is such a chain: its first `cap` rows.
OpPtr MakeParallelRootOp(PlanNode& root, const core::TableSource& source, const ExecOptions& opts,
                         size_t cap);

// exec/join.cc and exec/union.cc.
OpPtr MakeJoinOp(PlanNode& node, OpPtr left, OpPtr right);
OpPtr MakeUnionOp(PlanNode& node, std::vector<OpPtr> inputs);
// exec/reshape.cc.
OpPtr MakeMvExpandOp(PlanNode& node, OpPtr child);
// What one cell expands to in mv-expand and mv-apply: array elements, one single-key bag per
// bag member, any other value itself (a null cell: one null row).
void ExpansionElements(const core::Dynamic& d, std::vector<core::Dynamic>& out);
OpPtr MakeParseOp(PlanNode& node, OpPtr child);
OpPtr MakeSerializeOp(PlanNode& node, OpPtr child);
// exec/series.cc.
OpPtr MakeMakeSeriesOp(PlanNode& node, OpPtr child);
// exec/top_nested.cc.
OpPtr MakeTopNestedOp(PlanNode& node, OpPtr child);
// exec/mv_apply.cc: runs node.inputs[0] once per input row.
OpPtr MakeMvApplyOp(PlanNode& node, OpPtr child, const core::TableSource& source,
                    const ExecOptions& opts);
// exec/materialize.cc.
OpPtr MakeMaterializeOp(PlanNode& node, OpPtr child);

}  // namespace calypso::kql
