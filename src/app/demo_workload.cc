#include "app/demo_workload.h"

#include <algorithm>
#include <cstdio>

#include "app/demo_telemetry.h"
#include "core/time.h"

namespace calypso::app::demo {

using core::kTicksPerSecond;

Workload::Workload(uint64_t seed, std::string ikey)
    : random_(seed), ikey_(std::move(ikey)), model_versions_(DemoCatalog().experiments.size(), 0) {}

std::vector<std::pair<size_t, int64_t>> Workload::Schedule(int64_t from, int64_t to) {
    std::vector<std::pair<size_t, int64_t>> starts;
    const auto& experiments = DemoCatalog().experiments;
    for (size_t e = 0; e < experiments.size(); ++e) {
        const int64_t cadence = experiments[e].cadence_minutes * core::kTicksPerMinute;
        // Each experiment starts somewhere in its first period; each run drifts by up to a
        // tenth of the cadence either way, as schedules and manual submissions do.
        int64_t t = from + static_cast<int64_t>(random_.Unit() * static_cast<double>(cadence));
        while (t < to) {
            starts.emplace_back(e, t);
            const double jitter = random_.Real(-0.1, 0.1);
            t += cadence + static_cast<int64_t>(jitter * static_cast<double>(cadence));
        }
    }
    std::stable_sort(starts.begin(), starts.end(),
                     [](const auto& a, const auto& b) { return a.second < b.second; });
    return starts;
}

size_t Workload::PickExperiment() {
    // Weighted by how often each experiment runs, so live traffic looks like the backfill.
    const auto& experiments = DemoCatalog().experiments;
    double total = 0;
    for (const auto& e : experiments) total += 1.0 / static_cast<double>(e.cadence_minutes);
    double pick = random_.Unit() * total;
    for (size_t i = 0; i < experiments.size(); ++i) {
        pick -= 1.0 / static_cast<double>(experiments[i].cadence_minutes);
        if (pick < 0) return i;
    }
    return experiments.size() - 1;
}

namespace {

int64_t Seconds(Random& random, int64_t lo, int64_t hi) {
    // Whole seconds plus a random fraction, so no two events share a timestamp.
    return random.Between(lo, hi) * kTicksPerSecond + random.Between(0, kTicksPerSecond - 1);
}

// Which step fails a failing run, by the steps' fail weights.
size_t PickFailingStep(const ExperimentSpec& e, Random& random) {
    double total = 0;
    for (const auto& s : e.steps) total += s.fail_weight;
    double pick = random.Unit() * total;
    for (size_t i = 0; i < e.steps.size(); ++i) {
        if (e.steps[i].fail_weight <= 0) continue;
        pick -= e.steps[i].fail_weight;
        if (pick < 0) return i;
    }
    return e.steps.size() - 1;
}

}  // namespace

PipelineRun Workload::Plan(size_t experiment, int64_t start) {
    const Catalog& catalog = DemoCatalog();
    const ExperimentSpec& spec = catalog.experiments.at(experiment);
    PipelineRun run;
    run.experiment = experiment;
    run.run_id = random_.Guid();
    run.build_version = spec.build_prefix + "." + std::to_string(build_counter_ / 6) + "+" +
                        std::to_string(build_counter_);
    ++build_counter_;
    run.start = start;
    const bool fails = random_.Chance(spec.failure_rate);
    const size_t failing = fails ? PickFailingStep(spec, random_) : spec.steps.size();

    int64_t t = start + Seconds(random_, 2, 8);
    for (size_t i = 0; i < spec.steps.size(); ++i) {
        const StepSpec& s = spec.steps[i];
        const Cluster& cluster = catalog.clusters.at(s.cluster);
        StepRun step;
        step.spec = i;
        step.run_id = random_.Guid();
        step.node_id = random_.Hex(8);
        step.snapshot_id = random_.Guid();
        step.working_dir = "/mnt/azureml/cr/j/" + random_.Hex(32) + "/exe/wd";
        step.host = random_.Hex(32) + "00000" + std::to_string(random_.Between(0, 9));
        step.queued = t;
        step.preparing = step.queued + Seconds(random_, 1, 20);
        // Nodes are allocated and the image pulled while Preparing; GPU nodes take longer.
        step.running =
            step.preparing + (cluster.gpu ? Seconds(random_, 90, 300) : Seconds(random_, 20, 150));
        double factor = random_.Real(0.7, 1.5);
        step.failed = i == failing;
        if (step.failed) factor *= random_.Real(0.1, 0.8);  // it dies part way
        const int64_t duration = std::max<int64_t>(
            static_cast<int64_t>(static_cast<double>(s.typical_seconds) * factor * kTicksPerSecond),
            3 * kTicksPerSecond);
        step.end = step.running + duration + random_.Between(0, kTicksPerSecond - 1);
        t = step.end + Seconds(random_, 2, 10);
        run.steps.push_back(std::move(step));
        if (i == failing) break;
    }
    run.failed = failing < spec.steps.size();
    run.end = run.steps.back().end + Seconds(random_, 1, 5);
    for (const auto& step : run.steps) {
        if (step.failed) continue;
        const StepEffect effect = spec.steps[step.spec].effect;
        if (effect == StepEffect::kChecksDrift) run.drift_detected = random_.Chance(0.25);
        if (effect == StepEffect::kRegistersModel) {
            run.model_version = ++model_versions_[experiment];
            run.deployed = random_.Chance(0.35);
        }
    }
    return run;
}

std::vector<Item> Workload::Render(const PipelineRun& run) {
    const Catalog& catalog = DemoCatalog();
    const ExperimentSpec& spec = catalog.experiments.at(run.experiment);
    RunContext ctx{catalog, spec, catalog.workspaces.at(spec.workspace), run, ikey_};
    std::vector<Item> items;
    for (const auto& step : run.steps) {
        AppendStepTelemetry(ctx, step, random_, items);
        AppendComputeRows(ctx, step, random_, items);
    }
    AppendRunEvents(ctx, random_, items);
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.due < b.due; });
    return items;
}

}  // namespace calypso::app::demo

namespace calypso::app::demo {

std::string IsoTime(int64_t ticks, int digits) {
    const int64_t days = ticks >= 0 ? ticks / core::kTicksPerDay
                                    : -((-ticks + core::kTicksPerDay - 1) / core::kTicksPerDay);
    int64_t rest = ticks - days * core::kTicksPerDay;
    int64_t year = 0;
    unsigned month = 0, day = 0;
    core::CivilFromDays(days, year, month, day);
    const int64_t hour = rest / core::kTicksPerHour;
    rest %= core::kTicksPerHour;
    const int64_t minute = rest / core::kTicksPerMinute;
    rest %= core::kTicksPerMinute;
    const int64_t second = rest / kTicksPerSecond;
    int64_t fraction = rest % kTicksPerSecond;  // 7 digits
    digits = std::clamp(digits, 1, 7);
    for (int i = digits; i < 7; ++i) fraction /= 10;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%0*lldZ",
                  static_cast<long long>(year), month, day, static_cast<long long>(hour),
                  static_cast<long long>(minute), static_cast<long long>(second), digits,
                  static_cast<long long>(fraction));
    return buf;
}

}  // namespace calypso::app::demo
