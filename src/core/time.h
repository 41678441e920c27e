#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace calypso::core {

// Datetimes are 100 ns ticks since the Unix epoch, UTC; timespans are 100 ns ticks.
inline constexpr int64_t kTicksPerMicrosecond = 10;
inline constexpr int64_t kTicksPerMillisecond = 10'000;
inline constexpr int64_t kTicksPerSecond = 10'000'000;
inline constexpr int64_t kTicksPerMinute = 60 * kTicksPerSecond;
inline constexpr int64_t kTicksPerHour = 60 * kTicksPerMinute;
inline constexpr int64_t kTicksPerDay = 24 * kTicksPerHour;

// The wall clock now, in ticks.
int64_t NowTicks();

// Parses an ISO 8601 / RFC 3339 datetime ("2024-01-02T03:04:05.1234567Z", "2024-01-02",
// "2024-01-02 03:04", offsets "+02:00"); up to 7 fractional digits are kept.
Result<int64_t> ParseDatetime(std::string_view text);
// "2024-01-02T03:04:05.1234567Z", trailing zero fraction digits dropped ("...:05Z").
std::string FormatDatetime(int64_t ticks);

// Parses an ISO 8601 duration ("P7D", "PT1H30M", "P1DT2H", "PT0.5S").
Result<int64_t> ParseIsoDuration(std::string_view text);
// Parses a .NET TimeSpan ("[-][d.]hh:mm:ss[.fffffff]").
Result<int64_t> ParseDotNetTimespan(std::string_view text);
// Formats as KQL/.NET does: "[-][d.]hh:mm:ss[.fffffff]".
std::string FormatTimespan(int64_t ticks);

// Days since the epoch -> civil date, and back (proleptic Gregorian).
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day);
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace calypso::core
