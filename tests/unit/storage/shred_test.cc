#include "storage/shred.h"

#include <gtest/gtest.h>

#include "storage/segment.h"
#include "storage/store.h"
#include "test_util.h"

namespace calypso::storage {
namespace {

core::Column Dyn(const std::vector<std::string>& jsons) {
    core::Column c(core::Type::kDynamic);
    for (const auto& j : jsons) {
        if (j == "<null>") {
            c.AppendNull();
        } else {
            c.AppendDynamic(*core::Dynamic::Parse(j));
        }
    }
    return c;
}

std::vector<std::string> Texts(const core::Column& c) {
    std::vector<std::string> out;
    for (size_t r = 0; r < c.size(); ++r)
        out.push_back(c.IsNull(r) ? "<null>" : c.dynamic_at(r).ToJson());
    return out;
}

TEST(ShredTest, FrequentStringKeysBecomeColumnsAndEverythingComesBack) {
    core::Column in = Dyn({R"({"run":"a","step":"s1","n":1})", R"({"run":"b","x":{"y":2}})",
                           "<null>", R"([1,2])", R"({"step":"s2","run":"c"})", "{}"});
    ShreddedColumn s = Shred(in);
    ASSERT_EQ(s.keys.size(), 2u);  // run is in 3 of 6 rows, step in 2; n is not a string
    EXPECT_EQ(s.keys[0].first, "run");
    EXPECT_EQ(s.keys[0].second.string_at(1), "b");
    EXPECT_TRUE(s.keys[0].second.IsNull(2));
    EXPECT_EQ(s.keys[1].first, "step");
    EXPECT_EQ(s.keys[1].second.string_at(4), "s2");
    std::vector<std::pair<std::string, const core::Column*>> parts;
    for (const auto& [k, c] : s.keys) parts.emplace_back(k, &c);
    EXPECT_EQ(
        Texts(Unshred(s.residual, parts)),
        (std::vector<std::string>{R"({"run":"a","step":"s1","n":1})", R"({"run":"b","x":{"y":2}})",
                                  "<null>", "[1,2]", R"({"run":"c","step":"s2"})", "{}"}));
}

TEST(ShredTest, KeysWithNonStringValuesOrRareKeysStayInTheObjects) {
    std::vector<std::string> rows{R"({"k":"a","rare":"z"})", R"({"k":5})"};
    while (rows.size() < 17) rows.push_back(R"({"k":"c"})");
    core::Column in = Dyn(rows);
    ShreddedColumn s = Shred(in);
    EXPECT_TRUE(s.keys.empty());  // k is mixed; rare is in 1 of 17 rows
    EXPECT_EQ(Texts(s.residual), Texts(in));
}

TEST(ShredTest, SegmentsAnswerOneKeyFromItsSubColumnAndWholeObjectsOnRequest) {
    testing::TempDir dir;
    core::Schema schema{{{"d", core::Type::kDynamic}}};
    core::Batch b = core::Batch::Empty(schema);
    b.columns[0] = Dyn({R"({"run":"a","n":"1"})", R"({"run":"b","n":"2"})", R"({"n":"3"})"});
    auto info = WriteSegment(core::Env::Default(), dir.path() + "/1.seg", "t", b, -1);
    ASSERT_TRUE(info.ok());
    bool has_sub = false;
    for (const auto& c : info->columns) has_sub |= c.name == std::string("d\x1frun");
    EXPECT_TRUE(has_sub);
    auto opened = SegmentReader::Open(core::Env::Default(), dir.path() + "/1.seg");
    ASSERT_TRUE(opened.ok());
    const SegmentReaderPtr reader = *opened;
    EXPECT_EQ(Texts(*reader->ReadKeyBlock("d", "run", 0)),
              (std::vector<std::string>{R"("a")", R"("b")", "<null>"}));
    EXPECT_EQ(Texts(*reader->ReadKeyBlock("d", "missing", 0)),
              (std::vector<std::string>{"<null>", "<null>", "<null>"}));
    auto whole = reader->ReadColumn("d");
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->dynamic_at(0).Find("run")->as_string(), "a");
    EXPECT_EQ(whole->dynamic_at(2).Find("n")->as_string(), "3");
    EXPECT_EQ(whole->dynamic_at(2).Find("run"), nullptr);
    EXPECT_TRUE(reader->VerifyAll().ok());
}

TEST(ShredTest, ScanReturnsRequestedKeysFromSegmentsAndBuffers) {
    testing::TempDir dir;
    StoreOptions o;
    o.dir = dir.path();
    o.background_flush = false;
    auto store = Store::Open(o);
    auto append = [&](int64_t first, size_t n) {
        std::vector<core::TableBatch> v;
        v.push_back({"t", testing::MakeBatch(first, n)});  // props = {"k": n}
        return (*store)->Append(std::move(v));
    };
    ASSERT_TRUE(append(0, 3).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    ASSERT_TRUE(append(3, 2).ok());
    core::ScanRequest req{"t", {"n"}, {}, {{"props", "k"}}};
    std::vector<std::string> seen;
    auto s = (*store)->Scan(req, [&](const core::Batch& b) {
        EXPECT_EQ(b.schema.fields[1].name, "props.k");
        for (auto& t : Texts(b.columns[1])) seen.push_back(t);
        return core::Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    core::ScanRequest bad{"t", {}, {}, {{"n", "k"}}};
    EXPECT_EQ((*store)->Scan(bad, [](const core::Batch&) { return core::Status::Ok(); }).code(),
              core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace calypso::storage
