#include "runs/run_rows.h"

namespace calypso::runs {
namespace {

using core::Type;

core::Schema PipelineRunsSchema() {
    core::Schema s;
    auto add = [&](const char* name, Type type) { s.fields.push_back({name, type}); };
    add("TimeGenerated", Type::kDatetime);
    for (const char* name : {"RunId", "PipelineRunId", "ExperimentId", "ExperimentName", "RunType",
                             "StepName", "StepType", "NodeId", "ComputeTargetType", "Status"}) {
        add(name, Type::kString);
    }
    add("QueuedTime", Type::kDatetime);
    add("StartTime", Type::kDatetime);
    add("EndTime", Type::kDatetime);
    add("ExecutionTimeMs", Type::kLong);
    add("Tags", Type::kDynamic);
    add("Properties", Type::kDynamic);
    add("_ResourceId", Type::kString);
    return s;
}

void Time(core::Column& c, const std::optional<int64_t>& t) {
    if (t) {
        c.AppendInt64(*t);
    } else {
        c.AppendNull();
    }
}

}  // namespace

core::TableBatch PipelineRunRows(const std::vector<std::pair<const RunRecord*, int64_t>>& rows) {
    core::Batch b = core::Batch::Empty(PipelineRunsSchema());
    auto& c = b.columns;
    for (const auto& [r, time] : rows) {
        c[0].AppendInt64(time);
        size_t i = 1;
        for (const std::string* text :
             {&r->run_id, &r->pipeline_run_id, &r->experiment_id, &r->experiment_name, &r->run_type,
              &r->step_name, &r->step_type, &r->node_id, &r->compute_target_type, &r->status}) {
            c[i++].AppendString(*text);
        }
        Time(c[11], r->queued_time);
        Time(c[12], r->start_time);
        Time(c[13], r->end_time);
        Time(c[14], r->ExecutionTimeMs());
        c[15].AppendDynamic(r->tags);
        c[16].AppendDynamic(r->properties);
        c[17].AppendString(r->resource_id);
    }
    return core::TableBatch{"PipelineRuns", std::move(b), 0};
}

}  // namespace calypso::runs
