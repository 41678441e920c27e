#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "storage/batch_codec.h"
#include "storage/coding.h"
#include "storage/segment.h"
#include "storage/store_impl.h"

namespace calypso::storage {

using core::Status;

namespace {

// "000123.log" -> 123; nullopt for other names.
std::optional<uint64_t> FileNumber(const std::string& name, std::string_view suffix) {
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < name.size() - suffix.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    return n;
}

}  // namespace

std::string EncodeAppendRecord(const std::vector<core::TableBatch>& batches,
                               std::vector<size_t>* sizes) {
    std::string out;
    out.push_back(1);
    PutVarint(out, batches.size());
    for (const auto& tb : batches) {
        PutLengthPrefixed(out, tb.table);
        std::string encoded;
        EncodeBatch(tb.batch, encoded);
        PutLengthPrefixed(out, encoded);
        if (sizes != nullptr) sizes->push_back(encoded.size());
    }
    return out;
}

core::Result<std::vector<core::TableBatch>> DecodeAppendRecord(std::string_view record) {
    Reader r(record);
    uint8_t kind;
    uint64_t count;
    if (!r.GetByte(kind) || kind != 1 || !r.GetVarint(count)) {
        return Status::Corruption("WAL record: bad header");
    }
    std::vector<core::TableBatch> out;
    for (uint64_t i = 0; i < count; ++i) {
        std::string_view table, encoded;
        if (!r.GetLengthPrefixed(table) || !r.GetLengthPrefixed(encoded)) {
            return Status::Corruption("WAL record: truncated");
        }
        ASSIGN_OR_RETURN(auto batch, DecodeBatch(encoded));
        out.push_back({std::string(table), std::move(batch)});
    }
    return out;
}

Status Store::Impl::Recover() {
    RETURN_IF_ERROR(env->CreateDirs(wal_dir));
    RETURN_IF_ERROR(env->CreateDirs(segment_dir));
    ASSIGN_OR_RETURN(manifest, LoadManifest(env, options.dir));

    std::lock_guard wal_lock(wal_mu);
    std::lock_guard lock(mu);
    for (const auto& meta : manifest.tables) {
        TableState& t = TableFor(meta.name, meta.schema);
        t.meta.time_column = meta.time_column;
        t.meta.retention_days = meta.retention_days;
        t.time_index = -1;
        if (auto idx = t.meta.schema.IndexOf(meta.time_column))
            t.time_index = static_cast<int>(*idx);
    }
    std::set<uint64_t> live_segments;
    std::vector<SegmentMeta> healthy;
    for (const auto& seg : manifest.segments) {
        auto it = tables.find(seg.table);
        if (it == tables.end())
            return Status::Corruption("MANIFEST: segment of unknown table " + seg.table);
        live_segments.insert(seg.id);
        // Only the footer is checked here (cheap); column blocks are checked when read.
        auto reader = SegmentReader::Open(env, SegmentPath(seg.id));
        if (!reader.ok()) {
            MoveToQuarantine(seg, reader.status().message());
            continue;
        }
        it->second.segments.push_back(MakeSegment(seg));
        healthy.push_back(seg);
    }
    if (healthy.size() != manifest.segments.size()) {
        manifest.segments = healthy;
        RETURN_IF_ERROR(SaveManifest(env, options.dir, manifest));
    }

    // Segments written by a flush that crashed before its MANIFEST update are garbage.
    ASSIGN_OR_RETURN(auto seg_files, env->ListDir(segment_dir));
    uint64_t max_number = manifest.next_file_number;
    for (const auto& name : seg_files) {
        auto id = FileNumber(name, ".seg");
        if (id) max_number = std::max(max_number, *id + 1);
        if (!id || !live_segments.contains(*id)) {
            if (!env->RemoveFile(segment_dir + "/" + name).ok()) {
                std::fprintf(stderr, "calypso: could not remove stray segment file %s\n",
                             name.c_str());
            }
        }
    }

    ASSIGN_OR_RETURN(auto wal_files, env->ListDir(wal_dir));
    std::vector<uint64_t> numbers;
    for (const auto& name : wal_files) {
        auto n = FileNumber(name, ".log");
        if (!n) continue;
        max_number = std::max(max_number, *n + 1);
        if (*n >= manifest.wal_min) {
            numbers.push_back(*n);
        } else {
            (void)env->RemoveFile(wal_dir + "/" + name);  // retired by a flush
        }
    }
    std::sort(numbers.begin(), numbers.end());
    for (uint64_t number : numbers) {
        const std::string path = WalPath(number);
        ASSIGN_OR_RETURN(auto contents, env->ReadFile(path));
        WalReader reader(contents);
        std::string record;
        while (reader.Next(record)) {
            ASSIGN_OR_RETURN(auto batches, DecodeAppendRecord(record));
            for (auto& tb : batches) {
                TableState& t = TableFor(tb.table, tb.batch.schema);
                tb.batch = Normalize(t, std::move(tb.batch));
            }
            std::vector<size_t> memory;
            for (const auto& tb : batches) memory.push_back(tb.batch.ByteSize());
            ApplyToBuffers(batches, memory);
            ++recovery.recovered_records;
        }
        if (reader.saw_damage()) {
            recovery.torn_tail_bytes += contents.size() - reader.valid_prefix();
            std::fprintf(stderr,
                         "calypso: WAL %s: damaged or torn data at byte %llu of %zu; "
                         "cut there (records before it recovered)\n",
                         path.c_str(), static_cast<unsigned long long>(reader.valid_prefix()),
                         contents.size());
            RETURN_IF_ERROR(env->Truncate(path, reader.valid_prefix()));
        }
    }
    manifest.next_file_number = max_number;
    return OpenNewWal();
}

void Store::Impl::MoveToQuarantine(const SegmentMeta& seg, const std::string& reason) {
    const std::string from = SegmentPath(seg.id);
    const std::string dir = options.dir + "/quarantine";
    const std::string to = dir + from.substr(from.find_last_of('/'));
    Status moved = env->CreateDirs(dir);
    if (moved.ok() && env->FileExists(from)) moved = env->RenameFile(from, to);
    std::string line = "segment " + from + " of table " + seg.table + " (" +
                       std::to_string(seg.rows) + " rows) is corrupt: " + reason + "; " +
                       (moved.ok() ? "moved to " + to : "could not move it: " + moved.message()) +
                       "; its rows are no longer served";
    std::fprintf(stderr, "calypso: %s\n", line.c_str());
    quarantined.push_back(std::move(line));
}

Status Store::Impl::OpenNewWal() {
    if (wal) {
        RETURN_IF_ERROR(wal->Close());
        wal.reset();
    }
    wal_number = manifest.next_file_number++;
    ASSIGN_OR_RETURN(wal, WalWriter::Open(env, WalPath(wal_number), 0));
    // The new file's directory entry must be durable before rows are acknowledged in it.
    return env->SyncDir(wal_dir);
}

}  // namespace calypso::storage
