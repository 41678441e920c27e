#include "storage/segment.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"

namespace calypso::storage {
namespace {

using testing::MakeBatch;
using testing::TempDir;

TEST(SegmentTest, RoundTripsEveryColumnAndTimeBounds) {
    TempDir dir;
    auto* env = core::Env::Default();
    core::Batch b = MakeBatch(10, 1000);
    b.columns[1].AppendNull();  // keep lengths equal below
    b.columns[0].AppendNull();
    b.columns[2].AppendNull();
    b.columns[3].AppendNull();
    auto info = WriteSegment(env, dir.path() + "/1.seg", "traces", b, 0);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->rows, 1001u);
    EXPECT_EQ(info->min_time, b.columns[0].int64_at(0));
    EXPECT_EQ(info->max_time, b.columns[0].int64_at(999));

    auto opened = SegmentReader::Open(env, dir.path() + "/1.seg");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    const SegmentReaderPtr reader = *opened;
    EXPECT_EQ(reader->info().table, "traces");
    auto n = reader->ReadColumn("n");
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->int64_at(500), 510);
    EXPECT_TRUE(n->IsNull(1000));
    auto props = reader->ReadColumn("props");
    ASSERT_TRUE(props.ok());
    EXPECT_EQ(props->dynamic_at(3).ToJson(), R"({"k":13})");
    auto msg = reader->ReadColumn("message");
    EXPECT_EQ(msg->string_at(999), "message 1009");
    EXPECT_EQ(reader->ReadColumn("nope").status().code(), core::StatusCode::kNotFound);
}

// Log lines with a rare word in rows 3 and 2500.
core::Batch Logs(size_t rows) {
    core::Schema schema{{{"timestamp", core::Type::kDatetime}, {"message", core::Type::kString}}};
    core::Batch b = core::Batch::Empty(schema);
    for (size_t i = 0; i < rows; ++i) {
        b.columns[0].AppendInt64(static_cast<int64_t>(i));
        b.columns[1].AppendString("step " + std::to_string(i) +
                                  (i == 3 || i == 2500 ? " qx7z9" : ""));
    }
    return b;
}

TEST(SegmentTest, TextColumnsCarryATermIndex) {
    TempDir dir;
    auto* env = core::Env::Default();
    SegmentWriteOptions options;
    options.block_rows = 1000;
    ASSERT_TRUE(WriteSegment(env, dir.path() + "/1.seg", "t", Logs(4000), 0, options).ok());
    auto reader = SegmentReader::Open(env, dir.path() + "/1.seg");
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const SegmentColumnInfo* message = (*reader)->info().Find("message");
    ASSERT_NE(message, nullptr);
    EXPECT_GT(message->index_size, 0u);
    uint64_t bytes = 0;
    auto index = (*reader)->Index(*message, &bytes);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    ASSERT_NE(*index, nullptr);
    EXPECT_EQ(bytes, message->index_size);
    EXPECT_EQ((*index)->RowsWithTerms("QX7Z9"), (std::vector<uint32_t>{3, 2500}));
    EXPECT_TRUE((*reader)->VerifyAll().ok());
    // The time column has none.
    auto none = (*reader)->Index(*(*reader)->info().Find("timestamp"));
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, nullptr);
}

TEST(SegmentTest, VersionTwoFilesAreStillRead) {
    TempDir dir;
    auto* env = core::Env::Default();
    SegmentWriteOptions options;
    options.block_rows = 1000;
    options.version = kOldestSegmentVersion;
    ASSERT_TRUE(WriteSegment(env, dir.path() + "/2.seg", "t", Logs(4000), 0, options).ok());
    auto reader = SegmentReader::Open(env, dir.path() + "/2.seg");
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const SegmentColumnInfo* message = (*reader)->info().Find("message");
    ASSERT_NE(message, nullptr);
    EXPECT_EQ(message->index_size, 0u);
    auto column = (*reader)->ReadColumn("message");
    ASSERT_TRUE(column.ok());
    EXPECT_EQ(column->string_at(2500), "step 2500 qx7z9");
    EXPECT_TRUE((*reader)->VerifyAll().ok());
}

TEST(SegmentTest, DamagedTermIndexIsCorruption) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.seg";
    SegmentWriteOptions options;
    options.block_rows = 1000;
    auto info = WriteSegment(env, path, "t", Logs(4000), 0, options);
    ASSERT_TRUE(info.ok());
    const uint64_t at = info->Find("message")->index_offset + 3;
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(at));
        char c = 0;
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x40);
        f.seekp(static_cast<std::streamoff>(at));
        f.write(&c, 1);
    }
    auto reader = SegmentReader::Open(env, path);
    ASSERT_TRUE(reader.ok());
    auto index = (*reader)->Index(*(*reader)->info().Find("message"));
    EXPECT_EQ(index.status().code(), core::StatusCode::kCorruption);
    EXPECT_EQ((*reader)->VerifyAll().code(), core::StatusCode::kCorruption);
}

TEST(SegmentTest, FlippedByteIsReportedAsCorruption) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.seg";
    ASSERT_TRUE(WriteSegment(env, path, "t", MakeBatch(0, 100), 0).ok());
    std::string data = *env->ReadFile(path);
    data[20] ^= 0x01;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    auto opened = SegmentReader::Open(env, path);
    ASSERT_TRUE(opened.ok());
    const SegmentReaderPtr reader = *opened;
    bool corrupt = false;
    for (const char* c : {"timestamp", "message", "n", "props"}) {
        auto col = reader->ReadColumn(c);
        if (!col.ok()) {
            EXPECT_EQ(col.status().code(), core::StatusCode::kCorruption);
            corrupt = true;
        }
    }
    EXPECT_TRUE(corrupt);
}

TEST(SegmentTest, TruncatedFileIsCorruption) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.seg";
    ASSERT_TRUE(WriteSegment(env, path, "t", MakeBatch(0, 100), 0).ok());
    std::string data = *env->ReadFile(path);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data.substr(0, data.size() / 2);
    EXPECT_EQ(SegmentReader::Open(env, path).status().code(), core::StatusCode::kCorruption);
}

}  // namespace
}  // namespace calypso::storage
