#pragma once

#include <string_view>

namespace calypso::core {

// Terms as KQL's `has` sees them: maximal runs of ASCII letters and digits and of non-ASCII
// bytes (so UTF-8 letters stay inside their term). The query engine matches with this
// definition and the store indexes with it, so the two always agree.
inline bool IsTermChar(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

// Calls `fn(std::string_view term)` for every term of `text`, in order.
template <class Fn>
void ForEachTerm(std::string_view text, Fn&& fn) {
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        while (i < n && !IsTermChar(text[i])) ++i;
        size_t start = i;
        while (i < n && IsTermChar(text[i])) ++i;
        if (i > start) fn(text.substr(start, i - start));
    }
}

}  // namespace calypso::core
