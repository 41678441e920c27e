// The kTableFunction operator: collects its input, hands it to the node's TableFunction and
// passes the result on.
#include "kql/exec/table_function.h"

#include "kql/exec/operator.h"
#include "kql/exec/table_functions.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;

class TableFunctionOp final : public Operator {
  public:
    TableFunctionOp(PlanNode& node, OpPtr child, const core::TableSource& source,
                    const ExecOptions& opts)
        : node_(node), child_(std::move(child)), source_(source), opts_(opts) {}
    Status Run(const Sink& sink) override {
        MemoryCharge charge(governor(), "evaluate/scan/partition");
        ASSIGN_OR_RETURN(Batch all, Collect(*child_, node_.input->schema, charge));
        TableFunction& fn = *node_.table_fn;
        if (all.schema.fields != fn.input_schema.fields) all = ConformBatch(all, fn.input_schema);
        TableFunctionContext ctx{node_, source_, opts_, governor()};
        ASSIGN_OR_RETURN(Batch out, fn.Run(all, ctx));
        RETURN_IF_ERROR(charge.Add(out.ByteSize()));
        if (out.num_rows() == 0) return Status::Ok();
        out.schema = node_.schema;
        return sink(out);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
    const core::TableSource& source_;
    ExecOptions opts_;
};

}  // namespace

std::unique_ptr<Operator> MakeTableFunctionOp(PlanNode& node, std::unique_ptr<Operator> child,
                                              const core::TableSource& source,
                                              const ExecOptions& opts) {
    return std::make_unique<TableFunctionOp>(node, std::move(child), source, opts);
}

}  // namespace calypso::kql
