#include "ingest/appinsights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/time.h"
#include "ingest/tables.h"
#include "test_util.h"

namespace calypso::ingest {
namespace {

using testing::Cell;
using testing::Dim;
using testing::kIKey;
using testing::LoadFixture;
using testing::Rows;
using testing::Str;
using testing::TestLookup;

TrackBatch MustDecode(std::string_view body) {
    auto r = DecodeTrack(body, TestLookup());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    // Parsed in place from a body with room after it (as the server hands them over): the
    // same rows.
    std::string roomy(body);
    roomy.reserve(roomy.size() + 64);
    auto in_place = DecodeTrack(roomy, TestLookup(), /*padded=*/true);
    EXPECT_TRUE(in_place.ok());
    if (in_place.ok()) {
        EXPECT_EQ(in_place->batches.size(), r->batches.size());
        for (size_t t = 0; t < std::min(in_place->batches.size(), r->batches.size()); ++t) {
            const core::Batch& a = r->batches[t].batch;
            const core::Batch& b = in_place->batches[t].batch;
            EXPECT_EQ(a.num_rows(), b.num_rows());
            if (a.num_rows() != b.num_rows()) continue;
            for (size_t c = 0; c < a.columns.size(); ++c) {
                if (a.schema.fields[c].name == "itemId") continue;  // random per decode
                for (size_t row = 0; row < a.num_rows(); ++row) {
                    EXPECT_EQ(a.columns[c].Get(row), b.columns[c].Get(row))
                        << a.schema.fields[c].name << " row " << row;
                }
            }
        }
    }
    return std::move(r).value();
}

int64_t Ticks(std::string_view iso) { return *core::ParseDatetime(iso); }

// An envelope with the given baseType and baseData JSON.
std::string Env(std::string_view base_type, std::string_view base_data,
                std::string_view extra = "") {
    return std::string(R"({"name":"x","time":"2026-11-23T18:44:39.606Z","iKey":")") + kIKey +
           R"(",)" + std::string(extra) + R"("data":{"baseType":")" + std::string(base_type) +
           R"(","baseData":)" + std::string(base_data) + "}}";
}

TEST(AppInsightsFixtures, EveryCapturedRequestDecodesWithoutErrors) {
    for (const char* name :
         {"python-applicationinsights-0.11.10.json", "node-applicationinsights-2.9.8.json",
          "node-applicationinsights-3.16.0.json",
          "node-monitor-opentelemetry-exporter-1.0.0-beta.47.json"}) {
        auto requests = LoadFixture(name);
        ASSERT_FALSE(requests.empty()) << name;
        for (size_t i = 0; i < requests.size(); ++i) {
            SCOPED_TRACE(std::string(name) + " request " + std::to_string(i));
            TrackBatch tb = MustDecode(requests[i].body);
            EXPECT_EQ(tb.items_received, requests[i].envelopes);
            EXPECT_TRUE(tb.errors.empty()) << tb.errors[0].message;
            size_t rows = 0;
            for (const auto& b : tb.batches) {
                const TableDef* def = FindBuiltinTable(b.table);
                ASSERT_NE(def, nullptr) << b.table;
                EXPECT_EQ(b.batch.schema, def->schema);
                ASSERT_EQ(b.batch.columns.size(), def->schema.size());
                for (const auto& col : b.batch.columns) {
                    EXPECT_EQ(col.size(), b.batch.num_rows());
                }
                rows += b.batch.num_rows();
            }
            EXPECT_EQ(rows, requests[i].envelopes);  // one metric per MetricData in practice
        }
    }
}

TEST(AppInsightsFixtures, PythonSdkAllTypes) {
    auto requests = LoadFixture("python-applicationinsights-0.11.10.json");
    ASSERT_EQ(requests.size(), 2u);
    TrackBatch tb = MustDecode(requests[0].body);
    EXPECT_EQ(tb.items_received, 8u);
    EXPECT_EQ(tb.batches.size(), 7u);
    EXPECT_EQ(tb.batches[0].table, "traces");  // first touched first
    EXPECT_EQ(Rows(tb, "traces"), 1u);
    EXPECT_EQ(Rows(tb, "customEvents"), 1u);
    EXPECT_EQ(Rows(tb, "customMetrics"), 2u);
    EXPECT_EQ(Rows(tb, "exceptions"), 1u);
    EXPECT_EQ(Rows(tb, "requests"), 1u);
    EXPECT_EQ(Rows(tb, "dependencies"), 1u);
    EXPECT_EQ(Rows(tb, "pageViews"), 1u);

    // traces and the common columns.
    EXPECT_EQ(Cell(tb, "traces", "timestamp").as_int64(), Ticks("2026-11-23T18:44:39.606290Z"));
    EXPECT_EQ(Str(Cell(tb, "traces", "message")), "hello trace");
    EXPECT_EQ(Cell(tb, "traces", "severityLevel").as_int64(), 2);
    EXPECT_EQ(Str(Cell(tb, "traces", "itemType")), "trace");
    EXPECT_EQ(Cell(tb, "traces", "itemCount").as_int64(), 1);
    EXPECT_EQ(Str(Cell(tb, "traces", "iKey")), kIKey);
    EXPECT_EQ(Str(Cell(tb, "traces", "appName")), "ml-app");
    EXPECT_EQ(Str(Cell(tb, "traces", "appId")), "11111111-2222-3333-4444-555555555555");
    EXPECT_EQ(Str(Cell(tb, "traces", "sdkVersion")), "py3:0.11.10");
    EXPECT_EQ(Str(Cell(tb, "traces", "application_Version")), "1.2.3");
    EXPECT_EQ(Str(Cell(tb, "traces", "cloud_RoleName")), "trainer");
    EXPECT_EQ(Str(Cell(tb, "traces", "cloud_RoleInstance")), "node-7");
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_Id")), "op-123");
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_Name")), "train_epoch");
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_ParentId")), "|op-123.1.");
    EXPECT_EQ(Str(Cell(tb, "traces", "session_Id")), "sess-1");
    EXPECT_EQ(Str(Cell(tb, "traces", "user_Id")), "alice");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_Type")), "Other");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_OS")), "#1 SMP PREEMPT_DYNAMIC @0");
    EXPECT_EQ(Str(Cell(tb, "traces", "itemId")).size(), 36u);
    EXPECT_EQ(Dim(tb, "traces", "pipeline"), "mnist");
    EXPECT_EQ(Dim(tb, "traces", "step"), "42");
    EXPECT_TRUE(Cell(tb, "traces", "customMeasurements").is_null());

    EXPECT_EQ(Str(Cell(tb, "customEvents", "name")), "epoch_done");
    EXPECT_EQ(Str(Cell(tb, "customEvents", "itemType")), "customEvent");
    EXPECT_EQ(Dim(tb, "customEvents", "model"), "resnet");
    EXPECT_EQ(Dim(tb, "customEvents", "acc", 0, "customMeasurements"), "0.9");
    EXPECT_EQ(Dim(tb, "customEvents", "loss", 0, "customMeasurements"), "0.123");

    // Single value: null count/min/max/stdDev take the defaults.
    EXPECT_EQ(Str(Cell(tb, "customMetrics", "name", 0)), "gpu_util");
    EXPECT_EQ(Str(Cell(tb, "customMetrics", "itemType", 0)), "customMetric");
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "value", 0).as_double(), 87.5);
    EXPECT_EQ(Cell(tb, "customMetrics", "valueCount", 0).as_int64(), 1);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueSum", 0).as_double(), 87.5);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueMin", 0).as_double(), 87.5);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueMax", 0).as_double(), 87.5);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueStdDev", 0).as_double(), 0);
    // Aggregate.
    EXPECT_EQ(Str(Cell(tb, "customMetrics", "name", 1)), "batch_time");
    EXPECT_EQ(Cell(tb, "customMetrics", "valueCount", 1).as_int64(), 4);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueSum", 1).as_double(), 12.0);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueMin", 1).as_double(), 2.0);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueMax", 1).as_double(), 5.0);
    EXPECT_DOUBLE_EQ(Cell(tb, "customMetrics", "valueStdDev", 1).as_double(), 1.1);
    EXPECT_EQ(Dim(tb, "customMetrics", "gpu", 1), "0");

    EXPECT_EQ(Str(Cell(tb, "exceptions", "type")), "ZeroDivisionError");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerType")), "ZeroDivisionError");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostType")), "ZeroDivisionError");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "message")), "division by zero");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerMessage")), "division by zero");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostMessage")), "division by zero");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "method")), "<module>");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "assembly")), "Unknown");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "problemId")), "ZeroDivisionError at <module>");
    EXPECT_TRUE(Cell(tb, "exceptions", "severityLevel").is_null());
    EXPECT_EQ(Dim(tb, "exceptions", "where"), "loop");
    core::Value details = Cell(tb, "exceptions", "details");
    ASSERT_FALSE(details.is_null());
    ASSERT_EQ(details.as_dynamic().kind(), core::Dynamic::Kind::kArray);
    const core::Dynamic* frame = details.as_dynamic().At(0)->Find("parsedStack")->At(0);
    EXPECT_EQ(frame->Find("fileName")->as_string(), "/srv/app/py_client.py");
    EXPECT_EQ(frame->Find("line")->as_long(), 24);

    EXPECT_EQ(Str(Cell(tb, "requests", "id")), "267aca0f-befb-420a-9b12-695d16c5a910");
    EXPECT_EQ(Str(Cell(tb, "requests", "name")), "GET /predict");
    EXPECT_EQ(Str(Cell(tb, "requests", "url")), "http://x/predict");
    EXPECT_DOUBLE_EQ(Cell(tb, "requests", "duration").as_double(), 123.0);
    EXPECT_EQ(Str(Cell(tb, "requests", "resultCode")), "200");
    EXPECT_EQ(Str(Cell(tb, "requests", "success")), "True");
    EXPECT_EQ(Str(Cell(tb, "requests", "performanceBucket")), "<250ms");
    EXPECT_EQ(Str(Cell(tb, "requests", "itemType")), "request");

    EXPECT_EQ(Str(Cell(tb, "dependencies", "name")), "sql");
    EXPECT_EQ(Str(Cell(tb, "dependencies", "type")), "SQL");
    EXPECT_EQ(Str(Cell(tb, "dependencies", "target")), "db");
    EXPECT_EQ(Str(Cell(tb, "dependencies", "data")), "select 1");
    EXPECT_EQ(Str(Cell(tb, "dependencies", "resultCode")), "0");
    EXPECT_DOUBLE_EQ(Cell(tb, "dependencies", "duration").as_double(), 5.0);

    // PageViewData.duration is a bare int of milliseconds from this client.
    EXPECT_EQ(Str(Cell(tb, "pageViews", "name")), "home");
    EXPECT_EQ(Str(Cell(tb, "pageViews", "url")), "http://x/home");
    EXPECT_DOUBLE_EQ(Cell(tb, "pageViews", "duration").as_double(), 10.0);
}

TEST(AppInsightsFixtures, PythonLoggingHandlerCoercesLineNumber) {
    auto requests = LoadFixture("python-applicationinsights-0.11.10.json");
    TrackBatch tb = MustDecode(requests[1].body);
    EXPECT_EQ(tb.items_received, 3u);
    ASSERT_EQ(Rows(tb, "traces"), 2u);
    EXPECT_EQ(Str(Cell(tb, "traces", "message", 0)), "log info x");
    EXPECT_EQ(Cell(tb, "traces", "severityLevel", 0).as_int64(), 1);
    EXPECT_EQ(Cell(tb, "traces", "severityLevel", 1).as_int64(), 3);
    core::Value dims = Cell(tb, "traces", "customDimensions", 0);
    const core::Dynamic* line = dims.as_dynamic().Find("lineNumber");
    ASSERT_NE(line, nullptr);
    ASSERT_EQ(line->kind(), core::Dynamic::Kind::kString);
    EXPECT_EQ(line->as_string(), "35");
    EXPECT_EQ(Dim(tb, "traces", "lineNumber", 1), "36");
    EXPECT_EQ(Dim(tb, "traces", "level", 1), "ERROR");
    EXPECT_EQ(Dim(tb, "exceptions", "lineNumber"), "40");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "type")), "ValueError");
    // Tags absent from this envelope leave their columns empty.
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_Id")), "");  // KQL strings are never null
}

TEST(AppInsightsFixtures, Node2GzipNdjson) {
    auto requests = LoadFixture("node-applicationinsights-2.9.8.json");
    ASSERT_EQ(requests.size(), 1u);
    const auto& req = requests[0];
    ASSERT_FALSE(req.wire_gzip.empty());
    EXPECT_EQ(req.content_encoding, "gzip");
    auto body = Decompress(req.wire_gzip, req.content_encoding, 1 << 20);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    // The stored gzip blob inflates to a re-serialized form of body_ndjson (", " and ": "
    // separators), so compare by content, not by decoded_body_bytes.
    EXPECT_EQ(std::count(body->begin(), body->end(), '\n'), 7);
    EXPECT_EQ(body->front(), '{');
    // Sniffed by magic bytes even without the header.
    auto sniffed = Decompress(req.wire_gzip, "", 1 << 20);
    ASSERT_TRUE(sniffed.ok());
    EXPECT_EQ(*sniffed, *body);

    TrackBatch tb = MustDecode(*body);
    EXPECT_EQ(tb.items_received, 8u);
    EXPECT_TRUE(tb.errors.empty());
    EXPECT_EQ(tb.batches.size(), 8u);
    for (const char* t : {"traces", "customEvents", "exceptions", "customMetrics", "requests",
                          "dependencies", "availabilityResults", "pageViews"}) {
        EXPECT_EQ(Rows(tb, t), 1u) << t;
    }
    EXPECT_EQ(Str(Cell(tb, "traces", "message")), "hello from ai2");
    EXPECT_EQ(Cell(tb, "traces", "severityLevel").as_int64(), 2);
    EXPECT_EQ(Cell(tb, "traces", "timestamp").as_int64(), Ticks("2026-11-23T18:47:19.883Z"));
    EXPECT_EQ(Str(Cell(tb, "traces", "sdkVersion")), "ulm_node:2.9.8");
    EXPECT_EQ(Str(Cell(tb, "traces", "cloud_RoleInstance")), "vm");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_OS")), "Linux 6.18.44-fc-v669");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "type")), "Error");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "message")), "ai2 boom");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "method")), "Object.<anonymous>");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "assembly")),
              "at Object.<anonymous> (/srv/app/ai2_test.js:13:31)");
    EXPECT_EQ(Cell(tb, "exceptions", "severityLevel").as_int64(), 3);
    EXPECT_EQ(Cell(tb, "customMetrics", "valueCount").as_int64(), 1);
    EXPECT_EQ(Str(Cell(tb, "availabilityResults", "location")), "local");
    EXPECT_EQ(Str(Cell(tb, "availabilityResults", "message")), "ok");
    EXPECT_EQ(Str(Cell(tb, "availabilityResults", "success")), "True");
    EXPECT_EQ(Str(Cell(tb, "availabilityResults", "id")), "a1");
    EXPECT_DOUBLE_EQ(Cell(tb, "availabilityResults", "duration").as_double(), 10.0);
    EXPECT_EQ(Str(Cell(tb, "availabilityResults", "itemType")), "availabilityResult");
    EXPECT_EQ(Str(Cell(tb, "pageViews", "itemType")), "pageView");
    EXPECT_EQ(Str(Cell(tb, "dependencies", "itemType")), "dependency");
    EXPECT_TRUE(Cell(tb, "dependencies", "customMeasurements").is_null());  // {} -> null
}

TEST(AppInsightsFixtures, Node3ShimSeverityNamesAndSampling) {
    auto requests = LoadFixture("node-applicationinsights-3.16.0.json");
    ASSERT_EQ(requests.size(), 3u);
    TrackBatch tb = MustDecode(requests[0].body);
    EXPECT_EQ(Cell(tb, "traces", "severityLevel").as_int64(), 2);      // "Warning"
    EXPECT_EQ(Cell(tb, "exceptions", "severityLevel").as_int64(), 3);  // "Error"
    EXPECT_EQ(Dim(tb, "traces", "n"), "7");
    EXPECT_EQ(Str(Cell(tb, "traces", "cloud_RoleName")), "unknown_service:node");
    EXPECT_EQ(Str(Cell(tb, "pageViews", "id")), "pv1");

    TrackBatch metric = MustDecode(requests[1].body);
    EXPECT_EQ(Str(Cell(metric, "customMetrics", "name")), "gpu_util");
    EXPECT_DOUBLE_EQ(Cell(metric, "customMetrics", "value").as_double(), 87.5);

    TrackBatch spans = MustDecode(requests[2].body);
    EXPECT_EQ(Str(Cell(spans, "customMetrics", "name")), "_OTELRESOURCE_");
    EXPECT_EQ(Dim(spans, "customMetrics", "host.name"), "vm");
    EXPECT_EQ(Cell(spans, "requests", "itemCount").as_int64(), 13);      // sampleRate 7.69
    EXPECT_EQ(Cell(spans, "dependencies", "itemCount").as_int64(), 25);  // sampleRate 4
    EXPECT_EQ(Str(Cell(spans, "requests", "operation_Id")), "349c5122f821100ef139dc7be30ac5d4");
}

TEST(AppInsightsFixtures, OtelExporterVariants) {
    auto requests = LoadFixture("node-monitor-opentelemetry-exporter-1.0.0-beta.47.json");
    ASSERT_EQ(requests.size(), 7u);

    TrackBatch http = MustDecode(requests[0].body);
    EXPECT_EQ(Str(Cell(http, "dependencies", "success")), "False");
    EXPECT_EQ(Str(Cell(http, "dependencies", "resultCode")), "503");
    EXPECT_EQ(Str(Cell(http, "dependencies", "type")), "Http");
    EXPECT_NEAR(Cell(http, "dependencies", "duration").as_double(), 0.1665, 1e-9);
    EXPECT_EQ(Str(Cell(http, "dependencies", "operation_ParentId")), "9c0a238a087e5f99");
    EXPECT_EQ(Str(Cell(http, "customMetrics", "cloud_RoleName")), "ml.trainer");
    EXPECT_TRUE(Cell(http, "dependencies", "customDimensions").is_null());  // {} -> null

    // A raw `stack` string instead of parsedStack.
    TrackBatch inproc = MustDecode(requests[1].body);
    EXPECT_EQ(Str(Cell(inproc, "dependencies", "type")), "InProc");
    EXPECT_EQ(Str(Cell(inproc, "exceptions", "type")), "Error");
    EXPECT_EQ(Str(Cell(inproc, "exceptions", "message")), "inner oops");
    EXPECT_EQ(Str(Cell(inproc, "exceptions", "method")), "<no_method>");
    EXPECT_EQ(Str(Cell(inproc, "exceptions", "assembly")), "at /srv/app/exp_test.js:29:28");

    TrackBatch log = MustDecode(requests[2].body);
    EXPECT_EQ(Str(Cell(log, "traces", "message")), "log from otel");
    EXPECT_EQ(Cell(log, "traces", "severityLevel").as_int64(), 2);
    EXPECT_EQ(Dim(log, "traces", "ok"), "true");
    EXPECT_EQ(Dim(log, "traces", "epoch"), "3");

    TrackBatch ex = MustDecode(requests[3].body);
    EXPECT_EQ(Str(Cell(ex, "exceptions", "method")), "foo");
    EXPECT_EQ(Str(Cell(ex, "exceptions", "problemId")), "ValueError at foo");
    EXPECT_EQ(Cell(ex, "exceptions", "severityLevel").as_int64(), 3);

    TrackBatch req = MustDecode(requests[5].body);
    EXPECT_NEAR(Cell(req, "requests", "duration").as_double(), 8.1759, 1e-9);
    EXPECT_EQ(Str(Cell(req, "requests", "url")), "http://x/train");
    EXPECT_EQ(Dim(req, "requests", "custom.attr"), "v1");

    TrackBatch metrics = MustDecode(requests[6].body);
    ASSERT_EQ(Rows(metrics, "customMetrics"), 3u);
    EXPECT_EQ(Str(Cell(metrics, "customMetrics", "name", 1)), "batch_ms");
    EXPECT_DOUBLE_EQ(Cell(metrics, "customMetrics", "value", 1).as_double(), 40);
    EXPECT_EQ(Cell(metrics, "customMetrics", "valueCount", 1).as_int64(), 2);
    EXPECT_DOUBLE_EQ(Cell(metrics, "customMetrics", "valueMin", 1).as_double(), 10);
    EXPECT_DOUBLE_EQ(Cell(metrics, "customMetrics", "valueMax", 1).as_double(), 30);
    // A gauge without min/max.
    EXPECT_DOUBLE_EQ(Cell(metrics, "customMetrics", "valueMin", 2).as_double(), 0.25);
}

TEST(AppInsightsDecode, WholeRequestErrors) {
    for (std::string_view body : {"", "   \r\n\t ", "\xEF\xBB\xBF"}) {
        auto r = DecodeTrack(body, TestLookup());
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
        EXPECT_NE(r.status().message().find("empty"), std::string::npos);
    }
    auto not_json = DecodeTrack("hello world\nthis is not json", TestLookup());
    ASSERT_FALSE(not_json.ok());
    EXPECT_EQ(not_json.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(not_json.status().message().find("not JSON"), std::string::npos);
    EXPECT_NE(not_json.status().message().find("Line 1"), std::string::npos);

    std::string good = Env("MessageData", R"({"message":"m"})");
    std::string truncated = "[" + good + "," + good.substr(0, 40);
    auto t = DecodeTrack(truncated, TestLookup());
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find("truncated"), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find("byte " + std::to_string(truncated.size())),
              std::string::npos)
        << t.status().message();
    EXPECT_NE(t.status().message().find("element 1"), std::string::npos) << t.status().message();

    auto t2 = DecodeTrack("[" + good + ",", TestLookup());
    ASSERT_FALSE(t2.ok());
    EXPECT_NE(t2.status().message().find("truncated"), std::string::npos);

    std::string bad_element = "[" + good + ",{\"a\":tru}]";
    auto b = DecodeTrack(bad_element, TestLookup());
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.status().message().find("element 1"), std::string::npos) << b.status().message();
    EXPECT_NE(b.status().message().find("bytes " + std::to_string(good.size() + 2)),
              std::string::npos)
        << b.status().message();

    auto trailing = DecodeTrack("[" + good + "] x", TestLookup());
    ASSERT_FALSE(trailing.ok());
    EXPECT_EQ(trailing.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(AppInsightsDecode, EmptyArrayIsFine) {
    TrackBatch tb = MustDecode(" [ ] ");
    EXPECT_EQ(tb.items_received, 0u);
    EXPECT_TRUE(tb.batches.empty());
}

TEST(AppInsightsDecode, MissingRequiredFieldsArePerItem) {
    std::string body = "[" + Env("MessageData", R"({"message":"ok"})") + "," +
                       Env("MessageData", R"({"severityLevel":1})") + "," +
                       Env("EventData", R"({"name":""})") + "," +
                       Env("ExceptionData", R"({"exceptions":[]})") + "," +
                       Env("MetricData", R"({"metrics":[{"value":1}]})") + "," +
                       Env("RequestData", R"({"id":"r","responseCode":"200"})") + "," +
                       Env("FooData", R"({})") + "," + Env("EventData", R"({"name":"ok"})") + "]";
    TrackBatch tb = MustDecode(body);
    EXPECT_EQ(tb.items_received, 8u);
    ASSERT_EQ(tb.errors.size(), 6u);
    EXPECT_EQ(tb.errors[0].index, 1u);
    EXPECT_EQ(tb.errors[0].status_code, 400);
    EXPECT_EQ(tb.errors[0].message,
              "Field 'message' on type 'MessageData' is required but missing or empty");
    EXPECT_EQ(tb.errors[1].index, 2u);
    EXPECT_EQ(tb.errors[1].message,
              "Field 'name' on type 'EventData' is required but missing or empty");
    EXPECT_EQ(tb.errors[2].index, 3u);
    EXPECT_EQ(tb.errors[2].message,
              "Field 'exceptions' on type 'ExceptionData' is required but missing or empty");
    EXPECT_EQ(tb.errors[3].index, 4u);
    EXPECT_NE(tb.errors[3].message.find("'name'"), std::string::npos);
    EXPECT_EQ(tb.errors[4].index, 5u);
    EXPECT_NE(tb.errors[4].message.find("'duration' on type 'RequestData'"), std::string::npos);
    EXPECT_EQ(tb.errors[5].index, 6u);
    EXPECT_NE(tb.errors[5].message.find("FooData"), std::string::npos);
    EXPECT_EQ(Rows(tb, "traces"), 1u);
    EXPECT_EQ(Rows(tb, "customEvents"), 1u);
    EXPECT_EQ(Rows(tb, "exceptions"), 0u);
    EXPECT_EQ(Str(Cell(tb, "customEvents", "name")), "ok");
}

TEST(AppInsightsDecode, EnvelopeLevelErrors) {
    std::string no_time = R"({"iKey":")" + std::string(kIKey) +
                          R"(","data":{"baseType":"MessageData","baseData":{"message":"m"}}})";
    std::string bad_time = Env("MessageData", R"({"message":"m"})");
    bad_time.replace(bad_time.find("2026-11-23T18"), 4, "20x6");
    std::string no_data =
        R"({"time":"2026-11-23T18:44:39Z","iKey":")" + std::string(kIKey) + R"("})";
    std::string unknown_key = Env("MessageData", R"({"message":"m"})");
    unknown_key.replace(unknown_key.find(kIKey), 36, "99999999-0000-0000-0000-000000000001");
    std::string no_key =
        R"({"time":"2026-11-23T18:44:39Z","data":{"baseType":"MessageData","baseData":{"message":"m"}}})";
    std::string alt_key = R"({"time":"2026-11-23T18:44:39Z","instrumentationKey":")" +
                          std::string(kIKey) +
                          R"(","data":{"baseType":"MessageData","baseData":{"message":"alt"}}})";
    std::string body = "[" + no_time + "," + bad_time + "," + no_data + "," + unknown_key + "," +
                       no_key + ",42," + alt_key + "]";
    TrackBatch tb = MustDecode(body);
    EXPECT_EQ(tb.items_received, 7u);
    ASSERT_EQ(tb.errors.size(), 6u);
    EXPECT_EQ(tb.errors[0].message,
              "Field 'time' on type 'Envelope' is required but missing or empty");
    EXPECT_NE(tb.errors[1].message.find("'time'"), std::string::npos);
    EXPECT_NE(tb.errors[1].message.find("20x6"), std::string::npos);
    EXPECT_NE(tb.errors[2].message.find("'data'"), std::string::npos);
    EXPECT_NE(tb.errors[3].message.find("Invalid instrumentation key"), std::string::npos);
    EXPECT_NE(tb.errors[4].message.find("Invalid instrumentation key"), std::string::npos);
    EXPECT_EQ(tb.errors[5].index, 5u);
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(tb.errors[i].status_code, 400);
    ASSERT_EQ(Rows(tb, "traces"), 1u);
    EXPECT_EQ(Str(Cell(tb, "traces", "message")), "alt");
    EXPECT_EQ(Str(Cell(tb, "traces", "iKey")), kIKey);
}

TEST(AppInsightsDecode, LookupCalledOncePerKey) {
    int calls = 0;
    IKeyLookup lookup = [&](std::string_view ikey) -> std::optional<AppInfo> {
        ++calls;
        if (ikey == kIKey) return AppInfo{"a", "b"};
        return std::nullopt;
    };
    std::string e = Env("MessageData", R"({"message":"m"})");
    auto r = DecodeTrack("[" + e + "," + e + "," + e + "]", lookup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(Rows(*r, "traces"), 3u);
    // No lookup at all: every key is unknown.
    auto none = DecodeTrack("[" + e + "]", IKeyLookup());
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->errors.size(), 1u);
}

TEST(AppInsightsDecode, NdjsonWithBadLinesKeepsGoodOnes) {
    std::string a = Env("MessageData", R"({"message":"first"})");
    std::string b = Env("MessageData", R"({"message":"second"})");
    std::string body = a + "\r\n\r\n{not json}\r\n" + b + "\r\n   \r\n[1,2\r\n" +
                       Env("EventData", R"({"name":"e"})") + "\r\n";
    TrackBatch tb = MustDecode(body);
    EXPECT_EQ(tb.items_received, 5u);
    ASSERT_EQ(tb.errors.size(), 2u);
    EXPECT_EQ(tb.errors[0].index, 1u);
    EXPECT_EQ(tb.errors[0].status_code, 400);
    EXPECT_NE(tb.errors[0].message.find("Line 2"), std::string::npos);
    EXPECT_NE(tb.errors[0].message.find("not valid JSON"), std::string::npos);
    EXPECT_EQ(tb.errors[1].index, 3u);
    ASSERT_EQ(Rows(tb, "traces"), 2u);
    EXPECT_EQ(Str(Cell(tb, "traces", "message", 0)), "first");
    EXPECT_EQ(Str(Cell(tb, "traces", "message", 1)), "second");
    EXPECT_EQ(Rows(tb, "customEvents"), 1u);
}

TEST(AppInsightsDecode, BareObjectAndPrettyPrintedObject) {
    TrackBatch one = MustDecode(Env("MessageData", R"({"message":"bare"})"));
    EXPECT_EQ(one.items_received, 1u);
    EXPECT_EQ(Str(Cell(one, "traces", "message")), "bare");

    std::string pretty = "{\n  \"time\": \"2026-11-23T18:44:39Z\",\n  \"iKey\": \"" +
                         std::string(kIKey) +
                         "\",\n  \"data\": {\n    \"baseType\": \"EventData\",\n"
                         "    \"baseData\": {\"name\": \"pretty\"}\n  }\n}\n";
    TrackBatch p = MustDecode(pretty);
    EXPECT_EQ(p.items_received, 1u);
    EXPECT_TRUE(p.errors.empty());
    EXPECT_EQ(Str(Cell(p, "customEvents", "name")), "pretty");
}

TEST(AppInsightsDecode, SeverityVariants) {
    std::string body = "[";
    const char* levels[] = {R"("Verbose")",
                            R"("information")",
                            R"("Warning")",
                            R"("Error")",
                            R"("Critical")",
                            "0",
                            "4",
                            "9",
                            R"("bogus")",
                            "null",
                            R"("3")"};
    for (const char* l : levels) {
        body += Env("MessageData", std::string(R"({"message":"m","severityLevel":)") + l + "}");
        body += ",";
    }
    body.back() = ']';
    TrackBatch tb = MustDecode(body);
    ASSERT_EQ(Rows(tb, "traces"), 11u);
    const int64_t expected[] = {0, 1, 2, 3, 4, 0, 4, 4, -1, -1, 3};
    for (size_t i = 0; i < 11; ++i) {
        core::Value v = Cell(tb, "traces", "severityLevel", i);
        if (expected[i] < 0) {
            EXPECT_TRUE(v.is_null()) << i;
        } else {
            EXPECT_EQ(v.as_int64(), expected[i]) << i;
        }
    }
}

TEST(AppInsightsDecode, DurationVariantsAndBuckets) {
    struct Case {
        const char* json;
        double ms;
        const char* bucket;
    } cases[] = {
        {R"("00:00:00.123")", 123, "<250ms"},
        {R"("00:00:00.1234567")", 123.4567, "<250ms"},
        {R"("0.00:00:01.500")", 1500, "1sec-3sec"},
        {R"("1.02:03:04.5")", 93784500, ">=5min"},
        {"250", 250, "250ms-500ms"},
        {"42.5", 42.5, "<250ms"},
        {R"("750")", 750, "500ms-1sec"},
        {R"("00:01:30")", 90000, "1min-2min"},
    };
    std::string body = "[";
    for (const auto& c : cases) {
        body +=
            Env("RemoteDependencyData", std::string(R"({"name":"d","duration":)") + c.json + "}") +
            ",";
    }
    body += Env("RemoteDependencyData", R"({"name":"d","duration":"soon"})") + "]";
    TrackBatch tb = MustDecode(body);
    ASSERT_EQ(Rows(tb, "dependencies"), std::size(cases));
    for (size_t i = 0; i < std::size(cases); ++i) {
        EXPECT_NEAR(Cell(tb, "dependencies", "duration", i).as_double(), cases[i].ms, 1e-6) << i;
        EXPECT_EQ(Str(Cell(tb, "dependencies", "performanceBucket", i)), cases[i].bucket) << i;
    }
    ASSERT_EQ(tb.errors.size(), 1u);
    EXPECT_EQ(tb.errors[0].index, std::size(cases));
}

TEST(AppInsightsDecode, PropertyValueCoercion) {
    TrackBatch tb = MustDecode(
        Env("EventData",
            R"({"name":"e","properties":{"s":"x","i":35,"neg":-2,"r":0.5,"t":true,"f":false,)"
            R"("n":null,"o":{"a":[1,"b"]},"a":[1,2],"":"empty key"},)"
            R"("measurements":{"m":1,"bad":"x","num":"2.5"}})"));
    EXPECT_EQ(Dim(tb, "customEvents", "s"), "x");
    EXPECT_EQ(Dim(tb, "customEvents", "i"), "35");
    EXPECT_EQ(Dim(tb, "customEvents", "neg"), "-2");
    EXPECT_EQ(Dim(tb, "customEvents", "r"), "0.5");
    EXPECT_EQ(Dim(tb, "customEvents", "t"), "true");
    EXPECT_EQ(Dim(tb, "customEvents", "f"), "false");
    EXPECT_EQ(Dim(tb, "customEvents", "n"), "<absent>");
    EXPECT_EQ(Dim(tb, "customEvents", "o"), R"({"a":[1,"b"]})");
    EXPECT_EQ(Dim(tb, "customEvents", "a"), "[1,2]");
    EXPECT_EQ(Dim(tb, "customEvents", ""), "<absent>");
    core::Value dims = Cell(tb, "customEvents", "customDimensions");
    for (const auto& [k, v] : dims.as_dynamic().as_object()) {
        EXPECT_EQ(v.kind(), core::Dynamic::Kind::kString) << k;
    }
    core::Value m = Cell(tb, "customEvents", "customMeasurements");
    EXPECT_EQ(m.as_dynamic().Find("m")->as_real(), 1.0);
    EXPECT_EQ(m.as_dynamic().Find("num")->as_real(), 2.5);
    EXPECT_EQ(m.as_dynamic().Find("bad"), nullptr);
}

TEST(AppInsightsDecode, NonStringAndNullTags) {
    TrackBatch tb = MustDecode(
        Env("MessageData", R"({"message":"m"})",
            R"("tags":{"ai.operation.id":null,"ai.cloud.role":7,"ai.user.id":"u","x.y":"z",)"
            R"("ai.location.ip":"10.0.0.1","ai.location.city":"Paris",)"
            R"("ai.location.province":"IDF","ai.location.country":"FR",)"
            R"("ai.device.model":"M","ai.user.authUserId":"auth","ai.user.accountId":"acct",)"
            R"("ai.operation.syntheticSource":"bot"},)"));
    EXPECT_TRUE(tb.errors.empty());
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_Id")), "");  // KQL strings are never null
    EXPECT_EQ(Str(Cell(tb, "traces", "cloud_RoleName")), "7");
    EXPECT_EQ(Str(Cell(tb, "traces", "user_Id")), "u");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_IP")), "10.0.0.1");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_City")), "Paris");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_StateOrProvince")), "IDF");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_CountryOrRegion")), "FR");
    EXPECT_EQ(Str(Cell(tb, "traces", "client_Model")), "M");
    EXPECT_EQ(Str(Cell(tb, "traces", "user_AuthenticatedId")), "auth");
    EXPECT_EQ(Str(Cell(tb, "traces", "user_AccountId")), "acct");
    EXPECT_EQ(Str(Cell(tb, "traces", "operation_SyntheticSource")), "bot");
}

TEST(AppInsightsDecode, SampleRateToItemCount) {
    struct Case {
        const char* rate;
        int64_t count;
    } cases[] = {{"100", 1}, {"100.0", 1}, {"null", 1},
                 {"50", 2},  {"33.3", 3},  {"7.6923076923076925", 13},
                 {"0", 1},   {"150", 1}};
    std::string body = "[";
    for (const auto& c : cases) {
        body += Env("MessageData", R"({"message":"m"})",
                    std::string(R"("sampleRate":)") + c.rate + ",") +
                ",";
    }
    body += Env("MessageData", R"({"message":"m"})") + "]";
    TrackBatch tb = MustDecode(body);
    ASSERT_EQ(Rows(tb, "traces"), std::size(cases) + 1);
    for (size_t i = 0; i < std::size(cases); ++i) {
        EXPECT_EQ(Cell(tb, "traces", "itemCount", i).as_int64(), cases[i].count) << i;
    }
    EXPECT_EQ(Cell(tb, "traces", "itemCount", std::size(cases)).as_int64(), 1);
}

TEST(AppInsightsDecode, OverlongFieldsAreTruncated) {
    std::string long_message(40000, 'm');
    std::string long_value(10000, 'v');
    std::string long_key(200, 'k');
    std::string long_name(600, 'n');
    // A 2-byte UTF-8 character straddling the limit is dropped whole.
    std::string utf8_message = std::string(32767, 'a') + "\xC3\xA9" + "tail";
    std::string body =
        "[" +
        Env("MessageData", R"({"message":")" + long_message + R"(","properties":{")" + long_key +
                               R"(":")" + long_value + R"("}})") +
        "," + Env("EventData", R"({"name":")" + long_name + R"("})") + "," +
        Env("MessageData", R"({"message":")" + utf8_message + R"("})") + "]";
    TrackBatch tb = MustDecode(body);
    EXPECT_TRUE(tb.errors.empty());
    EXPECT_EQ(Str(Cell(tb, "traces", "message", 0)).size(), 32768u);
    core::Value dims = Cell(tb, "traces", "customDimensions", 0);
    const auto& member = dims.as_dynamic().as_object().at(0);
    EXPECT_EQ(member.first.size(), 150u);
    EXPECT_EQ(member.second.as_string().size(), 8192u);
    EXPECT_EQ(Str(Cell(tb, "customEvents", "name")).size(), 512u);
    EXPECT_EQ(Str(Cell(tb, "traces", "message", 1)).size(), 32767u);
    EXPECT_EQ(tb.items_truncated, 3u);
}

TEST(AppInsightsDecode, PropertiesBeyondTheHundredthAreDropped) {
    std::string props;
    std::string measurements;
    for (int i = 0; i < 120; ++i) {
        props += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":\"v\"";
        measurements += (i ? "," : "") + std::string("\"m") + std::to_string(i) + "\":1";
    }
    std::string body = "[" +
                       Env("EventData", R"({"name":"e","properties":{)" + props +
                                            R"(},"measurements":{)" + measurements + "}}") +
                       "," + Env("MessageData", R"({"message":"short","properties":{"a":"b"}})") +
                       "]";
    TrackBatch tb = MustDecode(body);
    EXPECT_TRUE(tb.errors.empty());
    const auto& dims = Cell(tb, "customEvents", "customDimensions").as_dynamic().as_object();
    ASSERT_EQ(dims.size(), 100u);
    EXPECT_EQ(dims.front().first, "p0");  // the first hundred, in the order sent
    EXPECT_EQ(dims.back().first, "p99");
    EXPECT_EQ(Cell(tb, "customEvents", "customMeasurements").as_dynamic().as_object().size(),
              100u);
    EXPECT_EQ(tb.items_truncated, 1u);  // the short message was kept whole
}

TEST(AppInsightsDecode, ExceptionChainDerivation) {
    TrackBatch tb =
        MustDecode(Env("ExceptionData",
                       R"({"severityLevel":"Critical","problemId":"custom-problem","exceptions":[)"
                       R"({"id":1,"typeName":"Outer","message":"outer msg","parsedStack":[)"
                       R"({"level":0,"method":"outerFn","assembly":"outer.dll","line":1}]},)"
                       R"({"id":2,"outerId":1,"typeName":"Middle","message":"mid"},)"
                       R"({"id":3,"outerId":2,"typeName":"Inner","message":"inner msg",)"
                       R"j("stack":"Inner: inner msg\n    at innerFn (inner.js:3:4)"}]})j"));
    ASSERT_TRUE(tb.errors.empty()) << tb.errors[0].message;
    EXPECT_EQ(Str(Cell(tb, "exceptions", "problemId")), "custom-problem");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "type")), "Outer");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerType")), "Outer");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerMessage")), "outer msg");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerMethod")), "outerFn");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "outerAssembly")), "outer.dll");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostType")), "Inner");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostMessage")), "inner msg");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostMethod")), "innerFn");
    EXPECT_EQ(Str(Cell(tb, "exceptions", "innermostAssembly")), "at innerFn (inner.js:3:4)");
    EXPECT_EQ(Cell(tb, "exceptions", "severityLevel").as_int64(), 4);
    EXPECT_EQ(Cell(tb, "exceptions", "details").as_dynamic().as_array().size(), 3u);

    TrackBatch bad = MustDecode(Env("ExceptionData", R"({"exceptions":[{"message":"no type"}]})"));
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0].message,
              "Field 'typeName' on type 'ExceptionDetails' is required but missing or empty");
}

TEST(AppInsightsDecode, MultipleMetricsAndItemIdsAreUnique) {
    TrackBatch tb = MustDecode(
        Env("MetricData",
            R"({"metrics":[{"name":"a","kind":0,"value":1},{"name":"b","kind":"Measurement",)"
            R"("value":2,"count":null}],"properties":{"p":"q"}})"));
    ASSERT_EQ(Rows(tb, "customMetrics"), 2u);
    EXPECT_EQ(Str(Cell(tb, "customMetrics", "name", 1)), "b");
    EXPECT_EQ(Dim(tb, "customMetrics", "p", 1), "q");
    auto schema = FindBuiltinTable("customMetrics")->schema;
    EXPECT_FALSE(schema.IndexOf("itemCount"));

    std::string e = Env("MessageData", R"({"message":"m"})");
    std::string body = "[";
    for (int i = 0; i < 1000; ++i) body += e + ",";
    body.back() = ']';
    TrackBatch many = MustDecode(body);
    std::set<std::string> ids;
    for (size_t i = 0; i < 1000; ++i) {
        std::string id = Str(Cell(many, "traces", "itemId", i));
        ASSERT_EQ(id.size(), 36u);
        EXPECT_EQ(id[14], '4');
        EXPECT_EQ(id[8], '-');
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 1000u);
}

TEST(AppInsightsDecode, RequestSuccessAndMixedKeys) {
    std::string other = "aaaaaaaa-0000-0000-0000-000000000002";
    IKeyLookup lookup = [&](std::string_view ikey) -> std::optional<AppInfo> {
        if (ikey == kIKey) return AppInfo{"one", "id1"};
        if (ikey == other) return AppInfo{"two", "id2"};
        return std::nullopt;
    };
    std::string second =
        Env("RequestData", R"({"id":"r2","duration":"00:00:02","responseCode":"500"})");
    second.replace(second.find(kIKey), 36, other);
    std::string body =
        "[" +
        Env("RequestData",
            R"({"id":"r1","duration":"00:00:00.5","responseCode":404,"success":"false"})") +
        "," + second + "]";
    auto r = DecodeTrack(body, lookup);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(Rows(*r, "requests"), 2u);
    EXPECT_EQ(Str(Cell(*r, "requests", "resultCode", 0)), "404");
    EXPECT_EQ(Str(Cell(*r, "requests", "success", 0)), "False");
    EXPECT_EQ(Str(Cell(*r, "requests", "success", 1)), "False");  // derived from 500
    EXPECT_EQ(Str(Cell(*r, "requests", "appName", 0)), "one");
    EXPECT_EQ(Str(Cell(*r, "requests", "appName", 1)), "two");
    EXPECT_EQ(Str(Cell(*r, "requests", "iKey", 1)), other);
    EXPECT_EQ(Str(Cell(*r, "requests", "performanceBucket", 1)), "1sec-3sec");
}

}  // namespace
}  // namespace calypso::ingest
