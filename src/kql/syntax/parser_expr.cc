// Parser: scalar expressions, lowest precedence first.
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
    if (t.text == "in" || t.text == "!in" || t.text == "in~" || t.text == "!in~") {
        auto e = MakeExpr(Expr::Kind::kIn, pos);
        e->op = t.text;
        ++i_;
        e->args.push_back(std::move(l));
        RETURN_IF_ERROR(ExpectSymbol("("));
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

Result<ExprPtr> Parser::ParseRawLiteral() {
    const Token& t = Cur();
    if (t.text == "null") {
        core::Type ty = t.literal_of == "datetime"   ? core::Type::kDatetime
                        : t.literal_of == "timespan" ? core::Type::kTimespan
                                                     : core::Type::kDynamic;
        return Literal(core::Value::Null(ty), t.pos);
    }
    if (t.literal_of == "datetime") {
        auto r = core::ParseDatetime(t.text);
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
    auto r = core::Dynamic::Parse(t.text);
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
        }
        auto e = MakeExpr(Expr::Kind::kCall, t.pos);
        e->name = t.text;
        i_ += 2;
        if (IsSymbol(")")) {
            ++i_;
            return e;
        }
        while (true) {
            if (IsSymbol("*") && (IsSymbol(",", 1) || IsSymbol(")", 1))) {
                // `*` argument of arg_max(x, *) and similar: every column.
                auto star = MakeExpr(Expr::Kind::kName, Cur().pos);
                star->name = "*";
                ++i_;
                e->args.push_back(std::move(star));
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
