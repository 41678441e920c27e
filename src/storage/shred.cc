#include "storage/shred.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/number_text.h"
#include "core/string_bags.h"

namespace calypso::storage {

using core::Column;
using core::Dynamic;

namespace {

// The top-level keys of a column's objects, numbered in order of first appearance. Rows of
// one column mostly repeat one layout (the same keys in the same order), so the key at each
// member position of the previous row is tried first and the hash map is rarely consulted.
class KeyIndex {
  public:
    // The number of `key` as member `position` of its object.
    size_t Find(size_t position, const std::string& key) {
        if (position < last_.size()) {
            const size_t guess = last_[position];
            if (*keys_[guess] == key) return guess;
        } else {
            last_.resize(position + 1, 0);
        }
        auto [it, added] = numbers_.try_emplace(key, keys_.size());
        if (added) keys_.push_back(&it->first);
        last_[position] = it->second;
        return it->second;
    }
    size_t size() const { return keys_.size(); }
    const std::string& key(size_t number) const { return *keys_[number]; }

  private:
    std::unordered_map<std::string, size_t> numbers_;  // node-based: key pointers stay valid
    std::vector<const std::string*> keys_;
    std::vector<size_t> last_;
};

}  // namespace

namespace {

// Shred of a column held as string bags: the chosen keys' columns are already built.
ShreddedColumn ShredStringBags(const Column& column, const core::StringBags& bags) {
    const size_t rows = column.size();
    std::map<std::string, size_t> chosen;  // key -> index in bags, ordered as Shred orders
    for (size_t k = 0; k < bags.keys.size(); ++k) {
        const auto validity = bags.values[k].validity();
        const size_t present =
            static_cast<size_t>(std::count(validity.begin(), validity.end(), uint8_t{1}));
        if (present > 0 && present * kShredMinShare >= rows &&
            bags.keys[k].find(kShredSeparator) == std::string::npos) {
            chosen.emplace(bags.keys[k], k);
        }
    }
    ShreddedColumn out;
    if (chosen.empty() || rows == 0) {
        out.residual = column;
        return out;
    }
    while (chosen.size() > 64) chosen.erase(std::prev(chosen.end()));
    std::vector<bool> shredded(bags.keys.size(), false);
    for (const auto& [key, k] : chosen) {
        out.keys.emplace_back(key, bags.values[k]);
        shredded[k] = true;
    }
    const Dynamic empty = Dynamic::MakeObject({});
    std::vector<Dynamic> residual(rows);
    const auto valid = column.validity();
    for (size_t r = 0; r < rows; ++r) {
        if (valid[r] == 0) continue;
        Dynamic::Object rest;
        for (size_t k = 0; k < bags.keys.size(); ++k) {
            if (shredded[k] || bags.values[k].IsNull(r)) continue;
            rest.emplace_back(bags.keys[k], Dynamic::String(std::string(bags.values[k].string_at(r))));
        }
        residual[r] = rest.empty() ? empty : Dynamic::MakeObject(std::move(rest));
    }
    out.residual =
        Column::FromDynamics(std::move(residual), std::vector<uint8_t>(valid.begin(), valid.end()));
    return out;
}

}  // namespace

ShreddedColumn Shred(const Column& column) {
    if (const core::StringBags* bags = column.string_bags()) return ShredStringBags(column, *bags);
    const size_t rows = column.size();
    KeyIndex index;
    std::vector<size_t> string_count;
    std::vector<bool> mixed;
    for (size_t r = 0; r < rows; ++r) {
        if (column.IsNull(r)) continue;
        const Dynamic& d = column.dynamic_at(r);
        if (d.kind() != Dynamic::Kind::kObject) continue;
        const auto& members = d.as_object();
        for (size_t m = 0; m < members.size(); ++m) {
            const size_t k = index.Find(m, members[m].first);
            if (k == string_count.size()) {
                string_count.push_back(0);
                mixed.push_back(false);
            }
            if (members[m].second.kind() == Dynamic::Kind::kString) {
                ++string_count[k];
            } else {
                mixed[k] = true;
            }
        }
    }
    std::map<std::string, size_t> chosen;  // key -> index in `keys`, ordered for determinism
    for (size_t k = 0; k < index.size(); ++k) {
        const std::string& key = index.key(k);
        if (!mixed[k] && string_count[k] * kShredMinShare >= rows &&
            key.find(kShredSeparator) == std::string::npos) {
            chosen.emplace(key, 0);
        }
    }
    ShreddedColumn out;
    if (chosen.empty() || rows == 0) {
        out.residual = column;
        return out;
    }
    while (chosen.size() > 64) chosen.erase(std::prev(chosen.end()));
    // Key number -> its sub-column, or -1 when it stays in the residual.
    std::vector<int> column_of(index.size(), -1);
    for (auto& [key, position] : chosen) {
        position = out.keys.size();
        Column c(core::Type::kString);
        c.Reserve(rows);
        out.keys.emplace_back(key, std::move(c));
    }
    for (size_t k = 0; k < index.size(); ++k) {
        auto it = chosen.find(index.key(k));
        if (it != chosen.end()) column_of[k] = static_cast<int>(it->second);
    }
    out.residual = Column(core::Type::kDynamic);
    out.residual.Reserve(rows);
    // Rows whose keys were all shredded share one empty object (an object still, so that
    // Unshred tells them from null rows).
    const Dynamic empty = Dynamic::MakeObject({});
    std::vector<bool> seen(out.keys.size());
    for (size_t r = 0; r < rows; ++r) {
        std::fill(seen.begin(), seen.end(), false);
        if (column.IsNull(r) || column.dynamic_at(r).kind() != Dynamic::Kind::kObject) {
            out.residual.AppendFrom(column, r);
        } else {
            Dynamic::Object rest;
            const auto& members = column.dynamic_at(r).as_object();
            for (size_t m = 0; m < members.size(); ++m) {
                const auto& [key, value] = members[m];
                const int c = column_of[index.Find(m, key)];
                if (c >= 0 && !seen[static_cast<size_t>(c)]) {
                    out.keys[static_cast<size_t>(c)].second.AppendString(value.as_string());
                    seen[static_cast<size_t>(c)] = true;
                } else {
                    rest.emplace_back(key, value);
                }
            }
            out.residual.AppendDynamic(rest.empty() ? empty : Dynamic::MakeObject(std::move(rest)));
        }
        for (size_t k = 0; k < seen.size(); ++k) {
            if (!seen[k]) out.keys[k].second.AppendNull();
        }
    }
    return out;
}

Column Unshred(const Column& residual,
               const std::vector<std::pair<std::string, const Column*>>& keys) {
    const size_t rows = residual.size();
    Column out(core::Type::kDynamic);
    out.Reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
        Dynamic::Object object;
        for (const auto& [key, col] : keys) {
            if (!col->IsNull(r)) object.emplace_back(key, Dynamic::String(std::string(col->string_at(r))));
        }
        if (residual.IsNull(r) || residual.dynamic_at(r).kind() != Dynamic::Kind::kObject) {
            if (object.empty()) {
                out.AppendFrom(residual, r);
                continue;
            }
        } else {
            for (const auto& member : residual.dynamic_at(r).as_object()) object.push_back(member);
        }
        out.AppendDynamic(Dynamic::MakeObject(std::move(object)));
    }
    return out;
}

Column ExtractKey(const Column& dynamic, std::string_view key) {
    if (const core::StringBags* bags = dynamic.string_bags()) {
        for (size_t k = 0; k < bags->keys.size(); ++k) {
            if (bags->keys[k] == key) return StringsToDynamic(bags->values[k]);
        }
        return Column::Nulls(core::Type::kDynamic, dynamic.size());
    }
    Column out(core::Type::kDynamic);
    out.Reserve(dynamic.size());
    for (size_t r = 0; r < dynamic.size(); ++r) {
        const Dynamic* v = dynamic.IsNull(r) ? nullptr : dynamic.dynamic_at(r).Find(key);
        if (v == nullptr) {
            out.AppendNull();
        } else {
            out.AppendDynamic(*v);
        }
    }
    return out;
}

Column StringsToDynamic(const Column& strings) {
    Column out(core::Type::kDynamic);
    out.Reserve(strings.size());
    for (size_t r = 0; r < strings.size(); ++r) {
        if (strings.IsNull(r)) {
            out.AppendNull();
        } else {
            out.AppendDynamic(Dynamic::String(std::string(strings.string_at(r))));
        }
    }
    return out;
}

core::Column DynamicToReal(const core::Column& dynamic) {
    const size_t rows = dynamic.size();
    std::vector<double> values(rows, 0);
    std::vector<uint8_t> valid(rows, 0);
    for (size_t r = 0; r < rows; ++r) {
        if (!dynamic.IsNull(r)) valid[r] = core::DynamicToReal(dynamic.dynamic_at(r), values[r]);
    }
    return core::Column::FromDoubles(core::Type::kReal, std::move(values), std::move(valid));
}

core::Column StringsToReal(const core::Column& strings) {
    const size_t rows = strings.size();
    std::vector<double> values(rows, 0);
    std::vector<uint8_t> valid(rows, 0);
    if (strings.is_dictionary()) {
        // Each distinct value parsed once.
        const auto& dict = strings.dictionary();
        std::vector<double> parsed(dict.size(), 0);
        std::vector<uint8_t> ok(dict.size(), 0);
        for (size_t c = 0; c < dict.size(); ++c) ok[c] = core::ParseRealText(dict[c], parsed[c]);
        const auto codes = strings.codes();
        for (size_t r = 0; r < rows; ++r) {
            if (strings.IsNull(r)) continue;
            values[r] = parsed[codes[r]];
            valid[r] = ok[codes[r]];
        }
    } else {
        for (size_t r = 0; r < rows; ++r) {
            if (!strings.IsNull(r)) valid[r] = core::ParseRealText(strings.string_at(r), values[r]);
        }
    }
    return core::Column::FromDoubles(core::Type::kReal, std::move(values), std::move(valid));
}

core::Column DynamicToText(const core::Column& dynamic) {
    core::Column out(core::Type::kString);
    out.Reserve(dynamic.size());
    for (size_t r = 0; r < dynamic.size(); ++r) {
        if (dynamic.IsNull(r) || dynamic.dynamic_at(r).is_null()) {
            out.AppendString("");
        } else {
            out.AppendString(dynamic.dynamic_at(r).ToText());
        }
    }
    return out;
}

}  // namespace calypso::storage
