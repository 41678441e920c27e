#pragma once

#include <string>

#include "core/query_service.h"
#include "core/table_source.h"

namespace calypso::kql {

// Runs KQL queries against a TableSource: parse -> bind -> optimize (planner/optimizer.h)
// -> vectorized execution over batches. Each tabular statement yields one ResultTable; the
// first is named "PrimaryResult". Errors: SyntaxError / SemanticError with line:column.
// Thread-safe: Run keeps no state between calls. `source` must outlive the engine.
class Engine final : public core::QueryService {
  public:
    explicit Engine(const core::TableSource& source) : source_(source) {}
    // With request.explain, answers Explain's text as a table (see QueryRequest).
    core::Result<core::QueryResult> Run(const core::QueryRequest& request) override;
    // The optimized plan of each tabular statement as an indented tree, one node per line
    // (plans of several statements separated by a blank line). Uses request.now_ticks and
    // request.timespan as Run would; reads schemas only, no rows.
    core::Result<std::string> Explain(const core::QueryRequest& request) const;

  private:
    const core::TableSource& source_;
};

}  // namespace calypso::kql
