#include "core/time.h"

#include <chrono>
#include <cstdio>

namespace calypso::core {

int64_t NowTicks() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() / 100;
}

// Howard Hinnant's civil-date algorithms (public domain description).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& year, unsigned& month, unsigned& day) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    day = doy - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

namespace {

class Cursor {
  public:
    explicit Cursor(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    bool Eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    // Reads exactly `n` digits.
    bool Digits(int n, int64_t& out) {
        out = 0;
        for (int k = 0; k < n; ++k) {
            if (done() || s_[i_] < '0' || s_[i_] > '9') return false;
            out = out * 10 + (s_[i_++] - '0');
        }
        return true;
    }
    // Reads one or more digits.
    bool Number(int64_t& out, int& count) {
        out = 0;
        count = 0;
        while (!done() && s_[i_] >= '0' && s_[i_] <= '9') {
            if (count < 18) out = out * 10 + (s_[i_] - '0');
            ++count;
            ++i_;
        }
        return count > 0;
    }
    // Fraction digits after '.', scaled to ticks (7 digits).
    int64_t FractionTicks() {
        int64_t v = 0;
        int n = 0;
        while (!done() && s_[i_] >= '0' && s_[i_] <= '9') {
            if (n < 7) {
                v = v * 10 + (s_[i_] - '0');
                ++n;
            }
            ++i_;
        }
        while (n++ < 7) v *= 10;
        return v;
    }

  private:
    std::string_view s_;
    size_t i_ = 0;
};

Status BadDatetime(std::string_view text) {
    return Status::InvalidArgument("invalid datetime '" + std::string(text) +
                                   "': expected ISO 8601 like 2024-01-31T12:00:00Z");
}

}  // namespace

Result<int64_t> ParseDatetime(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    Cursor c(text);
    int64_t y, mo, d, h = 0, mi = 0, s = 0, frac = 0;
    if (!c.Digits(4, y) || !c.Eat('-') || !c.Digits(2, mo) || !c.Eat('-') || !c.Digits(2, d)) {
        return BadDatetime(text);
    }
    if (c.Eat('T') || c.Eat(' ') || c.Eat('t')) {
        if (!c.Digits(2, h) || !c.Eat(':') || !c.Digits(2, mi)) return BadDatetime(text);
        if (c.Eat(':')) {
            if (!c.Digits(2, s)) return BadDatetime(text);
            if (c.Eat('.')) frac = c.FractionTicks();
        }
    }
    int64_t offset_minutes = 0;
    if (c.Eat('Z') || c.Eat('z')) {
    } else if (c.peek() == '+' || c.peek() == '-') {
        int sign = c.peek() == '-' ? -1 : 1;
        c.Eat(c.peek());
        int64_t oh, om = 0;
        if (!c.Digits(2, oh)) return BadDatetime(text);
        c.Eat(':');
        if (!c.done() && !c.Digits(2, om)) return BadDatetime(text);
        offset_minutes = sign * (oh * 60 + om);
    }
    if (!c.done()) return BadDatetime(text);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return BadDatetime(text);
    int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
    return secs * kTicksPerSecond + frac;
}

std::string FormatDatetime(int64_t ticks) {
    int64_t days = ticks / kTicksPerDay;
    int64_t rem = ticks % kTicksPerDay;
    if (rem < 0) {
        rem += kTicksPerDay;
        --days;
    }
    int64_t year;
    unsigned month, day;
    CivilFromDays(days, year, month, day);
    int64_t secs = rem / kTicksPerSecond;
    int64_t frac = rem % kTicksPerSecond;
    char buf[64];
    int n =
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                      static_cast<long long>(year), month, day, static_cast<long long>(secs / 3600),
                      static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    std::string out(buf, static_cast<size_t>(n));
    if (frac != 0) {
        char f[16];
        std::snprintf(f, sizeof f, ".%07lld", static_cast<long long>(frac));
        std::string fs(f);
        while (fs.back() == '0') fs.pop_back();
        out += fs;
    }
    out += 'Z';
    return out;
}

Result<int64_t> ParseIsoDuration(std::string_view text) {
    auto bad = [&] {
        return Status::InvalidArgument("invalid ISO 8601 duration '" + std::string(text) +
                                       "': expected like P7D or PT1H30M");
    };
    Cursor c(text);
    bool negative = c.Eat('-');
    if (!c.Eat('P')) return bad();
    int64_t total = 0;
    bool in_time = false;
    bool any = false;
    while (!c.done()) {
        if (c.Eat('T')) {
            in_time = true;
            continue;
        }
        int64_t n;
        int count;
        if (!c.Number(n, count)) return bad();
        int64_t frac = 0;
        if (c.Eat('.') || c.Eat(',')) frac = c.FractionTicks();
        char unit = c.peek();
        if (!c.Eat(unit)) return bad();
        int64_t scale;
        if (!in_time && unit == 'Y')
            scale = 365 * kTicksPerDay;
        else if (!in_time && unit == 'M')
            scale = 30 * kTicksPerDay;
        else if (!in_time && unit == 'W')
            scale = 7 * kTicksPerDay;
        else if (!in_time && unit == 'D')
            scale = kTicksPerDay;
        else if (in_time && unit == 'H')
            scale = kTicksPerHour;
        else if (in_time && unit == 'M')
            scale = kTicksPerMinute;
        else if (in_time && unit == 'S')
            scale = kTicksPerSecond;
        else
            return bad();
        total += n * scale + frac * scale / kTicksPerSecond;
        any = true;
    }
    if (!any) return bad();
    return negative ? -total : total;
}

Result<int64_t> ParseDotNetTimespan(std::string_view text) {
    auto bad = [&] {
        return Status::InvalidArgument("invalid timespan '" + std::string(text) +
                                       "': expected [d.]hh:mm:ss[.fffffff]");
    };
    Cursor c(text);
    bool negative = c.Eat('-');
    int64_t first;
    int count;
    if (!c.Number(first, count)) return bad();
    int64_t days = 0, hours;
    if (c.Eat('.')) {
        days = first;
        if (!c.Number(hours, count)) return bad();
    } else {
        hours = first;
    }
    int64_t minutes, seconds = 0, frac = 0;
    if (!c.Eat(':') || !c.Number(minutes, count)) return bad();
    if (c.Eat(':')) {
        if (!c.Number(seconds, count)) return bad();
        if (c.Eat('.')) frac = c.FractionTicks();
    }
    if (!c.done()) return bad();
    int64_t total = days * kTicksPerDay + hours * kTicksPerHour + minutes * kTicksPerMinute +
                    seconds * kTicksPerSecond + frac;
    return negative ? -total : total;
}

std::string FormatTimespan(int64_t ticks) {
    std::string out;
    uint64_t t;
    if (ticks < 0) {
        out += '-';
        t = static_cast<uint64_t>(-(ticks + 1)) + 1;
    } else {
        t = static_cast<uint64_t>(ticks);
    }
    const auto tpd = static_cast<uint64_t>(kTicksPerDay);
    const auto tps = static_cast<uint64_t>(kTicksPerSecond);
    uint64_t days = t / tpd;
    uint64_t rem = t % tpd;
    uint64_t secs = rem / tps;
    uint64_t frac = rem % tps;
    char buf[64];
    if (days > 0) {
        std::snprintf(buf, sizeof buf, "%llu.", static_cast<unsigned long long>(days));
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu",
                  static_cast<unsigned long long>(secs / 3600),
                  static_cast<unsigned long long>(secs / 60 % 60),
                  static_cast<unsigned long long>(secs % 60));
    out += buf;
    if (frac != 0) {
        std::snprintf(buf, sizeof buf, ".%07llu", static_cast<unsigned long long>(frac));
        out += buf;
    }
    return out;
}

}  // namespace calypso::core
