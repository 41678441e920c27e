#include "storage/manifest.h"

#include "core/dynamic.h"
#include "core/time.h"

namespace calypso::storage {

using core::Dynamic;
using core::Status;

std::string Manifest::ToJson() const {
    Dynamic::Array tables_json;
    for (const auto& t : tables) {
        Dynamic::Array fields;
        for (const auto& f : t.schema.fields) {
            fields.push_back(Dynamic::MakeArray(
                {Dynamic::String(f.name), Dynamic::String(std::string(core::TypeName(f.type)))}));
        }
        tables_json.push_back(
            Dynamic::MakeObject({{"name", Dynamic::String(t.name)},
                                 {"time_column", Dynamic::String(t.time_column)},
                                 {"retention_days", Dynamic::Long(t.retention_days)},
                                 {"schema", Dynamic::MakeArray(std::move(fields))}}));
    }
    Dynamic::Array segs;
    for (const auto& s : segments) {
        segs.push_back(Dynamic::MakeObject({{"id", Dynamic::Long(static_cast<int64_t>(s.id))},
                                            {"table", Dynamic::String(s.table)},
                                            {"rows", Dynamic::Long(static_cast<int64_t>(s.rows))},
                                            {"min_time", Dynamic::Long(s.min_time)},
                                            {"max_time", Dynamic::Long(s.max_time)},
                                            {"day", Dynamic::Long(s.day)}}));
    }
    return Dynamic::MakeObject(
               {{"version", Dynamic::Long(1)},
                {"next_file_number", Dynamic::Long(static_cast<int64_t>(next_file_number))},
                {"wal_min", Dynamic::Long(static_cast<int64_t>(wal_min))},
                {"tables", Dynamic::MakeArray(std::move(tables_json))},
                {"segments", Dynamic::MakeArray(std::move(segs))}})
        .ToJson();
}

core::Result<Manifest> Manifest::Parse(std::string_view json) {
    auto bad = [](const std::string& what) { return Status::Corruption("MANIFEST: " + what); };
    auto parsed = Dynamic::Parse(json);
    if (!parsed.ok()) return bad(parsed.status().message());
    const Dynamic& root = *parsed;
    auto get_long = [&](const Dynamic& obj, const char* key, int64_t& out) {
        const Dynamic* v = obj.Find(key);
        if (v == nullptr || v->kind() != Dynamic::Kind::kLong) return false;
        out = v->as_long();
        return true;
    };
    auto get_string = [&](const Dynamic& obj, const char* key, std::string& out) {
        const Dynamic* v = obj.Find(key);
        if (v == nullptr || v->kind() != Dynamic::Kind::kString) return false;
        out = v->as_string();
        return true;
    };
    Manifest m;
    int64_t version, next, wal_min;
    if (!get_long(root, "version", version) || version != 1) return bad("unsupported version");
    if (!get_long(root, "next_file_number", next) || !get_long(root, "wal_min", wal_min)) {
        return bad("missing file numbers");
    }
    m.next_file_number = static_cast<uint64_t>(next);
    m.wal_min = static_cast<uint64_t>(wal_min);
    const Dynamic* tables = root.Find("tables");
    const Dynamic* segments = root.Find("segments");
    if (tables == nullptr || tables->kind() != Dynamic::Kind::kArray || segments == nullptr ||
        segments->kind() != Dynamic::Kind::kArray) {
        return bad("missing tables or segments");
    }
    for (const auto& t : tables->as_array()) {
        TableMeta meta;
        const Dynamic* schema = t.Find("schema");
        if (!get_string(t, "name", meta.name) || !get_string(t, "time_column", meta.time_column) ||
            schema == nullptr || schema->kind() != Dynamic::Kind::kArray) {
            return bad("malformed table entry");
        }
        int64_t retention = 0;
        if (get_long(t, "retention_days", retention))
            meta.retention_days = static_cast<int>(retention);
        for (const auto& f : schema->as_array()) {
            const Dynamic* name = f.At(0);
            const Dynamic* type = f.At(1);
            if (name == nullptr || type == nullptr || name->kind() != Dynamic::Kind::kString ||
                type->kind() != Dynamic::Kind::kString) {
                return bad("malformed schema of table " + meta.name);
            }
            auto parsed_type = core::ParseTypeName(type->as_string());
            if (!parsed_type) return bad("unknown type " + type->as_string());
            meta.schema.fields.push_back({name->as_string(), *parsed_type});
        }
        m.tables.push_back(std::move(meta));
    }
    for (const auto& s : segments->as_array()) {
        SegmentMeta meta;
        int64_t id, rows;
        if (!get_long(s, "id", id) || !get_string(s, "table", meta.table) ||
            !get_long(s, "rows", rows) || !get_long(s, "min_time", meta.min_time) ||
            !get_long(s, "max_time", meta.max_time)) {
            return bad("malformed segment entry");
        }
        if (!get_long(s, "day", meta.day)) meta.day = meta.min_time / (core::kTicksPerDay);
        meta.id = static_cast<uint64_t>(id);
        meta.rows = static_cast<uint64_t>(rows);
        m.segments.push_back(std::move(meta));
    }
    return m;
}

core::Result<Manifest> LoadManifest(core::Env* env, const std::string& dir) {
    auto text = env->ReadFile(dir + "/MANIFEST");
    if (!text.ok()) {
        if (text.status().code() == core::StatusCode::kNotFound) return Manifest{};
        return text.status();
    }
    return Manifest::Parse(*text);
}

core::Status SaveManifest(core::Env* env, const std::string& dir, const Manifest& manifest) {
    return core::WriteFileAtomically(env, dir + "/MANIFEST", manifest.ToJson());
}

}  // namespace calypso::storage
