#pragma once

// Three workspaces (default, ml, qa) over one in-memory store whose rows carry their
// workspace as a real store's do: App Insights rows in appId, Log Analytics rows in TenantId,
// PipelineRuns in neither. For the workspace view, query and Kusto handler tests.

#include <string>

#include "core/time.h"
#include "memory_source.h"
#include "temp_workspaces.h"

namespace calypso::server::testing {

inline const std::string kMlId = "11111111-1111-4111-8111-111111111111";
inline const std::string kQaId = "22222222-2222-4222-8222-222222222222";

inline std::vector<Workspace> MoreWorkspaces() {
    return {{"ml", kMlId, "11111111-0000-4000-8000-000000000001"},
            {"qa", kQaId, "22222222-0000-4000-8000-000000000002"}};
}

// traces: default x2 (one with an empty appId, as rows without a workspace), ml x3, qa x1.
// AmlComputeJobEvent: default x1, ml x2. PipelineRuns: 2 rows, no workspace column.
inline void FillWorkspaceStore(kql::testing::MemorySource& store) {
    using core::Type;
    const int64_t t0 = *core::ParseDatetime("2024-01-01T00:00:00Z");
    const std::string def(TempWorkspaces::kDefaultId);
    {
        core::Batch b = core::Batch::Empty(core::Schema{{{"timestamp", Type::kDatetime},
                                                         {"message", Type::kString},
                                                         {"severityLevel", Type::kInt},
                                                         {"appId", Type::kString},
                                                         {"appName", Type::kString}}});
        const std::vector<std::tuple<std::string, int, std::string, std::string>> rows = {
            {"d1", 1, def, "default"},  {"d2 err", 3, "", ""},      {"m1", 1, kMlId, "ml"},
            {"m2 err", 3, kMlId, "ml"}, {"m3 err", 3, kMlId, "ml"}, {"q1", 1, kQaId, "qa"}};
        int64_t t = t0;
        for (const auto& [message, level, app_id, app_name] : rows) {
            b.columns[0].AppendInt64(t += core::kTicksPerMinute);
            b.columns[1].AppendString(message);
            b.columns[2].AppendInt64(level);
            b.columns[3].AppendString(app_id);
            b.columns[4].AppendString(app_name);
        }
        store.AddTable("traces", std::move(b), "timestamp");
    }
    {
        core::Batch b = core::Batch::Empty(core::Schema{{{"TenantId", Type::kString},
                                                         {"TimeGenerated", Type::kDatetime},
                                                         {"SourceSystem", Type::kString},
                                                         {"_ResourceId", Type::kString},
                                                         {"JobName", Type::kString}}});
        const std::vector<std::pair<std::string, std::string>> rows = {
            {def, "train-a"}, {kMlId, "train-b"}, {kMlId, "score-b"}};
        int64_t t = t0;
        for (const auto& [tenant, job] : rows) {
            b.columns[0].AppendString(tenant);
            b.columns[1].AppendInt64(t += core::kTicksPerMinute);
            b.columns[2].AppendString("Azure");
            b.columns[3].AppendString(
                "/subscriptions/s/resourcegroups/g/providers/"
                "microsoft.machinelearningservices/workspaces/" +
                std::string(tenant == def ? "aml-default" : "aml-ml"));
            b.columns[4].AppendString(job);
        }
        store.AddTable("AmlComputeJobEvent", std::move(b), "TimeGenerated");
    }
    {
        core::Batch b = core::Batch::Empty(
            core::Schema{{{"TimeGenerated", Type::kDatetime}, {"RunId", Type::kString}}});
        for (const char* run : {"r1", "r2"}) {
            b.columns[0].AppendInt64(t0);
            b.columns[1].AppendString(run);
        }
        store.AddTable("PipelineRuns", std::move(b), "TimeGenerated");
    }
}

}  // namespace calypso::server::testing
