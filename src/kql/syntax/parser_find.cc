// Parser::ParseFind (the find operator's clauses around a search-style predicate) and
// Parser::TryTabularArgument (the subqueries of toscalar() and `in`).
#include "kql/syntax/parser_impl.h"

namespace calypso::kql::syntax {

using core::Status;

Status Parser::ParseFind(Operator& op) {
    if (IsIdent("withsource") && IsSymbol("=", 1)) {
        i_ += 2;
        ASSIGN_OR_RETURN(op.with_source, ExpectColumnName());
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
        if (!IsIdent("where")) return Expected("'where'");
    }
    if (IsIdent("where")) ++i_;
    // The predicate: terms as search has them (`"x"` is `* has "x"`).
    RETURN_IF_ERROR(ParseSearch(op));
    op.kind = Operator::Kind::kFind;
    op.mode.clear();
    if (IsHyphenated("project", "smart")) {
        i_ += 3;
    } else if (IsIdent("project") && !IsSymbol("-", 1)) {
        ++i_;
        op.mode = "project";
        while (true) {
            if (IsIdent("pack_all") && IsSymbol("(", 1) && IsSymbol(")", 2)) {
                i_ += 3;
                op.schema_wildcard = true;
                if (IsSymbol(",")) {
                    return Status::SyntaxError("pack_all() must be the last item of find's project",
                                               Cur().pos);
                }
                break;
            }
            op.name_pos.push_back(Cur().pos);
            ASSIGN_OR_RETURN(std::string name, ExpectColumnName());
            core::Type type = core::Type::kNull;
            if (IsSymbol(":")) {
                ++i_;
                ASSIGN_OR_RETURN(type, ParseTypeAfterColon());
            }
            op.columns.emplace_back(std::move(name), type);
            if (!IsSymbol(",")) break;
            ++i_;
        }
    }
    if (IsHyphenated("project", "away")) {
        i_ += 3;
        while (true) {
            ASSIGN_OR_RETURN(std::string name, ExpectColumnName());
            op.names.push_back(std::move(name));
            if (!IsSymbol(",")) break;
            ++i_;
        }
    }
    return Status::Ok();
}

namespace {

// Whether `t` can only be a tabular expression (a bare name or call may be a scalar).
bool ClearlyTabular(const TabularExpr& t) {
    if (!t.ops.empty()) return true;
    switch (t.source.kind) {
        case Source::Kind::kTable:
        case Source::Kind::kCall:
            return false;
        case Source::Kind::kSubquery:
            return t.source.sub && ClearlyTabular(*t.source.sub);
        default:
            return true;
    }
}

}  // namespace

std::shared_ptr<TabularExpr> Parser::TryTabularArgument() {
    size_t save = i_;
    auto t = ParseTabular(nullptr);
    if (t.ok() && IsSymbol(")") && ClearlyTabular(**t))
        return std::shared_ptr<TabularExpr>(std::move(*t));
    i_ = save;
    return nullptr;
}

}  // namespace calypso::kql::syntax
