#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/number_text.h"
#include "core/table_source.h"
#include "core/terms.h"

namespace calypso::kql::testing {

// A TableSource over batches held in memory, for tests. Scan returns the requested
// columns and keys in `max_batch_rows` slices and records the requests it saw.
//
// It honours every hint as strictly as a store may: rows outside ScanRequest::time and
// rows failing a predicate are dropped (a key predicate judges string values only, as the
// store does). So a hint that is not implied by the query changes answers in tests.
class MemorySource final : public core::TableSource {
  public:
    void AddTable(std::string name, core::Batch batch, std::string time_column = "") {
        tables_[name] = Table{std::move(batch), std::move(time_column)};
    }
    void set_max_batch_rows(size_t n) { max_batch_rows_ = n; }
    const core::ScanRequest& last_request() const { return requests_.back(); }
    const std::vector<core::ScanRequest>& requests() const { return requests_; }

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
        requests_.push_back(request);
        auto it = tables_.find(request.table);
        if (it == tables_.end()) return core::Status::NotFound("no table " + request.table);
        const core::Batch& all = it->second.batch;
        // Every column the table would return: its own, then the keys.
        std::vector<core::Column> cols;
        core::Schema schema;
        if (request.columns.empty()) {
            schema = all.schema;
            cols = all.columns;
        } else {
            for (const auto& c : request.columns) {
                auto idx = all.schema.IndexOf(c);
                if (!idx) return core::Status::NotFound("no column " + c);
                schema.fields.push_back(all.schema.fields[*idx]);
                cols.push_back(all.columns[*idx]);
            }
        }
        for (const auto& k : request.keys) {
            auto idx = all.schema.IndexOf(k.column);
            if (!idx || all.schema.fields[*idx].type != core::Type::kDynamic)
                return core::Status::NotFound("no dynamic column " + k.column);
            schema.fields.push_back({k.OutputName(), k.type});
            core::Column values = ExtractKey(all.columns[*idx], k.key);
            cols.push_back(k.type == core::Type::kString ? AsText(values)
                           : k.type == core::Type::kReal ? AsReal(values)
                                                         : values);
        }
        std::vector<size_t> rows;
        for (size_t r = 0; r < all.num_rows(); ++r) {
            if (InTime(request, it->second, r) && MeetsPredicates(request, schema, cols, r))
                rows.push_back(r);
        }
        core::ScanStats stats;
        stats.segments = 1;
        stats.blocks = (all.num_rows() + max_batch_rows_ - 1) / max_batch_rows_;
        stats.rows = rows.size();
        core::Status status = core::Status::Ok();
        for (size_t start = 0; start < rows.size(); start += max_batch_rows_) {
            size_t end = std::min(rows.size(), start + max_batch_rows_);
            core::Batch b;
            b.schema = schema;
            for (const auto& src : cols) {
                core::Column col(src.type());
                col.Reserve(end - start);
                for (size_t i = start; i < end; ++i) col.AppendFrom(src, rows[i]);
                b.columns.push_back(std::move(col));
            }
            status = consume(b);
            if (!status.ok()) break;
        }
        if (request.stats != nullptr) *request.stats += stats;
        return status;
    }

  private:
    struct Table {
        core::Batch batch;
        std::string time_column;
    };

    static core::Column ExtractKey(const core::Column& dynamic, const std::string& key) {
        core::Column out(core::Type::kDynamic);
        for (size_t r = 0; r < dynamic.size(); ++r) {
            const core::Dynamic* v = dynamic.IsNull(r) ? nullptr : dynamic.dynamic_at(r).Find(key);
            if (v == nullptr || v->is_null()) {
                out.AppendNull();
            } else {
                out.AppendDynamic(*v);
            }
        }
        return out;
    }

    // tostring() of each value: strings as themselves, others as JSON, null as "".
    static core::Column AsText(const core::Column& dynamic) {
        core::Column out(core::Type::kString);
        for (size_t r = 0; r < dynamic.size(); ++r) {
            out.AppendString(dynamic.IsNull(r) ? std::string() : dynamic.dynamic_at(r).ToText());
        }
        return out;
    }

    // todouble() of each value.
    static core::Column AsReal(const core::Column& dynamic) {
        core::Column out(core::Type::kReal);
        for (size_t r = 0; r < dynamic.size(); ++r) {
            double d = 0;
            if (!dynamic.IsNull(r) && core::DynamicToReal(dynamic.dynamic_at(r), d)) {
                out.AppendDouble(d);
            } else {
                out.AppendNull();
            }
        }
        return out;
    }

    static bool InTime(const core::ScanRequest& req, const Table& t, size_t row) {
        if (req.time.unbounded() || t.time_column.empty()) return true;
        const core::Column& c = t.batch.columns[*t.batch.schema.IndexOf(t.time_column)];
        return !c.IsNull(row) && req.time.Contains(c.int64_at(row));
    }

    static std::string Lower(std::string_view s) {
        std::string out(s);
        for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    // Whether every term of `needle` is a term of `text`.
    static bool HasTerms(std::string_view text, std::string_view needle, bool cs) {
        std::vector<std::string> terms;
        core::ForEachTerm(cs ? std::string(text) : Lower(text),
                          [&](std::string_view t) { terms.emplace_back(t); });
        bool all = true;
        std::string n = cs ? std::string(needle) : Lower(needle);
        core::ForEachTerm(n, [&](std::string_view t) {
            all = all && std::find(terms.begin(), terms.end(), t) != terms.end();
        });
        return all;
    }

    static bool Meets(const core::ScanPredicate& p, const core::Column& c, size_t row) {
        using Op = core::ScanPredicate::Op;
        if (p.op == Op::kIntRange) {
            if (core::PhysicalOf(c.type()) != core::Physical::kInt64) return true;
            return !c.IsNull(row) && c.int64_at(row) >= p.min && c.int64_at(row) <= p.max;
        }
        std::string text;
        if (c.type() == core::Type::kString) {
            text = std::string(c.string_at(row));
        } else if (c.type() == core::Type::kDynamic) {
            if (c.IsNull(row) || c.dynamic_at(row).is_null()) return false;
            const core::Dynamic& d = c.dynamic_at(row);
            if (d.kind() != core::Dynamic::Kind::kString) return true;
            text = d.as_string();
        } else {
            return true;
        }
        if (p.op == Op::kEquals) {
            return std::find(p.values.begin(), p.values.end(), text) != p.values.end();
        }
        return HasTerms(text, p.values.at(0), p.op == Op::kHasCs);
    }

    static bool MeetsPredicates(const core::ScanRequest& req, const core::Schema& schema,
                                const std::vector<core::Column>& cols, size_t row) {
        for (const auto& p : req.predicates) {
            auto idx = schema.IndexOf(p.column);
            if (!idx) return false;  // a predicate on a column not requested: a plan bug
            if (!Meets(p, cols[*idx], row)) return false;
        }
        return true;
    }

    std::map<std::string, Table> tables_;
    size_t max_batch_rows_ = 2048;
    mutable std::vector<core::ScanRequest> requests_;
};

}  // namespace calypso::kql::testing
