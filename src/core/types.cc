#include "core/types.h"

namespace calypso::core {

std::string_view TypeName(Type type) {
    switch (type) {
        case Type::kNull:
            return "null";
        case Type::kBool:
            return "bool";
        case Type::kInt:
            return "int";
        case Type::kLong:
            return "long";
        case Type::kReal:
            return "real";
        case Type::kDecimal:
            return "decimal";
        case Type::kString:
            return "string";
        case Type::kDatetime:
            return "datetime";
        case Type::kTimespan:
            return "timespan";
        case Type::kGuid:
            return "guid";
        case Type::kDynamic:
            return "dynamic";
    }
    return "unknown";
}

std::optional<Type> ParseTypeName(std::string_view n) {
    if (n == "bool" || n == "boolean") return Type::kBool;
    if (n == "int" || n == "int32") return Type::kInt;
    if (n == "long" || n == "int64") return Type::kLong;
    if (n == "real" || n == "double") return Type::kReal;
    if (n == "decimal") return Type::kDecimal;
    if (n == "string") return Type::kString;
    if (n == "datetime" || n == "date") return Type::kDatetime;
    if (n == "timespan" || n == "time") return Type::kTimespan;
    if (n == "guid" || n == "uuid" || n == "uniqueid") return Type::kGuid;
    if (n == "dynamic") return Type::kDynamic;
    return std::nullopt;
}

Physical PhysicalOf(Type type) {
    switch (type) {
        case Type::kNull:
            return Physical::kNone;
        case Type::kBool:
        case Type::kInt:
        case Type::kLong:
        case Type::kDatetime:
        case Type::kTimespan:
            return Physical::kInt64;
        case Type::kReal:
        case Type::kDecimal:
            return Physical::kDouble;
        case Type::kString:
        case Type::kGuid:
            return Physical::kString;
        case Type::kDynamic:
            return Physical::kDynamic;
    }
    return Physical::kNone;
}

}  // namespace calypso::core
