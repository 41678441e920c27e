#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "core/dynamic.h"
#include "core/types.h"

namespace calypso::core {

// One typed scalar, possibly null. Used for literals, single cells and results of
// constant folding; bulk data lives in Column.
class Value {
  public:
    Value() = default;  // null of type kNull
    static Value Null(Type type) { return Value(type, std::monostate{}); }
    static Value Bool(bool b) { return Value(Type::kBool, int64_t{b}); }
    static Value Int(int64_t v) { return Value(Type::kInt, v); }
    static Value Long(int64_t v) { return Value(Type::kLong, v); }
    static Value Real(double v) { return Value(Type::kReal, v); }
    static Value String(std::string s) { return Value(Type::kString, std::move(s)); }
    static Value Guid(std::string s) { return Value(Type::kGuid, std::move(s)); }
    static Value Datetime(int64_t ticks) { return Value(Type::kDatetime, ticks); }
    static Value Timespan(int64_t ticks) { return Value(Type::kTimespan, ticks); }
    static Value FromDynamic(Dynamic d) { return Value(Type::kDynamic, std::move(d)); }

    Type type() const { return type_; }
    bool is_null() const { return std::holds_alternative<std::monostate>(rep_); }
    // Accessors by physical class; REQUIRES !is_null() and the matching PhysicalOf(type()).
    int64_t as_int64() const { return std::get<int64_t>(rep_); }
    bool as_bool() const { return std::get<int64_t>(rep_) != 0; }
    double as_double() const { return std::get<double>(rep_); }
    const std::string& as_string() const { return std::get<std::string>(rep_); }
    const Dynamic& as_dynamic() const { return std::get<Dynamic>(rep_); }

    bool operator==(const Value& other) const = default;

  private:
    using Rep = std::variant<std::monostate, int64_t, double, std::string, Dynamic>;
    Value(Type type, Rep rep) : type_(type), rep_(std::move(rep)) {}
    Type type_ = Type::kNull;
    Rep rep_;
};

}  // namespace calypso::core
