#pragma once

#include <string>
#include <vector>

#include "core/table_source.h"

namespace calypso::server {

// The rows of one workspace in the store that every workspace shares. A row carries its
// workspace's id: App Insights tables in `appId`, Log Analytics tables in `TenantId`. Rows
// with an empty value there, and every row of a table with neither column (PipelineRuns,
// Usage, ...), belong to the default workspace. With a single workspace every row is its
// own and scans pass through untouched. Thread-safe; `store` must outlive the view.
class WorkspaceView final : public core::TableSource {
  public:
    // `only`: the workspace is the only one (no row belongs to another).
    WorkspaceView(const core::TableSource& store, std::string workspace_id, bool is_default,
                  bool only)
        : store_(store), id_(std::move(workspace_id)), is_default_(is_default), only_(only) {}

    std::vector<std::string> ListTables() const override { return store_.ListTables(); }
    core::Result<core::Schema> GetSchema(const std::string& table) const override {
        return store_.GetSchema(table);
    }
    std::string TimeColumn(const std::string& table) const override {
        return store_.TimeColumn(table);
    }
    core::Status Scan(
        const core::ScanRequest& request,
        const std::function<core::Status(const core::Batch&)>& consume) const override;
    core::Status ScanParallel(const core::ScanRequest& request,
                              const core::ParallelConsumer& consumer) const override;

    // The column that names a row's workspace in a table of this schema ("appId",
    // "TenantId"), or "" when the table has none.
    static std::string WorkspaceColumn(const core::Schema& schema);

  private:
    struct Plan;
    // How to scan `request`'s table for this workspace's rows.
    core::Result<Plan> MakePlan(const core::ScanRequest& request) const;

    const core::TableSource& store_;
    const std::string id_;
    const bool is_default_;
    const bool only_;
};

// Several workspaces' rows as one source: what a query reads when the query API's body lists
// more `workspaces` (or `applications`) than the one in its path. Every workspace shares one
// store, so a table has one schema in all; a scan reads each member in turn (on one thread).
// Thread-safe; the members must outlive it.
class WorkspaceUnion final : public core::TableSource {
  public:
    // REQUIRES: `members` is not empty.
    explicit WorkspaceUnion(std::vector<const core::TableSource*> members)
        : members_(std::move(members)) {}

    std::vector<std::string> ListTables() const override { return members_[0]->ListTables(); }
    core::Result<core::Schema> GetSchema(const std::string& table) const override {
        return members_[0]->GetSchema(table);
    }
    std::string TimeColumn(const std::string& table) const override {
        return members_[0]->TimeColumn(table);
    }
    core::Status Scan(
        const core::ScanRequest& request,
        const std::function<core::Status(const core::Batch&)>& consume) const override {
        for (const core::TableSource* m : members_) RETURN_IF_ERROR(m->Scan(request, consume));
        return core::Status::Ok();
    }

  private:
    const std::vector<const core::TableSource*> members_;
};

}  // namespace calypso::server
