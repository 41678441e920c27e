#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace calypso::server {

// A workspace: the unit of tenancy. Its instrumentation key routes App Insights
// envelopes to it; `id` is the {workspaceId}/{appId} of the query APIs.
struct Workspace {
    std::string name;
    std::string id;
    std::string ikey;
};

// The workspaces of a data directory, kept in DIR/workspaces.json. Read-only after load.
class Workspaces {
  public:
    // Loads DIR/workspaces.json, or creates it with the `default` workspace (whose key is
    // `ikey` when given, else a random GUID) at first start. An `ikey` that disagrees with
    // the stored one is an error, so a typo never silently splits data.
    static core::Result<Workspaces> LoadOrCreate(core::Env* env, const std::string& dir,
                                                 const std::optional<std::string>& ikey);

    const Workspace& default_workspace() const { return list_.front(); }
    // Every workspace, the default one first.
    const std::vector<Workspace>& all() const { return list_; }
    // By instrumentation key (case-insensitive GUID).
    const Workspace* ByIKey(std::string_view ikey) const;
    // By id, name or instrumentation key, as the query APIs accept.
    const Workspace* Find(std::string_view id_or_name) const;

  private:
    std::vector<Workspace> list_;
};

// A random RFC 4122 version-4 GUID in lower case.
std::string NewGuid();
// True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" with hex digits.
bool IsGuid(std::string_view s);

}  // namespace calypso::server
