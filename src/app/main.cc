#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/certs_command.h"
#include "app/demo_command.h"
#include "app/query_command.h"
#include "app/serve.h"

int main(int argc, char** argv) {
    using namespace calypso::app;
    CLI::App cli{"Calypso: observability for machine-learning pipelines, queried in KQL."};
    cli.require_subcommand(1);

    ServeOptions serve;
    std::string config;
    std::string ikey;
    auto* serve_cmd =
        cli.add_subcommand("serve", "Run the server (ingestion, query API, storage).");
    serve_cmd->add_option("--data", serve.data_dir, "Data directory (created when missing)")
        ->capture_default_str();
    serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on; loopback only")
        ->capture_default_str();
    serve_cmd->add_option("--ikey", ikey,
                          "Instrumentation key of the default workspace at first start");
    serve_cmd->add_option("--config", config, "TOML config file; command-line options win over it");
    serve_cmd->add_option("--tls-cert", serve.tls_cert,
                          "Serve HTTPS with this PEM certificate (chain); needs --tls-key");
    serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert");
    serve_cmd->add_option("--web-root", serve.web_root,
                          "Directory of the built web UI (default: beside the binary)");

    QueryCommandOptions query;
    auto* query_cmd = cli.add_subcommand("query", "Run a KQL query against a running server.");
    query_cmd->add_option("--url", query.url, "Server base URL")->capture_default_str();
    query_cmd->add_option("--workspace", query.workspace, "Workspace id or name")
        ->capture_default_str();
    query_cmd->add_option("--format", query.format, "Output format")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    query_cmd->add_option("--timespan", query.timespan, "ISO 8601 time range, e.g. P1D or PT1H");
    query_cmd->add_flag("--explain", query.explain,
                        "Print the optimized plan (scans with their columns, keys, predicates "
                        "and time range) instead of running the query");
    query_cmd->add_flag("--stats", query.stats,
                        "Print scan statistics (segments and blocks read and skipped, rows, "
                        "bytes) after the result");
    query_cmd->add_option("kql", query.query, "The query")->required();

    std::string check_dir = "./data";
    auto* check_cmd = cli.add_subcommand("check", "Verify the data directory's files (read-only).");
    check_cmd->add_option("--data", check_dir, "Data directory")->capture_default_str();

    std::string stats_dir = "./data";
    auto* stats_cmd = cli.add_subcommand("stats", "Print the storage report of a data directory.");
    stats_cmd->add_option("--data", stats_dir, "Data directory")->capture_default_str();

    CertsOptions certs;
    auto* certs_cmd = cli.add_subcommand(
        "certs", "Write a self-signed certificate and key (cert.pem, key.pem) for testing HTTPS.");
    certs_cmd->add_option("--out", certs.out_dir, "Directory to write to")->capture_default_str();
    certs_cmd->add_option("--host", certs.host, "IP address or DNS name the certificate is for")
        ->capture_default_str();
    certs_cmd->add_flag("--force", certs.force, "Replace existing files");

    DemoOptions demo;
    auto* demo_cmd = cli.add_subcommand(
        "demo",
        "Simulate an Azure ML workspace against a running server through its ingestion "
        "endpoints: pipeline runs of several experiments with step logs, per-epoch metrics "
        "and exceptions (/v2/track), the Event Grid run lifecycle (/eventgrid), and "
        "AmlComputeJobEvent/AmlComputeClusterEvent rows (Logs Ingestion API). Sends "
        "--backfill of history first, then new runs live until Ctrl-C.");
    demo_cmd->add_option("--url", demo.url, "Server base URL")->capture_default_str();
    demo_cmd->add_option("--ikey", demo.ikey,
                         "Instrumentation key of the workspace to fill (default: the default "
                         "workspace's, read from --data)");
    demo_cmd->add_option("--data", demo.data_dir,
                         "The server's data directory, to read the key from when --ikey is "
                         "not given (read-only)")
        ->capture_default_str();
    demo_cmd->add_option("--backfill", demo.backfill,
                         "History to send first, runs spread over this much of the past: 14d, "
                         "12h, 90m or 0")
        ->capture_default_str();
    demo_cmd->add_flag("--backfill-only", demo.backfill_only,
                       "Exit once the history is sent (runs still in flight are left out)");
    demo_cmd->add_option("--rate", demo.rate, "Live pipeline runs started per minute")
        ->capture_default_str();
    demo_cmd->add_option("--seed", demo.seed,
                         "Random seed: the same seed gives the same runs (default: random, "
                         "printed)");
    demo_cmd->add_option("--eventgrid-secret", demo.eventgrid_secret,
                         "Shared secret of the /eventgrid webhook, when the server has one");
    demo_cmd->add_option("--batch", demo.batch_size, "Items per request")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();

    cli.add_subcommand("version", "Print the version.");

    CLI11_PARSE(cli, argc, argv);

    if (*serve_cmd) {
        ServeOptions effective;
        if (!config.empty()) {
            auto s = LoadConfig(config, effective);
            if (!s.ok()) {
                std::fprintf(stderr, "calypso serve: %s\n", s.message().c_str());
                return 1;
            }
        }
        // Explicit command-line options win over the config file.
        if (serve_cmd->count("--data") > 0) effective.data_dir = serve.data_dir;
        if (serve_cmd->count("--listen") > 0) effective.listen = serve.listen;
        if (!ikey.empty()) effective.ikey = ikey;
        if (serve_cmd->count("--tls-cert") > 0) effective.tls_cert = serve.tls_cert;
        if (serve_cmd->count("--tls-key") > 0) effective.tls_key = serve.tls_key;
        if (serve_cmd->count("--web-root") > 0) effective.web_root = serve.web_root;
        if (effective.tls_cert.empty() != effective.tls_key.empty()) {
            std::fprintf(stderr, "calypso serve: --tls-cert and --tls-key go together\n");
            return 1;
        }
        effective.program = argv[0];
        return RunServe(effective);
    }
    if (*query_cmd) return RunQuery(query);
    if (*check_cmd) return RunCheck(check_dir);
    if (*stats_cmd) return RunStats(stats_dir);
    if (*certs_cmd) return RunCerts(certs);
    if (*demo_cmd) {
        demo.seed_given = demo_cmd->count("--seed") > 0;
        return RunDemo(demo);
    }
    std::printf("calypso %s\n", CALYPSO_VERSION);
    return 0;
}
