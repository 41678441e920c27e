#pragma once

// Private to the OTLP decoder: the two front ends (protobuf and OTLP/JSON) that turn a
// request body into the model of otlp_model.h. Each returns InvalidArgument only when the
// body as a whole cannot be read; everything narrower is recorded on the item, metric,
// scope or resource it concerns.

#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/otlp_model.h"

namespace calypso::ingest::internal {

core::Result<Request<LogRecord>> ProtoLogs(std::string_view body);
core::Result<Request<Span>> ProtoTraces(std::string_view body);
core::Result<Request<Metric>> ProtoMetrics(std::string_view body);

// `padded`: SIMDJSON_PADDING readable bytes follow the body; it is then parsed in place.
core::Result<Request<LogRecord>> JsonLogs(std::string_view body, bool padded = false);
core::Result<Request<Span>> JsonTraces(std::string_view body, bool padded = false);
core::Result<Request<Metric>> JsonMetrics(std::string_view body, bool padded = false);

// Shared helpers.
// Lower-case hex of `bytes`; "" when every byte is zero (OTLP's invalid id).
std::string HexId(std::string_view bytes);
// "" when `hex` is a valid id of `bytes` bytes (or empty), else why not. Upper-case digits
// are accepted and lowered in place; an all-zero id becomes "".
std::string NormalizeHexId(std::string& hex, size_t bytes, std::string_view field);
std::string Base64(std::string_view bytes);

}  // namespace calypso::ingest::internal
