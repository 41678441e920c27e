#include "storage/usage.h"

#include "storage/store_impl.h"

namespace calypso::storage {

using core::Type;

const core::Schema& UsageSchema() {
    static const core::Schema schema{{{"TimeGenerated", Type::kDatetime},
                                      {"StartTime", Type::kDatetime},
                                      {"EndTime", Type::kDatetime},
                                      {"DataType", Type::kString},
                                      {"Solution", Type::kString},
                                      {"Quantity", Type::kReal},
                                      {"QuantityUnit", Type::kString},
                                      {"IsBillable", Type::kBool},
                                      {"MeterId", Type::kString},
                                      {"ResourceUri", Type::kString},
                                      {"Rows", Type::kLong},
                                      {"Type", Type::kString}}};
    return schema;
}

void Store::Impl::CountUsage(const Writer& writer, int64_t now_ticks) {
    const int64_t hour = now_ticks - now_ticks % core::kTicksPerHour;
    for (size_t i = 0; i < writer.batches.size(); ++i) {
        const auto& tb = writer.batches[i];
        if (tb.table == kUsageTable || tb.batch.num_rows() == 0) continue;
        auto& [rows, bytes] = usage[{tb.table, hour}];
        rows += tb.batch.num_rows();
        bytes += tb.source_bytes > 0          ? tb.source_bytes
                 : i < writer.sizes.size() ? writer.sizes[i]
                                           : 0;
    }
}

core::Status Store::Impl::EmitUsage() {
    std::map<std::pair<std::string, int64_t>, std::pair<uint64_t, uint64_t>> counted;
    {
        std::lock_guard lock(mu);
        counted.swap(usage);
    }
    if (counted.empty()) return core::Status::Ok();
    core::Batch b = core::Batch::Empty(UsageSchema());
    for (const auto& [key, value] : counted) {
        const auto& [table, hour] = key;
        const auto& [rows, bytes] = value;
        b.columns[0].AppendInt64(hour);
        b.columns[1].AppendInt64(hour);
        b.columns[2].AppendInt64(hour + core::kTicksPerHour);
        b.columns[3].AppendString(table);
        b.columns[4].AppendString("LogManagement");
        b.columns[5].AppendDouble(static_cast<double>(bytes) / (1024.0 * 1024.0));
        b.columns[6].AppendString("MBytes");
        b.columns[7].AppendInt64(1);
        b.columns[8].AppendString("");
        b.columns[9].AppendString("");
        b.columns[10].AppendInt64(static_cast<int64_t>(rows));
        b.columns[11].AppendString(std::string(kUsageTable));
    }
    std::vector<core::TableBatch> batches;
    batches.push_back({std::string(kUsageTable), std::move(b)});
    core::Status s = owner->Append(std::move(batches));
    if (!s.ok()) {
        // Put the counts back so they are not lost; the next emission retries.
        std::lock_guard lock(mu);
        for (const auto& [key, value] : counted) {
            usage[key].first += value.first;
            usage[key].second += value.second;
        }
    }
    return s;
}

}  // namespace calypso::storage
