#pragma once

#include "core/metrics.h"
#include "core/row_sink.h"

namespace calypso::server {

// A RowSink that counts the rows each table accepted (calypso_ingested_rows_total{table})
// and passes everything on to `inner`. Thread-safe like `inner`.
class MeteredSink final : public core::RowSink {
  public:
    MeteredSink(core::RowSink& inner, core::MetricsRegistry& registry);
    core::Status Append(std::vector<core::TableBatch> batches) override;

  private:
    core::RowSink& inner_;
    core::CounterFamily& rows_;
};

}  // namespace calypso::server
