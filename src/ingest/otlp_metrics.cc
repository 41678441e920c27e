// Metric data points -> customMetrics, as the exporter's resourceMetricsToEnvelope: one row
// per data point. Values are stored as sent: a cumulative sum is its running total at
// time_unix_nano, not a delta (turning it into deltas needs per-series state that a
// restart would lose); docs/architecture.md says how to ask SDKs for delta temporality.

#include "ingest/otlp_mappers.h"

namespace calypso::ingest::internal {
namespace {

// Why a data point cannot be stored, or "".
std::string Invalid(const Metric& m, const DataPoint& p) {
    if (!p.error.empty()) return p.error;
    if (p.time_unix_nano == 0) return "timeUnixNano is missing";
    const bool number = m.kind == MetricKind::kGauge || m.kind == MetricKind::kSum;
    if (number && !p.has_value) return "data point has neither asDouble nor asInt";
    return {};
}

}  // namespace

size_t MetricItemCount(const Metric& m) {
    // A metric whose own fields are unreadable may have lost its points: count it as one.
    return m.error.empty() || !m.points.empty() ? m.points.size() : 1;
}

void MapMetric(const Metric& m, const ItemPath& path, OtlpRows& rows) {
    std::string metric_error = m.error;
    if (metric_error.empty() && m.name.empty()) metric_error = "metric name is missing or empty";
    if (!metric_error.empty()) {
        rows.Reject(MetricItemCount(m), path.Item(), metric_error);
        return;
    }
    for (size_t i = 0; i < m.points.size(); ++i) {
        const DataPoint& p = m.points[i];
        // The SDK marks a series that stopped reporting; there is no value to store.
        if (p.error.empty() && (p.flags & kFlagNoRecordedValue) != 0) continue;
        if (std::string why = Invalid(m, p); !why.empty()) {
            rows.Reject(1, path.Item() + ".dataPoints[" + std::to_string(i) + "]", why);
            continue;
        }
        double value = p.value, min = 0, max = 0;
        int64_t count = 1;
        if (m.kind != MetricKind::kGauge && m.kind != MetricKind::kSum) {
            // Histograms and summaries: value = sum (0 when not sent), with count, min, max.
            value = p.has_sum ? p.sum : 0;
            count = static_cast<int64_t>(std::min<uint64_t>(p.count, INT64_MAX));
        }
        // Unknown min and max default to the value, as the App Insights decoder fills them
        // for the exporter's envelopes, so both paths give the same row.
        min = p.has_min ? p.min : value;
        max = p.has_max ? p.max : value;
        TableBuilder& b = rows.Table(kCustomMetrics);
        b.Str(kName, Truncate(m.name, kMaxName));
        b.Real(kValue, value);
        b.Int(kValueCount, count);
        b.Real(kValueSum, value);
        b.Real(kValueMin, min);
        b.Real(kValueMax, max);
        b.Real(kValueStdDev, 0);
        const core::Dynamic properties = Properties(p.attributes, PropertyRule::kMetric);
        b.BagObject(kCustomDimensions, properties);
        rows.WriteCommon(b, kCustomMetrics, NanosToTicks(p.time_unix_nano), 1, RowTags{});
        b.EndRow();
    }
}

}  // namespace calypso::ingest::internal
