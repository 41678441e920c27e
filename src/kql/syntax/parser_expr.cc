// Parser: scalar expressions, lowest precedence first.
#include <limits>

#include "core/dynamic.h"
#include "core/time.h"
#include "kql/syntax/parser_impl.h"

namespace calypso::kql::syntax {

using core::Result;
using core::SourcePos;
using core::Status;

namespace {

const std::set<std::string, std::less<>> kCompareWords = {
    "contains",      "!contains",      "contains_cs", "!contains_cs", "has",
    "!has",          "has_cs",         "!has_cs",     "startswith",   "!startswith",
    "startswith_cs", "!startswith_cs", "endswith",    "!endswith",    "endswith_cs",
    "!endswith_cs",  "hasprefix",      "!hasprefix",  "hassuffix",    "!hassuffix",
};

}  // namespace

Result<ExprPtr> Parser::ParseSingleExpression() {
    ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
    if (!AtEnd()) return Expected("end of expression");
    return e;
}

Result<ExprPtr> Parser::ParseOr() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseAnd());
    while (IsIdent("or")) {
        SourcePos pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseAnd());
        l = Binary("or", pos, std::move(l), std::move(r));
    }
    return l;
}

Result<ExprPtr> Parser::ParseAnd() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseComparison());
    while (IsIdent("and")) {
        SourcePos pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseComparison());
        l = Binary("and", pos, std::move(l), std::move(r));
    }
    return l;
}

Result<ExprPtr> Parser::ParseComparison() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseAdditive());
    const Token& t = Cur();
    SourcePos pos = t.pos;
    if (t.kind == TokenKind::kSymbol &&
        (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" ||
         t.text == ">=" || t.text == "=~" || t.text == "!~")) {
        std::string op = t.text;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseAdditive());
        return Binary(op, pos, std::move(l), std::move(r));
    }
    if (t.kind != TokenKind::kIdent) return l;
    if (kCompareWords.count(t.text) != 0) {
        std::string op = t.text;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseAdditive());
        return Binary(op, pos, std::move(l), std::move(r));
    }
    if (t.text == "matches" && IsIdent("regex", 1)) {
        i_ += 2;
        ASSIGN_OR_RETURN(ExprPtr r, ParseAdditive());
        return Binary("matches regex", pos, std::move(l), std::move(r));
    }
    if (t.text == "in" || t.text == "!in" || t.text == "in~" || t.text == "!in~" ||
        t.text == "has_any" || t.text == "has_all") {
        auto e = MakeExpr(Expr::Kind::kIn, pos);
        e->op = t.text;
        ++i_;
        e->args.push_back(std::move(l));
        RETURN_IF_ERROR(ExpectSymbol("("));
        if (e->op.rfind("has", 0) != 0) {
            if ((e->tabular = TryTabularArgument())) {
                RETURN_IF_ERROR(ExpectSymbol(")"));
                return e;
            }
        }
        while (true) {
            ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
            e->args.push_back(std::move(v));
            if (IsSymbol(",")) {
                ++i_;
                continue;
            }
            RETURN_IF_ERROR(ExpectSymbol(")"));
            break;
        }
        return e;
    }
    if (t.text == "between" || t.text == "!between") {
        auto e = MakeExpr(Expr::Kind::kBetween, pos);
        e->op = t.text;
        ++i_;
        e->args.push_back(std::move(l));
        RETURN_IF_ERROR(ExpectSymbol("("));
        ASSIGN_OR_RETURN(ExprPtr lo, ParseAdditive());
        RETURN_IF_ERROR(ExpectSymbol(".."));
        ASSIGN_OR_RETURN(ExprPtr hi, ParseAdditive());
        RETURN_IF_ERROR(ExpectSymbol(")"));
        e->args.push_back(std::move(lo));
        e->args.push_back(std::move(hi));
        return e;
    }
    return l;
}

Result<ExprPtr> Parser::ParseAdditive() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseMultiplicative());
    while (IsSymbol("+") || IsSymbol("-")) {
        std::string op = Cur().text;
        SourcePos pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseMultiplicative());
        l = Binary(op, pos, std::move(l), std::move(r));
    }
    return l;
}

Result<ExprPtr> Parser::ParseMultiplicative() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseUnary());
    while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%")) {
        std::string op = Cur().text;
        SourcePos pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr r, ParseUnary());
        l = Binary(op, pos, std::move(l), std::move(r));
    }
    return l;
}

Result<ExprPtr> Parser::ParseUnary() {
    if (IsSymbol("-") || IsSymbol("+")) {
        auto e = MakeExpr(Expr::Kind::kUnary, Cur().pos);
        e->op = Cur().text;
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr a, ParseUnary());
        e->args.push_back(std::move(a));
        return e;
    }
    return ParsePostfix();
}

Result<ExprPtr> Parser::ParsePostfix() {
    ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    while (true) {
        if (IsSymbol(".") && PeekTok(1).kind == TokenKind::kIdent) {
            auto m = MakeExpr(Expr::Kind::kMember, PeekTok(1).pos);
            m->name = PeekTok(1).text;
            i_ += 2;
            m->args.push_back(std::move(e));
            e = std::move(m);
        } else if (IsSymbol(".") && IsSymbol("[", 1)) {
            SourcePos pos = PeekTok(1).pos;
            i_ += 2;
            if (Cur().kind != TokenKind::kString) return Expected("a string key");
            auto m = MakeExpr(Expr::Kind::kMember, pos);
            m->name = Cur().text;
            ++i_;
            RETURN_IF_ERROR(ExpectSymbol("]"));
            m->args.push_back(std::move(e));
            e = std::move(m);
        } else if (IsSymbol("[")) {
            auto m = MakeExpr(Expr::Kind::kIndex, Cur().pos);
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr idx, ParseExpr());
            RETURN_IF_ERROR(ExpectSymbol("]"));
            m->args.push_back(std::move(e));
            m->args.push_back(std::move(idx));
            e = std::move(m);
        } else if (IsSymbol(".")) {
            ++i_;
            return Expected("a member name");
        } else {
            return e;
        }
    }
}

namespace {

// KQL's dynamic literals may quote strings with ' (dynamic({'a': 1})); JSON needs ".
std::string QuotesToJson(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') {
            // A JSON string: copy through its closing quote.
            size_t j = i + 1;
            while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            out.append(text.substr(i, std::min(j, text.size() - 1) - i + 1));
            i = j;
            continue;
        }
        if (c != '\'') {
            out += c;
            continue;
        }
        out += '"';
        size_t j = i + 1;
        for (; j < text.size() && text[j] != '\''; ++j) {
            if (text[j] == '\\' && j + 1 < text.size()) {
                if (text[j + 1] == '\'') {
                    out += '\'';
                } else {
                    out += text.substr(j, 2);
                }
                ++j;
            } else if (text[j] == '"') {
                out += "\\\"";
            } else {
                out += text[j];
            }
        }
        out += '"';
        i = j;
    }
    return out;
}

}  // namespace

Result<ExprPtr> Parser::ParseRawLiteral() {
    const Token& t = Cur();
    if (t.text == "null") {
        core::Type ty = t.literal_of == "datetime"   ? core::Type::kDatetime
                        : t.literal_of == "timespan" ? core::Type::kTimespan
                                                     : core::Type::kDynamic;
        return Literal(core::Value::Null(ty), t.pos);
    }
    if (t.literal_of == "datetime") {
        // datetime("2015-01-01") is written in the docs too: the quotes are optional.
        std::string_view text = t.text;
        if (text.size() >= 2 && (text[0] == '"' || text[0] == '\'') && text.back() == text[0]) {
            text = text.substr(1, text.size() - 2);
        }
        auto r = core::ParseDatetime(text);
        if (!r.ok()) return Status::SyntaxError("invalid datetime literal '" + t.text + "'", t.pos);
        return Literal(core::Value::Datetime(*r), t.pos);
    }
    if (t.literal_of == "timespan") {
        auto toks = Lex(t.text);
        if (toks.ok() && toks->size() == 2 && (*toks)[0].kind == TokenKind::kTimespan) {
            return Literal(core::Value::Timespan((*toks)[0].int_value), t.pos);
        }
        if (toks.ok() && toks->size() == 2 && (*toks)[0].kind == TokenKind::kLong) {
            return Literal(core::Value::Timespan((*toks)[0].int_value * core::kTicksPerDay), t.pos);
        }
        auto r = core::ParseDotNetTimespan(t.text);
        if (!r.ok()) return Status::SyntaxError("invalid timespan literal '" + t.text + "'", t.pos);
        return Literal(core::Value::Timespan(*r), t.pos);
    }
    auto r = core::Dynamic::Parse(QuotesToJson(t.text));
    if (!r.ok()) {
        return Status::SyntaxError("invalid dynamic literal: " + r.status().message(), t.pos);
    }
    return Literal(core::Value::FromDynamic(std::move(*r)), t.pos);
}

Result<ExprPtr> Parser::ParsePrimary() {
    const Token& t = Cur();
    switch (t.kind) {
        case TokenKind::kLong:
            return Literal(core::Value::Long(t.int_value), t.pos);
        case TokenKind::kReal:
            return Literal(core::Value::Real(t.real_value), t.pos);
        case TokenKind::kTimespan:
            return Literal(core::Value::Timespan(t.int_value), t.pos);
        case TokenKind::kString:
            return Literal(core::Value::String(t.text), t.pos);
        case TokenKind::kRawLiteral:
            return ParseRawLiteral();
        case TokenKind::kEnd:
            return Expected("an expression");
        case TokenKind::kSymbol:
            if (t.text == "(") {
                ++i_;
                ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
                RETURN_IF_ERROR(ExpectSymbol(")"));
                return e;
            }
            if (t.text == "[" && PeekTok(1).kind == TokenKind::kString && IsSymbol("]", 2)) {
                auto e = MakeExpr(Expr::Kind::kName, t.pos);
                e->name = PeekTok(1).text;
                i_ += 3;
                return e;
            }
            return Expected("an expression");
        case TokenKind::kIdent:
            break;
    }
    if (t.text == "true" || t.text == "false") {
        return Literal(core::Value::Bool(t.text == "true"), t.pos);
    }
    if (t.text == "null") return Literal(core::Value(), t.pos);
    if (t.text[0] == '!') return Expected("an expression");
    if (t.text == "typeof" && IsSymbol("(", 1) && PeekTok(2).kind == TokenKind::kIdent &&
        IsSymbol(")", 3)) {
        // typeof(T) as an argument (extract_json): the type's name as a string constant.
        SourcePos pos = t.pos;
        auto type = core::ParseTypeName(PeekTok(2).text);
        if (!type) return Status::SyntaxError("unknown type '" + PeekTok(2).text + "'", PeekTok(2).pos);
        i_ += 3;
        return Literal(core::Value::String(std::string(core::TypeName(*type))), pos);
    }
    if (IsSymbol("(", 1)) {
        if (auto type = core::ParseTypeName(t.text); type && t.text != "decimal") {
            // Typed literal: long(null), real(1.5), bool(true), string(null)...
            SourcePos pos = t.pos;
            if (IsIdent("null", 2) && IsSymbol(")", 3)) {
                i_ += 4;
                auto e = MakeExpr(Expr::Kind::kLiteral, pos);
                e->value = core::Value::Null(*type);
                return e;
            }
            if (*type == core::Type::kReal) {
                // real(nan), real(+inf), real(-inf), real(inf).
                size_t k = 2;
                std::string sign;
                if (IsSymbol("+", k) || IsSymbol("-", k)) sign = PeekTok(k++).text;
                const Token& w = PeekTok(k);
                if (w.kind == TokenKind::kIdent && (w.text == "nan" || w.text == "inf") &&
                    IsSymbol(")", k + 1) && !(w.text == "nan" && !sign.empty())) {
                    double v = w.text == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                               : std::numeric_limits<double>::infinity();
                    i_ += k + 2;
                    auto e = MakeExpr(Expr::Kind::kLiteral, pos);
                    e->value = core::Value::Real(sign == "-" ? -v : v);
                    return e;
                }
            }
        }
        auto e = MakeExpr(Expr::Kind::kCall, t.pos);
        e->name = t.text;
        // Typed literals of a value, long(5), real(1.5), bool(true), string("x"): the type's
        // conversion function.
        if (auto type = core::ParseTypeName(t.text); type && *type != core::Type::kDecimal &&
                                                     *type != core::Type::kDynamic &&
                                                     *type != core::Type::kDatetime &&
                                                     *type != core::Type::kTimespan) {
            e->name = "to" + std::string(core::TypeName(*type));
        }
        i_ += 2;
        if (IsSymbol(")")) {
            ++i_;
            return e;
        }
        if (t.text == "toscalar") {
            if ((e->tabular = TryTabularArgument())) {
                RETURN_IF_ERROR(ExpectSymbol(")"));
                return e;
            }
        }
        while (true) {
            if (IsSymbol("*") && (IsSymbol(",", 1) || IsSymbol(")", 1))) {
                // `*` argument of arg_max(x, *) and similar: every column.
                auto star = MakeExpr(Expr::Kind::kName, Cur().pos);
                star->name = "*";
                ++i_;
                e->args.push_back(std::move(star));
            } else if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
                // `name = value`: a named argument of a user-defined function, kept as a
                // binary "=" (which nothing else accepts).
                auto pname = MakeExpr(Expr::Kind::kName, Cur().pos);
                pname->name = Cur().text;
                SourcePos pos = Cur().pos;
                i_ += 2;
                ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
                e->args.push_back(Binary("=", pos, std::move(pname), std::move(v)));
            } else {
                ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
                e->args.push_back(std::move(a));
            }
            if (IsSymbol(",")) {
                ++i_;
                continue;
            }
            RETURN_IF_ERROR(ExpectSymbol(")"));
            return e;
        }
    }
    auto e = MakeExpr(Expr::Kind::kName, t.pos);
    e->name = t.text;
    ++i_;
    return e;
}
}  // namespace calypso::kql::syntax
