#include "server/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/dynamic.h"
#include "core/time.h"

namespace calypso::server {
namespace {

std::string Quoted(std::string_view s) {
    std::string out;
    AppendQuoted(out, s);
    return out;
}

std::string Reference(std::string_view s) {
    std::string out;
    core::AppendJsonString(out, s);
    return out;
}

TEST(JsonTextTest, QuotesAsTheDynamicWriterDoes) {
    EXPECT_EQ(Quoted(""), "\"\"");
    EXPECT_EQ(Quoted("plain text"), "\"plain text\"");
    EXPECT_EQ(Quoted("a\"b\\c\nd\re\tf\bg\fh"), R"("a\"b\\c\nd\re\tf\bg\fh")");
    EXPECT_EQ(Quoted(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
    EXPECT_EQ(Quoted("é ü 中"), "\"é ü 中\"");
    // Every byte value, alone and in runs, against the reference writer.
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    EXPECT_EQ(Quoted(all), Reference(all));
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 40, '\0');
        for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 26);
        ASSERT_EQ(Quoted(s), Reference(s));
    }
}

TEST(JsonTextTest, IntegersAsToString) {
    for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{42}, INT64_MAX, INT64_MIN}) {
        std::string out;
        AppendInteger(out, v);
        EXPECT_EQ(out, std::to_string(v));
    }
}

TEST(JsonTextTest, DatetimesAsFormatDatetime) {
    auto check = [](int64_t ticks) {
        std::string out;
        AppendQuotedDatetime(out, ticks);
        ASSERT_EQ(out, "\"" + core::FormatDatetime(ticks) + "\"") << ticks;
        std::string full;
        AppendQuotedDatetime(full, ticks, true);
        std::string want = core::FormatDatetime(ticks);
        want.pop_back();
        const size_t dot = want.find('.', want.find('T'));
        const size_t digits = dot == std::string::npos ? 0 : want.size() - dot - 1;
        if (dot == std::string::npos) want += '.';
        want.append(7 - digits, '0');
        ASSERT_EQ(full, "\"" + want + "Z\"") << ticks;
    };
    EXPECT_EQ(core::FormatDatetime(0), "1970-01-01T00:00:00Z");
    check(0);
    check(1);
    check(-1);
    check(*core::ParseDatetime("2024-02-29T23:59:59.1234567Z"));
    check(*core::ParseDatetime("2026-10-01T12:00:00.5Z"));
    check(*core::ParseDatetime("0001-01-01T00:00:00Z"));
    check(*core::ParseDatetime("9999-12-31T23:59:59.9999999Z"));
    check(*core::ParseDatetime("9999-12-31T23:59:59.9999999Z") + 1);  // year 10000
    check(INT64_MAX);
    check(INT64_MIN);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 5000; ++i) {
        check(static_cast<int64_t>(rng() % (uint64_t{1} << 62)) - (int64_t{1} << 61));
        check(static_cast<int64_t>(rng() % 100000) * core::kTicksPerMillisecond * 1000 +
              static_cast<int64_t>(rng() % 3) * core::kTicksPerMillisecond);
    }
}

}  // namespace
}  // namespace calypso::server
