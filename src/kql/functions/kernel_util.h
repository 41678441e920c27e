#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "core/column.h"
#include "kql/exec/vec.h"

namespace calypso::kql::functions {

// Builds an owned column of `n` rows from f(i) -> bool.
template <typename F>
Vec BoolLoop(size_t n, F f) {
    core::Column c(core::Type::kBool);
    c.Reserve(n);
    for (size_t i = 0; i < n; ++i) c.AppendInt64(f(i) ? 1 : 0);
    return Vec::Own(std::move(c));
}

// ASCII-only case folding (no locale lookups in the hot loops).
inline char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = LowerAscii(c);
    return out;
}
inline void LowerInto(std::string_view s, std::string& out) {
    out.resize(s.size());
    for (size_t i = 0; i < s.size(); ++i) out[i] = LowerAscii(s[i]);
}
// Term characters for `has`: ASCII letters and digits, and every non-ASCII byte (so UTF-8
// letters stay inside their term).
inline bool IsAlnum(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}

// True for types whose values are int64 ticks or integers compared as such.
inline bool IsIntegral(core::Type t) {
    return t == core::Type::kInt || t == core::Type::kLong || t == core::Type::kBool;
}
inline bool IsStringy(core::Type t) { return t == core::Type::kString || t == core::Type::kGuid; }

}  // namespace calypso::kql::functions
