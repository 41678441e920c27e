#pragma once

// Private to the OTLP decoder (otlp*.cc). The decoded form of an OTLP export request, the
// same whichever encoding it came in: otlp_proto_*.cc and otlp_json*.cc fill it,
// otlp_logs.cc, otlp_traces.cc and otlp_metrics.cc turn it into table rows.
//
// Errors are kept where they happen, so one bad item never costs the good items beside it:
// an item (log record, span, data point) with an `error` is rejected alone; an error on a
// metric, scope or resource rejects every item inside it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/dynamic.h"

namespace calypso::ingest::internal {

// AnyValue as a Dynamic: string, bool, int (Long), double (Real), array, kvlist (Object);
// bytes become their base64 text, as in OTLP/JSON.
struct Attribute {
    std::string key;
    core::Dynamic value;
};
using Attributes = std::vector<Attribute>;

// The value of `key`, or nullptr.
const core::Dynamic* FindAttribute(const Attributes& attributes, std::string_view key);

// Trace and span ids are kept as lower-case hex (32 and 16 digits); empty when absent or
// all zeros (which OTLP defines as invalid, i.e. absent).

struct LogRecord {
    uint64_t time_unix_nano = 0;
    uint64_t observed_time_unix_nano = 0;
    int32_t severity_number = 0;
    std::string severity_text;
    bool has_body = false;
    core::Dynamic body;
    Attributes attributes;
    std::string trace_id, span_id;
    std::string error;
};

enum SpanKind : int32_t {
    kSpanUnspecified = 0,
    kSpanInternal = 1,
    kSpanServer = 2,
    kSpanClient = 3,
    kSpanProducer = 4,
    kSpanConsumer = 5
};
enum StatusCode : int32_t { kStatusUnset = 0, kStatusOk = 1, kStatusError = 2 };

struct SpanEvent {
    uint64_t time_unix_nano = 0;
    std::string name;
    Attributes attributes;
};

struct SpanLink {
    std::string trace_id, span_id;
};

struct Span {
    std::string trace_id, span_id, parent_span_id;
    std::string name;
    int32_t kind = kSpanUnspecified;
    uint64_t start_time_unix_nano = 0, end_time_unix_nano = 0;
    Attributes attributes;
    std::vector<SpanEvent> events;
    std::vector<SpanLink> links;
    int32_t status_code = kStatusUnset;
    std::string status_message;
    std::string error;
};

enum class MetricKind : uint8_t {
    kNone,
    kGauge,
    kSum,
    kHistogram,
    kExponentialHistogram,
    kSummary
};

// One data point of any metric kind. Number points set `value`; histogram-like points set
// count and, when sent, sum/min/max; summaries take min and max from quantiles 0 and 1.
struct DataPoint {
    Attributes attributes;
    uint64_t start_time_unix_nano = 0, time_unix_nano = 0;
    bool has_value = false;
    double value = 0;
    uint64_t count = 0;
    bool has_sum = false, has_min = false, has_max = false;
    double sum = 0, min = 0, max = 0;
    uint32_t flags = 0;
    std::string error;
};
inline constexpr uint32_t kFlagNoRecordedValue = 1;

struct Metric {
    std::string name, description, unit;
    MetricKind kind = MetricKind::kNone;
    int32_t temporality = 0;  // 0 unspecified, 1 delta, 2 cumulative
    bool is_monotonic = false;
    std::vector<DataPoint> points;
    std::string error;
};

template <typename Item>
struct ScopeGroup {
    std::vector<Item> items;
    std::string error;
};

template <typename Item>
struct ResourceGroup {
    Attributes resource;
    std::vector<ScopeGroup<Item>> scopes;
    std::string error;
};

template <typename Item>
using Request = std::vector<ResourceGroup<Item>>;

// How deep AnyValue arrays and kvlists may nest: deeper input is rejected rather than
// risking the stack.
inline constexpr int kMaxValueDepth = 64;

}  // namespace calypso::ingest::internal
