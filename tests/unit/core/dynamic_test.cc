#include "core/dynamic.h"

#include <gtest/gtest.h>

namespace calypso::core {
namespace {

TEST(DynamicTest, ParsesAndSerializesKeepingKeyOrder) {
    auto d = Dynamic::Parse(R"({"b":1,"a":[true,null,2.5,"x\n"],"c":{"d":"e"}})");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->ToJson(), R"({"b":1,"a":[true,null,2.5,"x\n"],"c":{"d":"e"}})");
    ASSERT_NE(d->Find("c"), nullptr);
    EXPECT_EQ(d->Find("c")->Find("d")->as_string(), "e");
    EXPECT_EQ(d->Find("a")->At(-1)->as_string(), "x\n");
    EXPECT_EQ(d->Find("missing"), nullptr);
}

TEST(DynamicTest, RejectsInvalidJson) {
    auto d = Dynamic::Parse("{\"a\":");
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
}

TEST(DynamicTest, ToTextOfStringIsUnquoted) {
    EXPECT_EQ(Dynamic::String("abc").ToText(), "abc");
    EXPECT_EQ(Dynamic::Long(3).ToText(), "3");
}

}  // namespace
}  // namespace calypso::core

#include "core/column.h"

namespace calypso::core {
namespace {

TEST(ColumnTest, CopiesShareDataAndAppendsCopyOnWrite) {
    Column a(Type::kString);
    a.AppendString("x");
    Column b = a;
    EXPECT_EQ(b.string_at(0).data(), a.string_at(0).data());  // shared, not copied
    b.AppendString("y");
    EXPECT_EQ(a.size(), 1u);
    EXPECT_EQ(b.size(), 2u);
    EXPECT_EQ(a.string_at(0), "x");
    EXPECT_EQ(b.string_at(1), "y");
    a.AppendNull();
    EXPECT_TRUE(a.IsNull(1));
    EXPECT_EQ(b.string_at(1), "y");
}

TEST(ColumnTest, PackedAndDictionaryStringsReadLikePlainOnesAndBecomePlainOnAppend) {
    Column packed = Column::FromPackedStrings(Type::kString, "abcdef", {0, 1, 1, 6}, {1, 0, 1});
    EXPECT_EQ(packed.string_at(0), "a");
    EXPECT_EQ(packed.string_at(1), "");
    EXPECT_TRUE(packed.IsNull(1));
    EXPECT_EQ(packed.string_at(2), "bcdef");
    EXPECT_EQ(packed.Get(2).as_string(), "bcdef");
    Column copy = packed;
    copy.AppendString("g");
    EXPECT_EQ(copy.size(), 4u);
    EXPECT_EQ(copy.string_at(2), "bcdef");
    EXPECT_EQ(copy.string_at(3), "g");
    EXPECT_EQ(packed.size(), 3u);  // the shared original is untouched

    auto dict = std::make_shared<const std::vector<std::string>>(
        std::vector<std::string>{"train", "eval"});
    Column coded = Column::FromDictionary(Type::kString, dict, {1, 0, 1}, {1, 1, 1});
    ASSERT_TRUE(coded.is_dictionary());
    EXPECT_EQ(coded.codes()[2], 1u);
    EXPECT_EQ(coded.string_at(0), "eval");
    Column all(Type::kString);
    all.AppendString("x");
    all.AppendAll(coded);
    all.AppendAll(packed);
    EXPECT_EQ(all.size(), 7u);
    EXPECT_EQ(all.string_at(2), "train");
    EXPECT_EQ(all.string_at(6), "bcdef");
    coded.AppendNull();
    EXPECT_FALSE(coded.is_dictionary());
    EXPECT_EQ(coded.string_at(1), "train");
}

TEST(ColumnTest, GatherFromOneDictionaryKeepsCodes) {
    auto dict = std::make_shared<const std::vector<std::string>>(
        std::vector<std::string>{"", "train", "eval"});
    Column a = Column::FromDictionary(Type::kString, dict, {1, 2, 0, 1}, {1, 1, 0, 1});
    Column b = Column::FromDictionary(Type::kString, dict, {2}, {1});
    std::vector<Column::RowRef> rows{{1, 0}, {0, 2}, {0, 0}};
    const Column* same[] = {&a, &b};
    Column g = Column::GatherFrom(Type::kString, same, rows);
    ASSERT_TRUE(g.is_dictionary());
    EXPECT_EQ(&g.dictionary(), dict.get());  // shared, not copied
    EXPECT_EQ(g.string_at(0), "eval");
    EXPECT_TRUE(g.IsNull(1));
    EXPECT_EQ(g.string_at(2), "train");
    // Sources with different dictionaries (or none) come out packed.
    auto other = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"x"});
    Column c = Column::FromDictionary(Type::kString, other, {0}, {1});
    const Column* mixed[] = {&a, &c};
    Column m = Column::GatherFrom(Type::kString, mixed, rows);
    EXPECT_FALSE(m.is_dictionary());
    EXPECT_EQ(m.string_at(0), "x");
    EXPECT_EQ(m.string_at(2), "train");
}

TEST(ColumnTest, GatherFromSeveralSourcesAndPackStrings) {
    Column a(Type::kString), b(Type::kString), n1(Type::kLong), n2(Type::kLong);
    a.AppendString("first");
    a.AppendNull();
    b.AppendString("second, longer than sixteen bytes");
    n1.AppendInt64(1);
    n1.AppendNull();
    n2.AppendInt64(2);
    std::vector<Column::RowRef> rows{{1, 0}, {0, 1}, {0, 0}};
    const Column* strings[] = {&a, &b};
    Column s = Column::GatherFrom(Type::kString, strings, rows);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s.string_at(0), "second, longer than sixteen bytes");
    EXPECT_TRUE(s.IsNull(1));
    EXPECT_EQ(s.string_at(2), "first");
    const Column* longs[] = {&n1, &n2};
    Column n = Column::GatherFrom(Type::kLong, longs, rows);
    EXPECT_EQ(n.int64_at(0), 2);
    EXPECT_TRUE(n.IsNull(1));
    EXPECT_EQ(n.int64_at(2), 1);

    Column big(Type::kString);
    for (int i = 0; i < 1000; ++i) {
        if (i % 10 == 0) {
            big.AppendString("value number " + std::to_string(i) + " of the column");
        } else {
            big.AppendNull();
        }
    }
    const size_t plain = big.StringBytes();
    big.PackStrings();
    EXPECT_LT(big.StringBytes() * 4, plain);
    EXPECT_EQ(big.string_at(990), "value number 990 of the column");
    EXPECT_TRUE(big.IsNull(991));
}

}  // namespace
}  // namespace calypso::core

namespace calypso::core {
namespace {

TEST(DynamicTest, MemoryBytesGrowsWithContent) {
    auto small = *Dynamic::Parse(R"({"a":"b"})");
    auto big = *Dynamic::Parse(
        R"({"parent_run_id":"run-0123456789abcdef","step_name":"train_model_step"})");
    EXPECT_GT(small.MemoryBytes(), 32u);
    EXPECT_GT(big.MemoryBytes(), small.MemoryBytes() + 40);
    EXPECT_EQ(Dynamic::Long(1).MemoryBytes(), 0u);
}

}  // namespace
}  // namespace calypso::core
