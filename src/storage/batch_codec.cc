#include "storage/batch_codec.h"

#include <xxhash.h>

#include <bit>
#include <memory>
#include <vector>

#include "core/string_bags.h"
#include "storage/coding.h"
#include "storage/dynamic_codec.h"

namespace calypso::storage {

using core::Column;
using core::Physical;
using core::Result;
using core::Status;

uint32_t Checksum32(std::string_view data) {
    return static_cast<uint32_t>(XXH3_64bits(data.data(), data.size()));
}

// Set on the type byte of a dynamic column whose values are in the binary form of
// dynamic_codec.h; without it (WAL files written before) each value is length-prefixed JSON.
constexpr uint8_t kBinaryDynamic = 0x80;

// Set on the type byte of a column whose rows are all one value (the batch's iKey, appId,
// SDK version, empty optional fields): written once instead of once per row, which took a
// third of a WAL record of pipeline logs.
constexpr uint8_t kConstant = 0x40;

// Set on the type byte of a dynamic column of string bags (core/string_bags.h): the
// validity, then each key once with its string column, instead of an object per row.
constexpr uint8_t kStringBags = 0x20;

namespace {

// Whether every row of a (non-dynamic) column has row 0's validity and value.
bool IsConstant(const Column& column) {
    const size_t rows = column.size();
    if (rows < 2) return false;
    auto validity = column.validity();
    for (size_t i = 1; i < rows; ++i) {
        if (validity[i] != validity[0]) return false;
    }
    switch (core::PhysicalOf(column.type())) {
        case Physical::kInt64: {
            auto v = column.int64s();
            for (size_t i = 1; i < rows; ++i) {
                if (v[i] != v[0]) return false;
            }
            return true;
        }
        case Physical::kDouble: {
            auto v = column.doubles();
            for (size_t i = 1; i < rows; ++i) {
                if (std::bit_cast<uint64_t>(v[i]) != std::bit_cast<uint64_t>(v[0])) return false;
            }
            return true;
        }
        case Physical::kString: {
            const std::string_view first = column.string_at(0);
            for (size_t i = 1; i < rows; ++i) {
                if (column.string_at(i) != first) return false;
            }
            return true;
        }
        case Physical::kDynamic:
        case Physical::kNone:
            return false;
    }
    return false;
}

void EncodeValues(const Column& column, size_t begin, size_t end, std::string& out) {
    switch (core::PhysicalOf(column.type())) {
        case Physical::kInt64: {
            auto v = column.int64s();
            for (size_t i = begin; i < end; ++i) PutFixed64(out, static_cast<uint64_t>(v[i]));
            break;
        }
        case Physical::kDouble: {
            auto v = column.doubles();
            for (size_t i = begin; i < end; ++i) PutFixed64(out, std::bit_cast<uint64_t>(v[i]));
            break;
        }
        case Physical::kString:
            for (size_t i = begin; i < end; ++i) PutLengthPrefixed(out, column.string_at(i));
            break;
        case Physical::kDynamic: {
            const auto& d = column.dynamics();
            for (size_t i = begin; i < end; ++i) EncodeDynamic(d[i], out);
            break;
        }
        case Physical::kNone:
            break;
    }
}

}  // namespace

void EncodeColumn(const Column& column, std::string& out) {
    const size_t rows = column.size();
    if (const core::StringBags* bags = column.string_bags()) {
        out.push_back(static_cast<char>(static_cast<uint8_t>(column.type()) | kStringBags));
        PutVarint(out, rows);
        auto validity = column.validity();
        out.append(reinterpret_cast<const char*>(validity.data()), validity.size());
        PutVarint(out, bags->keys.size());
        for (size_t k = 0; k < bags->keys.size(); ++k) {
            PutLengthPrefixed(out, bags->keys[k]);
            EncodeColumn(bags->values[k], out);
        }
        return;
    }
    const bool dynamic = core::PhysicalOf(column.type()) == Physical::kDynamic;
    const bool constant = IsConstant(column);
    out.push_back(static_cast<char>(static_cast<uint8_t>(column.type()) |
                                    (dynamic ? kBinaryDynamic : 0) | (constant ? kConstant : 0)));
    PutVarint(out, rows);
    auto validity = column.validity();
    out.append(reinterpret_cast<const char*>(validity.data()), constant ? 1 : validity.size());
    EncodeValues(column, 0, constant ? 1 : rows, out);
}

namespace {

Status Truncated(std::string_view what) {
    return Status::Corruption("truncated or malformed " + std::string(what));
}

// A kConstant column: one validity byte and one value stand for every row.
Status DecodeConstant(Reader& r, core::Type type, size_t rows, Column& out) {
    uint8_t valid;
    if (!r.GetByte(valid)) return Truncated("column validity");
    std::vector<uint8_t> validity(rows, valid != 0 ? 1 : 0);
    switch (core::PhysicalOf(type)) {
        case Physical::kInt64: {
            uint64_t v;
            if (!r.GetFixed64(v)) return Truncated("column values");
            out = Column::FromInt64s(type, std::vector<int64_t>(rows, static_cast<int64_t>(v)),
                                     std::move(validity));
            return Status::Ok();
        }
        case Physical::kDouble: {
            uint64_t v;
            if (!r.GetFixed64(v)) return Truncated("column values");
            out = Column::FromDoubles(type, std::vector<double>(rows, std::bit_cast<double>(v)),
                                      std::move(validity));
            return Status::Ok();
        }
        case Physical::kString: {
            std::string_view s;
            if (!r.GetLengthPrefixed(s)) return Truncated("column values");
            // One dictionary entry shared by every row.
            out = Column::FromDictionary(
                type, std::make_shared<const std::vector<std::string>>(1, std::string(s)),
                std::vector<uint32_t>(rows, 0), std::move(validity));
            return Status::Ok();
        }
        case Physical::kDynamic:
        case Physical::kNone:
            break;
    }
    return Status::Corruption("constant flag on a column of type " +
                              std::to_string(static_cast<int>(type)));
}

Status DecodeColumnFrom(Reader& r, Column& out);

// A kStringBags column: validity, the number of keys, then each key and its string column.
Status DecodeStringBags(Reader& r, size_t rows, Column& out) {
    std::string_view validity;
    uint64_t nkeys;
    if (!r.GetBytes(rows, validity) || !r.GetVarint(nkeys) || nkeys > rows * 100 + 100) {
        return Truncated("string bags header");
    }
    std::vector<std::string> keys;
    std::vector<Column> values;
    for (uint64_t k = 0; k < nkeys; ++k) {
        std::string_view key;
        Column value;
        if (!r.GetLengthPrefixed(key)) return Truncated("string bags key");
        RETURN_IF_ERROR(DecodeColumnFrom(r, value));
        if (value.size() != rows || core::PhysicalOf(value.type()) != Physical::kString) {
            return Status::Corruption("string bags key column of another length or type");
        }
        keys.emplace_back(key);
        values.push_back(std::move(value));
    }
    out = Column::FromStringBags(std::move(keys), std::move(values),
                                 std::vector<uint8_t>(validity.begin(), validity.end()));
    return Status::Ok();
}

Status DecodeColumnFrom(Reader& r, Column& out) {
    uint8_t type_byte;
    uint64_t rows;
    if (!r.GetByte(type_byte) || !r.GetVarint(rows)) return Truncated("column header");
    const bool binary_dynamic = (type_byte & kBinaryDynamic) != 0;
    const bool constant = (type_byte & kConstant) != 0;
    const bool string_bags = (type_byte & kStringBags) != 0;
    type_byte &= static_cast<uint8_t>(~(kBinaryDynamic | kConstant | kStringBags));
    if (string_bags) {
        if (type_byte != static_cast<uint8_t>(core::Type::kDynamic) || binary_dynamic || constant) {
            return Status::Corruption("string-bags flag on a column that is not plain dynamic");
        }
        return DecodeStringBags(r, static_cast<size_t>(rows), out);
    }
    if (binary_dynamic && type_byte != static_cast<uint8_t>(core::Type::kDynamic)) {
        return Status::Corruption("binary values flag on a non-dynamic column");
    }
    if (type_byte > static_cast<uint8_t>(core::Type::kDynamic)) {
        return Status::Corruption("unknown column type " + std::to_string(type_byte));
    }
    const auto type = static_cast<core::Type>(type_byte);
    if (constant) return DecodeConstant(r, type, static_cast<size_t>(rows), out);
    std::string_view validity;
    if (!r.GetBytes(static_cast<size_t>(rows), validity)) return Truncated("column validity");
    Column col(type);
    col.Reserve(static_cast<size_t>(rows));
    const Physical physical = core::PhysicalOf(type);
    for (size_t i = 0; i < rows; ++i) {
        const bool valid = validity[i] != 0;
        switch (physical) {
            case Physical::kInt64: {
                uint64_t v;
                if (!r.GetFixed64(v)) return Truncated("column values");
                valid ? col.AppendInt64(static_cast<int64_t>(v)) : col.AppendNull();
                break;
            }
            case Physical::kDouble: {
                uint64_t v;
                if (!r.GetFixed64(v)) return Truncated("column values");
                valid ? col.AppendDouble(std::bit_cast<double>(v)) : col.AppendNull();
                break;
            }
            case Physical::kString: {
                std::string_view s;
                if (!r.GetLengthPrefixed(s)) return Truncated("column values");
                valid ? col.AppendString(s) : col.AppendNull();
                break;
            }
            case Physical::kDynamic: {
                if (binary_dynamic) {
                    core::Dynamic d;
                    if (!DecodeDynamic(r, d)) return Truncated("dynamic value");
                    valid ? col.AppendDynamic(std::move(d)) : col.AppendNull();
                    break;
                }
                std::string_view s;
                if (!r.GetLengthPrefixed(s)) return Truncated("column values");
                if (!valid) {
                    col.AppendNull();
                    break;
                }
                auto d = core::Dynamic::Parse(s);
                if (!d.ok())
                    return Status::Corruption("bad dynamic value: " + d.status().message());
                col.AppendDynamic(std::move(d).value());
                break;
            }
            case Physical::kNone:
                col.AppendNull();
                break;
        }
    }
    out = std::move(col);
    return Status::Ok();
}

}  // namespace

Result<Column> DecodeColumn(std::string_view data) {
    Reader r(data);
    Column col;
    RETURN_IF_ERROR(DecodeColumnFrom(r, col));
    if (r.remaining() != 0) return Status::Corruption("trailing bytes after column");
    return col;
}

void EncodeBatch(const core::Batch& batch, std::string& out) {
    PutVarint(out, batch.columns.size());
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        PutLengthPrefixed(out, batch.schema.fields[i].name);
        EncodeColumn(batch.columns[i], out);
    }
}

Result<core::Batch> DecodeBatch(std::string_view data) {
    Reader r(data);
    uint64_t ncols;
    if (!r.GetVarint(ncols) || ncols > 100000) return Truncated("batch header");
    core::Batch batch;
    for (uint64_t i = 0; i < ncols; ++i) {
        std::string_view name;
        if (!r.GetLengthPrefixed(name)) return Truncated("column name");
        Column col;
        RETURN_IF_ERROR(DecodeColumnFrom(r, col));
        if (!batch.columns.empty() && col.size() != batch.columns[0].size()) {
            return Status::Corruption("columns of a batch differ in length");
        }
        batch.schema.fields.push_back({std::string(name), col.type()});
        batch.columns.push_back(std::move(col));
    }
    if (r.remaining() != 0) return Status::Corruption("trailing bytes after batch");
    return batch;
}

}  // namespace calypso::storage
