#include "server/query_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "core/time.h"
#include "server/api.h"
#include "temp_workspaces.h"

namespace calypso::server {
namespace {

using core::Type;

// Keeps what is appended (the store's job in the server); refuses while `refuse` is set.
class RecordingSink final : public core::RowSink {
  public:
    core::Status Append(std::vector<core::TableBatch> batches) override {
        ++calls;
        if (refuse) return core::Status::Unavailable("store is closing");
        std::lock_guard lock(mu);
        for (auto& b : batches) appended.push_back(std::move(b));
        return core::Status::Ok();
    }
    size_t rows() {
        std::lock_guard lock(mu);
        size_t n = 0;
        for (const auto& b : appended) n += b.batch.num_rows();
        return n;
    }
    std::mutex mu;
    std::vector<core::TableBatch> appended;
    std::atomic<bool> refuse = false;
    std::atomic<int> calls = 0;
};

// The value of column `name` in row `row` of the first appended batch.
core::Value Cell(const RecordingSink& sink, size_t row, std::string_view name) {
    const core::Batch& b = sink.appended.at(0).batch;
    auto i = b.schema.IndexOf(name);
    EXPECT_TRUE(i.has_value()) << name;
    return b.columns.at(*i).Get(row);
}

double DroppedOnMetrics(const core::MetricsRegistry& registry) {
    for (const auto& f : registry.Collect()) {
        if (f.name == "calypso_query_log_dropped_rows") return f.series.at(0).value;
    }
    ADD_FAILURE() << "no calypso_query_log_dropped_rows family";
    return -1;
}

net::HttpRequest Request(std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpRequest r;
    r.method = "POST";
    r.headers = std::move(headers);
    return r;
}

TEST(QueryLogTest, SchemaHasAzureColumnNamesAndTypes) {
    const core::Schema s = QueryLog::TableSchema();
    auto type_of = [&](std::string_view name) {
        auto i = s.IndexOf(name);
        return i ? s.fields[*i].type : Type::kNull;
    };
    EXPECT_EQ(type_of("TimeGenerated"), Type::kDatetime);
    EXPECT_EQ(type_of("QueryText"), Type::kString);
    EXPECT_EQ(type_of("ResponseCode"), Type::kInt);
    EXPECT_EQ(type_of("ResponseDurationMs"), Type::kReal);
    EXPECT_EQ(type_of("ResponseRowCount"), Type::kInt);
    EXPECT_EQ(type_of("RequestClientApp"), Type::kString);
    EXPECT_EQ(type_of("RequestTarget"), Type::kString);
    EXPECT_EQ(type_of("CorrelationId"), Type::kString);
    EXPECT_EQ(type_of("TenantId"), Type::kString);
    EXPECT_EQ(type_of("QueryTimeRangeStart"), Type::kDatetime);
    EXPECT_EQ(type_of("QueryTimeRangeEnd"), Type::kDatetime);
    EXPECT_EQ(type_of("StatsDataProcessedKB"), Type::kReal);
}

TEST(QueryLogTest, RowsWaitForFlushAndAreAppendedAsOneBatch) {
    RecordingSink sink;
    core::MetricsRegistry registry;
    QueryLog log(sink, &registry);
    EXPECT_TRUE(log.Flush().ok());
    EXPECT_EQ(sink.calls, 0) << "nothing pending: no append";

    QueryLogEntry ok = QueryLogEntry::Begin(Request({{"x-ms-app", "CalypsoWeb"},
                                                     {"User-Agent", "Mozilla/5.0"},
                                                     {"x-ms-client-request-id", "req-1"}}),
                                            1000);
    ok.text = "traces | take 3";
    ok.target = "default";
    ok.workspace_id = "ws-id";
    ok.time_range = core::TimeRange{100, 200};
    ok.row_count = 3;
    ok.scan_stats = core::ScanStats{};
    ok.scan_stats->bytes_read = 2048;
    ok.scan_stats->bytes_cached = 1024;
    log.Record(std::move(ok), 200);
    QueryLogEntry bad = QueryLogEntry::Begin(Request({{"User-Agent", "curl/8.5.0"}}), 2000);
    bad.text = "traces | where nosuch == 1";
    log.Record(std::move(bad), 400);
    EXPECT_EQ(log.pending(), 2u);
    EXPECT_EQ(sink.calls, 0) << "Record never writes";

    ASSERT_TRUE(log.Flush().ok());
    EXPECT_EQ(log.pending(), 0u);
    ASSERT_EQ(sink.appended.size(), 1u);
    EXPECT_EQ(sink.appended[0].table, "LAQueryLogs");
    EXPECT_EQ(sink.appended[0].batch.schema, QueryLog::TableSchema());
    ASSERT_EQ(sink.appended[0].batch.num_rows(), 2u);

    EXPECT_EQ(Cell(sink, 0, "TimeGenerated").as_int64(), 1000);
    EXPECT_EQ(Cell(sink, 0, "CorrelationId").as_string(), "req-1");
    EXPECT_EQ(Cell(sink, 0, "RequestClientApp").as_string(), "CalypsoWeb") << "x-ms-app first";
    EXPECT_EQ(Cell(sink, 0, "RequestTarget").as_string(), "default");
    EXPECT_EQ(Cell(sink, 0, "TenantId").as_string(), "ws-id");
    EXPECT_EQ(Cell(sink, 0, "QueryText").as_string(), "traces | take 3");
    EXPECT_EQ(Cell(sink, 0, "QueryTimeRangeStart").as_int64(), 100);
    EXPECT_EQ(Cell(sink, 0, "QueryTimeRangeEnd").as_int64(), 200);
    EXPECT_EQ(Cell(sink, 0, "ResponseCode").as_int64(), 200);
    EXPECT_EQ(Cell(sink, 0, "ResponseRowCount").as_int64(), 3);
    EXPECT_DOUBLE_EQ(Cell(sink, 0, "StatsDataProcessedKB").as_double(), 3.0);
    EXPECT_GE(Cell(sink, 0, "ResponseDurationMs").as_double(), 0.0);

    EXPECT_EQ(Cell(sink, 1, "RequestClientApp").as_string(), "curl/8.5.0") << "else User-Agent";
    EXPECT_TRUE(IsGuid(Cell(sink, 1, "CorrelationId").as_string())) << "a new id when none is sent";
    EXPECT_EQ(Cell(sink, 1, "ResponseCode").as_int64(), 400);
    EXPECT_TRUE(Cell(sink, 1, "ResponseRowCount").is_null());
    EXPECT_TRUE(Cell(sink, 1, "StatsDataProcessedKB").is_null());
    EXPECT_TRUE(Cell(sink, 1, "QueryTimeRangeStart").is_null());
    EXPECT_DOUBLE_EQ(DroppedOnMetrics(registry), 0);
}

TEST(QueryLogTest, LongQueryTextIsCutAtACharacterBoundary) {
    RecordingSink sink;
    QueryLog log(sink, nullptr);
    QueryLogEntry e = QueryLogEntry::Begin(Request(), 1);
    // 'é' is two bytes: 8 KB falls in the middle of one.
    e.text = "x" + std::string(QueryLog::kMaxQueryText, '\0');
    for (size_t i = 1; i + 1 < e.text.size(); i += 2) {
        e.text[i] = '\xc3';
        e.text[i + 1] = '\xa9';
    }
    log.Record(std::move(e), 200);
    ASSERT_TRUE(log.Flush().ok());
    const std::string text = Cell(sink, 0, "QueryText").as_string();
    EXPECT_EQ(text.size(), QueryLog::kMaxQueryText - 1);
    EXPECT_EQ(text.substr(text.size() - 2), "\xc3\xa9");
}

TEST(QueryLogTest, AFullBufferDropsAndCountsRowsInsteadOfBlocking) {
    RecordingSink sink;
    core::MetricsRegistry registry;
    QueryLog log(sink, &registry, {.max_pending_rows = 3, .max_pending_bytes = 1 << 20});
    for (int i = 0; i < 5; ++i) log.Record(QueryLogEntry::Begin(Request(), i), 200);
    EXPECT_EQ(log.pending(), 3u);
    EXPECT_EQ(log.dropped(), 2u);
    EXPECT_DOUBLE_EQ(DroppedOnMetrics(registry), 2);
    ASSERT_TRUE(log.Flush().ok());
    EXPECT_EQ(sink.rows(), 3u);
    EXPECT_EQ(Cell(sink, 2, "TimeGenerated").as_int64(), 2) << "the first rows are kept";

    // The byte bound holds too: two 8 KB queries do not fit in 12 KB.
    RecordingSink sink2;
    QueryLog small(sink2, nullptr, {.max_pending_rows = 100, .max_pending_bytes = 12 << 10});
    for (int i = 0; i < 2; ++i) {
        QueryLogEntry e = QueryLogEntry::Begin(Request(), i);
        e.text.assign(8 << 10, 'q');
        small.Record(std::move(e), 200);
    }
    EXPECT_EQ(small.pending(), 1u);
    EXPECT_EQ(small.dropped(), 1u);
}

TEST(QueryLogTest, RefusedRowsStayForTheNextFlushWithinTheBound) {
    RecordingSink sink;
    QueryLog log(sink, nullptr, {.max_pending_rows = 3, .max_pending_bytes = 1 << 20});
    log.Record(QueryLogEntry::Begin(Request(), 1), 200);
    log.Record(QueryLogEntry::Begin(Request(), 2), 200);
    sink.refuse = true;
    EXPECT_EQ(log.Flush().code(), core::StatusCode::kUnavailable);
    EXPECT_EQ(log.pending(), 2u);
    log.Record(QueryLogEntry::Begin(Request(), 3), 200);
    EXPECT_FALSE(log.Flush().ok());
    log.Record(QueryLogEntry::Begin(Request(), 4), 200);  // over the bound of 3
    EXPECT_EQ(log.dropped(), 1u);
    sink.refuse = false;
    ASSERT_TRUE(log.Flush().ok());
    ASSERT_EQ(sink.rows(), 3u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(Cell(sink, i, "TimeGenerated").as_int64(), int64_t(i + 1));
}

TEST(QueryLogTest, ConcurrentRecordsAndFlushesLoseNothingUncounted) {
    RecordingSink sink;
    QueryLog log(sink, nullptr, {.max_pending_rows = 500, .max_pending_bytes = 1 << 20});
    constexpr int kThreads = 4, kEach = 2000;
    std::atomic<bool> done = false;
    std::thread flusher([&] {
        while (!done) (void)log.Flush();
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&] {
            for (int i = 0; i < kEach; ++i) log.Record(QueryLogEntry::Begin(Request(), i), 200);
        });
    }
    for (auto& w : writers) w.join();
    done = true;
    flusher.join();
    ASSERT_TRUE(log.Flush().ok());
    EXPECT_EQ(sink.rows() + log.dropped(), size_t{kThreads * kEach});
}

// Answers every query with two rows, or with `error` when it is set.
class TwoRowQueries final : public core::QueryService {
  public:
    core::Result<core::QueryResult> Run(const core::QueryRequest&) override {
        if (!error.ok()) return error;
        core::Batch b = core::Batch::Empty(core::Schema{{{"n", Type::kLong}}});
        b.columns[0].AppendInt64(1);
        b.columns[0].AppendInt64(2);
        core::QueryResult r;
        r.tables.push_back({"PrimaryResult", std::move(b), false, ""});
        r.scan_stats.bytes_read = 4096;
        return r;
    }
    core::Status error;
};

class QueryLogApiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(workspaces_.status().ok()) << workspaces_.status().ToString();
        ApiServices s;
        s.queries = &queries_;
        s.workspaces = workspaces_.get();
        s.query_log = &log_;
        api_ = std::make_unique<Api>(std::move(s));
    }

    int Post(const std::string& path, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
        net::HttpRequest r = Request(std::move(headers));
        r.path = r.target = path;
        r.body = std::move(body);
        return api_->Handle(r).status;
    }
    // Flushes and returns the column `name` of every row so far.
    std::vector<core::Value> Column(std::string_view name) {
        EXPECT_TRUE(log_.Flush().ok());
        std::vector<core::Value> out;
        for (const auto& tb : sink_.appended) {
            auto i = tb.batch.schema.IndexOf(name);
            for (size_t r = 0; r < tb.batch.num_rows(); ++r)
                out.push_back(tb.batch.columns[*i].Get(r));
        }
        return out;
    }

    TwoRowQueries queries_;
    RecordingSink sink_;
    QueryLog log_{sink_, nullptr};
    testing::TempWorkspaces workspaces_{"calypso-ql-"};
    std::unique_ptr<Api> api_;
};

TEST_F(QueryLogApiTest, LogAnalyticsRequestsAreLoggedWithTheirCodes) {
    EXPECT_EQ(Post("/v1/workspaces/default/query", R"({"query":"T | take 2","timespan":"PT1H"})",
                   {{"x-ms-app", "CalypsoWeb"}}),
              200);
    EXPECT_EQ(Post("/v1/workspaces/nosuch/query", R"({"query":"T"})"), 404);
    EXPECT_EQ(Post("/v1/workspaces/default/query", "not json"), 400);
    queries_.error = core::Status::SemanticError("unknown column 'x'", {1, 11});
    EXPECT_EQ(Post("/v1/apps/default/query", R"({"query":"T | where x"})"), 400);

    std::vector<int64_t> codes;
    for (const auto& v : Column("ResponseCode")) codes.push_back(v.as_int64());
    EXPECT_EQ(codes, (std::vector<int64_t>{200, 404, 400, 400}));
    auto text = Column("QueryText"), target = Column("RequestTarget"),
         rows = Column("ResponseRowCount");
    EXPECT_EQ(text[0].as_string(), "T | take 2");
    EXPECT_EQ(text[3].as_string(), "T | where x");
    EXPECT_EQ(target[0].as_string(), "default");
    EXPECT_EQ(target[1].as_string(), "nosuch") << "the name asked for when it is unknown";
    EXPECT_EQ(rows[0].as_int64(), 2);
    EXPECT_TRUE(rows[3].is_null());
    EXPECT_EQ(Column("RequestClientApp")[0].as_string(), "CalypsoWeb");
    EXPECT_EQ(Column("TenantId")[0].as_string(), workspaces_->default_workspace().id);
    EXPECT_DOUBLE_EQ(Column("StatsDataProcessedKB")[0].as_double(), 4.0);
    const auto start = Column("QueryTimeRangeStart")[0], end = Column("QueryTimeRangeEnd")[0];
    EXPECT_EQ(end.as_int64() - start.as_int64(), core::kTicksPerHour);
}

TEST_F(QueryLogApiTest, KustoQueriesAreLoggedButManagementCommandsAreNot) {
    const std::string headers_id = "KPC.execute;7";
    EXPECT_EQ(Post("/v2/rest/query", R"({"db":"default","csl":"T | count"})",
                   {{"x-ms-client-request-id", headers_id}, {"x-ms-app", "Kusto.Explorer"}}),
              200);
    EXPECT_EQ(Post("/v1/rest/query", R"({"db":"default","csl":"T | take 2"})"), 200);
    EXPECT_EQ(Post("/v1/rest/mgmt", R"({"db":"default","csl":".show tables"})"), 200);
    EXPECT_EQ(Post("/v2/rest/query", R"({"db":"nosuch","csl":"T"})"), 404);
    auto text = Column("QueryText");
    ASSERT_EQ(text.size(), 3u);
    EXPECT_EQ(text[0].as_string(), "T | count");
    EXPECT_EQ(text[1].as_string(), "T | take 2");
    EXPECT_EQ(Column("CorrelationId")[0].as_string(), headers_id);
    EXPECT_EQ(Column("RequestClientApp")[0].as_string(), "Kusto.Explorer");
    EXPECT_EQ(Column("ResponseCode")[2].as_int64(), 404);
    EXPECT_EQ(Column("RequestTarget")[2].as_string(), "nosuch");
}

}  // namespace
}  // namespace calypso::server
