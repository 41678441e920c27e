#pragma once

#include <string>

#include "core/dynamic.h"

namespace calypso::app {

// Renders the first table of a Log Analytics JSON answer as an aligned text table
// (with a "(N rows)" footer) or as CSV (RFC 4180 quoting).
std::string FormatAsTable(const core::Dynamic& answer);
std::string FormatAsCsv(const core::Dynamic& answer);

// The first column of the first table, one line per row: the plan an explain answer holds.
std::string FormatAsLines(const core::Dynamic& answer);

// The answer's "statistics" (sent for `Prefer: include-statistics=true`) as lines of
// "name: value"; "" when the answer has none.
std::string FormatStatistics(const core::Dynamic& answer);

}  // namespace calypso::app
