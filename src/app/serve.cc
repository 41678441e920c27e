#include "app/serve.h"

#include <arpa/inet.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>

#include <array>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/dynamic.h"
#include "core/metrics.h"
#include "ingest/tables.h"
#include "kql/engine.h"
#include "net/http_server.h"
#include "runs/run_metrics.h"
#include "runs/run_tracker.h"
#include "server/api.h"
#include "server/metered_sink.h"
#include "server/query_log.h"
#include "server/rejections.h"
#include "server/run_events.h"
#include "server/run_functions.h"
#include "storage/check.h"
#include "storage/manifest.h"
#include "storage/store.h"

namespace calypso::app {

using core::Status;

core::Result<HostPort> ParseHostPort(std::string_view text) {
    auto bad = [&] {
        return Status::InvalidArgument("--listen '" + std::string(text) +
                                       "': expected HOST:PORT like 127.0.0.1:8080");
    };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad();
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string_view port_text = text.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5) return bad();
    unsigned port = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') return bad();
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) return bad();
    return HostPort{host, static_cast<uint16_t>(port)};
}

bool IsLoopback(std::string_view host) {
    if (host == "localhost" || host == "::1") return true;
    in_addr addr{};
    std::string h(host);
    if (inet_pton(AF_INET, h.c_str(), &addr) == 1) return (ntohl(addr.s_addr) >> 24) == 127;
    return false;
}

namespace {

void PrintWelcome(const std::string& program, const server::Workspace& ws, const HostPort& hp,
                  uint16_t port, bool tls) {
    const std::string host = hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
    const std::string base = (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
    std::printf(
        "calypso is serving on %s\n"
        "  workspace:         %s (id %s)\n"
        "  connection string: InstrumentationKey=%s;IngestionEndpoint=%s/\n"
        "\n"
        "Try:\n"
        "  %s query --url %s \"traces | take 10\"\n"
        "  %s query --url %s \"traces | where timestamp > ago(1h) | summarize count() by "
        "severityLevel\"\n"
        "  %s query --url %s \"traces | where customDimensions.parent_run_id == 'RUN_ID' | "
        "project timestamp, message\"\n"
        "  curl -s %s/v1/workspaces/%s/query -d '{\"query\":\"traces | count\"}'\n",
        base.c_str(), ws.name.c_str(), ws.id.c_str(), ws.ikey.c_str(), base.c_str(),
        program.c_str(), base.c_str(), program.c_str(), base.c_str(), program.c_str(), base.c_str(),
        base.c_str(), ws.id.c_str());
    std::fflush(stdout);
}

server::Health StoreHealth(const storage::Store& store) {
    auto s = store.Stats();
    std::string quarantined = "[";
    for (const auto& line : store.Quarantined()) {
        if (quarantined.size() > 1) quarantined += ',';
        core::AppendJsonString(quarantined, line);
    }
    quarantined += ']';
    server::Health h;
    h.degraded = s.quarantined_segments > 0;
    h.json = "{\"quarantined\":" + quarantined + ",\"tables\":" + std::to_string(s.tables) +
             ",\"segments\":" + std::to_string(s.segments) +
             ",\"segment_rows\":" + std::to_string(s.segment_rows) +
             ",\"buffered_rows\":" + std::to_string(s.buffered_rows) +
             ",\"recovered_records\":" + std::to_string(s.recovered_records) +
             ",\"torn_tail_bytes\":" + std::to_string(s.torn_tail_bytes) + "}";
    return h;
}

// Store sizes for /metrics, read at scrape time: per table the segment files' bytes, their
// count and rows (from the MANIFEST and file sizes; rows still only in the write buffer are
// the buffer gauges), and the write buffer.
void CollectStoreMetrics(const storage::Store& store, const std::string& dir,
                         std::vector<core::MetricFamily>& out) {
    using core::MetricFamily;
    using core::MetricType;
    MetricFamily bytes{"calypso_storage_segment_bytes",
                       "Bytes of segment files on disk, by table",
                       "bytes",
                       MetricType::kGauge,
                       {"table"},
                       {},
                       {}};
    MetricFamily segments{"calypso_storage_segments",
                          "Segment files, by table",
                          "",
                          MetricType::kGauge,
                          {"table"},
                          {},
                          {}};
    MetricFamily rows{"calypso_storage_segment_rows",
                      "Rows in segment files, by table",
                      "",
                      MetricType::kGauge,
                      {"table"},
                      {},
                      {}};
    core::Env* env = core::Env::Default();
    if (auto manifest = storage::LoadManifest(env, dir); manifest.ok()) {
        // Segment files are named by id ("000042.seg"), as the store writes them.
        std::map<uint64_t, uint64_t> file_bytes;
        if (auto files = env->ListDir(dir + "/segments"); files.ok()) {
            for (const auto& f : *files) {
                uint64_t id = 0;
                auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), id);
                if (ec != std::errc() || std::string_view(end) != ".seg") continue;
                if (auto size = env->FileSize(dir + "/segments/" + f); size.ok()) {
                    file_bytes[id] = *size;
                }
            }
        }
        std::map<std::string, std::array<double, 3>> per_table;
        for (const auto& seg : manifest->segments) {
            auto& t = per_table[seg.table];
            t[0] += static_cast<double>(file_bytes[seg.id]);
            t[1] += 1;
            t[2] += static_cast<double>(seg.rows);
        }
        for (const auto& [table, t] : per_table) {
            bytes.series.push_back({{table}, t[0], {}, 0, 0});
            segments.series.push_back({{table}, t[1], {}, 0, 0});
            rows.series.push_back({{table}, t[2], {}, 0, 0});
        }
    }
    const storage::StoreStats stats = store.Stats();
    out.push_back(std::move(bytes));
    out.push_back(std::move(segments));
    out.push_back(std::move(rows));
    out.push_back({"calypso_write_buffer_rows",
                   "Rows acknowledged but not yet in segments",
                   "",
                   MetricType::kGauge,
                   {},
                   {},
                   {{{}, double(stats.buffered_rows), {}, 0, 0}}});
    out.push_back({"calypso_write_buffer_bytes",
                   "Memory held by the write buffers",
                   "bytes",
                   MetricType::kGauge,
                   {},
                   {},
                   {{{}, double(stats.buffered_bytes), {}, 0, 0}}});
}

// Calls `flush(false)` every `interval` on its own thread, and `flush(true)` once on Stop:
// writes buffered system-table rows (CalypsoRejections, LAQueryLogs) in the background.
class PeriodicFlusher {
  public:
    PeriodicFlusher(std::chrono::milliseconds interval, std::function<void(bool final)> flush)
        : interval_(interval), flush_(std::move(flush)), thread_([this] { Loop(); }) {}
    ~PeriodicFlusher() { Stop(); }
    void Stop() {
        {
            std::lock_guard lock(mu_);
            if (stop_) return;
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
        flush_(true);
    }

  private:
    void Loop() {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
            lock.unlock();
            flush_(false);
            lock.lock();
        }
    }
    const std::chrono::milliseconds interval_;
    const std::function<void(bool)> flush_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

int Fail(const std::string& message) {
    std::fprintf(stderr, "calypso serve: %s\n", message.c_str());
    return 1;
}

}  // namespace

int RunCheck(const std::string& data_dir) {
    auto report = storage::CheckStore(core::Env::Default(), data_dir + "/store");
    if (!report.ok()) {
        std::fprintf(stderr, "calypso check: %s\n", report.status().ToString().c_str());
        return 2;
    }
    std::printf("checked %llu segments (%llu rows) and %llu WAL records in %s/store\n",
                static_cast<unsigned long long>(report->segments_checked),
                static_cast<unsigned long long>(report->rows_checked),
                static_cast<unsigned long long>(report->wal_records), data_dir.c_str());
    for (const auto& q : report->quarantined) std::printf("quarantined earlier: %s\n", q.c_str());
    for (const auto& p : report->problems) std::printf("DAMAGED: %s\n", p.c_str());
    if (report->problems.empty()) std::printf("no damage found\n");
    return report->problems.empty() ? 0 : 1;
}

int RunStats(const std::string& data_dir) {
    auto report = storage::StorageReport(core::Env::Default(), data_dir + "/store");
    if (!report.ok()) {
        std::fprintf(stderr, "calypso stats: %s\n", report.status().ToString().c_str());
        return 2;
    }
    // Ratio: what clients sent (raw JSON, from Usage) over what the segments take on disk.
    auto ratio = [](uint64_t ingested, uint64_t disk) {
        return ingested > 0 && disk > 0 ? static_cast<double>(ingested) / static_cast<double>(disk)
                                        : 0.0;
    };
    std::printf("%-28s %12s %9s %10s %14s %14s %14s %7s %9s\n", "table", "rows", "segments",
                "partitions", "bytes on disk", "uncompressed", "ingested JSON", "ratio",
                "retention");
    uint64_t rows = 0, disk = 0, raw = 0, ingested = 0;
    for (const auto& t : *report) {
        if (t.rows == 0) continue;
        const std::string retention =
            t.retention_days ? std::to_string(t.retention_days) + "d" : "default";
        std::printf("%-28s %12llu %9llu %10llu %14llu %14llu %14llu %6.1fx %9s\n",
                    t.table.c_str(), static_cast<unsigned long long>(t.rows),
                    static_cast<unsigned long long>(t.segments),
                    static_cast<unsigned long long>(t.partitions),
                    static_cast<unsigned long long>(t.bytes_on_disk),
                    static_cast<unsigned long long>(t.uncompressed_bytes),
                    static_cast<unsigned long long>(t.ingested_bytes),
                    ratio(t.ingested_bytes, t.bytes_on_disk), retention.c_str());
        rows += t.rows;
        disk += t.bytes_on_disk;
        raw += t.uncompressed_bytes;
        ingested += t.ingested_bytes;
    }
    std::printf("%-28s %12llu %9s %10s %14llu %14llu %14llu %6.1fx\n", "total",
                static_cast<unsigned long long>(rows), "", "",
                static_cast<unsigned long long>(disk), static_cast<unsigned long long>(raw),
                static_cast<unsigned long long>(ingested), ratio(ingested, disk));
    std::printf("(ratio: ingested JSON / bytes on disk; ingested bytes come from the Usage "
                "table, whose last minute may still be only in the WAL)\n");
    std::printf("(rows still only in the WAL are not counted; empty tables are not listed)\n");
    return 0;
}

namespace {

// Ingestion allocates and frees batch-sized blocks all the time. By default glibc maps and
// unmaps large ones, and trims the heap's top, on every cycle, and the kernel faults in and
// zeroes each page again (measured: ~10% of the CPU of an OTLP/JSON load). Keep that memory;
// the store hands it back with malloc_trim once ingestion slows down.
void TuneAllocator() {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
#endif
}

}  // namespace

int RunServe(const ServeOptions& options) {
    TuneAllocator();
    auto hp = ParseHostPort(options.listen);
    if (!hp.ok()) return Fail(hp.status().message());
    if (!IsLoopback(hp->host)) {
        return Fail(
            "refusing to listen on " + hp->host +
            ": Calypso has no authentication yet, so anyone who can reach the port could read and "
            "write every workspace. Listen on a loopback address (127.0.0.1, ::1 or localhost) "
            "and put an authenticating proxy in front for remote access.");
    }

    // Signals are taken synchronously by this thread; block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    core::Env* env = core::Env::Default();
    auto workspaces = server::Workspaces::LoadOrCreate(env, options.data_dir, options.ikey);
    if (!workspaces.ok()) return Fail(workspaces.status().message());
    auto dashboards = server::DashboardStore::Open(env, options.data_dir);
    if (!dashboards.ok()) return Fail(dashboards.status().ToString());

    storage::StoreOptions so;
    so.dir = options.data_dir + "/store";
    so.flush_rows = options.flush_rows;
    so.flush_age = std::chrono::seconds(options.flush_seconds);
    so.default_retention_days = options.retention_days;
    auto store = storage::Store::Open(so);
    if (!store.ok())
        return Fail("cannot open the store in " + so.dir + ": " + store.status().ToString());
    for (const auto& def : ingest::BuiltinTables()) {
        Status s = (*store)->DefineTable(def.name, def.schema, def.time_column);
        if (!s.ok()) return Fail(s.ToString());
    }
    // Each workspace queries its own rows of the store, with its own stored functions.
    auto workspace_queries = server::WorkspaceQueries::Open(
        env, options.data_dir, *workspaces, **store,
        [](kql::Engine& engine) { return server::RegisterRunFunctions(engine); });
    if (!workspace_queries.ok()) return Fail(workspace_queries.status().ToString());

    // /metrics: the process-wide registry, plus the store's sizes read at scrape time.
    core::MetricsRegistry& metrics = core::DefaultMetrics();
    struct CollectorGuard {  // removed before the store goes
        core::MetricsRegistry& registry;
        size_t id;
        ~CollectorGuard() { registry.RemoveCollector(id); }
    } store_collector{metrics, metrics.AddCollector([store_ptr = store->get(), dir = so.dir](
                                                        std::vector<core::MetricFamily>& out) {
                          CollectStoreMetrics(*store_ptr, dir, out);
                      })};
    // Every write is counted per table on its way to the store.
    server::MeteredSink sink(**store, metrics);
    if (Status s = (*store)->DefineTable(server::Rejections::kTable,
                                         server::Rejections::TableSchema(), "TimeGenerated");
        !s.ok()) {
        return Fail(s.ToString());
    }
    server::Rejections rejections(metrics, &sink);
    // The rows of each finished minute every 5 s; a refusal keeps them pending.
    PeriodicFlusher rejection_flusher(std::chrono::seconds(5), [&rejections](bool final) {
        (void)rejections.Flush(core::NowTicks(), final);
    });
    // One LAQueryLogs row per query, buffered and appended every 2 s (never per query).
    if (Status s = (*store)->DefineTable(server::QueryLog::kTable,
                                         server::QueryLog::TableSchema(), "TimeGenerated");
        !s.ok()) {
        return Fail(s.ToString());
    }
    server::QueryLog query_log(sink, &metrics);
    PeriodicFlusher query_log_flusher(std::chrono::seconds(2),
                                      [&query_log](bool) { (void)query_log.Flush(); });

    // Pipeline runs: the merged state is rebuilt from the stored Event Grid events.
    runs::RunMetrics run_metrics(metrics);
    runs::RunTracker runs(sink, &run_metrics);
    if (Status s = server::RebuildRuns(runs, **store); !s.ok()) {
        return Fail("rebuilding pipeline runs from AmlEventGridEvent: " + s.ToString());
    }

    server::ApiServices services;
    services.sink = &sink;
    services.metrics = &metrics;
    services.rejections = &rejections;
    services.query_log = &query_log;
    services.tables = store->get();
    services.queries = &(*workspace_queries)->EngineOf(workspaces->default_workspace());
    services.workspace_queries = workspace_queries->get();
    services.workspaces = &*workspaces;
    services.runs = &runs;
    services.eventgrid_secret = options.eventgrid_secret;
    const storage::Store* store_ptr = store->get();
    services.health = [store_ptr] { return StoreHealth(*store_ptr); };
    storage::Store* mutable_store = store->get();
    services.get_retention = [store_ptr](const std::string& t) {
        return store_ptr->RetentionDays(t);
    };
    services.set_retention = [mutable_store](const std::string& t, int days) {
        return mutable_store->SetRetention(t, days);
    };
    // DefineTable keeps an existing table as it is, so GetSchema answers the first definition.
    services.define_table = [mutable_store](
                                const std::string& table,
                                const core::Schema& schema) -> core::Result<core::Schema> {
        RETURN_IF_ERROR(mutable_store->DefineTable(table, schema, "TimeGenerated"));
        return mutable_store->GetSchema(table);
    };
    ingest::RecentIds recent_ids;
    services.recent_ids = &recent_ids;
    // The web UI at /: an explicit --web-root must hold a build; the default may be absent.
    server::StaticHandler web(options.web_root.empty() ? server::DefaultWebRoot()
                                                       : options.web_root);
    if (!options.web_root.empty() && !std::filesystem::exists(options.web_root + "/index.html")) {
        return Fail("--web-root " + options.web_root + " has no index.html (build it with make)");
    }
    if (web.root().empty()) {
        std::fprintf(stderr, "calypso: web UI not built (make builds it); serving the APIs only\n");
    }
    services.web = &web;
    services.dashboards = &*dashboards;
    server::Api api(std::move(services));

    net::ServerOptions no;
    no.host = hp->host;
    no.port = hp->port;
    no.worker_threads = options.worker_threads;
    no.body_limit = options.body_limit_bytes;
    no.tls_cert_file = options.tls_cert;
    no.tls_key_file = options.tls_key;
    auto http =
        net::HttpServer::Start(no, [&api](const net::HttpRequest& r) { return api.Handle(r); });
    if (!http.ok()) return Fail(http.status().message());

    PrintWelcome(options.program, workspaces->default_workspace(), *hp, (*http)->port(),
                 !options.tls_cert.empty());

    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "calypso: %s received, shutting down\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    (*http)->Stop();
    rejection_flusher.Stop();
    query_log_flusher.Stop();
    Status closed = (*store)->Close();
    if (!closed.ok()) return Fail("flushing the store: " + closed.ToString());
    std::fprintf(stderr, "calypso: stopped cleanly\n");
    return 0;
}

}  // namespace calypso::app
