#pragma once

// Azure Event Grid deliveries (Event Grid schema and CloudEvents 1.0) of Azure Machine
// Learning events: decoding a request body into events, and the rows they become.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic.h"
#include "core/row_sink.h"
#include "core/status.h"

namespace calypso::ingest {

// One event, whichever schema delivered it, under the Event Grid schema's names
// (CloudEvents `source` is `topic`, `type` is `event_type`, `time` is `time`).
struct AmlEvent {
    std::string id;
    std::string topic;  // the workspace's ARM path
    std::string subject;
    std::string event_type;  // "Microsoft.MachineLearningServices.RunStatusChanged", ...
    int64_t time = 0;        // ticks; a CloudEvent without `time` gets the receive time
    core::Dynamic data;
    std::string data_version;
    std::string metadata_version;  // "1", or the CloudEvents specversion

    // What makes two deliveries the same event: CloudEvents says source + id.
    std::string Key() const { return topic + '\n' + id; }
};

// An event of the delivery that cannot be used; the others are.
struct EventError {
    size_t index = 0;   // position in the delivered array (0 for a single object)
    std::string field;  // "eventTime", "data.runId", ... ("" for the event itself)
    std::string message;
    std::string ToString() const;  // "event 3: data.runId: missing"
};

struct EventGridDelivery {
    std::vector<AmlEvent> events;  // the usable events, in delivery order
    std::vector<EventError> errors;
    // Set when the body is an Event Grid SubscriptionValidationEvent: answer with it.
    std::optional<std::string> validation_code;
};

inline constexpr std::string_view kRunStatusChanged =
    "Microsoft.MachineLearningServices.RunStatusChanged";
inline constexpr std::string_view kRunCompleted = "Microsoft.MachineLearningServices.RunCompleted";
inline constexpr std::string_view kModelRegistered =
    "Microsoft.MachineLearningServices.ModelRegistered";
inline constexpr std::string_view kModelDeployed =
    "Microsoft.MachineLearningServices.ModelDeployed";
inline constexpr std::string_view kDatasetDriftDetected =
    "Microsoft.MachineLearningServices.DatasetDriftDetected";

// Decodes a webhook body: an Event Grid array, a CloudEvents batch (array) or a single
// CloudEvent (object); the schema is told apart per event (`specversion` vs `eventType`).
// InvalidArgument when the body is not JSON or neither an object nor an array; bad events
// land in `errors`. `now` stands in for a missing CloudEvents `time`.
core::Result<EventGridDelivery> DecodeEventGrid(std::string_view body, int64_t now);

// The rows of `events` for the raw tables: every event in AmlEventGridEvent, status changes
// also in AmlRunStatusChangedEvent (Azure's resource-log columns), model and drift events in
// their own tables. Empty batches are left out.
std::vector<core::TableBatch> EventRows(std::span<const AmlEvent> events);

// The events stored in AmlEventGridEvent rows (for rebuilding state at startup). Rows
// that cannot be read back are skipped.
std::vector<AmlEvent> EventsFromRows(const core::Batch& batch);

}  // namespace calypso::ingest
