#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/column.h"
#include "core/value.h"

namespace calypso::kql {

// The result of evaluating an expression over a batch: either a whole column (borrowed
// from the batch or owned) or one constant standing for every row. Accessors take the row
// index and ignore it for constants. Strings read as "" when null (KQL strings are never
// null); Dyn() reads a null dynamic for null rows.
class Vec {
  public:
    Vec() = default;
    static Vec Const(core::Value v, core::Type type);
    static Vec Borrow(const core::Column* column) {
        Vec v;
        v.col_ = column;
        v.type_ = column->type();
        v.is_double_ = core::PhysicalOf(v.type_) == core::Physical::kDouble;
        return v;
    }
    static Vec Own(core::Column column) {
        Vec v;
        v.owned_ = std::make_shared<core::Column>(std::move(column));
        v.col_ = v.owned_.get();
        v.type_ = v.col_->type();
        v.is_double_ = core::PhysicalOf(v.type_) == core::Physical::kDouble;
        return v;
    }

    bool is_const() const { return col_ == nullptr; }
    core::Type type() const { return type_; }
    const core::Value& constant() const { return constant_; }
    const core::Column& column() const { return *col_; }

    bool IsNull(size_t i) const { return col_ ? col_->IsNull(i) : const_null_; }
    int64_t I64(size_t i) const { return col_ ? col_->int64_at(i) : const_i64_; }
    // Numeric value as a double whatever the physical class (int64 or double).
    double F64(size_t i) const {
        if (!col_) return const_f64_;
        return is_double_ ? col_->double_at(i) : static_cast<double>(col_->int64_at(i));
    }
    std::string_view Str(size_t i) const {
        return col_ ? std::string_view(col_->string_at(i)) : std::string_view(const_str_);
    }
    const core::Dynamic& Dyn(size_t i) const;
    core::Value Get(size_t i) const { return col_ ? col_->Get(i) : constant_; }
    // Materializes `rows` rows as a column (copies a borrowed column).
    core::Column ToColumn(size_t rows) const;
    // Like ToColumn, but moves an owned column out when nothing else shares it. The Vec
    // must not be read afterwards.
    core::Column TakeColumn(size_t rows) {
        if (owned_ && owned_.use_count() == 1) return std::move(*owned_);
        return ToColumn(rows);
    }

  private:
    const core::Column* col_ = nullptr;
    std::shared_ptr<core::Column> owned_;
    core::Type type_ = core::Type::kNull;
    bool is_double_ = false;
    core::Value constant_;
    bool const_null_ = true;
    int64_t const_i64_ = 0;
    double const_f64_ = 0;
    std::string const_str_;
    core::Dynamic const_dyn_;
};

}  // namespace calypso::kql
