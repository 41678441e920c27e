#include "kql/syntax/parser.h"

#include "kql/syntax/parser_impl.h"

namespace calypso::kql::syntax {

using core::Result;
using core::SourcePos;
using core::Status;

Result<Query> Parser::ParseQuery() {
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

Result<Statement> Parser::ParseStatement() {
    Statement st;
    st.pos = Cur().pos;
    if (IsIdent("let")) {
        ++i_;
        st.is_let = true;
        st.pos = Cur().pos;
        ASSIGN_OR_RETURN(st.name, ExpectIdent("a name after 'let'"));
        RETURN_IF_ERROR(ExpectSymbol("="));
    }
    if (AtTabularKeyword()) {
        ASSIGN_OR_RETURN(st.tabular, ParseTabular(nullptr));
        return st;
    }
    if (IsSymbol("(")) {
        // `(T | ...)` is tabular; in a let it may also be a parenthesized scalar.
        size_t save = i_;
        auto t = ParseTabular(nullptr);
        if (t.ok() && (AtEnd() || IsSymbol(";"))) {
            st.tabular = std::move(*t);
            return st;
        }
        if (!st.is_let) return t.ok() ? Expected("';'") : t.status();
        i_ = save;
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

// A table name, possibly with '*' wildcards (`trace*`) when `wildcards`.
Result<std::string> Parser::ParseTableName(bool wildcards) {
    if (AtBracketName()) return ExpectColumnName();
    std::string name;
    size_t end = 0;
    while ((Cur().kind == TokenKind::kIdent || (wildcards && IsSymbol("*"))) &&
           (name.empty() || Cur().offset == end)) {
        name += Cur().text;
        end = Cur().end;
        ++i_;
    }
    if (name.empty()) return Expected("a table name or '('");
    return name;
}

// The right side of join / lookup, or one union operand: `(tabular)` or a table name.
Result<std::unique_ptr<TabularExpr>> Parser::ParseOperand(bool wildcards) {
    if (IsIdent("materialize") && IsSymbol("(", 1)) ++i_;
    if (IsSymbol("(")) {
        auto t = std::make_unique<TabularExpr>();
        t->source.kind = Source::Kind::kSubquery;
        t->source.pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(t->source.sub, ParseTabular(nullptr));
        RETURN_IF_ERROR(ExpectSymbol(")"));
        return t;
    }
    auto t = std::make_unique<TabularExpr>();
    t->source.kind = Source::Kind::kTable;
    t->source.pos = Cur().pos;
    ASSIGN_OR_RETURN(t->source.table, ParseTableName(wildcards));
    return t;
}

Result<std::unique_ptr<TabularExpr>> Parser::ParseTabular(ExprPtr table_name) {
    auto t = std::make_unique<TabularExpr>();
    if (table_name) {
        t->source.kind = Source::Kind::kTable;
        t->source.pos = table_name->pos;
        t->source.table = table_name->name;
    } else if (IsIdent("datatable")) {
        RETURN_IF_ERROR(ParseDatatable(t->source));
    } else if (IsSymbol("(") || (IsIdent("materialize") && IsSymbol("(", 1))) {
        // materialize(T) caches T for reuse; computing it at each use gives the same rows.
        if (IsIdent("materialize")) ++i_;
        t->source.kind = Source::Kind::kSubquery;
        t->source.pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(t->source.sub, ParseTabular(nullptr));
        RETURN_IF_ERROR(ExpectSymbol(")"));
    } else if (IsIdent("union")) {
        t->source.kind = Source::Kind::kUnion;
        t->source.pos = Cur().pos;
        t->source.union_op = std::make_unique<Operator>();
        ++i_;
        t->source.union_op->pos = t->source.pos;
        t->source.union_op->kind = Operator::Kind::kUnion;
        RETURN_IF_ERROR(ParseUnion(*t->source.union_op));
    } else if (IsIdent("range")) {
        RETURN_IF_ERROR(ParseRange(t->source));
    } else if (IsIdent("print")) {
        t->source.kind = Source::Kind::kPrint;
        t->source.pos = Cur().pos;
        ++i_;
        RETURN_IF_ERROR(ParseNamedList(t->source.print));
    } else {
        t->source.kind = Source::Kind::kTable;
        t->source.pos = Cur().pos;
        ASSIGN_OR_RETURN(t->source.table, ParseTableName(false));
    }
    while (IsSymbol("|")) {
        ++i_;
        Operator op;
        RETURN_IF_ERROR(ParseOperator(op));
        if (op.kind == Operator::Kind::kSerialize && !op.exprs.empty()) {
            // `serialize x = ...` is serialize followed by extend.
            Operator extend;
            extend.kind = Operator::Kind::kExtend;
            extend.pos = op.pos;
            extend.exprs = std::move(op.exprs);
            op.exprs.clear();
            t->ops.push_back(std::move(op));
            t->ops.push_back(std::move(extend));
            continue;
        }
        t->ops.push_back(std::move(op));
    }
    return t;
}

Status Parser::ParseRange(Source& src) {
    src.kind = Source::Kind::kRange;
    src.pos = Cur().pos;
    ++i_;
    ASSIGN_OR_RETURN(src.range_column, ExpectColumnName());
    for (std::string_view word : {"from", "to", "step"}) {
        if (!IsIdent(word)) return Expected(fmt::format("'{}'", word));
        ++i_;
        ASSIGN_OR_RETURN(ExprPtr e, ParseAdditive());
        src.values.push_back(std::move(e));
    }
    return Status::Ok();
}

Status Parser::ParseDatatable(Source& src) {
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
Status Parser::ParseNamedList(std::vector<NamedExpr>& out) {
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

Result<Query> Parse(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks)).ParseQuery();
}

Result<ExprPtr> ParseExpression(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks)).ParseSingleExpression();
}

}  // namespace calypso::kql::syntax
