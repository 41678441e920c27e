// The bodies OTLP/HTTP answers with, in the request's encoding:
//   Export{Logs,Trace,Metrics}ServiceResponse { Export*PartialSuccess partial_success = 1; }
//   Export*PartialSuccess { int64 rejected_<log_records|spans|data_points> = 1;
//                           string error_message = 2; }
//   google.rpc.Status { int32 code = 1; string message = 2; }

#include "core/dynamic.h"
#include "ingest/otlp.h"
#include "ingest/otlp_wire.h"

namespace calypso::ingest {

using internal::PutBytesField;
using internal::PutVarintField;

std::string OtlpExportResponse(OtlpSignal signal, OtlpFormat format, size_t rejected,
                               std::string_view error_message) {
    const bool partial = rejected > 0 || !error_message.empty();
    if (format == OtlpFormat::kProtobuf) {
        if (!partial) return {};
        std::string inner;
        if (rejected > 0) PutVarintField(inner, 1, rejected);
        if (!error_message.empty()) PutBytesField(inner, 2, error_message);
        std::string out;
        PutBytesField(out, 1, inner);
        return out;
    }
    if (!partial) return "{}";
    const char* field = signal == OtlpSignal::kLogs     ? "rejectedLogRecords"
                        : signal == OtlpSignal::kTraces ? "rejectedSpans"
                                                        : "rejectedDataPoints";
    // proto3 JSON writes int64 as a decimal string.
    std::string out = "{\"partialSuccess\":{\"";
    out += field;
    out += "\":\"" + std::to_string(rejected) + "\",\"errorMessage\":";
    core::AppendJsonString(out, error_message);
    out += "}}";
    return out;
}

std::string OtlpStatusBody(OtlpFormat format, int grpc_code, std::string_view message) {
    if (format == OtlpFormat::kProtobuf) {
        std::string out;
        PutVarintField(out, 1, static_cast<uint64_t>(grpc_code));
        PutBytesField(out, 2, message);
        return out;
    }
    std::string out = "{\"code\":" + std::to_string(grpc_code) + ",\"message\":";
    core::AppendJsonString(out, message);
    out += '}';
    return out;
}

}  // namespace calypso::ingest
