#include <algorithm>
#include <charconv>
#include <cmath>

#include "ingest/appinsights_internal.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;

// The top frame of an exception: from parsedStack[0], else from the first "at ..." line of
// a raw `stack` string (the OTel exporter's form).
void TopFrame(const object& ex, std::string& scratch, std::string_view& method,
              std::string_view& assembly) {
    array frames;
    if (ArrayField(ex, "parsedStack", frames)) {
        for (element f : frames) {
            object frame;
            if (f.get_object().get(frame) != simdjson::SUCCESS) continue;
            StringField(frame, "method", method);
            StringField(frame, "assembly", assembly);
            return;
        }
        return;
    }
    std::string_view stack;
    if (StringField(ex, "stack", stack)) TopFrameOfStack(stack, scratch, method, assembly);
}

}  // namespace

void TopFrameOfStack(std::string_view stack, std::string& scratch, std::string_view& method,
                     std::string_view& assembly) {
    size_t pos = 0;
    while (pos < stack.size()) {
        size_t end = stack.find('\n', pos);
        if (end == std::string_view::npos) end = stack.size();
        std::string_view line = stack.substr(pos, end - pos);
        pos = end + 1;
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string_view::npos) continue;
        line = line.substr(b);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        if (line.substr(0, 3) != "at ") continue;
        assembly = line;
        std::string_view rest = line.substr(3);
        size_t paren = rest.rfind(" (");
        if (paren != std::string_view::npos && rest.back() == ')') {
            scratch.assign(rest.substr(0, paren));
            method = scratch;
        } else {
            method = "<no_method>";
        }
        return;
    }
}

namespace {

// One exceptions[] element, read.
// Views point into the DOM or into this struct's own buffers, so it is never moved.
struct ExceptionInfo {
    std::string_view type, message, method, assembly;
    std::string type_text, message_text, method_text;
};

// The four columns of one exception (the outermost or the innermost one).
void WriteException(TableBuilder& b, const ExceptionInfo& info, Col type, Col message, Col assembly,
                    Col method) {
    b.Str(type, Truncate(info.type, kMaxName));
    b.Str(message, Truncate(info.message, kMaxMessage));
    b.Str(assembly, Truncate(info.assembly, kMaxName));
    b.Str(method, Truncate(info.method, kMaxName));
}

}  // namespace

std::string Decoder::Message(const Common& c, const object& base) {
    std::string_view message;
    if (!TextField(base, "message", text_, message)) return Required("message", "MessageData");
    TableBuilder& b = Table(kTraces);
    b.Str(kMessage, Truncate(message, kMaxMessage));
    if (int64_t sev = Severity(base); sev >= 0) b.Int(kSeverityLevel, sev);
    properties_.Collect(base);
    WriteCommon(b, kTraces, c, properties_, &base);
    b.EndRow();
    return {};
}

std::string Decoder::Event(const Common& c, const object& base) {
    std::string_view name;
    if (!TextField(base, "name", text_, name)) return Required("name", "EventData");
    TableBuilder& b = Table(kCustomEvents);
    b.Str(kName, Truncate(name, kMaxEventName));
    properties_.Collect(base);
    WriteCommon(b, kCustomEvents, c, properties_, &base);
    b.EndRow();
    return {};
}

std::string Decoder::Metric(const Common& c, const object& base) {
    array metrics;
    if (!ArrayField(base, "metrics", metrics) || metrics.size() == 0) {
        return Required("metrics", "MetricData");
    }
    // Validate every point first: a bad point rejects the whole envelope.
    for (element m : metrics) {
        object point;
        std::string_view name;
        double value = 0;
        if (m.get_object().get(point) != simdjson::SUCCESS ||
            !TextField(point, "name", text_, name)) {
            return Required("name", "DataPoint");
        }
        if (!DoubleField(point, "value", value)) return Required("value", "DataPoint");
    }
    properties_.Collect(base);
    TableBuilder& b = Table(kCustomMetrics);
    for (element m : metrics) {
        object point;
        std::string_view name;
        double value = 0, count = 1, min = 0, max = 0, stddev = 0;
        if (m.get_object().get(point) != simdjson::SUCCESS) continue;
        TextField(point, "name", text_, name);
        DoubleField(point, "value", value);
        if (!DoubleField(point, "count", count) || !(count >= 0)) count = 1;
        if (!DoubleField(point, "min", min)) min = value;
        if (!DoubleField(point, "max", max)) max = value;
        if (!DoubleField(point, "stdDev", stddev)) stddev = 0;
        b.Str(kName, Truncate(name, kMaxName));
        b.Real(kValue, value);
        b.Int(kValueCount, std::llround(std::min(count, 9.0e18)));
        b.Real(kValueSum, value);
        b.Real(kValueMin, min);
        b.Real(kValueMax, max);
        b.Real(kValueStdDev, stddev);
        WriteCommon(b, kCustomMetrics, c, properties_, nullptr);
        b.EndRow();
    }
    return {};
}

std::string Decoder::Exception(const Common& c, const object& base) {
    array list;
    if (!ArrayField(base, "exceptions", list) || list.size() == 0) {
        return Required("exceptions", "ExceptionData");
    }
    ExceptionInfo outer, innermost;
    const size_t n = list.size();
    size_t i = 0;
    for (element item : list) {
        object ex;
        ExceptionInfo& info = i == 0 ? outer : innermost;
        if (item.get_object().get(ex) != simdjson::SUCCESS ||
            !TextField(ex, "typeName", info.type_text, info.type)) {
            return Required("typeName", "ExceptionDetails");
        }
        if (i == 0 || i + 1 == n) {
            TextField(ex, "message", info.message_text, info.message);
            TopFrame(ex, info.method_text, info.method, info.assembly);
        }
        ++i;
    }
    const ExceptionInfo& inner = n == 1 ? outer : innermost;
    std::string_view problem_id;
    std::string generated;
    if (!TextField(base, "problemId", text_, problem_id)) {
        generated.assign(outer.type);
        if (!outer.method.empty()) {
            generated += " at ";
            generated += outer.method;
        }
        problem_id = generated;
    }
    TableBuilder& b = Table(kExceptions);
    b.Str(kProblemId, Truncate(problem_id, kMaxName));
    WriteException(b, outer, kType, kMessage, kAssembly, kMethod);
    WriteException(b, outer, kOuterType, kOuterMessage, kOuterAssembly, kOuterMethod);
    WriteException(b, inner, kInnermostType, kInnermostMessage, kInnermostAssembly,
                   kInnermostMethod);
    if (int64_t sev = Severity(base); sev >= 0) b.Int(kSeverityLevel, sev);
    b.Dyn(kDetails, ToDynamic(list));
    properties_.Collect(base);
    WriteCommon(b, kExceptions, c, properties_, &base);
    b.EndRow();
    return {};
}

// The columns shared by requests, dependencies, pageViews and availabilityResults.
void Decoder::WriteIdNameDuration(TableBuilder& b, const object& base, std::string_view name,
                                  int has_duration, double ms) {
    OptionalText(b, base, "id", kId, kMaxId);
    b.Str(kName, Truncate(name, kMaxName));
    if (has_duration == 1) {
        b.Real(kDuration, ms);
        b.Str(kPerformanceBucket, PerformanceBucket(ms));
    }
}

void Decoder::OptionalText(TableBuilder& b, const object& base, std::string_view key, Col col,
                           size_t max) {
    std::string_view v;
    if (TextField(base, key, scratch_, v)) b.Str(col, Truncate(v, max));
}

std::string Decoder::Request(const Common& c, const object& base) {
    std::string_view id, code;
    double ms = 0;
    int has_duration = Duration(base, ms);
    if (!TextField(base, "id", text_, id)) return Required("id", "RequestData");
    if (has_duration != 1) return Required("duration", "RequestData");
    if (!TextField(base, "responseCode", text2_, code)) {
        return Required("responseCode", "RequestData");
    }
    std::string name_text;
    std::string_view name;
    TextField(base, "name", name_text, name);
    TableBuilder& b = Table(kRequests);
    WriteIdNameDuration(b, base, name, has_duration, ms);
    OptionalText(b, base, "url", kUrl, kMaxUrl);
    OptionalText(b, base, "source", kSource, kMaxName);
    b.Str(kResultCode, Truncate(code, kMaxResultCode));
    std::string_view success = Success(base);
    if (success.empty()) {
        int code_num = 0;
        auto r = std::from_chars(code.data(), code.data() + code.size(), code_num);
        success = r.ec == std::errc() && code_num >= 400 ? "False" : "True";
    }
    b.Str(kSuccess, success);
    properties_.Collect(base);
    WriteCommon(b, kRequests, c, properties_, &base);
    b.EndRow();
    return {};
}

std::string Decoder::Dependency(const Common& c, const object& base) {
    std::string_view name;
    double ms = 0;
    int has_duration = Duration(base, ms);
    if (!TextField(base, "name", text2_, name)) return Required("name", "RemoteDependencyData");
    if (has_duration != 1) return Required("duration", "RemoteDependencyData");
    TableBuilder& b = Table(kDependencies);
    WriteIdNameDuration(b, base, name, has_duration, ms);
    OptionalText(b, base, "resultCode", kResultCode, kMaxResultCode);
    OptionalText(b, base, "data", kData, kMaxDependencyData);
    OptionalText(b, base, "type", kType, kMaxName);
    OptionalText(b, base, "target", kTarget, kMaxName);
    if (std::string_view s = Success(base); !s.empty()) b.Str(kSuccess, s);
    properties_.Collect(base);
    WriteCommon(b, kDependencies, c, properties_, &base);
    b.EndRow();
    return {};
}

std::string Decoder::PageView(const Common& c, const object& base) {
    std::string_view name;
    double ms = 0;
    int has_duration = Duration(base, ms);
    if (!TextField(base, "name", text2_, name)) return Required("name", "PageViewData");
    TableBuilder& b = Table(kPageViews);
    WriteIdNameDuration(b, base, name, has_duration, ms);
    OptionalText(b, base, "url", kUrl, kMaxUrl);
    properties_.Collect(base);
    WriteCommon(b, kPageViews, c, properties_, &base);
    b.EndRow();
    return {};
}

std::string Decoder::Availability(const Common& c, const object& base) {
    std::string_view name;
    double ms = 0;
    int has_duration = Duration(base, ms);
    if (!TextField(base, "name", text2_, name)) return Required("name", "AvailabilityData");
    TableBuilder& b = Table(kAvailabilityResults);
    WriteIdNameDuration(b, base, name, has_duration, ms);
    OptionalText(b, base, "runLocation", kLocation, kMaxName);
    OptionalText(b, base, "message", kMessage, kMaxMessage);
    if (std::string_view s = Success(base); !s.empty()) b.Str(kSuccess, s);
    double size = 0;
    if (DoubleField(base, "size", size)) b.Real(kSize, size);
    properties_.Collect(base);
    WriteCommon(b, kAvailabilityResults, c, properties_, &base);
    b.EndRow();
    return {};
}

}  // namespace calypso::ingest::internal
