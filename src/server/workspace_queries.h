#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/resources.h"
#include "core/status.h"
#include "core/table_source.h"
#include "kql/engine.h"
#include "server/workspace_view.h"
#include "server/workspaces.h"

namespace calypso::server {

// What each workspace's queries run on: a WorkspaceView of the store every workspace shares,
// and a kql::Engine over it holding the workspace's stored functions (the built-in ones,
// then those created with `.create function`). Functions created through the management
// endpoint are kept in DIR/functions/<workspace id>.json (`{"functions":[{"name",
// "parameters", "body", "folder", "docstring"}]}`, in creation order), replaced whole on
// each change (temp file, fsync, rename, directory fsync) and loaded by Open. Thread-safe.
class WorkspaceQueries {
  public:
    // Registers the functions every workspace starts with (RunLogs, ...).
    using Builtins = std::function<core::Status(kql::Engine&)>;

    // `dir`: the data directory; empty keeps created functions in memory only. A damaged
    // functions file is an error naming the file. `workspaces` and `store` must outlive
    // the result.
    static core::Result<std::unique_ptr<WorkspaceQueries>> Open(core::Env* env, std::string dir,
                                                                const Workspaces& workspaces,
                                                                const core::TableSource& store,
                                                                Builtins builtins = nullptr);

    // REQUIRES: `w` is one of the workspaces given to Open.
    kql::Engine& EngineOf(const Workspace& w) const;
    const core::TableSource& TablesOf(const Workspace& w) const;

    // The workspace a `workspace("x")` (kWorkspace) or `app("x")` (kApp) reference names:
    // by id, name (ignoring case), qualified name `subscription/resourceGroup/name`, or Azure
    // resource id `/subscriptions/../providers/Microsoft.OperationalInsights/workspaces/NAME`
    // (apps: `.../providers/microsoft.insights/components/NAME`). Null when none.
    const Workspace* FindResource(core::ResourceKind kind, std::string_view identifier) const;

    // `.create[-or-alter] function ...` in `w`: checked against `w`'s tables (with
    // `resources` for the body's workspace()/app() references), stored and persisted.
    // Returns the function as `.show function` lists it.
    core::Result<kql::StoredFunctionInfo> CreateFunction(const Workspace& w,
                                                         std::string_view command,
                                                         const core::ResourceResolver* resources);
    // Drops `name` in `w` and persists. NotFound when there is no such function;
    // InvalidArgument for a built-in one (a created function that replaced a built-in one
    // is dropped and the built-in one is back).
    core::Status DropFunction(const Workspace& w, std::string_view name);

  private:
    struct Entry {
        const Workspace* workspace = nullptr;
        std::unique_ptr<WorkspaceView> view;
        std::unique_ptr<kql::Engine> engine;
        std::vector<std::string> builtin_names;
        std::vector<kql::StoredFunctionInfo> created;  // persisted, in creation order
    };
    WorkspaceQueries(core::Env* env, std::string dir, Builtins builtins)
        : env_(env), dir_(std::move(dir)), builtins_(std::move(builtins)) {}
    Entry& EntryOf(const Workspace& w) const;
    std::string FunctionsPath(const Workspace& w) const;
    core::Status Load(Entry& e);
    core::Status Save(const Entry& e) const;  // with mu_ held

    core::Env* env_;
    const std::string dir_;
    const Builtins builtins_;
    std::map<std::string, std::unique_ptr<Entry>> entries_;  // by workspace id
    std::vector<const Workspace*> all_;
    mutable std::mutex mu_;  // serializes function changes and their files
};

// The resolver of one request's query: the workspaces and apps of `queries` that
// `may_read` allows (null: every one). One the caller may not read is NotFound, exactly as
// one that does not exist.
class RequestResources final : public core::ResourceResolver {
  public:
    RequestResources(const WorkspaceQueries& queries,
                     std::function<bool(const Workspace&)> may_read)
        : queries_(queries), may_read_(std::move(may_read)) {}
    core::Result<const core::TableSource*> Resolve(core::ResourceKind kind,
                                                   std::string_view identifier) const override;
    // The workspace's stored function `name` (built-in or created), for workspace("x").F().
    core::Result<std::string> ResolveFunction(core::ResourceKind kind, std::string_view identifier,
                                              std::string_view name) const override;

  private:
    const WorkspaceQueries& queries_;
    const std::function<bool(const Workspace&)> may_read_;
};

// A KQL string literal holding `s` ("..." with \\, \", \n, \r, \t escaped).
std::string KqlStringLiteral(std::string_view s);

}  // namespace calypso::server
