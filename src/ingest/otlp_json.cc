// OTLP/JSON front end: the item objects of each signal (field names as in
// opentelemetry-proto, lowerCamelCase).

#include <array>
#include <utility>

#include "ingest/otlp_json_common.h"

namespace calypso::ingest::internal {
namespace {

constexpr std::string_view kSpanKinds[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                           "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                           "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
constexpr std::string_view kStatusCodes[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                             "STATUS_CODE_ERROR"};
constexpr std::string_view kTemporalities[] = {"AGGREGATION_TEMPORALITY_UNSPECIFIED",
                                               "AGGREGATION_TEMPORALITY_DELTA",
                                               "AGGREGATION_TEMPORALITY_CUMULATIVE"};
constexpr std::string_view kSeverities[] = {
    "SEVERITY_NUMBER_UNSPECIFIED", "SEVERITY_NUMBER_TRACE",  "SEVERITY_NUMBER_TRACE2",
    "SEVERITY_NUMBER_TRACE3",      "SEVERITY_NUMBER_TRACE4", "SEVERITY_NUMBER_DEBUG",
    "SEVERITY_NUMBER_DEBUG2",      "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
    "SEVERITY_NUMBER_INFO",        "SEVERITY_NUMBER_INFO2",  "SEVERITY_NUMBER_INFO3",
    "SEVERITY_NUMBER_INFO4",       "SEVERITY_NUMBER_WARN",   "SEVERITY_NUMBER_WARN2",
    "SEVERITY_NUMBER_WARN3",       "SEVERITY_NUMBER_WARN4",  "SEVERITY_NUMBER_ERROR",
    "SEVERITY_NUMBER_ERROR2",      "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
    "SEVERITY_NUMBER_FATAL",       "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3",
    "SEVERITY_NUMBER_FATAL4"};

// Reads the members of an item object in turn, stopping at the first error. The object's
// members are listed once: an item has a handful, read by up to a dozen names, several of
// them usually absent (observedTimeUnixNano, traceId, ...), and an absent name costs a scan
// of the list instead of two walks of the object (camelCase, then snake_case).
class ItemReader {
  public:
    ItemReader(const JsonElement& e, std::string& error) : error_(error) {
        if (e.get_object().get(o_) != simdjson::SUCCESS) {
            error_ = "not a JSON object";
            return;
        }
        for (auto field : o_) {
            if (count_ == members_.size()) {
                listed_ = false;  // an unusually wide object: look names up in it directly
                break;
            }
            members_[count_++] = {field.key, field.value};
            underscore_ = underscore_ || field.key.find('_') != std::string_view::npos;
        }
    }
    bool ok() const { return error_.empty(); }
    const JsonObject& object() const { return o_; }

    template <typename Read>
    ItemReader& With(std::string_view camel, Read&& read) {
        JsonElement e;
        if (ok() && Member(camel, e)) error_ = read(e);
        return *this;
    }
    ItemReader& U64(std::string_view camel, uint64_t& out) {
        return With(camel, [&](const JsonElement& e) { return JsonUint64(e, camel, out); });
    }
    ItemReader& Str(std::string_view camel, std::string& out) {
        return With(camel, [&](const JsonElement& e) { return JsonString(e, camel, out); });
    }
    ItemReader& Attrs(std::string_view camel, Attributes& out) {
        return With(camel, [&](const JsonElement& e) { return JsonAttributes(e, out); });
    }
    ItemReader& Id(std::string_view camel, size_t bytes, std::string& out) {
        return With(camel, [&](const JsonElement& e) { return JsonId(e, camel, bytes, out); });
    }
    ItemReader& Enum(std::string_view camel, std::span<const std::string_view> names,
                     int32_t& out) {
        return With(camel, [&](const JsonElement& e) { return JsonEnum(e, camel, names, out); });
    }
    ItemReader& Double(std::string_view camel, bool& has, double& out) {
        return With(camel, [&](const JsonElement& e) {
            has = true;
            return JsonDouble(e, camel, out);
        });
    }

  private:
    // JsonMember over the listed members: the first of that name, false when absent or null.
    bool Member(std::string_view camel, JsonElement& out) const {
        if (!listed_) return JsonMember(o_, camel, out);
        if (Find(camel, out)) return !out.is_null();
        if (!underscore_) return false;
        char buffer[64];
        const std::string_view snake = SnakeCase(camel, buffer);
        return !snake.empty() && Find(snake, out) && !out.is_null();
    }
    bool Find(std::string_view key, JsonElement& out) const {
        for (size_t i = 0; i < count_; ++i) {
            if (members_[i].first == key) {
                out = members_[i].second;
                return true;
            }
        }
        return false;
    }

    JsonObject o_;
    std::string& error_;
    std::array<std::pair<std::string_view, JsonElement>, 16> members_{};
    size_t count_ = 0;
    bool listed_ = true;
    bool underscore_ = false;
};

// Each element of the array member `camel`, read by `read(const JsonElement&)`.
template <typename Read>
std::string ForEachElement(const JsonObject& o, std::string_view camel, Read&& read) {
    return IfMember(o, camel, [&](const JsonElement& e) -> std::string {
        JsonArray list;
        if (std::string err = JsonArrayOf(e, camel, list); !err.empty()) return err;
        for (JsonElement item : list) {
            if (std::string err = read(item); !err.empty()) return err;
        }
        return {};
    });
}

std::string ReadLogRecord(const JsonElement& e, LogRecord& r) {
    std::string error;
    ItemReader(e, error)
        .U64("timeUnixNano", r.time_unix_nano)
        .U64("observedTimeUnixNano", r.observed_time_unix_nano)
        .Enum("severityNumber", kSeverities, r.severity_number)
        .Str("severityText", r.severity_text)
        .With("body",
              [&](const JsonElement& b) {
                  r.has_body = true;
                  return JsonAnyValue(b, 0, r.body);
              })
        .Attrs("attributes", r.attributes)
        .Id("traceId", 16, r.trace_id)
        .Id("spanId", 8, r.span_id);
    return error;
}

std::string ReadSpan(const JsonElement& e, Span& s) {
    std::string error;
    ItemReader reader(e, error);
    reader.Id("traceId", 16, s.trace_id)
        .Id("spanId", 8, s.span_id)
        .Id("parentSpanId", 8, s.parent_span_id)
        .Str("name", s.name)
        .Enum("kind", kSpanKinds, s.kind)
        .U64("startTimeUnixNano", s.start_time_unix_nano)
        .U64("endTimeUnixNano", s.end_time_unix_nano)
        .Attrs("attributes", s.attributes)
        .With("status", [&](const JsonElement& st) -> std::string {
            std::string status_error;
            ItemReader(st, status_error)
                .Str("message", s.status_message)
                .Enum("code", kStatusCodes, s.status_code);
            return status_error.empty() ? status_error : "status: " + status_error;
        });
    if (!reader.ok()) return error;
    error = ForEachElement(reader.object(), "events", [&](const JsonElement& ev) {
        SpanEvent& event = s.events.emplace_back();
        std::string event_error;
        ItemReader(ev, event_error)
            .U64("timeUnixNano", event.time_unix_nano)
            .Str("name", event.name)
            .Attrs("attributes", event.attributes);
        return event_error.empty() ? event_error : "event: " + event_error;
    });
    if (!error.empty()) return error;
    return ForEachElement(reader.object(), "links", [&](const JsonElement& l) {
        SpanLink& link = s.links.emplace_back();
        std::string link_error;
        ItemReader(l, link_error).Id("traceId", 16, link.trace_id).Id("spanId", 8, link.span_id);
        return link_error.empty() ? link_error : "link: " + link_error;
    });
}

std::string ReadDataPoint(const JsonElement& e, MetricKind kind, DataPoint& p) {
    std::string error;
    ItemReader reader(e, error);
    reader.Attrs("attributes", p.attributes)
        .U64("startTimeUnixNano", p.start_time_unix_nano)
        .U64("timeUnixNano", p.time_unix_nano)
        .With("flags", [&](const JsonElement& f) {
            uint64_t v = 0;
            std::string err = JsonUint64(f, "flags", v);
            p.flags = static_cast<uint32_t>(v);
            return err;
        });
    if (kind == MetricKind::kGauge || kind == MetricKind::kSum) {
        reader.Double("asDouble", p.has_value, p.value).With("asInt", [&](const JsonElement& i) {
            int64_t v = 0;
            std::string err = JsonInt64(i, "asInt", v);
            p.has_value = true;
            p.value = static_cast<double>(v);
            return err;
        });
        return error;
    }
    reader.U64("count", p.count)
        .Double("sum", p.has_sum, p.sum)
        .Double("min", p.has_min, p.min)
        .Double("max", p.has_max, p.max);
    if (kind != MetricKind::kSummary || !reader.ok()) return error;
    return ForEachElement(reader.object(), "quantileValues", [&](const JsonElement& q) {
        double quantile = -1, value = 0;
        bool has_quantile = false, has_value = false;
        std::string q_error;
        ItemReader(q, q_error)
            .Double("quantile", has_quantile, quantile)
            .Double("value", has_value, value);
        if (!has_quantile) quantile = 0;  // proto3 JSON leaves zero values out
        if (quantile == 0.0) {
            p.has_min = true;
            p.min = value;
        } else if (quantile == 1.0) {
            p.has_max = true;
            p.max = value;
        }
        return q_error;
    });
}

std::string ReadMetric(const JsonElement& e, Metric& m) {
    std::string error;
    ItemReader reader(e, error);
    reader.Str("name", m.name).Str("description", m.description).Str("unit", m.unit);
    if (!reader.ok()) return error;
    struct Kind {
        std::string_view key;
        MetricKind kind;
    };
    static constexpr Kind kKinds[] = {{"gauge", MetricKind::kGauge},
                                      {"sum", MetricKind::kSum},
                                      {"histogram", MetricKind::kHistogram},
                                      {"exponentialHistogram", MetricKind::kExponentialHistogram},
                                      {"summary", MetricKind::kSummary}};
    JsonElement data;
    for (const Kind& k : kKinds) {
        if (JsonMember(reader.object(), k.key, data)) {
            m.kind = k.kind;
            break;
        }
    }
    if (m.kind == MetricKind::kNone) return {};
    std::string data_error;
    ItemReader data_reader(data, data_error);
    data_reader.Enum("aggregationTemporality", kTemporalities, m.temporality)
        .With("isMonotonic",
              [&](const JsonElement& b) { return JsonBool(b, "isMonotonic", m.is_monotonic); });
    if (!data_reader.ok()) return data_error;
    return ForEachElement(data_reader.object(), "dataPoints", [&](const JsonElement& pe) {
        DataPoint& p = m.points.emplace_back();
        p.error = ReadDataPoint(pe, m.kind, p);
        return std::string();
    });
}

}  // namespace

core::Result<Request<LogRecord>> JsonLogs(std::string_view body, bool padded) {
    return JsonRequest<LogRecord>(body, {"resourceLogs", "scopeLogs", "logRecords"}, ReadLogRecord,
                                    padded);
}

core::Result<Request<Span>> JsonTraces(std::string_view body, bool padded) {
    return JsonRequest<Span>(body, {"resourceSpans", "scopeSpans", "spans"}, ReadSpan, padded);
}

core::Result<Request<Metric>> JsonMetrics(std::string_view body, bool padded) {
    return JsonRequest<Metric>(body, {"resourceMetrics", "scopeMetrics", "metrics"}, ReadMetric, padded);
}

}  // namespace calypso::ingest::internal
