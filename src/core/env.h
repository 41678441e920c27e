#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace calypso::core {

// A file opened for appending. Not thread-safe.
class WritableFile {
  public:
    virtual ~WritableFile() = default;
    virtual Status Append(std::string_view data) = 0;
    // Makes everything appended so far durable (fdatasync).
    virtual Status Sync() = 0;
    virtual Status Close() = 0;
};

// All file-system access of the store goes through an Env, so tests can inject faults
// (short writes, failed syncs, torn tails). Implementations are thread-safe. Errors are
// IOError, except a full disk (ENOSPC, EDQUOT), which is Unavailable: it passes.
class Env {
  public:
    virtual ~Env() = default;

    // The real POSIX file system. Never null; lives forever.
    static Env* Default();

    // Creates or truncates `path` (or appends to it when `append`).
    virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                  bool append = false) = 0;
    virtual Result<std::string> ReadFile(const std::string& path) = 0;
    // Reads `n` bytes at `offset`; Corruption when the file is shorter.
    virtual Result<std::string> ReadFileRange(const std::string& path, uint64_t offset,
                                              size_t n) = 0;
    virtual Result<uint64_t> FileSize(const std::string& path) = 0;
    virtual bool FileExists(const std::string& path) = 0;
    virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
    virtual Status CreateDirs(const std::string& dir) = 0;
    virtual Status RemoveFile(const std::string& path) = 0;
    // Atomically replaces `to` with `from`.
    virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
    // Makes directory entries (creates, renames, removals) in `dir` durable.
    virtual Status SyncDir(const std::string& dir) = 0;
    virtual Status Truncate(const std::string& path, uint64_t size) = 0;
};

// Writes `data` to `path` durably and atomically: temp file, fsync, rename, fsync dir.
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data);

}  // namespace calypso::core
