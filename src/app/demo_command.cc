#include "app/demo_command.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "app/demo_catalog.h"
#include "app/demo_sender.h"
#include "app/demo_workload.h"
#include "core/dynamic.h"
#include "core/time.h"

namespace calypso::app {
namespace {

using demo::Item;

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void OnStopSignal(int) { g_stop.store(true); }

void InstallStopHandlers() {
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

// Runs count once they have ended (the live part knows how a run ends before it does).
struct Progress {
    uint64_t runs = 0, failed = 0, skipped = 0;
    std::multimap<int64_t, bool> in_flight;  // end time -> failed

    void Add(const demo::PipelineRun& run) { in_flight.emplace(run.end, run.failed); }
    void EndUntil(int64_t now) {
        while (!in_flight.empty() && in_flight.begin()->first <= now) {
            ++runs;
            failed += in_flight.begin()->second;
            in_flight.erase(in_flight.begin());
        }
    }
};

void PrintProgress(const char* phase, const Progress& p, const demo::SendStats& s) {
    std::printf("calypso demo: %s: %llu runs ended (%llu failed)", phase,
                static_cast<unsigned long long>(p.runs), static_cast<unsigned long long>(p.failed));
    if (!p.in_flight.empty()) std::printf(", %zu running", p.in_flight.size());
    std::printf(", %llu items sent, %llu rejected", static_cast<unsigned long long>(s.sent),
                static_cast<unsigned long long>(s.rejected));
    if (s.throttled > 0) {
        std::printf(", %llu throttled", static_cast<unsigned long long>(s.throttled));
    }
    std::printf("\n");
    std::fflush(stdout);
}

int Fail(const core::Status& s) {
    std::fprintf(stderr, "calypso demo: %s\n", s.message().c_str());
    return 1;
}

}  // namespace

core::Result<int64_t> ParseBackfill(std::string_view text) {
    if (text == "0") return int64_t{0};
    if (!text.empty() && (text[0] == 'P' || text[0] == 'p')) return core::ParseIsoDuration(text);
    const std::string s(text);
    size_t used = 0;
    double n = -1;
    try {
        n = std::stod(s, &used);
    } catch (...) {
        used = 0;
    }
    const std::string unit = s.substr(used);
    int64_t per = 0;
    if (unit == "d") per = core::kTicksPerDay;
    if (unit == "h") per = core::kTicksPerHour;
    if (unit == "m") per = core::kTicksPerMinute;
    if (unit == "s") per = core::kTicksPerSecond;
    if (used == 0 || per == 0 || n < 0 || n > 3650) {
        return core::Status::InvalidArgument("--backfill '" + s +
                                             "': expected a duration like 14d, 12h, 90m or 0");
    }
    return static_cast<int64_t>(n * static_cast<double>(per));
}

core::Result<std::string> DefaultWorkspaceKey(const std::string& data_dir) {
    const std::string path = data_dir + "/workspaces.json";
    std::ifstream in(path);
    if (!in) return core::Status::NotFound("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = core::Dynamic::Parse(text.str());
    if (!parsed.ok()) return core::Status::Corruption(path + ": " + parsed.status().message());
    const core::Dynamic* list = parsed->Find("workspaces");
    if (list != nullptr && list->kind() == core::Dynamic::Kind::kArray) {
        for (const auto& w : list->as_array()) {
            const core::Dynamic* name = w.Find("name");
            const core::Dynamic* key = w.Find("ikey");
            if (name != nullptr && key != nullptr && name->ToText() == "default") {
                return key->ToText();
            }
        }
    }
    return core::Status::Corruption(path + ": no default workspace with an ikey");
}

int RunDemo(const DemoOptions& o) {
    auto backfill = ParseBackfill(o.backfill);
    if (!backfill.ok()) return Fail(backfill.status());
    if (!(o.rate > 0 && o.rate <= 600)) {
        return Fail(core::Status::InvalidArgument("--rate must be in (0, 600] runs per minute"));
    }
    std::string ikey = o.ikey;
    if (ikey.empty()) {
        auto key = DefaultWorkspaceKey(o.data_dir);
        if (!key.ok()) {
            return Fail(core::Status::InvalidArgument(
                "no --ikey given and " + key.status().message() +
                "; pass --ikey with the instrumentation key `calypso serve` prints, or --data "
                "with the server's data directory"));
        }
        ikey = *key;
    }
    const uint64_t seed = o.seed_given ? o.seed : std::random_device{}();
    InstallStopHandlers();

    const auto& catalog = demo::DemoCatalog();
    std::printf("calypso demo: simulating %zu experiments in", catalog.experiments.size());
    for (const auto& w : catalog.workspaces) std::printf(" %s", w.name.c_str());
    std::printf(" -> %s (seed %llu)\n", o.url.c_str(), static_cast<unsigned long long>(seed));
    std::fflush(stdout);

    demo::Workload workload(seed, ikey);
    demo::SenderOptions so;
    so.url = o.url;
    so.eventgrid_secret = o.eventgrid_secret;
    so.batch_size = o.batch_size;
    demo::DemoSender sender(so, g_stop);
    std::multimap<int64_t, Item> pending;  // items not due yet, by due time
    Progress progress;

    // History: every run of the window, sent as fast as the server takes it.
    int64_t now = core::NowTicks();
    if (*backfill > 0) {
        auto last_print = std::chrono::steady_clock::now();
        for (const auto& [experiment, start] : workload.Schedule(now - *backfill, now)) {
            if (g_stop.load()) break;
            demo::PipelineRun run = workload.Plan(experiment, start);
            std::vector<Item> items = workload.Render(run);
            // Sorted by due: the last item is the run's last delivery. A run still in
            // flight is finished live, or left out when there is no live part.
            if (o.backfill_only && items.back().due > now) {
                ++progress.skipped;
                continue;
            }
            progress.Add(run);
            progress.EndUntil(now);
            for (auto& item : items) {
                if (item.due <= now) {
                    if (auto s = sender.Add(std::move(item)); !s.ok()) return Fail(s);
                } else {
                    const int64_t due = item.due;
                    pending.emplace(due, std::move(item));
                }
            }
            if (std::chrono::steady_clock::now() - last_print > std::chrono::seconds(2)) {
                last_print = std::chrono::steady_clock::now();
                PrintProgress("backfill", progress, sender.stats());
            }
        }
        if (auto s = sender.Flush(); !s.ok()) return Fail(s);
        PrintProgress(g_stop.load() ? "backfill interrupted" : "backfill done", progress,
                      sender.stats());
    }
    if (o.backfill_only || g_stop.load()) return 0;

    // Live: a new run every 60/rate seconds; every item goes out when it is due.
    const auto interval = static_cast<int64_t>(60.0 / o.rate * core::kTicksPerSecond);
    int64_t next_start = core::NowTicks();
    auto last_print = std::chrono::steady_clock::now();
    while (!g_stop.load()) {
        now = core::NowTicks();
        while (next_start <= now) {
            demo::PipelineRun run = workload.Plan(workload.PickExperiment(), next_start);
            progress.Add(run);
            for (auto& item : workload.Render(run)) {
                const int64_t due = item.due;
                pending.emplace(due, std::move(item));
            }
            next_start += interval;
        }
        while (!pending.empty() && pending.begin()->first <= now) {
            if (auto s = sender.Add(std::move(pending.begin()->second)); !s.ok()) return Fail(s);
            pending.erase(pending.begin());
        }
        if (auto s = sender.Flush(); !s.ok()) return Fail(s);
        progress.EndUntil(now);
        if (std::chrono::steady_clock::now() - last_print > std::chrono::seconds(30)) {
            last_print = std::chrono::steady_clock::now();
            PrintProgress("live", progress, sender.stats());
        }
        for (int i = 0; i < 5 && !g_stop.load(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    PrintProgress("stopped", progress, sender.stats());
    return 0;
}

}  // namespace calypso::app
