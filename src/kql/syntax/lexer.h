#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace calypso::kql::syntax {

enum class TokenKind {
    kEnd,
    kIdent,       // names and keywords; also "!contains"-style negated operator words
    kLong,        // integer literal, text holds digits
    kReal,        // real literal
    kTimespan,    // number with a unit suffix ("1d", "100ms"); value in ticks
    kString,      // quoted string, text holds the unescaped value
    kRawLiteral,  // datetime(...), timespan(...), dynamic(...): text holds the raw content
    kSymbol,  // punctuation and operators: | , ; ( ) [ ] { } = == != < <= > >= + - * / % . .. : =~
              // !~
};

struct Token {
    TokenKind kind = TokenKind::kEnd;
    std::string text;        // ident / symbol / string value / raw literal content
    std::string literal_of;  // for kRawLiteral: "datetime", "timespan" or "dynamic"
    int64_t int_value = 0;   // kLong, kTimespan
    double real_value = 0;   // kReal
    core::SourcePos pos;
    size_t offset = 0;  // byte offset of the first character
    size_t end = 0;     // byte offset just past the token
};

// Splits KQL text into tokens, ending with one kEnd token. Comments (// to end of line)
// are skipped. Errors are SyntaxError with the position of the bad character.
core::Result<std::vector<Token>> Lex(std::string_view text);

}  // namespace calypso::kql::syntax
