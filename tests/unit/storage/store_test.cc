#include "storage/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <fstream>
#include <thread>

#include "core/time.h"
#include "storage/segment.h"
#include "storage/usage.h"
#include "test_util.h"

namespace calypso::storage {
namespace {

using testing::MakeBatch;
using testing::TempDir;

StoreOptions Options(const std::string& dir, core::Env* env = core::Env::Default()) {
    StoreOptions o;
    o.dir = dir;
    o.env = env;
    o.background_flush = false;
    return o;
}

// Sum of column "n" and row count over a scan of table "t".
struct Totals {
    int64_t rows = 0;
    int64_t sum = 0;
};
Totals Count(const Store& store, core::TimeRange range = {}) {
    Totals t;
    core::ScanRequest req{"t", {"n"}, range};
    auto s = store.Scan(req, [&](const core::Batch& b) {
        for (size_t i = 0; i < b.num_rows(); ++i) {
            ++t.rows;
            t.sum += b.columns[0].int64_at(i);
        }
        return core::Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return t;
}

core::Status AppendRows(Store& store, int64_t first, size_t rows) {
    std::vector<core::TableBatch> v;
    v.push_back({"t", MakeBatch(first, rows)});
    return store.Append(std::move(v));
}

TEST(StoreTest, AppendedRowsAreScannableAndSurviveReopenWithoutFlush) {
    TempDir dir, crashed;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(store.ok()) << store.status().ToString();
        ASSERT_TRUE(AppendRows(**store, 0, 100).ok());
        ASSERT_TRUE(AppendRows(**store, 100, 50).ok());
        EXPECT_EQ(Count(**store).rows, 150);
        // Simulate a crash: open a copy of the files while the store is still running,
        // so nothing is flushed or closed in the copy.
        testing::CopyDir(dir.path(), crashed.path());
    }
    auto store = Store::Open(Options(crashed.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(Count(**store).rows, 150);
    EXPECT_EQ(Count(**store).sum, 149 * 150 / 2);
    EXPECT_EQ((*store)->Stats().recovered_records, 2u);
}

TEST(StoreTest, FlushWritesSegmentsAndRetiresTheWal) {
    TempDir dir, crashed;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(AppendRows(**store, 0, 1000).ok());
        ASSERT_TRUE((*store)->Flush().ok());
        ASSERT_TRUE(AppendRows(**store, 1000, 10).ok());
        auto stats = (*store)->Stats();
        EXPECT_EQ(stats.segments, 1u);
        EXPECT_EQ(stats.segment_rows, 1000u);
        EXPECT_EQ(stats.buffered_rows, 10u);
        EXPECT_EQ(Count(**store).rows, 1010);
        testing::CopyDir(dir.path(), crashed.path());
    }
    auto store = Store::Open(Options(crashed.path()));
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(Count(**store).rows, 1010);
    EXPECT_EQ((*store)->Stats().recovered_records, 1u);  // only the unflushed append replays
    auto schema = (*store)->GetSchema("t");
    ASSERT_TRUE(schema.ok());
    EXPECT_EQ(schema->size(), 4u);
    EXPECT_EQ((*store)->TimeColumn("t"), "timestamp");
}

TEST(StoreTest, TornWalTailIsCutAndTheStoreOpens) {
    TempDir dir, crashed;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(AppendRows(**store, 0, 10).ok());
        testing::CopyDir(dir.path(), crashed.path());
    }
    // Append half a record's worth of garbage to the newest WAL file.
    std::string newest;
    for (const auto& e : std::filesystem::directory_iterator(crashed.path() + "/wal")) {
        if (std::filesystem::file_size(e.path()) > 0) newest = e.path().string();
    }
    ASSERT_FALSE(newest.empty());
    const auto before = std::filesystem::file_size(newest);
    {
        std::ofstream(newest, std::ios::binary | std::ios::app)
            << std::string("\x12\x34\x56\x78\x90\x00\x01garbage", 14);
    }
    auto store = Store::Open(Options(crashed.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(Count(**store).rows, 10);
    EXPECT_EQ((*store)->Stats().torn_tail_bytes, 14u);
    EXPECT_EQ(std::filesystem::file_size(newest), before);
    ASSERT_TRUE(AppendRows(**store, 10, 5).ok());
    TempDir crashed_again;
    testing::CopyDir(crashed.path(), crashed_again.path());
    auto again = Store::Open(Options(crashed_again.path()));
    EXPECT_EQ(Count(**again).rows, 15);
}

TEST(StoreTest, TimeRangeSkipsSegments) {
    TempDir dir;
    auto store = Store::Open(Options(dir.path()));
    ASSERT_TRUE(AppendRows(**store, 0, 100).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    const int64_t base = 1'700'000'000LL * 10'000'000;
    core::TimeRange after{base + 1000LL * 10'000'000, INT64_MAX};
    EXPECT_EQ(Count(**store, after).rows, 0);  // segment pruned entirely
    core::TimeRange inside{base + 50LL * 10'000'000, INT64_MAX};
    EXPECT_EQ(Count(**store, inside).rows, 100);  // hint only: the consumer filters rows
}

TEST(StoreTest, ConcurrentWritersAreAllDurableExactlyOnce) {
    TempDir dir, crashed;
    constexpr int kThreads = 8, kAppends = 50, kRows = 7;
    {
        auto store = Store::Open(Options(dir.path()));
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int a = 0; a < kAppends; ++a) {
                    if (!AppendRows(**store, (t * kAppends + a) * kRows, kRows).ok()) ++failures;
                    if (t == 0 && a % 10 == 0) (void)(*store)->Flush();
                }
            });
        }
        for (auto& th : threads) th.join();
        EXPECT_EQ(failures.load(), 0);
        testing::CopyDir(dir.path(), crashed.path());
    }
    auto store = Store::Open(Options(crashed.path()));
    const int64_t n = kThreads * kAppends * kRows;
    EXPECT_EQ(Count(**store).rows, n);
    EXPECT_EQ(Count(**store).sum, n * (n - 1) / 2);
}

// An Env whose syncs can be made to fail.
class FaultyEnv final : public core::Env {
  public:
    std::atomic<bool> fail_sync{false};
    std::atomic<bool> disk_full{false};  // appends write half their data, then fail

    class File final : public core::WritableFile {
      public:
        File(std::unique_ptr<core::WritableFile> f, FaultyEnv* env) : f_(std::move(f)), env_(env) {}
        core::Status Append(std::string_view d) override {
            if (env_->disk_full) {
                (void)f_->Append(d.substr(0, d.size() / 2));
                return core::Status::Unavailable("disk full: injected ENOSPC");
            }
            return f_->Append(d);
        }
        core::Status Sync() override {
            if (env_->fail_sync) return core::Status::IOError("injected fsync failure");
            return f_->Sync();
        }
        core::Status Close() override { return f_->Close(); }

      private:
        std::unique_ptr<core::WritableFile> f_;
        FaultyEnv* env_;
    };

    core::Result<std::unique_ptr<core::WritableFile>> NewWritableFile(const std::string& p,
                                                                      bool a) override {
        ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p, a));
        return std::unique_ptr<core::WritableFile>(new File(std::move(f), this));
    }
    core::Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
    core::Result<std::string> ReadFileRange(const std::string& p, uint64_t o, size_t n) override {
        return base_->ReadFileRange(p, o, n);
    }
    core::Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
    bool FileExists(const std::string& p) override { return base_->FileExists(p); }
    core::Result<std::vector<std::string>> ListDir(const std::string& d) override {
        return base_->ListDir(d);
    }
    core::Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
    core::Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
    core::Status RenameFile(const std::string& f, const std::string& t) override {
        return base_->RenameFile(f, t);
    }
    core::Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
    core::Status Truncate(const std::string& p, uint64_t s) override {
        return base_->Truncate(p, s);
    }

  private:
    core::Env* base_ = core::Env::Default();
};

TEST(StoreTest, FailedFsyncIsNeverAcknowledgedAndMakesTheStoreReadOnly) {
    TempDir dir, crashed;
    FaultyEnv env;
    {
        auto store = Store::Open(Options(dir.path(), &env));
        ASSERT_TRUE(AppendRows(**store, 0, 10).ok());
        env.fail_sync = true;
        auto s = AppendRows(**store, 10, 10);
        EXPECT_EQ(s.code(), core::StatusCode::kIOError);
        EXPECT_EQ(AppendRows(**store, 20, 10).code(), core::StatusCode::kIOError);
        EXPECT_EQ(Count(**store).rows, 10);  // the unacknowledged rows are not visible
        testing::CopyDir(dir.path(), crashed.path());
    }
    env.fail_sync = false;
    auto store = Store::Open(Options(crashed.path(), &env));
    ASSERT_TRUE(store.ok());
    // The failed batch may or may not be on disk; the acknowledged one certainly is.
    EXPECT_GE(Count(**store).rows, 10);
    EXPECT_TRUE(AppendRows(**store, 30, 1).ok());
}

TEST(StoreTest, SchemaIsMappedByNameAndUnknownTableIsNotFound) {
    TempDir dir;
    auto store = Store::Open(Options(dir.path()));
    ASSERT_TRUE((*store)->DefineTable("t", MakeBatch(0, 0).schema, "timestamp").ok());
    core::Schema partial{{{"n", core::Type::kLong}}};
    core::Batch b = core::Batch::Empty(partial);
    b.columns[0].AppendInt64(42);
    std::vector<core::TableBatch> v;
    v.push_back({"t", std::move(b)});
    ASSERT_TRUE((*store)->Append(std::move(v)).ok());
    EXPECT_EQ(Count(**store).sum, 42);
    core::ScanRequest req{"missing", {}, {}};
    auto s = (*store)->Scan(req, [](const core::Batch&) { return core::Status::Ok(); });
    EXPECT_EQ(s.code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

// Rows of table "t" at the given days (since the epoch), one row per entry.
core::Status AppendAtDays(Store& store, const std::vector<int64_t>& days) {
    core::Batch b = testing::MakeBatch(0, days.size());
    core::Column ts(core::Type::kDatetime);
    for (int64_t day : days) ts.AppendInt64(day * core::kTicksPerDay + core::kTicksPerHour);
    b.columns[0] = ts;
    std::vector<core::TableBatch> v;
    v.push_back({"t", std::move(b)});
    return store.Append(std::move(v));
}

TEST(StoreRetentionTest, FlushWritesOneSegmentPerDayAndRetentionDropsWholeDays) {
    testing::TempDir dir;
    const int64_t today = 20'000;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(AppendAtDays(**store, {today - 100, today - 5, today - 5, today}).ok());
        ASSERT_TRUE((*store)->Flush().ok());
        EXPECT_EQ((*store)->Stats().segments, 3u);
        EXPECT_EQ((*store)->RetentionDays("t"), 90);
        ASSERT_TRUE((*store)->EnforceRetention(today * core::kTicksPerDay).ok());
        EXPECT_EQ(Count(**store).rows, 3);  // the day 100 days ago is gone
        EXPECT_EQ((*store)->SetRetention("t", 3).ok(), true);
        EXPECT_EQ((*store)->SetRetention("missing", 3).code(), core::StatusCode::kNotFound);
        EXPECT_EQ((*store)->SetRetention("t", 0).code(), core::StatusCode::kInvalidArgument);
    }
    auto store = Store::Open(Options(dir.path()));
    EXPECT_EQ((*store)->RetentionDays("t"), 3);  // persisted in the MANIFEST
    ASSERT_TRUE((*store)->EnforceRetention(today * core::kTicksPerDay).ok());
    EXPECT_EQ(Count(**store).rows, 1);
    EXPECT_EQ(testing::SegmentFilesOf(dir.path(), "t"), 1u);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

// Flips one byte of a file, `from_end` bytes before its end.
void FlipByte(const std::string& path, size_t from_end) {
    std::string data = *core::Env::Default()->ReadFile(path);
    data[data.size() - from_end] ^= 0x5a;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Two tables' worth of segments: "t" on two days, so one can be damaged.
std::vector<std::string> FlushTwoDays(Store& store, const std::string& dir) {
    EXPECT_TRUE(AppendAtDays(store, {20'000, 20'000, 20'001}).ok());
    EXPECT_TRUE(store.Flush().ok());
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/segments"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

TEST(StoreQuarantineTest, SegmentWithBadFooterIsQuarantinedAtOpenAndTheRestServed) {
    testing::TempDir dir;
    std::vector<std::string> files;
    {
        auto store = Store::Open(Options(dir.path()));
        files = FlushTwoDays(**store, dir.path());
    }
    ASSERT_EQ(files.size(), 2u);
    FlipByte(files[0], 20);  // inside the footer of the first day's segment
    auto store = Store::Open(Options(dir.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(Count(**store).rows, 1);
    ASSERT_EQ((*store)->Quarantined().size(), 1u);
    EXPECT_NE((*store)->Quarantined()[0].find("footer checksum mismatch"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/quarantine/" +
                                        std::filesystem::path(files[0]).filename().string()));
    EXPECT_FALSE(std::filesystem::exists(files[0]));
}

TEST(StoreQuarantineTest, DamagedColumnFoundByAScanIsQuarantinedAndTheScanGoesOn) {
    testing::TempDir dir;
    {
        auto store = Store::Open(Options(dir.path()));
        auto files = FlushTwoDays(**store, dir.path());
        // Bytes 8..: the first column block of the first segment.
        std::string data = *core::Env::Default()->ReadFile(files[0]);
        data[10] ^= 0x5a;
        std::ofstream(files[0], std::ios::binary | std::ios::trunc) << data;
    }
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(store.ok());
        EXPECT_TRUE((*store)->Quarantined().empty());  // the footer is fine
        core::ScanRequest req{"t", {"timestamp", "n"}, {}};
        int64_t rows = 0;
        auto s = (*store)->Scan(req, [&](const core::Batch& b) {
            rows += static_cast<int64_t>(b.num_rows());
            return core::Status::Ok();
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
        EXPECT_EQ(rows, 1);
        EXPECT_EQ((*store)->Stats().quarantined_segments, 1u);
    }
    auto store = Store::Open(Options(dir.path()));
    EXPECT_EQ(testing::SegmentFilesOf(dir.path(), "t"), 1u);  // moved out of segments/
    EXPECT_EQ(Count(**store).rows, 1);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

TEST(StoreUsageTest, RowsAndBytesPerTableAndHourLandInTheUsageTable) {
    testing::TempDir dir;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(AppendRows(**store, 0, 100).ok());
        ASSERT_TRUE(AppendRows(**store, 100, 50).ok());
    }  // closing records usage
    auto store = Store::Open(Options(dir.path()));
    auto schema = (*store)->GetSchema("Usage");
    ASSERT_TRUE(schema.ok());
    core::ScanRequest req{"Usage", {"DataType", "Rows", "Quantity", "QuantityUnit"}, {}};
    int64_t rows = 0;
    double mb = 0;
    ASSERT_TRUE((*store)
                    ->Scan(req,
                           [&](const core::Batch& b) {
                               for (size_t i = 0; i < b.num_rows(); ++i) {
                                   EXPECT_EQ(b.columns[0].string_at(i), "t");
                                   EXPECT_EQ(b.columns[3].string_at(i), "MBytes");
                                   rows += b.columns[1].int64_at(i);
                                   mb += b.columns[2].double_at(i);
                               }
                               return core::Status::Ok();
                           })
                    .ok());
    EXPECT_EQ(rows, 150);
    EXPECT_GT(mb, 0.0);
    EXPECT_LT(mb, 1.0);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

TEST(StoreDiskFullTest, FullDiskIsRetriableAndLeavesNoGarbageBehind) {
    testing::TempDir dir, crashed;
    FaultyEnv env;
    {
        auto store = Store::Open(Options(dir.path(), &env));
        ASSERT_TRUE(AppendRows(**store, 0, 10).ok());
        env.disk_full = true;
        EXPECT_EQ(AppendRows(**store, 10, 10).code(), core::StatusCode::kUnavailable);
        EXPECT_EQ(Count(**store).rows, 10);  // nothing of the failed append is visible
        env.disk_full = false;
        ASSERT_TRUE(AppendRows(**store, 20, 5).ok());  // recovered when space returned
        EXPECT_EQ(Count(**store).rows, 15);
        testing::CopyDir(dir.path(), crashed.path());
    }
    auto store = Store::Open(Options(crashed.path()));
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(Count(**store).rows, 15);
    EXPECT_EQ(Count(**store).sum, 45 + 110);           // 0..9 and 20..24
    EXPECT_EQ((*store)->Stats().torn_tail_bytes, 0u);  // the half record was cut at once
}

TEST(StoreDiskFullTest, FullWriteBufferAnswersLimitExceeded) {
    testing::TempDir dir;
    StoreOptions o = Options(dir.path());
    o.buffer_byte_limit = 100;
    auto store = Store::Open(o);
    ASSERT_TRUE(AppendRows(**store, 0, 50).ok());
    auto s = AppendRows(**store, 50, 1);
    EXPECT_EQ(s.code(), core::StatusCode::kLimitExceeded);
    EXPECT_NE(s.message().find("write buffer full"), std::string::npos);
    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_TRUE(AppendRows(**store, 50, 1).ok());
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

TEST(StoreCompactionTest, SmallSegmentsOfADayAreMergedWhileAScanReadsThem) {
    testing::TempDir dir;
    auto store = Store::Open(Options(dir.path()));
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(AppendAtDays(**store, {20'000, 20'000}).ok());
        ASSERT_TRUE((*store)->Flush().ok());
    }
    ASSERT_TRUE(AppendAtDays(**store, {20'001}).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_EQ(testing::SegmentFilesOf(dir.path(), "t"), 6u);

    // Compact from inside a scan: the scan's snapshot must stay readable to its end.
    int64_t rows = 0;
    bool compacted = false;
    core::ScanRequest req{"t", {"n"}, {}};
    auto s = (*store)->Scan(req, [&](const core::Batch& b) {
        if (!compacted) {
            compacted = true;
            EXPECT_TRUE((*store)->Compact().ok());
        }
        rows += static_cast<int64_t>(b.num_rows());
        return core::Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(rows, 11);
    EXPECT_EQ(testing::SegmentFilesOf(dir.path(), "t"), 2u);  // retired files gone after the scan
    EXPECT_EQ(Count(**store).rows, 11);

    store->reset();
    auto reopened = Store::Open(Options(dir.path()));
    EXPECT_EQ(Count(**reopened).rows, 11);
    EXPECT_EQ(testing::SegmentFilesOf(dir.path(), "t"), 2u);
}

}  // namespace
}  // namespace calypso::storage

#include "storage/check.h"

namespace calypso::storage {
namespace {

TEST(StorageReportTest, CountsRowsSegmentsPartitionsAndBytesPerTable) {
    testing::TempDir dir;
    {
        auto store = Store::Open(Options(dir.path()));
        ASSERT_TRUE(AppendAtDays(**store, {20'000, 20'000, 20'001}).ok());
        ASSERT_TRUE((*store)->Flush().ok());
        ASSERT_TRUE((*store)->SetRetention("t", 7).ok());
    }
    auto report = StorageReport(core::Env::Default(), dir.path());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto t = std::find_if(report->begin(), report->end(),
                          [](const TableReport& r) { return r.table == "t"; });
    ASSERT_NE(t, report->end());
    EXPECT_EQ(t->rows, 3u);
    EXPECT_EQ(t->segments, 2u);
    EXPECT_EQ(t->partitions, 2u);
    EXPECT_GT(t->bytes_on_disk, 0u);
    EXPECT_GT(t->uncompressed_bytes, 0u);
    EXPECT_EQ(t->retention_days, 7);
    auto check = CheckStore(core::Env::Default(), dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->problems.empty());
    EXPECT_GE(check->segments_checked, 2u);
}

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

TEST(StorageReportTest, IngestedBytesComeFromTheUsageTable) {
    testing::TempDir dir;
    {
        auto store = Store::Open(Options(dir.path()));
        std::vector<core::TableBatch> v;
        v.push_back({"t", testing::MakeBatch(0, 10), 3'000'000});
        v.push_back({"u", testing::MakeBatch(0, 5)});  // unknown source: encoded size counts
        ASSERT_TRUE((*store)->Append(std::move(v)).ok());
    }  // closing emits Usage and flushes
    auto report = StorageReport(core::Env::Default(), dir.path());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::map<std::string, TableReport> by_name;
    for (const auto& r : *report) by_name[r.table] = r;
    EXPECT_NEAR(static_cast<double>(by_name["t"].ingested_bytes), 3e6, 2);
    EXPECT_GT(by_name["u"].ingested_bytes, 0u);
    EXPECT_LT(by_name["u"].ingested_bytes, 10'000u);
}

}  // namespace
}  // namespace calypso::storage
