#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/column.h"
#include "core/status.h"
#include "kql/exec/fixed_key_table.h"
#include "kql/exec/governor.h"
#include "kql/exec/vec.h"
#include "kql/planner/plan.h"

namespace calypso::kql {

// The running state of one summarize (kAggregate node): its groups, in order of first
// appearance, and one AggregateState per aggregate. The serial summarize uses one; a
// parallel one gives each worker its own and merges them in input order.
class GroupAggregation {
  public:
    // REQUIRES: the node's keys and aggregate arguments resolved against its input.
    GroupAggregation(const PlanNode& node, QueryGovernor& governor);

    // Adds the rows of `b` (a batch of the node's input), or only its rows `rows` (a
    // filter's selection, in order), and charges what is held.
    core::Status Add(const core::Batch& b, const std::vector<uint32_t>* rows = nullptr);
    // Folds in `later`, built from rows that come after this one's in input order: its new
    // groups follow this one's, and "first row wins" rules keep this one's rows. `later`
    // is left empty.
    core::Status Merge(GroupAggregation& later);
    // The summarize's output; nullopt when there is no group.
    std::optional<core::Batch> Finish();

    // True when every aggregate of `node` can merge partial states.
    static bool Mergeable(const PlanNode& node);

  private:
    // The group of row `row` of the key vectors, made when new.
    uint32_t GroupOf(const std::vector<Vec>& keys, size_t row);
    // Several numeric or string keys as words for fixed_: numbers as their bits, strings
    // as interned ids, then a mask of the null keys.
    void KeyWords(const std::vector<Vec>& keys, size_t row);
    // The same for every row of a batch into batch_words_, one key column at a time.
    void BatchKeyWords(const std::vector<Vec>& keys, size_t n);
    uint64_t StringId(size_t key, const Vec& v, size_t row);
    void ResizeStates();
    core::Status Charge();

    const PlanNode& node_;
    size_t nkeys_;
    bool int_key_;
    // A selection is added in place (else gathered first): keys and aggregate arguments
    // are columns or constants, so nothing is computed for rows left out, and no
    // fixed-size key table (which reads whole batches).
    bool selects_in_place_ = false;
    std::vector<core::Column> key_cols_;
    std::vector<std::unique_ptr<functions::AggregateState>> states_;
    size_t num_groups_;
    size_t sized_groups_ = 0;  // groups the states have room for
    std::unordered_map<int64_t, uint32_t> int_groups_;
    int64_t null_group_ = -1;
    std::unordered_map<std::string, uint32_t> groups_;
    // Two to four numeric or string keys: a table of fixed-size keys instead of encoded
    // strings in groups_.
    std::unique_ptr<FixedKeyTable> fixed_;
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> string_ids_;
    std::vector<std::vector<uint64_t>> code_ids_;  // per key: dictionary code -> string id
    std::vector<uint64_t> words_;
    std::vector<uint64_t> batch_words_;
    size_t string_bytes_ = 0;
    std::string buf_;
    std::vector<uint32_t> ids_;
    static constexpr uint32_t kNoGroup = UINT32_MAX;
    std::vector<uint32_t> code_groups_;  // dictionary code -> group, for the current batch
    size_t key_bytes_ = 0;  // group keys: columns and hash table entries
    MemoryCharge charge_;
};

}  // namespace calypso::kql
