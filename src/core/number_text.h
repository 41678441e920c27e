#pragma once

#include <string_view>

#include "core/dynamic.h"

namespace calypso::core {

// The number KQL's todouble()/toreal() reads from text: optional spaces around, an
// optional '+', "NaN", or a complete decimal or exponent form. False: not a number (null).
bool ParseRealText(std::string_view text, double& out);

// todouble() of a dynamic value: numbers as they are, bools as 1/0, strings parsed as
// above; false (null) for null, arrays and objects. The store reads keys as real with this
// too, so a key read by the store and one converted by a query agree.
bool DynamicToReal(const Dynamic& value, double& out);

}  // namespace calypso::core
