#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/demo_workload.h"
#include "core/dynamic.h"
#include "core/status.h"

namespace calypso::app::demo {

struct SenderOptions {
    std::string url;               // the server's base URL, "http://127.0.0.1:8080"
    std::string eventgrid_secret;  // sent as ?code= when set
    size_t batch_size = 500;       // items per request
    int give_up_seconds = 60;      // how long an unreachable server is retried
};

struct SendStats {
    uint64_t sent = 0;      // accepted by the server
    uint64_t rejected = 0;  // refused for good (bad item, unknown key, ...)
    uint64_t requests = 0;
    uint64_t throttled = 0;  // 429/503 answers waited out
};

// Posts items to the server's real ingestion endpoints in batches: envelopes to
// /v2/track, events to /eventgrid (Event Grid schema), rows to the Logs Ingestion API.
// Waits out 429/503 (Retry-After) and resends what the server asks to be resent, as the
// real clients do; stops retrying once `stop` is set. Not thread-safe.
class DemoSender {
  public:
    DemoSender(SenderOptions options, const std::atomic<bool>& stop);

    // Buffers one item; posts its channel's batch once full. An error means the server
    // cannot be reached or refuses every request (wrong URL, key): the demo should stop.
    core::Status Add(Item item);
    // Posts every buffered item.
    core::Status Flush();
    const SendStats& stats() const { return stats_; }

  private:
    core::Status Post(Channel channel, std::vector<core::Dynamic> items);
    // Waits up to `seconds`, returning early when asked to stop.
    void Sleep(double seconds) const;

    SenderOptions options_;
    const std::atomic<bool>& stop_;
    std::array<std::vector<core::Dynamic>, kChannels> pending_;
    std::array<bool, kChannels> reported_{};  // first rejection per channel printed
    SendStats stats_;
};

// The endpoint path of a channel.
std::string ChannelPath(Channel channel);

}  // namespace calypso::app::demo
