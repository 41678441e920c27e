#include "ingest/tables.h"

#include <algorithm>
#include <utility>

#include "core/types.h"

namespace calypso::ingest {
namespace {

using core::Field;
using core::Schema;
using core::Type;

// Appends the columns of a space-separated spec, "name" (string) or "name:type".
void AddColumns(Schema& schema, std::string_view spec) {
    size_t pos = 0;
    while (pos < spec.size()) {
        while (pos < spec.size() && spec[pos] == ' ') ++pos;
        size_t end = spec.find(' ', pos);
        if (end == std::string_view::npos) end = spec.size();
        std::string_view word = spec.substr(pos, end - pos);
        pos = end;
        if (word.empty()) continue;
        Type type = Type::kString;
        if (size_t colon = word.find(':'); colon != std::string_view::npos) {
            type = core::ParseTypeName(word.substr(colon + 1)).value_or(Type::kString);
            word = word.substr(0, colon);
        }
        schema.fields.push_back(Field{std::string(word), type});
    }
}

// Classic Application Insights layout (Azure's order): timestamp, the type's own columns,
// then the common context columns.
TableDef AppInsightsTable(std::string name, std::string_view own, bool has_measurements,
                          bool has_item_count) {
    TableDef def{std::move(name), {}, "timestamp"};
    AddColumns(def.schema, "timestamp:datetime");
    AddColumns(def.schema, own);
    AddColumns(def.schema, "itemType customDimensions:dynamic");
    if (has_measurements) AddColumns(def.schema, "customMeasurements:dynamic");
    AddColumns(def.schema,
               "operation_Name operation_Id operation_ParentId operation_SyntheticSource "
               "session_Id user_Id user_AuthenticatedId user_AccountId application_Version "
               "client_Type client_Model client_OS client_IP client_City client_StateOrProvince "
               "client_CountryOrRegion client_Browser cloud_RoleName cloud_RoleInstance appId "
               "appName iKey sdkVersion itemId");
    if (has_item_count) AddColumns(def.schema, "itemCount:int");
    return def;
}

// Log Analytics resource-log layout: the standard columns, then the table's own.
TableDef LogAnalyticsTable(std::string name, std::string_view own) {
    TableDef def{std::move(name), {}, "TimeGenerated"};
    AddColumns(def.schema,
               "TenantId TimeGenerated:datetime Type SourceSystem _ResourceId _SubscriptionId "
               "_BilledSize:real _IsBillable");
    AddColumns(def.schema, own);
    return def;
}

std::vector<TableDef> MakeTables() {
    std::vector<TableDef> t;
    t.push_back(AppInsightsTable("traces", "message severityLevel:int", true, true));
    t.push_back(AppInsightsTable("customEvents", "name", true, true));
    t.push_back(
        AppInsightsTable("customMetrics",
                         "name value:real valueCount:int valueSum:real valueMin:real valueMax:real "
                         "valueStdDev:real",
                         false, false));
    t.push_back(AppInsightsTable(
        "exceptions",
        "problemId handledAt type message assembly method outerType outerMessage outerAssembly "
        "outerMethod innermostType innermostMessage innermostAssembly innermostMethod "
        "severityLevel:int details:dynamic",
        true, true));
    t.push_back(AppInsightsTable(
        "requests", "id source name url success resultCode duration:real performanceBucket", true,
        true));
    t.push_back(AppInsightsTable(
        "dependencies",
        "id target type name data success resultCode duration:real performanceBucket", true, true));
    t.push_back(
        AppInsightsTable("pageViews", "id name url duration:real performanceBucket", true, true));
    t.push_back(AppInsightsTable(
        "availabilityResults",
        "id name location success message size:real duration:real performanceBucket", true, true));

    t.push_back(LogAnalyticsTable(
        "AmlComputeJobEvent",
        "ClusterId ClusterName ClusterResourceGroupName CreationApiVersion CustomerSubscriptionId "
        "ErrorDetails EventType ExecutionState ExperimentId ExperimentName InternalOperationName "
        "JobErrorMessage JobId JobName NodeId OperationName ProvisioningState ResourceGroupName "
        "ResultSignature RunInContainer TFParameterServerCount TFWorkerCount ToolType "
        "WorkspaceName Category"));
    t.push_back(LogAnalyticsTable(
        "AmlComputeClusterEvent",
        "AllocationState AllocationStateTransitionTime:datetime ClusterErrorCodes ClusterName "
        "ClusterType CoreCount:int CreatedBy CreationApiVersion CurrentNodeCount:int EventType "
        "IdleNodeCount:int InitialNodeCount:int InternalOperationName IsResizeGrow "
        "LeavingNodeCount:int MaximumNodeCount:int MinimumNodeCount:int NodeDeallocationOption "
        "NodeIdleTimeSecondsBeforeScaleDown:int Offer OperationName PreemptedNodeCount "
        "PreparingNodeCount:int ProvisioningState Publisher QuotaAllocated QuotaUtilized "
        "ResultSignature RunningNodeCount:int ScalingType Sku SubnetId TargetNodeCount:int "
        "UnusableNodeCount:int Version VmFamilyName VmPriority VmSize"));
    t.push_back(LogAnalyticsTable(
        "AmlComputeClusterNodeEvent",
        "ClusterCreationTime ClusterName InternalOperationName NodeAllocationTime:datetime "
        "NodeBootTime:datetime NodeId Offer OperationName Publisher ResizeEndTime:datetime "
        "ResizeStartTime:datetime ResultSignature Sku StartTaskEndTime:datetime "
        "StartTaskStartTime:datetime TotalE2ETimeInSeconds Version VmFamilyName VmPriority "
        "VmSize"));
    t.push_back(LogAnalyticsTable(
        "AmlComputeCpuGpuUtilization",
        "CallerIpAddress ClusterName CorrelationId DeviceId DeviceType DurationMs Identity Level "
        "Location MetricName NodeId OperationName OperationVersion ResultDescription "
        "ResultSignature ResultType RunId Utilization WorkspaceId WorkspaceName"));
    t.push_back(LogAnalyticsTable(
        "AmlRunStatusChangedEvent",
        "CallerIpAddress CorrelationId DurationMs Identity Level Location Message OperationName "
        "OperationVersion ParentRunId ResultDescription ResultSignature ResultType RootRunId "
        "RunId Status TriggeringUserName WorkspaceId WorkspaceName"));
    t.push_back(LogAnalyticsTable(
        "AmlComputeInstanceEvent",
        "AadTenantId AmlComputeInstanceName CorrelationId Identity:dynamic Level OperationName "
        "ResultType"));
    t.push_back(LogAnalyticsTable(
        "AmlDataLabelEvent",
        "AadTenantId AmlDataStoreName AmlLabelNames AmlProjectId AmlProjectName CorrelationId "
        "Identity:dynamic Level OperationName ResultType"));
    t.push_back(LogAnalyticsTable("AmlDataSetEvent",
                                  "AadTenantId AmlDatasetId AmlDatasetName AmlWorkspaceId "
                                  "Identity:dynamic OperationName ResultType"));
    t.push_back(LogAnalyticsTable(
        "AmlDataStoreEvent",
        "AadTenantId AmlDatastoreName AmlWorkspaceId Identity:dynamic OperationName ResultType"));
    t.push_back(LogAnalyticsTable("AmlDeploymentEvent",
                                  "AadTenantId AmlServiceName CorrelationId Identity:dynamic "
                                  "Level OperationName ResultType"));
    t.push_back(LogAnalyticsTable("AmlInferencingEvent",
                                  "AadTenantId AmlServiceName CorrelationId Identity:dynamic "
                                  "Level OperationName ResultType"));
    t.push_back(LogAnalyticsTable("AmlModelsEvent",
                                  "AadTenantId AmlModelName CorrelationId Identity:dynamic Level "
                                  "OperationName ResultSignature ResultType"));
    t.push_back(LogAnalyticsTable(
        "AmlPipelineEvent",
        "AadTenantId AmlModuleId AmlModuleName AmlParentPipelineId AmlPipelineDraftId "
        "AmlPipelineDraftName AmlPipelineEndpointId AmlPipelineEndpointName AmlPipelineId "
        "AmlWorkspaceId AmlWorkspaceName CorrelationId Identity:dynamic OperationName "
        "ResultType"));
    t.push_back(LogAnalyticsTable(
        "AmlRunEvent", "AadTenantId AmlWorkspaceId Identity:dynamic OperationName RunId"));
    t.push_back(LogAnalyticsTable("AmlEnvironmentEvent",
                                  "AadTenantId AmlEnvironmentName AmlEnvironmentVersion "
                                  "Identity:dynamic OperationName"));
    t.push_back(LogAnalyticsTable(
        "AmlOnlineEndpointTrafficLog",
        "AuthType AzureMLWorkspaceId AzureMLWorkspaceName DeploymentName EndpointName "
        "IdentityData Location Method ModelStatusCode:int ModelStatusReason OperationName Path "
        "Protocol RequestDurationMs:int RequestPayloadSize:int RequestThrottlingDelayMs:int "
        "ResponseCode:int ResponseCodeReason ResponseDurationMs:int ResponsePayloadSize:int "
        "ResponseThrottlingDelayMs:int TotalDurationMs:int UserAgent XMSClientRequestId "
        "XRequestId"));
    t.push_back(LogAnalyticsTable(
        "AmlOnlineEndpointConsoleLog",
        "ContainerImageName ContainerName DeploymentName InstanceId Message OperationName"));
    t.push_back(LogAnalyticsTable("AmlOnlineEndpointEventLog",
                                  "DeploymentName InstanceId Message Name OperationName"));
    // Azure ML events as Event Grid delivers them (src/ingest/eventgrid.h): every event
    // whole, with the Event Grid schema's member names (CloudEvents are mapped onto them),
    // then one table per model and drift event type with the `data` members as columns.
    t.push_back(LogAnalyticsTable("AmlEventGridEvent",
                                  "Id Topic Subject EventType EventTime:datetime Data:dynamic "
                                  "DataVersion MetadataVersion"));
    t.push_back(LogAnalyticsTable("AmlModelRegisteredEvent",
                                  "EventId Subject ModelName ModelVersion ModelTags:dynamic "
                                  "ModelProperties:dynamic"));
    t.push_back(LogAnalyticsTable("AmlModelDeployedEvent",
                                  "EventId Subject ServiceName ServiceComputeType ModelIds "
                                  "ServiceTags:dynamic ServiceProperties:dynamic"));
    t.push_back(LogAnalyticsTable(
        "AmlDatasetDriftDetectedEvent",
        "EventId Subject DataDriftId DataDriftName RunId BaseDatasetId TargetDatasetId "
        "DriftCoefficient:real StartTime:datetime EndTime:datetime"));
    // One row per change of a run's merged record (src/runs/run_tracker.h); the current
    // record of a run is its row with the largest TimeGenerated.
    {
        TableDef runs{"PipelineRuns", {}, "TimeGenerated"};
        AddColumns(runs.schema,
                   "TimeGenerated:datetime RunId PipelineRunId ExperimentId ExperimentName "
                   "RunType StepName StepType NodeId ComputeTargetType Status "
                   "QueuedTime:datetime StartTime:datetime EndTime:datetime "
                   "ExecutionTimeMs:long Tags:dynamic Properties:dynamic _ResourceId");
        t.push_back(std::move(runs));
    }
    t.push_back(LogAnalyticsTable(
        "AzureMetrics",
        "MetricName Average:real Count:real Maximum:real Minimum:real Total:real UnitName "
        "TimeGrain Resource ResourceGroup ResourceId ResourceProvider SubscriptionId"));
    return t;
}

}  // namespace

const std::vector<TableDef>& BuiltinTables() {
    static const std::vector<TableDef> tables = MakeTables();
    return tables;
}

const TableDef* FindBuiltinTable(std::string_view name) {
    const auto& tables = BuiltinTables();
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const TableDef& t) { return t.name == name; });
    return it == tables.end() ? nullptr : &*it;
}

}  // namespace calypso::ingest
