#include "storage/column_cache.h"

#include <gtest/gtest.h>

namespace calypso::storage {
namespace {

core::Column Longs(int64_t v) {
    core::Column c(core::Type::kLong);
    c.AppendInt64(v);
    return c;
}

TEST(ColumnCacheTest, EvictsLeastRecentlyUsedPastTheBudget) {
    ColumnCache cache(400);
    cache.Put(1, "a", Longs(1), 100);
    cache.Put(2, "a", Longs(2), 100);
    cache.Put(3, "a", Longs(3), 100);
    ASSERT_TRUE(cache.Get(1, "a").has_value());  // 1 is now the most recent
    cache.Put(4, "a", Longs(4), 100);
    cache.Put(5, "a", Longs(5), 100);  // over budget: evicts 2, the least recent
    EXPECT_FALSE(cache.Get(2, "a").has_value());
    EXPECT_EQ(cache.Get(1, "a")->int64_at(0), 1);
    EXPECT_EQ(cache.Get(5, "a")->int64_at(0), 5);
    EXPECT_LE(cache.bytes(), 400u);
    EXPECT_FALSE(cache.Get(1, "b").has_value());
}

TEST(ColumnCacheTest, RefusesAColumnLargerThanAQuarterOfTheBudget) {
    ColumnCache cache(400);
    cache.Put(1, "a", Longs(1), 101);
    EXPECT_FALSE(cache.Get(1, "a").has_value());
}

}  // namespace
}  // namespace calypso::storage
