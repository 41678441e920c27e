// Parallel execution over a real store with many small blocks: every query answers the
// same with 2, 3 and 4 workers as on one thread (partial aggregates merged, top/sort runs
// merged, take keeping the first rows), the source really hands blocks to several
// workers, and errors, cancellation and memory limits stop all workers.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "format.h"
#include "kql/binder/binder.h"
#include "kql/exec/executor.h"
#include "kql/planner/optimizer.h"
#include "kql/syntax/parser.h"
#include "storage/store.h"
#include "test_util.h"

namespace calypso::kql {
namespace {

constexpr int64_t kDay0 = 1'790'812'800LL * core::kTicksPerSecond;  // 2026-10-01
constexpr int64_t kNow = kDay0 + 10 * core::kTicksPerDay;

BindContext Context() {
    BindContext ctx;
    ctx.now_ticks = kNow;
    return ctx;
}

core::Schema TableSchema() {
    return core::Schema{{{"timestamp", core::Type::kDatetime},
                         {"step", core::Type::kString},
                         {"run", core::Type::kLong},
                         {"value", core::Type::kReal},
                         {"n", core::Type::kLong},
                         {"dims", core::Type::kDynamic}}};
}

// Rows with nulls, ties and groups that appear late; doubles are multiples of 1/4 so
// sums are exact in any order.
core::Batch Rows(int64_t first, int64_t count) {
    core::Batch b = core::Batch::Empty(TableSchema());
    for (int64_t i = first; i < first + count; ++i) {
        b.columns[0].AppendInt64(kDay0 + i * core::kTicksPerMinute);
        b.columns[1].AppendString(i % 7 == 0 ? "" : "s" + std::to_string(i % 5));
        if (i % 11 == 0) {
            b.columns[2].AppendNull();
        } else {
            b.columns[2].AppendInt64(i < 3000 ? i % 13 : 13 + i % 3);  // late groups
        }
        if (i % 9 == 0) {
            b.columns[3].AppendNull();
        } else {
            b.columns[3].AppendDouble(static_cast<double>(i % 37) * 0.25 - 3);
        }
        b.columns[4].AppendInt64(i % 17 == 0 ? 100 : i % 23);  // ties on the max
        std::vector<std::pair<std::string, core::Dynamic>> dims = {
            {"k" + std::to_string(i % 4), core::Dynamic::Long(i)},
            {"tag", core::Dynamic::String(i % 2 ? "odd" : "even")}};
        b.columns[5].AppendDynamic(core::Dynamic::MakeObject(std::move(dims)));
    }
    return b;
}

// Forwards to the store and records which workers received batches; can fail or cancel
// on a chosen batch.
class Probe final : public core::TableSource {
  public:
    explicit Probe(const core::TableSource& inner) : inner_(inner) {}
    std::vector<std::string> ListTables() const override { return inner_.ListTables(); }
    core::Result<core::Schema> GetSchema(const std::string& t) const override {
        return inner_.GetSchema(t);
    }
    std::string TimeColumn(const std::string& t) const override { return inner_.TimeColumn(t); }
    core::Status Scan(const core::ScanRequest& r,
                      const std::function<core::Status(const core::Batch&)>& f) const override {
        return inner_.Scan(r, f);
    }
    core::Status ScanParallel(const core::ScanRequest& r,
                              const core::ParallelConsumer& c) const override {
        core::ParallelConsumer wrapped = c;
        wrapped.consume = [&](size_t w, const core::Batch& b) -> core::Status {
            {
                std::lock_guard lock(mu);
                workers.insert(w);
            }
            int seen = ++batches;
            if (fail_worker == static_cast<int>(w) && seen > 2) {
                return core::Status::IOError("injected failure in worker " + std::to_string(w));
            }
            if (cancel != nullptr && seen == 2) cancel->store(true);
            return c.consume(w, b);
        };
        return inner_.ScanParallel(r, wrapped);
    }

    mutable std::mutex mu;
    mutable std::set<size_t> workers;
    mutable std::atomic<int> batches{0};
    int fail_worker = -1;
    std::atomic<bool>* cancel = nullptr;

  private:
    const core::TableSource& inner_;
};

class ParallelExecTest : public ::testing::Test {
  protected:
    void SetUp() override {
        storage::StoreOptions o;
        o.dir = dir_.path();
        o.background_flush = false;
        o.block_rows = 64;
        o.parallel_min_rows = 1;  // split even this small table
        o.default_retention_days = 36500;
        auto store = storage::Store::Open(o);
        ASSERT_TRUE(store.ok()) << store.status().ToString();
        store_ = std::move(store).value();
        ASSERT_TRUE(store_->DefineTable("t", TableSchema(), "timestamp").ok());
        // Three flushes (a segment per day each) and rows still buffered.
        for (auto [first, count] :
             {std::pair<int64_t, int64_t>{0, 1500}, {1500, 1700}, {3200, 900}, {4100, 333}}) {
            std::vector<core::TableBatch> v;
            v.push_back({"t", Rows(first, count)});
            ASSERT_TRUE(store_->Append(std::move(v)).ok());
            if (first != 4100) {
                ASSERT_TRUE(store_->Flush().ok());
            }
        }
        probe_ = std::make_unique<Probe>(*store_);
    }

    core::Result<ExecResult> Run(const std::string& text, size_t threads,
                                 core::ScanStats* stats = nullptr,
                                 QueryGovernor* governor = nullptr) {
        auto q = syntax::Parse(text);
        if (!q.ok()) return q.status();
        Binder binder(*probe_, Context());
        ASSIGN_OR_RETURN(auto plans, binder.BindQuery(*q));
        Optimize(*plans.front());
        ExecOptions opts;
        opts.threads = threads;
        opts.governor = governor;
        ScanStatsTotal total;
        opts.stats = &total;
        auto r = ExecutePlan(*plans.front(), *probe_, opts);
        if (stats != nullptr) *stats = total.Get();
        return r;
    }

    std::vector<std::string> Lines(const std::string& text, size_t threads,
                                   core::ScanStats* stats = nullptr) {
        auto r = Run(text, threads, stats);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        if (!r.ok()) return {};
        std::vector<std::string> out{testing::FormatHeader(r->batch.schema)};
        for (size_t i = 0; i < r->batch.num_rows(); ++i) {
            out.push_back(testing::FormatRow(r->batch, i));
        }
        if (r->truncated) out.push_back("(truncated)");
        return out;
    }

    storage::testing::TempDir dir_;
    std::unique_ptr<storage::Store> store_;
    std::unique_ptr<Probe> probe_;
};

// Every aggregate, by no key, an int key with nulls, a string key, a dynamic key and two
// keys; filters and projects in between; top, sort and take; the answer and the scan
// statistics match the serial run exactly, group order included.
TEST_F(ParallelExecTest, SameAnswersAsSerial) {
    const std::vector<std::string> aggregates = {
        "count()",
        "countif(n > 10)",
        "sum(n)",
        "sum(value)",
        "sumif(value, n > 5)",
        "avg(value)",
        "avgif(n, value > 0)",
        "min(value)",
        "max(n)",
        "min(step)",
        "max(timestamp)",
        "minif(n, value < 0)",
        "maxif(value, n == 3)",
        "dcount(step)",
        "dcountif(run, n > 3)",
        "count_distinct(n)",
        "percentile(n, 95)",
        "percentiles(value, 0, 50, 99.9, 100)",
        "make_list(n)",
        "make_set(step)",
        "make_list_if(value, n == 100)",
        "make_set_if(n, value > 5)",
        "make_bag(dims)",
        "make_bag_if(dims, n == 100)",
        "arg_max(n, value, run)",
        "arg_min(n, timestamp)",
        "arg_max(step, n)",
        "take_any(value)",
        "take_any(step)",
        "take_anyif(run, n > 20)",
    };
    std::vector<std::string> queries;
    for (const auto& agg : aggregates) {
        // Aggregates of several columns cannot take one name.
        bool multi = agg.starts_with("percentiles") || agg.starts_with("arg_");
        std::string a = multi ? agg : "r = " + agg;
        for (const char* by : {"", " by run", " by step", " by tostring(dims.tag)",
                               " by run, bin(timestamp, 1d)"}) {
            queries.push_back("t | summarize " + a + by);
        }
        queries.push_back("t | where n != 4 | extend m = n * 2 | summarize " + a +
                          " by m % 5");
        // A filter right below: its rows reach the partial states ungathered.
        for (const char* by : {"", " by run", " by step", " by tostring(dims.tag)",
                               " by step, run"}) {
            queries.push_back("t | where n % 3 != 0 and isnotempty(step) | summarize " + a + by);
        }
        // Empty input: one row without keys, none with.
        queries.push_back("t | where n > 1000 | summarize " + a);
        queries.push_back("t | where n > 1000 | summarize " + a + " by run");
    }
    for (const char* q : {
             "t | count",
             "t | where value > 2 | count",
             "t | where n > 1000 | count",
             "t | top 7 by n desc",
             "t | top 50 by value asc nulls first, n desc | project run, value, n",
             "t | top 3 by step asc",
             "t | sort by n desc, value asc | project n, value, timestamp",
             "t | sort by step asc | project step, n",
             "t | where run == 3 | order by value desc",
             "t | take 5",
             "t | where value > 5 | take 40 | project value, n",
             "t | take 0",
             "t | where run == 14 | project timestamp, run, value",
             "t | project run, n",
             "t | where n > 1000",
             "t | extend x = value * 2 | where x > 0 | summarize s = sum(x), c = count() by "
             "step | order by step asc",
             "t | summarize c = count() by run | summarize total = sum(c), groups = count()",
             "t | where timestamp > datetime(2026-10-03) | summarize count() by run",
         }) {
        queries.push_back(q);
    }
    for (const auto& q : queries) {
        core::ScanStats serial_stats;
        std::vector<std::string> serial = Lines(q, 1, &serial_stats);
        for (size_t threads : {2, 3, 4}) {
            core::ScanStats stats;
            EXPECT_EQ(Lines(q, threads, &stats), serial) << q << " with " << threads;
            // A take stops each worker on its own: what was read differs.
            if (q.find("take") != std::string::npos) continue;
            EXPECT_EQ(stats.rows, serial_stats.rows) << q;
            EXPECT_EQ(stats.blocks, serial_stats.blocks) << q;
            EXPECT_EQ(stats.blocks_skipped, serial_stats.blocks_skipped) << q;
            EXPECT_EQ(stats.segments, serial_stats.segments) << q;
            EXPECT_EQ(stats.segments_skipped, serial_stats.segments_skipped) << q;
        }
    }
}

// Moments merged from partial states: equal to the serial answer up to rounding.
TEST_F(ParallelExecTest, VarianceMergesMoments) {
    for (const char* agg : {"stdev(value)", "stdevp(value)", "variance(n)", "variancep(value)",
                            "stdevif(value, n > 3)", "varianceif(n, value > 0)"}) {
        for (const char* by : {"", " by run", " by step"}) {
            std::string q = std::string("t | summarize r = ") + agg + by;
            auto serial = Run(q, 1);
            auto parallel = Run(q, 4);
            ASSERT_TRUE(serial.ok() && parallel.ok()) << q;
            const core::Batch& a = serial->batch;
            const core::Batch& b = parallel->batch;
            ASSERT_EQ(a.num_rows(), b.num_rows()) << q;
            size_t col = a.columns.size() - 1;
            for (size_t i = 0; i < a.num_rows(); ++i) {
                ASSERT_EQ(a.columns[col].IsNull(i), b.columns[col].IsNull(i)) << q;
                if (a.columns[col].IsNull(i)) continue;
                double x = a.columns[col].double_at(i), y = b.columns[col].double_at(i);
                EXPECT_NEAR(x, y, 1e-9 * std::max(1.0, std::abs(x))) << q << " row " << i;
                if (col > 0) {
                    EXPECT_EQ(testing::FormatCell(a.columns[0], i),
                              testing::FormatCell(b.columns[0], i));
                }
            }
        }
    }
}

TEST_F(ParallelExecTest, BlocksReachSeveralWorkers) {
    EXPECT_EQ(Lines("t | count", 4), (std::vector<std::string>{"Count:long", "4433"}));
    EXPECT_EQ(probe_->workers, (std::set<size_t>{0, 1, 2, 3}));
    // One thread: today's serial path, no parallel scan at all.
    probe_->workers.clear();
    Lines("t | count", 1);
    EXPECT_TRUE(probe_->workers.empty());
}

TEST(ParallelScanTest, SmallScansStayOnOneWorker) {
    storage::testing::TempDir dir;
    storage::StoreOptions o;
    o.dir = dir.path();
    o.background_flush = false;
    o.block_rows = 64;
    o.parallel_min_rows = 1000;
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->DefineTable("t", TableSchema(), "timestamp").ok());
    std::vector<core::TableBatch> v;
    v.push_back({"t", Rows(0, 2500)});
    ASSERT_TRUE((*store)->Append(std::move(v)).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    core::ScanRequest req;
    req.table = "t";
    req.columns = {"n"};
    std::mutex mu;
    std::set<size_t> seen;
    core::ParallelConsumer c;
    c.workers = 8;
    c.consume = [&](size_t w, const core::Batch&) {
        std::lock_guard lock(mu);
        seen.insert(w);
        return core::Status::Ok();
    };
    ASSERT_TRUE((*store)->ScanParallel(req, c).ok());
    EXPECT_EQ(seen, (std::set<size_t>{0, 1}));  // 2500 rows: two workers of >= 1000
    req.time = {kDay0, kDay0 + 100 * core::kTicksPerMinute};
    seen.clear();
    core::ScanStats stats;
    req.stats = &stats;
    ASSERT_TRUE((*store)->ScanParallel(req, c).ok());
    EXPECT_EQ(seen, (std::set<size_t>{0}));  // two blocks of the first 100 minutes survive
    EXPECT_EQ(stats.rows, 128u);
}

TEST_F(ParallelExecTest, TakeStopsEarly) {
    core::ScanStats stats;
    EXPECT_EQ(Lines("t | take 3 | project run", 4, &stats),
              (std::vector<std::string>{"run:long", "null", "1", "2"}));
    // Each worker stops after its first block; without the stop all 4433 rows are read.
    EXPECT_LE(stats.rows, 4u * 64u);
}

TEST_F(ParallelExecTest, RowCapTruncatesLikeSerial) {
    ExecOptions opts;
    for (size_t threads : {1, 4}) {
        auto q = syntax::Parse("t | where value > -2 | project n");
        ASSERT_TRUE(q.ok());
        Binder binder(*probe_, Context());
        auto plans = binder.BindQuery(*q);
        ASSERT_TRUE(plans.ok());
        opts.threads = threads;
        opts.max_rows = 1000;
        auto r = ExecutePlan(*plans->front(), *probe_, opts);
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r->truncated);
        EXPECT_EQ(r->batch.num_rows(), 1000u);
        static std::string first;
        std::string all;
        for (size_t i = 0; i < r->batch.num_rows(); ++i) all += testing::FormatRow(r->batch, i);
        if (threads == 1) first = all;
        EXPECT_EQ(all, first);
    }
}

TEST_F(ParallelExecTest, AnErrorInOneWorkerStopsTheQuery) {
    probe_->fail_worker = 1;
    for (const char* q : {"t | summarize count() by run", "t | count", "t | top 3 by n",
                          "t | project n"}) {
        probe_->batches = 0;
        auto r = Run(q, 2);
        ASSERT_FALSE(r.ok()) << q;
        EXPECT_EQ(r.status().code(), core::StatusCode::kIOError);
        EXPECT_EQ(r.status().message(), "injected failure in worker 1");
    }
}

// The first error of a worker ends the others at their next block.
TEST_F(ParallelExecTest, StoreStopsEveryWorkerOnAnError) {
    core::ScanRequest req;
    req.table = "t";
    req.columns = {"n"};
    std::atomic<int> worker0{0};
    core::ParallelConsumer c;
    c.workers = 2;
    c.consume = [&](size_t w, const core::Batch&) {
        if (w == 1) return core::Status::Corruption("worker 1 gives up");
        ++worker0;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return core::Status::Ok();
    };
    core::Status s = store_->ScanParallel(req, c);
    EXPECT_EQ(s.code(), core::StatusCode::kCorruption);
    EXPECT_EQ(s.message(), "worker 1 gives up");
    EXPECT_LT(worker0.load(), 15);  // its run has about 35 blocks
}

TEST_F(ParallelExecTest, CancellationStopsAllWorkers) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    probe_->cancel = flag.get();
    QueryLimits limits;
    limits.cancelled = flag;
    QueryGovernor governor(limits);
    auto r = Run("t | summarize make_list(n) by run", 4, nullptr, &governor);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
    EXPECT_LT(probe_->batches.load(), 20);
}

TEST_F(ParallelExecTest, MemoryBudgetCountsEveryWorker) {
    QueryLimits limits;
    limits.max_memory_bytes = 64 << 10;
    QueryGovernor governor(limits);
    auto r = Run("t | summarize make_list(dims) by run", 4, nullptr, &governor);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kLimitExceeded);
    EXPECT_NE(r.status().message().find("summarize"), std::string::npos)
        << r.status().message();
    EXPECT_EQ(governor.used_bytes(), 0);  // every worker's charge released
}

// A dictionary-coded string key groups by code within a block: the same groups, in the
// same order, as the plain strings strcat() makes of it.
TEST_F(ParallelExecTest, DictionaryKeysGroupLikePlainStrings) {
    core::ScanRequest req;
    req.table = "t";
    req.columns = {"step"};
    bool dictionary = false;
    ASSERT_TRUE(store_
                    ->Scan(req,
                           [&](const core::Batch& b) {
                               dictionary = dictionary || b.columns[0].is_dictionary();
                               return core::Status::Ok();
                           })
                    .ok());
    ASSERT_TRUE(dictionary);  // else this test checks nothing
    for (size_t threads : {1, 3}) {
        EXPECT_EQ(Lines("t | summarize c = count(), s = sum(n), l = make_list(run) by k = step",
                        threads),
                  Lines("t | summarize c = count(), s = sum(n), l = make_list(run) by k = "
                        "strcat(step, '')",
                        threads));
    }
}

// Filters test a string column straight into their row list (by dictionary value when
// coded) and pass on only the columns the nodes above read: the same rows as the
// evaluated kernels on plain strings (strcat() makes them), serially and in parallel.
TEST_F(ParallelExecTest, StringTestsAndPrunedFiltersSelectLikeKernels) {
    const std::vector<std::pair<std::string, std::string>> same = {
        {"t | where step == 's3' | summarize c = count(), s = sum(n) by run",
         "t | where strcat(step, '') == 's3' | summarize c = count(), s = sum(n) by run"},
        {"t | where 's1' == step and n > 3 | summarize make_list(timestamp) by step",
         "t | where strcat(step, '') == 's1' and n > 3 | summarize make_list(timestamp) by step"},
        {"t | where isnotempty(step) | summarize count() by step",
         "t | where isnotempty(strcat(step, '')) | summarize count() by step"},
        {"t | where isempty(step) | project run, value",
         "t | where isempty(strcat(step, '')) | project run, value"},
        {"t | where step == 'nope' | count", "t | where strcat(step, '') == 'nope' | count"},
        {"t | where isnotempty(tostring(dims.tag)) and tostring(dims.tag) == 'odd' | count",
         "t | where strcat(tostring(dims.tag), '') == 'odd' | count"},
        {"t | where step == 's2' | where value > 0 | summarize max(n) by bin(timestamp, 1d)",
         "t | where strcat(step, '') == 's2' and value > 0 | summarize max(n) by "
         "bin(timestamp, 1d)"},
        {"t | where step == 's4' | top 5 by n desc | project n, run",
         "t | where strcat(step, '') == 's4' | top 5 by n desc | project n, run"},
    };
    for (const auto& [fast, slow] : same) {
        const std::vector<std::string> want = Lines(slow, 1);
        ASSERT_GT(want.size(), 1u) << slow;
        for (size_t threads : {1, 2, 3}) EXPECT_EQ(Lines(fast, threads), want) << fast;
    }
}

// The store's parallel scan on its own: consecutive runs in Scan's order, stats summed.
TEST_F(ParallelExecTest, StoreRunsAreScanOrder) {
    core::ScanRequest req;
    req.table = "t";
    req.columns = {"timestamp"};
    std::vector<int64_t> serial;
    ASSERT_TRUE(store_
                    ->Scan(req,
                           [&](const core::Batch& b) {
                               for (size_t i = 0; i < b.num_rows(); ++i)
                                   serial.push_back(b.columns[0].int64_at(i));
                               return core::Status::Ok();
                           })
                    .ok());
    for (size_t workers : {1, 2, 3, 5, 200}) {
        std::vector<std::vector<int64_t>> parts(workers);
        core::ParallelConsumer c;
        c.workers = workers;
        c.consume = [&](size_t w, const core::Batch& b) {
            for (size_t i = 0; i < b.num_rows(); ++i) parts[w].push_back(b.columns[0].int64_at(i));
            return core::Status::Ok();
        };
        core::ScanStats stats;
        req.stats = &stats;
        ASSERT_TRUE(store_->ScanParallel(req, c).ok());
        req.stats = nullptr;
        std::vector<int64_t> all;
        for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
        EXPECT_EQ(all, serial) << workers;
        EXPECT_EQ(stats.rows, serial.size());
        if (workers <= 5) {
            for (const auto& p : parts) EXPECT_FALSE(p.empty()) << workers;
        }
    }
}

}  // namespace
}  // namespace calypso::kql
