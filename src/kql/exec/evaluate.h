#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/status.h"
#include "kql/binder/bound.h"
#include "kql/exec/vec.h"

namespace calypso::kql {

// Sets the column index of every column reference in `expr` from `schema`.
core::Status ResolveColumns(BoundExpr& expr, const core::Schema& schema);

// Evaluates `expr` over every row of `batch`. REQUIRES ResolveColumns against batch.schema.
Vec Evaluate(const BoundExpr& expr, const core::Batch& batch);

// Appends row `i` of `v` to `out`.
inline void AppendVecRow(core::Column& out, const Vec& v, size_t i) {
    if (v.is_const()) {
        out.Append(v.constant());
    } else {
        out.AppendFrom(v.column(), i);
    }
}

// The rows of `batch` listed in `rows`, in that order.
core::Batch Gather(const core::Batch& batch, const std::vector<uint32_t>& rows);
// The same for one column.
core::Column GatherColumn(const core::Column& col, const std::vector<uint32_t>& rows);

// Appends a binary encoding of row `i` of `v` to `out`: equal values (and nulls) encode
// equally, so the encodings of several columns concatenated form a hash key.
void EncodeKey(const Vec& v, size_t i, std::string& out);

// Appends all rows of `from` to `to` (same schema).
void AppendBatch(core::Batch& to, const core::Batch& from);

}  // namespace calypso::kql
