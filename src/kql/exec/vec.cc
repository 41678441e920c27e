#include "kql/exec/vec.h"

namespace calypso::kql {

namespace {
const core::Dynamic kNullDynamic;
}

Vec Vec::Const(core::Value v, core::Type type) {
    Vec out;
    out.type_ = type;
    out.const_null_ = v.is_null();
    if (!v.is_null()) {
        switch (core::PhysicalOf(v.type())) {
            case core::Physical::kInt64:
                out.const_i64_ = v.as_int64();
                out.const_f64_ = static_cast<double>(out.const_i64_);
                break;
            case core::Physical::kDouble:
                out.const_f64_ = v.as_double();
                out.const_i64_ = static_cast<int64_t>(out.const_f64_);
                break;
            case core::Physical::kString:
                out.const_str_ = v.as_string();
                break;
            case core::Physical::kDynamic:
                out.const_dyn_ = v.as_dynamic();
                break;
            case core::Physical::kNone:
                break;
        }
    }
    // Keep the constant's declared type so Get() round-trips into typed columns.
    if (v.is_null()) {
        out.constant_ = core::Value::Null(type);
    } else {
        out.constant_ = std::move(v);
    }
    return out;
}

const core::Dynamic& Vec::Dyn(size_t i) const {
    if (col_) return col_->IsNull(i) ? kNullDynamic : col_->dynamic_at(i);
    return const_dyn_;
}

core::Column Vec::ToColumn(size_t rows) const {
    if (col_) return *col_;
    core::Column c(type_);
    c.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) c.Append(constant_);
    return c;
}

}  // namespace calypso::kql
