// Protobuf front end: the item messages of each signal. Field numbers are those of
// opentelemetry-proto (logs/v1/logs.proto, trace/v1/trace.proto, metrics/v1/metrics.proto);
// each reader lists the ones it reads.

#include "ingest/otlp_proto_common.h"

namespace calypso::ingest::internal {
namespace {

std::string ReadAttributeInto(const WireField& f, Attributes& attributes) {
    return ReadKeyValue(f, 0, attributes.emplace_back());
}

// LogRecord { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2;
//   string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6;
//   fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
//   fixed64 observed_time_unix_nano = 11; }
std::string ReadLogRecord(const WireField& f, LogRecord& r) {
    return ForEachField(f, "log_record", [&](const WireField& x) -> std::string {
        uint64_t v = 0;
        switch (x.number) {
            case 1:
                return ReadFixed64(x, "time_unix_nano", r.time_unix_nano);
            case 2: {
                std::string e = ReadVarint(x, "severity_number", v);
                r.severity_number = static_cast<int32_t>(v);
                return e;
            }
            case 3:
                return ReadString(x, "severity_text", r.severity_text);
            case 5:
                r.has_body = true;
                return ReadAnyValue(x, 0, r.body);
            case 6:
                return ReadAttributeInto(x, r.attributes);
            case 9:
                return ReadId(x, 16, "trace_id", r.trace_id);
            case 10:
                return ReadId(x, 8, "span_id", r.span_id);
            case 11:
                return ReadFixed64(x, "observed_time_unix_nano", r.observed_time_unix_nano);
            default:
                return {};
        }
    });
}

// Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
std::string ReadEvent(const WireField& f, SpanEvent& e) {
    return ForEachField(f, "event", [&](const WireField& x) -> std::string {
        if (x.number == 1) return ReadFixed64(x, "time_unix_nano", e.time_unix_nano);
        if (x.number == 2) return ReadString(x, "name", e.name);
        if (x.number == 3) return ReadAttributeInto(x, e.attributes);
        return {};
    });
}

// Span.Link { bytes trace_id = 1; bytes span_id = 2; }
std::string ReadLink(const WireField& f, SpanLink& l) {
    return ForEachField(f, "link", [&](const WireField& x) -> std::string {
        if (x.number == 1) return ReadId(x, 16, "link trace_id", l.trace_id);
        if (x.number == 2) return ReadId(x, 8, "link span_id", l.span_id);
        return {};
    });
}

// Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
//   SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
//   repeated KeyValue attributes = 9; repeated Event events = 11; repeated Link links = 13;
//   Status status = 15; }   Status { string message = 2; StatusCode code = 3; }
std::string ReadSpan(const WireField& f, Span& s) {
    return ForEachField(f, "span", [&](const WireField& x) -> std::string {
        uint64_t v = 0;
        switch (x.number) {
            case 1:
                return ReadId(x, 16, "trace_id", s.trace_id);
            case 2:
                return ReadId(x, 8, "span_id", s.span_id);
            case 4:
                return ReadId(x, 8, "parent_span_id", s.parent_span_id);
            case 5:
                return ReadString(x, "name", s.name);
            case 6: {
                std::string e = ReadVarint(x, "kind", v);
                s.kind = static_cast<int32_t>(v);
                return e;
            }
            case 7:
                return ReadFixed64(x, "start_time_unix_nano", s.start_time_unix_nano);
            case 8:
                return ReadFixed64(x, "end_time_unix_nano", s.end_time_unix_nano);
            case 9:
                return ReadAttributeInto(x, s.attributes);
            case 11:
                return ReadEvent(x, s.events.emplace_back());
            case 13:
                return ReadLink(x, s.links.emplace_back());
            case 15:
                return ForEachField(x, "status", [&](const WireField& st) -> std::string {
                    if (st.number == 2) return ReadString(st, "status message", s.status_message);
                    if (st.number != 3) return {};
                    uint64_t code = 0;
                    std::string e = ReadVarint(st, "status code", code);
                    s.status_code = static_cast<int32_t>(code);
                    return e;
                });
            default:
                return {};
        }
    });
}

// Data point fields shared by every kind: start_time_unix_nano = 2, time_unix_nano = 3;
// attributes are 7 in NumberDataPoint and SummaryDataPoint, 9 in HistogramDataPoint and 1
// in ExponentialHistogramDataPoint.
//   NumberDataPoint { double as_double = 4; sfixed64 as_int = 6; uint32 flags = 8; }
//   HistogramDataPoint { fixed64 count = 4; optional double sum = 5; uint32 flags = 10;
//     optional double min = 11; optional double max = 12; }
//   ExponentialHistogramDataPoint { fixed64 count = 4; optional double sum = 5;
//     uint32 flags = 10; optional double min = 12; optional double max = 13; }
//   SummaryDataPoint { fixed64 count = 4; double sum = 5;
//     repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8; }
//   ValueAtQuantile { double quantile = 1; double value = 2; }
std::string ReadDataPoint(const WireField& f, MetricKind kind, DataPoint& p) {
    struct Numbers {
        uint32_t attributes, flags, min, max;
    };
    const Numbers n = kind == MetricKind::kHistogram              ? Numbers{9, 10, 11, 12}
                      : kind == MetricKind::kExponentialHistogram ? Numbers{1, 10, 12, 13}
                                                                  : Numbers{7, 8, 0, 0};
    const bool number_point = kind == MetricKind::kGauge || kind == MetricKind::kSum;
    return ForEachField(f, "data_point", [&](const WireField& x) -> std::string {
        uint64_t v = 0;
        if (x.number == n.attributes) return ReadAttributeInto(x, p.attributes);
        if (x.number == n.flags) {
            std::string e = ReadVarint(x, "flags", v);
            p.flags = static_cast<uint32_t>(v);
            return e;
        }
        if (x.number == 2) return ReadFixed64(x, "start_time_unix_nano", p.start_time_unix_nano);
        if (x.number == 3) return ReadFixed64(x, "time_unix_nano", p.time_unix_nano);
        if (number_point) {
            if (x.number == 4) {
                p.has_value = true;
                return ReadDouble(x, "as_double", p.value);
            }
            if (x.number == 6) {
                p.has_value = true;
                std::string e = ReadFixed64(x, "as_int", v);
                p.value = static_cast<double>(static_cast<int64_t>(v));
                return e;
            }
            return {};
        }
        if (x.number == 4) return ReadFixed64(x, "count", p.count);
        if (x.number == 5) {
            p.has_sum = true;
            return ReadDouble(x, "sum", p.sum);
        }
        if (n.min != 0 && x.number == n.min) {
            p.has_min = true;
            return ReadDouble(x, "min", p.min);
        }
        if (n.max != 0 && x.number == n.max) {
            p.has_max = true;
            return ReadDouble(x, "max", p.max);
        }
        if (kind == MetricKind::kSummary && x.number == 6) {
            double quantile = -1, value = 0;
            std::string e = ForEachField(x, "quantile_values", [&](const WireField& q) {
                if (q.number == 1) return ReadDouble(q, "quantile", quantile);
                if (q.number == 2) return ReadDouble(q, "value", value);
                return std::string();
            });
            if (quantile == 0.0) {
                p.has_min = true;
                p.min = value;
            } else if (quantile == 1.0) {
                p.has_max = true;
                p.max = value;
            }
            return e;
        }
        return {};
    });
}

// Metric { string name = 1; string description = 2; string unit = 3; oneof data {
//   Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
//   ExponentialHistogram exponential_histogram = 10; Summary summary = 11; } }
// Each data message: { repeated <Point> data_points = 1;
//   AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3 (Sum only) }
std::string ReadMetric(const WireField& f, Metric& m) {
    return ForEachField(f, "metric", [&](const WireField& x) -> std::string {
        switch (x.number) {
            case 1:
                return ReadString(x, "name", m.name);
            case 2:
                return ReadString(x, "description", m.description);
            case 3:
                return ReadString(x, "unit", m.unit);
            case 5:
            case 7:
            case 9:
            case 10:
            case 11:
                break;
            default:
                return {};
        }
        m.kind = x.number == 5    ? MetricKind::kGauge
                 : x.number == 7  ? MetricKind::kSum
                 : x.number == 9  ? MetricKind::kHistogram
                 : x.number == 10 ? MetricKind::kExponentialHistogram
                                  : MetricKind::kSummary;
        m.points.clear();
        return ForEachField(x, "metric data", [&](const WireField& d) -> std::string {
            uint64_t v = 0;
            if (d.number == 1) {
                DataPoint& p = m.points.emplace_back();
                p.error = ReadDataPoint(d, m.kind, p);
                return {};
            }
            if (d.number == 2 && m.kind != MetricKind::kGauge && m.kind != MetricKind::kSummary) {
                std::string e = ReadVarint(d, "aggregation_temporality", v);
                m.temporality = static_cast<int32_t>(v);
                return e;
            }
            if (d.number == 3 && m.kind == MetricKind::kSum) {
                std::string e = ReadVarint(d, "is_monotonic", v);
                m.is_monotonic = v != 0;
                return e;
            }
            return {};
        });
    });
}

}  // namespace

core::Result<Request<LogRecord>> ProtoLogs(std::string_view body) {
    return ReadRequest<LogRecord>(body, ReadLogRecord);
}

core::Result<Request<Span>> ProtoTraces(std::string_view body) {
    return ReadRequest<Span>(body, ReadSpan);
}

core::Result<Request<Metric>> ProtoMetrics(std::string_view body) {
    return ReadRequest<Metric>(body, ReadMetric);
}

}  // namespace calypso::ingest::internal
