#include "server/json_text.h"

#include <charconv>

#include "core/dynamic.h"
#include "core/time.h"

namespace calypso::server {

namespace {

char* Put2(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
    return p + 2;
}

}  // namespace

void AppendQuoted(std::string& out, std::string_view s) { core::AppendJsonString(out, s); }

void AppendInteger(std::string& out, int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

void AppendQuotedDatetime(std::string& out, int64_t ticks, bool full_fraction) {
    int64_t days = ticks / core::kTicksPerDay;
    int64_t rem = ticks % core::kTicksPerDay;
    if (rem < 0) {
        rem += core::kTicksPerDay;
        --days;
    }
    int64_t year;
    unsigned month, day;
    core::CivilFromDays(days, year, month, day);
    if (year < 0 || year > 9999) {  // outside four digits: the general formatter
        std::string text = core::FormatDatetime(ticks);
        if (full_fraction) {
            text.pop_back();
            const size_t dot = text.find('.', text.find('T'));
            const size_t digits = dot == std::string::npos ? 0 : text.size() - dot - 1;
            if (dot == std::string::npos) text += '.';
            text.append(7 - digits, '0');
            text += 'Z';
        }
        AppendQuoted(out, text);
        return;
    }
    const auto secs = static_cast<unsigned>(rem / core::kTicksPerSecond);
    auto frac = static_cast<unsigned>(rem % core::kTicksPerSecond);
    char buf[40];
    char* p = buf;
    *p++ = '"';
    const auto y = static_cast<unsigned>(year);
    p = Put2(p, y / 100);
    p = Put2(p, y % 100);
    *p++ = '-';
    p = Put2(p, month);
    *p++ = '-';
    p = Put2(p, day);
    *p++ = 'T';
    p = Put2(p, secs / 3600);
    *p++ = ':';
    p = Put2(p, secs / 60 % 60);
    *p++ = ':';
    p = Put2(p, secs % 60);
    if (frac != 0 || full_fraction) {
        *p++ = '.';
        int digits = 7;
        if (!full_fraction) {
            while (frac % 10 == 0) {
                frac /= 10;
                --digits;
            }
        }
        for (int i = digits - 1; i >= 0; --i) {
            p[i] = static_cast<char>('0' + frac % 10);
            frac /= 10;
        }
        p += digits;
    }
    *p++ = 'Z';
    *p++ = '"';
    out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace calypso::server
