#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/query_service.h"
#include "core/table_source.h"

namespace calypso::kql {

namespace syntax {
struct FunctionDef;
}

// A stored function as `.show functions` lists it.
struct StoredFunctionInfo {
    std::string name;
    std::string parameters;  // "(run_id:string)"
    std::string body;        // "{ ... }"
    std::string folder;
    std::string doc_string;
};

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

    // Stores a function every later query can call, from Kusto's command text
    // `.create[-or-alter] function [ifnotexists] [with (folder="...", docstring="...")]
    // Name(params) { body }` or just `Name(params) { body }`. The body is parsed now (a
    // SyntaxError names its line:column in `text`) and bound at each call. A function of
    // the same name is replaced (kept with `ifnotexists`). `resources` resolves the body's
    // `workspace("x")` / `app("x")` references for that check (at each call the calling
    // query's resolver is used). With `check` false the body is only parsed, not bound (to
    // reload functions that were checked when created, in any order).
    core::Status CreateFunction(std::string_view text,
                                const core::ResourceResolver* resources = nullptr,
                                bool check = true);
    // Removes a stored function; NotFound when there is none of that name.
    core::Status DropFunction(std::string_view name);
    // Stored functions by name.
    std::vector<StoredFunctionInfo> ListFunctions() const;

  private:
    using FunctionMap =
        std::map<std::string, std::shared_ptr<const syntax::FunctionDef>, std::less<>>;
    std::shared_ptr<const FunctionMap> Functions() const;
    // What the query's own table names read: request.tables when set, else source_.
    const core::TableSource& TablesFor(const core::QueryRequest& request) const {
        return request.tables != nullptr ? *request.tables : source_;
    }

    const core::TableSource& source_;
    mutable std::mutex mu_;  // guards the two members below (replaced, never mutated)
    std::shared_ptr<const FunctionMap> functions_ = std::make_shared<FunctionMap>();
    std::map<std::string, StoredFunctionInfo> function_info_;
};

}  // namespace calypso::kql
