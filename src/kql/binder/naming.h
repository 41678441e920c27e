#pragma once

#include <set>
#include <string>

namespace calypso::kql {

// Makes `name` unique among `taken` by appending the smallest free number.
inline std::string UniqueName(const std::string& name, const std::set<std::string>& taken) {
    if (taken.count(name) == 0) return name;
    for (int i = 1;; ++i) {
        std::string n = name + std::to_string(i);
        if (taken.count(n) == 0) return n;
    }
}

// Names of the next "ColumnN" not already taken.
inline std::string NextColumnName(std::set<std::string>& taken, int& counter) {
    while (true) {
        std::string n = "Column" + std::to_string(++counter);
        if (taken.count(n) == 0) return n;
    }
}

}  // namespace calypso::kql
