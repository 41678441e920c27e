#include "storage/check.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "storage/manifest.h"
#include "storage/segment.h"
#include "storage/usage.h"
#include "storage/wal.h"

namespace calypso::storage {

namespace {

std::string SegmentFilePath(const std::string& dir, uint64_t id) {
    char name[32];
    std::snprintf(name, sizeof name, "/segments/%06llu.seg", static_cast<unsigned long long>(id));
    return dir + name;
}

// Adds what the Usage rows of one segment say each table ingested.
void AddIngestedBytes(const SegmentReader& usage, std::map<std::string, TableReport>& by_table) {
    auto tables = usage.ReadColumn("DataType");
    auto mib = usage.ReadColumn("Quantity");
    if (!tables.ok() || !mib.ok() || tables->size() != mib->size()) return;
    for (size_t i = 0; i < tables->size(); ++i) {
        if (mib->IsNull(i)) continue;
        const std::string table(tables->string_at(i));
        TableReport& r = by_table[table];
        r.table = table;
        r.ingested_bytes += static_cast<uint64_t>(mib->double_at(i) * 1024.0 * 1024.0);
    }
}

}  // namespace

core::Result<CheckReport> CheckStore(core::Env* env, const std::string& dir) {
    CheckReport report;
    ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(env, dir));
    for (const auto& seg : manifest.segments) {
        const std::string path = SegmentFilePath(dir, seg.id);
        auto reader = SegmentReader::Open(env, path);
        core::Status s = reader.ok() ? (*reader)->VerifyAll() : reader.status();
        if (s.ok() && (*reader)->info().rows != seg.rows) {
            s = core::Status::Corruption("segment '" + path + "' holds " +
                                         std::to_string((*reader)->info().rows) +
                                         " rows, the MANIFEST says " + std::to_string(seg.rows));
        }
        if (!s.ok()) {
            report.problems.push_back("table " + seg.table + ": " + s.message());
            continue;
        }
        ++report.segments_checked;
        report.rows_checked += seg.rows;
    }
    auto wal_files = env->ListDir(dir + "/wal");
    if (wal_files.ok()) {
        std::sort(wal_files->begin(), wal_files->end());
        for (const auto& file : *wal_files) {
            ASSIGN_OR_RETURN(std::string contents, env->ReadFile(dir + "/wal/" + file));
            WalReader reader(contents);
            std::string record;
            while (reader.Next(record)) ++report.wal_records;
            if (reader.saw_damage()) {
                report.problems.push_back("WAL " + dir + "/wal/" + file + ": damaged after byte " +
                                          std::to_string(reader.valid_prefix()) + " of " +
                                          std::to_string(contents.size()) +
                                          " (a torn tail is cut at the next start)");
            }
        }
    }
    if (auto q = env->ListDir(dir + "/quarantine"); q.ok()) {
        for (const auto& file : *q) report.quarantined.push_back(dir + "/quarantine/" + file);
    }
    return report;
}

core::Result<std::vector<TableReport>> StorageReport(core::Env* env, const std::string& dir) {
    ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(env, dir));
    std::map<std::string, TableReport> by_table;
    std::map<std::string, std::set<int64_t>> days;
    for (const auto& t : manifest.tables) {
        by_table[t.name].table = t.name;
        by_table[t.name].retention_days = t.retention_days;
    }
    for (const auto& seg : manifest.segments) {
        TableReport& r = by_table[seg.table];
        r.table = seg.table;
        r.rows += seg.rows;
        ++r.segments;
        days[seg.table].insert(seg.day);
        const std::string path = SegmentFilePath(dir, seg.id);
        if (auto size = env->FileSize(path); size.ok()) r.bytes_on_disk += *size;
        auto reader = SegmentReader::Open(env, path);
        if (!reader.ok()) continue;
        for (const auto& c : (*reader)->info().columns) r.uncompressed_bytes += c.raw_size();
        if (seg.table == kUsageTable) AddIngestedBytes(**reader, by_table);
    }
    std::vector<TableReport> out;
    for (auto& [name, r] : by_table) {
        r.partitions = days[name].size();
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace calypso::storage
