#include "export/prometheus_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace calypso::exporter {
namespace {

// A small registry with one family of each kind.
core::MetricsRegistry& Small(core::MetricsRegistry& r) {
    auto& rows = r.Counter("calypso_ingested_rows", "Rows stored, by table", {"table"});
    rows.With({"traces"}).Add(3);
    rows.With({"requests"}).Add(2);
    r.Gauge("calypso_write_buffer_bytes", "Buffered bytes", {}, "bytes").With({}).Set(1024);
    auto& h =
        r.Histogram("calypso_query_duration_seconds", "Query time", {"api"}, {0.1, 1}, "seconds");
    h.With({"kusto"}).Observe(0.25);
    h.With({"kusto"}).Observe(0.5);
    h.With({"kusto"}).Observe(7);
    return r;
}

TEST(PrometheusText, Text004) {
    core::MetricsRegistry r;
    EXPECT_EQ(RenderMetrics(Small(r).Collect(), ExpositionFormat::kText004),
              "# HELP calypso_ingested_rows_total Rows stored, by table\n"
              "# TYPE calypso_ingested_rows_total counter\n"
              "calypso_ingested_rows_total{table=\"requests\"} 2\n"
              "calypso_ingested_rows_total{table=\"traces\"} 3\n"
              "# HELP calypso_query_duration_seconds Query time\n"
              "# TYPE calypso_query_duration_seconds histogram\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"0.1\"} 0\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"1\"} 2\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"+Inf\"} 3\n"
              "calypso_query_duration_seconds_sum{api=\"kusto\"} 7.75\n"
              "calypso_query_duration_seconds_count{api=\"kusto\"} 3\n"
              "# HELP calypso_write_buffer_bytes Buffered bytes\n"
              "# TYPE calypso_write_buffer_bytes gauge\n"
              "calypso_write_buffer_bytes 1024\n");
}

TEST(PrometheusText, OpenMetrics) {
    core::MetricsRegistry r;
    EXPECT_EQ(RenderMetrics(Small(r).Collect(), ExpositionFormat::kOpenMetrics),
              "# HELP calypso_ingested_rows Rows stored, by table\n"
              "# TYPE calypso_ingested_rows counter\n"
              "calypso_ingested_rows_total{table=\"requests\"} 2\n"
              "calypso_ingested_rows_total{table=\"traces\"} 3\n"
              "# HELP calypso_query_duration_seconds Query time\n"
              "# TYPE calypso_query_duration_seconds histogram\n"
              "# UNIT calypso_query_duration_seconds seconds\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"0.1\"} 0\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"1.0\"} 2\n"
              "calypso_query_duration_seconds_bucket{api=\"kusto\",le=\"+Inf\"} 3\n"
              "calypso_query_duration_seconds_sum{api=\"kusto\"} 7.75\n"
              "calypso_query_duration_seconds_count{api=\"kusto\"} 3\n"
              "# HELP calypso_write_buffer_bytes Buffered bytes\n"
              "# TYPE calypso_write_buffer_bytes gauge\n"
              "# UNIT calypso_write_buffer_bytes bytes\n"
              "calypso_write_buffer_bytes 1024\n"
              "# EOF\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
    core::MetricsRegistry r;
    r.Counter("c", "line one\nback\\slash \"quoted\"", {"step"}).With({"a\"b\\c\nd"}).Add();
    EXPECT_EQ(RenderMetrics(r.Collect(), ExpositionFormat::kText004),
              "# HELP c_total line one\\nback\\\\slash \"quoted\"\n"
              "# TYPE c_total counter\n"
              "c_total{step=\"a\\\"b\\\\c\\nd\"} 1\n");
    // OpenMetrics escapes quotes in HELP too.
    EXPECT_NE(RenderMetrics(r.Collect(), ExpositionFormat::kOpenMetrics)
                  .find("# HELP c line one\\nback\\\\slash \\\"quoted\\\"\n"),
              std::string::npos);
}

TEST(PrometheusText, SpecialValues) {
    core::MetricsRegistry r;
    auto& g = r.Gauge("g", "h", {"k"});
    g.With({"inf"}).Set(std::numeric_limits<double>::infinity());
    g.With({"nan"}).Set(std::numeric_limits<double>::quiet_NaN());
    g.With({"small"}).Set(1e-7);
    g.With({"neg"}).Set(-2.5);
    g.With({"tiny"}).Set(0.0005);
    g.With({"big"}).Set(1e20);
    EXPECT_EQ(RenderMetrics(r.Collect(), ExpositionFormat::kText004),
              "# HELP g h\n# TYPE g gauge\n"
              "g{k=\"big\"} 1e+20\ng{k=\"inf\"} +Inf\ng{k=\"nan\"} NaN\ng{k=\"neg\"} -2.5\n"
              "g{k=\"small\"} 1e-07\ng{k=\"tiny\"} 0.0005\n");
}

TEST(PrometheusText, NegotiatesByAccept) {
    EXPECT_EQ(FormatFor(""), ExpositionFormat::kText004);
    EXPECT_EQ(FormatFor("text/plain"), ExpositionFormat::kText004);
    EXPECT_EQ(FormatFor("*/*"), ExpositionFormat::kText004);
    // What Prometheus 2.x sends.
    EXPECT_EQ(FormatFor("application/openmetrics-text;version=1.0.0,application/"
                        "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/"
                        "*;q=0.1"),
              ExpositionFormat::kOpenMetrics);
    EXPECT_EQ(FormatFor("text/plain;q=1, Application/OpenMetrics-Text;q=0.5"),
              ExpositionFormat::kOpenMetrics);
    EXPECT_EQ(FormatFor("application/openmetrics-text;q=0"), ExpositionFormat::kText004);
    EXPECT_EQ(ContentTypeOf(ExpositionFormat::kText004),
              "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(ContentTypeOf(ExpositionFormat::kOpenMetrics),
              "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace calypso::exporter
