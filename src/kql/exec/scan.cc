// scan: the docs' matching logic. Each record is checked against the steps from the last to
// the first; step k matches when its condition holds with the state of step k-1 (the
// sequence moves on to k: "check 1") or with its own state when it has an active sequence
// or is the first step ("check 2"). Conditions and assignments are evaluated on a one-row
// batch of the record and every step's state (ScanSpec::eval).
#include <optional>
#include <string>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Result;
using core::Status;
using core::Value;
using Row = std::vector<Value>;

// The state of one step: the sequence's match id and the latest record of each step up to
// this one (none: inactive).
struct StepState {
    bool active = false;
    int64_t match_id = 0;
    std::vector<std::optional<Row>> rows;
};

class ScanFunction final : public TableFunction {
  public:
    explicit ScanFunction(ScanSpec spec) : spec_(std::move(spec)) {
        for (size_t c = 0; c < spec_.num_input; ++c) input_schema.fields.push_back(spec_.record.fields[c]);
    }
    std::string Describe() const override {
        return "Scan steps=" + std::to_string(spec_.steps.size());
    }

    Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        for (auto& step : spec_.steps) {
            RETURN_IF_ERROR(ResolveColumns(*step.condition, spec_.eval));
            for (auto& [col, e] : step.assignments) RETURN_IF_ERROR(ResolveColumns(*e, spec_.eval));
        }
        const size_t nsteps = spec_.steps.size();
        std::vector<StepState> state(nsteps);
        std::vector<std::optional<std::pair<Row, int64_t>>> pending(nsteps);  // output=last
        out_ = Batch::Empty(ctx.node.schema);
        int64_t next_id = 0;
        auto flush = [&](size_t k) {
            if (pending[k]) Emit(pending[k]->first, pending[k]->second);
            pending[k].reset();
        };
        for (size_t r = 0; r < input.num_rows(); ++r) {
            if (r % 4096 == 0) RETURN_IF_ERROR(ctx.governor.Check());
            Row record;
            for (size_t c = 0; c < spec_.num_input; ++c) record.push_back(input.columns[c].Get(r));
            for (const auto& d : spec_.defaults) record.push_back(d);
            for (size_t k = nsteps; k-- > 0;) {
                const auto& step = spec_.steps[k];
                bool matched = false;
                if (k > 0 && state[k - 1].active) {
                    Batch b = EvalBatch(record, state[k - 1]);
                    if (Holds(*step.condition, b)) {
                        flush(k - 1);
                        flush(k);
                        StepState moved = std::move(state[k - 1]);
                        state[k - 1] = StepState{};
                        Row ext = Extend(record, step, b);
                        moved.rows.resize(nsteps);
                        moved.rows[k] = ext;
                        state[k] = std::move(moved);
                        Output(k, step, std::move(ext), state[k].match_id, pending);
                        matched = true;
                    }
                }
                if (!matched && (state[k].active || k == 0)) {
                    StepState empty;
                    const StepState& own = state[k].active ? state[k] : empty;
                    Batch b = EvalBatch(record, own);
                    if (Holds(*step.condition, b)) {
                        Row ext = Extend(record, step, b);
                        if (!state[k].active) {
                            state[k].active = true;
                            state[k].match_id = next_id++;
                            state[k].rows.assign(nsteps, std::nullopt);
                        }
                        state[k].rows[k] = ext;
                        Output(k, step, std::move(ext), state[k].match_id, pending);
                    }
                }
            }
        }
        for (size_t k = 0; k < nsteps; ++k) flush(k);
        return std::move(out_);
    }

  private:
    // One row: the record, then each step's state (the declared defaults where a step has
    // no record yet).
    Batch EvalBatch(const Row& record, const StepState& st) const {
        Batch b = Batch::Empty(spec_.eval);
        size_t c = 0;
        for (const auto& v : record) b.columns[c++].Append(v);
        const size_t width = spec_.record.size();
        for (size_t s = 0; s < spec_.steps.size(); ++s) {
            const Row* row = s < st.rows.size() && st.rows[s] ? &*st.rows[s] : nullptr;
            for (size_t i = 0; i < width; ++i) {
                if (row != nullptr) {
                    b.columns[c].Append((*row)[i]);
                } else if (i >= spec_.num_input) {
                    b.columns[c].Append(spec_.defaults[i - spec_.num_input]);
                } else {
                    b.columns[c].AppendNull();
                }
                ++c;
            }
        }
        return b;
    }
    static bool Holds(const BoundExpr& cond, const Batch& b) {
        Vec v = Evaluate(cond, b);
        if (v.type() == core::Type::kDynamic) {
            const auto& d = v.Dyn(0);
            return d.kind() == core::Dynamic::Kind::kBool && d.as_bool();
        }
        return !v.IsNull(0) && v.I64(0) != 0;
    }
    Row Extend(const Row& record, const ScanSpec::Step& step, const Batch& b) const {
        Row ext = record;
        for (const auto& [col, e] : step.assignments) {
            Vec v = Evaluate(*e, b);
            ext[col] = functions::CastValue(v.Get(0), spec_.record.fields[col].type);
        }
        return ext;
    }
    void Output(size_t k, const ScanSpec::Step& step, Row ext, int64_t id,
                std::vector<std::optional<std::pair<Row, int64_t>>>& pending) {
        switch (step.output) {
            case ScanSpec::Step::Output::kAll:
                Emit(ext, id);
                break;
            case ScanSpec::Step::Output::kLast:
                pending[k] = std::make_pair(std::move(ext), id);
                break;
            case ScanSpec::Step::Output::kNone:
                break;
        }
    }
    void Emit(const Row& row, int64_t id) {
        for (size_t c = 0; c < row.size(); ++c) out_.columns[c].Append(row[c]);
        if (spec_.match_id) out_.columns.back().AppendInt64(id);
    }

    ScanSpec spec_;
    Batch out_;
};

}  // namespace

std::shared_ptr<TableFunction> MakeScanFunction(ScanSpec spec) {
    return std::make_shared<ScanFunction>(std::move(spec));
}

}  // namespace calypso::kql
