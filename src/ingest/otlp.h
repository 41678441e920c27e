#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/row_sink.h"
#include "core/status.h"

namespace calypso::ingest {

// OTLP/HTTP ingestion (POST /v1/logs, /v1/traces, /v1/metrics), mapped into the
// Application Insights tables the way the Azure Monitor OpenTelemetry exporter maps the
// same data, so one query works whichever SDK sent it. The mapping is documented in
// docs/architecture.md ("OTLP").

enum class OtlpSignal { kLogs, kTraces, kMetrics };
enum class OtlpFormat { kProtobuf, kJson };

// Where rows go: the values of the appName, appId and iKey columns.
struct OtlpWorkspace {
    std::string app_name;
    std::string app_id;
    std::string ikey;
};

// Resolves a workspace named by id, name or instrumentation key; nullopt when unknown.
using OtlpWorkspaceLookup = std::function<std::optional<OtlpWorkspace>(std::string_view)>;

// The resource attribute that sends a resource's items to another workspace.
inline constexpr std::string_view kOtlpWorkspaceAttribute = "calypso.workspace";

struct OtlpOptions {
    // Receives every item whose resource names no workspace.
    OtlpWorkspace workspace;
    // Resolves kOtlpWorkspaceAttribute; when empty, the attribute is ignored.
    OtlpWorkspaceLookup lookup;
    // "Now" in ticks: the time of log records that carry none and of the _OTELRESOURCE_
    // rows. 0 = read the clock.
    int64_t now_ticks = 0;
    // SIMDJSON_PADDING readable bytes follow the body (BodyBytes::padded): JSON is parsed
    // in place rather than copied.
    bool body_padded = false;
};

// The decoded request. Items are log records, spans or metric data points; a rejected item
// never costs the accepted ones. `error_message` says why items were rejected (the first
// few reasons, each with its path in the request), empty when none was.
struct OtlpResult {
    size_t items_received = 0;
    size_t items_rejected = 0;
    std::string error_message;
    std::vector<core::TableBatch> batches;  // one per table touched
};

// Decodes an Export{Logs,Trace,Metrics}ServiceRequest body (already decompressed) in
// protobuf or OTLP/JSON (lowerCamelCase or snake_case keys, hex ids, 64-bit integers as
// numbers or strings, enums as integers or names). Returns InvalidArgument (HTTP 400) only
// when the body cannot be read at all: not JSON, or protobuf whose outer framing is broken;
// the message says what and at which byte. Thread-safe; no shared state.
core::Result<OtlpResult> DecodeOtlp(OtlpSignal signal, OtlpFormat format, std::string_view body,
                                    const OtlpOptions& options);

// The Export*ServiceResponse body: empty (protobuf) or {} (JSON) when nothing was
// rejected, else partial_success {rejected_<items>, error_message}.
std::string OtlpExportResponse(OtlpSignal signal, OtlpFormat format, size_t rejected,
                               std::string_view error_message);

// A google.rpc.Status body for error responses: {code, message}.
std::string OtlpStatusBody(OtlpFormat format, int grpc_code, std::string_view message);

}  // namespace calypso::ingest
