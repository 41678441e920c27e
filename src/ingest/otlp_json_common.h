#pragma once

// Private to otlp_json*.cc: reading OTLP/JSON values with simdjson's DOM, error-code style.
// OTLP/JSON is proto3 JSON with three differences: ids are hex, not base64; enums are
// integers (names are accepted too); keys are lowerCamelCase, and snake_case (the proto
// field names) is accepted as well, as real receivers do. 64-bit integers may be numbers
// or decimal strings. Each reader returns "" on success, else what is wrong.

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "ingest/json_parser.h"
#include "ingest/otlp_decode.h"
#include "ingest/otlp_model.h"

namespace calypso::ingest::internal {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// o[camel], or o[snake_case of camel]; false when absent or null.
bool JsonMember(const JsonObject& o, std::string_view camel, JsonElement& out);
// `camel` in snake_case (timeUnixNano -> time_unix_nano) in `buffer`; "" when it has no
// capitals (the same name) or does not fit.
std::string_view SnakeCase(std::string_view camel, std::span<char, 64> buffer);

std::string JsonString(const JsonElement& e, std::string_view name, std::string& out);
std::string JsonUint64(const JsonElement& e, std::string_view name, uint64_t& out);
std::string JsonInt64(const JsonElement& e, std::string_view name, int64_t& out);
std::string JsonDouble(const JsonElement& e, std::string_view name, double& out);
std::string JsonBool(const JsonElement& e, std::string_view name, bool& out);
// An enum: an integer, or one of `names` (whose position is the value).
std::string JsonEnum(const JsonElement& e, std::string_view name,
                     std::span<const std::string_view> names, int32_t& out);
// A hex id of `bytes` bytes.
std::string JsonId(const JsonElement& e, std::string_view name, size_t bytes, std::string& out);
std::string JsonAnyValue(const JsonElement& e, int depth, core::Dynamic& out);
// An array of {key, value} appended to `out`.
std::string JsonAttributes(const JsonElement& e, Attributes& out);
std::string JsonArrayOf(const JsonElement& e, std::string_view name, JsonArray& out);

// Runs `read(member)` when `o` has the member; "" when absent.
template <typename Read>
std::string IfMember(const JsonObject& o, std::string_view camel, Read&& read) {
    JsonElement e;
    if (!JsonMember(o, camel, e)) return {};
    return read(e);
}

// The keys naming a signal's nesting, e.g. {"resourceLogs", "scopeLogs", "logRecords"}.
struct JsonNesting {
    std::string_view resources, scopes, items;
};

// Parses the body and walks Request -> ResourceX -> ScopeX -> items, reading each item
// (an element, which need not be an object) with `read_item(const JsonElement&, Item&)`.
// `padded`: SIMDJSON_PADDING readable bytes follow `body`, which is then parsed in place.
core::Result<JsonElement> ParseJsonBody(simdjson::dom::parser& parser, std::string_view body,
                                        bool padded = false);

template <typename Item, typename ReadItem>
core::Result<Request<Item>> JsonRequest(std::string_view body, const JsonNesting& keys,
                                        ReadItem&& read_item, bool padded = false) {
    ParserLease parser;
    auto root = ParseJsonBody(parser.get(), body, padded);
    if (!root.ok()) return root.status();
    JsonObject top;
    if (root->get_object().get(top) != simdjson::SUCCESS) {
        return core::Status::InvalidArgument("request body must be a JSON object with \"" +
                                             std::string(keys.resources) + "\"");
    }
    Request<Item> request;
    JsonElement resources_el;
    if (!JsonMember(top, keys.resources, resources_el)) return request;
    JsonArray resources;
    if (std::string e = JsonArrayOf(resources_el, keys.resources, resources); !e.empty()) {
        return core::Status::InvalidArgument(e);
    }
    for (JsonElement r : resources) {
        ResourceGroup<Item>& group = request.emplace_back();
        JsonObject ro;
        if (r.get_object().get(ro) != simdjson::SUCCESS) {
            group.error = "not a JSON object";
            continue;
        }
        group.error = IfMember(ro, "resource", [&](const JsonElement& res) -> std::string {
            JsonObject res_obj;
            if (res.get_object().get(res_obj) != simdjson::SUCCESS) {
                return "\"resource\" is not an object";
            }
            return IfMember(res_obj, "attributes", [&](const JsonElement& a) {
                return JsonAttributes(a, group.resource);
            });
        });
        JsonElement scopes_el;
        if (!JsonMember(ro, keys.scopes, scopes_el)) continue;
        JsonArray scopes;
        if (std::string e = JsonArrayOf(scopes_el, keys.scopes, scopes); !e.empty()) {
            if (group.error.empty()) group.error = e;
            continue;
        }
        for (JsonElement s : scopes) {
            ScopeGroup<Item>& scope = group.scopes.emplace_back();
            JsonObject so;
            if (s.get_object().get(so) != simdjson::SUCCESS) {
                scope.error = "not a JSON object";
                continue;
            }
            scope.error = IfMember(so, "scope", [](const JsonElement& sc) -> std::string {
                JsonObject ignored;
                return sc.get_object().get(ignored) == simdjson::SUCCESS
                           ? std::string()
                           : std::string("\"scope\" is not an object");
            });
            JsonElement items_el;
            if (!JsonMember(so, keys.items, items_el)) continue;
            JsonArray items;
            if (std::string e = JsonArrayOf(items_el, keys.items, items); !e.empty()) {
                if (scope.error.empty()) scope.error = e;
                continue;
            }
            for (JsonElement item_el : items) {
                Item& item = scope.items.emplace_back();
                item.error = read_item(item_el, item);
            }
        }
    }
    return request;
}

}  // namespace calypso::ingest::internal
