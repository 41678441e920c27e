#pragma once

// Fixtures and fakes for the Event Grid and run tracker tests.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/row_sink.h"
#include "core/table_source.h"
#include "ingest/eventgrid.h"
#include "ingest/tables.h"
#include "test_util.h"

namespace calypso::ingest::testing {

inline std::string EventGridDir() {
    const char* src = std::getenv("CALYPSO_SOURCE_DIR");
    return std::string(src ? src : "/work/main") + "/../shared/fixtures/eventgrid/";
}

// The bodies of a fixture folder ("eventgrid-schema/lifecycle-success"), in file order.
inline std::vector<std::string> FixtureBodies(const std::string& folder) {
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(EventGridDir() + folder)) {
        paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> bodies;
    for (const auto& p : paths) bodies.push_back(ReadFile(p));
    return bodies;
}

inline std::vector<AmlEvent> DecodeAll(const std::vector<std::string>& bodies) {
    std::vector<AmlEvent> out;
    for (const auto& body : bodies) {
        auto d = DecodeEventGrid(body, 0);
        EXPECT_TRUE(d.ok()) << d.status().ToString();
        if (!d.ok()) continue;
        EXPECT_TRUE(d->errors.empty()) << d->errors.front().ToString();
        out.insert(out.end(), d->events.begin(), d->events.end());
    }
    return out;
}

// Keeps what is appended, per table; can be told to refuse.
class FakeStore : public core::RowSink, public core::TableSource {
  public:
    core::Status refuse = core::Status::Ok();

    core::Status Append(std::vector<core::TableBatch> batches) override {
        if (!refuse.ok()) return refuse;
        for (auto& b : batches) tables_[b.table].push_back(std::move(b.batch));
        return core::Status::Ok();
    }
    std::vector<std::string> ListTables() const override {
        std::vector<std::string> names;
        for (const auto& [name, _] : tables_) names.push_back(name);
        return names;
    }
    core::Result<core::Schema> GetSchema(const std::string& table) const override {
        const TableDef* def = FindBuiltinTable(table);
        if (def == nullptr) return core::Status::NotFound(table);
        return def->schema;
    }
    std::string TimeColumn(const std::string&) const override { return "TimeGenerated"; }
    core::Status Scan(
        const core::ScanRequest& request,
        const std::function<core::Status(const core::Batch&)>& consume) const override {
        auto it = tables_.find(request.table);
        if (it == tables_.end()) return core::Status::Ok();
        for (const auto& b : it->second) {
            if (auto s = consume(b); !s.ok()) return s;
        }
        return core::Status::Ok();
    }

    size_t Rows(const std::string& table) const {
        auto it = tables_.find(table);
        size_t n = 0;
        if (it != tables_.end()) {
            for (const auto& b : it->second) n += b.num_rows();
        }
        return n;
    }
    const std::vector<core::Batch>& Batches(const std::string& table) { return tables_[table]; }

  private:
    std::map<std::string, std::vector<core::Batch>> tables_;
};

}  // namespace calypso::ingest::testing
