#pragma once

// Private to the Event Grid decoder: builds a batch of a built-in
// table row by row, by column name. Event Grid traffic is a few events a second, so a
// name lookup per value is fine. Not thread-safe.

#include <string_view>

#include "core/column.h"
#include "core/row_sink.h"
#include "ingest/tables.h"

namespace calypso::ingest::internal {

class RowWriter {
  public:
    // REQUIRES: `table` is a built-in table.
    explicit RowWriter(std::string_view table)
        : def_(*FindBuiltinTable(table)), batch_(core::Batch::Empty(def_.schema)) {}

    void Str(std::string_view column, std::string_view v) {
        if (auto* c = Find(column)) c->AppendString(v);
    }
    void Long(std::string_view column, int64_t v) {
        if (auto* c = Find(column)) c->AppendInt64(v);
    }
    void Real(std::string_view column, double v) {
        if (auto* c = Find(column)) c->AppendDouble(v);
    }
    void Dyn(std::string_view column, core::Dynamic v) {
        if (auto* c = Find(column)) c->AppendDynamic(std::move(v));
    }
    // Ends the row: the columns not written are null.
    void EndRow() {
        ++rows_;
        for (auto& column : batch_.columns) {
            if (column.size() < rows_) column.AppendNull();
        }
    }
    size_t rows() const { return rows_; }
    core::TableBatch Take() { return core::TableBatch{def_.name, std::move(batch_)}; }

  private:
    // The column, or nullptr when the table has none of that name or this row has it already.
    core::Column* Find(std::string_view column) {
        auto i = def_.schema.IndexOf(column);
        if (!i || batch_.columns[*i].size() > rows_) return nullptr;
        return &batch_.columns[*i];
    }

    const TableDef& def_;
    core::Batch batch_;
    size_t rows_ = 0;
};

}  // namespace calypso::ingest::internal
