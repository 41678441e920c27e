#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic.h"
#include "core/schema.h"
#include "core/types.h"
#include "core/value.h"

namespace calypso::core {

// A column of one type: values in a flat vector of the type's physical class plus a
// validity vector (1 = present). A null string is stored as "" and reported as null only
// by types other than string/guid (KQL strings are never null).
class Column {
  public:
    explicit Column(Type type = Type::kNull) : type_(type) {}

    Type type() const { return type_; }
    size_t size() const { return valid_.size(); }
    bool IsNull(size_t i) const { return valid_[i] == 0; }

    void Reserve(size_t n);
    void AppendNull();
    void AppendInt64(int64_t v) {
        i64_.push_back(v);
        valid_.push_back(1);
    }
    void AppendDouble(double v) {
        f64_.push_back(v);
        valid_.push_back(1);
    }
    void AppendString(std::string_view v) {
        str_.emplace_back(v);
        valid_.push_back(1);
    }
    void AppendDynamic(Dynamic v) {
        dyn_.push_back(std::move(v));
        valid_.push_back(1);
    }
    // Appends a value of this column's physical class (a null Value appends null).
    // REQUIRES: value's physical class matches, or the value is null.
    void Append(const Value& value);
    // Appends row `row` of `other`, which has the same type.
    void AppendFrom(const Column& other, size_t row);

    Value Get(size_t i) const;
    int64_t int64_at(size_t i) const { return i64_[i]; }
    double double_at(size_t i) const { return f64_[i]; }
    const std::string& string_at(size_t i) const { return str_[i]; }
    const Dynamic& dynamic_at(size_t i) const { return dyn_[i]; }

    std::span<const int64_t> int64s() const { return i64_; }
    std::span<const double> doubles() const { return f64_; }
    std::span<const std::string> strings() const { return str_; }
    std::span<const Dynamic> dynamics() const { return dyn_; }
    std::span<const uint8_t> validity() const { return valid_; }

    // A column of `n` nulls.
    static Column Nulls(Type type, size_t n);

  private:
    Type type_;
    std::vector<uint8_t> valid_;
    std::vector<int64_t> i64_;
    std::vector<double> f64_;
    std::vector<std::string> str_;
    std::vector<Dynamic> dyn_;
};

// Rows of columns that share a schema. The unit that moves between modules.
struct Batch {
    Schema schema;
    std::vector<Column> columns;

    size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
    // Creates empty columns for every field of `schema`.
    static Batch Empty(Schema schema);
    // Appends row `row` of `other`; REQUIRES the same schema.
    void AppendRow(const Batch& other, size_t row);
    // Approximate in-memory size, for budgets and the Usage table.
    size_t ByteSize() const;
};

}  // namespace calypso::core
