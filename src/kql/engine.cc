#include "kql/engine.h"

#include <exception>

#include "core/time.h"
#include "kql/syntax/create_function.h"
#include "kql/binder/binder.h"
#include "kql/exec/executor.h"
#include "kql/planner/optimizer.h"
#include "kql/syntax/parser.h"

namespace calypso::kql {

namespace {

core::Result<std::vector<PlanPtr>> PlanQuery(const core::TableSource& source,
                                             const core::QueryRequest& request,
                                             std::shared_ptr<const FunctionMap> functions,
                                             QueryGovernor* governor = nullptr) {
    ASSIGN_OR_RETURN(syntax::Query query, syntax::Parse(request.text));
    BindContext ctx;
    // For operators run while binding (evaluate bag_unpack / pivot without a schema).
    ctx.timespan = request.timespan;
    ctx.governor = governor;
    ctx.now_ticks = request.now_ticks != 0 ? request.now_ticks : core::NowTicks();
    ctx.resources = request.resources;
    Binder binder(source, ctx, std::move(functions));
    ASSIGN_OR_RETURN(std::vector<PlanPtr> plans, binder.BindQuery(query));
    for (auto& plan : plans) Optimize(*plan);
    return plans;
}

std::string ExplainPlans(const std::vector<PlanPtr>& plans, const core::QueryRequest& request) {
    std::string out;
    for (size_t i = 0; i < plans.size(); ++i) {
        if (i > 0) out += '\n';
        out += ExplainPlan(*plans[i], request.timespan);
    }
    return out;
}

core::QueryResult PlanAsTable(const std::string& text) {
    core::Schema schema{{{"Plan", core::Type::kString}}};
    core::ResultTable table;
    table.name = "PrimaryResult";
    table.data = core::Batch::Empty(schema);
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        table.data.columns[0].AppendString(text.substr(start, end - start));
        start = end + 1;
    }
    core::QueryResult result;
    result.tables.push_back(std::move(table));
    return result;
}

core::Result<core::QueryResult> RunQuery(const core::TableSource& source,
                                         const core::QueryRequest& request,
                                         std::shared_ptr<const FunctionMap> functions) {
    QueryGovernor governor(
        QueryLimits{request.max_seconds, request.max_memory_bytes, request.cancelled});
    ASSIGN_OR_RETURN(std::vector<PlanPtr> plans,
                     PlanQuery(source, request, std::move(functions), &governor));
    if (request.explain) return PlanAsTable(ExplainPlans(plans, request));
    RETURN_IF_ERROR(governor.Check());
    ScanStatsTotal stats;
    ExecOptions options;
    options.time = request.timespan;
    options.max_rows = request.max_rows;
    options.stats = &stats;
    options.governor = &governor;
    core::QueryResult result;
    for (size_t i = 0; i < plans.size(); ++i) {
        ASSIGN_OR_RETURN(ExecResult r, ExecutePlan(*plans[i], source, options));
        core::ResultTable table;
        table.name = !plans[i]->result_name.empty() ? plans[i]->result_name
                     : i == 0                          ? "PrimaryResult"
                                                       : "Table_" + std::to_string(i);
        table.data = std::move(r.batch);
        table.truncated = r.truncated;
        table.render = plans[i]->render;
        result.tables.push_back(std::move(table));
    }
    result.scan_stats = stats.Get();
    return result;
}

}  // namespace

core::Result<core::QueryResult> Engine::Run(const core::QueryRequest& request) {
    try {
        return RunQuery(TablesFor(request), request, Functions());
    } catch (const std::exception& e) {
        return core::Status::Internal(std::string("query failed: ") + e.what());
    }
}

core::Result<std::string> Engine::Explain(const core::QueryRequest& request) const {
    try {
        ASSIGN_OR_RETURN(std::vector<PlanPtr> plans,
                         PlanQuery(TablesFor(request), request, Functions()));
        return ExplainPlans(plans, request);
    } catch (const std::exception& e) {
        return core::Status::Internal(std::string("explain failed: ") + e.what());
    }
}

}  // namespace calypso::kql

namespace calypso::kql {

std::shared_ptr<const Engine::FunctionMap> Engine::Functions() const {
    std::lock_guard<std::mutex> lock(mu_);
    return functions_;
}

core::Status Engine::CreateFunction(std::string_view text, const core::ResourceResolver* resources,
                                    bool check) {
    ASSIGN_OR_RETURN(syntax::CreateFunctionCommand cmd, syntax::ParseCreateFunction(text));
    if (check) {
        // Bind the body now, against the tables and the functions stored so far.
        BindContext ctx;
        ctx.now_ticks = core::NowTicks();
        ctx.resources = resources;
        Binder binder(source_, ctx, Functions());
        RETURN_IF_ERROR(binder.CheckFunction(*cmd.def));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (cmd.if_not_exists && functions_->count(cmd.def->name) != 0) return core::Status::Ok();
    auto next = std::make_shared<FunctionMap>(*functions_);
    StoredFunctionInfo info{cmd.def->name, cmd.def->params_text, cmd.def->body_text,
                            std::move(cmd.folder), std::move(cmd.doc_string)};
    (*next)[cmd.def->name] = std::move(cmd.def);
    function_info_[info.name] = std::move(info);
    functions_ = std::move(next);
    return core::Status::Ok();
}

core::Status Engine::DropFunction(std::string_view name) {
    std::lock_guard<std::mutex> lock(mu_);
    if (functions_->find(name) == functions_->end()) {
        return core::Status::NotFound("function '" + std::string(name) + "' does not exist");
    }
    auto next = std::make_shared<FunctionMap>(*functions_);
    next->erase(next->find(name));
    function_info_.erase(std::string(name));
    functions_ = std::move(next);
    return core::Status::Ok();
}

std::vector<StoredFunctionInfo> Engine::ListFunctions() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<StoredFunctionInfo> out;
    for (const auto& [name, info] : function_info_) out.push_back(info);
    return out;
}

}  // namespace calypso::kql
