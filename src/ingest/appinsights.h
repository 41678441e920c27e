#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/row_sink.h"
#include "core/status.h"

namespace calypso::ingest {

// What an instrumentation key resolves to: the values of the appName and appId columns.
struct AppInfo {
    std::string app_name;
    std::string app_id;
};

// Returns the app for a known instrumentation key, nullopt for an unknown one. Called at
// most once per distinct key per request; must be callable from the decoding thread.
using IKeyLookup = std::function<std::optional<AppInfo>(std::string_view ikey)>;

// A rejected envelope: its 0-based position in the request, the per-item HTTP status for
// the Breeze response's errors[] (400: malformed, never worth retrying) and why.
struct ItemError {
    size_t index;
    int status_code;
    std::string message;
};

// The decoded request. items_received counts every envelope (good or bad); the accepted
// count is items_received - errors.size().
struct TrackBatch {
    size_t items_received = 0;
    std::vector<core::TableBatch> batches;  // one per table touched, schema = the TableDef's
    std::vector<ItemError> errors;          // sorted by index
    // Accepted items that had a field cut to its length limit or properties beyond the
    // 100th dropped (kept, as Breeze keeps them; counted so the loss is visible).
    size_t items_truncated = 0;
};

// Decodes an Application Insights /v2/track or /v2.1/track request body (already
// decompressed). The body is a JSON array of envelopes, newline-delimited JSON (\n or \r\n,
// blank lines skipped) or one bare object; the form is sniffed, Content-Type is ignored.
// Envelopes are routed by data.baseType to the classic tables of ingest/tables.h and by
// iKey (or instrumentationKey) through `lookup`. A bad envelope becomes an ItemError and
// never loses the good ones beside it; over-long fields are truncated, not rejected, and
// properties beyond the 100th are dropped (items_truncated counts such items).
// Returns InvalidArgument (HTTP 400 for the whole request) only when the body cannot be
// read at all: empty, not JSON, a truncated array. The message says what and where.
// Thread-safe: no shared state besides a thread-local random generator for itemId.
// `padded`: SIMDJSON_PADDING readable bytes follow the body (BodyBytes::padded), so it is
// parsed in place rather than copied.
core::Result<TrackBatch> DecodeTrack(std::string_view body, const IKeyLookup& lookup,
                                     bool padded = false);

// Decodes a request body by its Content-Encoding: "gzip" (or "x-gzip"), "deflate" (zlib or
// raw), "identity" or empty. A body starting with the gzip magic bytes is inflated whatever
// the header says. Output larger than max_bytes -> LimitExceeded (decompression stops
// there, so a gzip bomb costs at most max_bytes); corrupt or truncated input or an unknown
// encoding -> InvalidArgument.
core::Result<std::string> Decompress(std::string_view body, std::string_view content_encoding,
                                     size_t max_bytes);

// A body ready for the decoders: its bytes, and whether SIMDJSON_PADDING readable bytes
// follow them (then the JSON decoders parse it in place instead of copying it first).
struct BodyBytes {
    std::string_view bytes;
    bool padded = false;
};
// As Decompress, but a body that is not compressed is used where it is, not copied;
// `storage` holds inflated bytes (with padding).
core::Result<BodyBytes> DecompressBody(const std::string& body, std::string_view content_encoding,
                                       size_t max_bytes, std::string& storage);

}  // namespace calypso::ingest
