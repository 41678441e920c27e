#pragma once

#include "core/query_service.h"
#include "core/table_source.h"

namespace calypso::kql {

// Runs KQL queries against a TableSource: parse -> bind -> plan (with column pruning) ->
// vectorized execution over batches. Each tabular statement yields one ResultTable; the
// first is named "PrimaryResult". Errors: SyntaxError / SemanticError with line:column.
// Thread-safe: Run keeps no state between calls. `source` must outlive the engine.
class Engine final : public core::QueryService {
  public:
    explicit Engine(const core::TableSource& source) : source_(source) {}
    core::Result<core::QueryResult> Run(const core::QueryRequest& request) override;

  private:
    const core::TableSource& source_;
};

}  // namespace calypso::kql
