// Storage microbenchmarks: append throughput (WAL + group commit), block decode per
// encoding, building block filters, reading columns from segment files (zstd and LZ4), and a
// store scan with a pushed-down equality on a shredded key. Run: build/release/bench/storage_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <thread>

#include "core/time.h"
#include "storage/block_filter.h"
#include "storage/encoding.h"
#include "storage/segment.h"
#include "storage/shred.h"
#include "storage/store.h"
#include "storage/term_index.h"

namespace calypso::storage {
namespace {

std::string TempDir(const char* name) {
    auto p = std::filesystem::temp_directory_path() / (std::string("calypso-bench-") + name);
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p.string();
}

// Pipeline log rows: timestamp, message, severity and customDimensions. Like real pipelines,
// a run's rows are close in time: about 8 runs are active in any 1,000 rows.
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
        const auto run = (i / 1000 + rng() % 8) % 3000;
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

// Decoding 8,192-row blocks, by the encoding the data chose. Bytes are the encoded block
// bytes before compression (for plain strings: the string bytes plus packed lengths).
void BM_DecodeBlocks(benchmark::State& state) {
    const core::Batch rows = LogRows(200'000, 2);
    ShreddedColumn shredded = Shred(rows.columns[3]);
    core::Column step_name;
    for (auto& [key, col] : shredded.keys) {
        if (key == "step_name") step_name = col;
    }
    const core::Column* columns[] = {&rows.columns[0], &rows.columns[2], &rows.columns[1],
                                     &step_name, &rows.columns[3]};
    const char* labels[] = {"timestamp (delta)", "severityLevel (frame of reference)",
                            "message (plain string)", "step_name key (dictionary)",
                            "customDimensions (binary dynamic)"};
    const core::Column& column = *columns[state.range(0)];
    std::vector<std::string> blocks;
    for (size_t begin = 0; begin < column.size(); begin += kDefaultBlockRows) {
        std::string raw;
        BlockSummary summary;
        EncodeBlock(column, begin, std::min(column.size(), begin + kDefaultBlockRows), raw,
                    summary);
        blocks.push_back(std::move(raw));
    }
    int64_t bytes = 0;
    for (const auto& b : blocks) bytes += static_cast<int64_t>(b.size());
    for (auto _ : state) {
        size_t left = column.size();
        for (const auto& b : blocks) {
            const size_t n = std::min(left, kDefaultBlockRows);
            auto col = DecodeBlock(column.type(), b, n);
            if (!col.ok()) std::abort();
            benchmark::DoNotOptimize(col);
            left -= n;
        }
    }
    state.SetBytesProcessed(state.iterations() * bytes);
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(column.size()));
    state.SetLabel(labels[state.range(0)]);
}
BENCHMARK(BM_DecodeBlocks)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

// Building the Bloom filter of values and terms that a flush writes for every string block:
// the message column (mostly distinct values, ~8 terms each) and the step_name key (4 values).
void BM_BuildBlockFilter(benchmark::State& state) {
    const core::Batch rows = LogRows(kDefaultBlockRows * 8, 3);
    core::Column step_name;
    for (auto& [key, col] : Shred(rows.columns[3]).keys) {
        if (key == "step_name") step_name = col;
    }
    const core::Column& column = state.range(0) == 0 ? rows.columns[1] : step_name;
    std::string out;
    for (auto _ : state) {
        for (size_t begin = 0; begin < column.size(); begin += kDefaultBlockRows) {
            out.clear();
            BlockFilter::Build(column, begin, begin + kDefaultBlockRows, out);
            benchmark::DoNotOptimize(out);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(column.size()));
    state.SetLabel(state.range(0) == 0 ? "message" : "step_name key");
}
BENCHMARK(BM_BuildBlockFilter)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Building the term index a flush writes for a text column (the same message rows): the
// flush cost of the index beside that of the filters above.
void BM_BuildTermIndex(benchmark::State& state) {
    const core::Batch rows = LogRows(kDefaultBlockRows * 8, 3);
    for (auto _ : state) {
        std::string index = TermIndex::Build(rows.columns[1]);
        benchmark::DoNotOptimize(index);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.num_rows()));
}
BENCHMARK(BM_BuildTermIndex)->Unit(benchmark::kMillisecond);

// Reading one column of a 200,000-row segment file block by block, as scans do (read,
// checksum, decompress, decode): zstd (cold data) and LZ4 (recent data).
void BM_SegmentReadColumn(benchmark::State& state) {
    const std::string dir = TempDir("segment");
    const core::Batch rows = LogRows(200'000, 3);
    SegmentWriteOptions options;
    options.codec = state.range(1) == 0 ? Codec::kZstd : Codec::kLz4;
    auto info = WriteSegment(core::Env::Default(), dir + "/1.seg", "traces", rows, 0, options);
    const char* names[] = {"timestamp", "message", "severityLevel", "customDimensions"};
    const char* name = names[state.range(0)];
    uint64_t raw = 0;
    for (const auto& c : info->columns) raw += c.name == name ? c.raw_size() : 0;
    auto reader = *SegmentReader::Open(core::Env::Default(), dir + "/1.seg");
    for (auto _ : state) {
        for (size_t b = 0; b < reader->info().num_blocks(); ++b) {
            auto col = reader->ReadColumnBlock(name, b);
            if (!col.ok()) std::abort();
            benchmark::DoNotOptimize(col);
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw));
    state.SetItemsProcessed(state.iterations() * 200'000);
    state.SetLabel(std::string(name) + (state.range(1) == 0 ? " zstd" : " lz4"));
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SegmentReadColumn)->ArgsProduct({{0, 1, 2, 3}, {0, 1}})->Unit(benchmark::kMillisecond);

// `traces | where customDimensions.parent_run_id == X` as the query engine asks the store:
// the key as a column and the equality as a predicate, over 1,000,000 rows in segments.
// Block filters skip the blocks without X; the counters say how much was read.
void BM_ScanShreddedKeyEquality(benchmark::State& state) {
    const std::string dir = TempDir("scan-key");
    StoreOptions o;
    o.dir = dir;
    o.background_flush = false;
    o.cache_bytes = 0;  // every iteration reads from the files (the OS page cache is warm)
    auto store = Store::Open(o);
    for (int part = 0; part < 5; ++part) {
        std::vector<core::TableBatch> v;
        v.push_back({"traces", LogRows(200'000, 10 + static_cast<uint64_t>(part))});
        if (!(*store)->Append(std::move(v)).ok() || !(*store)->Flush().ok()) std::abort();
    }
    core::ScanRequest req;
    req.table = "traces";
    req.columns = {"timestamp", "message"};
    req.keys = {{"customDimensions", "parent_run_id"}};
    req.predicates = {
        {"customDimensions.parent_run_id", core::ScanPredicate::Op::kEquals, {"run-42"}}};
    core::ScanStats stats;
    size_t matched = 0;
    for (auto _ : state) {
        stats = {};
        req.stats = &stats;
        matched = 0;
        auto s = (*store)->Scan(req, [&](const core::Batch& b) {
            const auto& key = b.columns[2];
            for (size_t i = 0; i < b.num_rows(); ++i) {
                matched += !key.IsNull(i) && key.dynamic_at(i).as_string() == "run-42";
            }
            return core::Status::Ok();
        });
        if (!s.ok()) std::abort();
    }
    state.counters["rows_matched"] = static_cast<double>(matched);
    state.counters["blocks_read"] = static_cast<double>(stats.blocks - stats.blocks_skipped);
    state.counters["blocks_total"] = static_cast<double>(stats.blocks);
    state.counters["bytes_read"] = static_cast<double>(stats.bytes_read);
    store->reset();
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ScanShreddedKeyEquality)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace calypso::storage
