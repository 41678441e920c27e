#include "ingest/dedup.h"

#include <gtest/gtest.h>

#include "core/row_sink.h"

namespace calypso::ingest {
namespace {

constexpr int64_t kSecond = 10'000'000;

TEST(RecentIdsTest, RemembersClaimedKeysUntilForgotten) {
    RecentIds recent;
    EXPECT_EQ(recent.Claim({1, 2, 2}, 0), (std::vector<bool>{true, true, false}));
    EXPECT_EQ(recent.Claim({2, 3}, kSecond), (std::vector<bool>{false, true}));
    recent.Forget({3});
    EXPECT_EQ(recent.Claim({3}, kSecond), (std::vector<bool>{true}));
}

TEST(RecentIdsTest, IsBoundedByCountAndAge) {
    RecentIds recent(/*capacity=*/3, /*max_age_ticks=*/10 * kSecond);
    EXPECT_EQ(recent.Claim({1, 2, 3, 4}, 0), (std::vector<bool>(4, true)));
    EXPECT_EQ(recent.size(), 3u);                                           // 1 went first
    EXPECT_EQ(recent.Claim({1}, kSecond), (std::vector<bool>{true}));       // forgotten
    EXPECT_EQ(recent.Claim({4}, 20 * kSecond), (std::vector<bool>{true}));  // too old
    EXPECT_EQ(recent.size(), 1u);
}

core::TableBatch Requests(const std::vector<std::string>& ids, const std::string& ikey) {
    core::Schema schema{{{"id", core::Type::kString},
                         {"iKey", core::Type::kString},
                         {"operation_Id", core::Type::kString},
                         {"name", core::Type::kString}}};
    core::Batch b = core::Batch::Empty(schema);
    for (const auto& id : ids) {
        b.columns[0].AppendString(id);
        b.columns[1].AppendString(ikey);
        b.columns[2].AppendString("op");
        b.columns[3].AppendString("GET /" + id);
    }
    return {"requests", std::move(b), 0};
}

TEST(DropRecentDuplicatesTest, DropsResentItemsWithIdsOnly) {
    RecentIds recent;
    std::vector<core::TableBatch> first{Requests({"a", "b", ""}, "k1")};
    size_t dropped = 0;
    auto claimed = DropRecentDuplicates(recent, first, 0, &dropped);
    EXPECT_EQ(claimed.size(), 2u);
    EXPECT_EQ(dropped, 0u);
    EXPECT_EQ(first.at(0).batch.num_rows(), 3u);

    // The retry of the same batch, plus a new item and the same id in another workspace.
    std::vector<core::TableBatch> retry{Requests({"a", "b", "", "c"}, "k1"), Requests({"a"}, "k2")};
    retry.push_back({"traces", core::Batch::Empty(core::Schema{{{"id", core::Type::kString}}}), 0});
    retry.back().batch.columns[0].AppendString("a");  // traces are never deduplicated
    claimed = DropRecentDuplicates(recent, retry, 1, &dropped);
    EXPECT_EQ(dropped, 2u);
    EXPECT_EQ(claimed.size(), 2u);
    ASSERT_EQ(retry.size(), 3u);
    ASSERT_EQ(retry[0].batch.num_rows(), 2u);
    EXPECT_EQ(retry[0].batch.columns[0].string_at(0), "");
    EXPECT_EQ(retry[0].batch.columns[0].string_at(1), "c");
    EXPECT_EQ(retry[0].batch.columns[3].string_at(1), "GET /c");
    EXPECT_EQ(retry[1].batch.num_rows(), 1u);
    EXPECT_EQ(retry[2].batch.num_rows(), 1u);

    // A batch made only of duplicates leaves nothing to append.
    std::vector<core::TableBatch> again{Requests({"a", "b"}, "k1")};
    DropRecentDuplicates(recent, again, 2, &dropped);
    EXPECT_TRUE(again.empty());
}

}  // namespace
}  // namespace calypso::ingest
