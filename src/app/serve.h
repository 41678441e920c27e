#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/status.h"

namespace calypso::app {

struct ServeOptions {
    std::string data_dir = "./data";
    std::string listen = "127.0.0.1:8080";
    std::optional<std::string> ikey;
    size_t flush_rows = 200'000;
    int flush_seconds = 30;
    int retention_days = 90;
    size_t worker_threads = 4;
    size_t body_limit_bytes = size_t{64} << 20;
    std::string tls_cert;  // HTTPS when both are set (PEM files)
    std::string tls_key;
    std::string eventgrid_secret;  // [eventgrid] secret: required on POST /eventgrid when set
    std::string web_root;  // built web UI (web/dist); "" = beside the binary, if built
    std::string program = "calypso";  // how to call this binary, for the printed examples
};

// Reads a TOML config file into `options` (keys not in the file keep their values):
//   [server] listen, data, ikey, workers, body_limit_mb, tls_cert, tls_key, web_root
//   [storage] flush_rows, flush_seconds, retention_days    [eventgrid] secret
core::Status LoadConfig(const std::string& path, ServeOptions& options);

// `calypso serve`: opens the store, starts the HTTP server and runs until SIGINT/SIGTERM,
// then stops accepting, finishes requests, flushes and returns 0. Errors print a message
// and return non-zero.
int RunServe(const ServeOptions& options);

// `calypso check`: verifies every segment and WAL file of DIR/store and prints what is
// damaged. Returns 0 when everything is intact, 1 when something is damaged, 2 when the
// directory cannot be read.
int RunCheck(const std::string& data_dir);

// `calypso stats`: per table rows, segments, partitions, bytes on disk and compression
// ratio, from the MANIFEST and segment footers. Returns 0, or 2 when unreadable.
int RunStats(const std::string& data_dir);

struct HostPort {
    std::string host;
    uint16_t port = 0;
};
// "127.0.0.1:8080", "localhost:80", "[::1]:8080".
core::Result<HostPort> ParseHostPort(std::string_view text);
bool IsLoopback(std::string_view host);

}  // namespace calypso::app
