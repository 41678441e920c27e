#include "server/kusto_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/dynamic.h"
#include "core/time.h"
#include "server/query_limits.h"

namespace calypso::server {

namespace {

using core::Dynamic;
using core::Status;

Status BadOption(std::string_view name, std::string_view expected) {
    return Status::InvalidArgument("request property Options." + std::string(name) + ": expected " +
                                   std::string(expected));
}

// true/false, or the strings "true"/"false" that some clients send.
core::Result<bool> ReadBool(const Dynamic& v, std::string_view name) {
    if (v.kind() == Dynamic::Kind::kBool) return v.as_bool();
    if (v.kind() == Dynamic::Kind::kString) {
        std::string s = v.as_string();
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (s == "true") return true;
        if (s == "false") return false;
    }
    return BadOption(name, "true or false");
}

core::Result<int64_t> ReadLong(const Dynamic& v, std::string_view name) {
    if (v.kind() == Dynamic::Kind::kLong) return v.as_long();
    if (v.kind() == Dynamic::Kind::kString) {
        const std::string& s = v.as_string();
        int64_t n = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc() && end == s.data() + s.size()) return n;
    }
    return BadOption(name, "an integer");
}

// "00:01:00", "1.00:00:00", and Python's str(timedelta): "0:01:00", "2 days, 3:00:00".
core::Result<int64_t> ReadTimespan(const Dynamic& v, std::string_view name) {
    if (v.kind() != Dynamic::Kind::kString) return BadOption(name, "a timespan such as 00:05:00");
    std::string text = v.as_string();
    const size_t comma = text.find(", ");
    const size_t day = text.find(" day");
    if (comma != std::string::npos && day != std::string::npos && day < comma) {
        text = text.substr(0, day) + "." + text.substr(comma + 2);
    }
    auto ticks = core::ParseDotNetTimespan(text);
    if (!ticks.ok()) return BadOption(name, "a timespan such as 00:05:00");
    return *ticks;
}

Status ReadOptions(const Dynamic& options, KustoRequest& out) {
    if (options.kind() != Dynamic::Kind::kObject) {
        return Status::InvalidArgument("request properties: \"Options\" must be an object");
    }
    for (const auto& [name, value] : options.as_object()) {
        if (value.is_null()) continue;
        if (name == "servertimeout") {
            ASSIGN_OR_RETURN(int64_t ticks, ReadTimespan(value, name));
            if (ticks <= 0) return BadOption(name, "a positive timespan");
            const double seconds =
                static_cast<double>(ticks) / static_cast<double>(core::kTicksPerSecond);
            out.server_timeout_seconds = std::min(seconds, kMaxKustoServerTimeoutSeconds);
        } else if (name == "norequesttimeout") {
            ASSIGN_OR_RETURN(bool on, ReadBool(value, name));
            if (on) out.server_timeout_seconds = kMaxKustoServerTimeoutSeconds;
        } else if (name == "truncationmaxrecords") {
            ASSIGN_OR_RETURN(int64_t n, ReadLong(value, name));
            if (n < 0) return BadOption(name, "a number of records >= 0");
            out.truncation_max_records = static_cast<size_t>(n);
        } else if (name == "deferpartialqueryfailures") {
            ASSIGN_OR_RETURN(out.defer_partial_failures, ReadBool(value, name));
        } else if (name == "results_error_reporting_placement") {
            const std::string s = value.kind() == Dynamic::Kind::kString ? value.as_string() : "";
            if (s == "in_data") {
                out.placement = KustoErrorPlacement::kInData;
            } else if (s == "end_of_table") {
                out.placement = KustoErrorPlacement::kEndOfTable;
            } else if (s == "end_of_dataset") {
                out.placement = KustoErrorPlacement::kEndOfDataSet;
            } else {
                return BadOption(name, "in_data, end_of_table or end_of_dataset");
            }
        } else if (name == "results_progressive_enabled") {
            ASSIGN_OR_RETURN(out.progressive, ReadBool(value, name));
        } else if (name == "query_now") {
            auto ticks = value.kind() == Dynamic::Kind::kString
                             ? core::ParseDatetime(value.as_string())
                             : core::Result<int64_t>(Status::InvalidArgument(""));
            if (!ticks.ok()) return BadOption(name, "a datetime such as 2024-05-01T00:00:00Z");
            out.query_now_ticks = *ticks;
        }
    }
    return Status::Ok();
}

Status ReadProperties(const Dynamic& properties, KustoRequest& out) {
    if (properties.is_null()) return Status::Ok();
    if (properties.kind() == Dynamic::Kind::kString) {
        if (properties.as_string().empty()) return Status::Ok();
        auto parsed = Dynamic::Parse(properties.as_string());
        if (!parsed.ok()) {
            return Status::InvalidArgument("request field \"properties\" is not valid JSON: " +
                                           parsed.status().message());
        }
        return ReadProperties(*parsed, out);
    }
    if (properties.kind() != Dynamic::Kind::kObject) {
        return Status::InvalidArgument(
            "request field \"properties\" must be an object or JSON text of one");
    }
    if (const Dynamic* options = properties.Find("Options")) {
        if (!options->is_null()) RETURN_IF_ERROR(ReadOptions(*options, out));
    }
    return Status::Ok();
}

}  // namespace

core::Result<KustoRequest> ParseKustoRequest(const net::HttpRequest& request) {
    KustoRequest out;
    if (request.method == "GET" || request.method == "HEAD") {
        auto csl = request.QueryParam("csl");
        if (!csl) return Status::InvalidArgument("missing query parameter \"csl\"");
        out.csl = std::move(*csl);
        out.db = request.QueryParam("db").value_or("");
        if (auto props = request.QueryParam("properties")) {
            RETURN_IF_ERROR(ReadProperties(Dynamic::String(std::move(*props)), out));
        }
        return out;
    }
    auto body = Dynamic::Parse(request.body);
    if (!body.ok()) {
        return Status::InvalidArgument("request body is not JSON: " + body.status().message());
    }
    if (body->kind() != Dynamic::Kind::kObject) {
        return Status::InvalidArgument(
            "request body must be an object {\"db\": ..., \"csl\": ..., \"properties\": ...}");
    }
    const Dynamic* csl = body->Find("csl");
    if (csl == nullptr || csl->kind() != Dynamic::Kind::kString) {
        return Status::InvalidArgument("request body needs a string field \"csl\"");
    }
    out.csl = csl->as_string();
    if (const Dynamic* db = body->Find("db"); db != nullptr && !db->is_null()) {
        if (db->kind() != Dynamic::Kind::kString) {
            return Status::InvalidArgument("request field \"db\" must be a string");
        }
        out.db = db->as_string();
    }
    if (const Dynamic* props = body->Find("properties"))
        RETURN_IF_ERROR(ReadProperties(*props, out));
    return out;
}

bool IsKustoCommand(std::string_view csl) {
    size_t i = 0;
    while (i < csl.size()) {
        if (std::isspace(static_cast<unsigned char>(csl[i]))) {
            ++i;
        } else if (csl.substr(i, 2) == "//") {
            while (i < csl.size() && csl[i] != '\n') ++i;
        } else {
            return csl[i] == '.';
        }
    }
    return false;
}

}  // namespace calypso::server
