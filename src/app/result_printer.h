#pragma once

#include <string>

#include "core/dynamic.h"

namespace calypso::app {

// Renders the first table of a Log Analytics JSON answer as an aligned text table
// (with a "(N rows)" footer) or as CSV (RFC 4180 quoting).
std::string FormatAsTable(const core::Dynamic& answer);
std::string FormatAsCsv(const core::Dynamic& answer);

}  // namespace calypso::app
