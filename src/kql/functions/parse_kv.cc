// parse-kv's three extraction modes, as the docs describe them. Keys compare exactly; the
// first appearance of a key wins, so each mode stops at it.
#include "kql/functions/parse_kv.h"

#include <re2/re2.h>

#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
    return s;
}

// The closing quote of an opening quote `c`, or 0 when `c` opens none.
char CloserOf(const ParseKvSpec& spec, char c) {
    for (const auto& [open, close] : spec.quotes) {
        if (open == c) return close;
    }
    return 0;
}

// Reads a quoted text starting at text[pos] (its opening quote); `pos` ends past the
// closing quote (or at the end when it is missing).
std::string ReadQuoted(std::string_view text, size_t& pos, const ParseKvSpec& spec) {
    const char close = CloserOf(spec, text[pos]);
    std::string out;
    for (++pos; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (spec.escapes.find(c) != std::string::npos && pos + 1 < text.size()) {
            out += text[++pos];
        } else if (c == close) {
            ++pos;
            break;
        } else {
            out += c;
        }
    }
    return out;
}

void SkipBlanks(std::string_view text, size_t& pos) {
    while (pos < text.size() && IsBlank(text[pos])) ++pos;
}

std::optional<std::string> Delimited(std::string_view text, const ParseKvSpec& spec,
                                     std::string_view key) {
    const std::string_view pd = spec.pair_delimiter, kd = spec.kv_delimiter;
    size_t pos = 0;
    while (pos < text.size()) {
        SkipBlanks(text, pos);
        if (pos >= text.size()) break;
        std::string name;
        if (CloserOf(spec, text[pos]) != 0) {
            name = ReadQuoted(text, pos, spec);
            SkipBlanks(text, pos);
        } else {
            const size_t k = text.find(kd, pos), p = text.find(pd, pos);
            const size_t end = std::min(k, p);
            name = std::string(
                Trim(text.substr(pos, end == std::string_view::npos ? text.npos : end - pos)));
            pos = std::min(end, text.size());
        }
        if (text.substr(pos, kd.size()) != kd) {
            // Not a pair (a word between two pair delimiters): skip it.
            const size_t p = text.find(pd, pos);
            if (p == std::string_view::npos) break;
            pos = p + pd.size();
            continue;
        }
        pos += kd.size();
        SkipBlanks(text, pos);
        std::string value;
        if (pos < text.size() && CloserOf(spec, text[pos]) != 0) {
            value = ReadQuoted(text, pos, spec);
            const size_t p = text.find(pd, pos);
            pos = p == std::string_view::npos ? text.size() : p + pd.size();
        } else {
            size_t end = text.find(pd, pos);
            if (spec.greedy) {
                // Up to the pair delimiter in front of the next key (the last one before the
                // next key-value delimiter), or the end of the text.
                const size_t next_kv = text.find(kd, pos);
                if (next_kv == std::string_view::npos) {
                    end = std::string_view::npos;
                } else if (size_t last = text.substr(0, next_kv).rfind(pd);
                           last != std::string_view::npos && last >= pos) {
                    end = last;
                }
            }
            value = std::string(
                Trim(text.substr(pos, end == std::string_view::npos ? text.npos : end - pos)));
            pos = end == std::string_view::npos ? text.size() : end + pd.size();
        }
        if (name == key) return value;
    }
    return std::nullopt;
}

// The next term at or after `pos`: a quoted text or a run of letters and digits.
std::optional<std::string> NextTerm(std::string_view text, size_t& pos, const ParseKvSpec& spec) {
    while (pos < text.size() && !IsAlnum(text[pos]) && CloserOf(spec, text[pos]) == 0) ++pos;
    if (pos >= text.size()) return std::nullopt;
    if (CloserOf(spec, text[pos]) != 0) return ReadQuoted(text, pos, spec);
    const size_t start = pos;
    while (pos < text.size() && IsAlnum(text[pos])) ++pos;
    return std::string(text.substr(start, pos - start));
}

std::optional<std::string> AnyDelimiter(std::string_view text, const ParseKvSpec& spec,
                                        std::string_view key) {
    size_t pos = 0;
    while (auto term = NextTerm(text, pos, spec)) {
        if (*term == key) return NextTerm(text, pos, spec);
    }
    return std::nullopt;
}

std::optional<std::string> Regex(std::string_view text, const ParseKvSpec& spec,
                                 std::string_view key) {
    const re2::RE2& re = *spec.regex;
    re2::StringPiece groups[3];
    size_t pos = 0;
    while (pos <= text.size() && re.Match(re2::StringPiece(text.data(), text.size()), pos,
                                          text.size(), re2::RE2::UNANCHORED, groups, 3)) {
        if (Trim(std::string_view(groups[1].data(), groups[1].size())) == key) {
            return std::string(Trim(std::string_view(groups[2].data(), groups[2].size())));
        }
        const size_t end = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
        pos = groups[0].empty() ? end + 1 : end;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> ParseKvValue(std::string_view text, const ParseKvSpec& spec,
                                        std::string_view key) {
    switch (spec.mode) {
        case ParseKvSpec::Mode::kDelimited:
            return Delimited(text, spec, key);
        case ParseKvSpec::Mode::kAnyDelimiter:
            return AnyDelimiter(text, spec, key);
        case ParseKvSpec::Mode::kRegex:
            return Regex(text, spec, key);
    }
    return std::nullopt;
}

}  // namespace calypso::kql::functions
