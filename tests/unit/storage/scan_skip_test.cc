// Scans skip blocks by time, block min/max and block filters, and still return every row
// that meets the predicates (they are hints: the consumer filters again).
#include <gtest/gtest.h>

#include "core/time.h"
#include "storage/store.h"
#include "test_util.h"

namespace calypso::storage {
namespace {

using testing::TempDir;

constexpr int64_t kBase = 1'790'812'800LL * core::kTicksPerSecond;  // 2026-10-01
constexpr size_t kRows = 10'000;

// One row per second; each run owns 500 consecutive rows; "needle" is in rows 4321, 9000.
core::Batch Rows() {
    core::Schema schema{{{"timestamp", core::Type::kDatetime},
                         {"message", core::Type::kString},
                         {"severityLevel", core::Type::kInt},
                         {"customDimensions", core::Type::kDynamic}}};
    core::Batch b = core::Batch::Empty(schema);
    for (size_t i = 0; i < kRows; ++i) {
        b.columns[0].AppendInt64(kBase + static_cast<int64_t>(i) * core::kTicksPerSecond);
        b.columns[1].AppendString(i == 4321 || i == 9000 ? "found the Needle here"
                                                         : "row " + std::to_string(i));
        b.columns[2].AppendInt64(i == 7777 ? 4 : static_cast<int64_t>(i % 3));
        b.columns[3].AppendDynamic(core::Dynamic::MakeObject(
            {{"parent_run_id", core::Dynamic::String("run-" + std::to_string(i / 500))},
             {"step", core::Dynamic::String(i % 2 ? "train" : "eval")}}));
    }
    return b;
}

class ScanSkipTest : public ::testing::Test {
  protected:
    void SetUp() override {
        StoreOptions o;
        o.dir = dir_.path();
        o.background_flush = false;
        o.block_rows = 1000;
        o.cache_bytes = 0;
        o.default_retention_days = 36500;
        auto store = Store::Open(o);
        ASSERT_TRUE(store.ok());
        store_ = std::move(store).value();
        std::vector<core::TableBatch> v;
        v.push_back({"traces", Rows()});
        ASSERT_TRUE(store_->Append(std::move(v)).ok());
        ASSERT_TRUE(store_->Flush().ok());
    }

    // Rows of column 0 of the scan's batches, and the stats.
    std::vector<int64_t> Scan(core::ScanRequest req, core::ScanStats& stats) {
        req.table = "traces";
        req.stats = &stats;
        std::vector<int64_t> out;
        auto s = store_->Scan(req, [&](const core::Batch& b) {
            for (size_t i = 0; i < b.num_rows(); ++i) {
                out.push_back((b.columns[0].int64_at(i) - kBase) / core::kTicksPerSecond);
            }
            return core::Status::Ok();
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
        return out;
    }
    static bool Contains(const std::vector<int64_t>& rows, int64_t row) {
        return std::find(rows.begin(), rows.end(), row) != rows.end();
    }

    TempDir dir_;
    std::unique_ptr<Store> store_;
};

TEST_F(ScanSkipTest, WithoutPredicatesEveryBlockIsRead) {
    core::ScanStats stats;
    auto rows = Scan({"", {"timestamp"}, {}}, stats);
    EXPECT_EQ(rows.size(), kRows);
    EXPECT_EQ(stats.blocks, 10u);
    EXPECT_EQ(stats.blocks_skipped, 0u);
    EXPECT_EQ(stats.rows, kRows);
    EXPECT_GT(stats.bytes_read, 0u);
}

TEST_F(ScanSkipTest, EqualityOnAShreddedKeyReadsOnlyItsBlocks) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp"}, {}};
    req.keys = {{"customDimensions", "parent_run_id"}};
    req.predicates = {{"customDimensions.parent_run_id",
                       core::ScanPredicate::Op::kEquals,
                       {"run-7"}}};  // rows 3500..3999: block 3
    auto rows = Scan(req, stats);
    EXPECT_TRUE(Contains(rows, 3500));
    EXPECT_TRUE(Contains(rows, 3999));
    EXPECT_EQ(stats.blocks, 10u);
    EXPECT_GE(stats.blocks_skipped, 8u);  // 9 without a false positive
    core::ScanStats in_stats;
    req.predicates[0].values = {"run-0", "run-19", "nope"};  // blocks 0 and 9
    rows = Scan(req, in_stats);
    EXPECT_TRUE(Contains(rows, 0));
    EXPECT_TRUE(Contains(rows, 9999));
    EXPECT_GE(in_stats.blocks_skipped, 7u);
}

TEST_F(ScanSkipTest, KeysReadAsTextComeBackAsTheStoredStrings) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp"}, {}};
    req.keys = {{"customDimensions", "parent_run_id", core::Type::kString},
                {"customDimensions", "missing", core::Type::kString}};
    req.predicates = {
        {"tostring(customDimensions.parent_run_id)", core::ScanPredicate::Op::kEquals, {"run-7"}}};
    req.table = "traces";
    req.stats = &stats;
    size_t matched = 0;
    auto s = store_->Scan(req, [&](const core::Batch& b) {
        EXPECT_EQ(b.schema.fields[1].name, "tostring(customDimensions.parent_run_id)");
        EXPECT_EQ(b.columns[1].type(), core::Type::kString);
        EXPECT_TRUE(b.columns[1].is_dictionary());  // 2 runs a block: dictionary-coded
        EXPECT_EQ(b.columns[2].type(), core::Type::kString);
        for (size_t i = 0; i < b.num_rows(); ++i) {
            matched += b.columns[1].string_at(i) == "run-7";
            EXPECT_EQ(b.columns[2].string_at(i), "");  // tostring() of an absent key
        }
        return core::Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(matched, 500u);
    EXPECT_GE(stats.blocks_skipped, 8u);
}

TEST_F(ScanSkipTest, RareTermIsFoundFromTheTermIndex) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp", "message"}, {}};
    req.predicates = {{"message", core::ScanPredicate::Op::kHas, {"NEEDLE"}}};
    auto rows = Scan(req, stats);
    EXPECT_TRUE(Contains(rows, 4321));
    EXPECT_TRUE(Contains(rows, 9000));
    EXPECT_GE(stats.blocks_skipped, 7u);  // blocks 4 and 9 hold it
    // The term index names the two rows: only they come back.
    EXPECT_EQ(rows, (std::vector<int64_t>{4321, 9000}));
    EXPECT_EQ(stats.blocks_skipped, 8u);
    EXPECT_EQ(stats.rows, 2u);
    core::ScanStats by_value;
    req.predicates = {{"message", core::ScanPredicate::Op::kEquals, {"found the Needle here"}}};
    EXPECT_EQ(Scan(req, by_value), (std::vector<int64_t>{4321, 9000}));
    // In parallel too, whatever the number of workers.
    for (size_t workers : {1u, 2u, 4u}) {
        core::ScanRequest preq = req;
        preq.table = "traces";
        std::vector<std::vector<int64_t>> seen(workers);
        core::ParallelConsumer consumer;
        consumer.workers = workers;
        consumer.consume = [&](size_t w, const core::Batch& b) {
            for (size_t i = 0; i < b.num_rows(); ++i) {
                seen[w].push_back((b.columns[0].int64_at(i) - kBase) / core::kTicksPerSecond);
            }
            return core::Status::Ok();
        };
        ASSERT_TRUE(store_->ScanParallel(preq, consumer).ok());
        std::vector<int64_t> all;
        for (const auto& s : seen) all.insert(all.end(), s.begin(), s.end());
        EXPECT_EQ(all, (std::vector<int64_t>{4321, 9000}));
    }
    core::ScanStats none;
    req.predicates = {{"message", core::ScanPredicate::Op::kHasCs, {"needle qx7z9"}}};
    EXPECT_LE(Scan(req, none).size(), 1000u);
}

TEST_F(ScanSkipTest, IntegerRangesUseBlockMinMax) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp", "severityLevel"}, {}};
    req.predicates = {{"severityLevel", core::ScanPredicate::Op::kIntRange, {}, 4, 4}};
    auto rows = Scan(req, stats);
    EXPECT_TRUE(Contains(rows, 7777));
    EXPECT_EQ(stats.blocks_skipped, 9u);  // min/max is exact: only block 7 has a 4
    core::ScanStats by_time;
    req.predicates = {{"timestamp",
                       core::ScanPredicate::Op::kIntRange,
                       {},
                       kBase + 2500 * core::kTicksPerSecond,
                       kBase + 2600 * core::kTicksPerSecond}};
    rows = Scan(req, by_time);
    EXPECT_TRUE(Contains(rows, 2500));
    EXPECT_EQ(by_time.blocks_skipped, 9u);
}

TEST_F(ScanSkipTest, TimeRangeSkipsBlocksInsideASegment) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp"}, {}};
    req.time = {kBase + 5000 * core::kTicksPerSecond, kBase + 6000 * core::kTicksPerSecond};
    auto rows = Scan(req, stats);
    EXPECT_TRUE(Contains(rows, 5000));
    EXPECT_TRUE(Contains(rows, 5999));
    EXPECT_EQ(stats.blocks_skipped, 9u);
}

TEST_F(ScanSkipTest, PredicatesThatCannotBeAnsweredSkipNothing) {
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp"}, {}};
    req.predicates = {
        {"no_such_column", core::ScanPredicate::Op::kEquals, {"x"}},
        {"severityLevel", core::ScanPredicate::Op::kEquals, {"x"}},          // not a string column
        {"customDimensions.step", core::ScanPredicate::Op::kEquals, {"x"}},  // key not requested
    };
    EXPECT_EQ(Scan(req, stats).size(), kRows);
    EXPECT_EQ(stats.blocks_skipped, 0u);
}

TEST_F(ScanSkipTest, BufferedRowsAreAlwaysReturned) {
    std::vector<core::TableBatch> v;
    v.push_back({"traces", Rows()});
    ASSERT_TRUE(store_->Append(std::move(v)).ok());  // not flushed
    core::ScanStats stats;
    core::ScanRequest req{"", {"timestamp"}, {}};
    req.keys = {{"customDimensions", "parent_run_id"}};
    req.predicates = {
        {"customDimensions.parent_run_id", core::ScanPredicate::Op::kEquals, {"run-7"}}};
    EXPECT_GE(Scan(req, stats).size(), kRows + 500);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

// The codec of the first message block of the store's first segment.
Codec CodecOf(const std::string& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir + "/segments")) {
        auto reader = SegmentReader::Open(core::Env::Default(), e.path());
        if (reader.ok()) return (*reader)->info().Find("message")->blocks[0].codec;
    }
    return Codec::kStored;
}

TEST(SegmentCodecTest, TodaysRowsAreWrittenWithLz4AndOlderDaysWithZstd) {
    for (int64_t days_ago : {0, 10}) {
        testing::TempDir dir;
        StoreOptions o;
        o.dir = dir.path();
        o.background_flush = false;
        auto store = Store::Open(o);
        ASSERT_TRUE(store.ok());
        core::Batch b = testing::MakeBatch(0, 2000);
        core::Column ts(core::Type::kDatetime);
        const int64_t t = core::NowTicks() - days_ago * core::kTicksPerDay;
        for (int i = 0; i < 2000; ++i) ts.AppendInt64(t);
        b.columns[0] = ts;
        std::vector<core::TableBatch> v;
        v.push_back({"t", std::move(b)});
        ASSERT_TRUE((*store)->Append(std::move(v)).ok());
        ASSERT_TRUE((*store)->Flush().ok());
        EXPECT_EQ(CodecOf(dir.path()), days_ago == 0 ? Codec::kLz4 : Codec::kZstd);
    }
}

}  // namespace
}  // namespace calypso::storage
