#include "kql/syntax/lexer.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "core/time.h"

namespace calypso::kql::syntax {
namespace {

bool IsIdentStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Ticks per unit for timespan literal suffixes.
std::optional<int64_t> UnitTicks(std::string_view u) {
    using namespace core;
    if (u == "d" || u == "day" || u == "days") return kTicksPerDay;
    if (u == "h" || u == "hr" || u == "hrs" || u == "hour" || u == "hours") return kTicksPerHour;
    if (u == "m" || u == "min" || u == "minute" || u == "minutes") return kTicksPerMinute;
    if (u == "s" || u == "sec" || u == "second" || u == "seconds") return kTicksPerSecond;
    if (u == "ms" || u == "milli" || u == "millis" || u == "millisecond" || u == "milliseconds")
        return kTicksPerMillisecond;
    if (u == "microsecond" || u == "microseconds") return kTicksPerMicrosecond;
    if (u == "tick" || u == "ticks") return 1;
    return std::nullopt;
}

class Lexer {
  public:
    explicit Lexer(std::string_view text) : text_(text) {}

    core::Result<std::vector<Token>> Run() {
        std::vector<Token> out;
        while (true) {
            SkipSpaceAndComments();
            Token tok;
            tok.pos = {line_, col_};
            tok.offset = i_;
            if (i_ >= text_.size()) {
                tok.kind = TokenKind::kEnd;
                tok.end = i_;
                out.push_back(std::move(tok));
                return out;
            }
            RETURN_IF_ERROR(Next(tok));
            tok.end = i_;
            out.push_back(std::move(tok));
        }
    }

  private:
    char Peek(size_t k = 0) const { return i_ + k < text_.size() ? text_[i_ + k] : '\0'; }
    void Advance() {
        if (text_[i_] == '\n') {
            ++line_;
            col_ = 1;
        } else {
            ++col_;
        }
        ++i_;
    }
    core::Status Error(std::string msg, core::SourcePos pos) {
        return core::Status::SyntaxError(std::move(msg), pos);
    }

    void SkipSpaceAndComments() {
        while (i_ < text_.size()) {
            char c = text_[i_];
            if (std::isspace(static_cast<unsigned char>(c))) {
                Advance();
            } else if (c == '/' && Peek(1) == '/') {
                while (i_ < text_.size() && text_[i_] != '\n') Advance();
            } else {
                break;
            }
        }
    }

    core::Status Next(Token& tok) {
        char c = Peek();
        if (c == '@' && (Peek(1) == '\'' || Peek(1) == '"')) {
            Advance();
            return LexString(tok, /*verbatim=*/true);
        }
        if (c == '\'' || c == '"') return LexString(tok, false);
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
            return LexNumber(tok);
        }
        if (IsIdentStart(c)) return LexIdent(tok);
        if (c == '!' && IsIdentStart(Peek(1))) {
            Advance();
            RETURN_IF_ERROR(LexIdent(tok));
            tok.text = "!" + tok.text;
            return core::Status::Ok();
        }
        static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "=~", "!~", ".."};
        for (std::string_view two : kTwo) {
            if (text_.substr(i_, 2) == two) {
                tok.kind = TokenKind::kSymbol;
                tok.text = std::string(two);
                Advance();
                Advance();
                return core::Status::Ok();
            }
        }
        static constexpr std::string_view kOne = "|,;()[]{}=<>+-*/%.:";
        if (kOne.find(c) != std::string_view::npos) {
            tok.kind = TokenKind::kSymbol;
            tok.text = std::string(1, c);
            Advance();
            return core::Status::Ok();
        }
        return Error(std::string("unexpected character '") + c + "'", tok.pos);
    }

    core::Status LexString(Token& tok, bool verbatim) {
        char quote = Peek();
        Advance();
        std::string value;
        while (true) {
            if (i_ >= text_.size() || Peek() == '\n') {
                return Error("unterminated string literal", tok.pos);
            }
            char c = Peek();
            if (c == quote) {
                Advance();
                if (verbatim && Peek() == quote) {
                    value += quote;
                    Advance();
                    continue;
                }
                break;
            }
            if (c == '\\' && !verbatim) {
                Advance();
                char e = Peek();
                if (i_ >= text_.size()) return Error("unterminated string literal", tok.pos);
                switch (e) {
                    case 'n':
                        value += '\n';
                        break;
                    case 't':
                        value += '\t';
                        break;
                    case 'r':
                        value += '\r';
                        break;
                    case '0':
                        value += '\0';
                        break;
                    case '\\':
                        value += '\\';
                        break;
                    case '\'':
                        value += '\'';
                        break;
                    case '"':
                        value += '"';
                        break;
                    default:
                        return Error(std::string("unknown escape sequence '\\") + e + "'",
                                     {line_, col_ - 1});
                }
                Advance();
                continue;
            }
            value += c;
            Advance();
        }
        tok.kind = TokenKind::kString;
        tok.text = std::move(value);
        return core::Status::Ok();
    }

    core::Status LexNumber(Token& tok) {
        size_t start = i_;
        bool is_real = false;
        if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) {
            Advance();
            Advance();
            size_t hs = i_;
            while (std::isxdigit(static_cast<unsigned char>(Peek()))) Advance();
            uint64_t v = 0;
            std::from_chars(text_.data() + hs, text_.data() + i_, v, 16);
            tok.kind = TokenKind::kLong;
            tok.int_value = static_cast<int64_t>(v);
            tok.text = std::string(text_.substr(start, i_ - start));
            return core::Status::Ok();
        }
        while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        if (Peek() == '.' && Peek(1) != '.') {
            is_real = true;
            Advance();
            while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        }
        if ((Peek() == 'e' || Peek() == 'E') &&
            (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
             ((Peek(1) == '-' || Peek(1) == '+') &&
              std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
            is_real = true;
            Advance();
            Advance();
            while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        }
        std::string num(text_.substr(start, i_ - start));
        tok.text = num;
        double real = std::strtod(num.c_str(), nullptr);
        if (IsIdentStart(Peek())) {
            size_t us = i_;
            core::SourcePos upos{line_, col_};
            while (IsIdentChar(Peek())) Advance();
            std::string_view unit = text_.substr(us, i_ - us);
            auto ticks = UnitTicks(unit);
            if (!ticks) {
                return Error("unknown timespan unit '" + std::string(unit) + "'", upos);
            }
            tok.kind = TokenKind::kTimespan;
            tok.int_value = static_cast<int64_t>(std::llround(real * static_cast<double>(*ticks)));
            tok.text = std::string(text_.substr(start, i_ - start));
            return core::Status::Ok();
        }
        if (is_real) {
            tok.kind = TokenKind::kReal;
            tok.real_value = real;
        } else {
            tok.kind = TokenKind::kLong;
            auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), tok.int_value);
            (void)p;
            if (ec != std::errc()) return Error("integer literal out of range", tok.pos);
        }
        return core::Status::Ok();
    }

    core::Status LexIdent(Token& tok) {
        size_t start = i_;
        Advance();  // the first character passed IsIdentStart ('$' only starts a name)
        while (IsIdentChar(Peek())) Advance();
        tok.kind = TokenKind::kIdent;
        tok.text = std::string(text_.substr(start, i_ - start));
        if (tok.text == "in" && Peek() == '~') {
            Advance();
            tok.text = "in~";
        }
        if (tok.text == "datetime" || tok.text == "timespan" || tok.text == "dynamic" ||
            tok.text == "time" || tok.text == "date") {
            // A literal when directly followed by '(' (after optional spaces).
            size_t j = i_;
            while (j < text_.size() && (text_[j] == ' ' || text_[j] == '\t')) ++j;
            if (j < text_.size() && text_[j] == '(') {
                while (i_ <= j) Advance();
                return LexRaw(tok);
            }
        }
        return core::Status::Ok();
    }

    // Raw content up to the matching ')', skipping over quoted strings.
    core::Status LexRaw(Token& tok) {
        int depth = 1;
        size_t start = i_;
        while (true) {
            if (i_ >= text_.size())
                return Error("unterminated " + tok.text + "(...) literal", tok.pos);
            char c = Peek();
            if (c == '"' || c == '\'') {
                char q = c;
                Advance();
                while (i_ < text_.size() && Peek() != q) {
                    if (Peek() == '\\') Advance();
                    if (i_ < text_.size()) Advance();
                }
                if (i_ >= text_.size()) return Error("unterminated string literal", tok.pos);
                Advance();
                continue;
            }
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0 && c == ')') break;
            }
            Advance();
        }
        std::string_view raw = text_.substr(start, i_ - start);
        Advance();  // ')'
        size_t b = 0, e = raw.size();
        while (b < e && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
        while (e > b && std::isspace(static_cast<unsigned char>(raw[e - 1]))) --e;
        tok.literal_of = tok.text == "date"   ? "datetime"
                         : tok.text == "time" ? "timespan"
                                              : tok.text;
        tok.kind = TokenKind::kRawLiteral;
        tok.text = std::string(raw.substr(b, e - b));
        return core::Status::Ok();
    }

    std::string_view text_;
    size_t i_ = 0;
    int line_ = 1;
    int col_ = 1;
};

}  // namespace

core::Result<std::vector<Token>> Lex(std::string_view text) { return Lexer(text).Run(); }

}  // namespace calypso::kql::syntax
