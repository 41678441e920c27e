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

// Reads a store directory without changing it: the MANIFEST, every column block of every
// segment it lists (checksums, decompression, row counts), and every WAL file. Safe to
// run while a server uses the directory. An error means the directory could not be read.
core::Result<CheckReport> CheckStore(core::Env* env, const std::string& dir);

}  // namespace calypso::storage
