// Azure ML resource-log rows for a step's compute: AmlComputeJobEvent (the job's
// submission, start and end) and AmlComputeClusterEvent (the cluster growing for the job,
// steady while it runs, shrinking once idle), with the columns of aml-monitor.md 4.2.
// Diagnostic settings deliver them minutes late.
#include "app/demo_telemetry.h"
#include "core/time.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;
using core::kTicksPerSecond;

constexpr int kIdleSecondsBeforeScaleDown = 120;

Dynamic::Object Standard(const RunContext& ctx, int64_t time) {
    return {{"TimeGenerated", Dynamic::String(IsoTime(time, 7))},
            {"_ResourceId", Dynamic::String(ctx.workspace.ArmId())},
            {"_SubscriptionId", Dynamic::String(ctx.workspace.subscription)}};
}

void Emit(Channel channel, int64_t time, Dynamic::Object row, Random& random,
          std::vector<Item>& out) {
    out.push_back({channel, time + random.Between(30, 180) * kTicksPerSecond,
                   Dynamic::MakeObject(std::move(row))});
}

void JobRow(const RunContext& ctx, const StepRun& step, int64_t time, const char* event,
            const char* state, Random& random, std::vector<Item>& out) {
    const StepSpec& spec = ctx.experiment.steps[step.spec];
    const Cluster& cluster = ctx.catalog.clusters.at(spec.cluster);
    const AmlWorkspace& ws = ctx.workspace;
    Dynamic::Object row = Standard(ctx, time);
    row.emplace_back("Category", Dynamic::String("AmlComputeJobEvent"));  // older schema
    const bool failed = std::string_view(event) == "JobFailed";
    const std::string error = failed ? spec.failure.type + ": " + spec.failure.message : "";
    for (auto& [k, v] :
         Dynamic::Object{{"ClusterId", Dynamic::String(ws.ArmId() + "/computes/" + cluster.name)},
                         {"ClusterName", Dynamic::String(cluster.name)},
                         {"ClusterResourceGroupName", Dynamic::String(ws.resource_group)},
                         {"CreationApiVersion", Dynamic::String("2023-04-01")},
                         {"CustomerSubscriptionId", Dynamic::String(ws.subscription)},
                         {"ErrorDetails", Dynamic::String(failed ? "UserError: " + error : "")},
                         {"EventType", Dynamic::String(event)},
                         {"ExecutionState", Dynamic::String(state)},
                         {"ExperimentId", Dynamic::String(ctx.experiment.id)},
                         {"ExperimentName", Dynamic::String(ctx.experiment.name)},
                         {"JobErrorMessage", Dynamic::String(error)},
                         {"JobId", Dynamic::String(step.run_id)},
                         {"JobName", Dynamic::String(step.run_id)},
                         {"NodeId", Dynamic::String("tvmps_" + step.host.substr(0, 32) + "_d")},
                         {"OperationName", Dynamic::String(event)},
                         {"ProvisioningState", Dynamic::String("Succeeded")},
                         {"ResourceGroupName", Dynamic::String(ws.resource_group)},
                         {"ResultSignature", Dynamic::String(failed ? "Failed" : "Succeeded")},
                         {"RunInContainer", Dynamic::String("true")},
                         {"ToolType", Dynamic::String("Python")},
                         {"WorkspaceName", Dynamic::String(ws.name)}}) {
        row.emplace_back(std::move(k), std::move(v));
    }
    Emit(Channel::kComputeJobs, time, std::move(row), random, out);
}

void ClusterRow(const RunContext& ctx, const StepRun& step, int64_t time, const char* state,
                int current, int target, int running, Random& random, std::vector<Item>& out) {
    const StepSpec& spec = ctx.experiment.steps[step.spec];
    const Cluster& cluster = ctx.catalog.clusters.at(spec.cluster);
    Dynamic::Object row = Standard(ctx, time);
    const bool resizing = current != target;
    for (auto& [k, v] : Dynamic::Object{
             {"AllocationState", Dynamic::String(state)},
             {"AllocationStateTransitionTime", Dynamic::String(IsoTime(time, 7))},
             {"ClusterName", Dynamic::String(cluster.name)},
             {"ClusterType", Dynamic::String("AmlCompute")},
             {"CoreCount", Dynamic::Long(static_cast<int64_t>(current) * cluster.cores_per_node)},
             {"CreatedBy", Dynamic::String("ml-platform@contoso.com")},
             {"CreationApiVersion", Dynamic::String("2023-04-01")},
             {"CurrentNodeCount", Dynamic::Long(current)},
             {"EventType", Dynamic::String(resizing ? "ClusterResizing" : "ClusterSteady")},
             {"IdleNodeCount", Dynamic::Long(current - running)},
             {"InitialNodeCount", Dynamic::Long(0)},
             {"IsResizeGrow", Dynamic::String(target > current ? "true" : "false")},
             {"LeavingNodeCount", Dynamic::Long(target < current ? current - target : 0)},
             {"MaximumNodeCount", Dynamic::Long(cluster.max_nodes)},
             {"MinimumNodeCount", Dynamic::Long(0)},
             {"NodeDeallocationOption", Dynamic::String("Requeue")},
             {"NodeIdleTimeSecondsBeforeScaleDown", Dynamic::Long(kIdleSecondsBeforeScaleDown)},
             {"OperationName", Dynamic::String("ClusterResize")},
             {"PreemptedNodeCount", Dynamic::String("0")},
             {"PreparingNodeCount", Dynamic::Long(target > current ? target - current : 0)},
             {"ProvisioningState", Dynamic::String("Succeeded")},
             {"QuotaAllocated",
              Dynamic::String(std::to_string(cluster.max_nodes * cluster.cores_per_node))},
             {"QuotaUtilized", Dynamic::String(std::to_string(current * cluster.cores_per_node))},
             {"ResultSignature", Dynamic::String("Succeeded")},
             {"RunningNodeCount", Dynamic::Long(running)},
             {"ScalingType", Dynamic::String("Auto")},
             {"TargetNodeCount", Dynamic::Long(target)},
             {"UnusableNodeCount", Dynamic::Long(0)},
             {"VmFamilyName", Dynamic::String(cluster.vm_family)},
             {"VmPriority", Dynamic::String("Dedicated")},
             {"VmSize", Dynamic::String(cluster.vm_size)}}) {
        row.emplace_back(std::move(k), std::move(v));
    }
    Emit(Channel::kClusterEvents, time, std::move(row), random, out);
}

}  // namespace

void AppendComputeRows(const RunContext& ctx, const StepRun& step, Random& random,
                       std::vector<Item>& out) {
    const int nodes = ctx.experiment.steps[step.spec].nodes;
    JobRow(ctx, step, step.queued, "JobSubmitted", "Queued", random, out);
    JobRow(ctx, step, step.running, "JobRunning", "Running", random, out);
    JobRow(ctx, step, step.end, step.failed ? "JobFailed" : "JobSucceeded",
           step.failed ? "Failed" : "Succeeded", random, out);
    // The cluster scales from zero for the job and back once it has been idle a while.
    ClusterRow(ctx, step, step.preparing, "Resizing", 0, nodes, 0, random, out);
    ClusterRow(ctx, step, step.running, "Steady", nodes, nodes, nodes, random, out);
    const int64_t idle = step.end + kIdleSecondsBeforeScaleDown * kTicksPerSecond;
    ClusterRow(ctx, step, idle, "Resizing", nodes, 0, 0, random, out);
    ClusterRow(ctx, step, idle + random.Between(60, 180) * kTicksPerSecond, "Steady", 0, 0, 0,
               random, out);
}

}  // namespace calypso::app::demo
