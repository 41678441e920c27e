#pragma once

#include <map>
#include <string>

#include "kql/functions/scalar.h"

namespace calypso::kql::functions {

// Adds the math (abs, round, sqrt, pow, log, ...), text (extract, indexof, replace_string,
// trim_*), conditional (case, coalesce) and calendar (getyear, hourofday, ...) functions
// to the scalar function registry. Called once by the registry.
void AddExtraScalarFunctions(std::map<std::string, ScalarFunction, std::less<>>& registry);

}  // namespace calypso::kql::functions
