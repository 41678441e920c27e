// Dynamic columns held as string bags (core/string_bags.h): what readers see, and how the
// WAL codec, the flush gather and shredding keep the form without building objects.
#include "core/string_bags.h"

#include <gtest/gtest.h>

#include "storage/batch_codec.h"
#include "storage/shred.h"

namespace calypso::storage {
namespace {

using core::Column;
using core::Dynamic;
using core::Type;

Column Strings(const std::vector<const char*>& values) {
    Column c(Type::kString);
    for (const char* v : values) v == nullptr ? c.AppendNull() : c.AppendString(v);
    return c;
}

// Rows: {"run":"r1","step":"a"}, null, {"step":"b"}, {"run":"r2"}.
Column Bags() {
    return Column::FromStringBags({"run", "step"},
                                  {Strings({"r1", nullptr, nullptr, "r2"}),
                                   Strings({"a", nullptr, "b", nullptr})},
                                  {1, 0, 1, 1});
}

TEST(StringBags, ReadersSeeObjectsInKeyOrder) {
    const Column c = Bags();
    ASSERT_NE(c.string_bags(), nullptr);
    EXPECT_EQ(c.size(), 4u);
    EXPECT_EQ(c.dynamic_at(0).ToJson(), R"({"run":"r1","step":"a"})");
    EXPECT_TRUE(c.IsNull(1));
    EXPECT_EQ(c.dynamic_at(2).ToJson(), R"({"step":"b"})");
    EXPECT_EQ(c.Get(3), core::Value::FromDynamic(*Dynamic::Parse(R"({"run":"r2"})")));
    EXPECT_EQ(c.dynamics().size(), 4u);
}

TEST(StringBags, AppendingTurnsThemIntoPlainObjects) {
    Column c = Bags();
    const Column shared = c;  // the copy keeps the bag form
    c.AppendDynamic(*Dynamic::Parse(R"({"x":1})"));
    EXPECT_EQ(c.string_bags(), nullptr);
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c.dynamic_at(0).ToJson(), R"({"run":"r1","step":"a"})");
    EXPECT_EQ(c.dynamic_at(4).ToJson(), R"({"x":1})");
    EXPECT_NE(shared.string_bags(), nullptr);
    EXPECT_EQ(shared.size(), 4u);
}

TEST(StringBags, WalCodecWritesEachKeyOnceAndReadsBagsBack) {
    core::Batch b;
    b.schema = core::Schema{{{"customDimensions", Type::kDynamic}}};
    b.columns.push_back(Bags());
    std::string encoded;
    EncodeBatch(b, encoded);
    auto occurrences = [&](std::string_view needle) {
        size_t n = 0;
        for (size_t at = encoded.find(needle); at != std::string::npos;
             at = encoded.find(needle, at + 1)) {
            ++n;
        }
        return n;
    };
    EXPECT_EQ(occurrences("step"), 1u);
    EXPECT_EQ(occurrences("run"), 1u);
    auto decoded = DecodeBatch(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    const Column& c = decoded->columns[0];
    ASSERT_NE(c.string_bags(), nullptr);
    for (size_t r = 0; r < 4; ++r) EXPECT_EQ(c.Get(r), b.columns[0].Get(r)) << r;
    // A cut record is an error, never a crash.
    for (size_t n = 0; n < encoded.size(); ++n) {
        EXPECT_FALSE(DecodeBatch(std::string_view(encoded).substr(0, n)).ok()) << n;
    }
}

TEST(StringBags, GatherUnitesTheKeysOfEverySource) {
    const Column a = Bags();
    const Column b = Column::FromStringBags({"exp", "run"}, {Strings({"e1"}), Strings({"r9"})}, {1});
    const Column* sources[] = {&a, &b};
    const Column::RowRef rows[] = {{1, 0}, {0, 3}, {0, 1}, {0, 0}};
    const Column g = Column::GatherFrom(Type::kDynamic, sources, rows);
    ASSERT_NE(g.string_bags(), nullptr);
    // Keys in first-seen order over the sources: a's, then b's new ones.
    EXPECT_EQ(g.dynamic_at(0).ToJson(), R"({"run":"r9","exp":"e1"})");
    EXPECT_EQ(g.dynamic_at(0).Find("exp")->as_string(), "e1");
    EXPECT_EQ(g.dynamic_at(0).Find("run")->as_string(), "r9");
    EXPECT_EQ(g.dynamic_at(0).Find("step"), nullptr);
    EXPECT_EQ(g.dynamic_at(1).ToJson(), R"({"run":"r2"})");
    EXPECT_TRUE(g.IsNull(2));
    EXPECT_EQ(g.dynamic_at(3).ToJson(), R"({"run":"r1","step":"a"})");
    // A source in the plain form: the gather builds plain objects.
    Column plain(Type::kDynamic);
    plain.AppendDynamic(*Dynamic::Parse(R"({"n":1})"));
    const Column* mixed[] = {&a, &plain};
    const Column::RowRef mixed_rows[] = {{1, 0}, {0, 2}};
    const Column m = Column::GatherFrom(Type::kDynamic, mixed, mixed_rows);
    EXPECT_EQ(m.string_bags(), nullptr);
    EXPECT_EQ(m.dynamic_at(0).ToJson(), R"({"n":1})");
    EXPECT_EQ(m.dynamic_at(1).ToJson(), R"({"step":"b"})");
}

// Shredding bags picks the keys Shred picks from the same objects and keeps the same
// residual, without building an object per row.
TEST(StringBags, ShredMatchesShreddingTheObjects) {
    std::vector<const char*> common, sparse;
    std::vector<uint8_t> valid;
    for (int i = 0; i < 64; ++i) {
        common.push_back(i % 5 == 4 ? nullptr : "v");
        sparse.push_back(i == 10 ? "rare" : nullptr);
        valid.push_back(i % 5 == 4 && i != 10 ? 0 : 1);
    }
    const Column bags =
        Column::FromStringBags({"zeta", "common", "sparse"},
                               {Strings(common), Strings(common), Strings(sparse)}, valid);
    const Column objects = Column::FromDynamics(
        std::vector<Dynamic>(bags.dynamics().begin(), bags.dynamics().end()), valid);
    const ShreddedColumn fast = Shred(bags);
    const ShreddedColumn slow = Shred(objects);
    ASSERT_EQ(fast.keys.size(), 2u);
    ASSERT_EQ(slow.keys.size(), fast.keys.size());
    for (size_t k = 0; k < fast.keys.size(); ++k) {
        EXPECT_EQ(fast.keys[k].first, slow.keys[k].first);
        for (size_t r = 0; r < 64; ++r) {
            EXPECT_EQ(fast.keys[k].second.Get(r), slow.keys[k].second.Get(r)) << k << "," << r;
        }
    }
    for (size_t r = 0; r < 64; ++r) {
        EXPECT_EQ(fast.residual.Get(r), slow.residual.Get(r)) << r;
    }
    EXPECT_EQ(fast.residual.dynamic_at(10).ToJson(), R"({"sparse":"rare"})");
    EXPECT_EQ(ExtractKey(bags, "sparse").dynamic_at(10).as_string(), "rare");
    EXPECT_TRUE(ExtractKey(bags, "absent").IsNull(0));
}

}  // namespace
}  // namespace calypso::storage
