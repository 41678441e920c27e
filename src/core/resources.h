#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/table_source.h"

namespace calypso::core {

// The two kinds of cross-resource reference in KQL: `workspace("x").T` (a Log Analytics
// workspace) and `app("x").T` (an Application Insights app).
enum class ResourceKind { kWorkspace, kApp };

// Maps a cross-resource reference to the tables it names. The query engine asks it while
// binding and reads the returned source like its own; the server implements it over its
// workspaces. Implementations are thread-safe.
class ResourceResolver {
  public:
    virtual ~ResourceResolver() = default;
    // The tables of the resource `identifier` names (as written in the query: a name, an
    // id, a resource id, ...). NotFound when there is no such resource *or* the caller may
    // not read it: the two answers must be indistinguishable. The source must outlive every
    // query that was given this resolver.
    virtual Result<const TableSource*> Resolve(ResourceKind kind,
                                               std::string_view identifier) const = 0;
    // The stored function `name` of the resource (`workspace("x").F()`), as
    // `Name(params) { body }`. NotFound, like Resolve, when the resource does not exist or
    // may not be read, and when it has no such function. By default resources have none.
    virtual Result<std::string> ResolveFunction(ResourceKind /*kind*/,
                                                std::string_view /*identifier*/,
                                                std::string_view /*name*/) const {
        return Status::NotFound("no stored functions");
    }
};

}  // namespace calypso::core
