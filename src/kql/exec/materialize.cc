// materialize(): the first use in a query runs its input and keeps the rows; every other use
// (a copy of the same plan) replays them.
#include <mutex>

#include "kql/exec/operator.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;

class MaterializeOp final : public Operator {
  public:
    MaterializeOp(PlanNode& node, OpPtr child) : node_(node), child_(std::move(child)) {}
    Status Run(const Sink& sink) override {
        PlanNode::MaterializeCache& cache = *node_.cache;
        Batch rows;
        {
            std::lock_guard<std::mutex> lock(cache.mu);
            if (!cache.done) {
                MemoryCharge charge(governor(), "materialize");
                ASSIGN_OR_RETURN(Batch all, Collect(*child_, node_.input->schema, charge));
                // The optimizer may have appended columns (scan keys) below: keep ours.
                cache.rows = Batch::Empty(node_.schema);
                for (size_t c = 0; c < node_.schema.size(); ++c) {
                    auto idx = all.schema.IndexOf(node_.schema.fields[c].name);
                    if (idx) cache.rows.columns[c] = all.columns[*idx];
                }
                if (all.num_rows() > 0 && cache.rows.num_rows() != all.num_rows()) {
                    return Status::Internal("materialize lost columns of its input");
                }
                cache.done = true;
            }
            rows = cache.rows;
        }
        if (rows.num_rows() == 0) return Status::Ok();
        return sink(rows);
    }

  private:
    PlanNode& node_;
    OpPtr child_;
};

}  // namespace

OpPtr MakeMaterializeOp(PlanNode& node, OpPtr child) {
    return std::make_unique<MaterializeOp>(node, std::move(child));
}

}  // namespace calypso::kql
