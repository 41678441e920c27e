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

Result<Statement> Parser::ParseStatement(bool in_body) {
    Statement st;
    st.pos = Cur().pos;
    if (IsIdent("let")) {
        ++i_;
        st.is_let = true;
        st.pos = Cur().pos;
        ASSIGN_OR_RETURN(st.name, ExpectIdent("a name after 'let'"));
        RETURN_IF_ERROR(ExpectSymbol("="));
        // `view`: a parameterless function that union wildcards also match.
        const bool view = IsIdent("view") && IsSymbol("(", 1);
        if (view) ++i_;
        if (AtFunctionDef()) {
            ASSIGN_OR_RETURN(auto f, ParseFunctionDef(st.name, st.pos));
            f->view = view && f->params.empty();
            st.function = std::move(f);
            return st;
        }
    }
    if (AtTabularKeyword()) {
        ASSIGN_OR_RETURN(st.tabular, ParseTabular(nullptr));
        return st;
    }
    const bool scalar_ok = st.is_let || in_body;
    if (IsSymbol("(")) {
        // `(T | ...)` is tabular; in a let it may also be a parenthesized scalar.
        size_t save = i_;
        auto t = ParseTabular(nullptr);
        if (t.ok() && (AtEnd() || IsSymbol(";") || (in_body && IsSymbol("}")))) {
            st.tabular = std::move(*t);
            return st;
        }
        if (!scalar_ok) return t.ok() ? Expected("';'") : t.status();
        i_ = save;
    }
    SourcePos start = Cur().pos;
    ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
    if (IsSymbol("|") || !scalar_ok) {
        if (e->kind != Expr::Kind::kName && e->kind != Expr::Kind::kCall) {
            return Status::SyntaxError("expected a table name or a tabular expression", start);
        }
        ASSIGN_OR_RETURN(st.tabular, ParseTabular(std::move(e)));
        return st;
    }
    // A scalar (or a bare name / call the binder may resolve to a table or tabular function).
    st.scalar = std::move(e);
    return st;
}

Result<std::shared_ptr<FunctionDef>> Parser::ParseFunctionDef(std::string name, SourcePos pos) {
    auto f = std::make_shared<FunctionDef>();
    f->name = std::move(name);
    f->pos = pos;
    size_t params_start = Cur().offset;
    RETURN_IF_ERROR(ExpectSymbol("("));
    while (!IsSymbol(")")) {
        FunctionParam p;
        RETURN_IF_ERROR(ParseFunctionParam(p));
        for (const auto& other : f->params) {
            if (other.name == p.name) {
                return Status::SyntaxError("duplicate parameter '" + p.name + "'", p.pos);
            }
        }
        if (!p.default_value && !f->params.empty() && f->params.back().default_value) {
            return Status::SyntaxError(
                "parameter '" + p.name + "' without a default follows one with a default", p.pos);
        }
        f->params.push_back(std::move(p));
        if (!IsSymbol(",")) break;
        ++i_;
    }
    RETURN_IF_ERROR(ExpectSymbol(")"));
    f->params_text = TextBetween(params_start, toks_[i_ - 1].end);
    if (!IsSymbol("{")) return Expected("'{' (the function body)");
    size_t body_start = Cur().offset;
    ++i_;
    while (!IsSymbol("}")) {
        if (IsSymbol(";")) {
            ++i_;
            continue;
        }
        if (AtEnd()) return Expected("'}'");
        ASSIGN_OR_RETURN(Statement st, ParseStatement(true));
        f->body.push_back(std::move(st));
        if (!IsSymbol(";") && !IsSymbol("}")) return Expected("';' or '}'");
    }
    if (f->body.empty() || f->body.back().is_let) {
        return Status::SyntaxError("a function body must end with an expression", Cur().pos);
    }
    f->body_text = TextBetween(body_start, Cur().end);
    ++i_;
    return f;
}

Status Parser::ParseFunctionParam(FunctionParam& p) {
    p.pos = Cur().pos;
    ASSIGN_OR_RETURN(p.name, ExpectIdent("a parameter name"));
    RETURN_IF_ERROR(ExpectSymbol(":"));
    if (IsSymbol("(")) {
        // Tabular parameter: the columns the argument must have; `*` accepts any others.
        p.tabular = true;
        ++i_;
        while (!IsSymbol(")")) {
            if (IsSymbol("*")) {
                ++i_;
            } else {
                ASSIGN_OR_RETURN(std::string col, ExpectColumnName());
                RETURN_IF_ERROR(ExpectSymbol(":"));
                ASSIGN_OR_RETURN(core::Type t, ParseTypeAfterColon());
                p.columns.emplace_back(std::move(col), t);
            }
            if (!IsSymbol(",")) break;
            ++i_;
        }
        return ExpectSymbol(")");
    }
    ASSIGN_OR_RETURN(p.type, ParseTypeAfterColon());
    if (IsSymbol("=")) {
        ++i_;
        ASSIGN_OR_RETURN(p.default_value, ParseExpr());
    }
    return Status::Ok();
}

Result<std::shared_ptr<FunctionDef>> Parser::ParseStoredFunction() {
    SourcePos pos = Cur().pos;
    ASSIGN_OR_RETURN(std::string name, ExpectIdent("a function name"));
    if (!IsSymbol("(")) return Expected("'(' (the parameter list)");
    ASSIGN_OR_RETURN(auto f, ParseFunctionDef(std::move(name), pos));
    if (!AtEnd()) return Expected("end of the function definition");
    return f;
}

Result<ExprPtr> Parser::ParseCallSource() {
    if (Cur().kind != TokenKind::kIdent || !IsSymbol("(", 1)) return Expected("a function call");
    ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    if (e->kind != Expr::Kind::kCall) {
        return Status::SyntaxError("expected a function call", e->pos);
    }
    return e;
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

Status Parser::ParseResourceTable(Source& src, bool wildcards) {
    src.kind = Source::Kind::kTable;
    src.pos = Cur().pos;
    if (IsIdent("cluster")) {
        // One cluster: its name is kept for explain and withsource, and not checked.
        src.resource.cluster = PeekTok(2).text;
        i_ += 5;  // cluster ( "c" ) .
    }
    src.resource.pos = Cur().pos;
    src.resource.function = Cur().text;
    src.resource.id = PeekTok(2).text;
    i_ += 5;  // workspace ( "x" ) .
    if (Cur().kind == TokenKind::kIdent && IsSymbol("(", 1)) {
        // workspace("x").F(args): a stored function of that workspace.
        src.kind = Source::Kind::kCall;
        ASSIGN_OR_RETURN(src.call, ParseCallSource());
        return Status::Ok();
    }
    ASSIGN_OR_RETURN(src.table, ParseTableName(wildcards));
    return Status::Ok();
}

// The right side of join / lookup, or one union operand: `(tabular)` or a table name.
Result<std::unique_ptr<TabularExpr>> Parser::ParseOperand(bool wildcards) {
    bool materialize = IsIdent("materialize") && IsSymbol("(", 1);
    if (materialize) ++i_;
    if (IsSymbol("(")) {
        auto t = std::make_unique<TabularExpr>();
        t->source.kind = Source::Kind::kSubquery;
        t->source.materialize = materialize;
        t->source.pos = Cur().pos;
        ++i_;
        ASSIGN_OR_RETURN(t->source.sub, ParseTabular(nullptr));
        RETURN_IF_ERROR(ExpectSymbol(")"));
        return t;
    }
    auto t = std::make_unique<TabularExpr>();
    t->source.pos = Cur().pos;
    if (AtResourceRef()) {
        RETURN_IF_ERROR(ParseResourceTable(t->source, wildcards));
        return t;
    }
    if (Cur().kind == TokenKind::kIdent && IsSymbol("(", 1)) {
        t->source.kind = Source::Kind::kCall;
        ASSIGN_OR_RETURN(t->source.call, ParseCallSource());
        return t;
    }
    t->source.kind = Source::Kind::kTable;
    ASSIGN_OR_RETURN(t->source.table, ParseTableName(wildcards));
    return t;
}

Result<std::unique_ptr<TabularExpr>> Parser::ParseTabular(ExprPtr table_name) {
    auto t = std::make_unique<TabularExpr>();
    if (table_name && table_name->kind == Expr::Kind::kCall) {
        t->source.kind = Source::Kind::kCall;
        t->source.pos = table_name->pos;
        t->source.call = std::move(table_name);
    } else if (table_name) {
        t->source.kind = Source::Kind::kTable;
        t->source.pos = table_name->pos;
        t->source.table = table_name->name;
    } else if (IsIdent("datatable")) {
        RETURN_IF_ERROR(ParseDatatable(t->source));
    } else if (AtResourceRef()) {
        RETURN_IF_ERROR(ParseResourceTable(t->source, false));
    } else if (IsSymbol("(") || (IsIdent("materialize") && IsSymbol("(", 1))) {
        // materialize(T): T is computed once per query (PlanNode::kMaterialize).
        t->source.materialize = IsIdent("materialize");
        if (t->source.materialize) ++i_;
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
    } else if (IsIdent("externaldata") && (IsSymbol("(", 1) || IsIdent("with", 1))) {
        // It reads files from URLs; queries here never reach the network.
        return Status::SemanticError(
            "externaldata is not supported: queries on this server cannot read external data",
            Cur().pos);
    } else if (IsIdent("find") && !IsSymbol("(", 1) && PeekTok(1).kind != TokenKind::kEnd &&
               !IsSymbol("|", 1)) {
        t->source.kind = Source::Kind::kFind;
        t->source.pos = Cur().pos;
        t->source.union_op = std::make_unique<Operator>();
        t->source.union_op->pos = t->source.pos;
        ++i_;
        RETURN_IF_ERROR(ParseFind(*t->source.union_op));
    } else if (IsIdent("search")) {
        t->source.kind = Source::Kind::kSearch;
        t->source.pos = Cur().pos;
        t->source.union_op = std::make_unique<Operator>();
        t->source.union_op->pos = t->source.pos;
        ++i_;
        RETURN_IF_ERROR(ParseSearch(*t->source.union_op));
    } else if (Cur().kind == TokenKind::kIdent && IsSymbol("(", 1)) {
        t->source.kind = Source::Kind::kCall;
        t->source.pos = Cur().pos;
        ASSIGN_OR_RETURN(t->source.call, ParseCallSource());
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
        } else if (IsSymbol("(") && PeekTok(1).kind == TokenKind::kIdent &&
                   (IsSymbol(",", 2) || IsSymbol(")", 2))) {
            // `(a, b, ...) = expr`: a name per column of a multi-column call.
            size_t k = 1;
            std::vector<std::string> names;
            while (PeekTok(k).kind == TokenKind::kIdent && (IsSymbol(",", k + 1) || IsSymbol(")", k + 1))) {
                names.push_back(PeekTok(k).text);
                if (IsSymbol(")", k + 1)) break;
                k += 2;
            }
            if (IsSymbol(")", k + 1) && IsSymbol("=", k + 2)) {
                ne.tuple_names = std::move(names);
                ne.name_pos = Cur().pos;
                i_ += k + 3;
            }
        }
        ASSIGN_OR_RETURN(ne.expr, ParseExpr());
        out.push_back(std::move(ne));
        if (!IsSymbol(",")) return Status::Ok();
        ++i_;
    }
}

Result<Query> Parse(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks), text).ParseQuery();
}

Result<std::shared_ptr<FunctionDef>> ParseFunctionDefinition(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks), text).ParseStoredFunction();
}

Result<ExprPtr> ParseExpression(std::string_view text) {
    ASSIGN_OR_RETURN(std::vector<Token> toks, Lex(text));
    return Parser(std::move(toks)).ParseSingleExpression();
}

}  // namespace calypso::kql::syntax
