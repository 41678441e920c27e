// Dashboard storage and its HTTP API against real files in a temporary directory.
#include "server/dashboards.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "server/dashboards_handler.h"

namespace calypso::server {
namespace {

using core::Dynamic;

std::string TempDir() {
    auto p = std::filesystem::temp_directory_path() /
             ("calypso-dash-" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(p);
    return p.string();
}

Dynamic Json(std::string_view text) {
    auto d = Dynamic::Parse(text);
    EXPECT_TRUE(d.ok()) << text;
    return d.ok() ? *d : Dynamic();
}

constexpr std::string_view kOneTile = R"({"title":"Mine","refresh":30,"tiles":[
  {"title":"Errors","query":"exceptions | count","timespan":"P1D","visualization":"stat",
   "x":0,"y":0,"w":3,"h":2}]})";

net::HttpResponse Call(DashboardStore& store, std::string method, std::string path,
                       std::string body = "") {
    net::HttpRequest r;
    r.method = std::move(method);
    r.path = path;
    r.body = std::move(body);
    return HandleDashboards(store, r, path);
}

TEST(DashboardsTest, BuiltinsAreValidAndListedFirst) {
    ASSERT_EQ(BuiltinDashboards().size(), 4u);
    auto store = DashboardStore::Open(core::Env::Default(), TempDir());
    ASSERT_TRUE(store.ok());
    auto list = store->List();
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list[0].Find("id")->as_string(), "engineering");
    EXPECT_EQ(list[3].Find("id")->as_string(), "analysis");
    for (const auto& d : list) {
        EXPECT_TRUE(d.Find("builtin")->as_bool());
        EXPECT_FALSE(d.Find("modified")->as_bool());
        EXPECT_GE(d.Find("tiles")->as_array().size(), 4u) << d.Find("id")->as_string();
    }
}

TEST(DashboardsTest, ValidationSaysWhatAndWhere) {
    auto bad = [](std::string_view body) {
        auto r = ValidateDashboard("x", Json(body));
        EXPECT_FALSE(r.ok()) << body;
        return r.ok() ? std::string() : r.status().message();
    };
    EXPECT_EQ(bad(R"({"tiles":[]})"), "title: missing");
    EXPECT_EQ(bad(R"({"title":"t"})"), "tiles: missing");
    EXPECT_EQ(bad(R"({"title":"t","tiles":{}})"), "tiles: must be an array");
    const std::string tile = R"("title":"a","timespan":"P1D","visualization":"table","x":0,"y":0,"w":2,"h":2)";
    EXPECT_EQ(bad(R"({"title":"t","tiles":[{"query":"T",)" + tile + "},{" + tile + "}]}"),
              "tiles[1].query: missing");
    EXPECT_EQ(bad(R"({"title":"t","tiles":[{"query":"T","title":"a","visualization":"radar","x":0,"y":0,"w":2,"h":2}]})")
                  .substr(0, 38),
              "tiles[0].visualization: 'radar' is not");
    EXPECT_EQ(bad(R"({"title":"t","tiles":[{"query":"T","title":"a","visualization":"table","x":10,"y":0,"w":4,"h":2}]})"),
              "tiles[0].w: x + w must be at most 12 (the grid's columns)");
    EXPECT_EQ(bad(R"({"title":"t","tiles":[{"query":"T","title":"a","visualization":"table","x":0,"y":0,"w":"2","h":2}]})"),
              "tiles[0].w: must be an integer");
    EXPECT_EQ(bad(R"({"title":"t","refresh":-1,"tiles":[]})"), "refresh: must be between 0 and 86400");
    EXPECT_EQ(bad(R"({"title":"t","tiles":[{"query":"T","title":"a","timespan":"yesterday; drop","visualization":"table","x":0,"y":0,"w":2,"h":2}]})")
                  .substr(0, 18),
              "tiles[0].timespan:");
    EXPECT_FALSE(ValidateDashboard("../etc", Json(kOneTile)).ok());
    auto good = ValidateDashboard("mine", Json(kOneTile));
    ASSERT_TRUE(good.ok()) << good.status().ToString();
    EXPECT_EQ(good->Find("tiles")->At(0)->Find("visualization")->as_string(), "stat");
}

TEST(DashboardsTest, PutPersistsAcrossReopenAndDeleteRestoresBuiltin) {
    const std::string dir = TempDir();
    auto* env = core::Env::Default();
    {
        auto store = DashboardStore::Open(env, dir);
        ASSERT_TRUE(store.ok());
        ASSERT_TRUE(store->Put("mine", Json(kOneTile)).ok());
        auto over = store->Put("qa", Json(kOneTile));
        ASSERT_TRUE(over.ok());
        EXPECT_TRUE(over->Find("modified")->as_bool());
    }
    EXPECT_TRUE(std::filesystem::exists(dir + "/dashboards.json"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/dashboards.json.tmp"));
    auto store = DashboardStore::Open(env, dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(store->List().size(), 5u);
    auto qa = store->Get("qa");
    ASSERT_TRUE(qa);
    EXPECT_EQ(qa->Find("title")->as_string(), "Mine");
    EXPECT_TRUE(qa->Find("builtin")->as_bool() && qa->Find("modified")->as_bool());
    auto mine = store->Get("mine");
    ASSERT_TRUE(mine);
    EXPECT_FALSE(mine->Find("builtin")->as_bool());

    ASSERT_TRUE(store->Delete("qa").ok());
    EXPECT_EQ(store->Get("qa")->Find("title")->as_string(), "QA");
    ASSERT_TRUE(store->Delete("mine").ok());
    EXPECT_FALSE(store->Get("mine"));
    EXPECT_EQ(store->Delete("mine").code(), core::StatusCode::kNotFound);
    auto reopened = DashboardStore::Open(env, dir);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened->List().size(), 4u);
    std::filesystem::remove_all(dir);
}

TEST(DashboardsTest, DamagedFileIsReportedNotIgnored) {
    const std::string dir = TempDir();
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/dashboards.json") << R"({"dashboards":[{"id":"a","title":"t","tiles":[1]}]})";
    auto store = DashboardStore::Open(core::Env::Default(), dir);
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("dashboards[0]: tiles[0]: must be an object"),
              std::string::npos)
        << store.status().message();
    std::filesystem::remove_all(dir);
}

TEST(DashboardsTest, HttpRoutes) {
    const std::string dir = TempDir();
    auto store = DashboardStore::Open(core::Env::Default(), dir);
    ASSERT_TRUE(store.ok());
    auto list = Call(*store, "GET", "/api/dashboards");
    EXPECT_EQ(list.status, 200);
    EXPECT_EQ(Json(list.body).Find("dashboards")->as_array().size(), 4u);
    EXPECT_EQ(Call(*store, "GET", "/api/dashboards/engineering").status, 200);
    EXPECT_EQ(Call(*store, "GET", "/api/dashboards/nope").status, 404);
    EXPECT_EQ(Call(*store, "GET", "/api/dashboards/a.b").status, 400);

    auto bad = Call(*store, "PUT", "/api/dashboards/mine", R"({"title":"t","tiles":[{"title":"a"}]})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("tiles[0].query: missing"), std::string::npos) << bad.body;
    EXPECT_EQ(Call(*store, "PUT", "/api/dashboards/mine", "{not json").status, 400);

    auto put = Call(*store, "PUT", "/api/dashboards/mine", std::string(kOneTile));
    EXPECT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(Json(Call(*store, "GET", "/api/dashboards/mine").body).Find("title")->as_string(),
              "Mine");
    EXPECT_EQ(Call(*store, "DELETE", "/api/dashboards/mine").status, 200);
    EXPECT_EQ(Call(*store, "DELETE", "/api/dashboards/mine").status, 404);
    EXPECT_EQ(Call(*store, "POST", "/api/dashboards/mine").status, 400);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace calypso::server
