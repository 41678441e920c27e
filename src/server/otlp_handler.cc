// POST /v1/logs, /v1/traces, /v1/metrics: OTLP/HTTP in protobuf or JSON. Every answer,
// errors included, uses the request's encoding (OTLP/HTTP requires it); only 429, 502, 503
// and 504 are retried by OTLP clients, so backpressure maps to 429/503 with Retry-After
// and everything that retrying cannot fix to 400.

#include <cctype>

#include "ingest/appinsights.h"
#include "ingest/otlp.h"
#include "server/api.h"
#include "server/errors.h"

namespace calypso::server {
namespace {

using ingest::OtlpFormat;

// google.rpc.Code values for the status bodies.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcUnimplemented = 12;
constexpr int kGrpcInternal = 13;
constexpr int kGrpcUnavailable = 14;

// The header that sends a request to a workspace other than `default`.
constexpr std::string_view kWorkspaceHeader = "X-Calypso-Workspace";

// The table a signal's items mostly land in, for the rejection counters.
std::string_view TableOf(ingest::OtlpSignal signal) {
    switch (signal) {
        case ingest::OtlpSignal::kLogs:
            return "traces";
        case ingest::OtlpSignal::kTraces:
            return "requests";
        case ingest::OtlpSignal::kMetrics:
            return "customMetrics";
    }
    return "unknown";
}

std::string_view ContentTypeOf(OtlpFormat format) {
    return format == OtlpFormat::kProtobuf ? "application/x-protobuf" : "application/json";
}

// The media type without parameters, lower-cased: "Application/JSON; charset=utf-8" ->
// "application/json".
std::string MediaType(std::string_view header) {
    std::string out;
    for (char c : header.substr(0, header.find(';'))) {
        if (c != ' ' && c != '\t')
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

net::HttpResponse StatusResponse(int http, OtlpFormat format, int grpc_code,
                                 std::string_view message) {
    net::HttpResponse r;
    r.status = http;
    r.content_type = std::string(ContentTypeOf(format));
    r.body = ingest::OtlpStatusBody(format, grpc_code, message);
    if (http == 429 || http == 503) r.headers.emplace_back("Retry-After", "5");
    return r;
}

}  // namespace

net::HttpResponse Api::Otlp(const net::HttpRequest& request, ingest::OtlpSignal signal) const {
    const std::string media = MediaType(request.Header("Content-Type"));
    const bool protobuf = media == "application/x-protobuf" || media == "application/protobuf";
    const OtlpFormat format = protobuf ? OtlpFormat::kProtobuf : OtlpFormat::kJson;
    if (request.method != "POST") {
        net::HttpResponse r =
            StatusResponse(405, format, kGrpcUnimplemented, "use POST for " + request.path);
        r.headers.emplace_back("Allow", "POST");
        return r;
    }
    if (!protobuf && media != "application/json") {
        return StatusResponse(415, format, kGrpcInvalidArgument,
                              "unsupported Content-Type '" +
                                  std::string(request.Header("Content-Type")) +
                                  "': OTLP/HTTP takes application/x-protobuf or application/json");
    }

    // OTLP carries no instrumentation key: the `default` workspace, unless the header or
    // a resource's calypso.workspace attribute names another one.
    const Workspaces* workspaces = s_.workspaces;
    auto to_target = [](const Workspace& w) { return ingest::OtlpWorkspace{w.name, w.id, w.ikey}; };
    ingest::OtlpOptions options;
    options.workspace = to_target(workspaces->default_workspace());
    if (std::string_view named = request.Header(kWorkspaceHeader); !named.empty()) {
        const Workspace* w = workspaces->Find(named);
        if (w == nullptr) {
            Reject("unknown", TableOf(signal), RejectReason::kUnknownWorkspace, 1,
                   "unknown workspace '" + std::string(named) + "'");
            return StatusResponse(400, format, kGrpcInvalidArgument,
                                  "unknown workspace '" + std::string(named) + "' named by " +
                                      std::string(kWorkspaceHeader));
        }
        options.workspace = to_target(*w);
    }
    options.lookup = [workspaces,
                      to_target](std::string_view name) -> std::optional<ingest::OtlpWorkspace> {
        const Workspace* w = workspaces->Find(name);
        if (w == nullptr) return std::nullopt;
        return to_target(*w);
    };

    std::string inflated;
    auto body = ingest::DecompressBody(request.body, request.Header("Content-Encoding"),
                                       s_.max_decompressed_bytes, inflated);
    const std::string& workspace = options.workspace.app_name;
    if (!body.ok()) {
        const bool too_big = body.status().code() == core::StatusCode::kLimitExceeded;
        Reject(workspace, TableOf(signal),
               too_big ? RejectReason::kTooLarge : RejectReason::kUnreadableBody, 1,
               body.status().message());
        return StatusResponse(too_big ? 413 : 400, format,
                              too_big ? kGrpcResourceExhausted : kGrpcInvalidArgument,
                              body.status().message());
    }
    options.body_padded = body->padded;
    auto decoded = ingest::DecodeOtlp(signal, format, body->bytes, options);
    if (!decoded.ok()) {
        Reject(workspace, TableOf(signal), RejectReason::kUnreadableBody, 1,
               decoded.status().message());
        return StatusResponse(400, format, kGrpcInvalidArgument, decoded.status().message());
    }
    Reject(workspace, TableOf(signal), RejectReason::kInvalidItem, decoded->items_rejected,
           decoded->error_message);
    if (!decoded->batches.empty()) {
        const std::vector<runs::StepName> steps = StepNames(decoded->batches);
        std::vector<std::pair<std::string, size_t>> table_rows;
        for (const auto& b : decoded->batches) table_rows.emplace_back(b.table, b.batch.num_rows());
        core::Status s = s_.sink->Append(std::move(decoded->batches));
        if (!s.ok()) {
            for (const auto& [table, n] : table_rows) {
                Reject(workspace, table, ReasonOfStoreError(s), n, s.message());
            }
            // Nothing of the request was stored: answer so that the client retries it all.
            const int http = HttpStatusFor(s.code());
            const int grpc = http == 429   ? kGrpcResourceExhausted
                             : http == 503 ? kGrpcUnavailable
                                           : kGrpcInternal;
            return StatusResponse(http == 429 || http == 503 ? http : 500, format, grpc,
                                  s.message());
        }
        LearnStepNames(steps);  // only once the logs are stored
    }
    net::HttpResponse r;
    r.status = 200;
    r.content_type = std::string(ContentTypeOf(format));
    r.body =
        ingest::OtlpExportResponse(signal, format, decoded->items_rejected, decoded->error_message);
    return r;
}

}  // namespace calypso::server
