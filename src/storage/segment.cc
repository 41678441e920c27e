#include "storage/segment.h"

#include <zstd.h>

#include "storage/batch_codec.h"
#include "storage/coding.h"
#include "storage/shred.h"

namespace calypso::storage {

using core::Result;
using core::Status;

namespace {

constexpr int kZstdLevel = 3;

void EncodeFooter(const SegmentInfo& info, std::string& out) {
    PutVarint(out, kSegmentVersion);
    PutLengthPrefixed(out, info.table);
    PutVarint(out, info.rows);
    PutFixed64(out, static_cast<uint64_t>(info.min_time));
    PutFixed64(out, static_cast<uint64_t>(info.max_time));
    PutVarint(out, info.columns.size());
    for (const auto& c : info.columns) {
        PutLengthPrefixed(out, c.name);
        out.push_back(static_cast<char>(c.type));
        PutVarint(out, c.offset);
        PutVarint(out, c.size);
        PutVarint(out, c.raw_size);
        PutFixed32(out, c.crc);
    }
}

Status DecodeFooter(std::string_view data, const std::string& path, SegmentInfo& info) {
    Reader r(data);
    uint64_t version, ncols, min_time, max_time;
    std::string_view table;
    auto bad = [&] { return Status::Corruption("segment '" + path + "': malformed footer"); };
    if (!r.GetVarint(version)) return bad();
    if (version != kSegmentVersion) {
        return Status::Corruption("segment '" + path + "': unsupported version " +
                                  std::to_string(version));
    }
    if (!r.GetLengthPrefixed(table) || !r.GetVarint(info.rows) || !r.GetFixed64(min_time) ||
        !r.GetFixed64(max_time) || !r.GetVarint(ncols)) {
        return bad();
    }
    info.table = std::string(table);
    info.min_time = static_cast<int64_t>(min_time);
    info.max_time = static_cast<int64_t>(max_time);
    for (uint64_t i = 0; i < ncols; ++i) {
        SegmentColumnInfo c;
        std::string_view name;
        uint8_t type;
        if (!r.GetLengthPrefixed(name) || !r.GetByte(type) || !r.GetVarint(c.offset) ||
            !r.GetVarint(c.size) || !r.GetVarint(c.raw_size) || !r.GetFixed32(c.crc)) {
            return bad();
        }
        c.name = std::string(name);
        c.type = static_cast<core::Type>(type);
        info.columns.push_back(std::move(c));
    }
    return Status::Ok();
}

}  // namespace

Result<SegmentInfo> WriteSegment(core::Env* env, const std::string& path, const std::string& table,
                                 const core::Batch& batch, int time_column) {
    SegmentInfo info;
    info.table = table;
    info.rows = batch.num_rows();
    if (time_column >= 0) {
        const auto& col = batch.columns[static_cast<size_t>(time_column)];
        for (size_t i = 0; i < col.size(); ++i) {
            if (col.IsNull(i)) continue;
            info.min_time = std::min(info.min_time, col.int64_at(i));
            info.max_time = std::max(info.max_time, col.int64_at(i));
        }
    }
    std::string file(kSegmentMagic);
    std::string raw;
    std::string compressed;
    auto add_block = [&](const std::string& name, const core::Column& column) -> Status {
        raw.clear();
        EncodeColumn(column, raw);
        compressed.resize(ZSTD_compressBound(raw.size()));
        size_t n =
            ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(), kZstdLevel);
        if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
        compressed.resize(n);
        info.columns.push_back(
            {name, column.type(), file.size(), n, raw.size(), Checksum32(compressed)});
        file += compressed;
        return Status::Ok();
    };
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        const std::string& name = batch.schema.fields[i].name;
        if (batch.columns[i].type() != core::Type::kDynamic) {
            RETURN_IF_ERROR(add_block(name, batch.columns[i]));
            continue;
        }
        ShreddedColumn shredded = Shred(batch.columns[i]);
        RETURN_IF_ERROR(add_block(name, shredded.residual));
        for (const auto& [key, column] : shredded.keys) {
            RETURN_IF_ERROR(add_block(name + kShredSeparator + key, column));
        }
    }
    std::string footer;
    EncodeFooter(info, footer);
    file += footer;
    PutFixed32(file, static_cast<uint32_t>(footer.size()));
    PutFixed32(file, Checksum32(footer));
    file += kSegmentMagic;
    RETURN_IF_ERROR(core::WriteFileAtomically(env, path, file));
    return info;
}

Result<SegmentReader> SegmentReader::Open(core::Env* env, const std::string& path) {
    SegmentReader reader;
    reader.env_ = env;
    reader.path_ = path;
    auto bad = [&](const std::string& what) {
        return Status::Corruption("segment '" + path + "': " + what);
    };
    ASSIGN_OR_RETURN(uint64_t size, env->FileSize(path));
    const size_t trailer = 4 + 4 + kSegmentMagic.size();
    if (size < kSegmentMagic.size() + trailer) return bad("truncated file");
    ASSIGN_OR_RETURN(std::string head, env->ReadFileRange(path, 0, kSegmentMagic.size()));
    ASSIGN_OR_RETURN(std::string tail, env->ReadFileRange(path, size - trailer, trailer));
    if (head != kSegmentMagic || tail.compare(8, kSegmentMagic.size(), kSegmentMagic) != 0) {
        return bad("bad magic or truncated file");
    }
    const uint32_t footer_len = DecodeFixed32(tail.data());
    const uint32_t footer_crc = DecodeFixed32(tail.data() + 4);
    if (footer_len > size - trailer - kSegmentMagic.size()) return bad("bad footer length");
    const uint64_t footer_offset = size - trailer - footer_len;
    ASSIGN_OR_RETURN(std::string footer, env->ReadFileRange(path, footer_offset, footer_len));
    if (Checksum32(footer) != footer_crc) return bad("footer checksum mismatch");
    RETURN_IF_ERROR(DecodeFooter(footer, path, reader.info_));
    for (const auto& c : reader.info_.columns) {
        if (c.offset < kSegmentMagic.size() || c.offset + c.size > footer_offset) {
            return bad("column '" + c.name + "' out of bounds");
        }
    }
    return reader;
}

Result<core::Column> SegmentReader::Decode(const SegmentColumnInfo& c) const {
    ASSIGN_OR_RETURN(std::string block, env_->ReadFileRange(path_, c.offset, c.size));
    if (Checksum32(block) != c.crc) {
        return Status::Corruption("segment '" + path_ + "': checksum mismatch in column '" +
                                  c.name + "'");
    }
    std::string raw(c.raw_size, '\0');
    size_t n = ZSTD_decompress(raw.data(), raw.size(), block.data(), block.size());
    if (ZSTD_isError(n) || n != c.raw_size) {
        return Status::Corruption("segment '" + path_ + "': cannot decompress column '" + c.name +
                                  "'");
    }
    auto col = DecodeColumn(raw);
    if (!col.ok())
        return Status::Corruption("segment '" + path_ + "': column '" + c.name +
                                  "': " + col.status().message());
    return col;
}

Result<core::Column> SegmentReader::ReadColumn(std::string_view name) const {
    const SegmentColumnInfo* base = nullptr;
    std::vector<const SegmentColumnInfo*> keys;
    for (const auto& c : info_.columns) {
        if (c.name == name) {
            base = &c;
        } else if (c.name.size() > name.size() && c.name.compare(0, name.size(), name) == 0 &&
                   c.name[name.size()] == kShredSeparator) {
            keys.push_back(&c);
        }
    }
    if (base == nullptr)
        return Status::NotFound("column '" + std::string(name) + "' not in segment");
    ASSIGN_OR_RETURN(core::Column residual, Decode(*base));
    if (keys.empty()) return residual;
    std::vector<core::Column> key_columns;
    key_columns.reserve(keys.size());
    for (const auto* k : keys) {
        ASSIGN_OR_RETURN(core::Column c, Decode(*k));
        if (c.size() != residual.size()) {
            return Status::Corruption("segment '" + path_ + "': shredded column '" + k->name +
                                      "' has the wrong length");
        }
        key_columns.push_back(std::move(c));
    }
    std::vector<std::pair<std::string, const core::Column*>> parts;
    for (size_t i = 0; i < keys.size(); ++i) {
        parts.emplace_back(keys[i]->name.substr(name.size() + 1), &key_columns[i]);
    }
    return Unshred(residual, parts);
}

Result<core::Column> SegmentReader::ReadKey(std::string_view column, std::string_view key) const {
    std::string shredded(column);
    shredded += kShredSeparator;
    shredded += key;
    for (const auto& c : info_.columns) {
        if (c.name != shredded) continue;
        ASSIGN_OR_RETURN(core::Column strings, Decode(c));
        return StringsToDynamic(strings);
    }
    // Not shredded here: the key lives in the residual objects (or nowhere).
    for (const auto& c : info_.columns) {
        if (c.name != column) continue;
        ASSIGN_OR_RETURN(core::Column residual, Decode(c));
        return ExtractKey(residual, key);
    }
    return Status::NotFound("column '" + std::string(column) + "' not in segment");
}

core::Status SegmentReader::VerifyAll() const {
    for (const auto& c : info_.columns) {
        auto col = Decode(c);
        if (!col.ok()) return col.status();
        if (col->size() != info_.rows) {
            return Status::Corruption("segment '" + path_ + "': column '" + c.name + "' has " +
                                      std::to_string(col->size()) + " rows, the footer says " +
                                      std::to_string(info_.rows));
        }
    }
    return Status::Ok();
}

}  // namespace calypso::storage
