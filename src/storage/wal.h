#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"

namespace calypso::storage {

// Write-ahead log format (after LevelDB's log format).
//
// A WAL file is a sequence of 32 KiB blocks. Each block holds fragments:
//
//   fragment := checksum:fixed32 length:fixed16 type:u8 payload[length]
//
// checksum is Checksum32(type byte + payload). type is kFull for a record that fits in
// one fragment, else kFirst, kMiddle..., kLast. A fragment never straddles a block; when
// fewer than 7 bytes remain in a block they are zero-filled and the next fragment starts in
// the next block. A record is the unit of atomicity: on recovery a torn or corrupt fragment
// ends the file (everything before it is replayed, nothing after), and the file is
// truncated there so new data never follows garbage.
inline constexpr size_t kWalBlockSize = 32 * 1024;
inline constexpr size_t kWalHeaderSize = 4 + 2 + 1;
enum class WalFragment : uint8_t { kZero = 0, kFull = 1, kFirst = 2, kMiddle = 3, kLast = 4 };

// Appends records to one WAL file. Not thread-safe: the store serializes writers.
class WalWriter {
  public:
    // Opens `path` for appending; `existing_size` is its current length (0 for a new file).
    static core::Result<std::unique_ptr<WalWriter>> Open(core::Env* env, const std::string& path,
                                                         uint64_t existing_size);
    core::Status AddRecord(std::string_view record);
    // After a failed AddRecord: cuts the file back to the end of the last complete record
    // and reopens it, so a partial record never sits before later ones.
    core::Status Rollback();
    // The end of the last record added successfully.
    uint64_t committed_size() const { return offset_; }
    core::Status Sync();
    core::Status Close();
    uint64_t size() const { return offset_; }

  private:
    WalWriter(core::Env* env, std::string path, std::unique_ptr<core::WritableFile> file,
              uint64_t offset)
        : env_(env), path_(std::move(path)), file_(std::move(file)), offset_(offset) {}
    core::Env* env_;
    std::string path_;
    std::unique_ptr<core::WritableFile> file_;
    uint64_t offset_;
};

// Reads the records of a whole WAL file held in memory.
class WalReader {
  public:
    explicit WalReader(std::string_view contents) : data_(contents) {}
    // Next complete record; false at the end of the valid prefix.
    bool Next(std::string& record);
    // Byte offset just past the last complete record returned.
    uint64_t valid_prefix() const { return valid_prefix_; }
    // True when reading stopped at damaged or torn data rather than a clean end.
    bool saw_damage() const { return damaged_; }

  private:
    bool ReadFragment(WalFragment& type, std::string_view& payload);
    std::string_view data_;
    size_t pos_ = 0;
    uint64_t valid_prefix_ = 0;
    bool damaged_ = false;
};

}  // namespace calypso::storage
