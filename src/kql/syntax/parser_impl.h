#pragma once

// Internal to syntax/: the recursive-descent parser, split by purpose over parser.cc
// (statements and tabular sources), parser_ops.cc (pipe operators) and parser_expr.cc
// (scalar expressions).
#include <fmt/format.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "kql/syntax/ast.h"
#include "kql/syntax/lexer.h"

namespace calypso::kql::syntax {

inline ExprPtr MakeExpr(Expr::Kind kind, core::SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
}

class Parser {
    using SourcePos = core::SourcePos;
    using Status = core::Status;
    template <typename T>
    using Result = core::Result<T>;

  public:
    explicit Parser(std::vector<Token> tokens, std::string_view text = {})
        : toks_(std::move(tokens)), text_(text) {}
    Result<Query> ParseQuery();
    // `Name(params) { body }` (the rest of `.create function`), up to the end of the text.
    Result<std::shared_ptr<FunctionDef>> ParseStoredFunction();
    Result<ExprPtr> ParseSingleExpression();

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
    // True when the tokens at the cursor start a tabular source other than a plain name.
    bool AtTabularKeyword() const {
        if (IsIdent("datatable") || IsIdent("print") || AtResourceRef()) return true;
        if (IsIdent("materialize") && IsSymbol("(", 1)) return true;
        if (IsIdent("union") && (PeekTok(1).kind == TokenKind::kIdent || IsSymbol("(", 1)))
            return true;
        if (IsIdent("search") && PeekTok(1).kind != TokenKind::kEnd && !IsSymbol("|", 1) &&
            !IsSymbol(";", 1))
            return true;
        if (IsIdent("externaldata") && (IsSymbol("(", 1) || IsIdent("with", 1))) return true;
        if (IsIdent("find") && PeekTok(1).kind != TokenKind::kEnd && !IsSymbol("|", 1) &&
            !IsSymbol(";", 1) && !IsSymbol("(", 1))
            return true;
        return IsIdent("range") && PeekTok(1).kind == TokenKind::kIdent && IsIdent("from", 2);
    }
    // `f("x").` at token k: a call of one string literal, then a dot.
    bool AtRefCall(std::string_view f, size_t k) const {
        return IsIdent(f, k) && IsSymbol("(", k + 1) && PeekTok(k + 2).kind == TokenKind::kString &&
               IsSymbol(")", k + 3) && IsSymbol(".", k + 4);
    }
    // `workspace("x").`, `app("x").`, `database("x").` or `cluster("c").database("x").` (a
    // cross-resource table reference) at the cursor.
    bool AtResourceRef() const {
        return AtRefCall("workspace", 0) || AtRefCall("app", 0) || AtRefCall("database", 0) ||
               (AtRefCall("cluster", 0) && AtRefCall("database", 5));
    }
    // `workspace("x").T` / `app("x").T` into a kTable source (T may have wildcards when
    // `wildcards`).
    Status ParseResourceTable(Source& src, bool wildcards);
    // `in_body`: inside a function body, where the result may be a scalar expression and
    // '}' ends the statement list.
    Result<Statement> ParseStatement(bool in_body = false);
    // At `(` starting a function's parameter list: `()` + `{`, or `(name:`.
    bool AtFunctionDef() const {
        return IsSymbol("(") && ((IsSymbol(")", 1) && IsSymbol("{", 2)) ||
                                 (PeekTok(1).kind == TokenKind::kIdent && IsSymbol(":", 2)));
    }
    Result<std::shared_ptr<FunctionDef>> ParseFunctionDef(std::string name, SourcePos pos);
    Status ParseFunctionParam(FunctionParam& p);
    // `name(args)` as a tabular source (a tabular function call).
    Result<ExprPtr> ParseCallSource();
    Status ParseMvApply(Operator& op);
    // The search predicate: search terms, `col:term`, comparisons, and / or / not.
    Status ParseSearch(Operator& op);
    // At the first token inside the parentheses of toscalar( or `in (`: a tabular
    // expression that cannot be a scalar one (it has operators or starts with a tabular
    // keyword), left before the closing ')'; null (nothing consumed) otherwise.
    std::shared_ptr<TabularExpr> TryTabularArgument();
    // find [withsource=C] [in (T, ...)] [where] predicate [project-smart | project c[:t], ...
    // [, pack_all()]] [project-away c, ...]  (parser_find.cc).
    Status ParseFind(Operator& op);
    std::string TextBetween(size_t from, size_t to) const {
        return from <= to && to <= text_.size() ? std::string(text_.substr(from, to - from)) : "";
    }
    // A table name, possibly with '*' wildcards (`trace*`) when `wildcards`.
    Result<std::string> ParseTableName(bool wildcards);
    // The right side of join / lookup, or one union operand: `(tabular)` or a table name.
    Result<std::unique_ptr<TabularExpr>> ParseOperand(bool wildcards);
    Result<std::unique_ptr<TabularExpr>> ParseTabular(ExprPtr table_name);
    Status ParseRange(Source& src);
    // `name=value` options before the operands of join / lookup / union.
    Status ParseOptions(Operator& op);
    Status ParseUnion(Operator& op);
    Status ParseJoinKeys(Operator& op);
    Status ParseDatatable(Source& src);
    // name = expr, expr, ...
    Status ParseNamedList(std::vector<NamedExpr>& out);
    Status ParseSortKeys(std::vector<SortKey>& keys);
    Status ParseOperator(Operator& op);
    Result<core::Type> ParseTypeAfterColon();
    Status ParseMvExpand(Operator& op);
    Status ParseMakeSeries(Operator& op);
    Status ParseTopNested(Operator& op);
    Status ParseParse(Operator& op);
    // evaluate, scan, partition, fork, facet (parser_more_ops.cc).
    Status ParseEvaluate(Operator& op);
    Status ParseScan(Operator& op);
    Status ParsePartition(Operator& op);
    Status ParseFork(Operator& op);
    Status ParseFacet(Operator& op);
    // parse-kv and reduce (parser_more_ops.cc); `with (name = value, ...)` options of both.
    Status ParseParseKv(Operator& op);
    Status ParseReduce(Operator& op);
    Status ParseWithOptions(Operator& op, const std::set<std::string>& names);
    // `( op | op ... )` whose source is implicit (the rows piped in): a kTable source "".
    Result<std::unique_ptr<TabularExpr>> ParseImplicitSubquery(std::string_view close = ")");
    // Expressions, lowest precedence first.
    Result<ExprPtr> ParseExpr() { return ParseOr(); }
    Result<ExprPtr> ParseOr();
    Result<ExprPtr> ParseAnd();
    static ExprPtr Binary(std::string op, SourcePos pos, ExprPtr l, ExprPtr r) {
        auto e = MakeExpr(Expr::Kind::kBinary, pos);
        e->op = std::move(op);
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        return e;
    }
    Result<ExprPtr> ParseComparison();
    Result<ExprPtr> ParseAdditive();
    Result<ExprPtr> ParseMultiplicative();
    Result<ExprPtr> ParseUnary();
    Result<ExprPtr> ParsePostfix();
    Result<ExprPtr> Literal(core::Value v, SourcePos pos) {
        auto e = MakeExpr(Expr::Kind::kLiteral, pos);
        e->value = std::move(v);
        ++i_;
        return e;
    }
    Result<ExprPtr> ParseRawLiteral();
    Result<ExprPtr> ParsePrimary();
    std::vector<Token> toks_;
    std::string_view text_;
    size_t i_ = 0;
};

}  // namespace calypso::kql::syntax
