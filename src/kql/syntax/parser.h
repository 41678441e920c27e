#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "kql/syntax/ast.h"

namespace calypso::kql::syntax {

// Parses a whole KQL query text (statements separated by ';'). Errors are SyntaxError
// with the line:column of the offending token and what was expected there.
core::Result<Query> Parse(std::string_view text);

// Parses `Name(params) { body }`: a stored function's definition (the text after Kusto's
// `.create function`). params_text / body_text keep the definition as written.
core::Result<std::shared_ptr<FunctionDef>> ParseFunctionDefinition(std::string_view text);

// Parses a single scalar expression (used by tests).
core::Result<ExprPtr> ParseExpression(std::string_view text);

}  // namespace calypso::kql::syntax
