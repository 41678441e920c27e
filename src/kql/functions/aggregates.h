#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/status.h"
#include "core/value.h"
#include "kql/exec/vec.h"

namespace calypso::kql::functions {

// Estimated bytes of one hash-set entry beyond its key (node, bucket), for MemoryBytes.
inline constexpr size_t kSetEntryBytes = 48;

// Running state of one aggregate over all groups of a summarize. Update is called once
// per batch (no per-row virtual calls).
class AggregateState {
  public:
    virtual ~AggregateState() = default;
    // Makes room for `num_groups` groups (new groups start empty).
    virtual void Resize(size_t num_groups) = 0;
    // Adds rows [0, n) of the evaluated arguments to groups[row].
    virtual void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) = 0;
    // One value per group.
    virtual core::Column Finish(size_t num_groups) = 0;
    // Appends this aggregate's output columns to `out`: one (Finish) unless the aggregate
    // yields several, such as percentiles(x, 50, 95).
    // Receives the constant arguments once before the first Update (a null Value for each
    // argument that is not a constant), such as the percentages of percentile().
    virtual void SetConstants(const std::vector<core::Value>& /*constants*/) {}
    virtual void FinishInto(size_t num_groups, std::vector<core::Column>& out) {
        out.push_back(Finish(num_groups));
    }
    // Approximate bytes held for `num_groups` groups, for the query's memory budget.
    // Fixed-size states use the default; states that grow with their input (lists, sets,
    // distinct counts, percentiles, bags) count what they keep.
    virtual size_t MemoryBytes(size_t num_groups) const { return num_groups * 32; }

    // Partial aggregation (a summarize run on several threads): true when Merge works.
    // States that cannot merge keep their summarize serial.
    virtual bool Mergeable() const { return false; }
    // Folds `later` (made by the same function with the same arguments, over rows that
    // come after this state's in input order) into this state: group g of `later` goes to
    // group group_map[g] here, g < later_groups; this state already has room for them.
    // "First row wins" rules keep this state's rows. `later` may be left emptied.
    virtual void Merge(AggregateState& /*later*/, const uint32_t* /*group_map*/,
                       size_t /*later_groups*/) {}
};

struct AggregateFunction {
    std::string_view prefix;  // output name prefix: "count" -> count_, "sum" -> sum_x
    int min_args = 0;
    int max_args = 0;
    // Result type for the argument types; SemanticError at `pos` when they do not fit.
    std::function<core::Result<core::Type>(const std::vector<core::Type>&, core::SourcePos)>
        result_type;
    std::function<std::unique_ptr<AggregateState>(const std::vector<core::Type>&)> make;
};

// nullptr when `name` is not an aggregate function.
const AggregateFunction* FindAggregate(std::string_view name);

}  // namespace calypso::kql::functions
