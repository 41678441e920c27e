#include "runs/run_tracker.h"

#include <algorithm>

#include "runs/run_rows.h"

namespace calypso::runs {
namespace {

using core::Dynamic;

// The descriptive fields, in the order of RunState::field_ranks.
constexpr std::array<std::string RunRecord::*, 8> kTextMembers = {
    &RunRecord::pipeline_run_id,     &RunRecord::experiment_id,
    &RunRecord::experiment_name,     &RunRecord::run_type,
    &RunRecord::step_type,           &RunRecord::node_id,
    &RunRecord::compute_target_type, &RunRecord::resource_id};

void KeepEarliest(std::optional<int64_t>& slot, int64_t t) {
    if (!slot || t < *slot) slot = t;
}

uint64_t HashOf(const std::string& run_id) { return std::hash<std::string>{}(run_id); }

}  // namespace

RunTracker::RunTracker(core::RowSink& sink, RunMetrics* metrics, RunTrackerOptions options)
    : sink_(sink), metrics_(metrics), options_(std::move(options)) {}

void RunTracker::Merge(RunState& state, const RunEvent& ev) {
    RunRecord& r = state.record;
    const RunRecord& f = ev.fields;
    r.run_id = f.run_id;
    const bool terminal = IsTerminal(f.status);
    if (f.status == "Queued") KeepEarliest(r.queued_time, ev.time);
    if (f.status == "Running") KeepEarliest(r.start_time, ev.time);
    if (terminal) KeepEarliest(r.end_time, ev.time);
    state.latest_event_time = std::max(state.latest_event_time, ev.time);

    auto status_rank = std::make_tuple(terminal, ev.time, ev.key);
    if (r.status.empty() || status_rank > state.status_rank) {
        r.status = f.status;
        state.status_rank = std::move(status_rank);
    }

    // Each field keeps the value of the latest event that has one, whatever the order.
    const Rank rank{ev.time, ev.key};
    for (size_t i = 0; i < kTextFields; ++i) {
        std::string& value = r.*kTextMembers[i];
        const std::string& incoming = f.*kTextMembers[i];
        if (!incoming.empty() && (value.empty() || rank > state.field_ranks[i])) {
            value = incoming;
            state.field_ranks[i] = rank;
        }
    }
    auto merge_dynamic = [&](Dynamic& value, const Dynamic& incoming, Rank& field_rank) {
        if (!incoming.is_null() && (value.is_null() || rank > field_rank)) {
            value = incoming;
            field_rank = rank;
        }
    };
    merge_dynamic(r.tags, f.tags, state.field_ranks[kTextFields]);
    merge_dynamic(r.properties, f.properties, state.field_ranks[kTextFields + 1]);
}

bool RunTracker::HasKey(const RunState& state, const std::string& key) const {
    return std::find(state.keys.begin(), state.keys.end(), key) != state.keys.end();
}

void RunTracker::AddKey(RunState& state, const std::string& key) const {
    state.keys.push_back(key);
    while (state.keys.size() > options_.max_keys_per_run) state.keys.pop_front();
}

bool RunTracker::Forgotten(const std::string& run_id) const {
    return !forgotten_.empty() && forgotten_.contains(HashOf(run_id));
}

void RunTracker::Forget(const std::string& run_id) {
    runs_.erase(run_id);
    const uint64_t h = HashOf(run_id);
    if (forgotten_.insert(h).second) forgotten_order_.push_back(h);
    while (forgotten_order_.size() > options_.max_forgotten) {
        forgotten_.erase(forgotten_order_.front());
        forgotten_order_.pop_front();
    }
}

void RunTracker::RememberOtherKey(const std::string& key) {
    if (!other_keys_.insert(key).second) return;
    other_order_.push_back(key);
    while (other_order_.size() > options_.max_other_keys) {
        other_keys_.erase(other_order_.front());
        other_order_.pop_front();
    }
}

void RunTracker::RememberPendingName(const StepName& name) {
    auto [it, inserted] = pending_names_.insert_or_assign(name.run_id, name.name);
    if (!inserted) return;
    pending_order_.push_back(name.run_id);
    while (pending_order_.size() > options_.max_pending_names) {
        pending_names_.erase(pending_order_.front());
        pending_order_.pop_front();
    }
}

void RunTracker::TakePendingName(RunState& state) const {
    if (!state.record.step_name.empty() || pending_names_.empty()) return;
    auto it = pending_names_.find(state.record.run_id);
    if (it != pending_names_.end()) state.record.step_name = it->second;
}

void RunTracker::NextVersion(RunState& state) const {
    // Strictly increasing per run, so arg_max(TimeGenerated) picks the latest version
    // even when events arrive out of order or a name is learned later.
    state.version_time = std::max(state.latest_event_time, state.version_time + 1);
}

void RunTracker::Observe(RunState& state, bool live) {
    if (metrics_ == nullptr) return;
    const RunRecord& r = state.record;
    if (!IsTerminal(r.status)) return;
    if (live && !state.counted) metrics_->CountFinished(r);
    state.counted = true;
    // A step's metrics are labelled with its name, so they wait for its logs; a completed
    // run waits for its start (Running may arrive after Completed).
    const bool ready = r.end_time && (r.IsPipeline() || !r.step_name.empty()) &&
                       (r.start_time || r.status != "Completed");
    if (state.observed || !ready) return;
    metrics_->ObserveFinished(r, live);
    state.observed = true;
}

void RunTracker::Evict(int64_t now, bool by_age) {
    if (by_age) {
        if (runs_.size() <= options_.max_runs && now - last_sweep_ < core::kTicksPerMinute) return;
        last_sweep_ = now;
        std::vector<std::string> gone;
        for (const auto& [id, s] : runs_) {
            if (IsTerminal(s.record.status) && now - s.last_change > options_.keep_finished_ticks) {
                gone.push_back(id);
            }
        }
        for (const auto& id : gone) Forget(id);
    }
    if (runs_.size() <= options_.max_runs) return;
    // Over the cap: the least recently changed go first, finished before unfinished, down
    // to 90% so that the sweep is not repeated on every call.
    std::vector<std::tuple<bool, int64_t, std::string>> order;
    for (const auto& [id, s] : runs_) {
        order.emplace_back(!IsTerminal(s.record.status), s.last_change, id);
    }
    std::sort(order.begin(), order.end());
    const size_t target = options_.max_runs - options_.max_runs / 10;
    for (size_t i = 0; i < order.size() && runs_.size() > target; ++i) {
        Forget(std::get<2>(order[i]));
    }
}

void RunTracker::Replay(std::span<const RunEvent> events) {
    std::lock_guard lock(mu_);
    std::vector<RunState*> touched;
    for (const RunEvent& ev : events) {
        if (!ev.is_run) {
            RememberOtherKey(ev.key);
            continue;
        }
        if (Forgotten(ev.fields.run_id)) continue;
        RunState& state = runs_[ev.fields.run_id];
        if (HasKey(state, ev.key)) continue;
        AddKey(state, ev.key);
        Merge(state, ev);
        TakePendingName(state);
        state.version_time = std::max(state.version_time, state.latest_event_time);
        state.last_change = state.latest_event_time;
        touched.push_back(&state);
    }
    for (RunState* s : touched) Observe(*s, false);
    Evict(options_.now(), false);  // only the cap: names and versions are still to come
}

void RunTracker::ReplayRows(std::span<const StoredRow> rows) {
    std::lock_guard lock(mu_);
    for (const StoredRow& row : rows) {
        auto it = runs_.find(row.run_id);
        if (it == runs_.end()) {
            if (!row.step_name.empty() && !Forgotten(row.run_id)) {
                RememberPendingName({row.run_id, row.step_name});
            }
            continue;
        }
        RunState& state = it->second;
        state.version_time = std::max(state.version_time, row.time_generated);
        if (row.step_name.empty() || state.record.step_name == row.step_name) continue;
        state.record.step_name = row.step_name;
        Observe(state, false);
    }
}

void RunTracker::FinishReplay() {
    std::lock_guard lock(mu_);
    Evict(options_.now(), true);
}

core::Result<RunIngestOutcome> RunTracker::Ingest(std::span<const RunEvent> events,
                                                  const RawRows& raw_rows) {
    std::lock_guard lock(mu_);
    RunIngestOutcome outcome;
    std::vector<size_t> fresh;
    std::unordered_set<std::string> keys;
    // Changed runs are merged into copies, committed only once the rows are durable.
    std::unordered_map<std::string, RunState> changed;
    for (size_t i = 0; i < events.size(); ++i) {
        const RunEvent& ev = events[i];
        bool seen = keys.contains(ev.key);
        RunState* state = nullptr;
        if (!seen && ev.is_run) {
            const std::string& run_id = ev.fields.run_id;
            auto it = changed.find(run_id);
            if (it == changed.end() && !Forgotten(run_id)) {
                auto existing = runs_.find(run_id);
                it =
                    changed.emplace(run_id, existing == runs_.end() ? RunState{} : existing->second)
                        .first;
            }
            seen = it == changed.end() || HasKey(it->second, ev.key);
            if (!seen) state = &it->second;
        } else if (!seen) {
            seen = other_keys_.contains(ev.key);
        }
        if (seen) {
            ++outcome.duplicates;
            continue;
        }
        keys.insert(ev.key);
        fresh.push_back(i);
        if (state != nullptr) {
            AddKey(*state, ev.key);
            Merge(*state, ev);
            TakePendingName(*state);
        }
    }
    if (fresh.empty()) return outcome;

    std::vector<core::TableBatch> batches = raw_rows(fresh);
    std::vector<std::pair<const RunRecord*, int64_t>> versions;
    for (auto& [run_id, state] : changed) {
        auto existing = runs_.find(run_id);
        if (existing != runs_.end() && existing->second.record == state.record) continue;
        NextVersion(state);
        versions.emplace_back(&state.record, state.version_time);
    }
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.first->run_id < b.first->run_id; });
    if (!versions.empty()) batches.push_back(PipelineRunRows(versions));

    core::Status s = sink_.Append(std::move(batches));
    if (!s.ok()) return s;
    const int64_t now = options_.now();
    for (size_t i : fresh) {
        if (!events[i].is_run) RememberOtherKey(events[i].key);
    }
    for (auto& [run_id, state] : changed) {
        pending_names_.erase(run_id);  // taken, or the run has its name already
        state.last_change = now;
        RunState& kept = runs_[run_id] = std::move(state);
        Observe(kept, true);
    }
    outcome.stored = fresh.size();
    outcome.runs_changed = versions.size();
    Evict(now, true);
    return outcome;
}

core::Result<size_t> RunTracker::LearnStepNames(std::span<const StepName> names) {
    std::lock_guard lock(mu_);
    std::unordered_map<std::string, RunState> changed;
    std::vector<const StepName*> pending;
    for (const StepName& n : names) {
        auto it = runs_.find(n.run_id);
        if (it == runs_.end()) {
            if (!Forgotten(n.run_id)) pending.push_back(&n);
            continue;
        }
        if (it->second.record.step_name == n.name) continue;
        RunState& state = changed.try_emplace(n.run_id, it->second).first->second;
        state.record.step_name = n.name;
    }
    for (const StepName* n : pending) RememberPendingName(*n);
    if (changed.empty()) return size_t{0};

    std::vector<std::pair<const RunRecord*, int64_t>> versions;
    for (auto& [run_id, state] : changed) {
        NextVersion(state);
        versions.emplace_back(&state.record, state.version_time);
    }
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.first->run_id < b.first->run_id; });
    std::vector<core::TableBatch> batches;
    batches.push_back(PipelineRunRows(versions));
    RETURN_IF_ERROR(sink_.Append(std::move(batches)));
    const int64_t now = options_.now();
    for (auto& [run_id, state] : changed) {
        state.last_change = now;
        RunState& kept = runs_[run_id] = std::move(state);
        Observe(kept, true);
    }
    return versions.size();
}

std::optional<RunRecord> RunTracker::Find(std::string_view run_id) const {
    std::lock_guard lock(mu_);
    auto it = runs_.find(std::string(run_id));
    if (it == runs_.end()) return std::nullopt;
    return it->second.record;
}

size_t RunTracker::run_count() const {
    std::lock_guard lock(mu_);
    return runs_.size();
}

size_t RunTracker::remembered_keys() const {
    std::lock_guard lock(mu_);
    size_t n = other_keys_.size();
    for (const auto& [id, s] : runs_) n += s.keys.size();
    return n;
}

}  // namespace calypso::runs
