// POST /eventgrid: Azure Event Grid webhook deliveries (Event Grid schema or CloudEvents
// 1.0) of Azure ML events, with both handshakes. Event Grid retries 429, 503 and other
// failures but not 400, 401 or 413, so a bad event is a 400 (after the good events beside
// it were stored) and only overload asks for a retry.

#include <cctype>

#include "core/dynamic.h"
#include "core/time.h"
#include "ingest/appinsights.h"
#include "ingest/eventgrid.h"
#include "server/api.h"
#include "server/errors.h"
#include "server/run_events.h"

namespace calypso::server {
namespace {

net::HttpResponse JsonResponse(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::string Lower(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c != ' ' && c != '\t')
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

// Compares in time independent of where the strings differ, so the secret cannot be
// guessed byte by byte from response times.
bool SecretEquals(std::string_view given, std::string_view secret) {
    unsigned diff = given.size() == secret.size() ? 0U : 1U;
    for (size_t i = 0; i < secret.size(); ++i) {
        const char g = i < given.size() ? given[i] : '\0';
        diff |= static_cast<unsigned>(static_cast<unsigned char>(g ^ secret[i]));
    }
    return diff == 0;
}

// The secret travels in the subscription's endpoint URL (?code=..., the Azure Functions
// convention, or ?access_token=... as the CloudEvents webhook spec says), or in a custom
// delivery header `Authorization: Bearer ...`.
bool Authorized(const net::HttpRequest& request, std::string_view secret) {
    for (const char* param : {"code", "access_token"}) {
        if (auto v = request.QueryParam(param); v && SecretEquals(*v, secret)) return true;
    }
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view auth = request.Header("Authorization");
    return auth.size() > kBearer.size() && Lower(auth.substr(0, kBearer.size() - 1)) == "bearer" &&
           SecretEquals(auth.substr(kBearer.size()), secret);
}

// The CloudEvents abuse-protection handshake: consent is given only by these headers.
net::HttpResponse AbuseProtection(const net::HttpRequest& request) {
    net::HttpResponse r;
    r.status = 200;
    r.content_type = "text/plain";
    std::string_view origin = request.Header("WebHook-Request-Origin");
    r.headers.emplace_back("WebHook-Allowed-Origin", origin.empty() ? "*" : std::string(origin));
    std::string_view rate = request.Header("WebHook-Request-Rate");
    r.headers.emplace_back("WebHook-Allowed-Rate", rate.empty() ? "*" : std::string(rate));
    r.headers.emplace_back("Allow", "POST, OPTIONS");
    return r;
}

std::string BadEventsBody(const ingest::EventGridDelivery& d, const runs::RunIngestOutcome& o) {
    std::string message = d.errors.front().ToString();
    if (d.errors.size() > 1) message += " (and " + std::to_string(d.errors.size() - 1) + " more)";
    std::string body = "{\"error\":{\"code\":\"InvalidArgument\",\"message\":";
    core::AppendJsonString(body, message);
    body += ",\"details\":[";
    for (size_t i = 0; i < d.errors.size(); ++i) {
        if (i > 0) body += ',';
        body += "{\"index\":" + std::to_string(d.errors[i].index) + ",\"field\":";
        core::AppendJsonString(body, d.errors[i].field);
        body += ",\"message\":";
        core::AppendJsonString(body, d.errors[i].message);
        body += '}';
    }
    body += "]},\"stored\":" + std::to_string(o.stored) +
            ",\"duplicates\":" + std::to_string(o.duplicates) + "}";
    return body;
}

}  // namespace

net::HttpResponse Api::EventGrid(const net::HttpRequest& request) const {
    if (s_.runs == nullptr) {
        return ErrorResponse(core::Status::NotFound("Event Grid ingestion is not enabled"));
    }
    if (request.method == "OPTIONS") return AbuseProtection(request);
    if (request.method != "POST") {
        net::HttpResponse r =
            ErrorResponse(core::Status::InvalidArgument("use POST (or OPTIONS) for /eventgrid"),
                          405, "MethodNotAllowed");
        r.headers.emplace_back("Allow", "POST, OPTIONS");
        return r;
    }
    // Events land in the default workspace; rejections are counted there.
    const std::string& workspace = s_.workspaces->default_workspace().name;
    constexpr std::string_view kTable = "AmlEventGridEvent";
    if (!s_.eventgrid_secret.empty() && !Authorized(request, s_.eventgrid_secret)) {
        Reject(workspace, kTable, RejectReason::kUnauthorized, 1, "missing or wrong secret");
        return ErrorResponse(core::Status(
            core::StatusCode::kUnauthenticated,
            "missing or wrong Event Grid secret: put ?code=SECRET in the subscription's "
            "endpoint URL or send Authorization: Bearer SECRET"));
    }
    const std::string media =
        Lower(request.Header("Content-Type").substr(0, request.Header("Content-Type").find(';')));
    if (!media.empty() && media != "application/json" && media != "application/cloudevents+json" &&
        media != "application/cloudevents-batch+json") {
        return ErrorResponse(
            core::Status::InvalidArgument(
                "unsupported Content-Type '" + std::string(request.Header("Content-Type")) +
                "': use application/json, application/cloudevents+json or "
                "application/cloudevents-batch+json"),
            415, "UnsupportedMediaType");
    }
    auto body = ingest::Decompress(request.body, request.Header("Content-Encoding"),
                                   s_.max_decompressed_bytes);
    if (!body.ok()) {
        const bool too_big = body.status().code() == core::StatusCode::kLimitExceeded;
        Reject(workspace, kTable, too_big ? RejectReason::kTooLarge : RejectReason::kUnreadableBody,
               1, body.status().message());
        return ErrorResponse(body.status(), too_big ? 413 : 400,
                             too_big ? "PayloadTooLarge" : "BadRequest");
    }
    auto delivery = ingest::DecodeEventGrid(*body, core::NowTicks());
    if (!delivery.ok()) {
        Reject(workspace, kTable, RejectReason::kUnreadableBody, 1, delivery.status().message());
        return ErrorResponse(delivery.status());
    }
    if (delivery->validation_code) {
        std::string answer = "{\"validationResponse\":";
        core::AppendJsonString(answer, *delivery->validation_code);
        return JsonResponse(200, answer + "}");
    }

    runs::RunIngestOutcome outcome;
    if (!delivery->events.empty()) {
        auto stored = IngestAmlEvents(*s_.runs, delivery->events);
        // Overload is 429/503 with Retry-After (ErrorResponse adds it): Event Grid retries.
        if (!stored.ok()) {
            Reject(workspace, kTable, ReasonOfStoreError(stored.status()), delivery->events.size(),
                   stored.status().message());
            return ErrorResponse(stored.status());
        }
        outcome = *stored;
    }
    if (!delivery->errors.empty()) {
        Reject(workspace, kTable, RejectReason::kInvalidItem, delivery->errors.size(),
               delivery->errors.front().ToString());
        return JsonResponse(400, BadEventsBody(*delivery, outcome));
    }
    return JsonResponse(200, "{\"received\":" + std::to_string(delivery->events.size()) +
                                 ",\"stored\":" + std::to_string(outcome.stored) +
                                 ",\"duplicates\":" + std::to_string(outcome.duplicates) +
                                 ",\"runsChanged\":" + std::to_string(outcome.runs_changed) + "}");
}

}  // namespace calypso::server
