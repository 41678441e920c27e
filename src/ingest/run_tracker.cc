#include "ingest/run_tracker.h"

#include <algorithm>

#include "core/time.h"
#include "ingest/eventgrid_fields.h"
#include "ingest/eventgrid_row_writer.h"

namespace calypso::ingest {
namespace {

using core::Dynamic;
using internal::MemberText;
using internal::MemberTextIgnoreCase;

bool IsRunEvent(const AmlEvent& ev) {
    return ev.event_type == kRunStatusChanged || ev.event_type == kRunCompleted;
}

// The descriptive fields an event carries, in the order of RunState::field_ranks.
struct EventFields {
    std::array<std::string, 8> text;
    Dynamic tags, properties;
};

constexpr std::array<std::string RunRecord::*, 8> kTextMembers = {
    &RunRecord::pipeline_run_id,     &RunRecord::experiment_id,
    &RunRecord::experiment_name,     &RunRecord::run_type,
    &RunRecord::step_type,           &RunRecord::node_id,
    &RunRecord::compute_target_type, &RunRecord::resource_id};

EventFields FieldsOf(const AmlEvent& ev) {
    const Dynamic& d = ev.data;
    const Dynamic* tags = d.Find("runTags");
    const Dynamic* props = d.Find("runProperties");
    const Dynamic none;
    auto node_id = [&] {
        std::string id = MemberTextIgnoreCase(tags ? *tags : none, "azureml.nodeid");
        return id.empty() ? MemberTextIgnoreCase(props ? *props : none, "azureml.nodeid") : id;
    };
    EventFields f;
    f.text = {internal::PipelineRunIdOf(d),
              MemberText(d, "experimentId"),
              MemberText(d, "experimentName"),
              MemberText(d, "runType"),
              MemberTextIgnoreCase(props ? *props : none, "stepType"),
              node_id(),
              MemberTextIgnoreCase(props ? *props : none, "computeTargetType"),
              ev.topic};
    auto non_empty = [](const Dynamic* v) {
        return v != nullptr && v->kind() == Dynamic::Kind::kObject && !v->as_object().empty();
    };
    if (non_empty(tags)) f.tags = *tags;
    if (non_empty(props)) f.properties = *props;
    return f;
}

void KeepEarliest(std::optional<int64_t>& slot, int64_t t) {
    if (!slot || t < *slot) slot = t;
}

core::TableBatch PipelineRunRows(const std::vector<std::pair<const RunRecord*, int64_t>>& rows) {
    internal::RowWriter w("PipelineRuns");
    for (const auto& [r, time] : rows) {
        w.Long("TimeGenerated", time);
        w.Str("RunId", r->run_id);
        w.Str("PipelineRunId", r->pipeline_run_id);
        w.Str("ExperimentId", r->experiment_id);
        w.Str("ExperimentName", r->experiment_name);
        w.Str("RunType", r->run_type);
        w.Str("StepName", r->step_name);
        w.Str("StepType", r->step_type);
        w.Str("NodeId", r->node_id);
        w.Str("ComputeTargetType", r->compute_target_type);
        w.Str("Status", r->status);
        if (r->queued_time) w.Long("QueuedTime", *r->queued_time);
        if (r->start_time) w.Long("StartTime", *r->start_time);
        if (r->end_time) w.Long("EndTime", *r->end_time);
        if (auto ms = r->ExecutionTimeMs()) w.Long("ExecutionTimeMs", *ms);
        w.Dyn("Tags", r->tags);
        w.Dyn("Properties", r->properties);
        w.Str("_ResourceId", r->resource_id);
        w.EndRow();
    }
    return w.Take();
}

}  // namespace

std::optional<int64_t> RunRecord::ExecutionTimeMs() const {
    if (!start_time || !end_time || *end_time < *start_time) return std::nullopt;
    return (*end_time - *start_time) / core::kTicksPerMillisecond;
}

void RunTracker::Merge(RunState& state, const AmlEvent& ev) {
    RunRecord& r = state.record;
    r.run_id = MemberText(ev.data, "runId");
    const std::string status = ev.event_type == kRunCompleted
                                   ? std::string("Completed")
                                   : internal::CanonicalRunStatus(MemberText(ev.data, "runStatus"));
    const bool terminal = internal::IsTerminalStatus(status);
    if (status == "Queued") KeepEarliest(r.queued_time, ev.time);
    if (status == "Running") KeepEarliest(r.start_time, ev.time);
    if (terminal) KeepEarliest(r.end_time, ev.time);

    const std::string key = ev.Key();
    auto status_rank = std::make_tuple(terminal, ev.time, key);
    if (r.status.empty() || status_rank > state.status_rank) {
        r.status = status;
        state.status_rank = std::move(status_rank);
    }

    // Each field keeps the value of the latest event that has one, whatever the order.
    const Rank rank{ev.time, key};
    EventFields f = FieldsOf(ev);
    for (size_t i = 0; i < kTextFields; ++i) {
        std::string& value = r.*kTextMembers[i];
        if (!f.text[i].empty() && (value.empty() || rank > state.field_ranks[i])) {
            value = std::move(f.text[i]);
            state.field_ranks[i] = rank;
        }
    }
    auto merge_dynamic = [&](Dynamic& value, Dynamic& incoming, Rank& field_rank) {
        if (!incoming.is_null() && (value.is_null() || rank > field_rank)) {
            value = std::move(incoming);
            field_rank = rank;
        }
    };
    merge_dynamic(r.tags, f.tags, state.field_ranks[kTextFields]);
    merge_dynamic(r.properties, f.properties, state.field_ranks[kTextFields + 1]);
}

core::Status RunTracker::Rebuild(const core::TableSource& source) {
    constexpr const char* kTable = "AmlEventGridEvent";
    if (!source.GetSchema(kTable).ok()) return core::Status::Ok();  // nothing stored yet
    core::ScanRequest request;
    request.table = kTable;
    request.columns = {"Id",        "Topic", "Subject",     "EventType",
                       "EventTime", "Data",  "DataVersion", "MetadataVersion"};
    std::lock_guard lock(mu_);
    return source.Scan(request, [&](const core::Batch& batch) {
        for (const AmlEvent& ev : EventsFromRows(batch)) {
            if (!seen_.insert(ev.Key()).second || !IsRunEvent(ev)) continue;
            Merge(runs_[MemberText(ev.data, "runId")], ev);
        }
        return core::Status::Ok();
    });
}

core::Result<RunIngestOutcome> RunTracker::Ingest(const std::vector<AmlEvent>& events) {
    std::lock_guard lock(mu_);
    RunIngestOutcome outcome;
    std::vector<AmlEvent> fresh;
    std::unordered_set<std::string> keys;
    // Changed runs are merged into copies, committed only once the rows are durable.
    std::unordered_map<std::string, RunState> changed;
    for (const AmlEvent& ev : events) {
        std::string key = ev.Key();
        if (seen_.contains(key) || !keys.insert(key).second) {
            ++outcome.duplicates;
            continue;
        }
        fresh.push_back(ev);
        if (!IsRunEvent(ev)) continue;
        const std::string run_id = MemberText(ev.data, "runId");
        auto it = changed.find(run_id);
        if (it == changed.end()) {
            auto existing = runs_.find(run_id);
            it = changed.emplace(run_id, existing == runs_.end() ? RunState{} : existing->second)
                     .first;
        }
        Merge(it->second, ev);
    }
    if (fresh.empty()) return outcome;

    std::vector<core::TableBatch> batches = EventRows(fresh);
    std::vector<std::pair<const RunRecord*, int64_t>> versions;
    const int64_t now = core::NowTicks();
    for (auto& [run_id, state] : changed) {
        auto existing = runs_.find(run_id);
        if (existing != runs_.end() && existing->second.record == state.record) continue;
        // Strictly increasing per run, so arg_max(TimeGenerated) picks the latest version
        // even when two land in the same tick or the clock steps back.
        state.version_time = std::max(now, state.version_time + 1);
        versions.emplace_back(&state.record, state.version_time);
    }
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.first->run_id < b.first->run_id; });
    if (!versions.empty()) batches.push_back(PipelineRunRows(versions));

    core::Status s = sink_.Append(std::move(batches));
    if (!s.ok()) return s;
    for (auto& ev : fresh) seen_.insert(ev.Key());
    for (auto& [run_id, state] : changed) runs_[run_id] = std::move(state);
    outcome.stored = fresh.size();
    outcome.runs_changed = versions.size();
    return outcome;
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

}  // namespace calypso::ingest
