// WorkspaceView, WorkspaceQueries and RequestResources: each workspace's rows, cross-workspace
// references, stored functions per workspace and their file.
#include "server/workspace_queries.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "format.h"
#include "workspace_data.h"

namespace calypso::server {
namespace {

using testing::kMlId;
using testing::kQaId;

class WorkspaceQueriesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(workspaces_.status().ok()) << workspaces_.status().ToString();
        testing::FillWorkspaceStore(store_);
        Reopen();
    }

    void Reopen() {
        queries_.reset();
        auto q = WorkspaceQueries::Open(
            core::Env::Default(), workspaces_.dir(), *workspaces_.get(), store_,
            [](kql::Engine& e) { return e.CreateFunction("Builtin() { print x = 1 }"); });
        ASSERT_TRUE(q.ok()) << q.status().ToString();
        queries_ = std::move(q).value();
    }

    const Workspace& Ws(std::string_view name) const { return *workspaces_->Find(name); }

    core::Result<core::QueryResult> Run(std::string_view workspace, const std::string& text,
                                        const core::ResourceResolver* resources = nullptr) {
        core::QueryRequest r;
        r.text = text;
        r.resources = resources;
        return queries_->EngineOf(Ws(workspace)).Run(r);
    }

    std::vector<std::string> Rows(std::string_view workspace, const std::string& text,
                                  const core::ResourceResolver* resources = nullptr) {
        auto r = Run(workspace, text, resources);
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> out;
        if (!r.ok()) return out;
        const auto& b = r->tables.at(0).data;
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(kql::testing::FormatRow(b, i));
        return out;
    }

    std::vector<std::string> Functions(std::string_view workspace) const {
        std::vector<std::string> out;
        for (const auto& f : queries_->EngineOf(Ws(workspace)).ListFunctions()) {
            out.push_back(f.name + f.parameters + " " + f.body + " [" + f.folder + "|" +
                          f.doc_string + "]");
        }
        return out;
    }

    testing::TempWorkspaces workspaces_{"calypso-wq-", testing::MoreWorkspaces()};
    kql::testing::MemorySource store_;
    std::unique_ptr<WorkspaceQueries> queries_;
};

TEST_F(WorkspaceQueriesTest, EachWorkspaceQueriesItsOwnRows) {
    // Without the workspace column in the projection (the view adds and drops it) ...
    EXPECT_EQ(Rows("ml", "traces | project message"),
              (std::vector<std::string>{"m1", "m2 err", "m3 err"}));
    // ... with it, and the default workspace also owns rows without a workspace.
    EXPECT_EQ(Rows("default", "traces | project message, appId"),
              (std::vector<std::string>{"d1 | " + std::string(testing::TempWorkspaces::kDefaultId),
                                        "d2 err | \"\""}));
    EXPECT_EQ(Rows("qa", "traces | count"), (std::vector<std::string>{"1"}));
    EXPECT_EQ(Rows("ml", "AmlComputeJobEvent | project JobName"),
              (std::vector<std::string>{"train-b", "score-b"}));
    // A table without a workspace column belongs to the default workspace.
    EXPECT_EQ(Rows("default", "PipelineRuns | count"), (std::vector<std::string>{"2"}));
    EXPECT_EQ(Rows("qa", "PipelineRuns | count"), (std::vector<std::string>{"0"}));
    // A non-default workspace asks the store to skip other workspaces' blocks.
    Rows("ml", "traces | where severityLevel == 3 | project message");
    const auto& preds = store_.last_request().predicates;
    ASSERT_FALSE(preds.empty());
    EXPECT_EQ(preds.back().column, "appId");
    EXPECT_EQ(preds.back().values, (std::vector<std::string>{kMlId}));
}

TEST_F(WorkspaceQueriesTest, ASingleWorkspaceSeesEveryRow) {
    testing::TempWorkspaces one{"calypso-wq1-"};
    auto q = WorkspaceQueries::Open(core::Env::Default(), "", *one.get(), store_);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    core::QueryRequest r;
    r.text = "traces | count";
    auto result = (*q)->EngineOf(one->default_workspace()).Run(r);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->tables[0].data.columns[0].int64_at(0), 6);
    EXPECT_TRUE(store_.last_request().predicates.empty());
}

TEST_F(WorkspaceQueriesTest, ReferencesReadOtherWorkspacesWithTheirOwnColumns) {
    RequestResources all(*queries_, nullptr);
    EXPECT_EQ(Rows("default",
                   "union traces, workspace('ml').traces, app('qa').traces "
                   "| summarize n = count() by appName | order by appName asc",
                   &all),
              (std::vector<std::string>{"\"\" | 1", "default | 1", "ml | 3", "qa | 1"}));
    // Log Analytics rows keep their TenantId, _ResourceId and SourceSystem.
    EXPECT_EQ(Rows("qa",
                   "workspace('ML').AmlComputeJobEvent | where JobName == 'train-b' "
                   "| project TenantId, SourceSystem, _ResourceId",
                   &all),
              (std::vector<std::string>{kMlId + " | Azure | /subscriptions/s/resourcegroups/g/"
                                                "providers/microsoft.machinelearningservices/"
                                                "workspaces/aml-ml"}));
    // A reference to the query's own workspace reads the same rows as the bare name.
    EXPECT_EQ(Rows("ml", "workspace('ml').traces | count", &all), Rows("ml", "traces | count"));
}

TEST_F(WorkspaceQueriesTest, UnreadableIsExactlyUnknown) {
    RequestResources no_qa(*queries_, [](const Workspace& w) { return w.name != "qa"; });
    auto hidden = Run("default", "workspace('qa').traces", &no_qa);
    auto unknown = Run("default", "workspace('qb').traces", &no_qa);
    ASSERT_FALSE(hidden.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(hidden.status().ToString(), "SemanticError: unknown workspace 'qa' (at 1:1)");
    EXPECT_EQ(unknown.status().ToString(), "SemanticError: unknown workspace 'qb' (at 1:1)");
    EXPECT_EQ(Rows("default", "workspace('ml').traces | count", &no_qa),
              (std::vector<std::string>{"3"}));
}

TEST_F(WorkspaceQueriesTest, AnotherWorkspacesStoredFunction) {
    auto f = queries_->CreateFunction(
        Ws("ml"),
        ".create function MlErrors(n:long = 10) { traces | where severityLevel == 3 "
        "| take n }",
        nullptr);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    RequestResources all(*queries_, nullptr);
    // Called from the default workspace, the body reads ml's traces.
    EXPECT_EQ(Rows("default", "workspace('ml').MlErrors(1) | project message", &all),
              (std::vector<std::string>{"m2 err"}));
    EXPECT_EQ(Rows("default", "workspace('ml').Builtin()", &all), (std::vector<std::string>{"1"}));
    RequestResources no_ml(*queries_, [](const Workspace& w) { return w.name != "ml"; });
    auto hidden = Run("default", "workspace('ml').MlErrors()", &no_ml);
    ASSERT_FALSE(hidden.ok());
    EXPECT_EQ(hidden.status().ToString(), "SemanticError: unknown workspace 'ml' (at 1:1)");
    auto missing = Run("default", "workspace('ml').Nope()", &all);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().ToString(),
              "SemanticError: unknown function 'Nope' in workspace(\"ml\") (at 1:17)");
}

TEST_F(WorkspaceQueriesTest, ResourceIdentifiers) {
    using core::ResourceKind;
    const Workspace* ml = workspaces_->Find("ml");
    for (std::string_view id :
         {std::string_view("ml"), std::string_view("ML"), std::string_view(kMlId),
          std::string_view("11111111-1111-4111-8111-111111111111"), std::string_view("sub/rg/ml"),
          std::string_view("/subscriptions/0000/resourceGroups/rg/providers/"
                           "Microsoft.OperationalInsights/workspaces/ml")}) {
        EXPECT_EQ(queries_->FindResource(ResourceKind::kWorkspace, id), ml) << id;
    }
    EXPECT_EQ(
        queries_->FindResource(
            ResourceKind::kApp,
            "/subscriptions/0000/resourceGroups/rg/providers/microsoft.insights/components/ml"),
        ml);
    // The provider must be the kind's; an instrumentation key is not an identifier.
    EXPECT_EQ(
        queries_->FindResource(
            ResourceKind::kWorkspace,
            "/subscriptions/0000/resourceGroups/rg/providers/microsoft.insights/components/ml"),
        nullptr);
    EXPECT_EQ(
        queries_->FindResource(ResourceKind::kWorkspace, "11111111-0000-4000-8000-000000000001"),
        nullptr);
    EXPECT_EQ(queries_->FindResource(ResourceKind::kWorkspace, "nope"), nullptr);
}

TEST_F(WorkspaceQueriesTest, CreatedFunctionsArePerWorkspaceAndSurviveAReopen) {
    auto f = queries_->CreateFunction(
        Ws("ml"),
        ".create function with (folder = \"ops\", docstring = \"errors (\\\"3\\\")\") "
        "MlErrors(n:long = 10) { traces | where severityLevel == 3 | take n }",
        nullptr);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->doc_string, "errors (\"3\")");
    EXPECT_EQ(Rows("ml", "MlErrors() | count"), (std::vector<std::string>{"2"}));
    auto other = Run("default", "MlErrors()");
    ASSERT_FALSE(other.ok());
    EXPECT_NE(other.status().message().find("MlErrors"), std::string::npos);
    // The file holds it; a new instance (a restarted server) loads it.
    EXPECT_TRUE(std::filesystem::exists(workspaces_.dir() + "/functions/" + kMlId + ".json"));
    Reopen();
    EXPECT_EQ(Functions("ml"),
              (std::vector<std::string>{"Builtin() { print x = 1 } [|]",
                                        "MlErrors(n:long = 10) { traces | where severityLevel == "
                                        "3 | take n } [ops|errors (\"3\")]"}));
    EXPECT_EQ(Rows("ml", "MlErrors(1) | project message"), (std::vector<std::string>{"m2 err"}));
    EXPECT_EQ(Functions("default"), (std::vector<std::string>{"Builtin() { print x = 1 } [|]"}));

    // A body's errors are reported and nothing is stored.
    auto bad =
        queries_->CreateFunction(Ws("ml"), ".create function Bad() { nope | take 1 }", nullptr);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), core::StatusCode::kSemanticError);

    ASSERT_TRUE(queries_->DropFunction(Ws("ml"), "MlErrors").ok());
    EXPECT_EQ(queries_->DropFunction(Ws("ml"), "MlErrors").code(), core::StatusCode::kNotFound);
    Reopen();
    EXPECT_EQ(Functions("ml"), (std::vector<std::string>{"Builtin() { print x = 1 } [|]"}));
}

TEST_F(WorkspaceQueriesTest, BuiltinFunctionsCanBeReplacedButNotDropped) {
    EXPECT_EQ(queries_->DropFunction(Ws("qa"), "Builtin").code(),
              core::StatusCode::kInvalidArgument);
    ASSERT_TRUE(queries_
                    ->CreateFunction(Ws("qa"),
                                     ".create-or-alter function Builtin() { print x = 2 }", nullptr)
                    .ok());
    Reopen();
    EXPECT_EQ(Rows("qa", "Builtin()"), (std::vector<std::string>{"2"}));
    // Dropping the replacement brings the built-in one back.
    ASSERT_TRUE(queries_->DropFunction(Ws("qa"), "Builtin").ok());
    EXPECT_EQ(Rows("qa", "Builtin()"), (std::vector<std::string>{"1"}));
    Reopen();
    EXPECT_EQ(Rows("qa", "Builtin()"), (std::vector<std::string>{"1"}));
}

TEST_F(WorkspaceQueriesTest, ADamagedFunctionsFileIsAnErrorNamingIt) {
    const std::string path = workspaces_.dir() + "/functions/" + kQaId + ".json";
    std::filesystem::create_directories(workspaces_.dir() + "/functions");
    std::ofstream(path) << R"({"functions":[{"name":"F"}]})";
    auto q =
        WorkspaceQueries::Open(core::Env::Default(), workspaces_.dir(), *workspaces_.get(), store_);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.status().code(), core::StatusCode::kCorruption);
    EXPECT_NE(q.status().message().find(path), std::string::npos) << q.status().ToString();
}

}  // namespace
}  // namespace calypso::server
