#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/appinsights.h"

namespace calypso::ingest {
namespace {

constexpr std::string_view kIKey = "00000000-0000-0000-0000-000000000001";

IKeyLookup BenchLookup() {
    return [](std::string_view ikey) -> std::optional<AppInfo> {
        if (ikey == kIKey) return AppInfo{"ml-app", "11111111-2222-3333-4444-555555555555"};
        return std::nullopt;
    };
}

std::string Hex(uint64_t v, int digits) {
    std::string out(static_cast<size_t>(digits), '0');
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xF];
    return out;
}

// One trace the way an ML pipeline's logger sends it: SDK tags, a log line, a severity and
// the run's custom dimensions.
std::string TraceEnvelope(uint64_t i) {
    static constexpr std::string_view kSteps[] = {"load_data", "featurize", "train", "evaluate",
                                                  "register_model"};
    static constexpr std::string_view kRunTypes[] = {"training", "hyperdrive", "pipeline"};
    const uint64_t run = i / 50;
    const uint64_t step = (i / 10) % 5;
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-23T18:%02u:%02u.%03uZ",
                  static_cast<unsigned>((i / 60000) % 60), static_cast<unsigned>((i / 1000) % 60),
                  static_cast<unsigned>(i % 1000));
    std::string e;
    e.reserve(1024);
    e += R"({"name":"Microsoft.ApplicationInsights.Message","time":")";
    e += time;
    e += R"(","sampleRate":100,"iKey":")";
    e += kIKey;
    e += R"(","tags":{"ai.cloud.role":"trainer","ai.cloud.roleInstance":"vm-)";
    e += std::to_string(run % 8);
    e += R"(","ai.operation.id":")";
    e += Hex(run * 7919, 32);
    e += R"(","ai.operation.parentId":")";
    e += Hex(i * 104729, 16);
    e += R"(","ai.internal.sdkVersion":"py3.11.4:otel1.24.0:ext1.0.0b21"},)";
    e += R"("data":{"baseType":"MessageData","baseData":{"ver":2,"message":")";
    e += "Step ";
    e += kSteps[step];
    e += " processed batch ";
    e += std::to_string(i);
    e += " of run ";
    e += std::to_string(run);
    e += R"(: loss=0.)";
    e += std::to_string(100000 + (i * 7) % 900000);
    e += R"(","severityLevel":")";
    e += i % 17 == 0 ? "Warning" : "Information";
    e += R"(","properties":{"parent_run_id":")";
    e += Hex(run * 31337, 8) + "-" + Hex(run, 4) + "-4000-8000-" + Hex(run * 97, 12);
    e += R"(","step_id":")";
    e += Hex(run * 5 + step, 8) + "-" + Hex(step, 4) + "-4000-8000-" + Hex(i, 12);
    e += R"(","step_name":")";
    e += kSteps[step];
    e += R"(","experiment_name":"churn-model-)";
    e += std::to_string(run % 4);
    e += R"(","run_type":")";
    e += kRunTypes[run % 3];
    e += R"(","code.lineno":)";
    e += std::to_string(40 + step * 13);
    e += "}}}}";
    return e;
}

std::string ArrayBody(size_t n) {
    std::string body = "[";
    for (size_t i = 0; i < n; ++i) {
        if (i > 0) body += ',';
        body += TraceEnvelope(i);
    }
    body += ']';
    return body;
}

std::string NdjsonBody(size_t n) {
    std::string body;
    for (size_t i = 0; i < n; ++i) {
        body += TraceEnvelope(i);
        body += '\n';
    }
    return body;
}

std::string Gzip(std::string_view in) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return {};
    }
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string();
}

void Decode(benchmark::State& state, const std::string& body, size_t envelopes) {
    const IKeyLookup lookup = BenchLookup();
    for (auto _ : state) {
        auto result = DecodeTrack(body, lookup);
        if (!result.ok() || !result->errors.empty() || result->items_received != envelopes) {
            state.SkipWithError("decode failed");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(envelopes));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_DecodeTrack_JsonArray(benchmark::State& state) {
    const auto n = static_cast<size_t>(state.range(0));
    Decode(state, ArrayBody(n), n);
}
BENCHMARK(BM_DecodeTrack_JsonArray)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_DecodeTrack_Ndjson(benchmark::State& state) {
    const auto n = static_cast<size_t>(state.range(0));
    Decode(state, NdjsonBody(n), n);
}
BENCHMARK(BM_DecodeTrack_Ndjson)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Bytes processed are the decompressed bytes, the figure a body limit is set against.
void BM_Decompress_Gzip(benchmark::State& state) {
    const auto n = static_cast<size_t>(state.range(0));
    const std::string body = ArrayBody(n);
    const std::string gz = Gzip(body);
    if (gz.empty()) {
        state.SkipWithError("gzip failed");
        return;
    }
    for (auto _ : state) {
        auto result = Decompress(gz, "gzip", std::numeric_limits<size_t>::max());
        if (!result.ok() || result->size() != body.size()) {
            state.SkipWithError("decompress failed");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
    state.counters["ratio"] = static_cast<double>(body.size()) / static_cast<double>(gz.size());
}
BENCHMARK(BM_Decompress_Gzip)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace calypso::ingest
