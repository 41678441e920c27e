#include "kql/exec/group_aggregation.h"

#include <algorithm>
#include <cstring>

#include "kql/exec/evaluate.h"

namespace calypso::kql {

namespace {

// Estimated bytes per group beyond its key: hash table node, key column cells, ids.
constexpr size_t kGroupOverhead = 64;
constexpr size_t kMaxFixedKeys = 4;
constexpr uint64_t kUnknownId = UINT64_MAX;

// Keys FixedKeyTable can hold: numbers (int64 or double bits) and strings (interned).
bool FixedKeys(const PlanNode& node) {
    if (node.keys.size() < 2 || node.keys.size() > kMaxFixedKeys) return false;
    for (const auto& k : node.keys) {
        auto p = core::PhysicalOf(k->type);
        if (p != core::Physical::kInt64 && p != core::Physical::kDouble &&
            p != core::Physical::kString) {
            return false;
        }
    }
    return true;
}

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
    if (FixedKeys(node)) {
        fixed_ = std::make_unique<FixedKeyTable>(nkeys_ + 1);
        code_ids_.resize(nkeys_);
        words_.resize(nkeys_ + 1);
    }
    auto plain = [](const BoundExprPtr& e) {
        return e->kind == BoundExpr::Kind::kColumn || e->kind == BoundExpr::Kind::kConst;
    };
    selects_in_place_ = !fixed_ && std::all_of(node.keys.begin(), node.keys.end(), plain);
    for (const auto& a : node.aggregates) {
        selects_in_place_ = selects_in_place_ && std::all_of(a.args.begin(), a.args.end(), plain);
    }
    ResizeStates();
}

uint64_t GroupAggregation::StringId(size_t key, const Vec& v, size_t row) {
    auto intern = [&](std::string_view s) {
        auto it = string_ids_.find(s);
        if (it != string_ids_.end()) return it->second;
        string_bytes_ += s.size() + kGroupOverhead;
        return string_ids_.emplace(std::string(s), string_ids_.size()).first->second;
    };
    std::vector<uint64_t>& by_code = code_ids_[key];
    if (by_code.empty()) return intern(v.Str(row));
    uint64_t& id = by_code[v.column().codes()[row]];
    if (id == kUnknownId) id = intern(v.Str(row));
    return id;
}

void GroupAggregation::BatchKeyWords(const std::vector<Vec>& keys, size_t n) {
    const size_t width = nkeys_ + 1;
    batch_words_.assign(n * width, 0);
    uint64_t* out = batch_words_.data();
    for (size_t k = 0; k < nkeys_; ++k) {
        const Vec& v = keys[k];
        const uint64_t null_bit = uint64_t{1} << k;
        const auto phys = core::PhysicalOf(v.type());
        if (phys == core::Physical::kString) {
            for (size_t i = 0; i < n; ++i) out[i * width + k] = StringId(k, v, i);
        } else if (v.is_const()) {
            KeyWords(keys, 0);
            const uint64_t w = words_[k], nulls = words_[nkeys_] & null_bit;
            for (size_t i = 0; i < n; ++i) {
                out[i * width + k] = w;
                out[i * width + nkeys_] |= nulls;
            }
        } else {
            const auto valid = v.column().validity();
            for (size_t i = 0; i < n; ++i) {
                uint64_t w = 0;
                if (!valid[i]) {
                    out[i * width + nkeys_] |= null_bit;
                } else if (phys == core::Physical::kInt64) {
                    w = static_cast<uint64_t>(v.column().int64_at(i));
                } else {
                    const double d = v.column().double_at(i);
                    std::memcpy(&w, &d, sizeof w);
                }
                out[i * width + k] = w;
            }
        }
    }
}

void GroupAggregation::KeyWords(const std::vector<Vec>& keys, size_t row) {
    uint64_t nulls = 0;
    for (size_t k = 0; k < nkeys_; ++k) {
        const Vec& v = keys[k];
        uint64_t w = 0;
        switch (core::PhysicalOf(v.type())) {
            case core::Physical::kString:
                w = StringId(k, v, row);  // strings are never null: "" and null group together
                break;
            case core::Physical::kInt64:
                if (v.IsNull(row)) {
                    nulls |= uint64_t{1} << k;
                } else {
                    w = static_cast<uint64_t>(v.I64(row));
                }
                break;
            default: {
                if (v.IsNull(row)) {
                    nulls |= uint64_t{1} << k;
                } else {
                    const double d = v.F64(row);
                    std::memcpy(&w, &d, sizeof w);
                }
                break;
            }
        }
        words_[k] = w;
    }
    words_[nkeys_] = nulls;
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
    if (fixed_) {
        KeyWords(keys, row);
        bool added = false;
        const uint32_t g = fixed_->FindOrAdd(words_.data(), added);
        if (added) new_group();
        return g;
    }
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
    if (fixed_) key_bytes_ = fixed_->MemoryBytes() + string_bytes_ + num_groups_ * nkeys_ * 8;
    size_t held = key_bytes_;
    for (const auto& st : states_) held += st->MemoryBytes(num_groups_);
    return charge_.Set(held);
}

core::Status GroupAggregation::Add(const core::Batch& b, const std::vector<uint32_t>* rows) {
    if (rows != nullptr && !selects_in_place_) return Add(Gather(b, *rows));
    // Row j of this addition is row at(j) of b.
    auto at = [rows](size_t j) { return rows != nullptr ? (*rows)[j] : j; };
    const size_t n = rows != nullptr ? rows->size() : b.num_rows();
    ids_.assign(n, 0);
    std::vector<Vec> keys;
    for (const auto& e : node_.keys) keys.push_back(Evaluate(*e, b));
    for (size_t k = 0; k < code_ids_.size(); ++k) {
        // String ids by dictionary code, valid for this batch's dictionaries only.
        code_ids_[k].clear();
        if (!keys[k].is_const() && keys[k].column().is_dictionary()) {
            code_ids_[k].assign(keys[k].column().dictionary().size(), kUnknownId);
        }
    }
    if (nkeys_ == 1 && !keys[0].is_const() && keys[0].column().is_dictionary()) {
        // A dictionary-coded string key: one lookup per distinct value, then by code.
        const core::Column& col = keys[0].column();
        code_groups_.assign(col.dictionary().size(), kNoGroup);
        auto by_code = [&](auto codes) {
            for (size_t j = 0; j < n; ++j) {
                const size_t i = at(j);
                uint32_t& g = code_groups_[codes[i]];
                if (g == kNoGroup) g = GroupOf(keys, i);
                ids_[j] = g;
            }
        };
        if (const auto narrow = col.narrow_values(); !narrow.empty()) {
            by_code(narrow);  // one-byte codes: a quarter of the memory read
        } else {
            by_code(col.codes());
        }
    } else if (fixed_) {
        BatchKeyWords(keys, n);
        const size_t width = nkeys_ + 1;
        for (size_t i = 0; i < n; ++i) {
            const uint64_t* key = &batch_words_[i * width];
            // Rows in time order often repeat the previous row's key: no lookup then.
            if (i > 0 && std::equal(key, key + width, key - width)) {
                ids_[i] = ids_[i - 1];
                continue;
            }
            bool added = false;
            ids_[i] = fixed_->FindOrAdd(key, added);
            if (added) {
                for (size_t k = 0; k < nkeys_; ++k) AppendVecRow(key_cols_[k], keys[k], i);
                ++num_groups_;
            }
        }
    } else if (int_key_ && !keys[0].is_const() &&
               core::PhysicalOf(keys[0].column().type()) == core::Physical::kInt64) {
        // Rows in time order mostly repeat the previous row's key (bin(timestamp, 5m)):
        // no lookup then.
        const auto valid = keys[0].column().validity();
        const auto values = keys[0].column().int64s();
        for (size_t j = 0; j < n; ++j) {
            const size_t i = at(j);
            const size_t p = j > 0 ? at(j - 1) : 0;
            if (j > 0 && valid[i] && valid[p] && values[i] == values[p]) {
                ids_[j] = ids_[j - 1];
            } else {
                ids_[j] = GroupOf(keys, i);
            }
        }
    } else if (nkeys_ > 0) {
        for (size_t j = 0; j < n; ++j) ids_[j] = GroupOf(keys, at(j));
    }
    ResizeStates();
    for (size_t a = 0; a < states_.size(); ++a) {
        std::vector<Vec> args;
        for (const auto& e : node_.aggregates[a].args) {
            Vec v = Evaluate(*e, b);
            if (rows != nullptr && !v.is_const()) v = Vec::Own(GatherColumn(v.column(), *rows));
            args.push_back(std::move(v));
        }
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
        for (auto& ids : code_ids_) ids.clear();
        for (size_t g = 0; g < n; ++g) map[g] = GroupOf(keys, g);
    }
    ResizeStates();
    for (size_t a = 0; a < states_.size(); ++a) states_[a]->Merge(*later.states_[a], map.data(), n);
    // `later` gives its memory up: drop its states and keys.
    later.states_.clear();
    later.key_cols_.clear();
    later.int_groups_.clear();
    later.groups_.clear();
    later.fixed_.reset();
    later.string_ids_.clear();
    later.string_bytes_ = 0;
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
