// OTLP log records -> traces / exceptions / customEvents, from the captured fixtures.

#include <gtest/gtest.h>

#include "otlp_test_util.h"

namespace calypso::ingest::testing {
namespace {

TEST(OtlpLogsTest, JsonFixtureFromTheNodeExporter) {
    auto bodies = OtlpFixtureBodies("node-otlp-http-json-logs.json");
    ASSERT_EQ(bodies.size(), 2u);
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kJson, bodies[0]);
    EXPECT_EQ(r.items_received, 1u);
    EXPECT_EQ(r.items_rejected, 0u);
    EXPECT_EQ(r.error_message, "");
    ASSERT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_EQ(OtlpCell(r, "traces", "timestamp").as_int64(), 17954596093120000);
    EXPECT_EQ(OtlpStr(r, "traces", "message"), "loss spiked");
    EXPECT_EQ(OtlpCell(r, "traces", "severityLevel").as_int64(), 2);  // 13 WARN
    EXPECT_EQ(OtlpStr(r, "traces", "itemType"), "trace");
    EXPECT_EQ(OtlpCell(r, "traces", "itemCount").as_int64(), 1);
    EXPECT_EQ(OtlpStr(r, "traces", "operation_Id"), "bc2551943b02b971980aee3eb315f020");
    EXPECT_EQ(OtlpStr(r, "traces", "operation_ParentId"), "49fc4fef3fbc3c11");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleName"), "ml.trainer");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleInstance"), "node-7");
    EXPECT_EQ(OtlpStr(r, "traces", "appName"), "default");
    EXPECT_EQ(OtlpStr(r, "traces", "iKey"), kIKey);
    EXPECT_EQ(OtlpStr(r, "traces", "itemId").size(), 36u);
    // Attribute values are stringified like the exporter's; resource attributes stay out.
    EXPECT_EQ(OtlpJson(r, "traces", "customDimensions"),
              R"({"epoch":"3","loss":"4.5","model":"resnet","custom_dimensions.run":"r1"})");
    EXPECT_EQ(OtlpJson(r, "traces", "customMeasurements"), "<null>");

    // The second request has a kvlist body: the message is its JSON.
    OtlpResult kv = MustDecode(OtlpSignal::kLogs, OtlpFormat::kJson, bodies[1]);
    ASSERT_EQ(OtlpRows(kv, "traces"), 1u);
    EXPECT_EQ(OtlpStr(kv, "traces", "message"), R"({"structured":"body","n":1})");
    EXPECT_EQ(OtlpCell(kv, "traces", "severityLevel").as_int64(), 1);  // 9 INFO
    EXPECT_EQ(OtlpJson(kv, "traces", "customDimensions"), "<null>");
    EXPECT_EQ(OtlpStr(kv, "traces", "operation_Id"), "");
}

TEST(OtlpLogsTest, ProtobufFixtureFromTheNodeProtoExporter) {
    const std::string body = ReadFile(OtlpFixtureDir() + "raw-logs-request.pb");
    ASSERT_EQ(body.size(), 169u);
    EXPECT_EQ(OtlpFixtureBodies("node-otlp-proto-logs.json").at(0), body);
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    EXPECT_EQ(r.items_received, 1u);
    EXPECT_EQ(r.items_rejected, 0u);
    ASSERT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_EQ(OtlpStr(r, "traces", "message"), "proto log");
    EXPECT_EQ(OtlpCell(r, "traces", "severityLevel").as_int64(), 3);  // 17 ERROR
    EXPECT_EQ(OtlpCell(r, "traces", "timestamp").as_int64(), 17954596093500000);
    EXPECT_EQ(OtlpJson(r, "traces", "customDimensions"), R"({"k":"v"})");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleName"), "ml.trainer");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleInstance"), "node-7");
    EXPECT_EQ(OtlpStr(r, "traces", "sdkVersion"), "otlp");
}

TEST(OtlpLogsTest, SeverityBandsFollowTheExporter) {
    const std::pair<int, int64_t> cases[] = {{1, 0},  {8, 0},  {9, 1},  {12, 1}, {13, 2},
                                             {16, 2}, {17, 3}, {20, 3}, {21, 4}, {24, 4}};
    for (auto [number, level] : cases) {
        std::string body = OneScopeRequest({Proto()
                                                .Fixed64(1, 1)
                                                .Varint(2, static_cast<uint64_t>(number))
                                                .Msg(5, StringValue("m"))});
        OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
        EXPECT_EQ(OtlpCell(r, "traces", "severityLevel").as_int64(), level) << number;
    }
    // No number: the text is read; neither: null, as the exporter sends none.
    OtlpResult text = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                                 OneScopeRequest({Proto().Fixed64(1, 1).Bytes(3, "warning")}));
    EXPECT_EQ(OtlpCell(text, "traces", "severityLevel").as_int64(), 2);
    OtlpResult none = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                                 OneScopeRequest({Proto().Fixed64(1, 1)}));
    EXPECT_TRUE(OtlpCell(none, "traces", "severityLevel").is_null());
    EXPECT_EQ(OtlpStr(none, "traces", "message"), "n/a");
}

TEST(OtlpLogsTest, TimeFallsBackToObservedThenNow) {
    OtlpResult observed = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                                     OneScopeRequest({Proto().Fixed64(11, 5000)}));
    EXPECT_EQ(OtlpCell(observed, "traces", "timestamp").as_int64(), 50);
    OtlpResult now = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                                OneScopeRequest({Proto().Msg(5, StringValue("x"))}));
    EXPECT_EQ(OtlpCell(now, "traces", "timestamp").as_int64(), TestOptions().now_ticks);
}

TEST(OtlpLogsTest, ExceptionAttributesMakeAnExceptionsRow) {
    const std::string stack = "ValueError: bad value\n    at train (model.js:10:3)\n    at main";
    std::string body = OneScopeRequest({Proto()
                                            .Fixed64(1, 1795459609312000000)
                                            .Varint(2, 17)
                                            .Msg(5, StringValue("training failed"))
                                            .Msg(6, StrAttr("exception.type", "ValueError"))
                                            .Msg(6, StrAttr("exception.message", "bad value"))
                                            .Msg(6, StrAttr("exception.stacktrace", stack))
                                            .Msg(6, StrAttr("run", "r1"))});
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    EXPECT_EQ(OtlpRows(r, "traces"), 0u);
    ASSERT_EQ(OtlpRows(r, "exceptions"), 1u);
    EXPECT_EQ(OtlpStr(r, "exceptions", "type"), "ValueError");
    EXPECT_EQ(OtlpStr(r, "exceptions", "outerType"), "ValueError");
    EXPECT_EQ(OtlpStr(r, "exceptions", "innermostType"), "ValueError");
    EXPECT_EQ(OtlpStr(r, "exceptions", "message"), "bad value");
    EXPECT_EQ(OtlpStr(r, "exceptions", "method"), "train");
    EXPECT_EQ(OtlpStr(r, "exceptions", "assembly"), "at train (model.js:10:3)");
    EXPECT_EQ(OtlpStr(r, "exceptions", "problemId"), "ValueError at train");
    EXPECT_EQ(OtlpCell(r, "exceptions", "severityLevel").as_int64(), 3);
    EXPECT_EQ(OtlpStr(r, "exceptions", "itemType"), "exception");
    EXPECT_EQ(
        OtlpJson(r, "exceptions", "details"),
        R"([{"typeName":"ValueError","message":"bad value","hasFullStack":true,"stack":)" +
            [&] {
                std::string s;
                core::AppendJsonString(s, stack);
                return s;
            }() +
            "}]");
    // exception.* are mapped to columns, so only the rest is a dimension.
    EXPECT_EQ(OtlpJson(r, "exceptions", "customDimensions"), R"({"run":"r1"})");

    // exception.type alone is enough; the body stands in for the missing message.
    OtlpResult type_only =
        MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                   OneScopeRequest({Proto()
                                        .Fixed64(1, 1)
                                        .Msg(5, StringValue("boom"))
                                        .Msg(6, StrAttr("exception.type", "OSError"))}));
    EXPECT_EQ(OtlpStr(type_only, "exceptions", "message"), "boom");
    EXPECT_EQ(OtlpStr(type_only, "exceptions", "problemId"), "OSError");
}

TEST(OtlpLogsTest, CustomEventNameMakesACustomEventsRow) {
    std::string body =
        OneScopeRequest({Proto()
                             .Fixed64(1, 1)
                             .Msg(6, StrAttr("microsoft.custom_event.name", "epoch_done"))
                             .Msg(6, StrAttr("k", "v"))});
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    ASSERT_EQ(OtlpRows(r, "customEvents"), 1u);
    EXPECT_EQ(OtlpStr(r, "customEvents", "name"), "epoch_done");
    EXPECT_EQ(OtlpJson(r, "customEvents", "customDimensions"), R"({"k":"v"})");
}

TEST(OtlpLogsTest, TagAttributesBecomeColumnsAndMeasurementsAreRead) {
    std::string body = OneScopeRequest(
        {Proto()
             .Fixed64(1, 1)
             .Msg(6, StrAttr("enduser.id", "alice"))
             .Msg(6, StrAttr("enduser.pseudo.id", "anon-1"))
             .Msg(6, StrAttr("session.id", "s-1"))
             .Msg(6, StrAttr("ai.operation.name", "train"))
             .Msg(6, StrAttr("microsoft.client.ip", "10.0.0.1"))
             .Msg(6, StrAttr("microsoft.custom_measurements", R"({"loss":0.5,"n":3,"x":"no"})"))
             .Msg(6, StrAttr("_MS.internal", "drop"))
             .Msg(6, StrAttr("http.method", "GET"))});
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    EXPECT_EQ(OtlpStr(r, "traces", "user_AuthenticatedId"), "alice");
    EXPECT_EQ(OtlpStr(r, "traces", "user_Id"), "anon-1");
    EXPECT_EQ(OtlpStr(r, "traces", "session_Id"), "s-1");
    EXPECT_EQ(OtlpStr(r, "traces", "operation_Name"), "train");
    EXPECT_EQ(OtlpStr(r, "traces", "client_IP"), "10.0.0.1");
    EXPECT_EQ(OtlpJson(r, "traces", "customMeasurements"), R"({"loss":0.5,"n":3})");
    EXPECT_EQ(OtlpJson(r, "traces", "customDimensions"), "<null>");
}

TEST(OtlpLogsTest, ResourceColumnsAndWorkspaceAttribute) {
    Proto resource;
    resource.Msg(1, StrAttr("service.name", "unknown_service:node"))
        .Msg(1, StrAttr("k8s.deployment.name", "trainer-deploy"))
        .Msg(1, StrAttr("k8s.pod.name", "trainer-abc"))
        .Msg(1, StrAttr("service.instance.id", "i-1"))
        .Msg(1, StrAttr("service.version", "1.2.3"))
        .Msg(1, StrAttr("telemetry.sdk.language", "python"))
        .Msg(1, StrAttr("telemetry.sdk.version", "1.27.0"))
        .Msg(1, StrAttr("calypso.workspace", "ml"));
    Proto scope = Proto().Msg(2, Proto().Fixed64(1, 1));
    Proto unknown_ws = Proto().Msg(1, StrAttr("calypso.workspace", "nope"));
    std::string body = Proto()
                           .Msg(1, Proto().Msg(1, resource).Msg(2, scope))
                           .Msg(1, Proto().Msg(1, unknown_ws).Msg(2, scope))
                           .str();
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    EXPECT_EQ(r.items_received, 2u);
    EXPECT_EQ(r.items_rejected, 1u);
    EXPECT_EQ(r.error_message,
              "resourceLogs[1].scopeLogs[0].logRecords[0]: unknown workspace 'nope' named by "
              "resource attribute calypso.workspace");
    ASSERT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleName"), "trainer-deploy");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleInstance"), "trainer-abc");
    EXPECT_EQ(OtlpStr(r, "traces", "application_Version"), "1.2.3");
    EXPECT_EQ(OtlpStr(r, "traces", "sdkVersion"), "otlp:python:1.27.0");
    EXPECT_EQ(OtlpStr(r, "traces", "appName"), "ml");
    EXPECT_EQ(OtlpStr(r, "traces", "iKey"), "k2");
}

TEST(OtlpLogsTest, JsonAcceptsSnakeCaseStringIntsAndEnumNames) {
    const std::string body = R"({"resource_logs":[{"resource":{"attributes":[
        {"key":"service.name","value":{"string_value":"svc"}}]},
      "scope_logs":[{"log_records":[{"time_unix_nano":1795459609312000000,
        "severity_number":"SEVERITY_NUMBER_ERROR","body":{"string_value":"snake"},
        "trace_id":"BC2551943B02B971980AEE3EB315F020","span_id":"",
        "attributes":[{"key":"n","value":{"int_value":"42"}},
                      {"key":"b","value":{"bytes_value":"AQI="}},
                      {"key":"d","value":{"double_value":"NaN"}},
                      {"key":"e","value":{"arrayValue":{}}}]}]}]}]})";
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kJson, body);
    ASSERT_EQ(OtlpRows(r, "traces"), 1u) << r.error_message;
    EXPECT_EQ(OtlpStr(r, "traces", "message"), "snake");
    EXPECT_EQ(OtlpCell(r, "traces", "severityLevel").as_int64(), 3);
    EXPECT_EQ(OtlpCell(r, "traces", "timestamp").as_int64(), 17954596093120000);
    EXPECT_EQ(OtlpStr(r, "traces", "operation_Id"), "bc2551943b02b971980aee3eb315f020");
    EXPECT_EQ(OtlpStr(r, "traces", "cloud_RoleName"), "svc");
    EXPECT_EQ(OtlpJson(r, "traces", "customDimensions"), R"({"n":"42","b":"AQI=","d":"NaN","e":"[]"})");
}

}  // namespace
}  // namespace calypso::ingest::testing
