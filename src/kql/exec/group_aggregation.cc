#include "kql/exec/group_aggregation.h"

#include "kql/exec/evaluate.h"

namespace calypso::kql {

namespace {

// Estimated bytes per group beyond its key: hash table node, key column cells, ids.
constexpr size_t kGroupOverhead = 64;

std::unique_ptr<functions::AggregateState> MakeState(const PlanNode::Aggregate& a) {
    std::vector<core::Type> types;
    std::vector<core::Value> consts;
    for (const auto& e : a.args) {
        types.push_back(e->type);
        consts.push_back(e->kind == BoundExpr::Kind::kConst ? e->value : core::Value());
    }
    auto state = a.fn->make(types);
    state->SetConstants(consts);
    return state;
}

}  // namespace

GroupAggregation::GroupAggregation(const PlanNode& node, QueryGovernor& governor)
    : node_(node),
      nkeys_(node.keys.size()),
      int_key_(nkeys_ == 1 && core::PhysicalOf(node.keys[0]->type) == core::Physical::kInt64),
      num_groups_(nkeys_ == 0 ? 1 : 0),
      charge_(governor, "summarize") {
    for (size_t k = 0; k < nkeys_; ++k) key_cols_.emplace_back(node.schema.fields[k].type);
    for (const auto& a : node.aggregates) states_.push_back(MakeState(a));
    ResizeStates();
}

bool GroupAggregation::Mergeable(const PlanNode& node) {
    for (const auto& a : node.aggregates) {
        if (!MakeState(a)->Mergeable()) return false;
    }
    return true;
}

void GroupAggregation::ResizeStates() {
    if (sized_groups_ == num_groups_) return;
    for (auto& s : states_) s->Resize(num_groups_);
    sized_groups_ = num_groups_;
}

uint32_t GroupAggregation::GroupOf(const std::vector<Vec>& keys, size_t row) {
    auto new_group = [&] {
        for (size_t k = 0; k < nkeys_; ++k) AppendVecRow(key_cols_[k], keys[k], row);
        return static_cast<uint32_t>(num_groups_++);
    };
    if (nkeys_ == 0) return 0;
    if (int_key_) {
        const Vec& kv = keys[0];
        if (kv.IsNull(row)) {
            if (null_group_ < 0) null_group_ = new_group();
            return static_cast<uint32_t>(null_group_);
        }
        auto [it, inserted] = int_groups_.try_emplace(kv.I64(row), 0);
        if (inserted) it->second = new_group();
        return it->second;
    }
    buf_.clear();
    for (const auto& kv : keys) EncodeKey(kv, row, buf_);
    auto it = groups_.find(buf_);
    if (it == groups_.end()) {
        it = groups_.emplace(buf_, new_group()).first;
        key_bytes_ += 2 * buf_.size() + kGroupOverhead;
    }
    return it->second;
}

core::Status GroupAggregation::Charge() {
    if (int_key_) key_bytes_ = num_groups_ * kGroupOverhead;
    size_t held = key_bytes_;
    for (const auto& st : states_) held += st->MemoryBytes(num_groups_);
    return charge_.Set(held);
}

core::Status GroupAggregation::Add(const core::Batch& b) {
    size_t n = b.num_rows();
    ids_.assign(n, 0);
    std::vector<Vec> keys;
    for (const auto& e : node_.keys) keys.push_back(Evaluate(*e, b));
    if (nkeys_ == 1 && !keys[0].is_const() && keys[0].column().is_dictionary()) {
        // A dictionary-coded string key: one lookup per distinct value, then by code.
        const core::Column& col = keys[0].column();
        const auto codes = col.codes();
        code_groups_.assign(col.dictionary().size(), kNoGroup);
        for (size_t i = 0; i < n; ++i) {
            uint32_t& g = code_groups_[codes[i]];
            if (g == kNoGroup) g = GroupOf(keys, i);
            ids_[i] = g;
        }
    } else if (nkeys_ > 0) {
        for (size_t i = 0; i < n; ++i) ids_[i] = GroupOf(keys, i);
    }
    ResizeStates();
    for (size_t a = 0; a < states_.size(); ++a) {
        std::vector<Vec> args;
        for (const auto& e : node_.aggregates[a].args) args.push_back(Evaluate(*e, b));
        states_[a]->Update(args, ids_.data(), n);
    }
    return Charge();
}

core::Status GroupAggregation::Merge(GroupAggregation& later) {
    size_t n = later.num_groups_;
    std::vector<uint32_t> map(n, 0);
    if (nkeys_ > 0) {
        std::vector<Vec> keys;
        for (const auto& c : later.key_cols_) keys.push_back(Vec::Borrow(&c));
        for (size_t g = 0; g < n; ++g) map[g] = GroupOf(keys, g);
    }
    ResizeStates();
    for (size_t a = 0; a < states_.size(); ++a) states_[a]->Merge(*later.states_[a], map.data(), n);
    // `later` gives its memory up: drop its states and keys.
    later.states_.clear();
    later.key_cols_.clear();
    later.int_groups_.clear();
    later.groups_.clear();
    later.num_groups_ = 0;
    later.key_bytes_ = 0;
    RETURN_IF_ERROR(later.charge_.Set(0));
    return Charge();
}

std::optional<core::Batch> GroupAggregation::Finish() {
    if (num_groups_ == 0) return std::nullopt;
    core::Batch out;
    out.schema = node_.schema;
    for (auto& c : key_cols_) out.columns.push_back(std::move(c));
    for (auto& s : states_) s->FinishInto(num_groups_, out.columns);
    return out;
}

}  // namespace calypso::kql
