#pragma once

// A fresh workspace list in its own temporary directory, removed at the end: what the
// query, Kusto and query-log handler tests build their Api on.

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/env.h"
#include "server/workspaces.h"

namespace calypso::server::testing {

class TempWorkspaces {
  public:
    explicit TempWorkspaces(const std::string& prefix)
        : dir_((std::filesystem::temp_directory_path() /
                (prefix + std::to_string(std::random_device{}())))
                   .string()) {
        auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir_, std::nullopt);
        if (ws.ok()) {
            workspaces_ = std::make_unique<Workspaces>(std::move(ws).value());
        } else {
            status_ = ws.status();
        }
    }
    ~TempWorkspaces() { std::filesystem::remove_all(dir_); }
    TempWorkspaces(const TempWorkspaces&) = delete;
    TempWorkspaces& operator=(const TempWorkspaces&) = delete;

    // Why the list could not be created; get() is null then.
    const core::Status& status() const { return status_; }
    Workspaces* get() const { return workspaces_.get(); }
    Workspaces* operator->() const { return workspaces_.get(); }

  private:
    std::string dir_;
    core::Status status_ = core::Status::Ok();
    std::unique_ptr<Workspaces> workspaces_;
};

}  // namespace calypso::server::testing
