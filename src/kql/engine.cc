#include "kql/engine.h"

#include <exception>

#include "core/time.h"
#include "kql/binder/binder.h"
#include "kql/exec/executor.h"
#include "kql/syntax/parser.h"

namespace calypso::kql {

namespace {

core::Result<core::QueryResult> RunQuery(const core::TableSource& source,
                                         const core::QueryRequest& request) {
    ASSIGN_OR_RETURN(syntax::Query query, syntax::Parse(request.text));
    BindContext ctx;
    ctx.now_ticks = request.now_ticks != 0 ? request.now_ticks : core::NowTicks();
    Binder binder(source, ctx);
    ASSIGN_OR_RETURN(std::vector<PlanPtr> plans, binder.BindQuery(query));
    ExecOptions options;
    options.time = request.timespan;
    options.max_rows = request.max_rows;
    core::QueryResult result;
    for (size_t i = 0; i < plans.size(); ++i) {
        PruneColumns(*plans[i]);
        ASSIGN_OR_RETURN(ExecResult r, ExecutePlan(*plans[i], source, options));
        core::ResultTable table;
        table.name = i == 0 ? "PrimaryResult" : "Table_" + std::to_string(i);
        table.data = std::move(r.batch);
        table.truncated = r.truncated;
        table.render = plans[i]->render;
        result.tables.push_back(std::move(table));
    }
    return result;
}

}  // namespace

core::Result<core::QueryResult> Engine::Run(const core::QueryRequest& request) {
    try {
        return RunQuery(source_, request);
    } catch (const std::exception& e) {
        return core::Status::Internal(std::string("query failed: ") + e.what());
    }
}

}  // namespace calypso::kql
