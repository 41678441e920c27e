// materialize(): computed once per query however often it is used.
#include <gtest/gtest.h>

#include "core/time.h"
#include "format.h"
#include "kql/engine.h"
#include "memory_source.h"

namespace calypso::kql {
namespace {

using core::Type;

class MaterializeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        core::Schema schema{{{"timestamp", Type::kDatetime}, {"k", Type::kString}, {"v", Type::kLong}}};
        core::Batch b = core::Batch::Empty(schema);
        for (int i = 0; i < 6; ++i) {
            b.columns[0].AppendInt64(*core::ParseDatetime("2024-01-01T00:00:00Z") + i);
            b.columns[1].AppendString(i % 2 ? "odd" : "even");
            b.columns[2].AppendInt64(i);
        }
        source_.AddTable("events", std::move(b), "timestamp");
    }

    // Rows of the first table and the rows the scans handed over.
    std::pair<std::vector<std::string>, uint64_t> Run(const std::string& text) {
        core::QueryRequest req;
        req.text = text;
        auto r = engine_.Run(req);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> rows;
        if (!r.ok()) return {rows, 0};
        const auto& b = r->tables.at(0).data;
        for (size_t i = 0; i < b.num_rows(); ++i) rows.push_back(testing::FormatRow(b, i));
        return {rows, r->scan_stats.rows};
    }

    testing::MemorySource source_;
    Engine engine_{source_};
};

TEST_F(MaterializeTest, ScansOnceForEveryUse) {
    const std::string uses =
        "| summarize n = count() by k"
        "| join kind=inner (T | summarize s = sum(v) by k) on k"
        "| union (T | summarize n = count() | extend k = 'all', s = long(null), k1 = '')"
        "| project k, n, s | order by k asc";
    auto [cached, cached_scanned] = Run("let T = materialize(events); T " + uses);
    auto [plain, plain_scanned] = Run("let T = events; T " + uses);
    const std::vector<std::string> want = {"all | 6 | null", "even | 3 | 6", "odd | 3 | 9"};
    EXPECT_EQ(cached, want);
    EXPECT_EQ(plain, want);
    EXPECT_EQ(plain_scanned, 18u);  // three scans of 6 rows
    EXPECT_EQ(cached_scanned, 6u);  // one
}

TEST_F(MaterializeTest, FiltersAboveDoNotReachTheCachedRows) {
    auto [rows, scanned] = Run(
        "let T = materialize(events | project k, v);"
        "T | where v > 3 | count | union (T | where v < 1 | count)");
    EXPECT_EQ(rows, (std::vector<std::string>{"2", "1"}));
    EXPECT_EQ(scanned, 6u);
}

TEST_F(MaterializeTest, InsideAFunctionEachCallHasItsOwnRows) {
    auto [rows, scanned] = Run(
        "let f = (n:long) { materialize(events | where v < n) };"
        "f(2) | count | union (f(4) | count)");
    EXPECT_EQ(rows, (std::vector<std::string>{"2", "4"}));
}

}  // namespace
}  // namespace calypso::kql
