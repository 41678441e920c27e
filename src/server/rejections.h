#pragma once

// Every item Calypso refuses, counted so that "my data never showed up" has an answer:
// the counter calypso_ingest_rejected_items_total{workspace,table,reason} on /metrics, and
// the table CalypsoRejections (TimeGenerated = the minute, Workspace, Table, Reason,
// Count, Example), one row per minute and (workspace, table, reason), written through the
// normal RowSink by Flush.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "core/metrics.h"
#include "core/row_sink.h"
#include "core/schema.h"

namespace calypso::server {

// Why an item was refused. A fixed list, so the label stays bounded.
enum class RejectReason {
    kInvalidItem,       // the decoder refused the item (malformed, missing fields)
    kInvalidJson,       // an NDJSON line that is not JSON
    kUnknownType,       // an App Insights baseType Calypso does not know
    kInvalidKey,        // unknown or missing instrumentation key
    kUnreadableBody,    // the whole body: bad encoding, not JSON (counted once)
    kTooLarge,          // the body is over the size limit (counted once)
    kUnknownWorkspace,  // a workspace header naming no workspace (counted once)
    kUnknownStream,     // Logs Ingestion API stream that maps to no table (counted once)
    kUnauthorized,      // Event Grid delivery without the shared secret (counted once)
    kThrottled,         // the store's write buffer is full (429)
    kUnavailable,       // the store cannot write now (503)
    kStoreError,        // the store failed (500)
};
std::string_view ReasonName(RejectReason reason);
// The reason of an App Insights per-item error, from its message.
RejectReason ReasonOfItemError(std::string_view message);
// The reason for a store refusal of this status.
RejectReason ReasonOfStoreError(const core::Status& status);

class Rejections {
  public:
    static constexpr const char* kTable = "CalypsoRejections";
    static core::Schema TableSchema();

    // `sink` receives the rows (null: counter only).
    Rejections(core::MetricsRegistry& registry, core::RowSink* sink);

    // `count` items of `workspace`/`table` refused for `reason`; `example` is one message
    // (the first of each minute is kept, cut to 512 bytes). Thread-safe, cheap.
    void Record(std::string_view workspace, std::string_view table, RejectReason reason,
                uint64_t count, std::string_view example, int64_t now_ticks);

    // Appends the rows of minutes that ended before `now_ticks` (every pending row when
    // `everything`). Rows that cannot be appended stay pending for the next call.
    core::Status Flush(int64_t now_ticks, bool everything);

  private:
    struct Pending {
        uint64_t count = 0;
        std::string example;
    };
    using Key = std::tuple<int64_t, std::string, std::string, RejectReason>;  // minute, ws, table

    core::CounterFamily& counter_;
    core::RowSink* sink_;
    std::mutex mu_;
    std::map<Key, Pending> pending_;
};

}  // namespace calypso::server
