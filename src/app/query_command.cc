#include "app/query_command.h"

#include <cstdio>

#include "app/result_printer.h"
#include "core/dynamic.h"
#include "net/http_client.h"

namespace calypso::app {

int RunQuery(const QueryCommandOptions& o) {
    std::string url = o.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/v1/workspaces/" + o.workspace + "/query";
    std::string body = "{\"query\":";
    core::AppendJsonString(body, o.query);
    if (!o.timespan.empty()) {
        body += ",\"timespan\":";
        core::AppendJsonString(body, o.timespan);
    }
    if (o.explain) body += ",\"explain\":true";
    body += '}';
    net::ClientOptions co;
    co.headers.emplace_back("Content-Type", "application/json");
    if (o.stats) co.headers.emplace_back("Prefer", "include-statistics=true");
    auto response = net::HttpFetch("POST", url, body, co);
    if (!response.ok()) {
        std::fprintf(stderr, "calypso query: cannot reach %s: %s\n", o.url.c_str(),
                     response.status().message().c_str());
        return 2;
    }
    auto answer = core::Dynamic::Parse(response->body);
    if (response->status != 200 || !answer.ok()) {
        std::string message = response->body;
        if (answer.ok()) {
            const core::Dynamic* err = answer->Find("error");
            const core::Dynamic* inner = err ? err->Find("innererror") : nullptr;
            const core::Dynamic* m = inner ? inner->Find("message")
                                     : err ? err->Find("message")
                                           : nullptr;
            if (m != nullptr) message = m->ToText();
        }
        std::fprintf(stderr, "calypso query: HTTP %d: %s\n", response->status, message.c_str());
        return 1;
    }
    std::string out;
    if (o.explain && o.format != "json") {
        out = FormatAsLines(*answer);
    } else if (o.format == "json") {
        out = response->body + "\n";
    } else if (o.format == "csv") {
        out = FormatAsCsv(*answer);
    } else {
        out = FormatAsTable(*answer);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (o.stats && o.format != "json") {
        std::string stats = FormatStatistics(*answer);
        std::FILE* to = o.format == "csv" ? stderr : stdout;
        if (to == stdout && !stats.empty()) std::fputc('\n', to);
        std::fwrite(stats.data(), 1, stats.size(), to);
    }
    return 0;
}

}  // namespace calypso::app
