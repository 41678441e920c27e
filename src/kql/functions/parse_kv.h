#pragma once

// The text side of the parse-kv operator: finding one key's value in a string.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace calypso::kql::functions {

// How parse-kv splits its text (the docs' three extraction modes).
struct ParseKvSpec {
    enum class Mode {
        kDelimited,     // pair_delimiter / kv_delimiter given
        kAnyDelimiter,  // no delimiters: every character that is not a letter or digit is one
        kRegex,         // regex with two groups: the key, the value
    };
    Mode mode = Mode::kAnyDelimiter;
    std::string pair_delimiter;
    std::string kv_delimiter;
    std::vector<std::pair<char, char>> quotes;  // opening, closing
    std::string escapes;                        // characters that escape the next one in quotes
    bool greedy = false;
    std::shared_ptr<const re2::RE2> regex;
};

// The value of the first appearance of `key` in `text`, white space trimmed (a quoted value
// is kept as quoted, its escapes resolved); nullopt when the key does not appear.
std::optional<std::string> ParseKvValue(std::string_view text, const ParseKvSpec& spec,
                                        std::string_view key);

}  // namespace calypso::kql::functions
