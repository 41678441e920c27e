#include "ingest/eventgrid.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "eventgrid_test_util.h"

namespace calypso::ingest {
namespace {

using testing::DecodeAll;
using testing::EventGridDir;
using testing::FixtureBodies;
using testing::ReadFile;

int64_t Time(const char* text) { return *core::ParseDatetime(text); }

TEST(EventGridDecode, EventGridSchemaFixture) {
    auto d =
        DecodeEventGrid(ReadFile(EventGridDir() + "eventgrid-schema/run-status-changed.json"), 0);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_EQ(d->events.size(), 1u);
    EXPECT_TRUE(d->errors.empty());
    const AmlEvent& e = d->events[0];
    EXPECT_EQ(e.event_type, kRunStatusChanged);
    EXPECT_EQ(e.id, "b49deb5f-38c0-5fdd-abbd-073648ea76b3");
    EXPECT_EQ(e.time, Time("2025-03-14T09:09:02.4770581Z"));
    EXPECT_EQ(e.metadata_version, "1");
    EXPECT_EQ(e.data.Find("runStatus")->as_string(), "Running");
    EXPECT_TRUE(e.topic.ends_with("/workspaces/mlw-churn-prod"));
}

TEST(EventGridDecode, CloudEventsGiveTheSameEvents) {
    for (const char* folder : {"lifecycle-success", "lifecycle-failure"}) {
        auto eg = DecodeAll(FixtureBodies(std::string("eventgrid-schema/") + folder));
        auto ce = DecodeAll(FixtureBodies(std::string("cloudevents-schema/") + folder));
        ASSERT_EQ(eg.size(), ce.size());
        for (size_t i = 0; i < eg.size(); ++i) {
            EXPECT_EQ(eg[i].Key(), ce[i].Key());
            EXPECT_EQ(eg[i].event_type, ce[i].event_type);
            EXPECT_EQ(eg[i].time, ce[i].time);
            EXPECT_EQ(eg[i].subject, ce[i].subject);
            EXPECT_EQ(eg[i].data, ce[i].data);
        }
    }
    EXPECT_EQ(DecodeAll(FixtureBodies("eventgrid-schema/lifecycle-success")).size(), 18u);
}

TEST(EventGridDecode, BatchesOfBothSchemas) {
    for (const char* f :
         {"eventgrid-schema/batch-mixed-types.json", "cloudevents-schema/batch-mixed-types.json",
          "cloudevents-schema/batch-success-first6.json"}) {
        auto d = DecodeEventGrid(ReadFile(EventGridDir() + f), 0);
        ASSERT_TRUE(d.ok()) << f;
        EXPECT_TRUE(d->errors.empty()) << f << ": " << d->errors.front().ToString();
        EXPECT_GE(d->events.size(), 5u) << f;
    }
}

TEST(EventGridDecode, SubscriptionValidation) {
    auto d = DecodeEventGrid(
        ReadFile(EventGridDir() + "eventgrid-schema/subscription-validation-event.json"), 0);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->validation_code, "512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
    EXPECT_TRUE(d->events.empty());
}

TEST(EventGridDecode, BadEventsAreNamedAndTheOthersKept) {
    std::string good = ReadFile(EventGridDir() + "cloudevents-schema/run-status-changed.json");
    std::string body = "[" + good +
                       R"(, 7, {"eventType":"Microsoft.MachineLearningServices.RunStatusChanged",
        "id":"x","eventTime":"yesterday","data":{}},
        {"id":"y","eventType":"Microsoft.MachineLearningServices.RunStatusChanged",
         "eventTime":"2025-03-14T09:00:00Z","data":{"runId":"r1"}},
        {"specversion":"1.0","id":"z","source":"s","type":"t","data_base64":"AA=="},
        {"specversion":"0.3","id":"z","source":"s","type":"t"},
        {"hello":"world"}, )" +
                       good + "]";
    auto d = DecodeEventGrid(body, 0);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->events.size(), 2u);
    ASSERT_EQ(d->errors.size(), 6u);
    EXPECT_EQ(d->errors[0].index, 1u);
    EXPECT_EQ(d->errors[0].field, "");
    EXPECT_EQ(d->errors[1].field, "eventTime");
    EXPECT_EQ(d->errors[2].field, "data.runStatus");
    EXPECT_EQ(d->errors[2].ToString(), "event 3: data.runStatus: missing");
    EXPECT_EQ(d->errors[3].field, "data_base64");
    EXPECT_EQ(d->errors[4].field, "specversion");
    EXPECT_EQ(d->errors[5].field, "eventType");
    EXPECT_EQ(d->errors[5].index, 6u);
}

TEST(EventGridDecode, UnreadableBodies) {
    for (const char* body : {"", "{", "42", "\"text\"", "[1,2"}) {
        auto d = DecodeEventGrid(body, 0);
        EXPECT_FALSE(d.ok()) << body;
        EXPECT_EQ(d.status().code(), core::StatusCode::kInvalidArgument);
    }
    auto empty = DecodeEventGrid("[]", 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->events.empty());
}

TEST(EventGridDecode, CloudEventWithoutTimeGetsTheReceiveTime) {
    auto d = DecodeEventGrid(
        R"({"specversion":"1.0","id":"1","source":"/s","type":"Custom.Thing","data":{"a":1}})", 42);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->events.size(), 1u);
    EXPECT_EQ(d->events[0].time, 42);
}

const core::Column& ColumnOf(const core::TableBatch& b, std::string_view name) {
    return b.batch.columns[*b.batch.schema.IndexOf(name)];
}

TEST(EventGridRows, EveryTypeHasItsTable) {
    auto events = DecodeAll({ReadFile(EventGridDir() + "eventgrid-schema/batch-mixed-types.json")});
    auto batches = EventRows(events);
    std::map<std::string, const core::TableBatch*> by_table;
    for (const auto& b : batches) by_table[b.table] = &b;
    ASSERT_EQ(by_table.size(), 5u);
    EXPECT_EQ(by_table["AmlEventGridEvent"]->batch.num_rows(), events.size());

    const auto& status = *by_table["AmlRunStatusChangedEvent"];
    EXPECT_EQ(status.batch.num_rows(), 1u);
    EXPECT_EQ(ColumnOf(status, "WorkspaceName").string_at(0), "mlw-churn-prod");
    EXPECT_EQ(ColumnOf(status, "_SubscriptionId").string_at(0),
              "5f3c2a71-8d4e-4b9a-9c1e-2a7b6d0e4f18");

    const auto& model = *by_table["AmlModelRegisteredEvent"];
    EXPECT_EQ(ColumnOf(model, "ModelName").string_at(0), "churn-classifier");
    EXPECT_EQ(ColumnOf(model, "ModelVersion").string_at(0), "7");  // a number in the event
    EXPECT_EQ(ColumnOf(model, "ModelTags").dynamic_at(0).Find("stage")->as_string(), "candidate");

    const auto& deployed = *by_table["AmlModelDeployedEvent"];
    EXPECT_EQ(ColumnOf(deployed, "ServiceComputeType").string_at(0), "AKS");

    const auto& drift = *by_table["AmlDatasetDriftDetectedEvent"];
    EXPECT_DOUBLE_EQ(ColumnOf(drift, "DriftCoefficient").double_at(0), 0.6241837719);
    EXPECT_EQ(ColumnOf(drift, "StartTime").int64_at(0), Time("2025-03-20T00:00:00Z"));

    // What is stored reads back as the same events.
    auto back = EventsFromRows(by_table["AmlEventGridEvent"]->batch);
    ASSERT_EQ(back.size(), events.size());
    for (size_t i = 0; i < back.size(); ++i) {
        EXPECT_EQ(back[i].Key(), events[i].Key());
        EXPECT_EQ(back[i].time, events[i].time);
        EXPECT_EQ(back[i].data, events[i].data);
        EXPECT_EQ(back[i].event_type, events[i].event_type);
    }
}

}  // namespace
}  // namespace calypso::ingest
