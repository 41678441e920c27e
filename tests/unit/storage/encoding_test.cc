#include "storage/encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace calypso::storage {
namespace {

using core::Column;
using core::Type;

Encoding EncodingOf(const Column& c) {
    std::string raw;
    BlockSummary s;
    EncodeBlock(c, 0, c.size(), raw, s);
    return s.encoding;
}

std::string Text(const Column& c, size_t i) {
    switch (core::PhysicalOf(c.type())) {
        case core::Physical::kInt64:
            return std::to_string(c.int64_at(i));
        case core::Physical::kDouble:
            return std::to_string(c.double_at(i)) + (std::signbit(c.double_at(i)) ? "-" : "+");
        case core::Physical::kString:
            return std::string(c.string_at(i));
        case core::Physical::kDynamic:
            return c.dynamic_at(i).ToJson();
        case core::Physical::kNone:
            break;
    }
    return "";
}

// Encodes rows [begin, end), decodes, and checks every row (nulls included).
void ExpectRoundTrip(const Column& c, size_t begin, size_t end) {
    std::string raw;
    BlockSummary s;
    EncodeBlock(c, begin, end, raw, s);
    auto back = DecodeBlock(c.type(), raw, end - begin);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->size(), end - begin);
    for (size_t i = begin; i < end; ++i) {
        ASSERT_EQ(back->IsNull(i - begin), c.IsNull(i)) << "row " << i;
        if (c.IsNull(i)) continue;
        ASSERT_EQ(Text(*back, i - begin), Text(c, i)) << "row " << i;
    }
}

TEST(EncodingTest, IntegersPickDeltaOrFrameOfReferenceAndKeepMinMax) {
    Column ts(Type::kDatetime), level(Type::kInt);
    int64_t t = 17'000'000'000'000'000;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 5000; ++i) {
        t += static_cast<int64_t>(rng() % 10'000'000);
        ts.AppendInt64(t);
        level.AppendInt64(static_cast<int64_t>(rng() % 4));
    }
    EXPECT_EQ(EncodingOf(ts), Encoding::kDelta);
    EXPECT_EQ(EncodingOf(level), Encoding::kFrameOfRef);
    ExpectRoundTrip(ts, 0, ts.size());
    ExpectRoundTrip(level, 100, 4000);
    std::string raw;
    BlockSummary s;
    EncodeBlock(level, 0, level.size(), raw, s);
    EXPECT_TRUE(s.has_range);
    EXPECT_EQ(s.min, 0);
    EXPECT_EQ(s.max, 3);
    EXPECT_LT(raw.size(), 5000u / 4 + 64);  // 2 bits a row
    // Small values without nulls decode to the one-byte form; with a null, to the wide one.
    auto back = DecodeBlock(Type::kInt, raw, level.size());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->narrow_values().size(), level.size());
    level.AppendNull();
    raw.clear();
    EncodeBlock(level, 0, level.size(), raw, s);
    back = DecodeBlock(Type::kInt, raw, level.size());
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->narrow_values().empty());
    EXPECT_TRUE(back->IsNull(level.size() - 1));
    ExpectRoundTrip(level, 0, level.size());
}

TEST(EncodingTest, ExtremeIntegersAndNullsRoundTrip) {
    Column c(Type::kLong);
    c.AppendInt64(std::numeric_limits<int64_t>::min());
    c.AppendNull();
    c.AppendInt64(std::numeric_limits<int64_t>::max());
    c.AppendInt64(0);
    c.AppendNull();
    EXPECT_EQ(EncodingOf(c), Encoding::kPlainInt);
    ExpectRoundTrip(c, 0, c.size());
    Column nulls = Column::Nulls(Type::kLong, 10);
    ExpectRoundTrip(nulls, 0, 10);
    std::string raw;
    BlockSummary s;
    EncodeBlock(nulls, 0, 10, raw, s);
    EXPECT_FALSE(s.has_range);  // every row null: no range, so range predicates skip it
    Column same(Type::kLong);
    for (int i = 0; i < 100; ++i) same.AppendInt64(42);
    ExpectRoundTrip(same, 0, 100);
}

TEST(EncodingTest, StringsPickDictionaryForFewValuesAndPlainOtherwise) {
    Column step(Type::kString), message(Type::kString);
    const char* steps[] = {"prep", "train", "evaluate", ""};
    for (int i = 0; i < 3000; ++i) {
        step.AppendString(steps[i % 4]);
        message.AppendString("epoch " + std::to_string(i) + " loss 0." + std::to_string(i * 7));
        if (i % 17 == 0) {
            step.AppendNull();
            message.AppendNull();
        }
    }
    EXPECT_EQ(EncodingOf(step), Encoding::kDictionary);
    EXPECT_EQ(EncodingOf(message), Encoding::kPlainString);
    ExpectRoundTrip(step, 0, step.size());
    ExpectRoundTrip(message, 7, message.size() - 3);
}

TEST(EncodingTest, RealsDynamicsAndNullTypedColumnsRoundTrip) {
    Column r(Type::kReal), d(Type::kDynamic);
    r.AppendDouble(1.5);
    r.AppendNull();
    r.AppendDouble(-0.0);
    auto obj = core::Dynamic::Parse(
        R"({"a":[1,2.5,"x",null,true,{"b":false}],"c":"é","n":-9223372036854775808})");
    ASSERT_TRUE(obj.ok());
    d.AppendDynamic(*obj);
    d.AppendNull();
    d.AppendDynamic(core::Dynamic::String("plain"));
    ExpectRoundTrip(r, 0, 3);
    ExpectRoundTrip(d, 0, 3);
    ExpectRoundTrip(Column::Nulls(Type::kNull, 4), 0, 4);
}

TEST(EncodingTest, EveryTruncationOrFlipIsAnErrorNeverACrash) {
    Column step(Type::kString), ts(Type::kDatetime), d(Type::kDynamic);
    for (int i = 0; i < 200; ++i) {
        step.AppendString(i % 3 == 0 ? "a" : "bb");
        ts.AppendInt64(i * 1000 + i % 7);
        d.AppendDynamic(core::Dynamic::MakeObject({{"k", core::Dynamic::Long(i)}}));
    }
    for (const Column* c : {&step, &ts, &d}) {
        std::string raw;
        BlockSummary s;
        EncodeBlock(*c, 0, c->size(), raw, s);
        for (size_t cut = 0; cut < raw.size(); ++cut) {
            auto back = DecodeBlock(c->type(), std::string_view(raw).substr(0, cut), c->size());
            EXPECT_FALSE(back.ok()) << "cut at " << cut;
        }
        for (size_t i = 0; i < raw.size(); i += 3) {  // must not crash; may decode
            std::string flipped = raw;
            flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
            (void)DecodeBlock(c->type(), flipped, c->size());
        }
        EXPECT_FALSE(DecodeBlock(Type::kReal, raw, c->size()).ok());  // wrong type
    }
}

}  // namespace
}  // namespace calypso::storage
