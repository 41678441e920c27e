#include "ingest/logs_ingestion.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "ingest/tables.h"

namespace calypso::ingest {
namespace {

using core::Type;

std::vector<InputRow> Rows(std::string_view json) {
    auto rows = ParseRowArray(json);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::move(*rows) : std::vector<InputRow>{};
}

RowDefaults Defaults() {
    RowDefaults d;
    d.tenant_id = "ws-1";
    d.now_ticks = *core::ParseDatetime("2024-05-01T00:00:00Z");
    return d;
}

const core::Column& Col(const core::Batch& b, std::string_view name) {
    return b.columns[*b.schema.IndexOf(name)];
}

TEST(LogsIngestionTest, ResolvesStreams) {
    auto custom = ResolveStream("Custom-MyTable_CL");
    ASSERT_TRUE(custom.ok());
    EXPECT_EQ(custom->table, "MyTable_CL");
    EXPECT_TRUE(custom->custom);
    auto aml = ResolveStream("Custom-AmlComputeJobEvent");
    ASSERT_TRUE(aml.ok());
    EXPECT_EQ(aml->table, "AmlComputeJobEvent");
    EXPECT_FALSE(aml->custom);
    EXPECT_TRUE(ResolveStream("Microsoft-AmlRunStatusChangedEvent").ok());
    EXPECT_EQ(ResolveStream("Custom-traces").status().code(), core::StatusCode::kNotFound);
    EXPECT_EQ(ResolveStream("Custom-Bad Name_CL").status().code(),
              core::StatusCode::kInvalidArgument);
    EXPECT_EQ(ResolveStream("MyTable_CL").status().code(), core::StatusCode::kNotFound);
}

TEST(LogsIngestionTest, RejectsBodiesThatAreNotArrays) {
    EXPECT_FALSE(ParseRowArray("{\"a\":1}").ok());
    EXPECT_FALSE(ParseRowArray("[1,").ok());
    EXPECT_TRUE(ParseRowArray("[]").ok());
}

TEST(LogsIngestionTest, InfersCustomSchemaFromFirstValues) {
    auto schema = InferCustomSchema(Rows(R"([
        {"RunId":"r1","Epoch":null,"Loss":0.5,"Ok":true,"Tags":{"a":1},"EndTime":"2024-05-01T10:00:00Z"},
        {"Epoch":3,"Note":"2024-05-01","bad name":1,"TimeGenerated":"2024-05-01T09:00:00Z"}])"));
    std::vector<core::Field> expected = {{"TimeGenerated", Type::kDatetime},
                                         {"RunId", Type::kString},
                                         {"Epoch", Type::kLong},
                                         {"Loss", Type::kReal},
                                         {"Ok", Type::kBool},
                                         {"Tags", Type::kDynamic},
                                         {"EndTime", Type::kDatetime},
                                         {"Note", Type::kString}};
    EXPECT_EQ(schema.fields, expected);
}

TEST(LogsIngestionTest, ConflictingRowsAreRejectedAndTheOthersKept) {
    auto rows = Rows(R"([
        {"RunId":"r1","Epoch":1,"Loss":0.5},
        {"RunId":"r2","Epoch":"two","Loss":0.4},
        {"RunId":"r3","Epoch":3,"Loss":1},
        {"RunId":"r4","Extra":true},
        42,
        {"RunId":"r6","TimeGenerated":"not a time"}])");
    auto schema = InferCustomSchema({rows[0]});
    RowsBatch out = RowsToBatch("Runs_CL", schema, rows, Defaults());
    EXPECT_EQ(out.rows_received, 6u);
    ASSERT_EQ(out.batches.size(), 1u);
    const core::Batch& b = out.batches[0].batch;
    ASSERT_EQ(b.num_rows(), 2u);
    EXPECT_EQ(Col(b, "RunId").string_at(1), "r3");
    EXPECT_EQ(Col(b, "Loss").double_at(1), 1.0);  // an integer is a fine real
    EXPECT_EQ(Col(b, "TimeGenerated").int64_at(0), Defaults().now_ticks);
    ASSERT_EQ(out.errors.size(), 4u);
    EXPECT_EQ(out.errors[0].index, 1u);
    EXPECT_EQ(out.errors[0].field, "Epoch");
    EXPECT_EQ(out.errors[0].message, "expected long, got string 'two'");
    EXPECT_EQ(out.errors[1].index, 3u);
    EXPECT_EQ(out.errors[1].field, "Extra");
    EXPECT_NE(out.errors[1].message.find("has no column 'Extra'"), std::string::npos);
    EXPECT_EQ(out.errors[2].index, 4u);
    EXPECT_EQ(out.errors[2].field, "");
    EXPECT_EQ(out.errors[3].index, 5u);
    EXPECT_EQ(out.errors[3].field, "TimeGenerated");
}

TEST(LogsIngestionTest, FillsStandardColumnsOfResourceLogTables) {
    const TableDef* def = FindBuiltinTable("AmlComputeJobEvent");
    ASSERT_NE(def, nullptr);
    auto rows = Rows(R"([{"TimeGenerated":"2024-05-01T10:00:00Z","JobId":"j1",
        "EventType":"JobFailed","TenantId":"spoofed","TFWorkerCount":4}])");
    RowsBatch out = RowsToBatch(def->name, def->schema, rows, Defaults());
    ASSERT_TRUE(out.errors.empty()) << out.errors[0].message;
    const core::Batch& b = out.batches.at(0).batch;
    EXPECT_EQ(Col(b, "TenantId").string_at(0), "ws-1");
    EXPECT_EQ(Col(b, "Type").string_at(0), "AmlComputeJobEvent");
    EXPECT_EQ(Col(b, "SourceSystem").string_at(0), "RestAPI");
    EXPECT_EQ(Col(b, "TFWorkerCount").string_at(0), "4");  // a string column in Azure
    EXPECT_EQ(Col(b, "TimeGenerated").int64_at(0), *core::ParseDatetime("2024-05-01T10:00:00Z"));
}

TEST(LogsIngestionTest, DiagnosticRecordsAreRoutedByCategory) {
    RowDefaults defaults = Defaults();
    defaults.source_system = "Azure";
    auto out = DecodeDiagnosticRecords(R"({"records":[
        {"time":"2024-05-01T10:00:00Z","resourceId":"/SUBSCRIPTIONS/sub-1/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.MACHINELEARNINGSERVICES/WORKSPACES/ws",
         "category":"AmlComputeJobEvent","operationName":"JobSubmitted","level":"Informational",
         "properties":{"JobId":"j1","ExperimentName":"train","eventType":"JobSubmitted","Unknown":1}},
        {"time":"2024-05-01T10:01:00Z","category":"RunReadEvent","operationName":"read",
         "properties":{"RunId":"r1","Identity":{"UserName":"ann"}}},
        {"time":"2024-05-01T10:02:00Z","category":"Nope"},
        {"time":"yesterday","category":"AmlComputeJobEvent"},
        {"category":"AmlComputeClusterEvent","properties":{"CoreCount":"many"}}]})",
                                       defaults);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->rows_received, 5u);
    ASSERT_EQ(out->errors.size(), 3u);
    EXPECT_EQ(out->errors[0].index, 2u);
    EXPECT_EQ(out->errors[0].field, "category");
    EXPECT_EQ(out->errors[1].index, 3u);
    EXPECT_EQ(out->errors[1].field, "TimeGenerated");
    EXPECT_EQ(out->errors[2].index, 4u);
    EXPECT_EQ(out->errors[2].field, "CoreCount");
    ASSERT_EQ(out->batches.size(), 2u);
    const auto& jobs = out->batches[0].table == "AmlComputeJobEvent" ? out->batches[0].batch
                                                                     : out->batches[1].batch;
    const auto& runs =
        out->batches[0].table == "AmlRunEvent" ? out->batches[0].batch : out->batches[1].batch;
    ASSERT_EQ(jobs.num_rows(), 1u);
    EXPECT_EQ(Col(jobs, "JobId").string_at(0), "j1");
    EXPECT_EQ(Col(jobs, "EventType").string_at(0), "JobSubmitted");
    EXPECT_EQ(Col(jobs, "OperationName").string_at(0), "JobSubmitted");
    EXPECT_EQ(Col(jobs, "_SubscriptionId").string_at(0), "sub-1");
    EXPECT_EQ(Col(jobs, "SourceSystem").string_at(0), "Azure");
    ASSERT_EQ(runs.num_rows(), 1u);
    EXPECT_EQ(Col(runs, "Identity").dynamic_at(0).ToJson(), R"({"UserName":"ann"})");
    EXPECT_FALSE(DecodeDiagnosticRecords(R"([{"category":"RunEvent"}])", Defaults()).ok());
}

}  // namespace
}  // namespace calypso::ingest
