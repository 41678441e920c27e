#pragma once

// Private to the OTLP decoder: one mapping per signal, each following the Azure Monitor
// OpenTelemetry exporter's conversion of the same data to Application Insights envelopes.
// Each writes the item's rows through `rows`, or rejects it there.

#include "ingest/otlp_model.h"
#include "ingest/otlp_rows.h"

namespace calypso::ingest::internal {

// otlp_logs.cc: a log record -> traces, or exceptions when it carries exception.type,
// exception.message or exception.stacktrace, or customEvents when it carries
// microsoft.custom_event.name.
void MapLogRecord(const LogRecord& record, const ItemPath& path, OtlpRows& rows);

// otlp_traces.cc: a span -> requests (SERVER, CONSUMER) or dependencies (CLIENT, PRODUCER,
// INTERNAL, unspecified), and each of its events -> exceptions (name "exception") or traces.
void MapSpan(const Span& span, const ItemPath& path, OtlpRows& rows);
// The exporter's _OTELRESOURCE_ customMetrics row, written once per resource of a trace
// request whose spans were accepted.
void MapResourceMetric(const Attributes& resource, OtlpRows& rows);

// otlp_metrics.cc: the number of data points the response counts for a metric, and the
// metric -> one customMetrics row per data point.
size_t MetricItemCount(const Metric& metric);
void MapMetric(const Metric& metric, const ItemPath& path, OtlpRows& rows);

}  // namespace calypso::ingest::internal
