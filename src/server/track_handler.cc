#include "core/dynamic.h"
#include "core/metrics.h"
#include "core/time.h"
#include "ingest/appinsights.h"
#include "ingest/dedup.h"
#include "server/api.h"
#include "server/errors.h"

namespace calypso::server {

namespace {

// The Application Insights ingestion answer.
net::HttpResponse TrackResponse(int status, size_t received, size_t accepted,
                                const std::vector<ingest::ItemError>& errors) {
    std::string body = "{\"itemsReceived\":" + std::to_string(received) +
                       ",\"itemsAccepted\":" + std::to_string(accepted) + ",\"errors\":[";
    for (size_t i = 0; i < errors.size(); ++i) {
        if (i > 0) body += ',';
        body += "{\"index\":" + std::to_string(errors[i].index) +
                ",\"statusCode\":" + std::to_string(errors[i].status_code) + ",\"message\":";
        core::AppendJsonString(body, errors[i].message);
        body += '}';
    }
    body += "]}";
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

// The workspace of the request's accepted items (a request carries one key in practice);
// "unknown" when nothing was accepted.
std::string WorkspaceOf(const std::vector<core::TableBatch>& batches,
                        const Workspaces& workspaces) {
    for (const auto& b : batches) {
        auto i = b.batch.schema.IndexOf("iKey");
        if (!i || b.batch.num_rows() == 0) continue;
        if (const Workspace* w = workspaces.ByIKey(b.batch.columns[*i].string_at(0)))
            return w->name;
    }
    return "unknown";
}

net::HttpResponse Unreadable(const core::Status& status) {
    return TrackResponse(status.code() == core::StatusCode::kLimitExceeded ? 413 : 400, 0, 0,
                         {{0, 400, status.message()}});
}

}  // namespace

net::HttpResponse Api::Track(const net::HttpRequest& request) const {
    std::string inflated;
    auto body = ingest::DecompressBody(request.body, request.Header("Content-Encoding"),
                                       s_.max_decompressed_bytes, inflated);
    if (!body.ok()) {
        const bool too_big = body.status().code() == core::StatusCode::kLimitExceeded;
        Reject("unknown", "unknown",
               too_big ? RejectReason::kTooLarge : RejectReason::kUnreadableBody, 1,
               body.status().message());
        return Unreadable(body.status());
    }

    const Workspaces* workspaces = s_.workspaces;
    auto lookup = [workspaces](std::string_view ikey) -> std::optional<ingest::AppInfo> {
        const Workspace* w = workspaces->ByIKey(ikey);
        if (w == nullptr) return std::nullopt;
        return ingest::AppInfo{w->name, w->id};
    };
    auto decoded = ingest::DecodeTrack(body->bytes, lookup, body->padded);
    if (!decoded.ok()) {
        Reject("unknown", "unknown", RejectReason::kUnreadableBody, 1, decoded.status().message());
        return Unreadable(decoded.status());
    }

    const size_t received = decoded->items_received;
    std::vector<ingest::ItemError> errors = std::move(decoded->errors);
    const std::string workspace = WorkspaceOf(decoded->batches, *workspaces);
    for (const auto& e : errors) {
        // The table is not known for an item that could not be decoded.
        const RejectReason reason = ReasonOfItemError(e.message);
        Reject(reason == RejectReason::kInvalidKey ? "unknown" : workspace, "unknown", reason, 1,
               e.message);
    }
    // A resent batch: items whose ids were stored recently count as accepted, once.
    std::vector<uint64_t> claimed;
    if (s_.recent_ids != nullptr) {
        size_t duplicates = 0;
        claimed = ingest::DropRecentDuplicates(*s_.recent_ids, decoded->batches, core::NowTicks(),
                                               &duplicates);
    }
    if (!decoded->batches.empty()) {
        // The body's bytes, shared out by rows, are what each table ingested (Usage).
        size_t rows = 0;
        for (const auto& b : decoded->batches) rows += b.batch.num_rows();
        for (auto& b : decoded->batches) {
            b.source_bytes = rows == 0 ? 0 : body->bytes.size() * b.batch.num_rows() / rows;
        }
        const std::vector<runs::StepName> steps = StepNames(decoded->batches);
        std::vector<std::pair<std::string, size_t>> table_rows;
        for (const auto& b : decoded->batches) table_rows.emplace_back(b.table, b.batch.num_rows());
        core::Status s = s_.sink->Append(std::move(decoded->batches));
        if (!s.ok()) {
            for (const auto& [table, n] : table_rows) {
                Reject(workspace, table, ReasonOfStoreError(s), n, s.message());
            }
            if (s_.recent_ids != nullptr) s_.recent_ids->Forget(claimed);
            // Nothing of this request was stored: every item is retriable (or failed).
            const int code = s.code() == core::StatusCode::kUnavailable     ? 503
                             : s.code() == core::StatusCode::kLimitExceeded ? 429
                                                                            : 500;
            std::vector<ingest::ItemError> all;
            size_t e = 0;
            for (size_t i = 0; i < received; ++i) {
                if (e < errors.size() && errors[e].index == i) {
                    all.push_back(errors[e++]);
                } else {
                    all.push_back({i, code, s.message()});
                }
            }
            net::HttpResponse r = TrackResponse(code, received, 0, all);
            if (code != 500) r.headers.emplace_back("Retry-After", "5");
            return r;
        }
        LearnStepNames(steps);  // only once the logs are stored
        if (decoded->items_truncated > 0) {
            // Accepted, but a field was cut to its limit or properties past the 100th dropped.
            static auto& truncated = core::DefaultMetrics().Counter(
                "calypso_ingest_truncated_items",
                "Accepted App Insights items with a field cut to its length limit or "
                "properties beyond the 100th dropped",
                {"workspace"});
            truncated.With({workspace}).Add(static_cast<double>(decoded->items_truncated));
        }
    }
    const size_t accepted = received - errors.size();
    const int status = errors.empty() ? 200 : accepted > 0 ? 206 : 400;
    return TrackResponse(status, received, accepted, errors);
}

}  // namespace calypso::server
