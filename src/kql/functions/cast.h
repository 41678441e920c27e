#pragma once

#include "core/types.h"
#include "kql/exec/vec.h"

namespace calypso::kql::functions {

// Converts `v` (of type v.type()) to type `to` as KQL's to*() functions do: failed
// conversions give null, conversions to string never give null ("" instead).
Vec CastVec(const Vec& v, core::Type to, size_t rows);

// One value; same rules as CastVec.
core::Value CastValue(const core::Value& v, core::Type to);

}  // namespace calypso::kql::functions
