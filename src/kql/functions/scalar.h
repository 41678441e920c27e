#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "kql/binder/bound.h"

namespace calypso::kql::functions {

// A named scalar function. `bind` checks the argument types (the arguments are already
// bound, so constants can be inspected) and returns the result type and kernel.
struct ScalarFunction {
    int min_args = 0;
    int max_args = 0;
    std::function<core::Result<BoundCall>(const std::vector<const BoundExpr*>& args,
                                          const BindContext& ctx, core::SourcePos pos)>
        bind;
};

// nullptr when `name` is not a scalar function.
const ScalarFunction* FindScalarFunction(std::string_view name);

// Every scalar function name (for "did you mean" suggestions).
std::vector<std::string_view> ScalarFunctionNames();

}  // namespace calypso::kql::functions
