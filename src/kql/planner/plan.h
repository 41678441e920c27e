#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/schema.h"
#include "kql/binder/bound.h"
#include "kql/functions/aggregates.h"

namespace calypso::kql {

// A logical plan node. Each node owns its input; `schema` is the node's output.
struct PlanNode {
    enum class Kind {
        kScan,       // table, scan_columns (what is returned), time_column
        kValues,     // values (datatable, print)
        kFilter,     // predicate
        kProject,    // exprs[i] computes schema.fields[i]
        kAggregate,  // keys (schema fields [0, keys)), then aggregates
        kSort,       // sort_keys
        kTop,        // sort_keys, limit
        kLimit,      // limit
        kCount,      // one row: Count:long
    };
    struct Aggregate {
        const functions::AggregateFunction* fn = nullptr;
        std::vector<BoundExprPtr> args;
        core::Type type = core::Type::kNull;
    };
    struct SortKey {
        BoundExprPtr expr;
        bool ascending = false;
        bool nulls_first = false;
    };

    Kind kind = Kind::kValues;
    core::Schema schema;
    std::unique_ptr<PlanNode> input;

    std::string table;
    std::string time_column;
    core::Batch values;
    BoundExprPtr predicate;
    std::vector<BoundExprPtr> exprs;
    std::vector<BoundExprPtr> keys;
    std::vector<Aggregate> aggregates;
    std::vector<SortKey> sort_keys;
    int64_t limit = 0;
    // On the root only: the `render` hint of the query ("" when none).
    std::string render;
};
using PlanPtr = std::unique_ptr<PlanNode>;

// Projection pruning (planner/prune_columns.cc): narrows every scan to the columns the
// plan above it reads and drops project outputs nobody reads. Schemas are recomputed; the
// root's schema is unchanged.
void PruneColumns(PlanNode& root);

}  // namespace calypso::kql
