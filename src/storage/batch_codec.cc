#include "storage/batch_codec.h"

#include <xxhash.h>

#include <bit>

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

void EncodeColumn(const Column& column, std::string& out) {
    const size_t rows = column.size();
    const bool dynamic = core::PhysicalOf(column.type()) == Physical::kDynamic;
    out.push_back(static_cast<char>(static_cast<uint8_t>(column.type()) |
                                    (dynamic ? kBinaryDynamic : 0)));
    PutVarint(out, rows);
    auto validity = column.validity();
    out.append(reinterpret_cast<const char*>(validity.data()), validity.size());
    switch (core::PhysicalOf(column.type())) {
        case Physical::kInt64:
            for (int64_t v : column.int64s()) PutFixed64(out, static_cast<uint64_t>(v));
            break;
        case Physical::kDouble:
            for (double v : column.doubles()) PutFixed64(out, std::bit_cast<uint64_t>(v));
            break;
        case Physical::kString:
            for (size_t i = 0; i < rows; ++i) PutLengthPrefixed(out, column.string_at(i));
            break;
        case Physical::kDynamic:
            for (const auto& d : column.dynamics()) EncodeDynamic(d, out);
            break;
        case Physical::kNone:
            break;
    }
}

namespace {

Status Truncated(std::string_view what) {
    return Status::Corruption("truncated or malformed " + std::string(what));
}

Status DecodeColumnFrom(Reader& r, Column& out) {
    uint8_t type_byte;
    uint64_t rows;
    if (!r.GetByte(type_byte) || !r.GetVarint(rows)) return Truncated("column header");
    const bool binary_dynamic = (type_byte & kBinaryDynamic) != 0;
    type_byte &= static_cast<uint8_t>(~kBinaryDynamic);
    if (binary_dynamic && type_byte != static_cast<uint8_t>(core::Type::kDynamic)) {
        return Status::Corruption("binary values flag on a non-dynamic column");
    }
    if (type_byte > static_cast<uint8_t>(core::Type::kDynamic)) {
        return Status::Corruption("unknown column type " + std::to_string(type_byte));
    }
    const auto type = static_cast<core::Type>(type_byte);
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
