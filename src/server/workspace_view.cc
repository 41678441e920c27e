#include "server/workspace_view.h"

#include <algorithm>
#include <vector>

namespace calypso::server {

using core::Batch;
using core::Status;

struct WorkspaceView::Plan {
    enum class Kind { kAll, kNone, kFilter };
    Kind kind = Kind::kAll;
    core::ScanRequest request;  // kFilter: what the store is asked for
    size_t column = 0;          // kFilter: the workspace column in the store's batches
    bool drop_column = false;   // it was added for the filter and is taken out again
};

std::string WorkspaceView::WorkspaceColumn(const core::Schema& schema) {
    for (const char* name : {"appId", "TenantId"}) {
        auto i = schema.IndexOf(name);
        if (i && schema.fields[*i].type == core::Type::kString) return name;
    }
    return "";
}

core::Result<WorkspaceView::Plan> WorkspaceView::MakePlan(const core::ScanRequest& request) const {
    Plan p;
    if (only_) return p;
    auto schema = store_.GetSchema(request.table);
    if (!schema.ok()) return p;  // the store's scan reports the unknown table
    const std::string column = WorkspaceColumn(*schema);
    if (column.empty()) {
        p.kind = is_default_ ? Plan::Kind::kAll : Plan::Kind::kNone;
        return p;
    }
    p.kind = Plan::Kind::kFilter;
    p.request = request;
    if (request.columns.empty()) {
        p.column = *schema->IndexOf(column);
    } else if (auto it = std::find(request.columns.begin(), request.columns.end(), column);
               it != request.columns.end()) {
        p.column = static_cast<size_t>(it - request.columns.begin());
    } else {
        // Keys come after the columns, so the added column sits between the two.
        p.column = request.columns.size();
        p.request.columns.push_back(column);
        p.drop_column = true;
    }
    // A hint that lets the store skip other workspaces' blocks; the default workspace also
    // owns rows with an empty value, which a Bloom filter may not be asked about.
    if (!is_default_) {
        p.request.predicates.push_back({column, core::ScanPredicate::Op::kEquals, {id_}});
    }
    return p;
}

namespace {

// The rows of `b` whose workspace column matches, fitted to what the caller asked for.
Status EmitOwnRows(const Batch& b, size_t column, bool drop_column, const std::string& id,
                   bool is_default, const std::function<Status(const Batch&)>& consume) {
    const core::Column& tag = b.columns[column];
    const size_t n = b.num_rows();
    auto own = [&](std::string_view v) { return v == id || (is_default && v.empty()); };
    std::vector<core::Column::RowRef> rows;
    rows.reserve(n);
    if (tag.is_dictionary()) {
        std::vector<uint8_t> match;
        for (const auto& v : tag.dictionary()) match.push_back(own(v) ? 1 : 0);
        const auto codes = tag.codes();
        for (size_t i = 0; i < n; ++i) {
            if (tag.IsNull(i) ? is_default : match[codes[i]] != 0)
                rows.push_back({0, static_cast<uint32_t>(i)});
        }
    } else {
        for (size_t i = 0; i < n; ++i) {
            if (tag.IsNull(i) ? is_default : own(tag.string_at(i)))
                rows.push_back({0, static_cast<uint32_t>(i)});
        }
    }
    if (rows.empty()) return Status::Ok();
    const bool all = rows.size() == n;
    if (all && !drop_column) return consume(b);
    Batch out;
    for (size_t c = 0; c < b.columns.size(); ++c) {
        if (drop_column && c == column) continue;
        out.schema.fields.push_back(b.schema.fields[c]);
        if (all) {
            out.columns.push_back(b.columns[c]);
        } else {
            const core::Column* source = &b.columns[c];
            out.columns.push_back(core::Column::GatherFrom(
                source->type(), std::span<const core::Column* const>(&source, 1), rows));
        }
    }
    return consume(out);
}

}  // namespace

Status WorkspaceView::Scan(const core::ScanRequest& request,
                           const std::function<Status(const Batch&)>& consume) const {
    ASSIGN_OR_RETURN(Plan p, MakePlan(request));
    if (p.kind == Plan::Kind::kAll) return store_.Scan(request, consume);
    if (p.kind == Plan::Kind::kNone) return Status::Ok();
    return store_.Scan(p.request, [&](const Batch& b) {
        return EmitOwnRows(b, p.column, p.drop_column, id_, is_default_, consume);
    });
}

Status WorkspaceView::ScanParallel(const core::ScanRequest& request,
                                   const core::ParallelConsumer& consumer) const {
    ASSIGN_OR_RETURN(Plan p, MakePlan(request));
    if (p.kind == Plan::Kind::kAll) return store_.ScanParallel(request, consumer);
    if (p.kind == Plan::Kind::kNone) return Status::Ok();
    core::ParallelConsumer filtered = consumer;
    filtered.consume = [&](size_t worker, const Batch& b) {
        return EmitOwnRows(b, p.column, p.drop_column, id_, is_default_,
                           [&](const Batch& own) { return consumer.consume(worker, own); });
    };
    return store_.ScanParallel(p.request, filtered);
}

}  // namespace calypso::server
