#pragma once

// A fresh workspace list in its own temporary directory, removed at the end: what the
// query, Kusto and query-log handler tests build their Api on.

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "server/workspaces.h"

namespace calypso::server::testing {

class TempWorkspaces {
  public:
    // `more`: workspaces after `default`, as {name, id, ikey}.
    explicit TempWorkspaces(const std::string& prefix, const std::vector<Workspace>& more = {})
        : dir_((std::filesystem::temp_directory_path() /
                (prefix + std::to_string(std::random_device{}())))
                   .string()) {
        if (!more.empty()) {
            std::filesystem::create_directories(dir_);
            std::string json = R"({"workspaces":[{"name":"default","id":")" +
                               std::string(kDefaultId) +
                               R"(","ikey":"00000000-0000-4000-8000-0000000000d0"})";
            for (const auto& w : more) {
                json += R"(,{"name":")" + w.name + R"(","id":")" + w.id + R"(","ikey":")" + w.ikey +
                        R"("})";
            }
            std::ofstream(dir_ + "/workspaces.json") << json << "]}";
        }
        Load();
    }
    ~TempWorkspaces() { std::filesystem::remove_all(dir_); }
    TempWorkspaces(const TempWorkspaces&) = delete;
    TempWorkspaces& operator=(const TempWorkspaces&) = delete;

    // The id of `default` when `more` was given.
    static constexpr std::string_view kDefaultId = "00000000-0000-4000-8000-00000000000d";

    // Why the list could not be created; get() is null then.
    const core::Status& status() const { return status_; }
    Workspaces* get() const { return workspaces_.get(); }
    Workspaces* operator->() const { return workspaces_.get(); }
    // The data directory holding workspaces.json.
    const std::string& dir() const { return dir_; }

  private:
    void Load() {
        auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir_, std::nullopt);
        if (ws.ok()) {
            workspaces_ = std::make_unique<Workspaces>(std::move(ws).value());
        } else {
            status_ = ws.status();
        }
    }

    std::string dir_;
    core::Status status_ = core::Status::Ok();
    std::unique_ptr<Workspaces> workspaces_;
};

}  // namespace calypso::server::testing
