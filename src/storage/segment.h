#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/env.h"
#include "core/status.h"
#include "storage/block_filter.h"
#include "storage/term_index.h"

namespace calypso::storage {

// Segment file format, version 3: one immutable file per flushed batch of one table and
// UTC day. Rows are cut into blocks of `block_rows` (the last one shorter); block i of every
// column holds the same rows, so a scan picks blocks once and reads only those.
//
//   file    := magic data* footer footer_len:fixed32 footer_crc:fixed32 magic
//   data    := per column: its blocks, then its blocks' filters (string columns only), then
//              its term index (term_index.h; text columns that have one)
//   block   := codec-compressed encoded block (encoding.h: per-block encoding)
//   filter  := BlockFilter (block_filter.h), uncompressed
//   footer  := version:varint table:lp rows:varint block_rows:varint
//              min_time:fixed64 max_time:fixed64 ncols:varint column*
//   column  := name:lp type:u8 nblocks:varint blockref* index
//   index   := size:varint [offset:varint crc:fixed32]                   (size > 0; v3 only)
//   blockref:= offset:varint size:varint raw_size:varint crc:fixed32 codec:u8 flags:u8
//              [min:zigzag-varint max:zigzag-varint]                     (flags & 1)
//              [filter_offset:varint filter_size:varint filter_crc:fixed32] (flags & 2)
//
// codec: 0 stored, 1 LZ4 (recent data: cheap to write), 2 zstd (cold data: small).
// min/max bound an integer-class block's present values (no range: every row is null).
// lp = varint length + bytes; crc = Checksum32 of the bytes as stored.
// A dynamic column may be shredded (shred.h): its blocks hold the residual objects in binary
// form and columns named "column\x1fkey" hold string sub-columns of frequent keys.
// min_time/max_time bound the table's time column (INT64_MAX/INT64_MIN when it has none).
// Version 2 files (no term indexes) are still read.
inline constexpr std::string_view kSegmentMagic{"CLPSEG\0\1", 8};
inline constexpr uint64_t kSegmentVersion = 3;
inline constexpr uint64_t kOldestSegmentVersion = 2;
inline constexpr size_t kDefaultBlockRows = 8192;

enum class Codec : uint8_t { kStored = 0, kLz4 = 1, kZstd = 2 };

struct BlockRef {
    uint64_t offset = 0;
    uint64_t size = 0;
    uint64_t raw_size = 0;
    uint32_t crc = 0;
    Codec codec = Codec::kStored;
    bool has_range = false;
    int64_t min = 0;
    int64_t max = 0;
    bool has_filter = false;
    uint64_t filter_offset = 0;
    uint64_t filter_size = 0;
    uint32_t filter_crc = 0;
};

struct SegmentColumnInfo {
    std::string name;
    core::Type type = core::Type::kNull;
    std::vector<BlockRef> blocks;
    uint64_t index_offset = 0;  // the term index, when index_size > 0
    uint64_t index_size = 0;
    uint32_t index_crc = 0;
    uint64_t size() const;      // bytes of the blocks, filters and index as stored
    uint64_t raw_size() const;  // bytes of the encoded blocks before compression
};

struct SegmentInfo {
    std::string table;
    uint64_t rows = 0;
    uint64_t block_rows = kDefaultBlockRows;
    int64_t min_time = std::numeric_limits<int64_t>::max();
    int64_t max_time = std::numeric_limits<int64_t>::min();
    std::vector<SegmentColumnInfo> columns;

    size_t num_blocks() const { return static_cast<size_t>((rows + block_rows - 1) / block_rows); }
    size_t BlockSize(size_t block) const {
        return static_cast<size_t>(std::min<uint64_t>(block_rows, rows - block * block_rows));
    }
    const SegmentColumnInfo* Find(std::string_view name) const;
};

// zstd levels: compaction writes a day's data for good at kZstdLevel; a flush of rows
// older than yesterday (a backfill) at kFlushZstdLevel, about twice as fast for a few
// percent more bytes, since the flush runs beside ingestion.
inline constexpr int kZstdLevel = 3;
inline constexpr int kFlushZstdLevel = 1;

struct SegmentWriteOptions {
    Codec codec = Codec::kZstd;
    int zstd_level = kZstdLevel;
    size_t block_rows = kDefaultBlockRows;
    // kOldestSegmentVersion writes a file as older builds did (tests of reading old files).
    uint64_t version = kSegmentVersion;
};

// Writes `batch` as a segment at `path`: temporary file, fsync, rename, directory fsync.
// `time_column` is the index of the time column in the batch, or -1.
core::Result<SegmentInfo> WriteSegment(core::Env* env, const std::string& path,
                                       const std::string& table, const core::Batch& batch,
                                       int time_column, const SegmentWriteOptions& options = {});

// An opened segment: Open reads and checks only the footer; blocks and filters are read
// and checked when asked for. Errors of damaged files are Corruption and name the file and
// column. Thread-safe; filters are kept in memory once read.
class SegmentReader {
  public:
    static core::Result<std::shared_ptr<const SegmentReader>> Open(core::Env* env,
                                                                   const std::string& path);
    const SegmentInfo& info() const { return info_; }

    // One block of a stored column (a shredded sub-column by its "column\x1fkey" name).
    // Adds the bytes read to `*bytes_read` when given.
    core::Result<core::Column> ReadBlock(const SegmentColumnInfo& column, size_t block,
                                         uint64_t* bytes_read = nullptr) const;
    // The whole column `name`, shredded keys put back; NotFound when the segment lacks it.
    core::Result<core::Column> ReadColumn(std::string_view name) const;
    // Block `block` of the column `name`, shredded keys put back.
    core::Result<core::Column> ReadColumnBlock(std::string_view name, size_t block,
                                               uint64_t* bytes_read = nullptr) const;
    // The values of top-level `key` of dynamic `column` in one block, as a dynamic column:
    // from its shredded sub-column when the segment has one (no JSON is parsed), else
    // extracted from the objects.
    core::Result<core::Column> ReadKeyBlock(std::string_view column, std::string_view key,
                                            size_t block, uint64_t* bytes_read = nullptr) const;
    // The filter of one block of a string column (all the column's filters are read at once
    // and kept). nullptr when the block has none.
    core::Result<const BlockFilter*> Filter(const SegmentColumnInfo& column, size_t block,
                                            uint64_t* bytes_read = nullptr) const;
    // The term index of a string column, read once and kept; nullptr when it has none.
    core::Result<const TermIndex*> Index(const SegmentColumnInfo& column,
                                         uint64_t* bytes_read = nullptr) const;
    // Reads and checks every block, filter and index (what `calypso check` does).
    core::Status VerifyAll() const;

  private:
    core::Status Corrupt(const std::string& what) const;
    core::Env* env_ = nullptr;
    std::string path_;
    SegmentInfo info_;
    mutable std::mutex mu_;
    mutable std::map<std::string, std::vector<std::unique_ptr<BlockFilter>>, std::less<>> filters_;
    mutable std::map<std::string, std::unique_ptr<TermIndex>, std::less<>> indexes_;
};

using SegmentReaderPtr = std::shared_ptr<const SegmentReader>;

}  // namespace calypso::storage
