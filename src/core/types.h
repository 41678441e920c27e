#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace calypso::core {

// KQL scalar types. kNull is the type of a bare `null`/unknown value only;
// columns always have a concrete type. decimal is stored as real.
enum class Type : uint8_t {
    kNull,
    kBool,
    kInt,
    kLong,
    kReal,
    kDecimal,
    kString,
    kDatetime,
    kTimespan,
    kGuid,
    kDynamic,
};

// KQL name of the type: "long", "datetime", ...
std::string_view TypeName(Type type);
// Parses a KQL type name (also the aliases int64, double, date, time, boolean, uuid, uniqueid).
std::optional<Type> ParseTypeName(std::string_view name);

// Physical storage class of a type's values.
enum class Physical : uint8_t { kNone, kInt64, kDouble, kString, kDynamic };
Physical PhysicalOf(Type type);

inline bool IsNumeric(Type t) {
    return t == Type::kInt || t == Type::kLong || t == Type::kReal || t == Type::kDecimal;
}

}  // namespace calypso::core
