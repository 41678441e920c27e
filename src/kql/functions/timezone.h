#pragma once

// IANA time zones read from the system's compiled zoneinfo (Debian's tzdata, TZif files
// under /usr/share/zoneinfo): libstdc++ 12 has no std::chrono tzdb.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace calypso::kql::functions {

// One zone's UTC offsets over time. Immutable once loaded; safe to share between threads.
class TimeZone {
  public:
    // The zone named `name` ("Europe/Paris", "US/Pacific", "UTC"); null when there is no such
    // zone. Loaded zones are cached for the life of the process.
    static std::shared_ptr<const TimeZone> Find(std::string_view name);

    // The offset (in seconds east of UTC) in force at a UTC instant (Unix seconds).
    int64_t OffsetAtUtc(int64_t utc_seconds) const;
    // The offset to subtract from a local wall-clock time (Unix seconds as if UTC). A
    // transition takes effect once the wall clock, read with the offset before it, reaches
    // it: a time skipped by a forward jump gets the new offset (the docs' Brussels example:
    // 02:00 local -> 00:00 UTC), a repeated hour the old one.
    int64_t OffsetForLocal(int64_t local_seconds) const;

    // Parses a TZif file (RFC 8536) and extends its table with the footer's POSIX rule;
    // null when the bytes are not one.
    static std::shared_ptr<const TimeZone> FromTzif(std::string_view bytes);

  private:
    struct Transition {
        int64_t at = 0;      // UTC, Unix seconds
        int64_t before = 0;  // offset in force before it
        int64_t after = 0;   // offset from it on
    };
    int64_t initial_ = 0;
    std::vector<Transition> transitions_;  // ascending by `at`
};

}  // namespace calypso::kql::functions
