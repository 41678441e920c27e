#include "storage/block_filter.h"

#include <gtest/gtest.h>

namespace calypso::storage {
namespace {

BlockFilter Build(const std::vector<std::string>& values, size_t nulls = 0) {
    core::Column c(core::Type::kString);
    for (const auto& v : values) c.AppendString(v);
    for (size_t i = 0; i < nulls; ++i) c.AppendNull();
    std::string bytes;
    BlockFilter::Build(c, 0, c.size(), bytes);
    auto f = BlockFilter::Parse(bytes);
    EXPECT_TRUE(f.ok());
    return *f;
}

TEST(BlockFilterTest, AnswersValuesExactlyAndTermsIgnoringCase) {
    BlockFilter f = Build({"run-00042", "Training failed: CUDA out of memory", "step_ok"});
    EXPECT_TRUE(f.MayContainValue("run-00042"));
    EXPECT_TRUE(f.MayContainTerms("cuda"));
    EXPECT_TRUE(f.MayContainTerms("CUDA"));
    EXPECT_TRUE(f.MayContainTerms("out of memory"));
    EXPECT_TRUE(f.MayContainTerms("00042"));  // "run-00042" has the terms run and 00042
    EXPECT_TRUE(f.MayContainTerms("step"));   // '_' separates terms
    EXPECT_TRUE(f.MayContainTerms("--"));     // no term: cannot rule anything out
    EXPECT_FALSE(f.MayContainValue("run-00043"));
    EXPECT_FALSE(f.MayContainValue("RUN-00042"));  // == is case-sensitive
    EXPECT_FALSE(f.MayContainTerms("qx7z9"));
    EXPECT_FALSE(f.MayContainTerms("cuda qx7z9"));  // every term must be there
}

TEST(BlockFilterTest, NullStringsCountAsEmptyValues) {
    // KQL strings are never null: a null string equals "".
    EXPECT_TRUE(Build({"a"}, 1).MayContainValue(""));
}

TEST(BlockFilterTest, FalsePositiveRateIsAboutOnePercent) {
    std::vector<std::string> values;
    for (int i = 0; i < 5000; ++i) values.push_back("run-" + std::to_string(i));
    BlockFilter f = Build(values);
    for (int i = 0; i < 5000; ++i) ASSERT_TRUE(f.MayContainValue("run-" + std::to_string(i)));
    int false_positives = 0;
    for (int i = 5000; i < 25000; ++i) false_positives += f.MayContainValue("run-" + std::to_string(i));
    EXPECT_LT(false_positives, 20000 * 3 / 100);
}

TEST(BlockFilterTest, MalformedBytesAreCorruption) {
    EXPECT_FALSE(BlockFilter::Parse("").ok());
    EXPECT_FALSE(BlockFilter::Parse(std::string("\x06\x02", 2) + std::string(9, 'x')).ok());
    EXPECT_FALSE(BlockFilter::Parse(std::string("\x00\x01", 2) + std::string(8, 'x')).ok());
}

}  // namespace
}  // namespace calypso::storage
