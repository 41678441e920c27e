// Binder::BindParseKv: `parse-kv Text as (Key:type, ...) [with (options)]`. The keys become
// columns of an extend (an existing column is replaced in place), each computed by a kernel
// that finds its key in the text (functions/parse_kv.h): rows stream, nothing is held.
#include <re2/re2.h>

#include <set>
#include <string>

#include "core/dynamic.h"
#include "kql/binder/binder.h"
#include "kql/functions/cast.h"
#include "kql/functions/parse_kv.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql {

using core::Result;
using core::Status;
using core::Type;
using functions::ParseKvSpec;

namespace {

// The constant value of option `ne` (bound as `bound`) of `type`, or a SemanticError.
Result<core::Value> OptionValue(const syntax::NamedExpr& ne, Type type,
                                Result<BoundExprPtr> bound) {
    ASSIGN_OR_RETURN(BoundExprPtr b, std::move(bound));
    if (b->kind != BoundExpr::Kind::kConst || b->type != type || b->value.is_null()) {
        return Status::SemanticError("parse-kv option '" + ne.name + "' must be a constant " +
                                         std::string(core::TypeName(type)),
                                     ne.expr->pos);
    }
    return b->value;
}

}  // namespace

Result<PlanPtr> Binder::BindParseKv(const syntax::Operator& op, PlanPtr input) {
    const core::Schema& in = input->schema;
    ASSIGN_OR_RETURN(BoundExprPtr text, BindScalar(*op.exprs[0].expr, in));
    if (text->type != Type::kString && text->type != Type::kDynamic && text->type != Type::kNull) {
        return Status::SemanticError(
            "parse-kv expects a string to parse, got " + std::string(core::TypeName(text->type)),
            op.exprs[0].expr->pos);
    }
    ParseKvSpec spec;
    bool has_pair = false, has_kv = false, has_greedy = false;
    const syntax::NamedExpr* regex_opt = nullptr;
    const syntax::NamedExpr* first_other = nullptr;
    for (size_t i = 1; i < op.exprs.size(); ++i) {
        const syntax::NamedExpr& ne = op.exprs[i];
        if (ne.name == "greedy") {
            ASSIGN_OR_RETURN(core::Value v, OptionValue(ne, Type::kBool, BindScalar(*ne.expr, {})));
            spec.greedy = v.as_bool();
            has_greedy = true;
        } else {
            ASSIGN_OR_RETURN(core::Value v,
                             OptionValue(ne, Type::kString, BindScalar(*ne.expr, {})));
            const std::string s = v.as_string();
            if (ne.name == "regex") {
                regex_opt = &ne;
                auto re = std::make_shared<re2::RE2>(s, re2::RE2::Quiet);
                if (!re->ok()) {
                    return Status::SemanticError("parse-kv regex is not valid: " + re->error(),
                                                 ne.expr->pos);
                }
                if (re->NumberOfCapturingGroups() != 2) {
                    return Status::SemanticError(
                        "parse-kv regex must have exactly two capturing groups (the key and "
                        "the value), got " +
                            std::to_string(re->NumberOfCapturingGroups()),
                        ne.expr->pos);
                }
                spec.regex = std::move(re);
                continue;
            }
            if (ne.name == "pair_delimiter" || ne.name == "kv_delimiter") {
                if (s.empty()) {
                    return Status::SemanticError(
                        "parse-kv option '" + ne.name + "' must not be empty", ne.expr->pos);
                }
                (ne.name == "pair_delimiter" ? spec.pair_delimiter : spec.kv_delimiter) = s;
                (ne.name == "pair_delimiter" ? has_pair : has_kv) = true;
            } else if (ne.name == "quote") {
                if (s.empty() || s.size() > 2) {
                    return Status::SemanticError(
                        "parse-kv quote must be one character, or two (opening and closing)",
                        ne.expr->pos);
                }
                spec.quotes.emplace_back(s[0], s.back());
            } else if (ne.name == "escape") {
                if (s.size() != 1) {
                    return Status::SemanticError("parse-kv escape must be one character",
                                                 ne.expr->pos);
                }
                spec.escapes += s;
            }
        }
        if (first_other == nullptr) first_other = &ne;
    }
    if (regex_opt != nullptr) {
        if (first_other != nullptr) {
            return Status::SemanticError(
                "parse-kv option '" + first_other->name + "' cannot be combined with regex",
                first_other->name_pos);
        }
        spec.mode = ParseKvSpec::Mode::kRegex;
    } else if (has_pair || has_kv) {
        if (!has_pair || !has_kv) {
            return Status::SemanticError("parse-kv needs both pair_delimiter and kv_delimiter",
                                         op.pos);
        }
        spec.mode = ParseKvSpec::Mode::kDelimited;
    } else if (has_greedy) {
        return Status::SemanticError("parse-kv greedy needs pair_delimiter and kv_delimiter",
                                     op.pos);
    }

    auto node = std::make_unique<PlanNode>();
    node->kind = PlanNode::Kind::kProject;
    node->schema = in;
    for (const auto& f : in.fields) node->exprs.push_back(MakeColumnRef(f.name, f.type));
    auto shared = std::make_shared<const ParseKvSpec>(std::move(spec));
    std::set<std::string> seen;
    for (size_t k = 0; k < op.columns.size(); ++k) {
        const auto& [key, type] = op.columns[k];
        if (!seen.insert(key).second) {
            return Status::SemanticError("key '" + key + "' appears twice in parse-kv",
                                         op.name_pos[k]);
        }
        // A missing key is null, or "" for a string column (strings are never null).
        BoundCall call = functions::RowCall(
            type, Type::kString, [shared, key, type](const std::vector<Vec>& v, size_t i) {
                auto value = functions::ParseKvValue(v[0].Str(i), *shared, key);
                if (!value)
                    return type == Type::kString ? core::Value::String("")
                                                 : core::Value::Null(type);
                if (type == Type::kDynamic) {
                    // As todynamic(): JSON text is parsed, other text is a JSON string.
                    if (value->empty()) return core::Value::Null(type);
                    auto d = core::Dynamic::Parse(*value);
                    return core::Value::FromDynamic(d.ok() ? *std::move(d)
                                                           : core::Dynamic::String(*value));
                }
                return functions::CastValue(core::Value::String(std::move(*value)), type);
            });
        std::vector<BoundExprPtr> args;
        args.push_back(CloneBoundExpr(*text));
        ASSIGN_OR_RETURN(BoundExprPtr b,
                         MakeCall("parse_kv", std::move(call), std::move(args), op.name_pos[k]));
        if (auto idx = node->schema.IndexOf(key)) {
            node->schema.fields[*idx].type = type;
            node->exprs[*idx] = std::move(b);
        } else {
            node->schema.fields.push_back({key, type});
            node->exprs.push_back(std::move(b));
        }
    }
    node->input = std::move(input);
    return node;
}

}  // namespace calypso::kql
