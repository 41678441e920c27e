// Parser: evaluate, scan, partition, fork, facet, parse-kv and reduce.
#include "kql/syntax/parser_impl.h"

namespace calypso::kql::syntax {

using core::Result;
using core::SourcePos;
using core::Status;

Result<std::unique_ptr<TabularExpr>> Parser::ParseImplicitSubquery(std::string_view close) {
    auto sub = std::make_unique<TabularExpr>();
    sub->source.kind = Source::Kind::kTable;
    sub->source.pos = Cur().pos;
    while (true) {
        Operator inner;
        RETURN_IF_ERROR(ParseOperator(inner));
        sub->ops.push_back(std::move(inner));
        if (!IsSymbol("|")) break;
        ++i_;
    }
    RETURN_IF_ERROR(ExpectSymbol(close));
    return sub;
}

// evaluate [hint.x=y ...] plugin(arg, name=value, ...) [: ([*,] col:type, ...)]. A named
// argument becomes a kBinary "=" of its name and value.
Status Parser::ParseEvaluate(Operator& op) {
    op.kind = Operator::Kind::kEvaluate;
    while (IsIdent("hint") && IsSymbol(".", 1) && IsSymbol("=", 3)) i_ += 5;
    SourcePos pos = Cur().pos;
    ASSIGN_OR_RETURN(std::string name, ExpectIdent("a plugin name"));
    auto call = MakeExpr(Expr::Kind::kCall, pos);
    call->name = std::move(name);
    RETURN_IF_ERROR(ExpectSymbol("("));
    while (!IsSymbol(")")) {
        if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
            auto named = MakeExpr(Expr::Kind::kBinary, Cur().pos);
            named->op = "=";
            auto key = MakeExpr(Expr::Kind::kName, Cur().pos);
            key->name = Cur().text;
            i_ += 2;
            ASSIGN_OR_RETURN(ExprPtr value, ParseExpr());
            named->args.push_back(std::move(key));
            named->args.push_back(std::move(value));
            call->args.push_back(std::move(named));
        } else {
            ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
            call->args.push_back(std::move(a));
        }
        if (!IsSymbol(",")) break;
        ++i_;
    }
    RETURN_IF_ERROR(ExpectSymbol(")"));
    NamedExpr ne;
    ne.expr = std::move(call);
    op.exprs.push_back(std::move(ne));
    if (!IsSymbol(":")) return Status::Ok();
    ++i_;
    op.schema_given = true;
    RETURN_IF_ERROR(ExpectSymbol("("));
    if (IsSymbol("*")) {
        op.schema_wildcard = true;
        ++i_;
        if (!IsSymbol(",")) return ExpectSymbol(")");
        ++i_;
    }
    while (true) {
        op.name_pos.push_back(Cur().pos);
        ASSIGN_OR_RETURN(std::string col, ExpectColumnName());
        RETURN_IF_ERROR(ExpectSymbol(":"));
        ASSIGN_OR_RETURN(core::Type type, ParseTypeAfterColon());
        op.columns.emplace_back(std::move(col), type);
        if (!IsSymbol(",")) break;
        ++i_;
    }
    return ExpectSymbol(")");
}

// scan [with_match_id=Name] [declare (col:type [= default], ...)] with (step ...; ...)
Status Parser::ParseScan(Operator& op) {
    op.kind = Operator::Kind::kScan;
    if (IsIdent("with_match_id") && IsSymbol("=", 1)) {
        i_ += 2;
        ASSIGN_OR_RETURN(op.index_column, ExpectColumnName());
    }
    if (IsIdent("declare")) {
        ++i_;
        RETURN_IF_ERROR(ExpectSymbol("("));
        while (true) {
            op.name_pos.push_back(Cur().pos);
            ASSIGN_OR_RETURN(std::string col, ExpectColumnName());
            RETURN_IF_ERROR(ExpectSymbol(":"));
            ASSIGN_OR_RETURN(core::Type type, ParseTypeAfterColon());
            ExprPtr def;
            if (IsSymbol("=")) {
                ++i_;
                ASSIGN_OR_RETURN(def, ParseAdditive());
            }
            op.columns.emplace_back(std::move(col), type);
            op.defaults.push_back(std::move(def));
            if (!IsSymbol(",")) break;
            ++i_;
        }
        RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    if (!IsIdent("with")) return Expected("'with'");
    ++i_;
    RETURN_IF_ERROR(ExpectSymbol("("));
    while (!IsSymbol(")")) {
        if (!IsIdent("step")) return Expected("'step'");
        ++i_;
        ScanStepDef step;
        step.pos = Cur().pos;
        ASSIGN_OR_RETURN(step.name, ExpectIdent("a step name"));
        if (IsIdent("output") && IsSymbol("=", 1)) {
            i_ += 2;
            SourcePos vpos = Cur().pos;
            ASSIGN_OR_RETURN(step.output, ExpectIdent("all, last or none"));
            if (step.output != "all" && step.output != "last" && step.output != "none") {
                return Status::SyntaxError("step output must be all, last or none", vpos);
            }
        }
        RETURN_IF_ERROR(ExpectSymbol(":"));
        ASSIGN_OR_RETURN(step.condition, ParseExpr());
        if (IsSymbol("=") && IsSymbol(">", 1) && PeekTok(1).offset == Cur().end) {
            i_ += 2;
            while (true) {
                NamedExpr a;
                a.name_pos = Cur().pos;
                ASSIGN_OR_RETURN(a.name, ExpectColumnName());
                RETURN_IF_ERROR(ExpectSymbol("="));
                ASSIGN_OR_RETURN(a.expr, ParseExpr());
                step.assignments.push_back(std::move(a));
                if (!IsSymbol(",")) break;
                ++i_;
            }
        }
        for (const auto& other : op.steps) {
            if (other.name == step.name) {
                return Status::SyntaxError("duplicate step name '" + step.name + "'", step.pos);
            }
        }
        op.steps.push_back(std::move(step));
        if (!IsSymbol(";")) break;
        ++i_;
    }
    if (op.steps.empty()) return Expected("'step'");
    return ExpectSymbol(")");
}

// partition [hint.strategy=S] [hint.x=y ...] by Column ( subquery ) | { subquery with source }
Status Parser::ParsePartition(Operator& op) {
    op.kind = Operator::Kind::kPartition;
    while (IsIdent("hint") && IsSymbol(".", 1) && IsSymbol("=", 3)) {
        if (PeekTok(2).text == "strategy") {
            op.mode = PeekTok(4).text;
            op.mode_pos = Cur().pos;
            if (op.mode != "native" && op.mode != "shuffle" && op.mode != "legacy") {
                return Status::SyntaxError("unknown partition strategy '" + op.mode + "'",
                                           PeekTok(4).pos);
            }
        }
        i_ += 5;
    }
    if (!IsIdent("by")) return Expected("'by'");
    ++i_;
    NamedExpr key;
    key.expr = MakeExpr(Expr::Kind::kName, Cur().pos);
    ASSIGN_OR_RETURN(key.expr->name, ExpectColumnName());
    op.by.push_back(std::move(key));
    if (IsSymbol("{")) {
        ++i_;
        op.braces = true;
        ASSIGN_OR_RETURN(auto sub, ParseTabular(nullptr));
        RETURN_IF_ERROR(ExpectSymbol("}"));
        op.tabulars.push_back(std::move(sub));
        return Status::Ok();
    }
    RETURN_IF_ERROR(ExpectSymbol("("));
    ASSIGN_OR_RETURN(auto sub, ParseImplicitSubquery());
    op.tabulars.push_back(std::move(sub));
    return Status::Ok();
}

// fork [name =] ( subquery ) ...
Status Parser::ParseFork(Operator& op) {
    op.kind = Operator::Kind::kFork;
    while (IsSymbol("(") || (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1))) {
        std::string name;
        op.name_pos.push_back(Cur().pos);
        if (!IsSymbol("(")) {
            name = Cur().text;
            i_ += 2;
        }
        RETURN_IF_ERROR(ExpectSymbol("("));
        ASSIGN_OR_RETURN(auto sub, ParseImplicitSubquery());
        op.names.push_back(std::move(name));
        op.tabulars.push_back(std::move(sub));
    }
    if (op.tabulars.empty()) return Expected("'(' starting a fork subquery");
    return Status::Ok();
}

// facet by col, ... [with ( subquery )]
Status Parser::ParseFacet(Operator& op) {
    op.kind = Operator::Kind::kFacet;
    if (!IsIdent("by")) return Expected("'by'");
    ++i_;
    while (true) {
        op.name_pos.push_back(Cur().pos);
        ASSIGN_OR_RETURN(std::string col, ExpectColumnName());
        op.names.push_back(std::move(col));
        if (!IsSymbol(",")) break;
        ++i_;
    }
    if (IsIdent("with")) {
        ++i_;
        RETURN_IF_ERROR(ExpectSymbol("("));
        ASSIGN_OR_RETURN(auto sub, ParseImplicitSubquery());
        op.tabulars.push_back(std::move(sub));
    }
    return Status::Ok();
}

// `name = value, ...` (inside parentheses when the cursor is at '('): each option becomes
// an item of op.exprs named by its name. Only `names` are known; each may be repeated
// (parse-kv's quote and escape), the binder checks the rest.
Status Parser::ParseWithOptions(Operator& op, const std::set<std::string>& names) {
    const bool parens = IsSymbol("(");
    if (parens) {
        ++i_;
        if (IsSymbol(")")) {
            ++i_;
            return Status::Ok();
        }
    }
    while (true) {
        NamedExpr ne;
        ne.name_pos = Cur().pos;
        ASSIGN_OR_RETURN(ne.name, ExpectIdent("an option name"));
        if (names.count(ne.name) == 0) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            return Status::SyntaxError("unknown option '" + ne.name + "' (expected " + known + ")",
                                       ne.name_pos);
        }
        RETURN_IF_ERROR(ExpectSymbol("="));
        ASSIGN_OR_RETURN(ne.expr, ParseAdditive());
        op.exprs.push_back(std::move(ne));
        if (!IsSymbol(",")) break;
        ++i_;
    }
    return parens ? ExpectSymbol(")") : Status::Ok();
}

// parse-kv Expression as (Key[:type], ...) [with (option = value, ...)]
Status Parser::ParseParseKv(Operator& op) {
    op.kind = Operator::Kind::kParseKv;
    NamedExpr text;
    ASSIGN_OR_RETURN(text.expr, ParseAdditive());
    op.exprs.push_back(std::move(text));
    if (!IsIdent("as")) return Expected("'as'");
    ++i_;
    RETURN_IF_ERROR(ExpectSymbol("("));
    while (true) {
        op.name_pos.push_back(Cur().pos);
        ASSIGN_OR_RETURN(std::string key, ExpectColumnName());
        core::Type type = core::Type::kString;
        if (IsSymbol(":")) {
            ++i_;
            ASSIGN_OR_RETURN(type, ParseTypeAfterColon());
        }
        op.columns.emplace_back(std::move(key), type);
        if (!IsSymbol(",")) break;
        ++i_;
    }
    RETURN_IF_ERROR(ExpectSymbol(")"));
    if (!IsIdent("with")) return Status::Ok();
    ++i_;
    if (!IsSymbol("(")) return Expected("'('");
    return ParseWithOptions(op,
                            {"pair_delimiter", "kv_delimiter", "quote", "escape", "greedy", "regex"});
}

// reduce [kind = source] by Expression [with [threshold = T] [, characters = C]]
Status Parser::ParseReduce(Operator& op) {
    op.kind = Operator::Kind::kReduce;
    if (IsIdent("kind") && IsSymbol("=", 1)) {
        op.mode_pos = PeekTok(2).pos;
        i_ += 2;
        ASSIGN_OR_RETURN(op.mode, ExpectIdent("a reduce kind"));
        if (op.mode != "source") {
            return Status::SyntaxError("unknown reduce kind '" + op.mode + "' (expected source)",
                                       op.mode_pos);
        }
    }
    if (!IsIdent("by")) return Expected("'by'");
    ++i_;
    NamedExpr text;
    ASSIGN_OR_RETURN(text.expr, ParseExpr());
    op.exprs.push_back(std::move(text));
    if (!IsIdent("with")) return Status::Ok();
    ++i_;
    return ParseWithOptions(op, {"threshold", "characters"});
}

}  // namespace calypso::kql::syntax
