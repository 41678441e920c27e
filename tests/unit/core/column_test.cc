#include "core/column.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace calypso::core {
namespace {

Column NarrowLevels() {
    std::vector<uint8_t> v;
    for (int i = 0; i < 1000; ++i) v.push_back(static_cast<uint8_t>(i % 5));
    return Column::FromNarrowInt64s(Type::kInt, 100, std::move(v));
}

TEST(ColumnTest, NarrowIntegersReadAsTheirValues) {
    Column c = NarrowLevels();
    ASSERT_EQ(c.size(), 1000u);
    EXPECT_EQ(c.narrow_values().size(), 1000u);
    EXPECT_EQ(c.int64_at(7), 102);
    EXPECT_FALSE(c.IsNull(7));
    EXPECT_EQ(c.Get(9).as_int64(), 104);
    const auto wide = c.int64s();  // made on first use
    ASSERT_EQ(wide.size(), 1000u);
    for (size_t i = 0; i < wide.size(); ++i) ASSERT_EQ(wide[i], 100 + static_cast<int64_t>(i % 5));
    EXPECT_EQ(c.int64_at(7), 102);  // either form after widening
}

TEST(ColumnTest, AppendingToANarrowColumnLeavesItsCopiesAlone) {
    Column c = NarrowLevels();
    Column copy = c;
    copy.AppendInt64(-5);
    copy.AppendNull();
    EXPECT_EQ(copy.size(), 1002u);
    EXPECT_TRUE(copy.narrow_values().empty());
    EXPECT_EQ(copy.int64_at(1000), -5);
    EXPECT_EQ(copy.int64_at(3), 103);
    EXPECT_TRUE(copy.IsNull(1001));
    EXPECT_EQ(c.size(), 1000u);
    EXPECT_EQ(c.narrow_values().size(), 1000u);
    Column all(Type::kInt);
    all.AppendInt64(1);
    all.AppendAll(c);
    EXPECT_EQ(all.size(), 1001u);
    EXPECT_EQ(all.int64_at(1000), 104);
}

TEST(ColumnTest, GatherReadsNarrowSources) {
    Column ints = NarrowLevels();
    const Column* src[] = {&ints};
    std::vector<Column::RowRef> rows = {{0, 4}, {0, 0}, {0, 998}};
    Column g = Column::GatherFrom(Type::kInt, src, rows);
    EXPECT_EQ(g.int64_at(0), 104);
    EXPECT_EQ(g.int64_at(1), 100);
    EXPECT_EQ(g.int64_at(2), 103);

    auto dict = std::make_shared<const std::vector<std::string>>(
        std::vector<std::string>{"eval", "train", "score"});
    Column s = Column::FromNarrowDictionary(Type::kString, dict, {2, 0, 1, 1}, {1, 1, 1, 0});
    EXPECT_TRUE(s.is_dictionary());
    EXPECT_EQ(s.string_at(0), "score");
    EXPECT_EQ(s.code_at(2), 1u);
    const Column* ssrc[] = {&s};
    std::vector<Column::RowRef> srows = {{0, 2}, {0, 0}};
    Column gs = Column::GatherFrom(Type::kString, ssrc, srows);
    EXPECT_TRUE(gs.is_dictionary());
    EXPECT_EQ(gs.string_at(0), "train");
    EXPECT_EQ(gs.string_at(1), "score");
    EXPECT_EQ(s.codes()[0], 2u);
    EXPECT_EQ(s.codes().size(), 4u);
    EXPECT_TRUE(s.IsNull(3));
    s.AppendString("x");  // plain strings from here on
    EXPECT_EQ(s.string_at(1), "eval");
    EXPECT_EQ(s.string_at(4), "x");
}

TEST(ColumnTest, ConcurrentReadersWidenOnce) {
    for (int round = 0; round < 20; ++round) {
        const Column c = NarrowLevels();
        std::vector<std::thread> threads;
        std::vector<int64_t> sums(4, 0);
        for (size_t t = 0; t < sums.size(); ++t) {
            threads.emplace_back([&c, &sums, t] {
                for (int64_t v : c.int64s()) sums[t] += v;
                for (size_t i = 0; i < c.size(); ++i) sums[t] += c.int64_at(i);
            });
        }
        for (auto& th : threads) th.join();
        for (int64_t s : sums) ASSERT_EQ(s, 2 * (1000 * 100 + 200 * (0 + 1 + 2 + 3 + 4)));
    }
}

}  // namespace
}  // namespace calypso::core
