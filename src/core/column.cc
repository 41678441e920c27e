#include "core/column.h"

#include "core/string_bags.h"

namespace calypso::core {

std::optional<size_t> Schema::IndexOf(std::string_view name) const {
    for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) return i;
    }
    return std::nullopt;
}

void Column::Reserve(size_t n) {
    Data& d = Mutable();
    d.valid.reserve(n);
    switch (PhysicalOf(type_)) {
        case Physical::kInt64:
            d.i64.reserve(n);
            break;
        case Physical::kDouble:
            d.f64.reserve(n);
            break;
        case Physical::kString:
            d.str.reserve(n);
            break;
        case Physical::kDynamic:
            d.dyn.reserve(n);
            break;
        case Physical::kNone:
            break;
    }
}

void Column::AppendNull() {
    Data& d = Mutable();
    switch (PhysicalOf(type_)) {
        case Physical::kInt64:
            d.i64.push_back(0);
            break;
        case Physical::kDouble:
            d.f64.push_back(0);
            break;
        case Physical::kString:
            d.str.emplace_back();
            break;
        case Physical::kDynamic:
            d.dyn.emplace_back();
            break;
        case Physical::kNone:
            break;
    }
    d.valid.push_back(0);
}

void Column::Append(const Value& v) {
    if (v.is_null()) {
        AppendNull();
        return;
    }
    switch (PhysicalOf(type_)) {
        case Physical::kInt64:
            AppendInt64(v.as_int64());
            break;
        case Physical::kDouble:
            AppendDouble(v.as_double());
            break;
        case Physical::kString:
            AppendString(v.as_string());
            break;
        case Physical::kDynamic:
            AppendDynamic(v.as_dynamic());
            break;
        case Physical::kNone:
            AppendNull();
            break;
    }
}

void Column::AppendFrom(const Column& o, size_t row) {
    if (o.IsNull(row)) {
        AppendNull();
        return;
    }
    switch (PhysicalOf(type_)) {
        case Physical::kInt64:
            AppendInt64(o.int64_at(row));
            break;
        case Physical::kDouble:
            AppendDouble(o.d_->f64[row]);
            break;
        case Physical::kString:
            AppendString(o.string_at(row));
            break;
        case Physical::kDynamic:
            AppendDynamic(o.dynamic_at(row));
            break;
        case Physical::kNone:
            AppendNull();
            break;
    }
}

Value Column::Get(size_t i) const {
    if (IsNull(i)) {
        if (PhysicalOf(type_) == Physical::kString)
            return type_ == Type::kGuid ? Value::Null(type_) : Value::String("");
        return Value::Null(type_);
    }
    switch (type_) {
        case Type::kBool:
            return Value::Bool(int64_at(i) != 0);
        case Type::kInt:
            return Value::Int(int64_at(i));
        case Type::kLong:
            return Value::Long(int64_at(i));
        case Type::kDatetime:
            return Value::Datetime(int64_at(i));
        case Type::kTimespan:
            return Value::Timespan(int64_at(i));
        case Type::kReal:
        case Type::kDecimal:
            return Value::Real(d_->f64[i]);
        case Type::kString:
            return Value::String(std::string(string_at(i)));
        case Type::kGuid:
            return Value::Guid(std::string(string_at(i)));
        case Type::kDynamic:
            return Value::FromDynamic(dynamic_at(i));
        case Type::kNull:
            return Value();
    }
    return Value();
}

Column Column::Nulls(Type type, size_t n) {
    Column c(type);
    c.Reserve(n);
    for (size_t i = 0; i < n; ++i) c.AppendNull();
    return c;
}

Batch Batch::Empty(Schema schema) {
    Batch b;
    for (const auto& f : schema.fields) b.columns.emplace_back(f.type);
    b.schema = std::move(schema);
    return b;
}

void Batch::AppendRow(const Batch& other, size_t row) {
    for (size_t c = 0; c < columns.size(); ++c) columns[c].AppendFrom(other.columns[c], row);
}

size_t Batch::ByteSize() const {
    size_t bytes = 0;
    for (const auto& c : columns) {
        bytes += c.size() * (1 + sizeof(int64_t));
        bytes += c.StringBytes();
        if (const StringBags* bags = c.string_bags()) {
            for (const Column& v : bags->values) bytes += v.size() * 5 + v.StringBytes();
            continue;
        }
        for (const auto& d : c.dynamics()) bytes += sizeof(Dynamic) + d.MemoryBytes();
    }
    return bytes;
}

void Column::AppendAll(const Column& other) {
    if (size() == 0) {
        d_ = other.d_;  // share: the first write clones
        return;
    }
    Data& d = Mutable();
    other.Widen();
    const Data& o = *other.d_;
    d.valid.insert(d.valid.end(), o.valid.begin(), o.valid.end());
    d.i64.insert(d.i64.end(), o.i64.begin(), o.i64.end());
    d.f64.insert(d.f64.end(), o.f64.begin(), o.f64.end());
    const auto dyn = other.dynamics();
    d.dyn.insert(d.dyn.end(), dyn.begin(), dyn.end());
    if (PhysicalOf(type_) == Physical::kString) {
        for (size_t i = 0; i < other.size(); ++i) d.str.emplace_back(other.string_at(i));
    }
}

Column Column::GatherFrom(Type type, std::span<const Column* const> sources,
                          std::span<const RowRef> rows) {
    Column out(type);
    Data& o = *out.d_;
    o.valid.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        o.valid[i] = sources[rows[i].source]->d_->valid[rows[i].row];
    }
    switch (PhysicalOf(type)) {
        case Physical::kInt64:
            o.i64.resize(rows.size());
            for (size_t i = 0; i < rows.size(); ++i) {
                o.i64[i] = sources[rows[i].source]->int64_at(rows[i].row);
            }
            break;
        case Physical::kDouble:
            o.f64.resize(rows.size());
            for (size_t i = 0; i < rows.size(); ++i) {
                o.f64[i] = sources[rows[i].source]->d_->f64[rows[i].row];
            }
            break;
        case Physical::kString: {
            // Rows of one shared dictionary stay dictionary codes: filtered dictionary
            // columns keep grouping and comparing by code downstream.
            const auto& dict = sources.empty() ? nullptr : sources[0]->d_->dict;
            bool one_dict = dict != nullptr;
            for (const Column* src : sources) one_dict = one_dict && src->d_->dict == dict;
            if (one_dict) {
                o.dict = dict;
                o.codes.resize(rows.size());
                for (size_t i = 0; i < rows.size(); ++i) {
                    o.codes[i] = sources[rows[i].source]->code_at(rows[i].row);
                }
                break;
            }
            // The bytes to expect, from the sources' sizes: one pass over the rows instead
            // of two, and none at all for the many columns a batch leaves empty.
            size_t source_bytes = 0, source_rows = 0;
            for (const Column* src : sources) {
                source_bytes += src->StoredStringBytes();
                source_rows += src->size();
            }
            o.offsets.assign(rows.size() + 1, 0);
            std::string bytes;
            if (source_bytes > 0) {
                const size_t expected = source_bytes * rows.size() / source_rows;
                bytes.reserve(expected + expected / 8);
                for (size_t i = 0; i < rows.size(); ++i) {
                    bytes += sources[rows[i].source]->string_at(rows[i].row);
                    o.offsets[i + 1] = static_cast<uint32_t>(bytes.size());
                    if (bytes.size() > UINT32_MAX) break;
                }
            }
            if (bytes.size() > UINT32_MAX) {  // beyond 32-bit offsets: plain strings
                bytes = std::string();
                o.offsets.clear();
                o.str.reserve(rows.size());
                for (const auto& r : rows) o.str.emplace_back(sources[r.source]->string_at(r.row));
                break;
            }
            o.packed = std::make_shared<const std::string>(std::move(bytes));
            break;
        }
        case Physical::kDynamic: {
            bool all_bags = !sources.empty();
            for (const Column* src : sources) all_bags = all_bags && src->d_->bags != nullptr;
            if (all_bags) return GatherStringBags(sources, rows);
            o.dyn.reserve(rows.size());
            for (const auto& r : rows) o.dyn.push_back(sources[r.source]->dynamic_at(r.row));
            break;
        }
        case Physical::kNone:
            break;
    }
    return out;
}

void Column::PackStrings() {
    if (PhysicalOf(type_) != Physical::kString || d_->packed || d_->dict) return;
    const Column* self = this;
    std::vector<RowRef> rows(size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = {0, static_cast<uint32_t>(i)};
    *this = GatherFrom(type_, std::span<const Column* const>(&self, 1), rows);
}

void Column::MakePlainStrings() {
    Data& d = *d_;
    std::vector<std::string> plain;
    plain.reserve(d.valid.size());
    for (size_t i = 0; i < d.valid.size(); ++i) plain.emplace_back(string_at(i));
    d.str = std::move(plain);
    d.packed.reset();
    d.offsets.clear();
    d.dict.reset();
    d.codes.clear();
}

size_t Column::StoredStringBytes() const {
    const Data& d = *d_;
    if (d.packed) return d.packed->size();
    size_t bytes = 0;
    if (d.dict) {
        for (const auto& v : *d.dict) bytes += v.size();
        return d.dict->empty() ? 0 : bytes * size() / d.dict->size() + (bytes > 0 ? 1 : 0);
    }
    for (const auto& v : d.str) bytes += v.size();
    return bytes;
}

size_t Column::StringBytes() const {
    const Data& d = *d_;
    size_t bytes = 0;
    if (d.packed) bytes += d.packed->size() + d.offsets.size() * sizeof(uint32_t);
    if (d.dict) {
        bytes += d.codes.size() * sizeof(uint32_t);
        for (const auto& s : *d.dict) bytes += sizeof(std::string) + s.size();
    }
    for (const auto& s : d.str) bytes += sizeof(std::string) + (s.size() > 15 ? s.size() + 1 : 0);
    return bytes;
}

Column Column::FromPackedStrings(Type type, std::string bytes, std::vector<uint32_t> offsets,
                                 std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->packed = std::make_shared<const std::string>(std::move(bytes));
    c.d_->offsets = std::move(offsets);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromDictionary(Type type, std::shared_ptr<const std::vector<std::string>> dict,
                              std::vector<uint32_t> codes, std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->dict = std::move(dict);
    c.d_->codes = std::move(codes);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromNarrowDictionary(Type type, std::shared_ptr<const std::vector<std::string>> dict,
                                    std::vector<uint8_t> codes, std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->dict = std::move(dict);
    c.d_->narrow = std::move(codes);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromNarrowInt64s(Type type, int64_t base, std::vector<uint8_t> values) {
    Column c(type);
    c.d_->valid.assign(values.size(), 1);
    c.d_->narrow = std::move(values);
    c.d_->base = base;
    return c;
}

void Column::WidenSlow() const {
    Data& d = *d_;
    std::call_once(d.widen.flag, [&d] {
        const size_t n = d.narrow.size();
        if (d.dict) {
            if (d.codes.size() == n) return;  // cloned after widening
            d.codes.resize(n);
            for (size_t i = 0; i < n; ++i) d.codes[i] = d.narrow[i];
        } else {
            if (d.i64.size() == n) return;
            d.i64.resize(n);
            for (size_t i = 0; i < n; ++i) d.i64[i] = d.base + d.narrow[i];
        }
    });
}

Column Column::FromInt64s(Type type, std::vector<int64_t> values, std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->i64 = std::move(values);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromDoubles(Type type, std::vector<double> values, std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->f64 = std::move(values);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromStrings(Type type, std::vector<std::string> values, std::vector<uint8_t> valid) {
    Column c(type);
    c.d_->str = std::move(values);
    c.d_->valid = std::move(valid);
    return c;
}

Column Column::FromDynamics(std::vector<Dynamic> values, std::vector<uint8_t> valid) {
    Column c(Type::kDynamic);
    c.d_->dyn = std::move(values);
    c.d_->valid = std::move(valid);
    return c;
}

}  // namespace calypso::core
