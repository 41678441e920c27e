#include "server/kusto_mgmt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "server/kusto_json.h"

namespace calypso::server {
namespace {

using core::Type;

// Two tables; scanning is never needed by management commands.
class FakeCatalog final : public core::TableSource {
  public:
    std::vector<std::string> ListTables() const override { return {"traces", "My Table"}; }
    core::Result<core::Schema> GetSchema(const std::string& table) const override {
        if (table == "traces") {
            return core::Schema{{{"timestamp", Type::kDatetime},
                                 {"message", Type::kString},
                                 {"ok", Type::kBool},
                                 {"customDimensions", Type::kDynamic}}};
        }
        if (table == "My Table") return core::Schema{{{"n", Type::kLong}}};
        return core::Status::NotFound("no table " + table);
    }
    std::string TimeColumn(const std::string&) const override { return ""; }
    core::Status Scan(const core::ScanRequest&,
                      const std::function<core::Status(const core::Batch&)>&) const override {
        return core::Status::Internal("not used");
    }
};

class KustoMgmtTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = (std::filesystem::temp_directory_path() /
                ("calypso-kmgmt-" + std::to_string(std::random_device{}())))
                   .string();
        auto ws = Workspaces::LoadOrCreate(core::Env::Default(), dir_, std::nullopt);
        ASSERT_TRUE(ws.ok());
        workspaces_ = std::make_unique<Workspaces>(std::move(ws).value());
        context_.workspaces = workspaces_.get();
        context_.database = &workspaces_->default_workspace();
        context_.tables = &catalog_;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // The answer as a v1 body, which shows columns, types and rows at once.
    std::string Run(std::string_view command) {
        auto b = RunKustoMgmt(command, context_);
        if (!b.ok()) return "error: " + b.status().ToString();
        return WriteKustoV1({{"PrimaryResult", "Table_0", std::move(*b), {}}});
    }

    std::string dir_;
    FakeCatalog catalog_;
    std::unique_ptr<Workspaces> workspaces_;
    KustoMgmtContext context_;
};

TEST_F(KustoMgmtTest, ShowTables) {
    EXPECT_EQ(Run(".show tables"),
              R"({"Tables":[{"TableName":"Table_0","Columns":[)"
              R"({"ColumnName":"TableName","DataType":"String","ColumnType":"string"},)"
              R"({"ColumnName":"DatabaseName","DataType":"String","ColumnType":"string"},)"
              R"({"ColumnName":"Folder","DataType":"String","ColumnType":"string"},)"
              R"({"ColumnName":"DocString","DataType":"String","ColumnType":"string"}],)"
              R"("Rows":[["traces","default","",""],["My Table","default","",""]]}]})");
    EXPECT_EQ(Run("  .SHOW   Tables ;"), Run(".show tables"));
    EXPECT_NE(Run(".show tables (['My Table'])").find(R"("Rows":[["My Table","default","",""]])"),
              std::string::npos);
    EXPECT_NE(Run(".show tables (traces, nope)").find("Entity name 'nope' of kind 'Table'"),
              std::string::npos);
    EXPECT_NE(Run(".show tables (traces").find("missing ')'"), std::string::npos);
}

TEST_F(KustoMgmtTest, ShowTableSchemaAsJsonAndCsl) {
    const std::string json = Run(".show table traces schema as json");
    EXPECT_NE(
        json.find(
            R"("Rows":[["traces","{\"Name\":\"traces\",\"OrderedColumns\":[)"
            R"({\"Name\":\"timestamp\",\"Type\":\"System.DateTime\",\"CslType\":\"datetime\"},)"
            R"({\"Name\":\"message\",\"Type\":\"System.String\",\"CslType\":\"string\"},)"
            R"({\"Name\":\"ok\",\"Type\":\"System.SByte\",\"CslType\":\"bool\"},)"
            R"({\"Name\":\"customDimensions\",\"Type\":\"System.Object\",)"
            R"(\"CslType\":\"dynamic\"}]}","default","",""]])"),
        std::string::npos)
        << json;
    EXPECT_NE(
        Run(R"(.show table ["My Table"] cslschema)").find(R"([["My Table","n:long","default")"),
        std::string::npos);
    EXPECT_NE(Run(".show table traces schema as csl")
                  .find(R"("timestamp:datetime,message:string,ok:bool,customDimensions:dynamic")"),
              std::string::npos);
    EXPECT_EQ(Run(".show table tracez schema as json"),
              "error: NotFound: Entity name 'tracez' of kind 'Table' does not exist.");
    EXPECT_NE(Run(".show table traces schema as xml").find("InvalidArgument"), std::string::npos);
}

TEST_F(KustoMgmtTest, ShowDatabasesAndVersion) {
    const std::string dbs = Run(".show databases");
    const std::string id = workspaces_->default_workspace().id;
    EXPECT_NE(dbs.find(R"({"ColumnName":"IsCurrent","DataType":"Boolean","ColumnType":"bool"})"),
              std::string::npos)
        << dbs;
    EXPECT_NE(dbs.find(R"({"ColumnName":"DatabaseId","DataType":"Guid","ColumnType":"guid"})"),
              std::string::npos);
    EXPECT_NE(dbs.find(R"("Rows":[["default","","v1.0",true,"ReadWrite","default",false,")" + id +
                       R"("]])"),
              std::string::npos)
        << dbs;
    EXPECT_EQ(Run(".show database"), dbs);
    const std::string version = Run(".show version");
    EXPECT_NE(version.find(R"("ColumnName":"BuildVersion")"), std::string::npos) << version;
    EXPECT_NE(version.find(R"(,null,"Engine","Calypso )"), std::string::npos) << version;
}

TEST_F(KustoMgmtTest, BuiltinTablesWithoutACatalogue) {
    context_.tables = nullptr;
    const std::string tables = Run(".show tables");
    EXPECT_NE(tables.find(R"(["traces","default","",""])"), std::string::npos);
    EXPECT_NE(tables.find(R"(["AmlComputeJobEvent","default","",""])"), std::string::npos);
    EXPECT_NE(Run(".show table customEvents cslschema").find("name:string"), std::string::npos);
}

TEST_F(KustoMgmtTest, UnsupportedCommandsSaySoClearly) {
    for (const char* command : {".drop table traces", ".show", ".show tables extra",
                                ".create table T (a:long)", ".show table", "['x"}) {
        const std::string out = Run(command);
        EXPECT_EQ(out.rfind("error: InvalidArgument", 0), 0u) << command << ": " << out;
    }
    EXPECT_NE(Run(".drop table traces")
                  .find("does not support the management command "
                        "'.drop table traces'; supported management "
                        "commands: .show tables"),
              std::string::npos);
}

}  // namespace
}  // namespace calypso::server
