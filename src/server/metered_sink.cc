#include "server/metered_sink.h"

#include <string>
#include <utility>

namespace calypso::server {

MeteredSink::MeteredSink(core::RowSink& inner, core::MetricsRegistry& registry)
    : inner_(inner),
      rows_(registry.Counter("calypso_ingested_rows", "Rows stored, by table", {"table"})) {}

core::Status MeteredSink::Append(std::vector<core::TableBatch> batches) {
    std::vector<std::pair<std::string, size_t>> counts;
    counts.reserve(batches.size());
    for (const auto& b : batches) counts.emplace_back(b.table, b.batch.num_rows());
    core::Status s = inner_.Append(std::move(batches));
    if (s.ok()) {
        for (const auto& [table, rows] : counts) {
            if (rows > 0) rows_.With({table}).Add(static_cast<double>(rows));
        }
    }
    return s;
}

}  // namespace calypso::server
