#include "kql/syntax/create_function.h"

#include <cctype>

#include "kql/syntax/lexer.h"
#include "kql/syntax/parser.h"

namespace calypso::kql::syntax {

using core::Result;
using core::Status;

namespace {

bool IsWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// The next whitespace-separated word at `i` (skipping blanks), lower-cased; `i` moves past it.
std::string NextWord(std::string_view s, size_t& i) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && IsWordChar(s[i])) ++i;
    std::string w(s.substr(start, i - start));
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return w;
}

// Replaces the text before `keep` with blanks (newlines kept), so positions the parser
// reports stay those of the original text.
std::string Blanked(std::string_view s, size_t keep) {
    std::string out(s);
    for (size_t i = 0; i < keep; ++i) {
        if (out[i] != '\n') out[i] = ' ';
    }
    return out;
}

}  // namespace

Result<CreateFunctionCommand> ParseCreateFunction(std::string_view text) {
    CreateFunctionCommand cmd;
    size_t i = 0;
    size_t save = 0;
    std::string w = NextWord(text, i);
    if (w == ".create" || w == ".create-or-alter" || w == ".alter") {
        if (NextWord(text, i) != "function") {
            return Status::SyntaxError("expected 'function' after '" + w + "'", {1, 1});
        }
        save = i;
        if (NextWord(text, i) == "ifnotexists") {
            cmd.if_not_exists = true;
            save = i;
        } else {
            i = save;
        }
        if (NextWord(text, i) == "with") {
            // (key = value, ...): the properties, as KQL tokens, up to the first ')' token
            // (a ')' inside a quoted value is part of the value).
            ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(Blanked(text, i)));
            size_t close = 0;
            while (close < toks.size() &&
                   !(toks[close].kind == TokenKind::kSymbol && toks[close].text == ")")) {
                ++close;
            }
            if (toks.empty() || toks[0].text != "(" || close == toks.size()) {
                return Status::SyntaxError("expected 'with (name = value, ...)'", {1, 1});
            }
            for (size_t k = 1; k + 2 < close; ++k) {
                if (toks[k].kind != TokenKind::kIdent || toks[k + 1].text != "=") continue;
                std::string key = toks[k].text;
                for (char& c : key)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (key == "folder") cmd.folder = toks[k + 2].text;
                if (key == "docstring") cmd.doc_string = toks[k + 2].text;
            }
            save = toks[close].end;
        }
        i = save;
    } else {
        i = 0;
    }
    ASSIGN_OR_RETURN(cmd.def, ParseFunctionDefinition(Blanked(text, i)));
    return cmd;
}

}  // namespace calypso::kql::syntax
