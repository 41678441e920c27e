// A pipeline step's own telemetry, as a step script that logs through opencensus-ext-azure's
// AzureLogHandler (1.0.x: /v2/track) with the MLOps logger's custom dimensions sends it
// (aml-monitor.md 3.5, protocols.md 2.5, fixtures/eventgrid/derived/).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/demo_telemetry.h"
#include "core/time.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;

constexpr const char* kSdkVersion = "py3.8.18:oc0.7.13:ext1.0.4";
constexpr const char* kZeroTrace = "00000000000000000000000000000000";

std::string Format(const char* fmt, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, a, b, c);
    return buf;
}

std::string Stem(const std::string& script) { return script.substr(0, script.rfind('.')); }

// The step's custom dimensions: the MLOps logger's (parent_run_id, step_id, step_name,
// experiment_name, run_url, offline_run), its telemetry processor's correlation_id, and
// our CI's build_version and run_type.
Dynamic::Object RunDimensions(const RunContext& ctx, const StepRun& step) {
    const StepSpec& spec = ctx.experiment.steps[step.spec];
    const AmlWorkspace& ws = ctx.workspace;
    const std::string run_url = "https://ml.azure.com/runs/" + ctx.run.run_id +
                                "?wsid=/subscriptions/" + ws.subscription + "/resourcegroups/" +
                                ws.resource_group + "/workspaces/" + ws.name +
                                "&tid=72f988bf-86f1-41af-91ab-2d7cd011db47";
    return {{"parent_run_id", Dynamic::String(ctx.run.run_id)},
            {"step_id", Dynamic::String(step.run_id)},
            {"step_name", Dynamic::String(spec.name)},
            {"experiment_name", Dynamic::String(ctx.experiment.name)},
            {"run_url", Dynamic::String(run_url)},
            {"offline_run", Dynamic::Bool(false)},
            {"correlation_id", Dynamic::String(step.run_id)},
            {"build_version", Dynamic::String(ctx.run.build_version)},
            {"run_type", Dynamic::String("azureml.StepRun")}};
}

Dynamic Tags(const StepRun& step, const StepSpec& spec) {
    return Dynamic::MakeObject({
        {"ai.cloud.role", Dynamic::String(spec.script)},
        {"ai.cloud.roleInstance", Dynamic::String(step.host)},
        {"ai.device.id", Dynamic::String(step.host)},
        {"ai.device.locale", Dynamic::String("en_US")},
        {"ai.device.osVersion",
         Dynamic::String("#58~20.04.1-Ubuntu SMP Thu Oct 13 13:09:46 UTC 2022")},
        {"ai.device.type", Dynamic::String("Other")},
        {"ai.internal.sdkVersion", Dynamic::String(kSdkVersion)},
        {"ai.operation.id", Dynamic::String(kZeroTrace)},
        {"ai.operation.parentId",
         Dynamic::String(std::string("|") + kZeroTrace + ".0000000000000000.")},
    });
}

Dynamic Envelope(const RunContext& ctx, const StepRun& step, const char* name, int64_t time,
                 const char* base_type, Dynamic base_data) {
    return Dynamic::MakeObject({
        {"ver", Dynamic::Long(1)},
        {"name", Dynamic::String(std::string("Microsoft.ApplicationInsights.") + name)},
        {"time", Dynamic::String(IsoTime(time, 6))},
        {"sampleRate", Dynamic::Real(100.0)},
        {"iKey", Dynamic::String(ctx.ikey)},
        {"tags", Tags(step, ctx.experiment.steps[step.spec])},
        {"data", Dynamic::MakeObject({{"baseType", Dynamic::String(base_type)},
                                      {"baseData", std::move(base_data)}})},
    });
}

// Python logging levels as opencensus maps them: max(0, levelno - 1) // 10.
struct Level {
    const char* name;
    int severity;
};
constexpr Level kDebug{"DEBUG", 0}, kInfo{"INFO", 1}, kWarning{"WARNING", 2}, kError{"ERROR", 3};

class StepLog {
  public:
    StepLog(const RunContext& ctx, const StepRun& step, Random& random, std::vector<Item>& out)
        : ctx_(ctx),
          step_(step),
          spec_(ctx.experiment.steps[step.spec]),
          random_(random),
          out_(out) {}

    // The record's properties: opencensus's own, then the custom dimensions.
    Dynamic::Object Properties(const Level& level, int line) const {
        Dynamic::Object p = {{"process", Dynamic::String("MainProcess")},
                             {"module", Dynamic::String(Stem(spec_.script))},
                             {"fileName", Dynamic::String(step_.working_dir + "/" + spec_.script)},
                             {"lineNumber", Dynamic::Long(line)},
                             {"level", Dynamic::String(level.name)}};
        for (auto& m : RunDimensions(ctx_, step_)) p.push_back(std::move(m));
        return p;
    }

    void Message(int64_t time, const Level& level, int line, std::string text) {
        Dynamic data = Dynamic::MakeObject({
            {"ver", Dynamic::Long(2)},
            {"message", Dynamic::String(std::move(text))},
            {"severityLevel", Dynamic::Long(level.severity)},
            {"properties", Dynamic::MakeObject(Properties(level, line))},
        });
        Emit(time, Envelope(ctx_, step_, "Message", time, "MessageData", std::move(data)));
    }

    // A measure recorded with the run's dimensions as tags (LastValue aggregation).
    void Metric(int64_t time, const std::string& name, double value, int epoch) {
        Dynamic::Object props = RunDimensions(ctx_, step_);
        if (epoch > 0) props.emplace_back("epoch", Dynamic::String(std::to_string(epoch)));
        Dynamic point = Dynamic::MakeObject({{"ns", Dynamic::String(name)},
                                             {"name", Dynamic::String(name)},
                                             {"kind", Dynamic::Long(0)},
                                             {"value", Dynamic::Real(value)}});
        Dynamic data = Dynamic::MakeObject({{"ver", Dynamic::Long(2)},
                                            {"metrics", Dynamic::MakeArray({std::move(point)})},
                                            {"properties", Dynamic::MakeObject(std::move(props))}});
        Emit(time, Envelope(ctx_, step_, "Metric", time, "MetricData", std::move(data)));
    }

    // logger.exception(...): with exc_info opencensus sends only an ExceptionData whose
    // message is the log message plus the traceback, frames innermost first.
    void Exception(int64_t time, int line) {
        const FailureMode& f = spec_.failure;
        std::string traceback =
            "Step " + spec_.name + " failed\nTraceback (most recent call last):\n";
        Dynamic::Array frames;
        const size_t n = f.frames.size();
        for (size_t i = 0; i < n; ++i) {
            const Frame& fr = f.frames[i];
            const std::string file = Resolve(fr.file);
            traceback += "  File \"" + file + "\", line " + std::to_string(fr.line) + ", in " +
                         fr.method + "\n";
        }
        for (size_t i = n; i-- > 0;) {
            const Frame& fr = f.frames[i];
            frames.push_back(
                Dynamic::MakeObject({{"level", Dynamic::Long(static_cast<int64_t>(n - 1 - i))},
                                     {"method", Dynamic::String(fr.method)},
                                     {"fileName", Dynamic::String(Resolve(fr.file))},
                                     {"line", Dynamic::Long(fr.line)}}));
        }
        traceback += f.type + ": " + f.message;
        Dynamic detail =
            Dynamic::MakeObject({{"id", Dynamic::Long(1)},
                                 {"outerId", Dynamic::Long(0)},
                                 {"typeName", Dynamic::String(f.type)},
                                 {"message", Dynamic::String(traceback)},
                                 {"hasFullStack", Dynamic::Bool(true)},
                                 {"parsedStack", Dynamic::MakeArray(std::move(frames))}});
        Dynamic data = Dynamic::MakeObject({
            {"ver", Dynamic::Long(2)},
            {"exceptions", Dynamic::MakeArray({std::move(detail)})},
            {"severityLevel", Dynamic::Long(kError.severity)},
            {"properties", Dynamic::MakeObject(Properties(kError, line))},
        });
        Emit(time, Envelope(ctx_, step_, "Exception", time, "ExceptionData", std::move(data)));
    }

  private:
    std::string Resolve(const std::string& file) const {
        constexpr std::string_view kWd = "{wd}";
        if (file.compare(0, kWd.size(), kWd) == 0)
            return step_.working_dir + file.substr(kWd.size());
        return file;
    }

    // The handler's worker thread exports every 15 s.
    void Emit(int64_t time, Dynamic envelope) {
        out_.push_back({Channel::kTrack, time + random_.Between(0, 15 * core::kTicksPerSecond),
                        std::move(envelope)});
    }

    const RunContext& ctx_;
    const StepRun& step_;
    const StepSpec& spec_;
    Random& random_;
    std::vector<Item>& out_;
};

// Per-epoch training: loss falls, accuracy rises, the learning rate decays.
void TrainingEpochs(StepLog& log, const StepSpec& spec, const StepRun& step, int64_t from,
                    Random& random) {
    const int64_t span = step.end - from;
    const int epochs =
        step.failed ? static_cast<int>(random.Between(1, spec.epochs - 1)) : spec.epochs;
    const double floor = random.Real(0.12, 0.3);
    const double base_lr = random.Chance(0.5) ? 0.01 : 0.003;
    for (int e = 1; e <= epochs; ++e) {
        const int64_t t = from + span * e / (spec.epochs + 1);
        const double loss = floor + 1.1 * std::exp(-0.22 * e) + random.Real(-0.02, 0.02);
        const double accuracy =
            std::min(0.99, 0.96 - 0.45 * std::exp(-0.3 * e) - floor / 4 + random.Real(-0.01, 0.01));
        const double lr = base_lr * std::pow(0.9, e - 1);
        log.Metric(t, "loss", loss, e);
        log.Metric(t + 1000, "accuracy", accuracy, e);
        log.Metric(t + 2000, "learning_rate", lr, e);
        log.Message(t + 3000, kInfo, 131,
                    "epoch " + std::to_string(e) + "/" + std::to_string(spec.epochs) +
                        Format(": loss=%.4f accuracy=%.4f lr=%.5f", loss, accuracy, lr));
        if (spec.epochs > 0 && random.Chance(0.08)) {
            log.Message(
                t + 4000, kWarning, 140,
                Format("GPU memory usage at %.0f%% of %.2f GiB", random.Real(88, 97), 15.78));
        }
    }
}

}  // namespace

void AppendStepTelemetry(const RunContext& ctx, const StepRun& step, Random& random,
                         std::vector<Item>& out) {
    const StepSpec& spec = ctx.experiment.steps[step.spec];
    const Cluster& cluster = ctx.catalog.clusters.at(spec.cluster);
    StepLog log(ctx, step, random, out);
    const int64_t second = core::kTicksPerSecond;
    int64_t t = step.running + random.Between(2, 6) * second;
    log.Message(t, kInfo, 24,
                "Starting step " + spec.name + " of " + ctx.experiment.name + " on " +
                    cluster.name + " (" + std::to_string(spec.nodes) + " x " + cluster.vm_size +
                    ")");
    log.Message(t + second / 5, kDebug, 27,
                "azureml-core 1.48.0, python 3.8.18, working directory " + step.working_dir);
    const int64_t rows = random.Between(40'000, 2'500'000);
    log.Message(t + 2 * second, kInfo, 45,
                "Loaded " + std::to_string(rows) + " rows from datastore workspaceblobstore");
    if (random.Chance(0.2)) {
        log.Message(t + 3 * second, kWarning, 52,
                    "Retrying blob download (attempt 2 of 5) after a read timeout");
    }
    if (spec.epochs > 0) {
        TrainingEpochs(log, spec, step, t + 5 * second, random);
    } else if (spec.name.find("evaluate") != std::string::npos && !step.failed) {
        const int64_t at = step.end - 10 * second;
        log.Metric(at, "auc", random.Real(0.86, 0.94), 0);
        log.Metric(at, "precision", random.Real(0.78, 0.9), 0);
        log.Metric(at, "recall", random.Real(0.7, 0.88), 0);
    } else {
        // Progress every quarter of the work; a failing step dies somewhere along the way.
        const int quarters = step.failed ? static_cast<int>(random.Between(0, 3)) : 3;
        for (int q = 1; q <= quarters; ++q) {
            log.Message(t + (step.end - t) * q / 4, kInfo, 77,
                        "Processed " + std::to_string(rows * q / 4) + " of " +
                            std::to_string(rows) + " rows (" + std::to_string(25 * q) + "%)");
        }
        if (!step.failed)
            log.Metric(step.end - 2 * second, "rows_processed", static_cast<double>(rows), 0);
    }
    const int64_t elapsed = (step.end - step.running) / second;
    if (step.failed) {
        log.Exception(step.end - second, 205);
        log.Message(step.end - second / 2, kError, 207,
                    "Step " + spec.name + " failed after " + std::to_string(elapsed) +
                        " s: " + spec.failure.type + ": " + spec.failure.message);
    } else {
        log.Message(step.end - second, kInfo, 92,
                    "Step " + spec.name + " completed in " + std::to_string(elapsed) + " s");
    }
}

}  // namespace calypso::app::demo
