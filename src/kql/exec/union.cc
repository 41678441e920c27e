// Union: runs each input in turn and maps its batches onto the union's columns.
#include <string>
#include <vector>

#include "kql/exec/operator.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;

class UnionOp final : public Operator {
  public:
    UnionOp(PlanNode& node, std::vector<OpPtr> inputs) : node_(node), inputs_(std::move(inputs)) {}

    Status Run(const Sink& sink) override {
        const PlanNode::UnionSpec& spec = node_.union_spec;
        for (size_t i = 0; i < inputs_.size(); ++i) {
            const std::vector<int>& map = spec.columns[i];
            RETURN_IF_ERROR(inputs_[i]->Run([&](const Batch& b) -> Status {
                size_t n = b.num_rows();
                Batch out;
                out.schema = node_.schema;
                for (size_t c = 0; c < map.size(); ++c) {
                    if (map[c] >= 0) {
                        out.columns.push_back(b.columns[static_cast<size_t>(map[c])]);
                    } else if (c == 0 && spec.source_column) {
                        core::Column s(core::Type::kString);
                        s.Reserve(n);
                        for (size_t r = 0; r < n; ++r) s.AppendString(spec.source_names[i]);
                        out.columns.push_back(std::move(s));
                    } else {
                        out.columns.push_back(core::Column::Nulls(node_.schema.fields[c].type, n));
                    }
                }
                return sink(out);
            }));
        }
        return Status::Ok();
    }

  private:
    PlanNode& node_;
    std::vector<OpPtr> inputs_;
};

}  // namespace

OpPtr MakeUnionOp(PlanNode& node, std::vector<OpPtr> inputs) {
    return std::make_unique<UnionOp>(node, std::move(inputs));
}

}  // namespace calypso::kql
