#include "ingest/tables.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/types.h"

namespace calypso::ingest {
namespace {

using core::Type;

Type TypeOf(const TableDef& t, std::string_view column) {
    auto i = t.schema.IndexOf(column);
    EXPECT_TRUE(i.has_value()) << t.name << "." << column;
    return i ? t.schema.fields[*i].type : Type::kNull;
}

TEST(Tables, NamesAreUniqueAndTimeColumnsAreDatetimes) {
    std::set<std::string> names;
    for (const TableDef& t : BuiltinTables()) {
        EXPECT_TRUE(names.insert(t.name).second) << t.name;
        EXPECT_EQ(TypeOf(t, t.time_column), Type::kDatetime) << t.name;
        std::set<std::string> columns;
        for (const auto& f : t.schema.fields) {
            EXPECT_TRUE(columns.insert(f.name).second) << t.name << "." << f.name;
            EXPECT_NE(f.type, Type::kNull);
        }
        EXPECT_EQ(FindBuiltinTable(t.name), &t);
    }
    EXPECT_EQ(FindBuiltinTable("Traces"), nullptr);
    EXPECT_EQ(FindBuiltinTable("nope"), nullptr);
}

TEST(Tables, AppInsightsClassicSchemas) {
    const char* common[] = {"itemType",
                            "itemId",
                            "iKey",
                            "appName",
                            "appId",
                            "sdkVersion",
                            "application_Version",
                            "cloud_RoleName",
                            "cloud_RoleInstance",
                            "operation_Id",
                            "operation_ParentId",
                            "operation_Name",
                            "operation_SyntheticSource",
                            "session_Id",
                            "user_Id",
                            "user_AuthenticatedId",
                            "user_AccountId",
                            "client_Type",
                            "client_Model",
                            "client_OS",
                            "client_IP",
                            "client_City",
                            "client_StateOrProvince",
                            "client_CountryOrRegion",
                            "client_Browser"};
    for (const char* name : {"traces", "customEvents", "customMetrics", "exceptions", "requests",
                             "dependencies", "pageViews", "availabilityResults"}) {
        const TableDef* t = FindBuiltinTable(name);
        ASSERT_NE(t, nullptr) << name;
        EXPECT_EQ(t->time_column, "timestamp");
        EXPECT_EQ(t->schema.fields[0].name, "timestamp");
        EXPECT_EQ(TypeOf(*t, "timestamp"), Type::kDatetime);
        EXPECT_EQ(TypeOf(*t, "customDimensions"), Type::kDynamic);
        for (const char* c : common) EXPECT_EQ(TypeOf(*t, c), Type::kString) << name << "." << c;
        bool metrics = std::string_view(name) == "customMetrics";
        EXPECT_EQ(t->schema.IndexOf("itemCount").has_value(), !metrics) << name;
        EXPECT_EQ(t->schema.IndexOf("customMeasurements").has_value(), !metrics) << name;
        if (!metrics) {
            EXPECT_EQ(TypeOf(*t, "itemCount"), Type::kInt);
            EXPECT_EQ(TypeOf(*t, "customMeasurements"), Type::kDynamic);
        }
    }
    const TableDef& traces = *FindBuiltinTable("traces");
    EXPECT_EQ(TypeOf(traces, "message"), Type::kString);
    EXPECT_EQ(TypeOf(traces, "severityLevel"), Type::kInt);
    const TableDef& metrics = *FindBuiltinTable("customMetrics");
    EXPECT_EQ(TypeOf(metrics, "value"), Type::kReal);
    EXPECT_EQ(TypeOf(metrics, "valueCount"), Type::kInt);
    for (const char* c : {"valueSum", "valueMin", "valueMax", "valueStdDev"}) {
        EXPECT_EQ(TypeOf(metrics, c), Type::kReal);
    }
    const TableDef& exceptions = *FindBuiltinTable("exceptions");
    EXPECT_EQ(TypeOf(exceptions, "details"), Type::kDynamic);
    EXPECT_EQ(TypeOf(exceptions, "severityLevel"), Type::kInt);
    for (const char* c :
         {"problemId", "handledAt", "type", "assembly", "method", "message", "outerType",
          "outerMessage", "outerAssembly", "outerMethod", "innermostType", "innermostMessage",
          "innermostAssembly", "innermostMethod"}) {
        EXPECT_EQ(TypeOf(exceptions, c), Type::kString) << c;
    }
    for (const char* name : {"requests", "dependencies", "availabilityResults"}) {
        const TableDef& t = *FindBuiltinTable(name);
        EXPECT_EQ(TypeOf(t, "success"), Type::kString);
        EXPECT_EQ(TypeOf(t, "duration"), Type::kReal);
        EXPECT_EQ(TypeOf(t, "performanceBucket"), Type::kString);
    }
    EXPECT_EQ(TypeOf(*FindBuiltinTable("requests"), "resultCode"), Type::kString);
    EXPECT_EQ(TypeOf(*FindBuiltinTable("dependencies"), "target"), Type::kString);
    EXPECT_EQ(TypeOf(*FindBuiltinTable("pageViews"), "url"), Type::kString);
    EXPECT_EQ(TypeOf(*FindBuiltinTable("availabilityResults"), "location"), Type::kString);
}

TEST(Tables, AzureMlResourceLogTables) {
    for (const char* name :
         {"AmlComputeJobEvent", "AmlComputeClusterEvent", "AmlComputeClusterNodeEvent",
          "AmlComputeCpuGpuUtilization", "AmlRunStatusChangedEvent", "AmlComputeInstanceEvent",
          "AmlDataLabelEvent", "AmlDataSetEvent", "AmlDataStoreEvent", "AmlDeploymentEvent",
          "AmlInferencingEvent", "AmlModelsEvent", "AmlPipelineEvent", "AmlRunEvent",
          "AmlEnvironmentEvent", "AmlOnlineEndpointTrafficLog", "AmlOnlineEndpointConsoleLog",
          "AmlOnlineEndpointEventLog"}) {
        const TableDef* t = FindBuiltinTable(name);
        ASSERT_NE(t, nullptr) << name;
        EXPECT_EQ(t->time_column, "TimeGenerated");
        EXPECT_EQ(TypeOf(*t, "TimeGenerated"), Type::kDatetime);
        EXPECT_EQ(TypeOf(*t, "_ResourceId"), Type::kString);
        EXPECT_EQ(TypeOf(*t, "TenantId"), Type::kString);
        EXPECT_EQ(TypeOf(*t, "Type"), Type::kString);
        EXPECT_EQ(TypeOf(*t, "_BilledSize"), Type::kReal);
    }
    // AmlComputeJobEvent | where TimeGenerated > ago(5d) and EventType == "JobFailed"
    //   | project TimeGenerated, ClusterId, EventType, ExecutionState, ToolType
    const TableDef& job = *FindBuiltinTable("AmlComputeJobEvent");
    for (const char* c : {"ClusterId", "EventType", "ExecutionState", "ToolType", "JobErrorMessage",
                          "ErrorDetails", "JobId", "NodeId", "OperationName"}) {
        EXPECT_EQ(TypeOf(job, c), Type::kString) << c;
    }
    const TableDef& cluster = *FindBuiltinTable("AmlComputeClusterEvent");
    EXPECT_EQ(TypeOf(cluster, "CoreCount"), Type::kInt);
    EXPECT_EQ(TypeOf(cluster, "RunningNodeCount"), Type::kInt);
    EXPECT_EQ(TypeOf(cluster, "IdleNodeCount"), Type::kInt);
    EXPECT_EQ(TypeOf(cluster, "PreemptedNodeCount"), Type::kString);
    EXPECT_EQ(TypeOf(cluster, "AllocationStateTransitionTime"), Type::kDatetime);
    EXPECT_EQ(TypeOf(cluster, "ClusterType"), Type::kString);
    const TableDef& util = *FindBuiltinTable("AmlComputeCpuGpuUtilization");
    EXPECT_EQ(TypeOf(util, "Utilization"), Type::kString);
    EXPECT_EQ(TypeOf(util, "DurationMs"), Type::kString);
    EXPECT_EQ(TypeOf(util, "DeviceType"), Type::kString);
    const TableDef& status = *FindBuiltinTable("AmlRunStatusChangedEvent");
    for (const char* c : {"Status", "RunId", "ParentRunId", "RootRunId", "WorkspaceName"}) {
        EXPECT_EQ(TypeOf(status, c), Type::kString) << c;
    }
    EXPECT_EQ(TypeOf(*FindBuiltinTable("AmlComputeClusterNodeEvent"), "NodeBootTime"),
              Type::kDatetime);
    EXPECT_EQ(TypeOf(*FindBuiltinTable("AmlDataSetEvent"), "Identity"), Type::kDynamic);
    EXPECT_EQ(TypeOf(*FindBuiltinTable("AmlOnlineEndpointTrafficLog"), "ResponseCode"), Type::kInt);
}

}  // namespace
}  // namespace calypso::ingest
