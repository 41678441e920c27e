#include "storage/wal.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace calypso::storage {
namespace {

using testing::TempDir;

std::vector<std::string> ReadAll(const std::string& contents, bool* damaged = nullptr,
                                 uint64_t* valid = nullptr) {
    WalReader reader(contents);
    std::vector<std::string> out;
    std::string rec;
    while (reader.Next(rec)) out.push_back(rec);
    if (damaged) *damaged = reader.saw_damage();
    if (valid) *valid = reader.valid_prefix();
    return out;
}

TEST(WalTest, RoundTripsSmallAndBlockSpanningRecords) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.log";
    std::vector<std::string> records = {"a", std::string(100'000, 'x'), "",
                                        std::string(kWalBlockSize - 7, 'y'), "tail"};
    {
        auto w = WalWriter::Open(env, path, 0);
        ASSERT_TRUE(w.ok());
        for (const auto& r : records) ASSERT_TRUE((*w)->AddRecord(r).ok());
        ASSERT_TRUE((*w)->Sync().ok());
        ASSERT_TRUE((*w)->Close().ok());
    }
    bool damaged = true;
    auto read = ReadAll(*env->ReadFile(path), &damaged);
    EXPECT_FALSE(damaged);
    EXPECT_EQ(read, records);
}

TEST(WalTest, TornTailIsDetectedAndEarlierRecordsSurvive) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.log";
    {
        auto w = WalWriter::Open(env, path, 0);
        ASSERT_TRUE((*w)->AddRecord("first").ok());
        ASSERT_TRUE((*w)->AddRecord(std::string(50'000, 'z')).ok());
        ASSERT_TRUE((*w)->Close().ok());
    }
    std::string contents = *env->ReadFile(path);
    // Every possible cut inside the second record keeps exactly the first.
    for (size_t cut : {size_t{20}, size_t{5000}, contents.size() - 1}) {
        bool damaged = false;
        uint64_t valid = 0;
        auto read = ReadAll(contents.substr(0, cut), &damaged, &valid);
        ASSERT_EQ(read.size(), 1u) << "cut at " << cut;
        EXPECT_EQ(read[0], "first");
        EXPECT_TRUE(damaged);
        EXPECT_EQ(valid, 7u + 5u);
    }
}

TEST(WalTest, CorruptByteStopsReplayAtTheDamagedRecord) {
    TempDir dir;
    auto* env = core::Env::Default();
    const std::string path = dir.path() + "/1.log";
    {
        auto w = WalWriter::Open(env, path, 0);
        for (int i = 0; i < 3; ++i) ASSERT_TRUE((*w)->AddRecord("record" + std::to_string(i)).ok());
        ASSERT_TRUE((*w)->Close().ok());
    }
    std::string contents = *env->ReadFile(path);
    contents[7 + 7 + 7 + 3] ^= 0x40;  // inside the payload of record 1
    bool damaged = false;
    auto read = ReadAll(contents, &damaged);
    ASSERT_EQ(read.size(), 1u);
    EXPECT_TRUE(damaged);
}

}  // namespace
}  // namespace calypso::storage
