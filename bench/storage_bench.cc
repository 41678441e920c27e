// Storage microbenchmarks: append throughput (WAL + group commit), column decode per
// type, and a segment scan. Run: build/release/bench/storage_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <thread>

#include "core/time.h"
#include "storage/batch_codec.h"
#include "storage/segment.h"
#include "storage/store.h"

namespace calypso::storage {
namespace {

std::string TempDir(const char* name) {
    auto p = std::filesystem::temp_directory_path() / (std::string("calypso-bench-") + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p.string();
}

// Pipeline log rows: timestamp, message, severity and customDimensions.
core::Batch LogRows(size_t n, uint64_t seed) {
    core::Schema schema{{{"timestamp", core::Type::kDatetime},
                         {"message", core::Type::kString},
                         {"severityLevel", core::Type::kInt},
                         {"customDimensions", core::Type::kDynamic}}};
    core::Batch b = core::Batch::Empty(schema);
    std::mt19937_64 rng(seed);
    static const char* kSteps[] = {"prep_data", "train_model", "evaluate", "register_model"};
    const int64_t base = core::NowTicks();
    for (size_t i = 0; i < n; ++i) {
        const auto run = rng() % 3000;
        const char* step = kSteps[rng() % 4];
        b.columns[0].AppendInt64(base + static_cast<int64_t>(i) * core::kTicksPerMillisecond);
        b.columns[1].AppendString("epoch " + std::to_string(rng() % 100) + " of " + step +
                                  " done, loss " + std::to_string(rng() % 1000));
        b.columns[2].AppendInt64(static_cast<int64_t>(rng() % 4));
        b.columns[3].AppendDynamic(core::Dynamic::MakeObject(
            {{"parent_run_id", core::Dynamic::String("run-" + std::to_string(run))},
             {"step_id", core::Dynamic::String("run-" + std::to_string(run) + "-" + step)},
             {"step_name", core::Dynamic::String(step)},
             {"experiment_name", core::Dynamic::String("exp-" + std::to_string(run % 50))},
             {"run_type", core::Dynamic::String(run % 3 == 0 ? "training" : "inference")}}));
    }
    return b;
}

// Appends of 1,000 rows from `threads` writers; each append is fsynced (group commit).
void BM_Append(benchmark::State& state) {
    const std::string dir = TempDir("append");
    StoreOptions o;
    o.dir = dir;
    o.background_flush = false;
    auto store = Store::Open(o);
    const core::Batch rows = LogRows(1000, 1);
    for (auto _ : state) {
        std::vector<std::thread> writers;
        for (int t = 0; t < state.range(0); ++t) {
            writers.emplace_back([&] {
                for (int i = 0; i < 10; ++i) {
                    std::vector<core::TableBatch> v;
                    v.push_back({"traces", rows});
                    if (!(*store)->Append(std::move(v)).ok()) std::abort();
                }
            });
        }
        for (auto& w : writers) w.join();
    }
    state.SetItemsProcessed(state.iterations() * state.range(0) * 10 * 1000);
    store->reset();
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Append)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

// Decoding one encoded column of 100,000 rows, by type.
void BM_DecodeColumn(benchmark::State& state) {
    const core::Batch rows = LogRows(100'000, 2);
    std::string encoded;
    EncodeColumn(rows.columns[static_cast<size_t>(state.range(0))], encoded);
    for (auto _ : state) {
        auto col = DecodeColumn(encoded);
        benchmark::DoNotOptimize(col);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(encoded.size()));
    state.SetItemsProcessed(state.iterations() * 100'000);
    state.SetLabel(rows.schema.fields[static_cast<size_t>(state.range(0))].name);
}
BENCHMARK(BM_DecodeColumn)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

// Reading one column of a 200,000-row segment from the file (read, checksum, zstd, decode).
void BM_SegmentReadColumn(benchmark::State& state) {
    const std::string dir = TempDir("segment");
    const core::Batch rows = LogRows(200'000, 3);
    auto info = WriteSegment(core::Env::Default(), dir + "/1.seg", "traces", rows, 0);
    const char* names[] = {"timestamp", "message", "severityLevel", "customDimensions"};
    const char* name = names[state.range(0)];
    uint64_t raw = 0;
    for (const auto& c : info->columns) raw += c.name == name ? c.raw_size : 0;
    for (auto _ : state) {
        auto reader = SegmentReader::Open(core::Env::Default(), dir + "/1.seg");
        auto col = reader->ReadColumn(name);
        benchmark::DoNotOptimize(col);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw));
    state.SetItemsProcessed(state.iterations() * 200'000);
    state.SetLabel(name);
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SegmentReadColumn)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace calypso::storage

namespace calypso::storage {
namespace {

// Reading one shredded key (customDimensions.parent_run_id) of a 200,000-row segment: one
// string sub-column, no JSON parsed. Compare with BM_SegmentReadColumn/3.
void BM_SegmentReadShreddedKey(benchmark::State& state) {
    const std::string dir = TempDir("segment-key");
    const core::Batch rows = LogRows(200'000, 3);
    auto info = WriteSegment(core::Env::Default(), dir + "/1.seg", "traces", rows, 0);
    for (auto _ : state) {
        auto reader = SegmentReader::Open(core::Env::Default(), dir + "/1.seg");
        auto col = reader->ReadKey("customDimensions", "parent_run_id");
        benchmark::DoNotOptimize(col);
    }
    state.SetItemsProcessed(state.iterations() * 200'000);
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SegmentReadShreddedKey)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace calypso::storage
