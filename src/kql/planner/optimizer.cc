#include "kql/planner/optimizer.h"

#include "kql/planner/rules.h"

namespace calypso::kql {

void Optimize(PlanNode& root) {
    // Folding first so the push-down rules see constants; pruning last so it sees the
    // key columns and predicates the others added.
    FoldConstants(root);
    FuseTopN(root);
    PushKeys(root);
    PushPredicates(root);
    PruneColumns(root);
}

}  // namespace calypso::kql
