#include "app/serve.h"

#include <gtest/gtest.h>

#include "app/result_printer.h"

namespace calypso::app {
namespace {

TEST(ServeTest, ParsesListenAddresses) {
    auto hp = ParseHostPort("127.0.0.1:8080");
    ASSERT_TRUE(hp.ok());
    EXPECT_EQ(hp->host, "127.0.0.1");
    EXPECT_EQ(hp->port, 8080);
    EXPECT_EQ(ParseHostPort("[::1]:9000")->host, "::1");
    EXPECT_FALSE(ParseHostPort("8080").ok());
    EXPECT_FALSE(ParseHostPort("host:99999").ok());
    EXPECT_FALSE(ParseHostPort("host:").ok());
}

TEST(ServeTest, OnlyLoopbackCountsAsLoopback) {
    EXPECT_TRUE(IsLoopback("127.0.0.1"));
    EXPECT_TRUE(IsLoopback("127.1.2.3"));
    EXPECT_TRUE(IsLoopback("localhost"));
    EXPECT_TRUE(IsLoopback("::1"));
    EXPECT_FALSE(IsLoopback("0.0.0.0"));
    EXPECT_FALSE(IsLoopback("10.0.0.1"));
    EXPECT_FALSE(IsLoopback("::"));
}

TEST(ServeTest, NonLoopbackListenIsRefusedBeforeAnythingStarts) {
    ServeOptions o;
    o.listen = "0.0.0.0:0";
    o.data_dir = "/nonexistent/never-created";
    EXPECT_EQ(RunServe(o), 1);
}

TEST(ResultPrinterTest, AlignsColumnsAndQuotesCsv) {
    auto answer = core::Dynamic::Parse(
        R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"step","type":"string"},{"name":"n","type":"long"}],
            "rows":[["train_model",12],["a,b",null]]}]})");
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(FormatAsTable(*answer),
              "step        | n\n"
              "------------+---\n"
              "train_model | 12\n"
              "a,b         | \n"
              "(2 rows)\n");
    EXPECT_EQ(FormatAsCsv(*answer), "step,n\r\ntrain_model,12\r\n\"a,b\",\r\n");
}

TEST(ResultPrinterTest, PlanLinesAndStatistics) {
    auto plan = core::Dynamic::Parse(
        R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"Plan","type":"string"}],)"
        R"("rows":[["Count"],["  Scan traces columns=[timestamp]"]]}]})");
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(FormatAsLines(*plan), "Count\n  Scan traces columns=[timestamp]\n");
    EXPECT_EQ(FormatStatistics(*plan), "");
    auto answer = core::Dynamic::Parse(
        R"({"tables":[],"statistics":{"query":{"executionTime":0.5,"scan":{"segments":4,)"
        R"("segmentsSkipped":1,"blocks":10,"blocksSkipped":7,"bytesRead":300,)"
        R"("bytesCached":20,"rows":768}}}})");
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(FormatStatistics(*answer),
              "execution time: 0.5 s\n"
              "segments: 4 (1 skipped)\n"
              "blocks: 10 (7 skipped)\n"
              "rows scanned: 768\n"
              "bytes read: 300\n"
              "bytes cached: 20\n");
}

}  // namespace
}  // namespace calypso::app
