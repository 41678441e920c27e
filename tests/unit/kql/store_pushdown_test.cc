// End to end over a real store: every query gives the same answer as its plan without the
// optimizer (which pushes nothing into the scans), and the pushed keys, predicates and
// time ranges let the store skip what it can.
#include <gtest/gtest.h>

#include "core/time.h"
#include "format.h"
#include "kql/binder/binder.h"
#include "kql/engine.h"
#include "kql/exec/executor.h"
#include "kql/syntax/parser.h"
#include "storage/store.h"
#include "test_util.h"

namespace calypso::kql {
namespace {

constexpr int64_t kDay0 = 1'790'812'800LL * core::kTicksPerSecond;  // 2026-10-01
constexpr int64_t kRows = 6000;
const int64_t kNow = kDay0 + 3 * core::kTicksPerDay;

// One row a minute over ~4 days; each pipeline run owns 250 consecutive rows.
core::Batch Rows(int64_t first, int64_t count) {
    core::Schema schema{{{"timestamp", core::Type::kDatetime},
                         {"message", core::Type::kString},
                         {"severityLevel", core::Type::kInt},
                         {"customDimensions", core::Type::kDynamic},
                         {"itemCount", core::Type::kLong}}};
    core::Batch b = core::Batch::Empty(schema);
    for (int64_t i = first; i < first + count; ++i) {
        b.columns[0].AppendInt64(kDay0 + i * core::kTicksPerMinute);
        b.columns[1].AppendString(i % 997 == 0 ? "Out of memory error in step " + std::to_string(i)
                                               : "row " + std::to_string(i));
        b.columns[2].AppendInt64(i == 4242 ? 4 : i % 3);
        std::vector<std::pair<std::string, core::Dynamic>> dims = {
            {"parent_run_id", core::Dynamic::String("run-" + std::to_string(i / 250))},
            {"step", core::Dynamic::String(i % 2 ? "train" : "eval")},
            {"mixed",
             i % 4 ? core::Dynamic::String(std::to_string(i % 7)) : core::Dynamic::Long(i % 7)},
        };
        if (i % 100 == 0) dims.emplace_back("rare", core::Dynamic::String("yes"));
        // A shredded key of numbers as strings (a few words among them).
        dims.emplace_back(
            "ms", core::Dynamic::String(i % 13 == 0 ? "n/a" : std::to_string(i % 50) + ".5"));
        b.columns[3].AppendDynamic(core::Dynamic::MakeObject(std::move(dims)));
        b.columns[4].AppendInt64(i);
    }
    return b;
}

// Records what the engine asks the store for.
class Recorder final : public core::TableSource {
  public:
    explicit Recorder(const core::TableSource& inner) : inner_(inner) {}
    std::vector<std::string> ListTables() const override { return inner_.ListTables(); }
    core::Result<core::Schema> GetSchema(const std::string& t) const override {
        return inner_.GetSchema(t);
    }
    std::string TimeColumn(const std::string& t) const override { return inner_.TimeColumn(t); }
    core::Status Scan(const core::ScanRequest& r,
                      const std::function<core::Status(const core::Batch&)>& f) const override {
        last = r;
        return inner_.Scan(r, f);
    }
    mutable core::ScanRequest last;

  private:
    const core::TableSource& inner_;
};

class StorePushdownTest : public ::testing::Test {
  protected:
    void SetUp() override {
        storage::StoreOptions o;
        o.dir = dir_.path();
        o.background_flush = false;
        o.block_rows = 256;
        o.default_retention_days = 36500;
        auto store = storage::Store::Open(o);
        ASSERT_TRUE(store.ok()) << store.status().ToString();
        store_ = std::move(store).value();
        // Two flushes (segments per day each) and rows still buffered.
        for (auto [first, count] : {std::pair<int64_t, int64_t>{0, 2500}, {2500, 3000}}) {
            std::vector<core::TableBatch> v;
            v.push_back({"traces", Rows(first, count)});
            ASSERT_TRUE(store_->Append(std::move(v)).ok());
            ASSERT_TRUE(store_->Flush().ok());
        }
        std::vector<core::TableBatch> v;
        v.push_back({"traces", Rows(5500, kRows - 5500)});
        ASSERT_TRUE(store_->Append(std::move(v)).ok());
        recorder_ = std::make_unique<Recorder>(*store_);
        engine_ = std::make_unique<Engine>(*recorder_);
    }

    static std::vector<std::string> Format(const core::Batch& b) {
        std::vector<std::string> out{testing::FormatHeader(b.schema)};
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(testing::FormatRow(b, i));
        return out;
    }

    core::QueryRequest Request(const std::string& text) const {
        core::QueryRequest req;
        req.text = text;
        req.now_ticks = kNow;
        return req;
    }

    // The answer with the optimizer, and its scan statistics.
    std::vector<std::string> Optimized(const std::string& text, core::ScanStats* stats = nullptr) {
        auto r = engine_->Run(Request(text));
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        if (!r.ok()) return {};
        if (stats != nullptr) *stats = r->scan_stats;
        return Format(r->tables[0].data);
    }

    // The answer of the plan as bound: whole columns, no hints.
    std::vector<std::string> Reference(const std::string& text) {
        auto q = syntax::Parse(text);
        EXPECT_TRUE(q.ok());
        if (!q.ok()) return {};
        Binder binder(*store_, BindContext{kNow});
        auto plans = binder.BindQuery(*q);
        EXPECT_TRUE(plans.ok()) << plans.status().ToString();
        if (!plans.ok()) return {};
        auto r = ExecutePlan(*plans->front(), *store_, ExecOptions{});
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        return r.ok() ? Format(r->batch) : std::vector<std::string>{};
    }

    storage::testing::TempDir dir_;
    std::unique_ptr<storage::Store> store_;
    std::unique_ptr<Recorder> recorder_;
    std::unique_ptr<Engine> engine_;
};

TEST_F(StorePushdownTest, SameAnswersAsWithoutPushdown) {
    for (const char* q : {
             "traces | where customDimensions.parent_run_id == 'run-7' | project timestamp, "
             "message | order by timestamp asc",
             "traces | where tostring(customDimensions['parent_run_id']) in ('run-1', 'run-22') "
             "| summarize n = count(), s = sum(itemCount) by step = "
             "tostring(customDimensions.step) "
             "| order by step asc",
             "traces | where message has 'memory' | project message | order by message asc",
             "traces | where message has_cs 'Out' and severityLevel < 2 | count",
             "traces | where severityLevel == 4 | project itemCount",
             "traces | where itemCount between (1000 .. 1010) | project itemCount, "
             "customDimensions.step | order by itemCount asc",
             "traces | where timestamp >= datetime(2026-10-02) and timestamp < "
             "datetime(2026-10-02 06:00) | summarize count(), min(itemCount), max(itemCount)",
             "traces | where timestamp > ago(12h) | count",
             "traces | where customDimensions.mixed == '5' | count",
             "traces | where tostring(customDimensions.mixed) == '5' | count",
             "traces | where customDimensions.mixed == 5 | count",
             "traces | where customDimensions.rare == 'yes' | summarize count() by "
             "tostring(customDimensions.parent_run_id) | count",
             "traces | where customDimensions.absent == 'x' | count",
             "traces | where customDimensions.step == 'train' and itemCount > 5990 "
             "| project customDimensions | order by tostring(customDimensions) asc",
             "traces | where customDimensions.parent_run_id == 'run-23' | top 3 by itemCount",
             "traces | sort by itemCount desc | take 4 | project itemCount",
             "traces | extend r = tostring(customDimensions.parent_run_id) | where r == 'run-0' "
             "and itemCount < 3 | project r, itemCount | order by itemCount asc",
             // Filters that pass on fewer columns than they read (keys read as text and as
             // real, a filter-only key, no column at all).
             "traces | where isnotempty(customDimensions.rare) | summarize p = "
             "percentile(todouble(customDimensions.ms), 50), n = count() by "
             "step = tostring(customDimensions.step) | order by step asc",
             "traces | where isnotempty(customDimensions.ms) and severityLevel >= 1 | summarize "
             "s = sum(todouble(customDimensions.ms)) by tostring(customDimensions.parent_run_id) "
             "| order by s desc, customDimensions_parent_run_id asc | take 5",
             "traces | where customDimensions.step == 'eval' and severityLevel >= 2 | count",
             "traces | where isempty(customDimensions.rare) | where itemCount % 7 == 0 | "
             "summarize count() by bin(timestamp, 1d)",
         }) {
        EXPECT_EQ(Optimized(q), Reference(q)) << q << "\n" << *engine_->Explain(Request(q));
    }
}

// Decoded blocks of plain columns are charged to the cache at their measured size: a warm
// scan whose blocks fit the budget is served from the cache, not read and decoded again.
TEST(StoreCacheTest, WarmScanOfFlatColumnsHitsTheCache) {
    storage::testing::TempDir dir;
    storage::StoreOptions o;
    o.dir = dir.path();
    o.background_flush = false;
    o.block_rows = 1024;
    o.default_retention_days = 36500;
    // 8 blocks of one long and one dictionary-coded string column take about 110 kB.
    o.cache_bytes = 300 << 10;
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<core::TableBatch> v;
    v.push_back({"traces", Rows(0, 8192)});
    ASSERT_TRUE((*store)->Append(std::move(v)).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    Engine engine(**store);
    core::QueryRequest req;
    req.text =
        "traces | where itemCount > 10 | summarize count() by tostring(customDimensions.step)";
    req.now_ticks = kNow;
    auto cold = engine.Run(req);
    ASSERT_TRUE(cold.ok()) << cold.status().ToString();
    EXPECT_GT(cold->scan_stats.bytes_read, 0u);
    auto warm = engine.Run(req);
    ASSERT_TRUE(warm.ok()) << warm.status().ToString();
    EXPECT_EQ(warm->scan_stats.bytes_read, 0u);
    EXPECT_GT(warm->scan_stats.bytes_cached, 0u);
    const core::Batch& a = warm->tables[0].data;
    const core::Batch& b = cold->tables[0].data;
    ASSERT_EQ(a.num_rows(), 2u);
    ASSERT_EQ(b.num_rows(), 2u);
    for (size_t i = 0; i < a.num_rows(); ++i) {
        EXPECT_EQ(testing::FormatRow(a, i), testing::FormatRow(b, i));
    }
}

// A key tested against a non-empty string is read as the store's strings (dictionary
// coded here) instead of a dynamic value per row; missing keys, numbers stored beside
// strings and case-insensitive tests give the answers of the unoptimized plan.
TEST_F(StorePushdownTest, StringTestsOfKeysAnswerAsOnDynamicValues) {
    for (const char* q : {
             "traces | where customDimensions.step =~ 'TRAIN' | count",
             "traces | where customDimensions.step in~ ('TRAIN', 'x') | count",
             "traces | where customDimensions.step has 'rai' | count",
             "traces | where customDimensions.step contains 'rai' | count",
             "traces | where customDimensions.step startswith 'EV' | count",
             "traces | where customDimensions.step endswith_cs 'al' | count",
             "traces | where customDimensions.mixed in ('5', '6') | count",
             "traces | where customDimensions.mixed == '5' and severityLevel >= 1 | count",
             "traces | where customDimensions.rare == 'yes' | count",
             // These keep the dynamic value: a missing key is not "".
             "traces | where customDimensions.rare != 'yes' | count",
             "traces | where customDimensions.rare == '' | count",
             "traces | where customDimensions.rare !has 'yes' | count",
             "traces | where customDimensions.mixed == 5 | count",
             "traces | where customDimensions.step == 'train' | summarize count() by "
             "tostring(customDimensions.step), tostring(customDimensions.mixed)",
             // Read as real by the store: numbers, numeric strings, missing keys, words.
             "traces | summarize sum(todouble(customDimensions.mixed)), "
             "countif(isnull(toreal(customDimensions.mixed))) by tostring(customDimensions.step)",
             "traces | summarize s = sum(todouble(customDimensions.rare)), "
             "n = countif(isnull(todouble(customDimensions.rare))), "
             "p = percentile(todouble(customDimensions.mixed), 90)",
             "traces | where todouble(customDimensions.mixed) > 4.5 | count",
             "traces | summarize sum(todouble(customDimensions.ms)), "
             "countif(isnull(todouble(customDimensions.ms))), "
             "percentile(todouble(customDimensions.ms), 95) by bin(timestamp, 1d)",
             "traces | project x = todouble(customDimensions.parent_run_id) | take 3",
         }) {
        EXPECT_EQ(Optimized(q), Reference(q)) << q;
    }
    EXPECT_EQ(Optimized("traces | where customDimensions.step =~ 'TRAIN' | count"),
              (std::vector<std::string>{"Count:long", "3000"}));
    EXPECT_EQ(Optimized("traces | where customDimensions.mixed in ('5', '6') | count"),
              (std::vector<std::string>{"Count:long", "1714"}));
    EXPECT_EQ(Optimized("traces | where customDimensions.rare == 'yes' | count"),
              (std::vector<std::string>{"Count:long", "60"}));
    // i % 7 in 5, 6: 1714 rows; the numbers and the numeric strings alike.
    EXPECT_EQ(Optimized("traces | where todouble(customDimensions.mixed) > 4.5 | count"),
              (std::vector<std::string>{"Count:long", "1714"}));
    const auto& keys = recorder_->last.keys;
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].type, core::Type::kReal);
}

TEST_F(StorePushdownTest, KeysAndPredicatesReachTheStoreAndSkipBlocks) {
    core::ScanStats stats;
    const char* q = "traces | where customDimensions.parent_run_id == 'run-7' | count";
    EXPECT_EQ(Optimized(q, &stats), (std::vector<std::string>{"Count:long", "250"}));
    const core::ScanRequest& req = recorder_->last;
    ASSERT_EQ(req.keys.size(), 1u);
    EXPECT_EQ(req.keys[0].key, "parent_run_id");
    // Only the time column carries the row count; customDimensions is not read.
    EXPECT_EQ(req.columns, std::vector<std::string>{"timestamp"});
    ASSERT_EQ(req.predicates.size(), 1u);
    EXPECT_EQ(req.predicates[0].column, "tostring(customDimensions.parent_run_id)");
    EXPECT_GT(stats.segments, 0u);
    EXPECT_GT(stats.blocks_skipped, 0u);
    EXPECT_LT(stats.rows, static_cast<uint64_t>(kRows));

    // A key the store does not hold as strings (numbers in some rows): nothing is lost.
    EXPECT_EQ(Optimized("traces | where customDimensions.mixed == '5' | count"),
              (std::vector<std::string>{"Count:long", "857"}));
    EXPECT_EQ(Optimized("traces | where customDimensions.rare == 'yes' | count"),
              (std::vector<std::string>{"Count:long", "60"}));

    // A time condition skips whole segments of other days.
    Optimized("traces | where timestamp >= datetime(2026-10-03) | count", &stats);
    EXPECT_GT(stats.segments_skipped, 0u);
    EXPECT_EQ(recorder_->last.time.min, kDay0 + 2 * core::kTicksPerDay);
}

}  // namespace
}  // namespace calypso::kql
