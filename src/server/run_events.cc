#include "server/run_events.h"

namespace calypso::server {
namespace {

runs::RunEvent ToRunEvent(const ingest::AmlEvent& ev) {
    return runs::RunEventFrom(ev.Key(), ev.time, ev.event_type, ev.topic, ev.data);
}

std::vector<runs::RunEvent> ToRunEvents(const std::vector<ingest::AmlEvent>& events) {
    std::vector<runs::RunEvent> out;
    out.reserve(events.size());
    for (const auto& ev : events) out.push_back(ToRunEvent(ev));
    return out;
}

core::Status ReplayRows(runs::RunTracker& tracker, const core::TableSource& source) {
    core::ScanRequest request;
    request.table = "PipelineRuns";
    request.columns = {"RunId", "StepName", "TimeGenerated"};
    return source.Scan(request, [&](const core::Batch& batch) {
        auto id = batch.schema.IndexOf("RunId");
        auto name = batch.schema.IndexOf("StepName");
        auto time = batch.schema.IndexOf("TimeGenerated");
        if (!id || !name || !time) return core::Status::Ok();
        std::vector<runs::RunTracker::StoredRow> rows;
        rows.reserve(batch.num_rows());
        for (size_t i = 0; i < batch.num_rows(); ++i) {
            const core::Column& t = batch.columns[*time];
            rows.push_back({std::string(batch.columns[*id].string_at(i)),
                            std::string(batch.columns[*name].string_at(i)),
                            t.IsNull(i) ? 0 : t.int64_at(i)});
        }
        tracker.ReplayRows(rows);
        return core::Status::Ok();
    });
}

}  // namespace

core::Result<runs::RunIngestOutcome> IngestAmlEvents(runs::RunTracker& tracker,
                                                     const std::vector<ingest::AmlEvent>& events) {
    return tracker.Ingest(ToRunEvents(events), [&events](const std::vector<size_t>& fresh) {
        std::vector<ingest::AmlEvent> chosen;
        chosen.reserve(fresh.size());
        for (size_t i : fresh) chosen.push_back(events[i]);
        return ingest::EventRows(chosen);
    });
}

core::Status RebuildRuns(runs::RunTracker& tracker, const core::TableSource& source) {
    if (source.GetSchema("AmlEventGridEvent").ok()) {
        core::ScanRequest request;
        request.table = "AmlEventGridEvent";
        request.columns = {"Id",        "Topic", "Subject",     "EventType",
                           "EventTime", "Data",  "DataVersion", "MetadataVersion"};
        RETURN_IF_ERROR(source.Scan(request, [&](const core::Batch& batch) {
            tracker.Replay(ToRunEvents(ingest::EventsFromRows(batch)));
            return core::Status::Ok();
        }));
    }
    if (source.GetSchema("PipelineRuns").ok()) RETURN_IF_ERROR(ReplayRows(tracker, source));
    tracker.FinishReplay();
    return core::Status::Ok();
}

}  // namespace calypso::server
