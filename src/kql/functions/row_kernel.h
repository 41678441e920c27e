#pragma once

// Internal to functions/: helpers for kernels that compute one value per row.
#include <vector>

#include "core/column.h"
#include "kql/binder/bound.h"
#include "kql/functions/cast.h"

namespace calypso::kql::functions {

// A call of result type `out` whose kernel casts every argument to `in` (or leaves them as
// they are when `in` is kNull) and computes row i as f(args, i) -> Value of type `out`
// (a null Value appends null).
template <typename F>
BoundCall RowCall(core::Type out, core::Type in, F f) {
    BoundCall c;
    c.type = out;
    c.kernel = [out, in, f](const std::vector<Vec>& a, size_t n) {
        std::vector<Vec> v;
        v.reserve(a.size());
        for (const auto& x : a) v.push_back(in == core::Type::kNull ? x : CastVec(x, in, n));
        core::Column col(out);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) col.Append(f(v, i));
        return Vec::Own(std::move(col));
    };
    return c;
}

}  // namespace calypso::kql::functions
