#include <algorithm>

#include "kql/planner/rules.h"

namespace calypso::kql {

namespace {

using K = PlanNode::Kind;

void Fuse(PlanNode& node) {
    if (node.input) Fuse(*node.input);
    for (auto& in : node.inputs) Fuse(*in);
    if (node.kind != K::kLimit || !node.input) return;
    PlanNode& below = *node.input;
    if (below.kind != K::kSort && below.kind != K::kTop) return;
    // The sort keeps ties in input order and top-N does too, so the rows are the same;
    // top-N only ever holds `limit` of them.
    const int64_t limit = below.kind == K::kTop ? std::min(below.limit, node.limit) : node.limit;
    PlanPtr sort = std::move(node.input);
    node.kind = K::kTop;
    node.limit = limit;
    node.sort_keys = std::move(sort->sort_keys);
    node.input = std::move(sort->input);
}

}  // namespace

void FuseTopN(PlanNode& root) { Fuse(root); }

}  // namespace calypso::kql
