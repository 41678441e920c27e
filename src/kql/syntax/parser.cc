#include "kql/syntax/parser.h"

#include <fmt/format.h>

#include <set>

#include "core/dynamic.h"
#include "core/time.h"
#include "kql/syntax/lexer.h"

namespace calypso::kql::syntax {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;

const std::set<std::string, std::less<>> kCompareWords = {
    "contains",      "!contains",      "contains_cs", "!contains_cs", "has",
    "!has",          "has_cs",         "!has_cs",     "startswith",   "!startswith",
    "startswith_cs", "!startswith_cs", "endswith",    "!endswith",    "endswith_cs",
    "!endswith_cs",  "hasprefix",      "!hasprefix",  "hassuffix",    "!hassuffix",
};

ExprPtr MakeExpr(Expr::Kind kind, SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
}

class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    Result<Query> ParseQuery() {
        Query q;
        while (!AtEnd()) {
            if (IsSymbol(";")) {
                ++i_;
                continue;
            }
            ASSIGN_OR_RETURN(Statement st, ParseStatement());
            q.statements.push_back(std::move(st));
            if (!AtEnd() && !IsSymbol(";")) return Expected("';' or '|'");
        }
        if (q.statements.empty()) return Status::SyntaxError("empty query", Cur().pos);
        return q;
    }

    Result<ExprPtr> ParseSingleExpression() {
        ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
        if (!AtEnd()) return Expected("end of expression");
        return e;
    }

  private:
    const Token& Cur() const { return toks_[i_]; }
    const Token& PeekTok(size_t k) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
    bool AtEnd() const { return Cur().kind == TokenKind::kEnd; }
    bool IsSymbol(std::string_view s, size_t k = 0) const {
        return PeekTok(k).kind == TokenKind::kSymbol && PeekTok(k).text == s;
    }
    bool IsIdent(std::string_view s, size_t k = 0) const {
        return PeekTok(k).kind == TokenKind::kIdent && PeekTok(k).text == s;
    }
    std::string Describe(const Token& t) const {
        switch (t.kind) {
            case TokenKind::kEnd:
                return "end of query";
            case TokenKind::kString:
                return "string literal";
            case TokenKind::kRawLiteral:
                return t.literal_of + " literal";
            default:
                return "'" + t.text + "'";
        }
    }
    Status Expected(std::string what) const {
        return Status::SyntaxError("expected " + what + " but found " + Describe(Cur()), Cur().pos);
    }
    Status ExpectSymbol(std::string_view s) {
        if (!IsSymbol(s)) return Expected(fmt::format("'{}'", s));
        ++i_;
        return Status::Ok();
    }
    Result<std::string> ExpectIdent(std::string what) {
        if (Cur().kind != TokenKind::kIdent) return Expected(what);
        return toks_[i_++].text;
    }
    // A column name: an identifier or a bracket-quoted name ['my col'].
    bool AtBracketName(size_t k = 0) const {
        return IsSymbol("[", k) && PeekTok(k + 1).kind == TokenKind::kString &&
               IsSymbol("]", k + 2);
    }
    Result<std::string> ExpectColumnName() {
        if (AtBracketName()) {
            std::string name = PeekTok(1).text;
            i_ += 3;
            return name;
        }
        return ExpectIdent("a column name");
    }

    // `project-away`: an identifier, '-', identifier with no spaces between.
    bool IsHyphenated(std::string_view first, std::string_view second) const {
        return IsIdent(first) && IsSymbol("-", 1) && PeekTok(1).offset == Cur().end &&
               IsIdent(second, 2) && PeekTok(2).offset == PeekTok(1).end;
    }

    Result<Statement> ParseStatement() {
        Statement st;
        st.pos = Cur().pos;
        if (IsIdent("let")) {
            ++i_;
            st.is_let = true;
            st.pos = Cur().pos;
            ASSIGN_OR_RETURN(st.name, ExpectIdent("a name after 'let'"));
            RETURN_IF_ERROR(ExpectSymbol("="));
        }
        if (IsIdent("datatable") || IsIdent("print")) {
            ASSIGN_OR_RETURN(st.tabular, ParseTabular(nullptr));
            return st;
        }
        SourcePos start = Cur().pos;
        ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
        if (IsSymbol("|") || !st.is_let) {
            if (e->kind != Expr::Kind::kName) {
                return Status::SyntaxError("expected a table name or a tabular expression", start);
            }
            ASSIGN_OR_RETURN(st.tabular, ParseTabular(std::move(e)));
            return st;
        }
        st.scalar = std::move(e);
        return st;
    }

    Result<std::unique_ptr<TabularExpr>> ParseTabular(ExprPtr table_name) {
        auto t = std::make_unique<TabularExpr>();
        if (table_name) {
            t->source.kind = Source::Kind::kTable;
            t->source.pos = table_name->pos;
            t->source.table = table_name->name;
        } else if (IsIdent("datatable")) {
            RETURN_IF_ERROR(ParseDatatable(t->source));
        } else {
            t->source.kind = Source::Kind::kPrint;
            t->source.pos = Cur().pos;
            ++i_;
            RETURN_IF_ERROR(ParseNamedList(t->source.print));
        }
        while (IsSymbol("|")) {
            ++i_;
            Operator op;
            RETURN_IF_ERROR(ParseOperator(op));
            t->ops.push_back(std::move(op));
        }
        return t;
    }

    Status ParseDatatable(Source& src) {
        src.kind = Source::Kind::kDatatable;
        src.pos = Cur().pos;
        ++i_;
        RETURN_IF_ERROR(ExpectSymbol("("));
        while (true) {
            ASSIGN_OR_RETURN(std::string name, ExpectColumnName());
            RETURN_IF_ERROR(ExpectSymbol(":"));
            SourcePos tpos = Cur().pos;
            ASSIGN_OR_RETURN(std::string tname, ExpectIdent("a type name"));
            auto type = core::ParseTypeName(tname);
            if (!type) return Status::SyntaxError("unknown type '" + tname + "'", tpos);
            src.columns.emplace_back(std::move(name), *type);
            if (IsSymbol(",")) {
                ++i_;
                continue;
            }
            RETURN_IF_ERROR(ExpectSymbol(")"));
            break;
        }
        RETURN_IF_ERROR(ExpectSymbol("["));
        while (!IsSymbol("]")) {
            ASSIGN_OR_RETURN(ExprPtr v, ParseExpr());
            src.values.push_back(std::move(v));
            if (IsSymbol(",")) {
                ++i_;
            } else if (!IsSymbol("]")) {
                return Expected("',' or ']'");
            }
        }
        ++i_;
        return Status::Ok();
    }

    // name = expr, expr, ...
    Status ParseNamedList(std::vector<NamedExpr>& out) {
        while (true) {
            NamedExpr ne;
            if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
                ne.name = Cur().text;
                ne.name_pos = Cur().pos;
                i_ += 2;
            } else if (AtBracketName() && IsSymbol("=", 3)) {
                ne.name = PeekTok(1).text;
                ne.name_pos = Cur().pos;
                i_ += 4;
            }
            ASSIGN_OR_RETURN(ne.expr, ParseExpr());
            out.push_back(std::move(ne));
            if (!IsSymbol(",")) return Status::Ok();
            ++i_;
        }
    }

    Status ParseSortKeys(std::vector<SortKey>& keys) {
        while (true) {
            SortKey k;
            ASSIGN_OR_RETURN(k.expr, ParseExpr());
            if (IsIdent("asc") || IsIdent("desc")) {
                k.ascending = Cur().text == "asc";
                ++i_;
            }
            if (IsIdent("nulls")) {
                ++i_;
                if (IsIdent("first") || IsIdent("last")) {
                    k.nulls_first = Cur().text == "first";
                    ++i_;
                } else {
                    return Expected("'first' or 'last'");
                }
            }
            keys.push_back(std::move(k));
            if (!IsSymbol(",")) return Status::Ok();
            ++i_;
        }
    }

    Status ParseOperator(Operator& op) {
        op.pos = Cur().pos;
        if (Cur().kind != TokenKind::kIdent) return Expected("a query operator");
        if (IsHyphenated("project", "away") || IsHyphenated("project", "rename")) {
            bool away = PeekTok(2).text == "away";
            i_ += 3;
            op.kind = away ? Operator::Kind::kProjectAway : Operator::Kind::kProjectRename;
            while (true) {
                op.name_pos.push_back(Cur().pos);
                ASSIGN_OR_RETURN(std::string n, ExpectColumnName());
                op.names.push_back(std::move(n));
                if (!away) {
                    RETURN_IF_ERROR(ExpectSymbol("="));
                    op.name_pos.push_back(Cur().pos);
                    ASSIGN_OR_RETURN(std::string old, ExpectColumnName());
                    op.names.push_back(std::move(old));
                }
                if (!IsSymbol(",")) return Status::Ok();
                ++i_;
            }
        }
        std::string word = Cur().text;
        ++i_;
        if (word == "where" || word == "filter") {
            op.kind = Operator::Kind::kWhere;
            NamedExpr ne;
            ASSIGN_OR_RETURN(ne.expr, ParseExpr());
            op.exprs.push_back(std::move(ne));
            return Status::Ok();
        }
        if (word == "project" || word == "extend") {
            op.kind = word == "project" ? Operator::Kind::kProject : Operator::Kind::kExtend;
            return ParseNamedList(op.exprs);
        }
        if (word == "summarize") {
            op.kind = Operator::Kind::kSummarize;
            if (!IsIdent("by")) RETURN_IF_ERROR(ParseNamedList(op.exprs));
            if (IsIdent("by")) {
                ++i_;
                RETURN_IF_ERROR(ParseNamedList(op.by));
            }
            if (op.exprs.empty() && op.by.empty()) return Expected("an aggregate or 'by'");
            return Status::Ok();
        }
        if (word == "distinct") {
            op.kind = Operator::Kind::kDistinct;
            return ParseNamedList(op.by);
        }
        if (word == "sort" || word == "order") {
            op.kind = Operator::Kind::kSort;
            if (!IsIdent("by")) return Expected("'by'");
            ++i_;
            return ParseSortKeys(op.keys);
        }
        if (word == "take" || word == "limit") {
            op.kind = Operator::Kind::kTake;
            ASSIGN_OR_RETURN(op.count, ParseExpr());
            return Status::Ok();
        }
        if (word == "top") {
            op.kind = Operator::Kind::kTop;
            ASSIGN_OR_RETURN(op.count, ParseAdditive());
            if (!IsIdent("by")) return Expected("'by'");
            ++i_;
            return ParseSortKeys(op.keys);
        }
        if (word == "render") {
            op.kind = Operator::Kind::kRender;
            ASSIGN_OR_RETURN(std::string chart, ExpectIdent("a visualization such as timechart"));
            op.names.push_back(std::move(chart));
            if (IsIdent("with")) {
                // Properties are a hint for clients; skip them.
                ++i_;
                RETURN_IF_ERROR(ExpectSymbol("("));
                int depth = 1;
                while (!AtEnd() && depth > 0) {
                    if (IsSymbol("(")) ++depth;
                    if (IsSymbol(")")) --depth;
                    ++i_;
                }
                if (depth > 0) return Expected("')'");
            }
            return Status::Ok();
        }
        if (word == "count") {
            op.kind = Operator::Kind::kCount;
            return Status::Ok();
        }
        --i_;
        return Status::SyntaxError("unknown query operator '" + word + "'", op.pos);
    }

    // Expressions, lowest precedence first.
    Result<ExprPtr> ParseExpr() { return ParseOr(); }

    Result<ExprPtr> ParseOr() {
        ASSIGN_OR_RETURN(ExprPtr l, ParseAnd());
        while (IsIdent("or")) {
            SourcePos pos = Cur().pos;
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr r, ParseAnd());
            l = Binary("or", pos, std::move(l), std::move(r));
        }
        return l;
    }

    Result<ExprPtr> ParseAnd() {
        ASSIGN_OR_RETURN(ExprPtr l, ParseComparison());
        while (IsIdent("and")) {
            SourcePos pos = Cur().pos;
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr r, ParseComparison());
            l = Binary("and", pos, std::move(l), std::move(r));
        }
        return l;
    }

    static ExprPtr Binary(std::string op, SourcePos pos, ExprPtr l, ExprPtr r) {
        auto e = MakeExpr(Expr::Kind::kBinary, pos);
        e->op = std::move(op);
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        return e;
    }

    Result<ExprPtr> ParseComparison() {
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

    Result<ExprPtr> ParseAdditive() {
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

    Result<ExprPtr> ParseMultiplicative() {
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

    Result<ExprPtr> ParseUnary() {
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

    Result<ExprPtr> ParsePostfix() {
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

    Result<ExprPtr> Literal(core::Value v, SourcePos pos) {
        auto e = MakeExpr(Expr::Kind::kLiteral, pos);
        e->value = std::move(v);
        ++i_;
        return e;
    }

    Result<ExprPtr> ParseRawLiteral() {
        const Token& t = Cur();
        if (t.text == "null") {
            core::Type ty = t.literal_of == "datetime"   ? core::Type::kDatetime
                            : t.literal_of == "timespan" ? core::Type::kTimespan
                                                         : core::Type::kDynamic;
            return Literal(core::Value::Null(ty), t.pos);
        }
        if (t.literal_of == "datetime") {
            auto r = core::ParseDatetime(t.text);
            if (!r.ok())
                return Status::SyntaxError("invalid datetime literal '" + t.text + "'", t.pos);
            return Literal(core::Value::Datetime(*r), t.pos);
        }
        if (t.literal_of == "timespan") {
            auto toks = Lex(t.text);
            if (toks.ok() && toks->size() == 2 && (*toks)[0].kind == TokenKind::kTimespan) {
                return Literal(core::Value::Timespan((*toks)[0].int_value), t.pos);
            }
            if (toks.ok() && toks->size() == 2 && (*toks)[0].kind == TokenKind::kLong) {
                return Literal(core::Value::Timespan((*toks)[0].int_value * core::kTicksPerDay),
                               t.pos);
            }
            auto r = core::ParseDotNetTimespan(t.text);
            if (!r.ok())
                return Status::SyntaxError("invalid timespan literal '" + t.text + "'", t.pos);
            return Literal(core::Value::Timespan(*r), t.pos);
        }
        auto r = core::Dynamic::Parse(t.text);
        if (!r.ok()) {
            return Status::SyntaxError("invalid dynamic literal: " + r.status().message(), t.pos);
        }
        return Literal(core::Value::FromDynamic(std::move(*r)), t.pos);
    }

    Result<ExprPtr> ParsePrimary() {
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

    std::vector<Token> toks_;
    size_t i_ = 0;
};

}  // namespace

Result<Query> Parse(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks)).ParseQuery();
}

Result<ExprPtr> ParseExpression(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks)).ParseSingleExpression();
}

}  // namespace calypso::kql::syntax
