#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace calypso::app {

// `calypso demo`: simulates an Azure ML workspace against a running server, through its
// real ingestion endpoints only (it is a client; it never touches the data directory
// except to read the default workspace's instrumentation key).
struct DemoOptions {
    std::string url = "http://127.0.0.1:8080";
    std::string ikey;  // empty: read from data_dir/workspaces.json
    std::string data_dir = "./data";
    std::string backfill = "1d";  // history to send first: "14d", "12h", "90m", "0"
    bool backfill_only = false;
    double rate = 1;  // live pipeline runs per minute
    uint64_t seed = 0;
    bool seed_given = false;
    std::string eventgrid_secret;
    size_t batch_size = 500;
};

// Runs until the backfill is sent (--backfill-only) or SIGINT/SIGTERM; the exit code.
int RunDemo(const DemoOptions& options);

// "14d", "12h", "90m", "30s", "0", or an ISO 8601 duration ("P14D") -> ticks.
core::Result<int64_t> ParseBackfill(std::string_view text);

// The instrumentation key of the `default` workspace in DIR/workspaces.json.
core::Result<std::string> DefaultWorkspaceKey(const std::string& data_dir);

}  // namespace calypso::app
