#include "runs/run_event.h"

#include <cctype>

#include "core/time.h"

namespace calypso::runs {
namespace {

using core::Dynamic;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::string Text(const Dynamic* v) { return v == nullptr || v->is_null() ? "" : v->ToText(); }

std::string Member(const Dynamic& object, std::string_view key) { return Text(object.Find(key)); }

// Event payloads and the SDK's run details differ in key case.
std::string MemberIgnoreCase(const Dynamic* object, std::string_view key) {
    if (object == nullptr || object->kind() != Dynamic::Kind::kObject) return "";
    for (const auto& [k, v] : object->as_object()) {
        if (EqualsIgnoreCase(k, key)) return Text(&v);
    }
    return "";
}

bool NonEmptyObject(const Dynamic* v) {
    return v != nullptr && v->kind() == Dynamic::Kind::kObject && !v->as_object().empty();
}

}  // namespace

std::optional<int64_t> RunRecord::ExecutionTimeMs() const {
    if (!start_time || !end_time || *end_time < *start_time) return std::nullopt;
    return (*end_time - *start_time) / core::kTicksPerMillisecond;
}

std::string CanonicalStatus(std::string_view status) {
    // The SDK's RunStatus values, newest SDKs included.
    static constexpr std::string_view kKnown[] = {
        "NotStarted", "Queued",        "Preparing",       "Provisioning", "Starting",
        "Running",    "Finalizing",    "CancelRequested", "Completed",    "Failed",
        "Canceled",   "NotResponding", "Paused",          "Pausing",      "Unapproved"};
    for (std::string_view known : kKnown) {
        if (EqualsIgnoreCase(status, known)) return std::string(known);
    }
    if (EqualsIgnoreCase(status, "Cancelled")) return "Canceled";
    return std::string(status);
}

bool IsTerminal(std::string_view s) { return s == "Completed" || s == "Failed" || s == "Canceled"; }

RunEvent RunEventFrom(std::string key, int64_t time, std::string_view event_type,
                      std::string_view topic, const core::Dynamic& data) {
    RunEvent ev;
    ev.key = std::move(key);
    ev.time = time;
    ev.is_run = event_type == kRunStatusChanged || event_type == kRunCompleted;
    if (!ev.is_run) return ev;
    RunRecord& r = ev.fields;
    const Dynamic* tags = data.Find("runTags");
    const Dynamic* props = data.Find("runProperties");
    r.run_id = Member(data, "runId");
    r.status = event_type == kRunCompleted ? std::string("Completed")
                                           : CanonicalStatus(Member(data, "runStatus"));
    r.pipeline_run_id = MemberIgnoreCase(tags, "azureml.pipelinerunid");
    if (r.pipeline_run_id.empty())
        r.pipeline_run_id = MemberIgnoreCase(props, "azureml.pipelinerunid");
    r.experiment_id = Member(data, "experimentId");
    r.experiment_name = Member(data, "experimentName");
    r.run_type = Member(data, "runType");
    r.step_type = MemberIgnoreCase(props, "stepType");
    r.node_id = MemberIgnoreCase(tags, "azureml.nodeid");
    if (r.node_id.empty()) r.node_id = MemberIgnoreCase(props, "azureml.nodeid");
    r.compute_target_type = MemberIgnoreCase(props, "computeTargetType");
    r.resource_id = std::string(topic);
    if (NonEmptyObject(tags)) r.tags = *tags;
    if (NonEmptyObject(props)) r.properties = *props;
    return ev;
}

}  // namespace calypso::runs
