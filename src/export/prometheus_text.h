#pragma once

// Renders metric families (core/metrics.h) for Prometheus: the text exposition format
// 0.0.4 (what every Prometheus scrapes by default) or OpenMetrics 1.0 (when the scraper's
// Accept header asks for application/openmetrics-text). Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"

namespace calypso::exporter {

enum class ExpositionFormat { kText004, kOpenMetrics };

// OpenMetrics when `accept` lists application/openmetrics-text (without q=0), else 0.0.4.
ExpositionFormat FormatFor(std::string_view accept);

// The Content-Type header of a response in `format`.
std::string_view ContentTypeOf(ExpositionFormat format);

// The exposition of `families`, in their order. Counters get `_total` on their samples
// (and, in 0.0.4, on the family name too); histograms get cumulative `_bucket` series
// ending with le="+Inf", then `_sum` and `_count`; OpenMetrics adds `# UNIT` lines and
// ends with `# EOF`.
std::string RenderMetrics(const std::vector<core::MetricFamily>& families, ExpositionFormat format);

}  // namespace calypso::exporter
