#include "core/string_bags.h"

#include <algorithm>

namespace calypso::core {

std::vector<Dynamic> BagsToObjects(const StringBags& bags, std::span<const uint8_t> valid) {
    std::vector<Dynamic> out(valid.size());
    for (size_t r = 0; r < valid.size(); ++r) {
        if (valid[r] == 0) continue;
        Dynamic::Object members;
        for (size_t k = 0; k < bags.keys.size(); ++k) {
            const Column& v = bags.values[k];
            if (v.IsNull(r)) continue;
            members.emplace_back(bags.keys[k], Dynamic::String(std::string(v.string_at(r))));
        }
        out[r] = Dynamic::MakeObject(std::move(members));
    }
    return out;
}

const std::vector<Dynamic>& Column::BagObjects() const {
    const StringBags& bags = *d_->bags;
    std::call_once(bags.once, [&] { bags.objects = BagsToObjects(bags, d_->valid); });
    return bags.objects;
}

void Column::MakePlainDynamics() {
    Data& d = *d_;
    const std::vector<Dynamic>& objects = BagObjects();
    d.dyn.assign(objects.begin(), objects.end());
    d.bags.reset();
}

Column Column::FromStringBags(std::vector<std::string> keys, std::vector<Column> values,
                              std::vector<uint8_t> valid) {
    Column c(Type::kDynamic);
    auto bags = std::make_shared<StringBags>();
    bags->keys = std::move(keys);
    bags->values = std::move(values);
    c.d_->bags = std::move(bags);
    c.d_->valid = std::move(valid);
    return c;
}

// Rows of several string-bag columns stay string bags: the union of their keys, each
// key's rows gathered from the sources that have it (null from the others).
Column Column::GatherStringBags(std::span<const Column* const> sources,
                               std::span<const RowRef> rows) {
    std::vector<std::string> keys;
    // key_of[s][k]: the output key of source s's key k.
    std::vector<std::vector<size_t>> key_of(sources.size());
    for (size_t s = 0; s < sources.size(); ++s) {
        for (const std::string& key : sources[s]->d_->bags->keys) {
            auto it = std::find(keys.begin(), keys.end(), key);
            key_of[s].push_back(static_cast<size_t>(it - keys.begin()));
            if (it == keys.end()) keys.push_back(key);
        }
    }
    std::vector<uint8_t> valid(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        valid[i] = sources[rows[i].source]->d_->valid[rows[i].row];
    }
    // A source lacking a key reads from a column of one null row.
    const Column null_row = Nulls(Type::kString, 1);
    std::vector<Column> values;
    values.reserve(keys.size());
    std::vector<const Column*> key_sources(sources.size());
    std::vector<RowRef> key_rows(rows.begin(), rows.end());
    for (size_t k = 0; k < keys.size(); ++k) {
        std::vector<bool> has(sources.size(), false);
        for (size_t s = 0; s < sources.size(); ++s) {
            key_sources[s] = &null_row;
            const auto& of = key_of[s];
            for (size_t j = 0; j < of.size(); ++j) {
                if (of[j] != k) continue;
                key_sources[s] = &sources[s]->d_->bags->values[j];
                has[s] = true;
            }
        }
        for (size_t i = 0; i < rows.size(); ++i) {
            key_rows[i] = {rows[i].source, has[rows[i].source] ? rows[i].row : 0};
        }
        values.push_back(GatherFrom(Type::kString, key_sources, key_rows));
    }
    return FromStringBags(std::move(keys), std::move(values), std::move(valid));
}

}  // namespace calypso::core
