#pragma once

// Counters, gauges and histograms that any module can record into without knowing how
// they are exported (src/export renders them in the Prometheus text formats).
//
// Recording is lock-free: a family hands out a series once (a mutex and a map lookup) and
// the series is a few atomics. Keep the series pointer when the labels are fixed; look it
// up per request otherwise. Series live as long as their registry.
//
// Label cardinality is bounded: a family holds at most `max_series` label sets; past that,
// every new label set is recorded in one overflow series whose label values are all
// "other". Never use unbounded values (run ids, user input) as labels without a cap.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace calypso::core {

enum class MetricType { kCounter, kGauge, kHistogram };

// One label set's values at the time of Collect.
struct MetricSeries {
    std::vector<std::string> label_values;  // in the order of MetricFamily::label_names
    double value = 0;                       // counter, gauge
    std::vector<uint64_t> buckets;          // histogram: cumulative count per bound
    uint64_t count = 0;                     // histogram: observations (the +Inf bucket)
    double sum = 0;                         // histogram: sum of observations
};

// A family as exported: names follow Prometheus rules. A counter's name has no `_total`
// (the formatter adds it); a family with a unit ends with `_<unit>`.
struct MetricFamily {
    std::string name;
    std::string help;
    std::string unit;  // "seconds", "bytes" or ""
    MetricType type = MetricType::kCounter;
    std::vector<std::string> label_names;
    std::vector<double> bounds;  // histogram upper bounds, ascending, +Inf implied
    std::vector<MetricSeries> series;
};

class MetricCounter {
  public:
    void Add(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0};
};

class MetricGauge {
  public:
    void Set(double v) { value_.store(v, std::memory_order_relaxed); }
    void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0};
};

class MetricHistogram {
  public:
    explicit MetricHistogram(const std::vector<double>& bounds);
    void Observe(double v);
    // Cumulative bucket counts (one per bound), total count and sum.
    void Read(MetricSeries& out) const;

  private:
    const std::vector<double>& bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bound, then one for +Inf
    std::atomic<double> sum_{0};
};

namespace internal {
// The label sets of one family; T is MetricCounter, MetricGauge or MetricHistogram.
template <class T>
class SeriesMap {
  public:
    SeriesMap(size_t labels, size_t max_series, std::vector<double> bounds = {})
        : labels_(labels), max_series_(max_series), bounds_(std::move(bounds)) {}
    // REQUIRES: values.size() == number of label names.
    T& With(const std::vector<std::string>& values);
    // Calls f(label values, series) for every series, in label order.
    void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& f) const;
    const std::vector<double>& bounds() const { return bounds_; }

  private:
    T* Make();
    size_t labels_, max_series_;
    std::vector<double> bounds_;
    mutable std::mutex mu_;
    std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};
}  // namespace internal

using CounterFamily = internal::SeriesMap<MetricCounter>;
using GaugeFamily = internal::SeriesMap<MetricGauge>;
using HistogramFamily = internal::SeriesMap<MetricHistogram>;

// Buckets for request and fsync latencies, in seconds: 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

class MetricsRegistry {
  public:
    static constexpr size_t kDefaultMaxSeries = 1000;

    // Get-or-create by name. A second call with the same name returns the first family
    // (its labels, help and buckets stay as first declared).
    CounterFamily& Counter(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names,
                           size_t max_series = kDefaultMaxSeries);
    GaugeFamily& Gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> label_names, const std::string& unit = "",
                       size_t max_series = kDefaultMaxSeries);
    HistogramFamily& Histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names, std::vector<double> bounds,
                               const std::string& unit = "", size_t max_series = kDefaultMaxSeries);

    // A function that adds families computed at collection time (store sizes, say).
    // Returns an id for RemoveCollector; remove it before what it reads goes away. A
    // collector runs under the registry's lock: it must not call the registry.
    size_t AddCollector(std::function<void(std::vector<MetricFamily>&)> collect);
    void RemoveCollector(size_t id);

    // Every family, sorted by name.
    std::vector<MetricFamily> Collect() const;

  private:
    struct Entry {
        MetricFamily meta;  // without series
        std::unique_ptr<CounterFamily> counter;
        std::unique_ptr<GaugeFamily> gauge;
        std::unique_ptr<HistogramFamily> histogram;
    };
    Entry& Declare(MetricFamily meta);

    mutable std::mutex mu_;
    std::map<std::string, Entry> families_;
    std::map<size_t, std::function<void(std::vector<MetricFamily>&)>> collectors_;
    size_t next_collector_ = 1;
};

// The process-wide registry that the server's /metrics exposes.
MetricsRegistry& DefaultMetrics();

}  // namespace calypso::core
