// The Azure ML Event Grid events of a pipeline run, shaped as the Event Grid schema
// fixtures (fixtures/eventgrid/eventgrid-schema/), and delivered as Event Grid does: a
// little after they happen, at least once, not always in order.
#include <algorithm>

#include "app/demo_telemetry.h"
#include "core/time.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;
using core::kTicksPerSecond;

constexpr const char* kPrefix = "Microsoft.MachineLearningServices.";

class EventWriter {
  public:
    EventWriter(const RunContext& ctx, Random& random, std::vector<Item>& out)
        : ctx_(ctx), random_(random), out_(out), topic_(ctx.workspace.ArmId()) {}

    // Appends one event; returns its index in `out` (for reordering).
    size_t Add(const char* type, std::string subject, int64_t time, Dynamic data) {
        Dynamic event = Dynamic::MakeObject({
            {"topic", Dynamic::String(topic_)},
            {"subject", Dynamic::String(std::move(subject))},
            {"eventType", Dynamic::String(std::string(kPrefix) + type)},
            {"eventTime", Dynamic::String(IsoTime(time, 7))},
            {"id", Dynamic::String(random_.Guid())},
            {"data", std::move(data)},
            {"dataVersion", Dynamic::String("")},
            {"metadataVersion", Dynamic::String("1")},
        });
        const int64_t due = time + random_.Between(kTicksPerSecond / 5, 3 * kTicksPerSecond);
        out_.push_back({Channel::kEventGrid, due, event});
        const size_t index = out_.size() - 1;
        // The webhook's answer was lost or late: Event Grid delivers the same event again.
        if (random_.Chance(0.05)) {
            out_.push_back({Channel::kEventGrid, due + random_.Between(10, 60) * kTicksPerSecond,
                            std::move(event)});
        }
        return index;
    }

    void RunEvent(const char* type, const std::string& run_id, bool pipeline, const StepRun* step,
                  int64_t time, const char* status) {
        const PipelineRun& run = ctx_.run;
        Dynamic::Object tags, props;
        if (pipeline) {
            tags = {{"azureml.pipelineComponent", Dynamic::String("pipelinerun")},
                    {"build_version", Dynamic::String(run.build_version)},
                    {"build_url",
                     Dynamic::String("https://dev.azure.com/contoso/mlops/_build/"
                                     "results?buildId=" +
                                     run.build_version.substr(run.build_version.find('+') + 1))}};
            props = {{"azureml.runsource", Dynamic::String("azureml.PipelineRun")},
                     {"runSource", Dynamic::String("Unavailable")},
                     {"runType", Dynamic::String("Schedule")},
                     {"azureml.parameters",
                      Dynamic::String("{\"learning_rate\":\"0.01\",\"max_epochs\":\"20\"}")},
                     {"azureml.pipelineid", Dynamic::String(ctx_.experiment.pipeline_id)}};
        } else {
            tags = {{"azureml.pipeline", Dynamic::String(run.run_id)},
                    {"azureml.pipelinerunid", Dynamic::String(run.run_id)},
                    {"azureml.nodeid", Dynamic::String(step->node_id)}};
            props = {{"azureml.runsource", Dynamic::String("azureml.StepRun")},
                     {"azureml.nodeid", Dynamic::String(step->node_id)},
                     {"azureml.pipelinerunid", Dynamic::String(run.run_id)},
                     {"contentSnapshotId", Dynamic::String(step->snapshot_id)},
                     {"stepType", Dynamic::String("PythonScriptStep")},
                     {"computeTargetType", Dynamic::String("AmlCompute")}};
        }
        Dynamic::Object data = {
            {"experimentId", Dynamic::String(ctx_.experiment.id)},
            {"experimentName", Dynamic::String(ctx_.experiment.name)},
            {"runId", Dynamic::String(run_id)},
            {"runType", Dynamic::String(pipeline ? "azureml.PipelineRun" : "azureml.StepRun")},
            {"runTags", Dynamic::MakeObject(std::move(tags))},
            {"runProperties", Dynamic::MakeObject(std::move(props))},
        };
        if (status != nullptr) data.emplace_back("runStatus", Dynamic::String(status));
        last_ = Add(type, "experiments/" + ctx_.experiment.id + "/runs/" + run_id, time,
                    Dynamic::MakeObject(std::move(data)));
    }

    size_t last() const { return last_; }
    std::vector<Item>& out() { return out_; }

  private:
    const RunContext& ctx_;
    Random& random_;
    std::vector<Item>& out_;
    std::string topic_;
    size_t last_ = 0;
};

void ModelEvents(const RunContext& ctx, Random& random, EventWriter& w) {
    const PipelineRun& run = ctx.run;
    const ExperimentSpec& e = ctx.experiment;
    const std::string& name = e.model_name;
    const std::string version = std::to_string(run.model_version);
    const StepRun* trained = nullptr;
    for (const auto& s : run.steps) {
        if (e.steps[s.spec].epochs > 0) trained = &s;
    }
    const int64_t registered = run.steps.back().end - 2 * kTicksPerSecond;
    w.Add("ModelRegistered", "models/" + name + ":" + version, registered,
          Dynamic::MakeObject(
              {{"ModelName", Dynamic::String(name)},
               {"ModelVersion", Dynamic::Long(run.model_version)},
               {"ModelTags",
                Dynamic::MakeObject({{"pipeline_run_id", Dynamic::String(run.run_id)},
                                     {"build_version", Dynamic::String(run.build_version)},
                                     {"stage", Dynamic::String("candidate")}})},
               {"ModelProperties",
                Dynamic::MakeObject(
                    {{"auc", Dynamic::String(std::to_string(random.Real(0.86, 0.94)).substr(0, 5))},
                     {"training_step_run_id",
                      Dynamic::String(trained != nullptr ? trained->run_id : "")}})}}));
    if (!run.deployed) return;
    const std::string service = name + "-scoring-aks";
    w.Add("ModelDeployed", "endpoints/" + service,
          run.end + random.Between(300, 900) * kTicksPerSecond,
          Dynamic::MakeObject(
              {{"ServiceName", Dynamic::String(service)},
               {"ServiceComputeType", Dynamic::String("AKS")},
               {"ModelIds", Dynamic::String(name + ":" + version)},
               {"ServiceTags",
                Dynamic::MakeObject({{"build_version", Dynamic::String(run.build_version)},
                                     {"environment", Dynamic::String("prod")}})},
               {"ServiceProperties",
                Dynamic::MakeObject({{"owner", Dynamic::String("ml-platform")}})}}));
}

void DriftEvent(const RunContext& ctx, Random& random, EventWriter& w, const StepRun& step) {
    const std::string monitor = Random(0xd41f7).Guid();  // one monitor per demo workspace
    const int64_t day = step.end / core::kTicksPerDay * core::kTicksPerDay;
    const std::string drift_run = monitor + "_" + std::to_string(day / core::kTicksPerMillisecond);
    auto offset_time = [](int64_t t) {
        std::string s = IsoTime(t, 1);
        return s.substr(0, 19) + "+00:00";
    };
    w.Add(
        "DatasetDriftDetected", "datadrifts/" + monitor + "/runs/" + drift_run,
        step.end - kTicksPerSecond,
        Dynamic::MakeObject({{"DataDriftId", Dynamic::String(monitor)},
                             {"DataDriftName", Dynamic::String("churn-features-drift-monitor")},
                             {"RunId", Dynamic::String(drift_run)},
                             {"BaseDatasetId", Dynamic::String(Random(0xba5e).Guid())},
                             {"TargetDatasetId", Dynamic::String(Random(0x7a69e7).Guid())},
                             {"DriftCoefficient", Dynamic::Real(random.Real(0.3, 0.8))},
                             {"StartTime", Dynamic::String(offset_time(day - core::kTicksPerDay))},
                             {"EndTime", Dynamic::String(offset_time(day))}}));
    (void)ctx;
}

}  // namespace

void AppendRunEvents(const RunContext& ctx, Random& random, std::vector<Item>& out) {
    const PipelineRun& run = ctx.run;
    EventWriter w(ctx, random, out);
    w.RunEvent("RunStatusChanged", run.run_id, true, nullptr, run.start, "Running");
    for (const auto& step : run.steps) {
        w.RunEvent("RunStatusChanged", step.run_id, false, &step, step.queued, "Queued");
        w.RunEvent("RunStatusChanged", step.run_id, false, &step, step.preparing, "Preparing");
        w.RunEvent("RunStatusChanged", step.run_id, false, &step, step.running, "Running");
        const size_t running = w.last();
        w.RunEvent("RunStatusChanged", step.run_id, false, &step, step.end,
                   step.failed ? "Failed" : "Completed");
        const size_t terminal = w.last();
        if (!step.failed) {
            w.RunEvent("RunCompleted", step.run_id, false, &step, step.end + 11, nullptr);
        }
        // The Running delivery failed and is retried after the step already ended.
        if (random.Chance(0.12)) {
            out[running].due = out[terminal].due + random.Between(5, 120) * kTicksPerSecond;
        }
        if (ctx.experiment.steps[step.spec].effect == StepEffect::kChecksDrift &&
            run.drift_detected) {
            DriftEvent(ctx, random, w, step);
        }
    }
    w.RunEvent("RunStatusChanged", run.run_id, true, nullptr, run.end,
               run.failed ? "Failed" : "Completed");
    if (!run.failed) w.RunEvent("RunCompleted", run.run_id, true, nullptr, run.end + 11, nullptr);
    if (run.model_version > 0) ModelEvents(ctx, random, w);
}

}  // namespace calypso::app::demo
