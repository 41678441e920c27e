// partition: the input's rows grouped by the key column (groups in order of first
// appearance), the subquery run over each group, the results concatenated.
#include <string>
#include <unordered_map>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;

class PartitionFunction final : public TableFunction {
  public:
    PartitionFunction(core::Schema input, size_t key, PlanNode* leaf) : key_(key), leaf_(leaf) {
        input_schema = std::move(input);
    }
    std::string Describe() const override {
        return "Partition by " + input_schema.fields[key_].name;
    }
    core::Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        Vec key = Vec::Borrow(&input.columns[key_]);
        std::unordered_map<std::string, size_t> ids;
        std::vector<std::vector<uint32_t>> groups;
        std::string buf;
        for (size_t i = 0; i < input.num_rows(); ++i) {
            buf.clear();
            EncodeKey(key, i, buf);
            auto [it, inserted] = ids.try_emplace(buf, groups.size());
            if (inserted) groups.emplace_back();
            groups[it->second].push_back(static_cast<uint32_t>(i));
        }
        PlanNode& sub = *ctx.node.inputs[0];
        Batch out = Batch::Empty(ctx.node.schema);
        MemoryCharge charge(ctx.governor, "partition");
        for (const auto& rows : groups) {
            RETURN_IF_ERROR(ctx.governor.Check());
            leaf_->values = ConformBatch(Gather(input, rows), leaf_->schema);
            // A fresh operator tree per partition: operators keep state within a run.
            ASSIGN_OR_RETURN(OpPtr op, BuildOperator(sub, ctx.source, ctx.opts));
            Status s = op->Run([&](const Batch& b) -> Status {
                RETURN_IF_ERROR(charge.Add(b.ByteSize()));
                AppendBatch(out, ConformBatch(b, ctx.node.schema));
                return Status::Ok();
            });
            if (!s.ok() && !IsStop(s)) return s;
        }
        leaf_->values = Batch::Empty(leaf_->schema);
        return out;
    }

  private:
    size_t key_;
    PlanNode* leaf_;
};

}  // namespace

std::shared_ptr<TableFunction> MakePartitionFunction(core::Schema input, size_t key,
                                                     PlanNode* leaf) {
    return std::make_shared<PartitionFunction>(std::move(input), key, leaf);
}

Batch ConformBatch(const Batch& b, const core::Schema& schema) {
    if (b.schema.fields == schema.fields) return b;
    Batch out;
    out.schema = schema;
    const size_t n = b.num_rows();
    for (const auto& f : schema.fields) {
        auto idx = b.schema.IndexOf(f.name);
        if (!idx) {
            out.columns.push_back(core::Column::Nulls(f.type, n));
            continue;
        }
        const core::Column& c = b.columns[*idx];
        if (c.type() == f.type) {
            out.columns.push_back(c);
            continue;
        }
        core::Column cast(f.type);
        cast.Reserve(n);
        for (size_t i = 0; i < n; ++i) cast.Append(functions::CastValue(c.Get(i), f.type));
        out.columns.push_back(std::move(cast));
    }
    return out;
}

}  // namespace calypso::kql
