#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace calypso::server {

// The JSON text of cell values, written straight into the answer: the same bytes as
// core::AppendJsonString, std::to_string and core::FormatDatetime give, without their
// temporary strings, snprintf calls and per-character appends. A result of thousands of
// rows spent most of its time in those.

// `s` quoted and escaped as core::AppendJsonString does it.
void AppendQuoted(std::string& out, std::string_view s);
// A decimal integer.
void AppendInteger(std::string& out, int64_t v);
// The datetime quoted: "2024-01-02T03:04:05.1234567Z" with trailing zero fraction digits
// dropped (core::FormatDatetime), or all seven kept when `full_fraction` (Kusto's form).
void AppendQuotedDatetime(std::string& out, int64_t ticks, bool full_fraction = false);

}  // namespace calypso::server
