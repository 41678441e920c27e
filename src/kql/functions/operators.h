#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/value.h"
#include "kql/binder/bound.h"

namespace calypso::kql::functions {

// Binds a binary operator ("+", "==", "=~", "has", "!contains", "and", "matches regex", ...)
// for the operand types; SemanticError at `pos` when the types do not fit. Comparisons
// involving a null are false.
core::Result<BoundCall> BindBinary(std::string_view op, core::Type l, core::Type r,
                                   core::SourcePos pos);

// Unary minus.
core::Result<BoundCall> BindNegate(core::Type t, core::SourcePos pos);

// `x in (list)`, `!in`, `in~`, `!in~`; the list holds constants (dynamic arrays are
// flattened). The kernel takes one argument, x.
core::Result<BoundCall> BindIn(std::string_view op, core::Type l, std::vector<core::Value> list,
                               core::SourcePos pos);

// Dynamic member access `d.key` / `d['key']`: one argument, result dynamic.
BoundCall BindMember(std::string key);
// `d[i]` (i long: array element, negative from the end; i string: member).
core::Result<BoundCall> BindIndex(core::Type base, core::Type index, core::SourcePos pos);

}  // namespace calypso::kql::functions
