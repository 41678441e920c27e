// Spans -> requests or dependencies, span events -> exceptions or traces, as the exporter's
// readableSpanToEnvelope and spanEventsToEnvelopes.

#include <cmath>

#include "ingest/otlp_mappers.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;

std::string HttpMethod(const Attributes& a) {
    return FirstAttributeText(a, {"http.request.method", "http.method"});
}
std::string HttpUrl(const Attributes& a) { return FirstAttributeText(a, {"url.full", "http.url"}); }
std::string HttpStatusCode(const Attributes& a) {
    return FirstAttributeText(a, {"http.response.status_code", "http.status_code"});
}
std::string PeerIp(const Attributes& a) {
    return FirstAttributeText(a, {"network.peer.address", "net.peer.ip"});
}

// The path of a URL ("http://db:8080/q?x=1" -> "/q"); "" when it is not scheme://host...
std::string_view UrlPath(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos || scheme == 0) return {};
    const size_t slash = url.find_first_of("/?#", scheme + 3);
    if (slash == std::string_view::npos || url[slash] != '/') return "/";
    return url.substr(slash, url.find_first_of("?#", slash) - slash);
}

// The exporter's getUrl: the full URL, or one assembled from scheme, host and target.
std::string RequestUrl(const Attributes& a) {
    if (HttpMethod(a).empty()) return {};
    if (std::string url = HttpUrl(a); !url.empty()) return url;
    const std::string scheme = FirstAttributeText(a, {"url.scheme", "http.scheme"});
    const std::string target = FirstAttributeText(a, {"url.path", "url.query", "http.target"});
    if (scheme.empty() || target.empty()) return {};
    if (std::string host = FirstAttributeText(a, {"server.address", "http.host"}); !host.empty()) {
        return scheme + "://" + host + target;
    }
    const std::string port = FirstAttributeText(a, {"client.port", "server.port", "net.peer.port"});
    if (port.empty()) return {};
    std::string peer = FirstAttributeText(a, {"client.address", "net.peer.name"});
    if (peer.empty()) peer = PeerIp(a);
    return peer.empty() ? std::string() : scheme + "://" + peer + ":" + port + target;
}

// The exporter's getDependencyTarget.
std::string DependencyTarget(const Attributes& a) {
    return FirstAttributeText(
        a, {"peer.service", "server.address", "http.host", "url.full", "http.url", "client.address",
            "net.peer.name", "network.peer.address", "net.peer.ip"});
}

// "http://host:80/x" -> "http://host/x" (and https with 443): the default port is noise.
std::string WithoutDefaultPort(std::string target) {
    for (auto [scheme, port] :
         {std::pair<std::string_view, std::string_view>{"http://", ":80"}, {"https://", ":443"}}) {
        if (!target.starts_with(scheme)) continue;
        const size_t end = target.find('/', scheme.size());
        const size_t host_end = end == std::string::npos ? target.size() : end;
        if (host_end >= scheme.size() + port.size() &&
            std::string_view(target).substr(host_end - port.size(), port.size()) == port) {
            target.erase(host_end - port.size(), port.size());
        }
    }
    return target;
}

bool IsSqlSystem(std::string_view s) {
    for (std::string_view sql :
         {"db2", "derby", "mariadb", "mssql", "oracle", "sqlite", "other_sql", "hsqldb", "h2"}) {
        if (s == sql) return true;
    }
    return false;
}

double DurationMs(const Span& s) {
    return static_cast<double>(s.end_time_unix_nano - s.start_time_unix_nano) / 1e6;
}

void WriteDuration(TableBuilder& b, double ms) {
    b.Real(kDuration, ms);
    b.Str(kPerformanceBucket, PerformanceBucket(ms));
}

// microsoft.sample_rate (a percentage) -> itemCount, as the App Insights decoder does for
// an envelope's sampleRate.
int64_t ItemCount(const Attributes& a) {
    const Dynamic* rate = FindAttribute(a, "microsoft.sample_rate");
    double r = 0;
    if (rate != nullptr && rate->kind() == Dynamic::Kind::kReal) r = rate->as_real();
    if (rate != nullptr && rate->kind() == Dynamic::Kind::kLong) {
        r = static_cast<double>(rate->as_long());
    }
    return r > 0 && r < 100 ? std::max<int64_t>(1, std::llround(100.0 / r)) : 1;
}

// The operation name of a SERVER span: "METHOD route", "METHOD /path", or the span name.
std::string ServerOperationName(const Span& s) {
    const std::string method = HttpMethod(s.attributes);
    if (method.empty()) return s.name;
    if (std::string route = AttributeText(s.attributes, "http.route"); !route.empty()) {
        return method + " " + route;
    }
    const std::string url = HttpUrl(s.attributes);
    if (std::string_view path = UrlPath(url); !path.empty()) {
        return method + " " + std::string(path);
    }
    return s.name;
}

void WriteRequest(const Span& s, const RowTags& tags, TableBuilder& b) {
    const Attributes& a = s.attributes;
    b.Str(kId, s.span_id);
    b.Str(kName, Truncate(tags.operation_name.empty() ? s.name : tags.operation_name, kMaxName));
    std::string code = "0";
    if (!HttpMethod(a).empty()) {
        if (std::string url = RequestUrl(a); !url.empty()) b.Str(kUrl, Truncate(url, kMaxUrl));
        if (std::string http = HttpStatusCode(a); !http.empty()) code = http;
    } else if (std::string grpc = AttributeText(a, "rpc.grpc.status_code"); !grpc.empty()) {
        code = grpc;
    }
    b.Str(kResultCode, Truncate(code, kMaxResultCode));
    bool success = s.status_code == kStatusOk;
    if (s.status_code == kStatusUnset) {
        const std::string http = HttpStatusCode(a);
        success = http.empty() || std::atof(http.c_str()) < 400;
    }
    b.Str(kSuccess, success ? "True" : "False");
    WriteDuration(b, DurationMs(s));
}

void WriteDependency(const Span& s, TableBuilder& b) {
    const Attributes& a = s.attributes;
    std::string name = s.name, type = "Dependency", code = "0", data, target;
    if (s.kind == kSpanProducer) type = "Queue Message";
    if (s.kind == kSpanInternal && !s.parent_span_id.empty()) type = "InProc";
    const std::string method = HttpMethod(a);
    const std::string db_system = FirstAttributeText(a, {"db.system.name", "db.system"});
    const std::string rpc_system = AttributeText(a, "rpc.system");
    if (!method.empty()) {
        const std::string url = HttpUrl(a);
        if (std::string_view path = UrlPath(url); !path.empty()) {
            name = method + " " + std::string(path);
        }
        type = "Http";
        data = RequestUrl(a);
        if (std::string http = HttpStatusCode(a); !http.empty()) code = http;
        target = WithoutDefaultPort(DependencyTarget(a));
    } else if (!db_system.empty()) {
        type = db_system == "mysql" || db_system == "postgresql" || db_system == "mongodb" ||
                       db_system == "redis"
                   ? db_system
               : IsSqlSystem(db_system) ? "SQL"
                                        : db_system;
        data = FirstAttributeText(
            a, {"db.query.text", "db.statement", "db.operation.name", "db.operation"});
        const std::string db_name = FirstAttributeText(a, {"db.namespace", "db.name"});
        target = DependencyTarget(a);
        if (target.empty()) {
            target = db_name.empty() ? db_system : db_name;
        } else if (!db_name.empty()) {
            target += "|" + db_name;
        }
    } else if (!rpc_system.empty()) {
        type = rpc_system == "WCF Service" ? "WCF Service" : "GRPC";
        if (std::string grpc = AttributeText(a, "rpc.grpc.status_code"); !grpc.empty()) code = grpc;
        target = DependencyTarget(a);
        if (target.empty()) target = rpc_system;
    }
    if (std::string ns = AttributeText(a, "az.namespace"); !ns.empty() && s.kind == kSpanInternal) {
        type = "InProc | " + ns;
    }
    b.Str(kId, s.span_id);
    b.Str(kName, Truncate(name, kMaxName));
    b.Str(kType, Truncate(type, kMaxName));
    b.Str(kResultCode, Truncate(code, kMaxResultCode));
    if (!data.empty()) b.Str(kData, Truncate(data, kMaxDependencyData));
    if (!target.empty()) b.Str(kTarget, Truncate(target, kMaxName));
    b.Str(kSuccess, s.status_code != kStatusError ? "True" : "False");
    WriteDuration(b, DurationMs(s));
}

// _MS.links: the span's links as the exporter serialises them.
Dynamic WithLinks(Dynamic properties, const Span& s) {
    if (s.links.empty()) return properties;
    std::string links = "[";
    for (const SpanLink& l : s.links) {
        if (links.size() > 1) links += ',';
        links += "{\"operation_Id\":";
        core::AppendJsonString(links, l.trace_id);
        links += ",\"id\":";
        core::AppendJsonString(links, l.span_id);
        links += '}';
    }
    links += ']';
    Dynamic::Object members;
    if (!properties.is_null()) members = properties.as_object();
    members.emplace_back("_MS.links", Dynamic::String(std::move(links)));
    return Dynamic::MakeObject(std::move(members));
}

void MapEvent(const Span& s, const SpanEvent& e, OtlpRows& rows) {
    RowTags tags;
    tags.operation_id = s.trace_id;
    tags.parent_id = s.span_id;
    if (const Dynamic* sid = FindAttribute(e.attributes, "session.id");
        sid != nullptr && sid->kind() == Dynamic::Kind::kString) {
        tags.session_id = sid->as_string();
    } else if (const Dynamic* span_sid = FindAttribute(s.attributes, "session.id");
               span_sid != nullptr && span_sid->kind() == Dynamic::Kind::kString) {
        tags.session_id = span_sid->as_string();
    }
    Dynamic properties = Properties(e.attributes, PropertyRule::kSpan);
    const Dynamic measurements = CustomMeasurements(e.attributes);
    const int64_t ticks = e.time_unix_nano != 0 ? NanosToTicks(e.time_unix_nano)
                                                : NanosToTicks(s.start_time_unix_nano);
    const bool is_exception = e.name == "exception";
    const TableId table = is_exception ? kExceptions : kTraces;
    TableBuilder& b = rows.Table(table);
    if (is_exception) {
        ExceptionRow ex;
        ex.type = AttributeText(e.attributes, "exception.type");
        ex.message = AttributeText(e.attributes, "exception.message");
        if (ex.message.empty()) ex.message = "Exception";
        ex.stack = AttributeText(e.attributes, "exception.stacktrace");
        WriteExceptionColumns(b, ex);
        if (std::string escaped = AttributeText(e.attributes, "exception.escaped");
            !escaped.empty()) {
            Dynamic::Object members;
            if (!properties.is_null()) members = properties.as_object();
            bool present = false;
            for (const auto& m : members) present = present || m.first == "exception.escaped";
            if (!present) members.emplace_back("exception.escaped", Dynamic::String(escaped));
            properties = Dynamic::MakeObject(std::move(members));
        }
    } else {
        b.Str(kMessage, Truncate(e.name, kMaxMessage));
    }
    b.BagObject(kCustomDimensions, properties);
    if (!measurements.is_null()) b.Dyn(kCustomMeasurements, measurements);
    rows.WriteCommon(b, table, ticks, ItemCount(s.attributes), tags);
    b.EndRow();
}

// Why a span cannot be stored, or "".
std::string Invalid(const Span& s) {
    if (!s.error.empty()) return s.error;
    if (s.trace_id.empty()) return "traceId is missing or all zeros";
    if (s.span_id.empty()) return "spanId is missing or all zeros";
    if (s.name.empty()) return "name is missing or empty";
    if (s.start_time_unix_nano == 0) return "startTimeUnixNano is missing";
    if (s.end_time_unix_nano < s.start_time_unix_nano) {
        return "endTimeUnixNano (" + std::to_string(s.end_time_unix_nano) +
               ") is before startTimeUnixNano (" + std::to_string(s.start_time_unix_nano) + ")";
    }
    return {};
}

}  // namespace

void MapSpan(const Span& s, const ItemPath& path, OtlpRows& rows) {
    if (std::string why = Invalid(s); !why.empty()) {
        rows.Reject(1, path.Item(), why);
        return;
    }
    const Attributes& a = s.attributes;
    const bool is_request = s.kind == kSpanServer || s.kind == kSpanConsumer;
    RowTags tags;
    tags.operation_id = s.trace_id;
    tags.parent_id = s.parent_span_id;
    AttributeTags(a, tags);
    std::string operation_name = AttributeText(a, "ai.operation.name");
    if (s.kind == kSpanServer) {
        operation_name = Truncate(ServerOperationName(s), kMaxName);
        if (tags.client_ip.empty()) {
            tags.client_ip = FirstAttributeText(a, {"client.address", "http.client_ip"});
            if (tags.client_ip.empty()) tags.client_ip = PeerIp(a);
        }
    }
    tags.operation_name = operation_name;

    const bool is_db =
        HttpMethod(a).empty() && !FirstAttributeText(a, {"db.system.name", "db.system"}).empty();
    const PropertyRule rule = is_db && !is_request ? PropertyRule::kDbSpan : PropertyRule::kSpan;
    const Dynamic properties = WithLinks(Properties(a, rule), s);
    const Dynamic measurements = CustomMeasurements(a);

    const TableId table = is_request ? kRequests : kDependencies;
    TableBuilder& b = rows.Table(table);
    if (is_request) {
        WriteRequest(s, tags, b);
    } else {
        WriteDependency(s, b);
    }
    b.BagObject(kCustomDimensions, properties);
    if (!measurements.is_null()) b.Dyn(kCustomMeasurements, measurements);
    rows.WriteCommon(b, table, NanosToTicks(s.start_time_unix_nano), ItemCount(a), tags);
    b.EndRow();
    for (const SpanEvent& e : s.events) MapEvent(s, e, rows);
}

void MapResourceMetric(const Attributes& resource, OtlpRows& rows) {
    const Dynamic properties = Properties(resource, PropertyRule::kResource);
    if (properties.is_null()) return;
    TableBuilder& b = rows.Table(kCustomMetrics);
    b.Str(kName, "_OTELRESOURCE_");
    for (Col c : {kValue, kValueSum, kValueMin, kValueMax}) b.Real(c, 1);
    b.Int(kValueCount, 1);
    b.Real(kValueStdDev, 0);
    b.BagObject(kCustomDimensions, properties);
    rows.WriteCommon(b, kCustomMetrics, rows.now_ticks(), 1, RowTags{});
    b.EndRow();
}

}  // namespace calypso::ingest::internal
