// Log records -> traces, exceptions or customEvents, as the exporter's logToEnvelope.

#include <algorithm>

#include "ingest/otlp_mappers.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;

// severityNumber bands as the exporter's getSeverity: 1-8 Verbose, 9-12 Information,
// 13-16 Warning, 17-20 Error, 21-24 Critical. Without a number the exporter sends none; the
// common severityText names are read as well, so text-only senders keep their level.
int64_t SeverityLevel(int32_t number, std::string_view text) {
    if (number >= 1 && number <= 24) return (number - 1) / 4 < 2 ? 0 : (number - 1) / 4 - 1;
    std::string upper(text.substr(0, 16));
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (upper == "TRACE" || upper == "DEBUG" || upper == "VERBOSE") return 0;
    if (upper == "INFO" || upper == "INFORMATION") return 1;
    if (upper == "WARN" || upper == "WARNING") return 2;
    if (upper == "ERROR") return 3;
    if (upper == "FATAL" || upper == "CRITICAL") return 4;
    return -1;
}

// The body as the message: a string as itself, anything else as JSON; "n/a" (the
// exporter's DEFAULT_LOG_MESSAGE) when there is none.
std::string MessageText(const LogRecord& r) {
    std::string text;
    if (r.has_body && !r.body.is_null()) text = r.body.ToText();
    return text.empty() ? std::string("n/a") : text;
}

}  // namespace

void MapLogRecord(const LogRecord& r, const ItemPath& path, OtlpRows& rows) {
    if (!r.error.empty()) {
        rows.Reject(1, path.Item(), r.error);
        return;
    }
    const uint64_t nanos = r.time_unix_nano != 0 ? r.time_unix_nano : r.observed_time_unix_nano;
    const int64_t ticks = nanos != 0 ? NanosToTicks(nanos) : rows.now_ticks();
    RowTags tags;
    tags.operation_id = r.trace_id;
    tags.parent_id = r.span_id;
    const int64_t severity = SeverityLevel(r.severity_number, r.severity_text);

    // Every attribute read by name below has a '.' in its key; a pipeline's own attributes
    // (parent_run_id, step_name, ...) usually have none, and then the lookups are skipped.
    const bool dotted = std::any_of(r.attributes.begin(), r.attributes.end(), [](const auto& a) {
        return a.key.find('.') != std::string::npos;
    });
    std::string operation_name, event_name;
    Dynamic measurements;
    ExceptionRow ex;
    if (dotted) {
        operation_name = AttributeText(r.attributes, "ai.operation.name");
        tags.operation_name = operation_name;
        AttributeTags(r.attributes, tags);
        measurements = CustomMeasurements(r.attributes);
        ex.type = AttributeText(r.attributes, "exception.type");
        ex.message = AttributeText(r.attributes, "exception.message");
        ex.stack = AttributeText(r.attributes, "exception.stacktrace");
        event_name = AttributeText(r.attributes, "microsoft.custom_event.name");
    }

    TableId table = kTraces;
    if (!ex.type.empty() || !ex.message.empty() || !ex.stack.empty()) {
        table = kExceptions;
    } else if (!event_name.empty()) {
        table = kCustomEvents;
    }
    TableBuilder& b = rows.Table(table);
    if (table == kExceptions) {
        if (ex.message.empty() && r.has_body && !r.body.is_null()) ex.message = r.body.ToText();
        ex.severity = severity;
        WriteExceptionColumns(b, ex);
    } else if (table == kCustomEvents) {
        b.Str(kName, Truncate(event_name, kMaxEventName));
    } else {
        b.Str(kMessage, Truncate(MessageText(r), kMaxMessage));
        if (severity >= 0) b.Int(kSeverityLevel, severity);
    }
    WriteProperties(b, r.attributes, PropertyRule::kLog);
    if (!measurements.is_null()) b.Dyn(kCustomMeasurements, measurements);
    rows.WriteCommon(b, table, ticks, 1, tags);
    b.EndRow();
}

}  // namespace calypso::ingest::internal
