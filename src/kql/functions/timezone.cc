// TZif reading and the POSIX TZ rule of its footer (RFC 8536, POSIX 8.3).
#include "kql/functions/timezone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include "core/time.h"

namespace calypso::kql::functions {
namespace {

constexpr const char* kZoneDir = "/usr/share/zoneinfo/";
// The POSIX rule is unrolled into explicit transitions up to this year; later instants keep
// the offset of the last one.
constexpr int64_t kLastRuleYear = 2500;

int64_t BigEndian(std::string_view b, size_t at, size_t n) {
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
    if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
}

// A zone name is a relative path of plain components (no "..", nothing absolute).
bool ValidName(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/') return false;
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '-' || c == '+';
        if (!ok) return false;
    }
    return name.find("//") == std::string_view::npos;
}

// One rule date of a POSIX TZ string: `Mm.w.d[/time]` (other forms are not used by the
// zones' footers we read; they leave the zone without a rule).
struct RuleDate {
    int month = 0, week = 0, weekday = 0;
    int64_t time = 2 * 3600;  // local seconds after midnight
};

struct PosixRule {
    int64_t std_offset = 0;  // seconds east of UTC
    std::optional<int64_t> dst_offset;
    RuleDate start, end;
};

class Reader {
  public:
    explicit Reader(std::string_view s) : s_(s) {}
    bool AtEnd() const { return i_ >= s_.size(); }
    char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
    bool Eat(char c) {
        if (Peek() != c) return false;
        ++i_;
        return true;
    }
    bool Name() {
        if (Eat('<')) {
            while (!AtEnd() && Peek() != '>') ++i_;
            return Eat('>');
        }
        size_t start = i_;
        while (!AtEnd() && std::isalpha(static_cast<unsigned char>(Peek())) != 0) ++i_;
        return i_ - start >= 3;
    }
    std::optional<int64_t> Number() {
        if (AtEnd() || std::isdigit(static_cast<unsigned char>(Peek())) == 0) return std::nullopt;
        int64_t v = 0;
        while (!AtEnd() && std::isdigit(static_cast<unsigned char>(Peek())) != 0) {
            v = v * 10 + (Peek() - '0');
            ++i_;
        }
        return v;
    }
    // [+-]hh[:mm[:ss]] in seconds.
    std::optional<int64_t> Time() {
        int64_t sign = 1;
        if (Eat('-')) {
            sign = -1;
        } else {
            Eat('+');
        }
        auto h = Number();
        if (!h) return std::nullopt;
        int64_t v = *h * 3600;
        if (Eat(':')) {
            auto m = Number();
            if (!m) return std::nullopt;
            v += *m * 60;
            if (Eat(':')) {
                auto sec = Number();
                if (!sec) return std::nullopt;
                v += *sec;
            }
        }
        return sign * v;
    }
    std::optional<RuleDate> Date() {
        RuleDate d;
        if (!Eat('M')) return std::nullopt;
        auto m = Number();
        if (!m || !Eat('.')) return std::nullopt;
        auto w = Number();
        if (!w || !Eat('.')) return std::nullopt;
        auto wd = Number();
        if (!wd) return std::nullopt;
        d.month = static_cast<int>(*m);
        d.week = static_cast<int>(*w);
        d.weekday = static_cast<int>(*wd);
        if (Eat('/')) {
            auto t = Time();
            if (!t) return std::nullopt;
            d.time = *t;
        }
        if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday > 6)
            return std::nullopt;
        return d;
    }

  private:
    std::string_view s_;
    size_t i_ = 0;
};

// "CET-1CEST,M3.5.0,M10.5.0/3": POSIX offsets count west of UTC, hence the signs.
std::optional<PosixRule> ParsePosix(std::string_view tz) {
    Reader r(tz);
    PosixRule rule;
    if (!r.Name()) return std::nullopt;
    auto std_west = r.Time();
    if (!std_west) return std::nullopt;
    rule.std_offset = -*std_west;
    if (r.AtEnd()) return rule;
    if (!r.Name()) return std::nullopt;
    rule.dst_offset = rule.std_offset + 3600;
    if (r.Peek() != ',') {
        auto dst_west = r.Time();
        if (!dst_west) return std::nullopt;
        rule.dst_offset = -*dst_west;
    }
    if (!r.Eat(',')) return std::nullopt;
    auto start = r.Date();
    if (!start || !r.Eat(',')) return std::nullopt;
    auto end = r.Date();
    if (!end || !r.AtEnd()) return std::nullopt;
    rule.start = *start;
    rule.end = *end;
    return rule;
}

// The local midnight-based day (days since the epoch) of a rule date in `year`.
int64_t RuleDay(int64_t year, const RuleDate& d) {
    auto month = static_cast<unsigned>(d.month);
    int64_t first = core::DaysFromCivil(year, month, 1);
    int64_t next =
        month == 12 ? core::DaysFromCivil(year + 1, 1, 1) : core::DaysFromCivil(year, month + 1, 1);
    int64_t first_wd = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
    int64_t day = first + (d.weekday - first_wd + 7) % 7 + (d.week - 1) * 7;
    while (day >= next) day -= 7;
    return day;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::FromTzif(std::string_view b) {
    auto counts = [&b](size_t header, int64_t out[6]) {
        if (b.size() < header + 44 || b.compare(header, 4, "TZif") != 0) return false;
        for (size_t k = 0; k < 6; ++k) out[k] = BigEndian(b, header + 20 + 4 * k, 4);
        return true;
    };
    int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    if (!counts(0, c)) return nullptr;
    size_t at = 44;
    size_t time_size = 4;
    const bool v2 = b[4] >= '2';
    if (v2) {
        // Skip the 32-bit block; the 64-bit one follows with its own header.
        at += static_cast<size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
        if (!counts(at, c)) return nullptr;
        at += 44;
        time_size = 8;
    }
    const auto timecnt = static_cast<size_t>(c[3]);
    const auto typecnt = static_cast<size_t>(c[4]);
    size_t need = timecnt * (time_size + 1) + typecnt * 6;
    if (typecnt == 0 || b.size() < at + need) return nullptr;
    std::vector<int64_t> offsets(typecnt);
    size_t types_at = at + timecnt * (time_size + 1);
    for (size_t k = 0; k < typecnt; ++k) offsets[k] = BigEndian(b, types_at + 6 * k, 4);
    auto tz = std::make_shared<TimeZone>();
    tz->initial_ = offsets[0];
    int64_t current = tz->initial_;
    for (size_t k = 0; k < timecnt; ++k) {
        int64_t when = BigEndian(b, at + k * time_size, time_size);
        auto type = static_cast<unsigned char>(b[at + timecnt * time_size + k]);
        if (type >= typecnt) return nullptr;
        tz->transitions_.push_back({when, current, offsets[type]});
        current = offsets[type];
    }
    if (!v2) return tz;
    // The footer: "\n<POSIX TZ>\n" after the 64-bit block.
    size_t footer = types_at + typecnt * 6 + static_cast<size_t>(c[5] + c[2] * 12 + c[1] + c[0]);
    if (footer >= b.size() || b[footer] != '\n') return tz;
    size_t end = b.find('\n', footer + 1);
    if (end == std::string_view::npos) return tz;
    auto rule = ParsePosix(b.substr(footer + 1, end - footer - 1));
    if (!rule || !rule->dst_offset) return tz;
    int64_t last = tz->transitions_.empty() ? INT64_MIN : tz->transitions_.back().at;
    int64_t year = 1970;
    if (last != INT64_MIN) {
        int64_t y = 0;
        unsigned m = 0, d = 0;
        core::CivilFromDays(last / 86400, y, m, d);
        year = y;
    }
    for (; year <= kLastRuleYear; ++year) {
        // Each rule time is local wall-clock time in the offset in force before it.
        int64_t start = RuleDay(year, rule->start) * 86400 + rule->start.time - rule->std_offset;
        int64_t stop = RuleDay(year, rule->end) * 86400 + rule->end.time - *rule->dst_offset;
        std::vector<Transition> both = {{start, rule->std_offset, *rule->dst_offset},
                                        {stop, *rule->dst_offset, rule->std_offset}};
        if (stop < start) std::swap(both[0], both[1]);
        for (auto& t : both) {
            if (t.at <= last) continue;
            t.before = current;
            tz->transitions_.push_back(t);
            current = t.after;
            last = t.at;
        }
    }
    return tz;
}

std::shared_ptr<const TimeZone> TimeZone::Find(std::string_view name) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
    std::shared_ptr<const TimeZone> tz;
    if (ValidName(name)) {
        std::ifstream in(std::string(kZoneDir) + std::string(name), std::ios::binary);
        if (in) {
            std::ostringstream bytes;
            bytes << in.rdbuf();
            tz = FromTzif(bytes.str());
        }
    }
    if (cache.size() < 1024) cache.emplace(std::string(name), tz);
    return tz;
}

int64_t TimeZone::OffsetAtUtc(int64_t utc) const {
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                               [](int64_t t, const Transition& x) { return t < x.at; });
    return it == transitions_.begin() ? initial_ : std::prev(it)->after;
}

int64_t TimeZone::OffsetForLocal(int64_t local) const {
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), local,
                               [](int64_t t, const Transition& x) { return t < x.at + x.before; });
    return it == transitions_.begin() ? initial_ : std::prev(it)->after;
}

}  // namespace calypso::kql::functions
