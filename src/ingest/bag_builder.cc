#include "ingest/appinsights_internal.h"

namespace calypso::ingest::internal {

size_t BagBuilder::KeyNumber(size_t position, std::string_view key, size_t row) {
    if (position < last_.size() && keys_[last_[position]] == key) return last_[position];
    size_t k = 0;
    while (k < keys_.size() && keys_[k] != key) ++k;
    if (k == keys_.size()) {  // a new key: null in every row before
        keys_.emplace_back(key);
        values_.emplace_back();
        for (size_t r = 0; r < row; ++r) values_.back().AppendNull();
    }
    if (position >= last_.size()) last_.resize(position + 1);
    last_[position] = static_cast<uint32_t>(k);
    return k;
}

void BagBuilder::Add(size_t row, std::string_view key, std::string_view value) {
    PackedStrings& column = values_[KeyNumber(members_++, key, row)];
    if (column.rows() > row) return;  // repeated in this row: the first value stays
    column.Append(value);
}

void BagBuilder::EndRow(size_t row) {
    valid_.push_back(members_ > 0 ? 1 : 0);
    members_ = 0;
    for (PackedStrings& column : values_) {
        if (column.rows() <= row) column.AppendNull();
    }
}

core::Column BagBuilder::Finish() {
    if (keys_.empty()) return core::Column::Nulls(core::Type::kDynamic, valid_.size());
    std::vector<core::Column> columns;
    columns.reserve(values_.size());
    for (PackedStrings& v : values_) columns.push_back(v.Finish(core::Type::kString));
    return core::Column::FromStringBags(std::move(keys_), std::move(columns), std::move(valid_));
}

}  // namespace calypso::ingest::internal
