#include "storage/segment.h"

#include <lz4.h>
#include <zstd.h>

#include "storage/bitpack.h"
#include "storage/coding.h"
#include "storage/encoding.h"
#include "storage/shred.h"

namespace calypso::storage {

using core::Result;
using core::Status;

namespace {

constexpr uint8_t kHasRange = 1;
constexpr uint8_t kHasFilter = 2;

void EncodeFooter(const SegmentInfo& info, uint64_t version, std::string& out) {
    PutVarint(out, version);
    PutLengthPrefixed(out, info.table);
    PutVarint(out, info.rows);
    PutVarint(out, info.block_rows);
    PutFixed64(out, static_cast<uint64_t>(info.min_time));
    PutFixed64(out, static_cast<uint64_t>(info.max_time));
    PutVarint(out, info.columns.size());
    for (const auto& c : info.columns) {
        PutLengthPrefixed(out, c.name);
        out.push_back(static_cast<char>(c.type));
        PutVarint(out, c.blocks.size());
        for (const auto& b : c.blocks) {
            PutVarint(out, b.offset);
            PutVarint(out, b.size);
            PutVarint(out, b.raw_size);
            PutFixed32(out, b.crc);
            out.push_back(static_cast<char>(b.codec));
            out.push_back(
                static_cast<char>((b.has_range ? kHasRange : 0) | (b.has_filter ? kHasFilter : 0)));
            if (b.has_range) {
                PutVarint(out, ZigZag(b.min));
                PutVarint(out, ZigZag(b.max));
            }
            if (b.has_filter) {
                PutVarint(out, b.filter_offset);
                PutVarint(out, b.filter_size);
                PutFixed32(out, b.filter_crc);
            }
        }
        if (version < 3) continue;
        PutVarint(out, c.index_size);
        if (c.index_size > 0) {
            PutVarint(out, c.index_offset);
            PutFixed32(out, c.index_crc);
        }
    }
}

bool DecodeBlockRef(Reader& r, BlockRef& b) {
    uint8_t codec, flags;
    if (!r.GetVarint(b.offset) || !r.GetVarint(b.size) || !r.GetVarint(b.raw_size) ||
        !r.GetFixed32(b.crc) || !r.GetByte(codec) || !r.GetByte(flags) ||
        codec > static_cast<uint8_t>(Codec::kZstd)) {
        return false;
    }
    b.codec = static_cast<Codec>(codec);
    b.has_range = (flags & kHasRange) != 0;
    b.has_filter = (flags & kHasFilter) != 0;
    if (b.has_range) {
        uint64_t lo, hi;
        if (!r.GetVarint(lo) || !r.GetVarint(hi)) return false;
        b.min = UnZigZag(lo);
        b.max = UnZigZag(hi);
    }
    if (b.has_filter && (!r.GetVarint(b.filter_offset) || !r.GetVarint(b.filter_size) ||
                         !r.GetFixed32(b.filter_crc))) {
        return false;
    }
    return true;
}

Status DecodeFooter(std::string_view data, const std::string& path, SegmentInfo& info) {
    Reader r(data);
    uint64_t version, ncols, min_time, max_time;
    std::string_view table;
    auto bad = [&] { return Status::Corruption("segment '" + path + "': malformed footer"); };
    if (!r.GetVarint(version)) return bad();
    if (version < kOldestSegmentVersion || version > kSegmentVersion) {
        return Status::Corruption("segment '" + path + "': unsupported format version " +
                                  std::to_string(version) + " (this build reads version " +
                                  std::to_string(kSegmentVersion) + ")");
    }
    if (!r.GetLengthPrefixed(table) || !r.GetVarint(info.rows) || !r.GetVarint(info.block_rows) ||
        info.block_rows == 0 || !r.GetFixed64(min_time) || !r.GetFixed64(max_time) ||
        !r.GetVarint(ncols) || ncols > r.remaining()) {
        return bad();
    }
    info.table = std::string(table);
    info.min_time = static_cast<int64_t>(min_time);
    info.max_time = static_cast<int64_t>(max_time);
    const size_t nblocks = info.num_blocks();
    for (uint64_t i = 0; i < ncols; ++i) {
        SegmentColumnInfo c;
        std::string_view name;
        uint8_t type;
        uint64_t count;
        if (!r.GetLengthPrefixed(name) || !r.GetByte(type) ||
            type > static_cast<uint8_t>(core::Type::kDynamic) || !r.GetVarint(count) ||
            count != nblocks) {
            return bad();
        }
        c.name = std::string(name);
        c.type = static_cast<core::Type>(type);
        c.blocks.resize(nblocks);
        for (auto& b : c.blocks) {
            if (!DecodeBlockRef(r, b)) return bad();
        }
        if (version >= 3) {
            if (!r.GetVarint(c.index_size)) return bad();
            if (c.index_size > 0 && (!r.GetVarint(c.index_offset) || !r.GetFixed32(c.index_crc))) {
                return bad();
            }
        }
        info.columns.push_back(std::move(c));
    }
    return Status::Ok();
}

// Compresses `raw` with `codec` into `out`; keeps it stored when that does not pay.
Codec Compress(Codec codec, int zstd_level, ZSTD_CCtx* zstd, const std::string& raw,
               std::string& out) {
    if (codec == Codec::kLz4) {
        out.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
        int n = LZ4_compress_default(raw.data(), out.data(), static_cast<int>(raw.size()),
                                     static_cast<int>(out.size()));
        if (n > 0 && static_cast<size_t>(n) < raw.size()) {
            out.resize(static_cast<size_t>(n));
            return Codec::kLz4;
        }
    } else if (codec == Codec::kZstd) {
        out.resize(ZSTD_compressBound(raw.size()));
        size_t n =
            ZSTD_compressCCtx(zstd, out.data(), out.size(), raw.data(), raw.size(), zstd_level);
        if (!ZSTD_isError(n) && n < raw.size()) {
            out.resize(n);
            return Codec::kZstd;
        }
    }
    out = raw;
    return Codec::kStored;
}

bool Decompress(Codec codec, std::string_view in, std::string& raw) {
    switch (codec) {
        case Codec::kStored:
            if (in.size() != raw.size()) return false;
            std::copy(in.begin(), in.end(), raw.begin());
            return true;
        case Codec::kLz4: {
            int n = LZ4_decompress_safe(in.data(), raw.data(), static_cast<int>(in.size()),
                                        static_cast<int>(raw.size()));
            return n >= 0 && static_cast<size_t>(n) == raw.size();
        }
        case Codec::kZstd: {
            thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                                 ZSTD_freeDCtx);
            size_t n =
                ZSTD_decompressDCtx(dctx.get(), raw.data(), raw.size(), in.data(), in.size());
            return !ZSTD_isError(n) && n == raw.size();
        }
    }
    return false;
}

bool IsStringy(core::Type t) { return t == core::Type::kString || t == core::Type::kGuid; }

// Writes one column's blocks, then their filters, appending to `file`.
Status AddColumn(const std::string& name, const core::Column& column, const SegmentInfo& info,
                 const SegmentWriteOptions& options, ZSTD_CCtx* zstd, std::string& file,
                 SegmentInfo& out) {
    const Codec codec = options.codec;
    SegmentColumnInfo c;
    c.name = name;
    c.type = column.type();
    std::string raw, stored;
    size_t plain_text_blocks = 0;
    for (size_t b = 0; b < info.num_blocks(); ++b) {
        const size_t begin = b * info.block_rows;
        const size_t end = begin + info.BlockSize(b);
        raw.clear();
        BlockSummary summary;
        EncodeBlock(column, begin, end, raw, summary);
        BlockRef ref;
        ref.codec = Compress(codec, options.zstd_level, zstd, raw, stored);
        ref.offset = file.size();
        ref.size = stored.size();
        ref.raw_size = raw.size();
        ref.crc = Checksum32(stored);
        ref.has_range = summary.has_range;
        ref.min = summary.min;
        ref.max = summary.max;
        plain_text_blocks += summary.encoding == Encoding::kPlainString ? 1 : 0;
        file += stored;
        c.blocks.push_back(ref);
    }
    if (IsStringy(column.type())) {
        std::string filter;
        for (size_t b = 0; b < info.num_blocks(); ++b) {
            const size_t begin = b * info.block_rows;
            filter.clear();
            BlockFilter::Build(column, begin, begin + info.BlockSize(b), filter);
            BlockRef& ref = c.blocks[b];
            ref.has_filter = true;
            ref.filter_offset = file.size();
            ref.filter_size = filter.size();
            ref.filter_crc = Checksum32(filter);
            file += filter;
        }
    }
    // Text too varied for a dictionary (log messages) gets a term index; a dictionary
    // column is answered well by its filters and per-value kernels.
    if (IsStringy(column.type()) && plain_text_blocks * 2 > info.num_blocks() &&
        options.version >= 3) {
        std::string index = TermIndex::Build(column);
        if (!index.empty()) {
            c.index_offset = file.size();
            c.index_size = index.size();
            c.index_crc = Checksum32(index);
            file += index;
        }
    }
    out.columns.push_back(std::move(c));
    return Status::Ok();
}

}  // namespace

uint64_t SegmentColumnInfo::size() const {
    uint64_t n = 0;
    for (const auto& b : blocks) n += b.size + (b.has_filter ? b.filter_size : 0);
    return n + index_size;
}

uint64_t SegmentColumnInfo::raw_size() const {
    uint64_t n = 0;
    for (const auto& b : blocks) n += b.raw_size;
    return n;
}

const SegmentColumnInfo* SegmentInfo::Find(std::string_view name) const {
    for (const auto& c : columns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

Result<SegmentInfo> WriteSegment(core::Env* env, const std::string& path, const std::string& table,
                                 const core::Batch& batch, int time_column,
                                 const SegmentWriteOptions& options) {
    SegmentInfo info;
    info.table = table;
    info.rows = batch.num_rows();
    info.block_rows = std::max<size_t>(1, options.block_rows);
    if (time_column >= 0) {
        const auto& col = batch.columns[static_cast<size_t>(time_column)];
        for (size_t i = 0; i < col.size(); ++i) {
            if (col.IsNull(i)) continue;
            info.min_time = std::min(info.min_time, col.int64_at(i));
            info.max_time = std::max(info.max_time, col.int64_at(i));
        }
    }
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> zstd(ZSTD_createCCtx(), ZSTD_freeCCtx);
    std::string file(kSegmentMagic);
    SegmentInfo layout = info;  // the block geometry AddColumn follows
    for (size_t i = 0; i < batch.columns.size(); ++i) {
        const std::string& name = batch.schema.fields[i].name;
        if (batch.columns[i].type() != core::Type::kDynamic) {
            RETURN_IF_ERROR(
                AddColumn(name, batch.columns[i], layout, options, zstd.get(), file, info));
            continue;
        }
        ShreddedColumn shredded = Shred(batch.columns[i]);
        RETURN_IF_ERROR(
            AddColumn(name, shredded.residual, layout, options, zstd.get(), file, info));
        for (const auto& [key, column] : shredded.keys) {
            RETURN_IF_ERROR(AddColumn(name + kShredSeparator + key, column, layout, options,
                                      zstd.get(), file, info));
        }
    }
    std::string footer;
    EncodeFooter(info, options.version, footer);
    file += footer;
    PutFixed32(file, static_cast<uint32_t>(footer.size()));
    PutFixed32(file, Checksum32(footer));
    file += kSegmentMagic;
    RETURN_IF_ERROR(core::WriteFileAtomically(env, path, file));
    return info;
}

Status SegmentReader::Corrupt(const std::string& what) const {
    return Status::Corruption("segment '" + path_ + "': " + what);
}

Result<SegmentReaderPtr> SegmentReader::Open(core::Env* env, const std::string& path) {
    auto reader = std::make_shared<SegmentReader>();
    reader->env_ = env;
    reader->path_ = path;
    ASSIGN_OR_RETURN(uint64_t size, env->FileSize(path));
    const size_t trailer = 4 + 4 + kSegmentMagic.size();
    if (size < kSegmentMagic.size() + trailer) return reader->Corrupt("truncated file");
    ASSIGN_OR_RETURN(std::string head, env->ReadFileRange(path, 0, kSegmentMagic.size()));
    ASSIGN_OR_RETURN(std::string tail, env->ReadFileRange(path, size - trailer, trailer));
    if (head != kSegmentMagic || tail.compare(8, kSegmentMagic.size(), kSegmentMagic) != 0) {
        return reader->Corrupt("bad magic or truncated file");
    }
    const uint32_t footer_len = DecodeFixed32(tail.data());
    const uint32_t footer_crc = DecodeFixed32(tail.data() + 4);
    if (footer_len > size - trailer - kSegmentMagic.size()) {
        return reader->Corrupt("bad footer length");
    }
    const uint64_t footer_offset = size - trailer - footer_len;
    ASSIGN_OR_RETURN(std::string footer, env->ReadFileRange(path, footer_offset, footer_len));
    if (Checksum32(footer) != footer_crc) return reader->Corrupt("footer checksum mismatch");
    RETURN_IF_ERROR(DecodeFooter(footer, path, reader->info_));
    for (const auto& c : reader->info_.columns) {
        for (const auto& b : c.blocks) {
            bool in = b.offset >= kSegmentMagic.size() && b.offset + b.size <= footer_offset &&
                      (!b.has_filter || (b.filter_offset >= kSegmentMagic.size() &&
                                         b.filter_offset + b.filter_size <= footer_offset));
            if (!in) return reader->Corrupt("column '" + c.name + "' out of bounds");
        }
        if (c.index_size > 0 && (c.index_offset < kSegmentMagic.size() ||
                                 c.index_offset + c.index_size > footer_offset)) {
            return reader->Corrupt("the term index of column '" + c.name + "' out of bounds");
        }
    }
    return SegmentReaderPtr(std::move(reader));
}

Result<core::Column> SegmentReader::ReadBlock(const SegmentColumnInfo& c, size_t block,
                                              uint64_t* bytes_read) const {
    const BlockRef& b = c.blocks.at(block);
    ASSIGN_OR_RETURN(std::string stored, env_->ReadFileRange(path_, b.offset, b.size));
    if (bytes_read != nullptr) *bytes_read += b.size;
    if (Checksum32(stored) != b.crc) {
        return Corrupt("checksum mismatch in column '" + c.name + "' block " +
                       std::to_string(block));
    }
    std::string raw(b.raw_size, '\0');
    if (!Decompress(b.codec, stored, raw)) {
        return Corrupt("cannot decompress column '" + c.name + "' block " + std::to_string(block));
    }
    auto col = DecodeBlock(c.type, raw, info_.BlockSize(block));
    if (!col.ok()) {
        return Corrupt("column '" + c.name + "' block " + std::to_string(block) + ": " +
                       col.status().message());
    }
    return col;
}

Result<core::Column> SegmentReader::ReadColumnBlock(std::string_view name, size_t block,
                                                    uint64_t* bytes_read) const {
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
    if (base == nullptr) {
        return Status::NotFound("column '" + std::string(name) + "' not in segment");
    }
    ASSIGN_OR_RETURN(core::Column residual, ReadBlock(*base, block, bytes_read));
    if (keys.empty()) return residual;
    std::vector<core::Column> key_columns;
    key_columns.reserve(keys.size());
    for (const auto* k : keys) {
        ASSIGN_OR_RETURN(core::Column c, ReadBlock(*k, block, bytes_read));
        key_columns.push_back(std::move(c));
    }
    std::vector<std::pair<std::string, const core::Column*>> parts;
    for (size_t i = 0; i < keys.size(); ++i) {
        parts.emplace_back(keys[i]->name.substr(name.size() + 1), &key_columns[i]);
    }
    return Unshred(residual, parts);
}

Result<core::Column> SegmentReader::ReadColumn(std::string_view name) const {
    if (info_.Find(name) == nullptr) {
        return Status::NotFound("column '" + std::string(name) + "' not in segment");
    }
    core::Column whole(info_.Find(name)->type);
    for (size_t b = 0; b < info_.num_blocks(); ++b) {
        ASSIGN_OR_RETURN(core::Column part, ReadColumnBlock(name, b));
        whole.AppendAll(part);
    }
    return whole;
}

Result<core::Column> SegmentReader::ReadKeyBlock(std::string_view column, std::string_view key,
                                                 size_t block, uint64_t* bytes_read) const {
    std::string shredded(column);
    shredded += kShredSeparator;
    shredded += key;
    if (const auto* c = info_.Find(shredded)) {
        ASSIGN_OR_RETURN(core::Column strings, ReadBlock(*c, block, bytes_read));
        return StringsToDynamic(strings);
    }
    // Not shredded here: the key lives in the residual objects (or nowhere).
    if (const auto* c = info_.Find(column)) {
        ASSIGN_OR_RETURN(core::Column residual, ReadBlock(*c, block, bytes_read));
        return ExtractKey(residual, key);
    }
    return Status::NotFound("column '" + std::string(column) + "' not in segment");
}

Result<const BlockFilter*> SegmentReader::Filter(const SegmentColumnInfo& c, size_t block,
                                                 uint64_t* bytes_read) const {
    if (!c.blocks.at(block).has_filter) return static_cast<const BlockFilter*>(nullptr);
    std::lock_guard lock(mu_);
    auto it = filters_.find(c.name);
    if (it == filters_.end()) {
        // The column's filters are contiguous: one read loads them all.
        uint64_t first = UINT64_MAX, last = 0;
        for (const auto& b : c.blocks) {
            if (!b.has_filter) continue;
            first = std::min(first, b.filter_offset);
            last = std::max(last, b.filter_offset + b.filter_size);
        }
        ASSIGN_OR_RETURN(std::string bytes, env_->ReadFileRange(path_, first, last - first));
        if (bytes_read != nullptr) *bytes_read += bytes.size();
        std::vector<std::unique_ptr<BlockFilter>> parsed(c.blocks.size());
        for (size_t i = 0; i < c.blocks.size(); ++i) {
            const BlockRef& b = c.blocks[i];
            if (!b.has_filter) continue;
            std::string_view f(bytes.data() + (b.filter_offset - first), b.filter_size);
            if (Checksum32(f) != b.filter_crc) {
                return Corrupt("checksum mismatch in the filter of column '" + c.name + "' block " +
                               std::to_string(i));
            }
            auto filter = BlockFilter::Parse(f);
            if (!filter.ok()) {
                return Corrupt("column '" + c.name + "' block " + std::to_string(i) + ": " +
                               filter.status().message());
            }
            parsed[i] = std::make_unique<BlockFilter>(std::move(filter).value());
        }
        it = filters_.emplace(c.name, std::move(parsed)).first;
    }
    return static_cast<const BlockFilter*>(it->second[block].get());
}

Status SegmentReader::VerifyAll() const {
    for (const auto& c : info_.columns) {
        for (size_t b = 0; b < c.blocks.size(); ++b) {
            RETURN_IF_ERROR(ReadBlock(c, b).status());
            RETURN_IF_ERROR(Filter(c, b).status());
        }
        RETURN_IF_ERROR(Index(c).status());
    }
    return Status::Ok();
}

Result<const TermIndex*> SegmentReader::Index(const SegmentColumnInfo& c,
                                              uint64_t* bytes_read) const {
    if (c.index_size == 0) return static_cast<const TermIndex*>(nullptr);
    std::lock_guard lock(mu_);
    auto it = indexes_.find(c.name);
    if (it == indexes_.end()) {
        ASSIGN_OR_RETURN(std::string bytes,
                         env_->ReadFileRange(path_, c.index_offset, c.index_size));
        if (bytes_read != nullptr) *bytes_read += bytes.size();
        if (Checksum32(bytes) != c.index_crc) {
            return Corrupt("checksum mismatch in the term index of column '" + c.name + "'");
        }
        auto index = TermIndex::Parse(std::move(bytes));
        if (!index.ok()) {
            return Corrupt("column '" + c.name + "': " + index.status().message());
        }
        it = indexes_.emplace(c.name, std::make_unique<TermIndex>(std::move(index).value())).first;
    }
    return static_cast<const TermIndex*>(it->second.get());
}

}  // namespace calypso::storage
