#pragma once

// Private to otlp_proto*.cc: reading the messages every OTLP signal shares (AnyValue,
// KeyValue, Resource, InstrumentationScope) and the Request -> ResourceX -> ScopeX -> item
// nesting, which has the same field numbers for logs, traces and metrics:
//   Export*ServiceRequest { repeated ResourceX resource_x = 1; }
//   ResourceX { Resource resource = 1; repeated ScopeX scope_x = 2; string schema_url = 3; }
//   ScopeX { InstrumentationScope scope = 1; repeated Item items = 2; string schema_url = 3; }
//   Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
//   InstrumentationScope { string name = 1; string version = 2; repeated KeyValue
//                          attributes = 3; uint32 dropped_attributes_count = 4; }
//   KeyValue { string key = 1; AnyValue value = 2; }
//   AnyValue { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
//              double double_value = 4; ArrayValue array_value = 5;
//              KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
//   ArrayValue { repeated AnyValue values = 1; }  KeyValueList { repeated KeyValue values = 1; }

#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "ingest/otlp_decode.h"
#include "ingest/otlp_model.h"
#include "ingest/otlp_wire.h"

namespace calypso::ingest::internal {

// Each returns "" on success, else what is wrong and where.
std::string ReadAnyValue(const WireField& f, int depth, core::Dynamic& out);
std::string ReadKeyValue(const WireField& f, int depth, Attribute& out);
// A bytes field holding a trace (16 bytes) or span (8 bytes) id, as hex.
std::string ReadId(const WireField& f, size_t bytes, std::string_view name, std::string& out);
// A string field.
std::string ReadString(const WireField& f, std::string_view name, std::string& out);
// Scalars with their expected wire types.
std::string ReadVarint(const WireField& f, std::string_view name, uint64_t& out);
std::string ReadFixed64(const WireField& f, std::string_view name, uint64_t& out);
std::string ReadDouble(const WireField& f, std::string_view name, double& out);

// Reads every field of `f`'s payload with `on_field(const WireField&) -> std::string`
// ("" to go on). Returns the first error: the callback's, or the framing's.
template <typename OnField>
std::string ForEachField(const WireField& f, std::string_view what, OnField&& on_field) {
    if (std::string e = WrongWireType(f, WireType::kLengthDelimited, what); !e.empty()) return e;
    WireReader reader(f.bytes, f.payload_offset);
    WireField field;
    while (reader.Next(field)) {
        if (std::string e = on_field(field); !e.empty()) return e;
    }
    return reader.error();
}

// Decodes a whole request whose items are read by
// `read_item(const WireField&, Item&) -> std::string`.
template <typename Item, typename ReadItem>
core::Result<Request<Item>> ReadRequest(std::string_view body, ReadItem&& read_item) {
    Request<Item> request;
    WireReader reader(body, 0);
    WireField top;
    while (reader.Next(top)) {
        if (top.number != 1) continue;
        if (std::string e = WrongWireType(top, WireType::kLengthDelimited, "resource");
            !e.empty()) {
            return core::Status::InvalidArgument(e);
        }
        ResourceGroup<Item>& group = request.emplace_back();
        // A bad resource or scope message rejects the items beside it, which are still
        // read so that the response counts them.
        std::string resource_error;
        group.error = ForEachField(top, "resource", [&](const WireField& rf) -> std::string {
            if (rf.number == 1) {
                std::string e = ForEachField(rf, "resource", [&](const WireField& af) {
                    if (af.number != 1) return std::string();
                    return ReadKeyValue(af, 0, group.resource.emplace_back());
                });
                if (resource_error.empty()) resource_error = std::move(e);
                return {};
            }
            if (rf.number != 2) return {};
            ScopeGroup<Item>& scope = group.scopes.emplace_back();
            std::string scope_error;
            scope.error = ForEachField(rf, "scope", [&](const WireField& sf) -> std::string {
                if (sf.number == 1) {
                    // The scope is validated but not stored (the exporter keeps none of it).
                    std::string e = ForEachField(sf, "scope", [](const WireField& x) {
                        if (x.number != 3) return std::string();
                        Attribute ignored;
                        return ReadKeyValue(x, 0, ignored);
                    });
                    if (scope_error.empty()) scope_error = std::move(e);
                    return {};
                }
                if (sf.number != 2) return {};
                Item& item = scope.items.emplace_back();
                item.error = read_item(sf, item);
                return {};
            });
            if (scope.error.empty()) scope.error = std::move(scope_error);
            return {};
        });
        if (group.error.empty()) group.error = std::move(resource_error);
    }
    if (reader.failed()) {
        return core::Status::InvalidArgument("undecodable protobuf body: " + reader.error());
    }
    return request;
}

}  // namespace calypso::ingest::internal
