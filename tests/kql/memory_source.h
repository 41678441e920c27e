#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/table_source.h"

namespace calypso::kql::testing {

// A TableSource over batches held in memory, for tests. Scan returns the requested
// columns in `max_batch_rows` slices and records the last request it saw.
class MemorySource final : public core::TableSource {
  public:
    void AddTable(std::string name, core::Batch batch, std::string time_column = "") {
        tables_[name] = Table{std::move(batch), std::move(time_column)};
    }
    void set_max_batch_rows(size_t n) { max_batch_rows_ = n; }
    const core::ScanRequest& last_request() const { return last_request_; }

    std::vector<std::string> ListTables() const override {
        std::vector<std::string> out;
        for (const auto& [name, t] : tables_) out.push_back(name);
        return out;
    }
    core::Result<core::Schema> GetSchema(const std::string& table) const override {
        auto it = tables_.find(table);
        if (it == tables_.end()) return core::Status::NotFound("no table " + table);
        return it->second.batch.schema;
    }
    std::string TimeColumn(const std::string& table) const override {
        auto it = tables_.find(table);
        return it == tables_.end() ? "" : it->second.time_column;
    }
    core::Status Scan(
        const core::ScanRequest& request,
        const std::function<core::Status(const core::Batch&)>& consume) const override {
        last_request_ = request;
        auto it = tables_.find(request.table);
        if (it == tables_.end()) return core::Status::NotFound("no table " + request.table);
        const core::Batch& all = it->second.batch;
        std::vector<size_t> cols;
        core::Schema schema;
        if (request.columns.empty()) {
            for (size_t i = 0; i < all.schema.size(); ++i) cols.push_back(i);
        } else {
            for (const auto& c : request.columns) {
                auto idx = all.schema.IndexOf(c);
                if (!idx) return core::Status::NotFound("no column " + c);
                cols.push_back(*idx);
            }
        }
        for (size_t c : cols) schema.fields.push_back(all.schema.fields[c]);
        size_t n = all.num_rows();
        for (size_t start = 0; start < n; start += max_batch_rows_) {
            size_t end = std::min(n, start + max_batch_rows_);
            core::Batch b;
            b.schema = schema;
            for (size_t c : cols) {
                core::Column col(all.columns[c].type());
                col.Reserve(end - start);
                for (size_t r = start; r < end; ++r) col.AppendFrom(all.columns[c], r);
                b.columns.push_back(std::move(col));
            }
            core::Status s = consume(b);
            if (!s.ok()) return s;
        }
        return core::Status::Ok();
    }

  private:
    struct Table {
        core::Batch batch;
        std::string time_column;
    };
    std::map<std::string, Table> tables_;
    size_t max_batch_rows_ = 2048;
    mutable core::ScanRequest last_request_;
};

}  // namespace calypso::kql::testing
