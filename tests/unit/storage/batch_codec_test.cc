#include "storage/batch_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "storage/coding.h"

namespace calypso::storage {
namespace {

using core::Column;
using core::Dynamic;
using core::Type;

Dynamic Json(std::string_view text) { return Dynamic::Parse(text).value(); }

TEST(BatchCodec, EveryTypeRoundTrips) {
    core::Batch b = core::Batch::Empty(core::Schema{{{"t", Type::kDatetime},
                                                     {"s", Type::kString},
                                                     {"r", Type::kReal},
                                                     {"d", Type::kDynamic}}});
    b.columns[0].AppendInt64(42);
    b.columns[0].AppendNull();
    b.columns[1].AppendString("héllo");
    b.columns[1].AppendString("");
    b.columns[2].AppendDouble(-0.5);
    b.columns[2].AppendNull();
    b.columns[3].AppendDynamic(Json(R"({"step_name":"train","n":[1,2.5,true,null,{"x":"y"}]})"));
    b.columns[3].AppendNull();
    std::string encoded;
    EncodeBatch(b, encoded);
    auto decoded = DecodeBatch(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_EQ(decoded->schema, b.schema);
    for (size_t c = 0; c < b.columns.size(); ++c) {
        for (size_t row = 0; row < 2; ++row) {
            EXPECT_EQ(decoded->columns[c].Get(row), b.columns[c].Get(row)) << c << "," << row;
        }
    }
    EXPECT_EQ(decoded->columns[3].dynamic_at(0).ToJson(),
              R"({"step_name":"train","n":[1,2.5,true,null,{"x":"y"}]})");
}

// Columns with one value in every row (a batch's iKey, appId, empty optional fields) are
// written once; they read back row for row, nulls included, and the record shrinks.
TEST(BatchCodec, ConstantColumnsAreWrittenOnce) {
    core::Batch b = core::Batch::Empty(core::Schema{{{"ikey", Type::kString},
                                                     {"empty", Type::kString},
                                                     {"n", Type::kLong},
                                                     {"r", Type::kReal},
                                                     {"none", Type::kLong},
                                                     {"varies", Type::kString}}});
    const std::string ikey = "6b1f4a57-3c1e-4d0e-9f5a-0b2c3d4e5f60";
    for (int i = 0; i < 100; ++i) {
        b.columns[0].AppendString(ikey);
        b.columns[1].AppendString("");
        b.columns[2].AppendInt64(7);
        b.columns[3].AppendDouble(-0.0);
        b.columns[4].AppendNull();
        b.columns[5].AppendString(i == 99 ? "last" : "same");
    }
    std::string encoded;
    EncodeBatch(b, encoded);
    // The varying column costs 100 validity bytes and 100 values; each other column one of each.
    EXPECT_LT(encoded.size(), 100 + 100 * 5 + 5 * (ikey.size() + 32));
    auto decoded = DecodeBatch(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    for (size_t c = 0; c < b.columns.size(); ++c) {
        ASSERT_EQ(decoded->columns[c].size(), 100u) << c;
        for (size_t row = 0; row < 100; ++row) {
            EXPECT_EQ(decoded->columns[c].Get(row), b.columns[c].Get(row)) << c << "," << row;
        }
    }
    EXPECT_TRUE(decoded->columns[4].IsNull(50));
    EXPECT_TRUE(std::signbit(decoded->columns[3].double_at(3)));
}

// WAL files written before dynamic values went binary hold them as JSON text; a store that
// upgrades replays them.
TEST(BatchCodec, ReadsDynamicColumnsWrittenAsJson) {
    std::string legacy;
    legacy.push_back(static_cast<char>(Type::kDynamic));
    PutVarint(legacy, 2);
    legacy.append("\x01\x00", 2);
    PutLengthPrefixed(legacy, R"({"run":"r1"})");
    PutLengthPrefixed(legacy, "");
    auto column = DecodeColumn(legacy);
    ASSERT_TRUE(column.ok()) << column.status().ToString();
    ASSERT_EQ(column->size(), 2u);
    EXPECT_EQ(column->dynamic_at(0).ToJson(), R"({"run":"r1"})");
    EXPECT_TRUE(column->IsNull(1));
}

TEST(BatchCodec, MalformedInputIsCorruptionNotACrash) {
    Column c(Type::kDynamic);
    c.AppendDynamic(Json(R"({"a":[1,2,3],"b":"text"})"));
    std::string encoded;
    EncodeColumn(c, encoded);
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
        EXPECT_FALSE(DecodeColumn(encoded.substr(0, cut)).ok()) << cut;
    }
    std::string flagged_long;
    flagged_long.push_back(static_cast<char>(static_cast<uint8_t>(Type::kLong) | 0x80));
    PutVarint(flagged_long, 0);
    auto bad = DecodeColumn(flagged_long);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), core::StatusCode::kCorruption);
}

}  // namespace
}  // namespace calypso::storage
