// The Logs Ingestion API (POST /dataCollectionRules/{id}/streams/{stream}) and Azure
// diagnostic logs (POST /api/diagnostics). Answers as the Logs Ingestion API does: 204
// when every row was stored; otherwise a JSON error, 400 naming each rejected row's index
// and field (the other rows of the request are stored all the same).
#include <functional>

#include "core/dynamic.h"
#include "core/time.h"
#include "ingest/appinsights.h"
#include "ingest/logs_ingestion.h"
#include "ingest/tables.h"
#include "server/api.h"
#include "server/errors.h"

namespace calypso::server {

namespace {

constexpr size_t kMaxErrorDetails = 100;

net::HttpResponse LogsError(int status, std::string_view code, const std::string& message,
                            const std::vector<ingest::RowError>& rows = {}) {
    std::string body = "{\"error\":{\"code\":";
    core::AppendJsonString(body, code);
    body += ",\"message\":";
    core::AppendJsonString(body, message);
    if (!rows.empty()) {
        body += ",\"details\":[";
        for (size_t i = 0; i < rows.size() && i < kMaxErrorDetails; ++i) {
            if (i > 0) body += ',';
            body += "{\"index\":" + std::to_string(rows[i].index) + ",\"field\":";
            core::AppendJsonString(body, rows[i].field);
            body += ",\"message\":";
            core::AppendJsonString(body, rows[i].message);
            body += '}';
        }
        body += ']';
    }
    body += "}}";
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "5");
    return r;
}

net::HttpResponse StatusError(const core::Status& s) {
    // Only the body can be over a limit here (the store's refusal is mapped in StoreRows).
    const int http = s.code() == core::StatusCode::kLimitExceeded ? 413 : HttpStatusFor(s.code());
    return LogsError(http, core::StatusCodeName(s.code()), s.message());
}

std::string DescribeRow(const ingest::RowError& e) {
    return "row " + std::to_string(e.index) +
           (e.field.empty() ? std::string() : ", field '" + e.field + "'") + ": " + e.message;
}

// Counts refused rows: (table, reason, count, example).
using RejectFn = std::function<void(std::string_view, RejectReason, uint64_t, std::string_view)>;

// Shared tail of both routes: store what decoded, then answer.
net::HttpResponse StoreRows(core::RowSink* sink, ingest::RowsBatch decoded, size_t body_bytes,
                            std::string_view table, const RejectFn& reject) {
    const size_t received = decoded.rows_received;
    const size_t rejected = decoded.errors.size();
    if (rejected > 0) {
        reject(table, RejectReason::kInvalidItem, rejected, DescribeRow(decoded.errors.front()));
    }
    if (!decoded.batches.empty()) {
        size_t rows = 0;
        for (const auto& b : decoded.batches) rows += b.batch.num_rows();
        for (auto& b : decoded.batches) {
            b.source_bytes = rows == 0 ? 0 : body_bytes * b.batch.num_rows() / rows;
        }
        std::vector<std::pair<std::string, size_t>> table_rows;
        for (const auto& b : decoded.batches) table_rows.emplace_back(b.table, b.batch.num_rows());
        core::Status s = sink->Append(std::move(decoded.batches));
        if (!s.ok()) {
            for (const auto& [t, n] : table_rows) reject(t, ReasonOfStoreError(s), n, s.message());
            const int http = s.code() == core::StatusCode::kLimitExceeded ? 429
                             : s.code() == core::StatusCode::kUnavailable ? 503
                                                                          : 500;
            return LogsError(http, core::StatusCodeName(s.code()),
                             "no rows were stored: " + s.message());
        }
    }
    if (rejected == 0) {
        net::HttpResponse r;
        r.status = 204;
        return r;
    }
    std::string message = std::to_string(rejected) + " of " + std::to_string(received) +
                          " rows rejected, the other " + std::to_string(received - rejected) +
                          " stored; first: " + DescribeRow(decoded.errors.front());
    return LogsError(400, "InvalidArgument", message, decoded.errors);
}

}  // namespace

net::HttpResponse Api::LogsIngestion(const net::HttpRequest& request,
                                     std::string_view stream) const {
    auto target = ingest::ResolveStream(stream);
    if (!target.ok()) {
        Reject("unknown", "unknown", RejectReason::kUnknownStream, 1, target.status().message());
        return LogsError(target.status().code() == core::StatusCode::kNotFound ? 404 : 400,
                         "InvalidStream", target.status().message());
    }
    const Workspace* workspace = &s_.workspaces->default_workspace();
    if (std::string_view name = request.Header("X-Calypso-Workspace"); !name.empty()) {
        workspace = s_.workspaces->Find(name);
        if (workspace == nullptr) {
            Reject("unknown", target->table, RejectReason::kUnknownWorkspace, 1,
                   "unknown workspace '" + std::string(name) + "'");
            return LogsError(
                400, "InvalidArgument",
                "unknown workspace '" + std::string(name) + "' in X-Calypso-Workspace");
        }
    }
    const RejectFn reject = [this, workspace](std::string_view table, RejectReason reason,
                                              uint64_t n, std::string_view example) {
        Reject(workspace->name, table, reason, n, example);
    };
    auto body = ingest::Decompress(request.body, request.Header("Content-Encoding"),
                                   s_.max_decompressed_bytes);
    if (!body.ok()) {
        const bool too_big = body.status().code() == core::StatusCode::kLimitExceeded;
        reject(target->table, too_big ? RejectReason::kTooLarge : RejectReason::kUnreadableBody, 1,
               body.status().message());
        return StatusError(body.status());
    }
    auto rows = ingest::ParseRowArray(*body);
    if (!rows.ok()) {
        reject(target->table, RejectReason::kUnreadableBody, 1, rows.status().message());
        return StatusError(rows.status());
    }

    core::Schema schema;
    if (target->custom) {
        if (!s_.define_table) {
            return LogsError(404, "InvalidStream", "custom tables are not enabled here");
        }
        // The first request for a table fixes its columns; later ones get that schema back.
        auto fixed = s_.define_table(target->table, ingest::InferCustomSchema(*rows));
        if (!fixed.ok()) {
            reject(target->table, RejectReason::kInvalidItem, rows->size(),
                   fixed.status().message());
            return StatusError(fixed.status());
        }
        schema = std::move(*fixed);
    } else {
        const ingest::TableDef* def = ingest::FindBuiltinTable(target->table);
        schema = def->schema;
    }
    ingest::RowDefaults defaults;
    defaults.tenant_id = workspace->id;
    defaults.now_ticks = core::NowTicks();
    return StoreRows(s_.sink, ingest::RowsToBatch(target->table, schema, *rows, defaults),
                     body->size(), target->table, reject);
}

net::HttpResponse Api::DiagnosticLogs(const net::HttpRequest& request) const {
    const Workspace* workspace = &s_.workspaces->default_workspace();
    if (std::string_view name = request.Header("X-Calypso-Workspace"); !name.empty()) {
        workspace = s_.workspaces->Find(name);
        if (workspace == nullptr) {
            Reject("unknown", "unknown", RejectReason::kUnknownWorkspace, 1,
                   "unknown workspace '" + std::string(name) + "'");
            return LogsError(
                400, "InvalidArgument",
                "unknown workspace '" + std::string(name) + "' in X-Calypso-Workspace");
        }
    }
    const RejectFn reject = [this, workspace](std::string_view table, RejectReason reason,
                                              uint64_t n, std::string_view example) {
        Reject(workspace->name, table, reason, n, example);
    };
    auto body = ingest::Decompress(request.body, request.Header("Content-Encoding"),
                                   s_.max_decompressed_bytes);
    if (!body.ok()) {
        const bool too_big = body.status().code() == core::StatusCode::kLimitExceeded;
        reject("unknown", too_big ? RejectReason::kTooLarge : RejectReason::kUnreadableBody, 1,
               body.status().message());
        return StatusError(body.status());
    }
    ingest::RowDefaults defaults;
    defaults.tenant_id = workspace->id;
    defaults.now_ticks = core::NowTicks();
    defaults.source_system = "Azure";
    auto decoded = ingest::DecodeDiagnosticRecords(*body, defaults);
    if (!decoded.ok()) {
        reject("unknown", RejectReason::kUnreadableBody, 1, decoded.status().message());
        return StatusError(decoded.status());
    }
    return StoreRows(s_.sink, std::move(*decoded), body->size(), "unknown", reject);
}

}  // namespace calypso::server
