#include <gtest/gtest.h>

#include <thread>

#include "core/metrics.h"

namespace calypso::core {
namespace {

TEST(MetricsRegistry, HistogramBucketsAreCumulative) {
    MetricsRegistry r;
    auto& h = r.Histogram("h_seconds", "help", {}, {1, 0.1, 10}, "seconds").With({});
    for (double v : {0.01, 0.1, 0.5, 1.0, 3.0, 100.0}) h.Observe(v);
    auto families = r.Collect();
    ASSERT_EQ(families.size(), 1u);
    EXPECT_EQ(families[0].bounds, (std::vector<double>{0.1, 1, 10})) << "sorted";
    const MetricSeries& s = families[0].series.at(0);
    // le is inclusive: 0.1 falls in the 0.1 bucket, 1.0 in the 1 bucket.
    EXPECT_EQ(s.buckets, (std::vector<uint64_t>{2, 4, 5}));
    EXPECT_EQ(s.count, 6u);
    EXPECT_DOUBLE_EQ(s.sum, 104.61);
}

TEST(MetricsRegistry, SameNameIsTheSameFamily) {
    MetricsRegistry r;
    r.Counter("c", "h", {"a"}).With({"x"}).Add(2);
    r.Counter("c", "other help", {"a"}).With({"x"}).Add(3);
    auto families = r.Collect();
    ASSERT_EQ(families.size(), 1u);
    EXPECT_EQ(families[0].help, "h");
    EXPECT_EQ(families[0].series.at(0).value, 5);
}

TEST(MetricsRegistry, LabelSetsAreCappedWithAnOverflowSeries) {
    MetricsRegistry r;
    auto& f = r.Counter("runs", "h", {"experiment", "status"}, 3);
    for (int i = 0; i < 10; ++i) f.With({"exp" + std::to_string(i), "Completed"}).Add();
    f.With({"exp0", "Completed"}).Add();  // an existing series still counts as itself
    auto families = r.Collect();
    const auto& series = families.at(0).series;
    ASSERT_EQ(series.size(), 4u);
    double other = 0, exp0 = 0;
    for (const auto& s : series) {
        if (s.label_values == std::vector<std::string>{"other", "other"}) other = s.value;
        if (s.label_values == std::vector<std::string>{"exp0", "Completed"}) exp0 = s.value;
    }
    EXPECT_EQ(other, 7);
    EXPECT_EQ(exp0, 2);
}

TEST(MetricsRegistry, CollectorsAddFamiliesUntilRemoved) {
    MetricsRegistry r;
    r.Gauge("b", "h", {}).With({}).Set(1);
    const size_t id = r.AddCollector([](std::vector<MetricFamily>& out) {
        out.push_back({"a_bytes", "h", "bytes", MetricType::kGauge, {}, {}, {{{}, 42, {}, 0, 0}}});
    });
    auto families = r.Collect();
    ASSERT_EQ(families.size(), 2u);
    EXPECT_EQ(families[0].name, "a_bytes") << "sorted by name";
    EXPECT_EQ(families[0].series.at(0).value, 42);
    r.RemoveCollector(id);
    EXPECT_EQ(r.Collect().size(), 1u);
}

TEST(MetricsRegistry, ConcurrentRecording) {
    MetricsRegistry r;
    auto& c = r.Counter("c", "h", {"t"});
    auto& h = r.Histogram("h", "h", {}, {1});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10000; ++i) {
                c.With({t % 2 == 0 ? "even" : "odd"}).Add();
                h.With({}).Observe(0.5);
            }
        });
    }
    for (auto& t : threads) t.join();
    double total = 0;
    for (const auto& f : r.Collect()) {
        if (f.name == "c") {
            for (const auto& s : f.series) total += s.value;
        } else {
            EXPECT_EQ(f.series.at(0).count, 40000u);
            EXPECT_EQ(f.series.at(0).buckets.at(0), 40000u);
        }
    }
    EXPECT_EQ(total, 40000);
}

}  // namespace
}  // namespace calypso::core
