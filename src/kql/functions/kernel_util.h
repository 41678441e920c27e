#pragma once

#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "kql/exec/vec.h"

namespace calypso::kql::functions {

// Builds an owned column of `n` rows from f(i) -> bool.
template <typename F>
Vec BoolLoop(size_t n, F f) {
    std::vector<int64_t> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = f(i) ? 1 : 0;
    return Vec::Own(
        core::Column::FromInt64s(core::Type::kBool, std::move(values), std::vector<uint8_t>(n, 1)));
}

// Builds a bool column of `n` rows from test(string_view) applied to string Vec `a`. A
// dictionary column is tested once per distinct value, its rows taking their code's answer.
template <typename F>
Vec StringPredicate(const Vec& a, size_t n, F test) {
    if (!a.is_const() && a.column().is_dictionary() && a.column().dictionary().size() <= n) {
        const auto& dict = a.column().dictionary();
        std::vector<uint8_t> answer(dict.size());
        for (size_t k = 0; k < dict.size(); ++k) answer[k] = test(std::string_view(dict[k]));
        const auto codes = a.column().codes();
        return BoolLoop(n, [&](size_t i) { return answer[codes[i]] != 0; });
    }
    return BoolLoop(n, [&](size_t i) { return test(a.Str(i)); });
}

// ASCII-only case folding (no locale lookups in the hot loops).
inline char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = LowerAscii(c);
    return out;
}
// Eight bytes at a time (the `has` kernels fold every byte of every message): bytes in
// 'A'..'Z' get 0x20 added, all others (non-ASCII included) stay as they are.
inline void LowerInto(std::string_view s, std::string& out) {
    out.resize(s.size());
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        const uint64_t low7 = w & (0x7f * kOnes);
        const uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;      // high bit: byte >= 'A'
        const uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // high bit: byte > 'Z'
        const uint64_t upper = (ge_a ^ gt_z) & ~w & (0x80 * kOnes);
        w |= upper >> 2;
        std::memcpy(out.data() + i, &w, 8);
    }
    for (; i < s.size(); ++i) out[i] = LowerAscii(s[i]);
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
