#include "ingest/otlp.h"

#include "ingest/otlp_decode.h"
#include "ingest/otlp_mappers.h"
#include "ingest/otlp_rows.h"

namespace calypso::ingest {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this file only wires them

template <typename Item>
core::Result<Request<Item>> Decode(OtlpFormat format, std::string_view body, bool padded,
                                   core::Result<Request<Item>> (*proto)(std::string_view),
                                   core::Result<Request<Item>> (*json)(std::string_view, bool)) {
    return format == OtlpFormat::kProtobuf ? proto(body) : json(body, padded);
}

}  // namespace

core::Result<OtlpResult> DecodeOtlp(OtlpSignal signal, OtlpFormat format, std::string_view body,
                                    const OtlpOptions& options) {
    OtlpRows rows(options);
    auto one = [](const auto&) -> size_t { return 1; };
    auto nothing = [](size_t) {};
    switch (signal) {
        case OtlpSignal::kLogs: {
            auto request = Decode<LogRecord>(format, body, options.body_padded, ProtoLogs, JsonLogs);
            if (!request.ok()) return request.status();
            WalkRequest(
                *request, ItemPath{"resourceLogs", "scopeLogs", "logRecords"}, rows, one,
                [&](const LogRecord& r, const ItemPath& p) { MapLogRecord(r, p, rows); }, nothing);
            break;
        }
        case OtlpSignal::kTraces: {
            auto request = Decode<Span>(format, body, options.body_padded, ProtoTraces, JsonTraces);
            if (!request.ok()) return request.status();
            size_t accepted_before = 0;
            WalkRequest(
                *request, ItemPath{"resourceSpans", "scopeSpans", "spans"}, rows, one,
                [&](const Span& s, const ItemPath& p) { MapSpan(s, p, rows); },
                [&](size_t resource) {
                    if (rows.accepted() > accepted_before) {
                        MapResourceMetric((*request)[resource].resource, rows);
                    }
                    accepted_before = rows.accepted();
                });
            break;
        }
        case OtlpSignal::kMetrics: {
            auto request = Decode<Metric>(format, body, options.body_padded, ProtoMetrics, JsonMetrics);
            if (!request.ok()) return request.status();
            WalkRequest(
                *request, ItemPath{"resourceMetrics", "scopeMetrics", "metrics"}, rows,
                [](const Metric& m) { return MetricItemCount(m); },
                [&](const Metric& m, const ItemPath& p) { MapMetric(m, p, rows); }, nothing);
            break;
        }
    }
    return rows.Finish();
}

}  // namespace calypso::ingest
