#include "ingest/otlp_wire.h"

#include <gtest/gtest.h>

#include "otlp_test_util.h"

namespace calypso::ingest::internal {
namespace {

using testing::Bytes;

TEST(OtlpWireTest, ReadsEveryWireTypeAndOffsets) {
    std::string data;
    PutVarintField(data, 1, 300);
    PutFixed64Field(data, 2, 0x0102030405060708ULL);
    PutBytesField(data, 3, "hey");
    data += Bytes({(4 << 3) | 5, 1, 0, 0, 0});  // fixed32 = 1
    WireReader r(data, 10);
    WireField f;
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(f.number, 1u);
    EXPECT_EQ(f.type, WireType::kVarint);
    EXPECT_EQ(f.scalar, 300u);
    EXPECT_EQ(f.offset, 10u);
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(f.type, WireType::kFixed64);
    EXPECT_EQ(f.scalar, 0x0102030405060708ULL);
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(f.type, WireType::kLengthDelimited);
    EXPECT_EQ(f.bytes, "hey");
    EXPECT_EQ(f.payload_offset, 10u + 3 + 9 + 2);
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(f.type, WireType::kFixed32);
    EXPECT_EQ(f.scalar, 1u);
    EXPECT_FALSE(r.Next(f));
    EXPECT_FALSE(r.failed());
}

TEST(OtlpWireTest, LargestVarintAndOverflow) {
    std::string max;
    PutVarintField(max, 1, UINT64_MAX);
    WireReader ok(max, 0);
    WireField f;
    ASSERT_TRUE(ok.Next(f));
    EXPECT_EQ(f.scalar, UINT64_MAX);

    std::string overflow =
        Bytes({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
    WireReader bad(overflow, 0);
    EXPECT_FALSE(bad.Next(f));
    EXPECT_NE(bad.error().find("overflows 64 bits"), std::string::npos) << bad.error();
}

TEST(OtlpWireTest, TruncationsSayWhatAndWhere) {
    WireField f;
    const std::string varint_bytes = Bytes({0x08, 0x80});
    const std::string fixed_bytes = Bytes({0x09, 1, 2, 3});
    const std::string len_bytes = Bytes({0x0A, 0x05, 'a', 'b'});
    WireReader varint(varint_bytes, 0);
    EXPECT_FALSE(varint.Next(f));
    EXPECT_EQ(varint.error(), "truncated varint at byte 2");

    WireReader fixed(fixed_bytes, 100);
    EXPECT_FALSE(fixed.Next(f));
    EXPECT_EQ(fixed.error(), "truncated 64-bit value of field 1 at byte 100: 3 bytes left");

    WireReader len(len_bytes, 0);
    EXPECT_FALSE(len.Next(f));
    EXPECT_EQ(len.error(),
              "truncated message: length 5 of field 1 at byte 0 runs past the end of its "
              "enclosing message (2 bytes left)");
    EXPECT_FALSE(len.Next(f));  // stays failed
}

TEST(OtlpWireTest, GroupsAndFieldZeroAreRejected) {
    WireField f;
    const std::string group_bytes = Bytes({0x0B}), zero_bytes = Bytes({0x00, 0x01}),
                      seven_bytes = Bytes({0x0F});
    WireReader group(group_bytes, 0);
    EXPECT_FALSE(group.Next(f));
    EXPECT_NE(group.error().find("unsupported wire type 3"), std::string::npos);
    WireReader zero(zero_bytes, 0);
    EXPECT_FALSE(zero.Next(f));
    EXPECT_EQ(zero.error(), "invalid field number 0 at byte 0");
    WireReader seven(seven_bytes, 0);
    EXPECT_FALSE(seven.Next(f));
    EXPECT_NE(seven.error().find("invalid wire type 7"), std::string::npos);
}

TEST(OtlpWireTest, WrongWireTypeMessage) {
    std::string data;
    PutVarintField(data, 9, 1);
    WireReader r(data, 40);
    WireField f;
    ASSERT_TRUE(r.Next(f));
    EXPECT_EQ(WrongWireType(f, WireType::kLengthDelimited, "trace_id"),
              "field 9 (trace_id) has wire type 0 (varint), expected 2 (length-delimited), at "
              "byte 40");
    EXPECT_EQ(WrongWireType(f, WireType::kVarint, "x"), "");
}

}  // namespace
}  // namespace calypso::ingest::internal
