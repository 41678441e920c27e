#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace calypso::kql {

// The limits one query runs under. A non-positive max_seconds or a zero max_memory_bytes
// means no limit; `cancelled` may be null.
struct QueryLimits {
    double max_seconds = 0;
    size_t max_memory_bytes = 0;
    std::shared_ptr<const std::atomic<bool>> cancelled;
};

// Enforces a query's time limit, memory budget and cancellation. Operators call Check()
// between batches and every so many rows of long loops, and charge what they hold through
// MemoryCharge. Thread-safe: the counters are atomic, so operators on several threads may
// share one governor. The clock starts when the governor is made.
class QueryGovernor {
  public:
    explicit QueryGovernor(QueryLimits limits = {});

    // LimitExceeded when past the time limit ("query exceeded its time limit of N s"),
    // Unavailable ("query was cancelled") when the cancel flag is set; OK otherwise.
    core::Status Check() const;
    // Adds `delta` bytes (negative: releases). Past the budget: LimitExceeded "query
    // memory budget of N MiB exceeded in <op>"; the bytes stay charged either way, so the
    // caller's MemoryCharge releases them.
    core::Status Charge(int64_t delta, std::string_view op);
    int64_t used_bytes() const { return used_.load(std::memory_order_relaxed); }
    // The most the query held at once.
    int64_t peak_bytes() const { return peak_.load(std::memory_order_relaxed); }

    // A governor without limits, for callers that set none.
    static QueryGovernor& Unlimited();

  private:
    QueryLimits limits_;
    std::chrono::steady_clock::time_point deadline_;
    bool has_deadline_ = false;
    std::atomic<int64_t> used_{0};
    std::atomic<int64_t> peak_{0};
};

// What one operator holds, charged to its query's budget; everything still charged is
// released when the MemoryCharge is destroyed. Not thread-safe.
class MemoryCharge {
  public:
    MemoryCharge(QueryGovernor& governor, std::string_view op) : gov_(governor), op_(op) {}
    ~MemoryCharge() { (void)gov_.Charge(-static_cast<int64_t>(held_), op_); }
    MemoryCharge(const MemoryCharge&) = delete;
    MemoryCharge& operator=(const MemoryCharge&) = delete;

    // The operator now holds `bytes` more.
    core::Status Add(size_t bytes) { return Set(held_ + bytes); }
    // The operator now holds `bytes` in all.
    core::Status Set(size_t bytes) {
        int64_t delta = static_cast<int64_t>(bytes) - static_cast<int64_t>(held_);
        held_ = bytes;
        return delta == 0 ? core::Status::Ok() : gov_.Charge(delta, op_);
    }
    size_t held() const { return held_; }

  private:
    QueryGovernor& gov_;
    std::string_view op_;
    size_t held_ = 0;
};

// How many rows a loop may run between two Check() calls.
inline constexpr size_t kCheckEveryRows = 65536;

}  // namespace calypso::kql
