// OTLP spans -> requests / dependencies, span events -> exceptions / traces.

#include <gtest/gtest.h>

#include "otlp_test_util.h"

namespace calypso::ingest::testing {
namespace {

const std::string kTraceId = Bytes({0xbc, 0x25, 0x51, 0x94, 0x3b, 0x02, 0xb9, 0x71, 0x98, 0x0a,
                                    0xee, 0x3e, 0xb3, 0x15, 0xf0, 0x20});
const std::string kSpanId = Bytes({0x49, 0xfc, 0x4f, 0xef, 0x3f, 0xbc, 0x3c, 0x11});
const std::string kParentId = Bytes({0, 0, 0, 0, 0, 0, 0, 7});
constexpr uint64_t kStart = 1795459609311000000;

Proto SpanProto(int kind, std::string_view name = "op") {
    return Proto()
        .Bytes(1, kTraceId)
        .Bytes(2, kSpanId)
        .Bytes(4, kParentId)
        .Bytes(5, name)
        .Varint(6, static_cast<uint64_t>(kind))
        .Fixed64(7, kStart)
        .Fixed64(8, kStart + 2'500'000);  // 2.5 ms
}

OtlpResult DecodeSpans(const std::vector<Proto>& spans) {
    return MustDecode(OtlpSignal::kTraces, OtlpFormat::kProtobuf, OneScopeRequest(spans));
}

TEST(OtlpTracesTest, JsonFixtureServerSpanWithEvent) {
    auto bodies = OtlpFixtureBodies("node-otlp-http-json-traces.json");
    ASSERT_EQ(bodies.size(), 1u);
    OtlpResult r = MustDecode(OtlpSignal::kTraces, OtlpFormat::kJson, bodies[0]);
    EXPECT_EQ(r.items_received, 1u);
    EXPECT_EQ(r.items_rejected, 0u);
    // kind 2 = SERVER -> requests.
    ASSERT_EQ(OtlpRows(r, "requests"), 1u);
    EXPECT_EQ(OtlpStr(r, "requests", "id"), "49fc4fef3fbc3c11");
    EXPECT_EQ(OtlpStr(r, "requests", "name"), "train_epoch");
    EXPECT_EQ(OtlpStr(r, "requests", "operation_Name"), "train_epoch");
    EXPECT_EQ(OtlpStr(r, "requests", "operation_Id"), "bc2551943b02b971980aee3eb315f020");
    EXPECT_EQ(OtlpStr(r, "requests", "operation_ParentId"), "");
    EXPECT_EQ(OtlpStr(r, "requests", "success"), "False");  // status 2 = ERROR
    EXPECT_EQ(OtlpStr(r, "requests", "resultCode"), "0");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "requests", "duration").as_double(), 3.883778);
    EXPECT_EQ(OtlpStr(r, "requests", "performanceBucket"), "<250ms");
    EXPECT_EQ(OtlpCell(r, "requests", "timestamp").as_int64(), 17954596093110000);
    EXPECT_EQ(OtlpStr(r, "requests", "cloud_RoleName"), "ml.trainer");
    EXPECT_EQ(OtlpJson(r, "requests", "customDimensions"),
              R"({"epoch":"3","lr":"0.01","model":"resnet","ok":"true","tags":"[\"a\",\"b\"]"})");
    // The "checkpoint" event -> a traces row under the span.
    ASSERT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_EQ(OtlpStr(r, "traces", "message"), "checkpoint");
    EXPECT_EQ(OtlpStr(r, "traces", "operation_ParentId"), "49fc4fef3fbc3c11");
    EXPECT_EQ(OtlpCell(r, "traces", "timestamp").as_int64(), 17954596093147699);
    EXPECT_EQ(OtlpJson(r, "traces", "customDimensions"), R"({"step":"100"})");
    EXPECT_TRUE(OtlpCell(r, "traces", "severityLevel").is_null());
    // The exporter's _OTELRESOURCE_ metric carries the resource attributes.
    ASSERT_EQ(OtlpRows(r, "customMetrics"), 1u);
    EXPECT_EQ(OtlpStr(r, "customMetrics", "name"), "_OTELRESOURCE_");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "customMetrics", "value").as_double(), 1);
    EXPECT_EQ(
        OtlpJson(r, "customMetrics", "customDimensions"),
        R"({"service.name":"trainer","service.namespace":"ml","service.instance.id":"node-7"})");
    EXPECT_EQ(OtlpCell(r, "customMetrics", "timestamp").as_int64(), TestOptions().now_ticks);
}

TEST(OtlpTracesTest, KindsChooseTheTable) {
    OtlpResult r = DecodeSpans(
        {SpanProto(0), SpanProto(1), SpanProto(2), SpanProto(3), SpanProto(4), SpanProto(5)});
    EXPECT_EQ(r.items_received, 6u);
    EXPECT_EQ(OtlpRows(r, "requests"), 2u);      // SERVER, CONSUMER
    EXPECT_EQ(OtlpRows(r, "dependencies"), 4u);  // unspecified, INTERNAL, CLIENT, PRODUCER
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 0), "Dependency");
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 1), "InProc");  // INTERNAL with a parent
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 2), "Dependency");
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 3), "Queue Message");
    EXPECT_EQ(OtlpStr(r, "dependencies", "operation_ParentId", 1), "0000000000000007");
    EXPECT_DOUBLE_EQ(OtlpCell(r, "dependencies", "duration", 1).as_double(), 2.5);
    EXPECT_EQ(OtlpStr(r, "dependencies", "success", 1), "True");
    EXPECT_EQ(OtlpStr(r, "dependencies", "resultCode", 1), "0");
    EXPECT_EQ(OtlpStr(r, "requests", "success", 0), "True");  // unset, no HTTP status
}

TEST(OtlpTracesTest, HttpClientSpanAsTheExporterMapsIt) {
    OtlpResult r = DecodeSpans({SpanProto(3, "GET")
                                    .Msg(9, StrAttr("http.request.method", "GET"))
                                    .Msg(9, StrAttr("url.full", "http://db:8080/q?x=1"))
                                    .Msg(9, StrAttr("server.address", "db"))
                                    .Msg(9, IntAttr("http.response.status_code", 503))
                                    .Msg(9, StrAttr("run", "r1"))
                                    .Msg(15, Proto().Varint(3, 2))});
    ASSERT_EQ(OtlpRows(r, "dependencies"), 1u);
    EXPECT_EQ(OtlpStr(r, "dependencies", "name"), "GET /q");
    EXPECT_EQ(OtlpStr(r, "dependencies", "type"), "Http");
    EXPECT_EQ(OtlpStr(r, "dependencies", "data"), "http://db:8080/q?x=1");
    EXPECT_EQ(OtlpStr(r, "dependencies", "target"), "db");
    EXPECT_EQ(OtlpStr(r, "dependencies", "resultCode"), "503");
    EXPECT_EQ(OtlpStr(r, "dependencies", "success"), "False");
    EXPECT_EQ(OtlpJson(r, "dependencies", "customDimensions"), R"({"run":"r1"})");

    OtlpResult port =
        DecodeSpans({SpanProto(3)
                         .Msg(9, StrAttr("http.method", "POST"))
                         .Msg(9, StrAttr("http.url", "https://api.example:443/v1/x"))});
    EXPECT_EQ(OtlpStr(port, "dependencies", "target"), "https://api.example/v1/x");
    EXPECT_EQ(OtlpStr(port, "dependencies", "name"), "POST /v1/x");
}

TEST(OtlpTracesTest, HttpServerSpanAsTheExporterMapsIt) {
    OtlpResult r = DecodeSpans({SpanProto(2, "handler")
                                    .Msg(9, StrAttr("http.request.method", "POST"))
                                    .Msg(9, StrAttr("http.route", "/train"))
                                    .Msg(9, StrAttr("url.full", "http://x/train"))
                                    .Msg(9, StrAttr("client.address", "10.1.2.3"))
                                    .Msg(9, IntAttr("http.response.status_code", 404))});
    ASSERT_EQ(OtlpRows(r, "requests"), 1u);
    EXPECT_EQ(OtlpStr(r, "requests", "name"), "POST /train");
    EXPECT_EQ(OtlpStr(r, "requests", "operation_Name"), "POST /train");
    EXPECT_EQ(OtlpStr(r, "requests", "url"), "http://x/train");
    EXPECT_EQ(OtlpStr(r, "requests", "resultCode"), "404");
    EXPECT_EQ(OtlpStr(r, "requests", "success"), "False");  // unset status, code >= 400
    EXPECT_EQ(OtlpStr(r, "requests", "client_IP"), "10.1.2.3");
    EXPECT_EQ(OtlpJson(r, "requests", "customDimensions"), "<null>");
}

TEST(OtlpTracesTest, DatabaseAndRpcDependencies) {
    OtlpResult r = DecodeSpans({SpanProto(3)
                                    .Msg(9, StrAttr("db.system", "postgresql"))
                                    .Msg(9, StrAttr("db.statement", "SELECT 1"))
                                    .Msg(9, StrAttr("db.name", "features"))
                                    .Msg(9, StrAttr("server.address", "pg")),
                                SpanProto(3)
                                    .Msg(9, StrAttr("db.system.name", "sqlite"))
                                    .Msg(9, StrAttr("db.namespace", "local.db")),
                                SpanProto(3)
                                    .Msg(9, StrAttr("rpc.system", "grpc"))
                                    .Msg(9, IntAttr("rpc.grpc.status_code", 14))});
    ASSERT_EQ(OtlpRows(r, "dependencies"), 3u);
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 0), "postgresql");
    EXPECT_EQ(OtlpStr(r, "dependencies", "data", 0), "SELECT 1");
    EXPECT_EQ(OtlpStr(r, "dependencies", "target", 0), "pg|features");
    EXPECT_EQ(OtlpJson(r, "dependencies", "customDimensions", 0), R"({"server.address":"pg"})");
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 1), "SQL");
    EXPECT_EQ(OtlpStr(r, "dependencies", "target", 1), "local.db");
    EXPECT_EQ(OtlpStr(r, "dependencies", "type", 2), "GRPC");
    EXPECT_EQ(OtlpStr(r, "dependencies", "resultCode", 2), "14");
    EXPECT_EQ(OtlpStr(r, "dependencies", "target", 2), "grpc");
}

TEST(OtlpTracesTest, ExceptionEventLinksAndSampleRate) {
    Proto event =
        Proto()
            .Fixed64(1, kStart + 100)
            .Bytes(2, "exception")
            .Msg(3, StrAttr("exception.type", "Error"))
            .Msg(3, StrAttr("exception.message", "inner oops"))
            .Msg(3, StrAttr("exception.stacktrace", "Error: inner oops\n    at /srv/app.js:29:28"))
            .Msg(3, KeyValue("exception.escaped", Proto().Varint(2, 1)));
    Proto link = Proto().Bytes(1, kTraceId).Bytes(2, kParentId);
    OtlpResult r =
        DecodeSpans({SpanProto(1)
                         .Msg(9, KeyValue("microsoft.sample_rate", Proto().Double(4, 25)))
                         .Msg(11, event)
                         .Msg(13, link)});
    ASSERT_EQ(OtlpRows(r, "exceptions"), 1u);
    EXPECT_EQ(OtlpStr(r, "exceptions", "type"), "Error");
    EXPECT_EQ(OtlpStr(r, "exceptions", "message"), "inner oops");
    EXPECT_EQ(OtlpStr(r, "exceptions", "method"), "<no_method>");
    EXPECT_EQ(OtlpStr(r, "exceptions", "operation_Id"), "bc2551943b02b971980aee3eb315f020");
    EXPECT_EQ(OtlpStr(r, "exceptions", "operation_ParentId"), "49fc4fef3fbc3c11");
    EXPECT_EQ(OtlpJson(r, "exceptions", "customDimensions"), R"({"exception.escaped":"true"})");
    EXPECT_EQ(OtlpCell(r, "exceptions", "itemCount").as_int64(), 4);
    EXPECT_EQ(OtlpCell(r, "dependencies", "itemCount").as_int64(), 4);
    EXPECT_EQ(
        OtlpJson(r, "dependencies", "customDimensions"),
        R"({"_MS.links":"[{\"operation_Id\":\"bc2551943b02b971980aee3eb315f020\",\"id\":\"0000000000000007\"}]"})");
}

TEST(OtlpTracesTest, InvalidSpansAreRejectedAloneWithTheirPath) {
    OtlpResult r = DecodeSpans(
        {SpanProto(1), Proto().Bytes(2, kSpanId).Bytes(5, "no trace").Fixed64(7, 1),
         SpanProto(1).Fixed64(8, 5), SpanProto(1).Bytes(5, ""), SpanProto(1).Bytes(1, "short")});
    EXPECT_EQ(r.items_received, 5u);
    EXPECT_EQ(r.items_rejected, 4u);
    EXPECT_EQ(OtlpRows(r, "dependencies"), 1u);
    EXPECT_NE(r.error_message.find("resourceSpans[0].scopeSpans[0].spans[1]: traceId is missing"),
              std::string::npos)
        << r.error_message;
    EXPECT_NE(r.error_message.find("spans[2]: endTimeUnixNano (5) is before startTimeUnixNano"),
              std::string::npos)
        << r.error_message;
    EXPECT_NE(r.error_message.find("spans[3]: name is missing or empty"), std::string::npos);
    EXPECT_NE(r.error_message.find("spans[4]: trace_id has 5 bytes, expected 16"),
              std::string::npos)
        << r.error_message;
}

TEST(OtlpTracesTest, NoResourceMetricWhenEverySpanIsRejected) {
    OtlpResult r = DecodeSpans({Proto().Bytes(5, "bad")});
    EXPECT_EQ(r.items_rejected, 1u);
    EXPECT_TRUE(r.batches.empty());
}

}  // namespace
}  // namespace calypso::ingest::testing
