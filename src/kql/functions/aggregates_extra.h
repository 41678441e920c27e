#pragma once

#include <map>
#include <string>

#include "kql/functions/aggregates.h"

namespace calypso::kql::functions {

// Adds percentile(s), stdev/variance(p), take_any, make_bag, count_distinct and the `*if`
// variants (avgif, minif, maxif, dcountif, ...) built from the entries already in
// `registry`. Called once by the registry.
void AddExtraAggregates(std::map<std::string, AggregateFunction, std::less<>>& registry);

// percentilew, percentilesw, percentiles_array, percentilesw_array, make_list_with_nulls
// (functions/aggregates_more.cc).
void AddMoreAggregates(std::map<std::string, AggregateFunction, std::less<>>& registry);

// buildschema, binary_all_and/or/xor (functions/aggregates_schema.cc).
void AddSchemaAggregates(std::map<std::string, AggregateFunction, std::less<>>& registry);

// hll, hll_merge, tdigest, tdigest_merge (functions/digests.cc).
void AddDigestAggregates(std::map<std::string, AggregateFunction, std::less<>>& registry);

// The column-name suffix of a percentage: 95 -> "95", 99.9 -> "99_9".
std::string PercentSuffix(double p);

}  // namespace calypso::kql::functions
