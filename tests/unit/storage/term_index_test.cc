#include "storage/term_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace calypso::storage {
namespace {

using Rows = std::vector<uint32_t>;

// 20,000 log lines: frequent words, numbers in every line, a rare word in three lines.
core::Column Messages() {
    core::Column c(core::Type::kString);
    for (uint32_t i = 0; i < 20'000; ++i) {
        std::string m = "step train processed batch " + std::to_string(i) + " of 5000";
        if (i == 17 || i == 9'000 || i == 19'999) m += " checksum QX7z9 mismatch qx7z9";
        if (i == 9'000) m += " Needle-in-Haystack";
        c.AppendString(m);
    }
    return c;
}

TermIndex Indexed(const core::Column& c) {
    std::string data = TermIndex::Build(c);
    EXPECT_FALSE(data.empty());
    auto index = TermIndex::Parse(std::move(data));
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return std::move(index).value();
}

TEST(TermIndexTest, RareWordsHaveTheirRows) {
    TermIndex index = Indexed(Messages());
    EXPECT_EQ(index.RowsWithTerms("qx7z9"), (Rows{17, 9'000, 19'999}));
    EXPECT_EQ(index.RowsWithTerms("QX7Z9"), (Rows{17, 9'000, 19'999}));  // terms ignore case
    EXPECT_EQ(index.RowsWithTerms("checksum"), (Rows{17, 9'000, 19'999}));
    // Several terms: the rows holding all the indexed ones.
    EXPECT_EQ(index.RowsWithTerms("haystack qx7z9"), (Rows{9'000}));
    EXPECT_EQ(index.RowsWithTerms("in-haystack"), (Rows{9'000}));
    EXPECT_EQ(index.RowsWithTerms("needle checksum step"), (Rows{9'000}));
}

TEST(TermIndexTest, FrequentWordsNumbersAndUnknownWordsAreNotIndexed) {
    TermIndex index = Indexed(Messages());
    EXPECT_EQ(index.RowsWithTerms("step"), std::nullopt);       // in every row
    EXPECT_EQ(index.RowsWithTerms("9000"), std::nullopt);       // digits only
    EXPECT_EQ(index.RowsWithTerms("nowhere"), std::nullopt);    // unknown, not "absent"
    EXPECT_EQ(index.RowsWithTerms("--"), std::nullopt);         // no term
    EXPECT_EQ(index.RowsWithTerms("step 9000"), std::nullopt);  // no indexed term
}

TEST(TermIndexTest, ColumnsOfIdsGetNoIndex) {
    core::Column ids(core::Type::kString);
    for (int i = 0; i < 50'000; ++i) ids.AppendString("id" + std::to_string(i * 7919));
    EXPECT_TRUE(TermIndex::Build(ids).empty());
    core::Column numbers(core::Type::kString);
    for (int i = 0; i < 1'000; ++i) numbers.AppendString(std::to_string(i));
    EXPECT_TRUE(TermIndex::Build(numbers).empty());
    EXPECT_TRUE(TermIndex::Build(core::Column(core::Type::kString)).empty());
}

TEST(TermIndexTest, DamagedIndexesAreCorruption) {
    std::string data = TermIndex::Build(Messages());
    ASSERT_FALSE(data.empty());
    EXPECT_FALSE(TermIndex::Parse(data.substr(0, 5)).ok());
    EXPECT_FALSE(TermIndex::Parse("").ok());
    std::string swapped = data;  // hashes out of order
    for (int i = 0; i < 8; ++i) std::swap(swapped[1 + i], swapped[9 + i]);
    EXPECT_FALSE(TermIndex::Parse(swapped).ok());
    // Random damage never reads out of bounds (ASan builds check that).
    for (size_t i = 0; i < data.size(); i += 7) {
        std::string d = data;
        d[i] = static_cast<char>(d[i] ^ 0x5a);
        auto index = TermIndex::Parse(d);
        if (index.ok()) (void)index->RowsWithTerms("qx7z9 checksum needle");
    }
}

}  // namespace
}  // namespace calypso::storage
