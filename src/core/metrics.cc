#include "core/metrics.h"

#include <algorithm>

namespace calypso::core {

MetricHistogram::MetricHistogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
    for (size_t i = 0; i <= bounds.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void MetricHistogram::Observe(double v) {
    // The first bucket whose upper bound is >= v (Prometheus buckets are "le").
    const size_t i =
        static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
}

void MetricHistogram::Read(MetricSeries& out) const {
    out.buckets.assign(bounds_.size(), 0);
    uint64_t running = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        out.buckets[i] = running;
    }
    out.count = running + counts_[bounds_.size()].load(std::memory_order_relaxed);
    out.sum = sum_.load(std::memory_order_relaxed);
}

namespace internal {

template <class T>
T* SeriesMap<T>::Make() {
    if constexpr (std::is_same_v<T, MetricHistogram>) {
        return new T(bounds_);
    } else {
        return new T();
    }
}

template <class T>
T& SeriesMap<T>::With(const std::vector<std::string>& values) {
    std::lock_guard lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
    if (series_.size() >= max_series_) {
        std::vector<std::string> other(labels_, "other");
        auto& slot = series_[other];  // may exceed the cap by this one series
        if (!slot) slot.reset(Make());
        return *slot;
    }
    auto& slot = series_[values];
    slot.reset(Make());
    return *slot;
}

template <class T>
void SeriesMap<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& f) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, series] : series_) f(values, *series);
}

template class SeriesMap<MetricCounter>;
template class SeriesMap<MetricGauge>;
template class SeriesMap<MetricHistogram>;

}  // namespace internal

const std::vector<double>& LatencyBuckets() {
    static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return kBuckets;
}

MetricsRegistry::Entry& MetricsRegistry::Declare(MetricFamily meta) {
    auto [it, inserted] = families_.try_emplace(meta.name);
    if (inserted) it->second.meta = std::move(meta);
    return it->second;
}

CounterFamily& MetricsRegistry::Counter(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names, size_t max_series) {
    std::lock_guard lock(mu_);
    const size_t labels = label_names.size();
    Entry& e = Declare({name, help, "", MetricType::kCounter, std::move(label_names), {}, {}});
    if (!e.counter) e.counter = std::make_unique<CounterFamily>(labels, max_series);
    return *e.counter;
}

GaugeFamily& MetricsRegistry::Gauge(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names, const std::string& unit,
                                    size_t max_series) {
    std::lock_guard lock(mu_);
    const size_t labels = label_names.size();
    Entry& e = Declare({name, help, unit, MetricType::kGauge, std::move(label_names), {}, {}});
    if (!e.gauge) e.gauge = std::make_unique<GaugeFamily>(labels, max_series);
    return *e.gauge;
}

HistogramFamily& MetricsRegistry::Histogram(const std::string& name, const std::string& help,
                                            std::vector<std::string> label_names,
                                            std::vector<double> bounds, const std::string& unit,
                                            size_t max_series) {
    std::lock_guard lock(mu_);
    std::sort(bounds.begin(), bounds.end());
    const size_t labels = label_names.size();
    Entry& e =
        Declare({name, help, unit, MetricType::kHistogram, std::move(label_names), bounds, {}});
    if (!e.histogram) {
        e.histogram = std::make_unique<HistogramFamily>(labels, max_series, std::move(bounds));
    }
    return *e.histogram;
}

size_t MetricsRegistry::AddCollector(std::function<void(std::vector<MetricFamily>&)> collect) {
    std::lock_guard lock(mu_);
    const size_t id = next_collector_++;
    collectors_[id] = std::move(collect);
    return id;
}

void MetricsRegistry::RemoveCollector(size_t id) {
    std::lock_guard lock(mu_);
    collectors_.erase(id);
}

std::vector<MetricFamily> MetricsRegistry::Collect() const {
    std::vector<MetricFamily> out;
    {
        std::lock_guard lock(mu_);
        for (const auto& [name, e] : families_) {
            MetricFamily f = e.meta;
            if (e.counter) {
                e.counter->ForEach([&](const auto& labels, const MetricCounter& c) {
                    f.series.push_back({labels, c.value(), {}, 0, 0});
                });
            } else if (e.gauge) {
                e.gauge->ForEach([&](const auto& labels, const MetricGauge& g) {
                    f.series.push_back({labels, g.value(), {}, 0, 0});
                });
            } else if (e.histogram) {
                e.histogram->ForEach([&](const auto& labels, const MetricHistogram& h) {
                    MetricSeries s;
                    s.label_values = labels;
                    h.Read(s);
                    f.series.push_back(std::move(s));
                });
            }
            out.push_back(std::move(f));
        }
        // Collectors run under the lock so that RemoveCollector waits for a running one.
        for (const auto& [id, collect] : collectors_) collect(out);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const MetricFamily& a, const MetricFamily& b) { return a.name < b.name; });
    return out;
}

MetricsRegistry& DefaultMetrics() {
    static MetricsRegistry* registry = new MetricsRegistry();  // never destroyed: used at exit
    return *registry;
}

}  // namespace calypso::core
