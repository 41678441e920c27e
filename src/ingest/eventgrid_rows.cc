// Event rows for the raw tables, and reading them back at startup.

#include <cctype>

#include "core/time.h"
#include "ingest/eventgrid.h"
#include "ingest/eventgrid_fields.h"
#include "ingest/eventgrid_row_writer.h"

namespace calypso::ingest {
namespace internal {

using core::Dynamic;

namespace {

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

std::string Text(const Dynamic* v) {
    if (v == nullptr || v->is_null()) return "";
    return v->ToText();
}

}  // namespace

std::string MemberText(const Dynamic& object, std::string_view key) {
    return Text(object.Find(key));
}

std::string MemberTextIgnoreCase(const Dynamic& object, std::string_view key) {
    if (object.kind() != Dynamic::Kind::kObject) return "";
    for (const auto& [k, v] : object.as_object()) {
        if (EqualsIgnoreCase(k, key)) return Text(&v);
    }
    return "";
}

std::string CanonicalRunStatus(std::string_view status) {
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

bool IsTerminalStatus(std::string_view s) {
    return s == "Completed" || s == "Failed" || s == "Canceled";
}

std::string PipelineRunIdOf(const Dynamic& data) {
    constexpr std::string_view kKey = "azureml.pipelinerunid";
    for (const char* bag : {"runTags", "runProperties"}) {
        if (const Dynamic* d = data.Find(bag)) {
            std::string id = MemberTextIgnoreCase(*d, kKey);
            if (!id.empty()) return id;
        }
    }
    return "";
}

std::string TopicSegment(std::string_view topic, std::string_view name) {
    size_t pos = 0;
    while (pos < topic.size()) {
        size_t start = topic.find_first_not_of('/', pos);
        if (start == std::string_view::npos) break;
        size_t end = topic.find('/', start);
        if (end == std::string_view::npos) end = topic.size();
        if (EqualsIgnoreCase(topic.substr(start, end - start), name)) {
            size_t value = topic.find_first_not_of('/', end);
            if (value == std::string_view::npos) return "";
            size_t value_end = topic.find('/', value);
            if (value_end == std::string_view::npos) value_end = topic.size();
            return std::string(topic.substr(value, value_end - value));
        }
        pos = end;
    }
    return "";
}

}  // namespace internal

namespace {

using core::Dynamic;
using internal::MemberText;
using internal::RowWriter;

// The standard Log Analytics columns of an event's row.
void WriteStandard(RowWriter& w, std::string_view table, const AmlEvent& ev) {
    w.Long("TimeGenerated", ev.time);
    w.Str("Type", table);
    w.Str("SourceSystem", "Azure");
    w.Str("_ResourceId", ev.topic);
    w.Str("_SubscriptionId", internal::TopicSegment(ev.topic, "subscriptions"));
}

Dynamic MemberOrNull(const Dynamic& data, std::string_view key) {
    const Dynamic* v = data.Find(key);
    return v == nullptr ? Dynamic() : *v;
}

void WriteTime(RowWriter& w, std::string_view column, const Dynamic& data, std::string_view key) {
    const std::string text = MemberText(data, key);
    if (text.empty()) return;
    if (auto t = core::ParseDatetime(text); t.ok()) w.Long(column, *t);
}

}  // namespace

std::vector<core::TableBatch> EventRows(std::span<const AmlEvent> events) {
    RowWriter raw("AmlEventGridEvent"), status("AmlRunStatusChangedEvent"),
        registered("AmlModelRegisteredEvent"), deployed("AmlModelDeployedEvent"),
        drift("AmlDatasetDriftDetectedEvent");
    for (const AmlEvent& ev : events) {
        WriteStandard(raw, "AmlEventGridEvent", ev);
        raw.Str("Id", ev.id);
        raw.Str("Topic", ev.topic);
        raw.Str("Subject", ev.subject);
        raw.Str("EventType", ev.event_type);
        raw.Long("EventTime", ev.time);
        raw.Dyn("Data", ev.data);
        raw.Str("DataVersion", ev.data_version);
        raw.Str("MetadataVersion", ev.metadata_version);
        raw.EndRow();

        const Dynamic& d = ev.data;
        if (ev.event_type == kRunStatusChanged) {
            // Azure's resource-log twin of the event, so its published queries see these runs.
            WriteStandard(status, "AmlRunStatusChangedEvent", ev);
            const std::string run_id = MemberText(d, "runId");
            const std::string parent = internal::PipelineRunIdOf(d);
            const std::string run_status = MemberText(d, "runStatus");
            status.Str("RunId", run_id);
            status.Str("Status", run_status);
            status.Str("ParentRunId", parent);
            status.Str("RootRunId", parent.empty() ? run_id : parent);
            status.Str("WorkspaceName", internal::TopicSegment(ev.topic, "workspaces"));
            status.Str("OperationName", ev.event_type);
            status.Str("CorrelationId", ev.id);
            const bool failed = internal::CanonicalRunStatus(run_status) == "Failed";
            status.Str("Level", failed ? "Error" : "Informational");
            status.EndRow();
        } else if (ev.event_type == kModelRegistered) {
            WriteStandard(registered, "AmlModelRegisteredEvent", ev);
            registered.Str("EventId", ev.id);
            registered.Str("Subject", ev.subject);
            registered.Str("ModelName", MemberText(d, "ModelName"));
            registered.Str("ModelVersion", MemberText(d, "ModelVersion"));  // a number or a string
            registered.Dyn("ModelTags", MemberOrNull(d, "ModelTags"));
            registered.Dyn("ModelProperties", MemberOrNull(d, "ModelProperties"));
            registered.EndRow();
        } else if (ev.event_type == kModelDeployed) {
            WriteStandard(deployed, "AmlModelDeployedEvent", ev);
            deployed.Str("EventId", ev.id);
            deployed.Str("Subject", ev.subject);
            deployed.Str("ServiceName", MemberText(d, "ServiceName"));
            deployed.Str("ServiceComputeType", MemberText(d, "ServiceComputeType"));
            deployed.Str("ModelIds", MemberText(d, "ModelIds"));
            deployed.Dyn("ServiceTags", MemberOrNull(d, "ServiceTags"));
            deployed.Dyn("ServiceProperties", MemberOrNull(d, "ServiceProperties"));
            deployed.EndRow();
        } else if (ev.event_type == kDatasetDriftDetected) {
            WriteStandard(drift, "AmlDatasetDriftDetectedEvent", ev);
            drift.Str("EventId", ev.id);
            drift.Str("Subject", ev.subject);
            for (const char* key :
                 {"DataDriftId", "DataDriftName", "RunId", "BaseDatasetId", "TargetDatasetId"}) {
                drift.Str(key, MemberText(d, key));
            }
            if (const Dynamic* c = d.Find("DriftCoefficient")) {
                if (c->kind() == Dynamic::Kind::kReal) drift.Real("DriftCoefficient", c->as_real());
                if (c->kind() == Dynamic::Kind::kLong) {
                    drift.Real("DriftCoefficient", static_cast<double>(c->as_long()));
                }
            }
            WriteTime(drift, "StartTime", d, "StartTime");
            WriteTime(drift, "EndTime", d, "EndTime");
            drift.EndRow();
        }
    }
    std::vector<core::TableBatch> out;
    for (RowWriter* w : {&raw, &status, &registered, &deployed, &drift}) {
        if (w->rows() > 0) out.push_back(w->Take());
    }
    return out;
}

std::vector<AmlEvent> EventsFromRows(const core::Batch& batch) {
    const auto& schema = batch.schema;
    auto id = schema.IndexOf("Id"), topic = schema.IndexOf("Topic"),
         subject = schema.IndexOf("Subject"), type = schema.IndexOf("EventType"),
         time = schema.IndexOf("EventTime"), data = schema.IndexOf("Data"),
         data_version = schema.IndexOf("DataVersion"),
         metadata_version = schema.IndexOf("MetadataVersion");
    std::vector<AmlEvent> out;
    if (!id || !topic || !type || !time || !data) return out;
    auto text = [&](const std::optional<size_t>& c, size_t row) {
        return c ? std::string(batch.columns[*c].string_at(row)) : std::string();
    };
    for (size_t row = 0; row < batch.num_rows(); ++row) {
        const core::Column& t = batch.columns[*time];
        const core::Column& d = batch.columns[*data];
        if (t.IsNull(row) || d.IsNull(row) || batch.columns[*id].string_at(row).empty()) continue;
        AmlEvent ev;
        ev.id = text(id, row);
        ev.topic = text(topic, row);
        ev.subject = text(subject, row);
        ev.event_type = text(type, row);
        ev.time = t.int64_at(row);
        ev.data = d.dynamic_at(row);
        ev.data_version = text(data_version, row);
        ev.metadata_version = text(metadata_version, row);
        out.push_back(std::move(ev));
    }
    return out;
}

}  // namespace calypso::ingest
