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
