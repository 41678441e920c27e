#pragma once

#include <cstdint>
#include <vector>

#include "core/column.h"
#include "kql/binder/bound.h"

namespace calypso::kql {

// The rows of `b` where the predicate `e` is true, in order, into `rows`. Conjuncts of
// `and` narrow the rows one after the other, and `integer column <op> constant` is tested
// straight into the row list; anything else is evaluated over the batch by its kernel.
// REQUIRES ResolveColumns against b.schema.
void SelectRows(const BoundExpr& e, const core::Batch& b, std::vector<uint32_t>& rows);

}  // namespace calypso::kql
