#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace calypso::core {

struct Field {
    std::string name;
    Type type = Type::kNull;
    bool operator==(const Field&) const = default;
};

// An ordered list of named, typed columns.
struct Schema {
    std::vector<Field> fields;

    size_t size() const { return fields.size(); }
    // Index of the field named `name` (exact match), if any.
    std::optional<size_t> IndexOf(std::string_view name) const;
    bool operator==(const Schema&) const = default;
};

}  // namespace calypso::core
