#include "storage/shred.h"

#include <map>

#include "core/number_text.h"
#include <unordered_map>

namespace calypso::storage {

using core::Column;
using core::Dynamic;

ShreddedColumn Shred(const Column& column) {
    const size_t rows = column.size();
    std::unordered_map<std::string, size_t> string_count;
    std::unordered_map<std::string, bool> mixed;
    for (size_t r = 0; r < rows; ++r) {
        if (column.IsNull(r)) continue;
        const Dynamic& d = column.dynamic_at(r);
        if (d.kind() != Dynamic::Kind::kObject) continue;
        for (const auto& [key, value] : d.as_object()) {
            if (value.kind() == Dynamic::Kind::kString) {
                ++string_count[key];
            } else {
                mixed[key] = true;
            }
        }
    }
    std::map<std::string, size_t> chosen;  // key -> index in `keys`, ordered for determinism
    for (const auto& [key, count] : string_count) {
        if (!mixed.contains(key) && count * kShredMinShare >= rows &&
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
    for (auto& [key, index] : chosen) {
        index = out.keys.size();
        Column c(core::Type::kString);
        c.Reserve(rows);
        out.keys.emplace_back(key, std::move(c));
    }
    out.residual = Column(core::Type::kDynamic);
    out.residual.Reserve(rows);
    std::vector<bool> seen(out.keys.size());
    for (size_t r = 0; r < rows; ++r) {
        std::fill(seen.begin(), seen.end(), false);
        if (column.IsNull(r) || column.dynamic_at(r).kind() != Dynamic::Kind::kObject) {
            out.residual.AppendFrom(column, r);
        } else {
            Dynamic::Object rest;
            for (const auto& [key, value] : column.dynamic_at(r).as_object()) {
                auto it = chosen.find(key);
                if (it != chosen.end() && !seen[it->second]) {
                    out.keys[it->second].second.AppendString(value.as_string());
                    seen[it->second] = true;
                } else {
                    rest.emplace_back(key, value);
                }
            }
            out.residual.AppendDynamic(Dynamic::MakeObject(std::move(rest)));
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
