#pragma once

#include <string_view>

#include "core/status.h"
#include "kql/syntax/ast.h"

namespace calypso::kql::syntax {

// Parses a whole KQL query text (statements separated by ';'). Errors are SyntaxError
// with the line:column of the offending token and what was expected there.
core::Result<Query> Parse(std::string_view text);

// Parses a single scalar expression (used by tests).
core::Result<ExprPtr> ParseExpression(std::string_view text);

}  // namespace calypso::kql::syntax
