#include "server/rejections.h"

#include <vector>

#include "core/column.h"
#include "core/time.h"

namespace calypso::server {
namespace {

// Bounds the rows kept between flushes (a flood of distinct tables lands in "other").
constexpr size_t kMaxPending = 10'000;
constexpr size_t kMaxExample = 512;

}  // namespace

std::string_view ReasonName(RejectReason reason) {
    switch (reason) {
        case RejectReason::kInvalidItem:
            return "invalid_item";
        case RejectReason::kInvalidJson:
            return "invalid_json";
        case RejectReason::kUnknownType:
            return "unknown_type";
        case RejectReason::kInvalidKey:
            return "invalid_instrumentation_key";
        case RejectReason::kUnreadableBody:
            return "unreadable_body";
        case RejectReason::kTooLarge:
            return "too_large";
        case RejectReason::kUnknownWorkspace:
            return "unknown_workspace";
        case RejectReason::kUnknownStream:
            return "unknown_stream";
        case RejectReason::kUnauthorized:
            return "unauthorized";
        case RejectReason::kThrottled:
            return "throttled";
        case RejectReason::kUnavailable:
            return "unavailable";
        case RejectReason::kStoreError:
            return "store_error";
    }
    return "invalid_item";
}

RejectReason ReasonOfItemError(std::string_view message) {
    if (message.starts_with("Invalid instrumentation key")) return RejectReason::kInvalidKey;
    if (message.starts_with("Unknown baseType")) return RejectReason::kUnknownType;
    if (message.find("is not valid JSON") != std::string_view::npos) {
        return RejectReason::kInvalidJson;
    }
    return RejectReason::kInvalidItem;
}

RejectReason ReasonOfStoreError(const core::Status& status) {
    switch (status.code()) {
        case core::StatusCode::kLimitExceeded:
            return RejectReason::kThrottled;
        case core::StatusCode::kUnavailable:
            return RejectReason::kUnavailable;
        default:
            return RejectReason::kStoreError;
    }
}

core::Schema Rejections::TableSchema() {
    using core::Type;
    return core::Schema{{{"TimeGenerated", Type::kDatetime},
                         {"Workspace", Type::kString},
                         {"Table", Type::kString},
                         {"Reason", Type::kString},
                         {"Count", Type::kLong},
                         {"Example", Type::kString}}};
}

Rejections::Rejections(core::MetricsRegistry& registry, core::RowSink* sink)
    : counter_(registry.Counter("calypso_ingest_rejected_items",
                                "Items refused at ingestion, by workspace, table and reason "
                                "(a whole unreadable request counts once)",
                                {"workspace", "table", "reason"})),
      sink_(sink) {}

void Rejections::Record(std::string_view workspace, std::string_view table, RejectReason reason,
                        uint64_t count, std::string_view example, int64_t now_ticks) {
    if (count == 0) return;
    const std::string ws(workspace.empty() ? "unknown" : workspace);
    const std::string tb(table.empty() ? "unknown" : table);
    counter_.With({ws, tb, std::string(ReasonName(reason))}).Add(static_cast<double>(count));
    if (sink_ == nullptr) return;
    const int64_t minute = now_ticks - now_ticks % core::kTicksPerMinute;
    std::lock_guard lock(mu_);
    Key key{minute, ws, tb, reason};
    auto it = pending_.find(key);
    if (it == pending_.end() && pending_.size() >= kMaxPending) {
        key = Key{minute, "other", "other", reason};
        it = pending_.find(key);
    }
    if (it == pending_.end()) {
        it = pending_.emplace(key, Pending{0, std::string(example.substr(0, kMaxExample))}).first;
    }
    it->second.count += count;
}

core::Status Rejections::Flush(int64_t now_ticks, bool everything) {
    if (sink_ == nullptr) return core::Status::Ok();
    const int64_t current = now_ticks - now_ticks % core::kTicksPerMinute;
    std::map<Key, Pending> ready;
    {
        std::lock_guard lock(mu_);
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (everything || std::get<0>(it->first) < current) {
                ready.insert(pending_.extract(it++));
            } else {
                ++it;
            }
        }
    }
    if (ready.empty()) return core::Status::Ok();
    core::Batch b = core::Batch::Empty(TableSchema());
    for (const auto& [key, p] : ready) {
        b.columns[0].AppendInt64(std::get<0>(key));
        b.columns[1].AppendString(std::get<1>(key));
        b.columns[2].AppendString(std::get<2>(key));
        b.columns[3].AppendString(ReasonName(std::get<3>(key)));
        b.columns[4].AppendInt64(static_cast<int64_t>(p.count));
        b.columns[5].AppendString(p.example);
    }
    std::vector<core::TableBatch> batches;
    batches.push_back({kTable, std::move(b), 0});
    core::Status s = sink_->Append(std::move(batches));
    if (!s.ok()) {
        // Keep them for the next flush, merged with what arrived meanwhile.
        std::lock_guard lock(mu_);
        for (auto& [key, p] : ready) {
            auto [it, inserted] = pending_.try_emplace(key, p);
            if (!inserted) it->second.count += p.count;
        }
    }
    return s;
}

}  // namespace calypso::server
