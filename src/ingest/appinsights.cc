#include "ingest/appinsights.h"

#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "ingest/appinsights_internal.h"
#include "ingest/json_parser.h"

namespace calypso::ingest {
namespace {

using core::Result;
using core::Status;
using internal::Decoder;
using simdjson::dom::array;
using simdjson::dom::element;

bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

// Explains why a body starting with '[' did not parse: a truncation (with the byte offset
// and the element it cut), or the first element that is not valid JSON.
Status DiagnoseArray(std::string_view body, size_t start, simdjson::error_code error,
                     simdjson::dom::parser& parser) {
    std::vector<std::pair<size_t, size_t>> elements;  // [begin, end) of top-level elements
    int depth = 0;
    bool in_string = false, escaped = false;
    size_t element_begin = std::string_view::npos;
    size_t closed_at = std::string_view::npos;
    for (size_t i = start; i < body.size() && closed_at == std::string_view::npos; ++i) {
        char ch = body[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (depth == 1 && element_begin == std::string_view::npos && !IsSpace(ch) && ch != ',' &&
            ch != ']') {
            element_begin = i;
        }
        if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            ++depth;
        } else if (ch == ']' || ch == '}') {
            if (depth == 1 && element_begin != std::string_view::npos) {
                elements.emplace_back(element_begin, i);
                element_begin = std::string_view::npos;
            }
            if (--depth == 0) closed_at = i;
        } else if (ch == ',' && depth == 1 && element_begin != std::string_view::npos) {
            elements.emplace_back(element_begin, i);
            element_begin = std::string_view::npos;
        }
    }
    if (closed_at == std::string_view::npos) {
        std::string m = "truncated JSON array: the body ends at byte " +
                        std::to_string(body.size()) + " with the array still open";
        if (element_begin != std::string_view::npos) {
            m += ", inside element " + std::to_string(elements.size()) + " (starting at byte " +
                 std::to_string(element_begin) + ")";
        }
        return Status::InvalidArgument(std::move(m));
    }
    for (size_t i = 0; i < elements.size(); ++i) {
        auto [b, e] = elements[i];
        simdjson::dom::element ignored;
        if (parser.parse(body.data() + b, e - b, true).get(ignored) != simdjson::SUCCESS) {
            return Status::InvalidArgument("invalid JSON in array element " + std::to_string(i) +
                                           " (bytes " + std::to_string(b) + "-" +
                                           std::to_string(e) +
                                           "): " + simdjson::error_message(error));
        }
    }
    return Status::InvalidArgument("invalid JSON array (closed at byte " +
                                   std::to_string(closed_at) +
                                   "): " + simdjson::error_message(error));
}

// Decodes the envelope at `index`, recording its error if it is rejected.
void Decode(Decoder& decoder, const element& env, size_t index, TrackBatch& out) {
    internal::tl_truncations = 0;
    std::string err = decoder.Envelope(env);
    if (!err.empty()) {
        out.errors.push_back(ItemError{index, 400, std::move(err)});
    } else if (internal::tl_truncations > 0) {
        ++out.items_truncated;
    }
}

TrackBatch Finish(Decoder& decoder, size_t items_received, TrackBatch out) {
    out.items_received = items_received;
    out.batches = decoder.TakeBatches();
    return out;
}

}  // namespace

Result<TrackBatch> DecodeTrack(std::string_view body, const IKeyLookup& lookup, bool padded) {
    if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    size_t start = 0;
    while (start < body.size() && IsSpace(body[start])) ++start;
    if (start == body.size()) return Status::InvalidArgument("empty request body");

    ParserLease lease;
    simdjson::dom::parser& parser = lease.get();
    // Every envelope or line is parsed in place: from the body itself when it is padded,
    // else from one padded copy.
    simdjson::padded_string copy;
    if (!padded) copy = simdjson::padded_string(body);
    const char* base = padded ? body.data() : copy.data();
    TrackBatch out;
    Decoder decoder(lookup);

    if (body[start] == '[') {
        element doc;
        auto error = parser.parse(base, body.size(), false).get(doc);
        if (error != simdjson::SUCCESS) return DiagnoseArray(body, start, error, parser);
        array envelopes;
        if (doc.get_array().get(envelopes) != simdjson::SUCCESS) {
            return Status::InvalidArgument("request body is not a JSON array");
        }
        size_t index = 0;
        for (element env : envelopes) Decode(decoder, env, index++, out);
        return Finish(decoder, index, std::move(out));
    }

    // Newline-delimited JSON, or one bare object (possibly spread over several lines).
    std::vector<std::pair<size_t, size_t>> lines;
    for (size_t pos = 0; pos < body.size();) {
        size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) end = body.size();
        size_t b = pos, e = end;
        while (b < e && IsSpace(body[b])) ++b;
        while (e > b && IsSpace(body[e - 1])) --e;
        if (e > b) lines.emplace_back(b, e);
        pos = end + 1;
    }
    element doc;
    if (lines.size() > 1 && body[start] == '{' &&
        parser.parse(base + lines[0].first, lines[0].second - lines[0].first, false).get(doc) !=
            simdjson::SUCCESS &&
        parser.parse(base, body.size(), false).get(doc) == simdjson::SUCCESS) {
        // One pretty-printed object.
        Decode(decoder, doc, 0, out);
        return Finish(decoder, 1, std::move(out));
    }
    size_t good_json = 0;
    std::string first_error;
    for (size_t index = 0; index < lines.size(); ++index) {
        auto [b, e] = lines[index];
        auto error = parser.parse(base + b, e - b, false).get(doc);
        if (error != simdjson::SUCCESS) {
            std::string m = "Line " + std::to_string(index + 1) + " (byte " + std::to_string(b) +
                            ") is not valid JSON: " + simdjson::error_message(error);
            if (first_error.empty()) first_error = m;
            out.errors.push_back(ItemError{index, 400, std::move(m)});
            continue;
        }
        ++good_json;
        Decode(decoder, doc, index, out);
    }
    if (good_json == 0) {
        return Status::InvalidArgument(
            "request body is not JSON (an array, newline-delimited "
            "JSON or an object): " +
            first_error);
    }
    return Finish(decoder, lines.size(), std::move(out));
}

}  // namespace calypso::ingest
