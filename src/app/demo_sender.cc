#include "app/demo_sender.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>

#include "net/http_client.h"

namespace calypso::app::demo {
namespace {

using core::Dynamic;
using core::Status;

// The Logs Ingestion API's data collection rule; Calypso accepts any id.
constexpr const char* kDcr = "dcr-7b3e1c2a9d4f4e0b8a6c5d2e1f0a9b8c";

std::string_view HeaderOf(const net::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    }
    return {};
}

// Retry-After in seconds (1 when absent or an HTTP date; at most 60).
double RetryAfter(const net::HttpResponse& r) {
    const std::string v(HeaderOf(r, "Retry-After"));
    char* end = nullptr;
    const double s = std::strtod(v.c_str(), &end);
    if (v.empty() || end == v.c_str() || s <= 0) return 1;
    return s > 60 ? 60 : s;
}

std::string Body(const std::vector<Dynamic>& items) {
    std::string body = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) body += ',';
        items[i].AppendJson(body);
    }
    body += ']';
    return body;
}

// The error message of a JSON error answer, else the body itself (shortened).
std::string ErrorMessage(const std::string& body) {
    auto parsed = Dynamic::Parse(body);
    if (parsed.ok()) {
        const Dynamic* e = parsed->Find("error");
        if (e != nullptr && e->Find("message") != nullptr) return e->Find("message")->ToText();
        const Dynamic* errors = parsed->Find("errors");
        if (errors != nullptr && errors->At(0) != nullptr && errors->At(0)->Find("message")) {
            return errors->At(0)->Find("message")->ToText();
        }
    }
    return body.substr(0, 300);
}

// For a query parameter: everything but unreserved characters as %XX.
std::string PercentEncode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

}  // namespace

std::string ChannelPath(Channel channel) {
    switch (channel) {
        case Channel::kTrack:
            return "/v2/track";
        case Channel::kEventGrid:
            return "/eventgrid";
        case Channel::kComputeJobs:
            return std::string("/dataCollectionRules/") + kDcr +
                   "/streams/Custom-AmlComputeJobEvent?api-version=2023-01-01";
        case Channel::kClusterEvents:
            return std::string("/dataCollectionRules/") + kDcr +
                   "/streams/Custom-AmlComputeClusterEvent?api-version=2023-01-01";
    }
    return "/";
}

DemoSender::DemoSender(SenderOptions options, const std::atomic<bool>& stop)
    : options_(std::move(options)), stop_(stop) {
    while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

Status DemoSender::Add(Item item) {
    auto& batch = pending_[static_cast<size_t>(item.channel)];
    batch.push_back(std::move(item.body));
    if (batch.size() < options_.batch_size) return Status::Ok();
    return Post(item.channel, std::exchange(batch, {}));
}

Status DemoSender::Flush() {
    for (size_t c = 0; c < kChannels; ++c) {
        if (pending_[c].empty()) continue;
        Status s = Post(static_cast<Channel>(c), std::exchange(pending_[c], {}));
        if (!s.ok()) return s;
    }
    return Status::Ok();
}

void DemoSender::Sleep(double seconds) const {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

Status DemoSender::Post(Channel channel, std::vector<Dynamic> items) {
    std::string url = options_.url + ChannelPath(channel);
    net::ClientOptions client;
    client.timeout = std::chrono::seconds(120);
    client.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    if (channel == Channel::kEventGrid) {
        client.headers.emplace_back("aeg-event-type", "Notification");
        if (!options_.eventgrid_secret.empty()) {
            url += "?code=" + PercentEncode(options_.eventgrid_secret);
        }
    }
    const size_t c = static_cast<size_t>(channel);
    auto reject = [&](size_t n, const std::string& why) {
        stats_.rejected += n;
        if (!reported_[c]) {
            reported_[c] = true;
            std::fprintf(stderr, "calypso demo: %s rejected %zu item(s): %s\n",
                         ChannelPath(channel).c_str(), n, why.c_str());
        }
    };
    auto unreachable_since = std::chrono::steady_clock::now();
    bool unreachable = false;
    int server_errors = 0;
    while (!items.empty()) {
        if (stop_.load()) return Status::Ok();  // what is left is abandoned on shutdown
        auto response = net::HttpFetch("POST", url, Body(items), client);
        ++stats_.requests;
        if (!response.ok()) {
            const auto now = std::chrono::steady_clock::now();
            if (!unreachable) unreachable_since = now;
            unreachable = true;
            if (now - unreachable_since > std::chrono::seconds(options_.give_up_seconds)) {
                return Status::Unavailable("cannot reach " + options_.url + ": " +
                                           response.status().message());
            }
            Sleep(1);
            continue;
        }
        unreachable = false;
        const int http = response->status;
        if (http == 429 || http == 503) {
            ++stats_.throttled;
            Sleep(RetryAfter(*response));
            continue;
        }
        if (http == 401 || http == 403 || http == 404) {
            return Status::InvalidArgument("POST " + ChannelPath(channel) + " answered HTTP " +
                                           std::to_string(http) + ": " +
                                           ErrorMessage(response->body) +
                                           (channel == Channel::kEventGrid && http == 401
                                                ? " (give it with --eventgrid-secret)"
                                                : ""));
        }
        if (http >= 500 && ++server_errors <= 3) {
            Sleep(server_errors);
            continue;
        }
        if (http >= 500 || http == 413) {
            reject(items.size(),
                   "HTTP " + std::to_string(http) + ": " + ErrorMessage(response->body));
            return Status::Ok();
        }
        auto answer = Dynamic::Parse(response->body);
        if (channel == Channel::kTrack && (http == 206 || http == 400) && answer.ok()) {
            // Per-item answer: resend the retriable items, count the others as rejected.
            std::vector<Dynamic> retry;
            size_t refused = 0;
            std::string why;
            if (const Dynamic* errors = answer->Find("errors")) {
                for (const Dynamic& e : errors->as_array()) {
                    const Dynamic* index = e.Find("index");
                    const Dynamic* code = e.Find("statusCode");
                    if (index == nullptr || code == nullptr) continue;
                    const int64_t i = index->as_long(), sc = code->as_long();
                    if (i < 0 || static_cast<size_t>(i) >= items.size()) continue;
                    if (sc == 429 || sc == 500 || sc == 503) {
                        retry.push_back(items[static_cast<size_t>(i)]);
                    } else {
                        ++refused;
                        if (why.empty() && e.Find("message")) why = e.Find("message")->ToText();
                    }
                }
            }
            if (refused == items.size() && why.find("nstrumentation key") != std::string::npos) {
                return Status::InvalidArgument("the server refused the instrumentation key: " +
                                               why + " (give the workspace's key with --ikey)");
            }
            if (refused > 0) reject(refused, why);
            stats_.sent += items.size() - refused - retry.size();
            items = std::move(retry);
            if (!items.empty()) Sleep(1);
            continue;
        }
        if (http == 400) {
            // Event Grid and the Logs Ingestion API store the good items beside the bad
            // ones and list the bad ones in error.details.
            size_t refused = items.size();
            if (answer.ok()) {
                const Dynamic* e = answer->Find("error");
                const Dynamic* details = e ? e->Find("details") : nullptr;
                if (details != nullptr && details->kind() == Dynamic::Kind::kArray &&
                    !details->as_array().empty()) {
                    refused = std::min(items.size(), details->as_array().size());
                }
            }
            reject(refused, ErrorMessage(response->body));
            stats_.sent += items.size() - refused;
            return Status::Ok();
        }
        stats_.sent += items.size();
        return Status::Ok();
    }
    return Status::Ok();
}

}  // namespace calypso::app::demo
