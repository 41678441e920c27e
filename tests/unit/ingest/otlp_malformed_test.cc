// Bad OTLP input: a clear error for what cannot be read at all, a rejected item (with its
// path) for what is wrong inside an item, and never a crash or a lost good item.

#include <gtest/gtest.h>

#include <random>

#include "otlp_test_util.h"

namespace calypso::ingest::testing {
namespace {

std::string ProtoFixture() { return ReadFile(OtlpFixtureDir() + "raw-logs-request.pb"); }

std::string DecodeError(OtlpSignal signal, OtlpFormat format, const std::string& body) {
    auto r = DecodeOtlp(signal, format, body, TestOptions());
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.status().message();
}

TEST(OtlpMalformedTest, TruncatedProtobufIsA400WithTheByte) {
    const std::string body = ProtoFixture();
    EXPECT_EQ(DecodeError(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body.substr(0, 100)),
              "undecodable protobuf body: truncated message: length 166 of field 1 at byte 0 runs "
              "past the end of its enclosing message (97 bytes left)");
    // Every prefix either decodes (an empty or shorter request) or is refused; never a crash.
    for (size_t n = 0; n < body.size(); ++n) {
        auto r =
            DecodeOtlp(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body.substr(0, n), TestOptions());
        if (r.ok()) {
            EXPECT_EQ(r->items_received - r->items_rejected, 0u) << n;
        }
    }
}

TEST(OtlpMalformedTest, WrongWireTypeInsideARecordRejectsOnlyThatRecord) {
    Proto good = Proto().Fixed64(1, 1).Msg(5, StringValue("good"));
    Proto bad = Proto().Fixed64(1, 1).Varint(9, 5);  // trace_id as a varint
    OtlpResult r =
        MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, OneScopeRequest({good, bad, good}));
    EXPECT_EQ(r.items_received, 3u);
    EXPECT_EQ(r.items_rejected, 1u);
    EXPECT_EQ(OtlpRows(r, "traces"), 2u);
    EXPECT_EQ(r.error_message,
              "resourceLogs[0].scopeLogs[0].logRecords[1]: field 9 (trace_id) has wire type 0 "
              "(varint), expected 2 (length-delimited), at byte 77");
}

TEST(OtlpMalformedTest, WrongWireTypeAtTheTopIsA400) {
    EXPECT_EQ(DecodeError(OtlpSignal::kTraces, OtlpFormat::kProtobuf, Bytes({0x08, 0x01})),
              "field 1 (resource) has wire type 0 (varint), expected 2 (length-delimited), at "
              "byte 0");
    EXPECT_EQ(DecodeError(OtlpSignal::kMetrics, OtlpFormat::kProtobuf, "{\"json\": true}"),
              "undecodable protobuf body: unsupported wire type 3 (start group) of field 15 at "
              "byte 0");
}

TEST(OtlpMalformedTest, BadResourceRejectsItsItemsOnly) {
    Proto scope = Proto().Msg(2, Proto().Fixed64(1, 1));
    Proto bad_resource = Proto().Msg(1, Proto().Varint(1, 3));  // an attribute key as a varint
    std::string body = Proto()
                           .Msg(1, Proto().Msg(1, bad_resource).Msg(2, scope))
                           .Msg(1, Proto().Msg(2, scope))
                           .str();
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf, body);
    EXPECT_EQ(r.items_received, 2u);
    EXPECT_EQ(r.items_rejected, 1u);
    EXPECT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_EQ(r.error_message,
              "resourceLogs[0].scopeLogs[0].logRecords[0]: field 1 (key) has wire type 0 "
              "(varint), expected 2 (length-delimited), at byte 6");
}

TEST(OtlpMalformedTest, BadHexIdRejectsTheRecordWithItsPath) {
    const std::string body = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
        {"body":{"stringValue":"ok"}},
        {"body":{"stringValue":"bad"},"traceId":"xyz"},
        {"body":{"stringValue":"short"},"spanId":"49fc4fef"},
        {"body":{"stringValue":"ok too"},"traceId":"bc2551943b02b971980aee3eb315f020"}]}]}]})";
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kJson, body);
    EXPECT_EQ(r.items_received, 4u);
    EXPECT_EQ(r.items_rejected, 2u);
    ASSERT_EQ(OtlpRows(r, "traces"), 2u);
    EXPECT_EQ(OtlpStr(r, "traces", "message", 1), "ok too");
    EXPECT_EQ(r.error_message,
              "resourceLogs[0].scopeLogs[0].logRecords[1]: traceId 'xyz' is not 32 hex digits; "
              "resourceLogs[0].scopeLogs[0].logRecords[2]: spanId '49fc4fef' is not 16 hex "
              "digits");
}

TEST(OtlpMalformedTest, BadJsonIsA400SayingWhat) {
    EXPECT_EQ(DecodeError(OtlpSignal::kLogs, OtlpFormat::kJson, ""), "empty request body");
    EXPECT_EQ(
        DecodeError(OtlpSignal::kLogs, OtlpFormat::kJson, R"({"resourceLogs":[{"scopeLogs":[)"),
        "truncated JSON body: it ends at byte 31 with 4 object(s) or array(s) still open");
    EXPECT_NE(DecodeError(OtlpSignal::kLogs, OtlpFormat::kJson, R"({"resourceLogs": nope})")
                  .find("request body is not valid JSON"),
              std::string::npos);
    EXPECT_EQ(DecodeError(OtlpSignal::kLogs, OtlpFormat::kJson, "[1,2]"),
              "request body must be a JSON object with \"resourceLogs\"");
    EXPECT_EQ(DecodeError(OtlpSignal::kTraces, OtlpFormat::kJson, R"({"resourceSpans":5})"),
              "field 'resourceSpans' must be an array, got 5");
}

TEST(OtlpMalformedTest, WrongJsonTypesRejectTheItem) {
    const std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"bc2551943b02b971980aee3eb315f020","spanId":"49fc4fef3fbc3c11","name":"a",
         "startTimeUnixNano":"x1","endTimeUnixNano":"2"},
        {"traceId":"bc2551943b02b971980aee3eb315f020","spanId":"49fc4fef3fbc3c11","name":"b",
         "kind":"SPAN_KIND_NOPE","startTimeUnixNano":"1","endTimeUnixNano":"2"},
        "not an object",
        {"traceId":"bc2551943b02b971980aee3eb315f020","spanId":"49fc4fef3fbc3c11","name":"c",
         "kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1","endTimeUnixNano":"2",
         "attributes":[{"key":"k","value":{"intValue":"12a"}}]},
        {"traceId":"bc2551943b02b971980aee3eb315f020","spanId":"49fc4fef3fbc3c11","name":"d",
         "kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})";
    OtlpResult r = MustDecode(OtlpSignal::kTraces, OtlpFormat::kJson, body);
    EXPECT_EQ(r.items_received, 5u);
    EXPECT_EQ(r.items_rejected, 4u);
    ASSERT_EQ(OtlpRows(r, "dependencies"), 1u);
    EXPECT_EQ(OtlpStr(r, "dependencies", "name"), "d");
    EXPECT_NE(r.error_message.find(
                  "spans[0]: field 'startTimeUnixNano' must be a non-negative integer (a number or "
                  "a decimal string), got \"x1\""),
              std::string::npos)
        << r.error_message;
    EXPECT_NE(r.error_message.find("spans[1]: field 'kind' must be an enum"), std::string::npos);
    EXPECT_NE(r.error_message.find("spans[2]: not a JSON object"), std::string::npos);
    EXPECT_NE(r.error_message.find("spans[3]: attribute 'k': field 'intValue' must be a 64-bit"),
              std::string::npos);
}

TEST(OtlpMalformedTest, DeepNestingIsRejectedNotACrash) {
    std::string value = R"({"stringValue":"x"})";
    for (int i = 0; i < 200; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
    const std::string body =
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" + value + "},{}]}]}]}";
    OtlpResult r = MustDecode(OtlpSignal::kLogs, OtlpFormat::kJson, body);
    EXPECT_EQ(r.items_rejected, 1u);
    EXPECT_EQ(OtlpRows(r, "traces"), 1u);
    EXPECT_NE(r.error_message.find("nested deeper than 64 levels"), std::string::npos);

    Proto nested = StringValue("x");
    for (int i = 0; i < 200; ++i) nested = Proto().Msg(5, Proto().Msg(1, nested));
    OtlpResult p = MustDecode(OtlpSignal::kLogs, OtlpFormat::kProtobuf,
                              OneScopeRequest({Proto().Msg(5, nested), Proto().Fixed64(1, 1)}));
    EXPECT_EQ(p.items_rejected, 1u);
    EXPECT_EQ(OtlpRows(p, "traces"), 1u);
}

TEST(OtlpMalformedTest, RandomBytesNeverCrash) {
    std::mt19937 rng(7);
    const std::string fixture = ProtoFixture();
    const std::string json_fixture = OtlpFixtureBodies("node-otlp-http-json-traces.json").at(0);
    for (int i = 0; i < 3000; ++i) {
        std::string body = fixture;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            body[rng() % body.size()] = static_cast<char>(rng() & 0xFF);
        }
        std::string json = json_fixture;
        json[rng() % json.size()] = "{}[]\",:0a\\"[rng() % 11];
        for (OtlpSignal s : {OtlpSignal::kLogs, OtlpSignal::kTraces, OtlpSignal::kMetrics}) {
            auto j = DecodeOtlp(s, OtlpFormat::kJson, json, TestOptions());
            if (j.ok()) {
                EXPECT_LE(j->items_rejected, j->items_received);
            }
            auto r = DecodeOtlp(s, OtlpFormat::kProtobuf, body, TestOptions());
            if (r.ok()) {
                EXPECT_LE(r->items_rejected, r->items_received);
            }
        }
    }
}

TEST(OtlpResponseTest, PartialSuccessInBothEncodings) {
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kLogs, OtlpFormat::kJson, 0, ""), "{}");
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kLogs, OtlpFormat::kProtobuf, 0, ""), "");
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kLogs, OtlpFormat::kJson, 2, "bad \"id\""),
              R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad \"id\""}})");
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kTraces, OtlpFormat::kJson, 1, "x"),
              R"({"partialSuccess":{"rejectedSpans":"1","errorMessage":"x"}})");
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kMetrics, OtlpFormat::kJson, 3, "x"),
              R"({"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"x"}})");
    // partial_success (1) { rejected (1) = 2, error_message (2) = "why" }
    EXPECT_EQ(OtlpExportResponse(OtlpSignal::kTraces, OtlpFormat::kProtobuf, 2, "why"),
              Bytes({0x0A, 0x07, 0x08, 0x02, 0x12, 0x03, 'w', 'h', 'y'}));
    EXPECT_EQ(OtlpStatusBody(OtlpFormat::kJson, 3, "bad"), R"({"code":3,"message":"bad"})");
    EXPECT_EQ(OtlpStatusBody(OtlpFormat::kProtobuf, 14, "busy"),
              Bytes({0x08, 0x0E, 0x12, 0x04, 'b', 'u', 's', 'y'}));
}

TEST(OtlpResponseTest, ManyRejectionsAreSummarised) {
    std::vector<Proto> spans(8, Proto().Bytes(5, "no ids"));
    OtlpResult r = MustDecode(OtlpSignal::kTraces, OtlpFormat::kProtobuf, OneScopeRequest(spans));
    EXPECT_EQ(r.items_rejected, 8u);
    EXPECT_NE(r.error_message.find("(and 3 more)"), std::string::npos) << r.error_message;
}

}  // namespace
}  // namespace calypso::ingest::testing
