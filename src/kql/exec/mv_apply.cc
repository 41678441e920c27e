// mv-apply: for each input row, the expanded arrays become the rows of the subquery's source
// (the kValues leaf `spec.rows`), the subquery runs over them, and its rows are emitted
// after the input row's kept columns.
#include <algorithm>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/operator.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Dynamic;
using core::Status;

class MvApplyOp final : public Operator {
  public:
    MvApplyOp(PlanNode& node, OpPtr child, const core::TableSource& source,
              const ExecOptions& opts)
        : node_(node), child_(std::move(child)), source_(source), opts_(opts) {}

    Status Run(const Sink& sink) override {
        const auto& spec = node_.mv_apply;
        PlanNode& sub = *node_.inputs[0];
        const size_t nexp = node_.exprs.size();
        std::vector<std::vector<Dynamic>> elems(nexp);
        return child_->Run([&](const Batch& b) -> Status {
            const size_t n = b.num_rows();
            std::vector<Vec> src;
            for (const auto& e : node_.exprs) {
                src.push_back(functions::CastVec(Evaluate(*e, b), core::Type::kDynamic, n));
            }
            Batch out = Batch::Empty(node_.schema);
            for (size_t i = 0; i < n; ++i) {
                size_t count = 0;
                for (size_t k = 0; k < nexp; ++k) {
                    ExpansionElements(src[k].Dyn(i), elems[k]);
                    count = std::max(count, elems[k].size());
                }
                if (spec.limit >= 0) count = std::min(count, static_cast<size_t>(spec.limit));
                Batch rows = Batch::Empty(spec.rows->schema);
                for (size_t j = 0; j < count; ++j) {
                    for (size_t k = 0; k < nexp; ++k) {
                        Dynamic v = j < elems[k].size() ? elems[k][j] : Dynamic();
                        core::Type t = spec.types[k];
                        if (t == core::Type::kDynamic) {
                            rows.columns[k].AppendDynamic(std::move(v));
                        } else {
                            rows.columns[k].Append(
                                functions::CastValue(core::Value::FromDynamic(std::move(v)), t));
                        }
                    }
                    if (spec.index_column) rows.columns.back().AppendInt64(static_cast<int64_t>(j));
                }
                spec.rows->values = std::move(rows);
                // A fresh operator tree per row: operators keep state within a run.
                ASSIGN_OR_RETURN(OpPtr op, BuildOperator(sub, source_, opts_));
                Status s = op->Run([&](const Batch& r) -> Status {
                    for (size_t x = 0; x < r.num_rows(); ++x) {
                        size_t c = 0;
                        for (size_t kept : spec.kept) out.columns[c++].AppendFrom(b.columns[kept], i);
                        for (const auto& col : r.columns) out.columns[c++].AppendFrom(col, x);
                    }
                    return Status::Ok();
                });
                if (!s.ok() && !IsStop(s)) return s;
                RETURN_IF_ERROR(governor().Check());
            }
            if (out.num_rows() == 0) return Status::Ok();
            return sink(out);
        });
    }

  private:
    PlanNode& node_;
    OpPtr child_;
    const core::TableSource& source_;
    ExecOptions opts_;
};

}  // namespace

OpPtr MakeMvApplyOp(PlanNode& node, OpPtr child, const core::TableSource& source,
                    const ExecOptions& opts) {
    return std::make_unique<MvApplyOp>(node, std::move(child), source, opts);
}

}  // namespace calypso::kql
