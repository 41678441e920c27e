#include "core/number_text.h"

#include <charconv>
#include <cmath>

namespace calypso::core {

bool ParseRealText(std::string_view s, double& out) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s == "NaN") {
        out = std::nan("");
        return true;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool DynamicToReal(const Dynamic& d, double& out) {
    switch (d.kind()) {
        case Dynamic::Kind::kLong:
            out = static_cast<double>(d.as_long());
            return true;
        case Dynamic::Kind::kReal:
            out = d.as_real();
            return true;
        case Dynamic::Kind::kBool:
            out = d.as_bool() ? 1 : 0;
            return true;
        case Dynamic::Kind::kString:
            return ParseRealText(d.as_string(), out);
        default:
            return false;
    }
}

}  // namespace calypso::core
