// OTLP metrics -> customMetrics, one row per data point.

#include <gtest/gtest.h>

#include "otlp_test_util.h"

namespace calypso::ingest::testing {
namespace {

constexpr uint64_t kTime = 1795459609345000000;

TEST(OtlpMetricsTest, JsonFixtureSumHistogramGaugeUpDownCounter) {
    auto bodies = OtlpFixtureBodies("node-otlp-http-json-metrics.json");
    ASSERT_EQ(bodies.size(), 1u);
    OtlpResult r = MustDecode(OtlpSignal::kMetrics, OtlpFormat::kJson, bodies[0]);
    EXPECT_EQ(r.items_received, 4u);
    EXPECT_EQ(r.items_rejected, 0u);
    ASSERT_EQ(OtlpRows(r, "customMetrics"), 4u);
    struct Row {
        const char* name;
        double value;
        int64_t count;
        double min, max;
        const char* dims;
    };
    const Row expected[] = {{"samples_processed", 5, 1, 5, 5, R"({"gpu":"0"})"},
                            {"batch_ms", 40, 2, 10, 30, R"({"gpu":"0"})"},
                            {"loss", 0.25, 1, 0.25, 0.25, R"({"split":"val"})"},
                            {"queue_depth", -2, 1, -2, -2, "<null>"}};
    for (size_t i = 0; i < 4; ++i) {
        const Row& e = expected[i];
        EXPECT_EQ(OtlpStr(r, "customMetrics", "name", i), e.name);
        EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", i).as_double(), e.value) << e.name;
        EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueSum", i).as_double(), e.value);
        EXPECT_EQ(OtlpCell(r, "customMetrics", "valueCount", i).as_int64(), e.count) << e.name;
        EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMin", i).as_double(), e.min);
        EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMax", i).as_double(), e.max);
        EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueStdDev", i).as_double(), 0);
        EXPECT_EQ(OtlpJson(r, "customMetrics", "customDimensions", i), e.dims);
        EXPECT_EQ(OtlpCell(r, "customMetrics", "timestamp", i).as_int64(), 17954596093450000);
        EXPECT_EQ(OtlpStr(r, "customMetrics", "cloud_RoleName", i), "ml.trainer");
        EXPECT_EQ(OtlpStr(r, "customMetrics", "itemType", i), "customMetric");
    }
}

Proto NumberPoint(double v) { return Proto().Fixed64(3, kTime).Double(4, v); }

std::string MetricsRequest(const std::vector<Proto>& metrics) { return OneScopeRequest(metrics); }

TEST(OtlpMetricsTest, EveryKindInProtobuf) {
    Proto gauge_int =
        Proto()
            .Bytes(1, "gpu_mem")
            .Msg(5,
                 Proto().Msg(1, Proto().Fixed64(3, kTime).Fixed64(6, static_cast<uint64_t>(-7))));
    Proto sum = Proto().Bytes(1, "rows").Msg(
        7,
        Proto().Msg(1, NumberPoint(12).Msg(7, StrAttr("step", "train"))).Varint(2, 1).Varint(3, 1));
    Proto histogram =
        Proto()
            .Bytes(1, "latency")
            .Msg(9, Proto()
                        .Msg(1, Proto()
                                    .Fixed64(3, kTime)
                                    .Fixed64(4, 3)
                                    .Double(5, 30)
                                    .Raw(Bytes({0x32, 0x10}))  // packed bucket_counts: 2 x fixed64
                                    .Raw(std::string(16, '\0'))
                                    .Double(11, 5)
                                    .Double(12, 15)
                                    .Msg(9, StrAttr("gpu", "1")))
                        .Varint(2, 2));
    Proto exp_histogram =
        Proto().Bytes(1, "exp").Msg(10, Proto().Msg(1, Proto()
                                                           .Msg(1, StrAttr("a", "b"))
                                                           .Fixed64(3, kTime)
                                                           .Fixed64(4, 4)
                                                           .Double(5, 8)
                                                           .Varint(6, 2)
                                                           .Msg(8, Proto().Varint(1, 1))
                                                           .Double(12, 1)
                                                           .Double(13, 3)));
    Proto summary = Proto()
                        .Bytes(1, "sum_q")
                        .Msg(11, Proto().Msg(1, Proto()
                                                    .Fixed64(3, kTime)
                                                    .Fixed64(4, 10)
                                                    .Double(5, 55)
                                                    .Msg(6, Proto().Double(1, 0).Double(2, 1))
                                                    .Msg(6, Proto().Double(1, 0.5).Double(2, 5))
                                                    .Msg(6, Proto().Double(1, 1).Double(2, 10))));
    OtlpResult r = MustDecode(OtlpSignal::kMetrics, OtlpFormat::kProtobuf,
                              MetricsRequest({gauge_int, sum, histogram, exp_histogram, summary}));
    EXPECT_EQ(r.items_received, 5u);
    EXPECT_EQ(r.items_rejected, 0u) << r.error_message;
    ASSERT_EQ(OtlpRows(r, "customMetrics"), 5u);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 0).as_double(), -7);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 1).as_double(), 12);
    EXPECT_EQ(OtlpJson(r, "customMetrics", "customDimensions", 1), R"({"step":"train"})");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 2).as_double(), 30);
    EXPECT_EQ(OtlpCell(r, "customMetrics", "valueCount", 2).as_int64(), 3);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMin", 2).as_double(), 5);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMax", 2).as_double(), 15);
    EXPECT_EQ(OtlpJson(r, "customMetrics", "customDimensions", 2), R"({"gpu":"1"})");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 3).as_double(), 8);
    EXPECT_EQ(OtlpCell(r, "customMetrics", "valueCount", 3).as_int64(), 4);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMin", 3).as_double(), 1);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMax", 3).as_double(), 3);
    EXPECT_EQ(OtlpJson(r, "customMetrics", "customDimensions", 3), R"({"a":"b"})");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 4).as_double(), 55);
    EXPECT_EQ(OtlpCell(r, "customMetrics", "valueCount", 4).as_int64(), 10);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMin", 4).as_double(), 1);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMax", 4).as_double(), 10);
}

TEST(OtlpMetricsTest, BadPointsAreRejectedAloneNoValuePointsAreSkipped) {
    Proto m = Proto().Bytes(1, "m").Msg(
        5, Proto()
               .Msg(1, NumberPoint(1))
               .Msg(1, Proto().Fixed64(3, kTime))                 // no value
               .Msg(1, Proto().Double(4, 2))                      // no time
               .Msg(1, Proto().Fixed64(3, kTime).Varint(8, 1))    // no recorded value
               .Msg(1, Proto().Fixed64(3, kTime).Varint(4, 1)));  // as_double as a varint
    Proto nameless = Proto().Msg(5, Proto().Msg(1, NumberPoint(1)).Msg(1, NumberPoint(2)));
    OtlpResult r =
        MustDecode(OtlpSignal::kMetrics, OtlpFormat::kProtobuf, MetricsRequest({m, nameless}));
    EXPECT_EQ(r.items_received, 7u);
    EXPECT_EQ(r.items_rejected, 5u);
    EXPECT_EQ(OtlpRows(r, "customMetrics"), 1u);
    EXPECT_EQ(
        r.error_message,
        "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]: data point has neither "
        "asDouble nor asInt; resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[2]: "
        "timeUnixNano is missing; resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[4]: "
        "field 4 (as_double) has wire type 0 (varint), expected 1 (64-bit), at byte 122; "
        "resourceMetrics[0].scopeMetrics[0].metrics[1]: metric name is missing or empty");
}

TEST(OtlpMetricsTest, JsonIntStringsAndSummaryQuantiles) {
    const std::string body = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
        {"name":"n","gauge":{"dataPoints":[{"timeUnixNano":"1795459609345000000","asInt":"9007199254740993"}]}},
        {"name":"s","summary":{"dataPoints":[{"timeUnixNano":1795459609345000000,"count":"3","sum":6,
          "quantileValues":[{"value":1},{"quantile":1,"value":3}]}]}}]}]}]})";
    OtlpResult r = MustDecode(OtlpSignal::kMetrics, OtlpFormat::kJson, body);
    ASSERT_EQ(OtlpRows(r, "customMetrics"), 2u) << r.error_message;
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value", 0).as_double(), 9007199254740992.0);
    EXPECT_EQ(OtlpStr(r, "customMetrics", "sdkVersion", 0), "otlp");
    EXPECT_EQ(OtlpStr(r, "customMetrics", "cloud_RoleName", 0), "");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMin", 1).as_double(), 1);
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "valueMax", 1).as_double(), 3);
    EXPECT_EQ(OtlpCell(r, "customMetrics", "valueCount", 1).as_int64(), 3);
}

}  // namespace
}  // namespace calypso::ingest::testing
