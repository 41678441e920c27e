#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/schema.h"
#include "core/status.h"

namespace calypso::storage {

struct TableMeta {
    std::string name;
    core::Schema schema;
    std::string time_column;
    int retention_days = 0;  // 0: the store's default
};

struct SegmentMeta {
    uint64_t id = 0;
    std::string table;
    uint64_t rows = 0;
    int64_t min_time = 0;
    int64_t max_time = 0;
    int64_t day = 0;  // UTC day of the partition (days since the epoch)
};

// The store's durable state besides the WAL: the catalog, the live segments, and the
// oldest WAL file that may still hold rows not in a segment. Stored as JSON in
// DIR/MANIFEST and replaced atomically (temp file, fsync, rename, directory fsync).
struct Manifest {
    uint64_t next_file_number = 1;
    uint64_t wal_min = 0;  // replay WAL files with number >= wal_min
    std::vector<TableMeta> tables;
    std::vector<SegmentMeta> segments;

    std::string ToJson() const;
    static core::Result<Manifest> Parse(std::string_view json);
};

core::Result<Manifest> LoadManifest(core::Env* env, const std::string& dir);
core::Status SaveManifest(core::Env* env, const std::string& dir, const Manifest& manifest);

}  // namespace calypso::storage
