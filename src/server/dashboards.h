#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic.h"
#include "core/env.h"
#include "core/status.h"

namespace calypso::server {

// The visualizations a dashboard tile may use: KQL's `render` kinds plus table and stat.
inline constexpr std::string_view kTileVisualizations[] = {
    "table",    "timechart", "linechart",    "barchart", "columnchart",
    "piechart", "areachart", "scatterchart", "stat"};

// Checks a dashboard body ({title, refresh, tiles: [{title, query, timespan, visualization,
// x, y, w, h}]}) and returns it in canonical form (only known members, with `id`). Errors
// say what and where: "tiles[2].query: missing".
core::Result<core::Dynamic> ValidateDashboard(std::string_view id, const core::Dynamic& body);
// Ids are 1-64 of [A-Za-z0-9_-] (they appear in URLs and file contents).
bool IsDashboardId(std::string_view id);

// The built-in dashboards (engineering, data-science, qa, analysis), in canonical form.
const std::vector<core::Dynamic>& BuiltinDashboards();

// Dashboards of a data directory: the built-in ones, overridden by the user's, which are
// kept in DIR/dashboards.json (replaced atomically and synced on every change).
// Thread-safe.
class DashboardStore {
  public:
    static core::Result<DashboardStore> Open(core::Env* env, const std::string& dir);
    DashboardStore(DashboardStore&& other) noexcept;

    // Every dashboard (built-ins first, in their order, then the user's by id); each with
    // `builtin` and `modified` flags.
    std::vector<core::Dynamic> List() const;
    std::optional<core::Dynamic> Get(std::string_view id) const;
    // Creates or replaces `id` with a validated body; returns the stored dashboard.
    core::Result<core::Dynamic> Put(std::string_view id, const core::Dynamic& body);
    // Removes the user's `id`; a built-in one returns to its original. NotFound otherwise.
    core::Status Delete(std::string_view id);

  private:
    DashboardStore(core::Env* env, std::string path) : env_(env), path_(std::move(path)) {}
    core::Status Save() const;  // with mu_ held
    core::Dynamic WithFlags(const core::Dynamic& d, bool builtin, bool modified) const;

    core::Env* env_;
    std::string path_;
    mutable std::mutex mu_;
    std::map<std::string, core::Dynamic, std::less<>> user_;
};

}  // namespace calypso::server
