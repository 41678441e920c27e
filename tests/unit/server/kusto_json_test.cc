#include "server/kusto_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/time.h"

namespace calypso::server {
namespace {

using core::Type;

core::Batch OneOfEachType() {
    core::Schema schema{{{"b", Type::kBool},
                         {"i", Type::kInt},
                         {"l", Type::kLong},
                         {"r", Type::kReal},
                         {"m", Type::kDecimal},
                         {"s", Type::kString},
                         {"t", Type::kDatetime},
                         {"span", Type::kTimespan},
                         {"g", Type::kGuid},
                         {"d", Type::kDynamic}}};
    core::Batch b = core::Batch::Empty(schema);
    b.columns[0].AppendInt64(1);
    b.columns[1].AppendInt64(-7);
    b.columns[2].AppendInt64(int64_t{1} << 40);
    b.columns[3].AppendDouble(0.5);
    b.columns[4].AppendDouble(12.25);
    b.columns[5].AppendString("a\"b\n");
    b.columns[6].AppendInt64(*core::ParseDatetime("2024-05-01T12:34:56.1234567Z"));
    b.columns[7].AppendInt64(90 * core::kTicksPerSecond + 5'000'000);
    b.columns[8].AppendString("0f8fad5b-d9cb-469f-a165-70867728950e");
    b.columns[9].AppendDynamic(*core::Dynamic::Parse(R"({"a":[1,"x",null]})"));
    return b;
}

TEST(KustoJsonTest, TypeNames) {
    EXPECT_EQ(KustoColumnType(Type::kLong), "long");
    EXPECT_EQ(KustoColumnType(Type::kDynamic), "dynamic");
    EXPECT_EQ(KustoColumnType(Type::kNull), "string");
    EXPECT_EQ(KustoDataType(Type::kBool), "Boolean");
    EXPECT_EQ(KustoDataType(Type::kInt), "Int32");
    EXPECT_EQ(KustoDataType(Type::kLong), "Int64");
    EXPECT_EQ(KustoDataType(Type::kReal), "Double");
    EXPECT_EQ(KustoDataType(Type::kDecimal), "Decimal");
    EXPECT_EQ(KustoDataType(Type::kDatetime), "DateTime");
    EXPECT_EQ(KustoDataType(Type::kTimespan), "TimeSpan");
    EXPECT_EQ(KustoDataType(Type::kGuid), "Guid");
    EXPECT_EQ(KustoDataType(Type::kDynamic), "Object");
    EXPECT_EQ(KustoDataType(Type::kString), "String");
    EXPECT_EQ(KustoClrType(Type::kBool), "System.SByte");
    EXPECT_EQ(KustoClrType(Type::kDynamic), "System.Object");
}

TEST(KustoJsonTest, DatetimesAlwaysHaveSevenFractionDigits) {
    EXPECT_EQ(FormatKustoDatetime(*core::ParseDatetime("2024-05-01T12:34:56Z")),
              "2024-05-01T12:34:56.0000000Z");
    EXPECT_EQ(FormatKustoDatetime(*core::ParseDatetime("2024-05-01T12:34:56.5Z")),
              "2024-05-01T12:34:56.5000000Z");
    EXPECT_EQ(FormatKustoDatetime(*core::ParseDatetime("2024-05-01T12:34:56.1234567Z")),
              "2024-05-01T12:34:56.1234567Z");
    EXPECT_EQ(FormatKustoDatetime(0), "1970-01-01T00:00:00.0000000Z");
}

TEST(KustoJsonTest, EveryTypeInAV2DataTable) {
    std::vector<KustoTable> tables{{"PrimaryResult", "PrimaryResult", OneOfEachType(), {}}};
    EXPECT_EQ(
        WriteKustoV2(tables, KustoErrorPlacement::kEndOfTable, {}),
        R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0",)"
        R"("IsFragmented":false,"ErrorReportingPlacement":"EndOfTable"},)"
        R"({"FrameType":"DataTable","TableId":0,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
        R"("Columns":[{"ColumnName":"b","ColumnType":"bool"},{"ColumnName":"i","ColumnType":"int"},)"
        R"({"ColumnName":"l","ColumnType":"long"},{"ColumnName":"r","ColumnType":"real"},)"
        R"({"ColumnName":"m","ColumnType":"decimal"},{"ColumnName":"s","ColumnType":"string"},)"
        R"({"ColumnName":"t","ColumnType":"datetime"},{"ColumnName":"span","ColumnType":"timespan"},)"
        R"({"ColumnName":"g","ColumnType":"guid"},{"ColumnName":"d","ColumnType":"dynamic"}],)"
        R"("Rows":[[true,-7,1099511627776,0.5,"12.25","a\"b\n","2024-05-01T12:34:56.1234567Z",)"
        R"("00:01:30.5000000","0f8fad5b-d9cb-469f-a165-70867728950e",{"a":[1,"x",null]}]]},)"
        R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])");
}

TEST(KustoJsonTest, NullsAndNonFiniteNumbers) {
    core::Batch b = core::Batch::Empty(OneOfEachType().schema);
    for (auto& column : b.columns) column.AppendNull();
    std::string row;
    for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c > 0) row += ',';
        AppendKustoCell(row, b.columns[c], 0);
    }
    // A null string is "" (KQL strings are never null); every other type writes null.
    EXPECT_EQ(row, R"(null,null,null,null,null,"",null,null,null,null)");

    core::Column reals(Type::kReal);
    reals.AppendDouble(std::numeric_limits<double>::quiet_NaN());
    reals.AppendDouble(std::numeric_limits<double>::infinity());
    reals.AppendDouble(-std::numeric_limits<double>::infinity());
    std::string out;
    for (size_t i = 0; i < 3; ++i) AppendKustoCell(out, reals, i);
    EXPECT_EQ(out, R"("NaN""Infinity""-Infinity")");
}

TEST(KustoJsonTest, EmptyTablesAndSeveralTables) {
    core::Batch empty = core::Batch::Empty(core::Schema{{{"x", Type::kLong}}});
    core::Batch one = core::Batch::Empty(core::Schema{{{"s", Type::kString}}});
    one.columns[0].AppendString("v");
    std::vector<KustoTable> tables{{"PrimaryResult", "PrimaryResult", empty, {}},
                                   {"PrimaryResult", "Table_1", one, {}}};
    const std::string v2 = WriteKustoV2(tables, KustoErrorPlacement::kInData, {});
    EXPECT_NE(v2.find(R"("ErrorReportingPlacement":"InData")"), std::string::npos) << v2;
    EXPECT_NE(v2.find(R"("TableId":0,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
                      R"("Columns":[{"ColumnName":"x","ColumnType":"long"}],"Rows":[]})"),
              std::string::npos)
        << v2;
    EXPECT_NE(v2.find(R"("TableId":1,"TableKind":"PrimaryResult","TableName":"Table_1",)"
                      R"("Columns":[{"ColumnName":"s","ColumnType":"string"}],"Rows":[["v"]]})"),
              std::string::npos)
        << v2;
    EXPECT_TRUE(core::Dynamic::Parse(v2).ok());

    EXPECT_EQ(
        WriteKustoV1(tables),
        R"({"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"x","DataType":"Int64",)"
        R"("ColumnType":"long"}],"Rows":[]},{"TableName":"Table_1","Columns":[{"ColumnName":"s",)"
        R"("DataType":"String","ColumnType":"string"}],"Rows":[["v"]]}]})");
    EXPECT_EQ(WriteKustoV1({}), R"({"Tables":[]})");
}

KustoError SampleError() {
    KustoError e;
    e.code = "LimitsExceeded";
    e.message = "Request is invalid and cannot be executed.";
    e.type = "Kusto.Data.Exceptions.X";
    e.detail = "too many \"rows\"";
    e.permanent = false;
    e.client_request_id = "KPC.execute;1";
    e.activity_id = "a";
    e.timestamp_ticks = 0;
    return e;
}

TEST(KustoJsonTest, ErrorObjectAndBody) {
    EXPECT_EQ(KustoErrorBody(SampleError()),
              R"({"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be )"
              R"(executed.","@type":"Kusto.Data.Exceptions.X","@message":"too many \"rows\"",)"
              R"("@context":{"timestamp":"1970-01-01T00:00:00.0000000Z","serviceAlias":"CALYPSO",)"
              R"("clientRequestId":"KPC.execute;1","activityId":"a"},"@permanent":false}})");
    KustoError untyped = SampleError();
    untyped.type.clear();
    EXPECT_EQ(KustoErrorBody(untyped).find("@type"), std::string::npos);
}

TEST(KustoJsonTest, PartialFailuresInRowsAndCompletion) {
    core::Batch b = core::Batch::Empty(core::Schema{{{"x", Type::kLong}}});
    b.columns[0].AppendInt64(1);
    std::vector<KustoTable> tables{{"PrimaryResult", "PrimaryResult", b, {SampleError()}}};
    const std::string error = KustoErrorBody(SampleError()).substr(9);  // {"code":...}
    const std::string body = error.substr(0, error.size() - 1);
    std::string v2 = WriteKustoV2(tables, KustoErrorPlacement::kEndOfTable, {SampleError()});
    EXPECT_NE(v2.find(R"("Rows":[[1],{"OneApiErrors":[{"error":)" + body + "}]}]}"),
              std::string::npos)
        << v2;
    EXPECT_NE(v2.find(R"({"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,)"
                      R"("OneApiErrors":[{"error":)" +
                      body + "}]}]"),
              std::string::npos)
        << v2;
    EXPECT_TRUE(core::Dynamic::Parse(v2).ok());
    // End of data set: the error only in DataSetCompletion.
    v2 = WriteKustoV2(tables, KustoErrorPlacement::kEndOfDataSet, {SampleError()});
    EXPECT_NE(v2.find(R"("Rows":[[1]]})"), std::string::npos) << v2;
    EXPECT_NE(v2.find(R"("HasErrors":true)"), std::string::npos) << v2;
    // v1 keeps the error row.
    EXPECT_NE(WriteKustoV1(tables).find(R"("Rows":[[1],{"OneApiErrors":[)"), std::string::npos);
}

TEST(KustoJsonTest, AppendRowBuildsSmallTables) {
    core::Batch b = core::Batch::Empty(core::Schema{{{"n", Type::kLong}, {"s", Type::kString}}});
    AppendKustoRow(b, {core::Value::Long(3), core::Value::String("x")});
    AppendKustoRow(b, {core::Value::Null(Type::kLong), core::Value::String("")});
    EXPECT_EQ(
        WriteKustoV1({{"PrimaryResult", "T", b, {}}}),
        R"({"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"n","DataType":"Int64",)"
        R"("ColumnType":"long"},{"ColumnName":"s","DataType":"String","ColumnType":"string"}],)"
        R"("Rows":[[3,"x"],[null,""]]}]})");
}

}  // namespace
}  // namespace calypso::server
