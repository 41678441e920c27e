#include "core/time.h"

#include <gtest/gtest.h>

namespace calypso::core {
namespace {

TEST(TimeTest, ParsesAndFormatsDatetimes) {
    auto t = ParseDatetime("2024-01-31T12:34:56.1234567Z");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(FormatDatetime(*t), "2024-01-31T12:34:56.1234567Z");
    EXPECT_EQ(FormatDatetime(*ParseDatetime("1970-01-01")), "1970-01-01T00:00:00Z");
    EXPECT_EQ(*ParseDatetime("1970-01-01T00:00:01Z"), kTicksPerSecond);
    EXPECT_EQ(*ParseDatetime("1970-01-01T02:00:00+02:00"), 0);
    EXPECT_EQ(FormatDatetime(*ParseDatetime("2026-11-24T13:57:00.606290Z")),
              "2026-11-24T13:57:00.60629Z");
    EXPECT_FALSE(ParseDatetime("2024-13-01").ok());
    EXPECT_FALSE(ParseDatetime("yesterday").ok());
}

TEST(TimeTest, NegativeDatetimesRoundTrip) {
    EXPECT_EQ(FormatDatetime(*ParseDatetime("1969-12-31T23:59:59.5Z")), "1969-12-31T23:59:59.5Z");
}

TEST(TimeTest, ParsesIsoDurations) {
    EXPECT_EQ(*ParseIsoDuration("P7D"), 7 * kTicksPerDay);
    EXPECT_EQ(*ParseIsoDuration("PT1H30M"), kTicksPerHour + 30 * kTicksPerMinute);
    EXPECT_EQ(*ParseIsoDuration("P1DT2H"), kTicksPerDay + 2 * kTicksPerHour);
    EXPECT_EQ(*ParseIsoDuration("PT0.5S"), kTicksPerSecond / 2);
    EXPECT_FALSE(ParseIsoDuration("7D").ok());
    EXPECT_FALSE(ParseIsoDuration("P").ok());
}

TEST(TimeTest, DotNetTimespans) {
    EXPECT_EQ(*ParseDotNetTimespan("00:00:01.5"), kTicksPerSecond * 3 / 2);
    EXPECT_EQ(*ParseDotNetTimespan("1.02:03:04"),
              kTicksPerDay + 2 * kTicksPerHour + 3 * kTicksPerMinute + 4 * kTicksPerSecond);
    EXPECT_EQ(*ParseDotNetTimespan("00:00:00.1234567"), 1234567);
    EXPECT_EQ(FormatTimespan(kTicksPerDay + kTicksPerSecond + 5), "1.00:00:01.0000005");
    EXPECT_EQ(FormatTimespan(-kTicksPerHour), "-01:00:00");
    EXPECT_FALSE(ParseDotNetTimespan("abc").ok());
}

}  // namespace
}  // namespace calypso::core
