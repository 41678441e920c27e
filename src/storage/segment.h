#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/env.h"
#include "core/status.h"

namespace calypso::storage {

// Segment file format, version 1: one immutable file per flushed batch of one table.
//
//   file   := magic:"CLPSEG\0\1" column_block* footer footer_len:fixed32 footer_crc:fixed32
//             magic:"CLPSEG\0\1"
//   column_block := zstd(EncodeColumn(column))          (see batch_codec.h)
//   A dynamic column may be shredded (shred.h): its block holds the residual objects and
//   blocks named "column\x1fkey" hold string sub-columns of frequent keys.
//   footer := version:varint table:lp rows:varint min_time:fixed64 max_time:fixed64
//             ncols:varint (name:lp type:u8 offset:varint size:varint raw_size:varint crc:fixed32)*
//
// lp = varint length + bytes. crc = Checksum32 of the block (or footer) bytes as stored.
// min_time/max_time bound the table's time column (INT64_MAX/INT64_MIN when it has none),
// so scans skip whole segments by time. Issue 4 replaces the single block per column with
// per-block encodings and indexes; the version field tells the formats apart.
inline constexpr std::string_view kSegmentMagic{"CLPSEG\0\1", 8};
inline constexpr uint64_t kSegmentVersion = 1;

struct SegmentColumnInfo {
    std::string name;
    core::Type type = core::Type::kNull;
    uint64_t offset = 0;
    uint64_t size = 0;
    uint64_t raw_size = 0;
    uint32_t crc = 0;
};

struct SegmentInfo {
    std::string table;
    uint64_t rows = 0;
    int64_t min_time = std::numeric_limits<int64_t>::max();
    int64_t max_time = std::numeric_limits<int64_t>::min();
    std::vector<SegmentColumnInfo> columns;
};

// Writes `batch` as a segment at `path`: temporary file, fsync, rename, directory fsync.
// `time_column` is the index of the time column in the batch, or -1.
core::Result<SegmentInfo> WriteSegment(core::Env* env, const std::string& path,
                                       const std::string& table, const core::Batch& batch,
                                       int time_column);

// An opened segment: Open reads and checks only the footer; ReadColumn reads and checks
// one column block. Errors of damaged files are Corruption and name the file and column.
class SegmentReader {
  public:
    static core::Result<SegmentReader> Open(core::Env* env, const std::string& path);
    const SegmentInfo& info() const { return info_; }
    // Decodes the column `name`; NotFound when the segment lacks it.
    core::Result<core::Column> ReadColumn(std::string_view name) const;
    // The values of top-level `key` of dynamic `column`, as a dynamic column: from its
    // shredded sub-column when the segment has one (no JSON is parsed), else extracted.
    core::Result<core::Column> ReadKey(std::string_view column, std::string_view key) const;
    // Reads and checks every column block (what `calypso check` does).
    core::Status VerifyAll() const;

  private:
    core::Result<core::Column> Decode(const SegmentColumnInfo& column) const;
    core::Env* env_ = nullptr;
    std::string path_;
    SegmentInfo info_;
};

}  // namespace calypso::storage
