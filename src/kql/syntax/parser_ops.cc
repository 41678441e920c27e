// Parser: the pipe operators.
#include <cctype>
#include <functional>

#include "kql/syntax/parser_impl.h"

namespace calypso::kql::syntax {

using core::Result;
using core::SourcePos;
using core::Status;

// `name=value` options before the operands of join / lookup / union.
Status Parser::ParseOptions(Operator& op) {
    while (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
        std::string key = Cur().text;
        SourcePos pos = Cur().pos;
        i_ += 2;
        if (Cur().kind != TokenKind::kIdent && Cur().kind != TokenKind::kString) {
            return Expected("an option value");
        }
        std::string value = Cur().text;
        ++i_;
        if (key == "kind") {
            op.mode = value;
            op.mode_pos = pos;
        } else if (key == "withsource" && op.kind == Operator::Kind::kUnion) {
            op.with_source = value;
        } else if (key == "isfuzzy" && op.kind == Operator::Kind::kUnion) {
            if (value != "true" && value != "false") {
                return Status::SyntaxError("isfuzzy must be true or false", pos);
            }
            op.fuzzy = value == "true";
        } else if (key.rfind("hint", 0) == 0 || key == "isfuzzy") {
            // Execution hints do not change results here.
        } else {
            return Status::SyntaxError("unknown option '" + key + "'", pos);
        }
    }
    return Status::Ok();
}

Status Parser::ParseUnion(Operator& op) {
    RETURN_IF_ERROR(ParseOptions(op));
    while (true) {
        ASSIGN_OR_RETURN(auto t, ParseOperand(true));
        op.tabulars.push_back(std::move(t));
        if (!IsSymbol(",")) return Status::Ok();
        ++i_;
    }
}

Status Parser::ParseJoinKeys(Operator& op) {
    if (!IsIdent("on")) return Expected("'on'");
    ++i_;
    while (true) {
        JoinKey k;
        if (IsIdent("$left") || IsIdent("$right")) {
            for (int side = 0; side < 2; ++side) {
                bool left = Cur().text == "$left";
                if (!IsIdent("$left") && !IsIdent("$right")) return Expected("'$right'");
                ++i_;
                RETURN_IF_ERROR(ExpectSymbol("."));
                SourcePos pos = Cur().pos;
                ASSIGN_OR_RETURN(std::string name, ExpectColumnName());
                (left ? k.left : k.right) = name;
                (left ? k.left_pos : k.right_pos) = pos;
                if (side == 0) RETURN_IF_ERROR(ExpectSymbol("=="));
            }
            if (k.left.empty() || k.right.empty()) {
                return Status::SyntaxError("expected $left.column == $right.column",
                                           k.left.empty() ? k.right_pos : k.left_pos);
            }
        } else {
            k.left_pos = k.right_pos = Cur().pos;
            ASSIGN_OR_RETURN(k.left, ExpectColumnName());
            k.right = k.left;
        }
        op.on.push_back(std::move(k));
        if (!IsSymbol(",")) return Status::Ok();
        ++i_;
    }
}

Status Parser::ParseSortKeys(std::vector<SortKey>& keys) {
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

Status Parser::ParseOperator(Operator& op) {
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
    if (IsHyphenated("project", "keep") || IsHyphenated("project", "reorder")) {
        // Column names or wildcard patterns; project-reorder may add asc/desc to a pattern.
        bool keep = PeekTok(2).text == "keep";
        i_ += 3;
        op.kind = keep ? Operator::Kind::kProjectKeep : Operator::Kind::kProjectReorder;
        while (true) {
            op.name_pos.push_back(Cur().pos);
            ASSIGN_OR_RETURN(std::string n, ParseTableName(true));
            op.names.push_back(std::move(n));
            bool ordered = !keep && (IsIdent("asc") || IsIdent("desc"));
            op.level_asc.push_back(!ordered || Cur().text == "asc");
            op.types.push_back(ordered ? core::Type::kBool : core::Type::kNull);
            if (ordered) ++i_;
            if (!IsSymbol(",")) return Status::Ok();
            ++i_;
        }
    }
    if (IsHyphenated("top", "nested")) {
        i_ += 3;
        return ParseTopNested(op);
    }
    if (IsHyphenated("make", "series")) {
        i_ += 3;
        return ParseMakeSeries(op);
    }
    if (IsHyphenated("mv", "expand")) {
        i_ += 3;
        return ParseMvExpand(op);
    }
    if (IsHyphenated("parse", "kv")) {
        i_ += 3;
        return ParseParseKv(op);
    }
    if (IsHyphenated("parse", "where")) {
        i_ += 3;
        op.parse_where = true;
        return ParseParse(op);
    }
    if (IsHyphenated("mv", "apply")) {
        i_ += 3;
        return ParseMvApply(op);
    }
    if (IsHyphenated("sample", "distinct") || IsHyphenated("top", "hitters")) {
        // `sample-distinct N of column`, `top-hitters N of expr [by expr]`.
        op.kind = PeekTok(2).text == "distinct" ? Operator::Kind::kSampleDistinct
                                                : Operator::Kind::kTopHitters;
        i_ += 3;
        ASSIGN_OR_RETURN(op.count, ParseAdditive());
        if (!IsIdent("of")) return Expected("'of'");
        ++i_;
        NamedExpr of;
        of.name_pos = Cur().pos;
        if (op.kind == Operator::Kind::kTopHitters && Cur().kind == TokenKind::kIdent &&
            IsSymbol("=", 1)) {
            of.name = Cur().text;
            i_ += 2;
        }
        ASSIGN_OR_RETURN(of.expr, ParseExpr());
        op.exprs.push_back(std::move(of));
        if (op.kind == Operator::Kind::kTopHitters && IsIdent("by")) {
            ++i_;
            NamedExpr by;
            by.name_pos = Cur().pos;
            ASSIGN_OR_RETURN(by.expr, ParseExpr());
            op.by.push_back(std::move(by));
        }
        return Status::Ok();
    }
    std::string word = Cur().text;
    ++i_;
    if (word == "sample") {
        op.kind = Operator::Kind::kSample;
        ASSIGN_OR_RETURN(op.count, ParseExpr());
        return Status::Ok();
    }
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
    if (word == "join" || word == "lookup") {
        op.kind = word == "join" ? Operator::Kind::kJoin : Operator::Kind::kLookup;
        RETURN_IF_ERROR(ParseOptions(op));
        ASSIGN_OR_RETURN(auto right, ParseOperand(false));
        op.tabulars.push_back(std::move(right));
        return ParseJoinKeys(op);
    }
    if (word == "union") {
        op.kind = Operator::Kind::kUnion;
        return ParseUnion(op);
    }
    if (word == "parse") return ParseParse(op);
    if (word == "serialize") {
        op.kind = Operator::Kind::kSerialize;
        if (Cur().kind == TokenKind::kIdent || AtBracketName()) {
            return ParseNamedList(op.exprs);
        }
        return Status::Ok();
    }
    if (word == "as") {
        op.kind = Operator::Kind::kAs;
        // hint.materialized=true and similar: hints that do not change the rows.
        while (IsIdent("hint") && IsSymbol(".", 1) && IsSymbol("=", 3)) {
            i_ += 5;
        }
        ASSIGN_OR_RETURN(std::string name, ExpectIdent("a name"));
        op.names.push_back(std::move(name));
        return Status::Ok();
    }
    if (word == "invoke") {
        op.kind = Operator::Kind::kInvoke;
        NamedExpr call;
        ASSIGN_OR_RETURN(call.expr, ParseCallSource());
        op.exprs.push_back(std::move(call));
        return Status::Ok();
    }
    if (word == "search") {
        if (IsIdent("in") && IsSymbol("(", 1)) {
            return Status::SyntaxError("'search in (...)' is only allowed at the start of a query",
                                       Cur().pos);
        }
        return ParseSearch(op);
    }
    if (word == "getschema") {
        op.kind = Operator::Kind::kGetSchema;
        return Status::Ok();
    }
    if (word == "evaluate") return ParseEvaluate(op);
    if (word == "scan") return ParseScan(op);
    if (word == "partition") return ParsePartition(op);
    if (word == "fork") return ParseFork(op);
    if (word == "facet") return ParseFacet(op);
    if (word == "reduce") return ParseReduce(op);
    --i_;
    return Status::SyntaxError("unknown query operator '" + word + "'", op.pos);
}

Result<core::Type> Parser::ParseTypeAfterColon() {
    SourcePos pos = Cur().pos;
    ASSIGN_OR_RETURN(std::string tname, ExpectIdent("a type name"));
    auto type = core::ParseTypeName(tname);
    if (!type) return Status::SyntaxError("unknown type '" + tname + "'", pos);
    return *type;
}

Status Parser::ParseMvExpand(Operator& op) {
    op.kind = Operator::Kind::kMvExpand;
    auto at_option = [&] {
        return (IsIdent("with_itemindex") || IsIdent("bagexpansion") || IsIdent("kind")) &&
               IsSymbol("=", 1);
    };
    while (at_option()) {
        std::string key = Cur().text;
        SourcePos pos = Cur().pos;
        i_ += 2;
        ASSIGN_OR_RETURN(std::string value, ExpectIdent("an option value"));
        if (key == "with_itemindex") {
            op.index_column = value;
        } else if (key == "bagexpansion" || key == "kind") {
            if (value != "bag") {
                return Status::SyntaxError(
                    "only bag expansion is supported (" + key + "=" + value + ")", pos);
            }
        } else {
            return Status::SyntaxError("unknown option '" + key + "'", pos);
        }
    }
    while (true) {
        op.name_pos.push_back(Cur().pos);
        // `name = expr` expands an expression into the column `name`; exprs[i] is null for
        // a plain column.
        NamedExpr item;
        bool named = (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) ||
                     (AtBracketName() && IsSymbol("=", 3));
        ASSIGN_OR_RETURN(std::string name, ExpectColumnName());
        if (named) {
            ++i_;
            ASSIGN_OR_RETURN(item.expr, ParseAdditive());
        }
        op.exprs.push_back(std::move(item));
        op.names.push_back(std::move(name));
        core::Type type = core::Type::kNull;
        if (IsIdent("to") && IsIdent("typeof", 1) && IsSymbol("(", 2)) {
            i_ += 3;
            ASSIGN_OR_RETURN(type, ParseTypeAfterColon());
            RETURN_IF_ERROR(ExpectSymbol(")"));
        }
        op.types.push_back(type);
        if (!IsSymbol(",")) break;
        ++i_;
    }
    if (IsIdent("limit")) {
        ++i_;
        ASSIGN_OR_RETURN(op.count, ParseAdditive());
    }
    return Status::Ok();
}

Status Parser::ParseMakeSeries(Operator& op) {
    op.kind = Operator::Kind::kMakeSeries;
    while (true) {
        NamedExpr ne;
        if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
            ne.name = Cur().text;
            ne.name_pos = Cur().pos;
            i_ += 2;
        }
        ASSIGN_OR_RETURN(ne.expr, ParseExpr());
        op.exprs.push_back(std::move(ne));
        ExprPtr def;
        if (IsIdent("default") && IsSymbol("=", 1)) {
            i_ += 2;
            ASSIGN_OR_RETURN(def, ParseAdditive());
        }
        op.defaults.push_back(std::move(def));
        if (!IsSymbol(",")) break;
        ++i_;
    }
    if (!IsIdent("on")) return Expected("'on'");
    ++i_;
    ASSIGN_OR_RETURN(op.axis, ParseAdditive());
    if (IsIdent("from")) {
        ++i_;
        ASSIGN_OR_RETURN(op.from, ParseAdditive());
    }
    if (IsIdent("to")) {
        ++i_;
        ASSIGN_OR_RETURN(op.to, ParseAdditive());
    }
    if (!IsIdent("step")) return Expected("'step'");
    ++i_;
    ASSIGN_OR_RETURN(op.step, ParseAdditive());
    if (IsIdent("by")) {
        ++i_;
        RETURN_IF_ERROR(ParseNamedList(op.by));
    }
    return Status::Ok();
}

Status Parser::ParseTopNested(Operator& op) {
    op.kind = Operator::Kind::kTopNested;
    while (true) {
        ExprPtr count;
        if (!IsIdent("of")) {
            ASSIGN_OR_RETURN(count, ParseAdditive());
        }
        if (!IsIdent("of")) return Expected("'of'");
        ++i_;
        NamedExpr key;
        if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
            key.name = Cur().text;
            key.name_pos = Cur().pos;
            i_ += 2;
        }
        ASSIGN_OR_RETURN(key.expr, ParseAdditive());
        ExprPtr others;
        if (IsIdent("with")) {
            ++i_;
            if (!IsIdent("others")) return Expected("'others'");
            ++i_;
            RETURN_IF_ERROR(ExpectSymbol("="));
            ASSIGN_OR_RETURN(others, ParseAdditive());
        }
        if (!IsIdent("by")) return Expected("'by'");
        ++i_;
        NamedExpr agg;
        if (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
            agg.name = Cur().text;
            agg.name_pos = Cur().pos;
            i_ += 2;
        }
        ASSIGN_OR_RETURN(agg.expr, ParseAdditive());
        bool asc = false;
        if (IsIdent("asc") || IsIdent("desc")) {
            asc = Cur().text == "asc";
            ++i_;
        }
        op.level_counts.push_back(std::move(count));
        op.exprs.push_back(std::move(key));
        op.by.push_back(std::move(agg));
        op.level_asc.push_back(asc);
        op.others.push_back(std::move(others));
        if (!IsSymbol(",")) return Status::Ok();
        ++i_;
        if (!IsHyphenated("top", "nested")) return Expected("'top-nested'");
        i_ += 3;
    }
}

Status Parser::ParseParse(Operator& op) {
    op.kind = Operator::Kind::kParse;
    while (Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) {
        std::string key = Cur().text;
        SourcePos pos = Cur().pos;
        i_ += 2;
        if (Cur().kind != TokenKind::kIdent && Cur().kind != TokenKind::kString) {
            return Expected("an option value");
        }
        std::string value = Cur().text;
        ++i_;
        if (key == "kind") {
            op.mode = value;
            op.mode_pos = pos;
        } else if (key != "flags") {
            return Status::SyntaxError("unknown option '" + key + "'", pos);
        }
    }
    NamedExpr src;
    ASSIGN_OR_RETURN(src.expr, ParseAdditive());
    op.exprs.push_back(std::move(src));
    if (!IsIdent("with")) return Expected("'with'");
    ++i_;
    while (true) {
        ParsePiece piece;
        piece.pos = Cur().pos;
        if (Cur().kind == TokenKind::kString) {
            piece.text = Cur().text;
            ++i_;
        } else if (IsSymbol("*")) {
            piece.kind = ParsePiece::Kind::kWildcard;
            ++i_;
        } else if (Cur().kind == TokenKind::kIdent || AtBracketName()) {
            piece.kind = ParsePiece::Kind::kColumn;
            ASSIGN_OR_RETURN(piece.text, ExpectColumnName());
            if (IsSymbol(":")) {
                ++i_;
                ASSIGN_OR_RETURN(piece.type, ParseTypeAfterColon());
            }
        } else {
            break;
        }
        op.pattern.push_back(std::move(piece));
    }
    if (op.pattern.empty()) return Expected("a parse pattern");
    return Status::Ok();
}
}  // namespace calypso::kql::syntax

namespace calypso::kql::syntax {

// mv-apply [with_itemindex=I] [Name =] col [to typeof(T)], ... [limit N] on (subquery)
Status Parser::ParseMvApply(Operator& op) {
    op.kind = Operator::Kind::kMvApply;
    if (IsIdent("with_itemindex") && IsSymbol("=", 1)) {
        i_ += 2;
        ASSIGN_OR_RETURN(op.index_column, ExpectIdent("an index column name"));
    }
    while (true) {
        NamedExpr ne;
        if ((Cur().kind == TokenKind::kIdent && IsSymbol("=", 1)) ||
            (AtBracketName() && IsSymbol("=", 3))) {
            ne.name_pos = Cur().pos;
            ASSIGN_OR_RETURN(ne.name, ExpectColumnName());
            ++i_;
        }
        ASSIGN_OR_RETURN(ne.expr, ParseAdditive());
        core::Type type = core::Type::kNull;
        if (IsIdent("to") && IsIdent("typeof", 1) && IsSymbol("(", 2)) {
            i_ += 3;
            ASSIGN_OR_RETURN(type, ParseTypeAfterColon());
            RETURN_IF_ERROR(ExpectSymbol(")"));
        }
        op.exprs.push_back(std::move(ne));
        op.types.push_back(type);
        if (!IsSymbol(",")) break;
        ++i_;
    }
    if (IsIdent("limit")) {
        ++i_;
        ASSIGN_OR_RETURN(op.count, ParseAdditive());
    }
    if (!IsIdent("on")) return Expected("'on'");
    ++i_;
    RETURN_IF_ERROR(ExpectSymbol("("));
    // The subquery's source is the expanded rows of one input row: a table name "".
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
    RETURN_IF_ERROR(ExpectSymbol(")"));
    op.tabulars.push_back(std::move(sub));
    return Status::Ok();
}

namespace {

// A search term to the string operator it stands for: "err*" is hasprefix, "*err" hassuffix,
// "*err*" contains, "e*r" a regex between term boundaries, anything else has.
ExprPtr SearchTermExpr(ExprPtr column, const std::string& term, bool cs, SourcePos pos) {
    std::string op = "has";
    std::string needle = term;
    bool lead = !term.empty() && term.front() == '*';
    bool trail = term.size() > 1 && term.back() == '*';
    std::string inner = term.substr(lead ? 1 : 0);
    if (trail) inner.pop_back();
    if (inner.find('*') != std::string::npos) {
        std::string re = cs ? "" : "(?i)";
        re += lead ? "" : "\\b";
        for (char c : inner) {
            if (c == '*') {
                re += ".*";
            } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
                re += c;
            } else {
                re += '\\';
                re += c;
            }
        }
        re += trail ? "" : "\\b";
        op = "matches regex";
        needle = re;
    } else if (lead && trail) {
        op = "contains";
        needle = inner;
    } else if (lead) {
        op = "hassuffix";
        needle = inner;
    } else if (trail) {
        op = "hasprefix";
        needle = inner;
    }
    if (cs && op != "matches regex") op += "_cs";
    auto lit = MakeExpr(Expr::Kind::kLiteral, pos);
    lit->value = core::Value::String(needle);
    auto e = MakeExpr(Expr::Kind::kBinary, pos);
    e->op = op;
    e->args.push_back(std::move(column));
    e->args.push_back(std::move(lit));
    return e;
}

ExprPtr AnyColumn(SourcePos pos) {
    auto star = MakeExpr(Expr::Kind::kName, pos);
    star->name = "*";
    return star;
}

}  // namespace

// search [kind=case_sensitive|case_insensitive] [in (T1, ...)] predicate. The predicate is
// parsed into an ordinary expression where the column `*` means "any column" (the binder
// expands it).
Status Parser::ParseSearch(Operator& op) {
    op.kind = Operator::Kind::kSearch;
    bool cs = false;
    if (IsIdent("kind") && IsSymbol("=", 1)) {
        SourcePos pos = Cur().pos;
        i_ += 2;
        ASSIGN_OR_RETURN(std::string kind, ExpectIdent("case_sensitive or case_insensitive"));
        if (kind != "case_sensitive" && kind != "case_insensitive") {
            return Status::SyntaxError("search kind must be case_sensitive or case_insensitive",
                                       pos);
        }
        cs = kind == "case_sensitive";
        op.mode = kind;
    }
    if (IsIdent("in") && IsSymbol("(", 1)) {
        i_ += 2;
        while (true) {
            ASSIGN_OR_RETURN(auto t, ParseOperand(true));
            op.tabulars.push_back(std::move(t));
            if (!IsSymbol(",")) break;
            ++i_;
        }
        RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    // Recursive descent over or / and / not / ( ) / atoms.
    std::function<Result<ExprPtr>()> parse_or, parse_and, parse_unary;
    parse_unary = [&]() -> Result<ExprPtr> {
        SourcePos pos = Cur().pos;
        if (IsIdent("not") && !IsSymbol("(", 1)) {
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr inner, parse_unary());
            auto e = MakeExpr(Expr::Kind::kCall, pos);
            e->name = "not";
            e->args.push_back(std::move(inner));
            return e;
        }
        if (IsSymbol("(")) {
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr inner, parse_or());
            RETURN_IF_ERROR(ExpectSymbol(")"));
            return inner;
        }
        if (Cur().kind == TokenKind::kString) {
            std::string term = Cur().text;
            ++i_;
            return SearchTermExpr(AnyColumn(pos), term, cs, pos);
        }
        if (IsSymbol("*")) {
            // `* op value`: the operator on any column.
            ++i_;
            if (Cur().kind != TokenKind::kIdent && Cur().kind != TokenKind::kSymbol) {
                return Expected("an operator after '*'");
            }
            std::string bop = Cur().text;
            if (bop == "matches" && IsIdent("regex", 1)) {
                ++i_;
                bop = "matches regex";
            }
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr rhs, ParseAdditive());
            auto e = MakeExpr(Expr::Kind::kBinary, pos);
            e->op = bop;
            e->args.push_back(AnyColumn(pos));
            e->args.push_back(std::move(rhs));
            return e;
        }
        if ((Cur().kind == TokenKind::kIdent || AtBracketName()) &&
            IsSymbol(":", AtBracketName() ? 3 : 1)) {
            // column:term
            ASSIGN_OR_RETURN(std::string col, ExpectColumnName());
            ++i_;
            if (Cur().kind != TokenKind::kString) return Expected("a string after ':'");
            std::string term = Cur().text;
            ++i_;
            auto c = MakeExpr(Expr::Kind::kName, pos);
            c->name = col;
            return SearchTermExpr(std::move(c), term, cs, pos);
        }
        return ParseComparison();
    };
    parse_and = [&]() -> Result<ExprPtr> {
        ASSIGN_OR_RETURN(ExprPtr l, parse_unary());
        while (IsIdent("and")) {
            SourcePos pos = Cur().pos;
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr r, parse_unary());
            l = Binary("and", pos, std::move(l), std::move(r));
        }
        return l;
    };
    parse_or = [&]() -> Result<ExprPtr> {
        ASSIGN_OR_RETURN(ExprPtr l, parse_and());
        while (IsIdent("or")) {
            SourcePos pos = Cur().pos;
            ++i_;
            ASSIGN_OR_RETURN(ExprPtr r, parse_and());
            l = Binary("or", pos, std::move(l), std::move(r));
        }
        return l;
    };
    NamedExpr pred;
    ASSIGN_OR_RETURN(pred.expr, parse_or());
    op.exprs.push_back(std::move(pred));
    return Status::Ok();
}

}  // namespace calypso::kql::syntax
