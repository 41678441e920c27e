#include "server/workspaces.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "server/api.h"

namespace calypso::server {
namespace {

std::string TempDir() {
    auto p = std::filesystem::temp_directory_path() /
             ("calypso-ws-" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(p);
    return p.string();
}

TEST(WorkspacesTest, FirstStartCreatesDefaultWithGivenKeyAndKeepsIt) {
    const std::string dir = TempDir();
    auto* env = core::Env::Default();
    auto ws =
        Workspaces::LoadOrCreate(env, dir, std::string("5F3C2A9E-1B7D-4C8A-9E6F-0A1B2C3D4E5F"));
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    EXPECT_EQ(ws->default_workspace().name, "default");
    EXPECT_EQ(ws->default_workspace().ikey, "5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f");
    EXPECT_TRUE(IsGuid(ws->default_workspace().id));
    EXPECT_NE(ws->ByIKey("5F3C2A9E-1B7D-4C8A-9E6F-0A1B2C3D4E5F"), nullptr);
    EXPECT_EQ(ws->ByIKey("00000000-0000-0000-0000-000000000000"), nullptr);

    auto again = Workspaces::LoadOrCreate(env, dir, std::nullopt);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->default_workspace().id, ws->default_workspace().id);
    EXPECT_NE(again->Find("default"), nullptr);
    EXPECT_NE(again->Find(ws->default_workspace().id), nullptr);

    auto conflict =
        Workspaces::LoadOrCreate(env, dir, std::string("00000000-0000-0000-0000-000000000001"));
    EXPECT_EQ(conflict.status().code(), core::StatusCode::kInvalidArgument);
    std::filesystem::remove_all(dir);
}

TEST(WorkspacesTest, RandomKeyWhenNoneGivenAndBadKeyRejected) {
    const std::string dir = TempDir();
    auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir, std::nullopt);
    ASSERT_TRUE(ws.ok());
    EXPECT_TRUE(IsGuid(ws->default_workspace().ikey));
    EXPECT_FALSE(
        Workspaces::LoadOrCreate(core::Env::Default(), dir + "x", std::string("not-a-guid")).ok());
    std::filesystem::remove_all(dir);
}

TEST(ApiTest, NormalizesPathsThatClientsJoinNaively) {
    EXPECT_EQ(NormalizePath("//v2.1/track"), "/v2.1/track");
    EXPECT_EQ(NormalizePath("/v2/track/"), "/v2/track");
    EXPECT_EQ(NormalizePath("/"), "/");
}

}  // namespace
}  // namespace calypso::server
