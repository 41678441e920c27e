#include "kql/exec/governor.h"

#include <fmt/format.h>

namespace calypso::kql {

QueryGovernor::QueryGovernor(QueryLimits limits) : limits_(std::move(limits)) {
    if (limits_.max_seconds > 0) {
        has_deadline_ = true;
        deadline_ = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(limits_.max_seconds));
    }
}

core::Status QueryGovernor::Check() const {
    if (limits_.cancelled && limits_.cancelled->load(std::memory_order_relaxed)) {
        return core::Status::Unavailable("query was cancelled");
    }
    if (has_deadline_ && std::chrono::steady_clock::now() > deadline_) {
        return core::Status::LimitExceeded(
            fmt::format("query exceeded its time limit of {:g} s", limits_.max_seconds));
    }
    return core::Status::Ok();
}

core::Status QueryGovernor::Charge(int64_t delta, std::string_view op) {
    int64_t now = used_.fetch_add(delta, std::memory_order_relaxed) + delta;
    int64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
    if (delta > 0 && limits_.max_memory_bytes > 0 &&
        now > static_cast<int64_t>(limits_.max_memory_bytes)) {
        double mib = static_cast<double>(limits_.max_memory_bytes) / (1024.0 * 1024.0);
        return core::Status::LimitExceeded(
            fmt::format("query memory budget of {:g} MiB exceeded in {}", mib, op));
    }
    return core::Status::Ok();
}

QueryGovernor& QueryGovernor::Unlimited() {
    static QueryGovernor unlimited;
    return unlimited;
}

}  // namespace calypso::kql
