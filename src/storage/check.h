#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace calypso::storage {

struct CheckReport {
    uint64_t segments_checked = 0;
    uint64_t rows_checked = 0;
    uint64_t wal_records = 0;
    std::vector<std::string> problems;     // one line each: what is damaged, where
    std::vector<std::string> quarantined;  // files already moved to DIR/quarantine
};

// What the files of one table hold.
struct TableReport {
    std::string table;
    uint64_t rows = 0;
    uint64_t segments = 0;
    uint64_t partitions = 0;          // distinct UTC days
    uint64_t bytes_on_disk = 0;       // segment files
    uint64_t uncompressed_bytes = 0;  // the same columns before compression
    uint64_t ingested_bytes = 0;      // raw request bytes, from the Usage table's segments
    int retention_days = 0;           // 0: the server's default
};

// Per-table storage report from the MANIFEST and the segment footers (read-only; cheap:
// no column block is read). Rows still only in the WAL are not counted.
core::Result<std::vector<TableReport>> StorageReport(core::Env* env, const std::string& dir);

// Reads a store directory without changing it: the MANIFEST, every column block of every
// segment it lists (checksums, decompression, row counts), and every WAL file. Safe to
// run while a server uses the directory. An error means the directory could not be read.
core::Result<CheckReport> CheckStore(core::Env* env, const std::string& dir);

}  // namespace calypso::storage
