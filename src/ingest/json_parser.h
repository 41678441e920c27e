#pragma once

#include <simdjson.h>

#include <memory>

namespace calypso::ingest {

// The calling thread's simdjson parser, lent for one request. A parser sizes its buffers to
// the largest document it has parsed; a new one per request allocated megabytes for every
// batch, which the kernel faulted in and zeroed each time. A parser grown past kKeepBytes by
// an unusually large body is freed when the lease ends, so a worker keeps at most that much.
class ParserLease {
  public:
    ParserLease() {
        if (!Slot()) Slot() = std::make_unique<simdjson::dom::parser>();
        parser_ = std::move(Slot());
    }
    ~ParserLease() {
        if (parser_->capacity() <= kKeepBytes) Slot() = std::move(parser_);
    }
    ParserLease(const ParserLease&) = delete;
    ParserLease& operator=(const ParserLease&) = delete;

    simdjson::dom::parser& get() { return *parser_; }

  private:
    static constexpr size_t kKeepBytes = size_t{32} << 20;
    // Empty while lent, so a nested lease on the same thread gets a parser of its own.
    static std::unique_ptr<simdjson::dom::parser>& Slot() {
        thread_local std::unique_ptr<simdjson::dom::parser> slot;
        return slot;
    }
    std::unique_ptr<simdjson::dom::parser> parser_;
};

}  // namespace calypso::ingest
