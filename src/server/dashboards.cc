#include "server/dashboards.h"

#include <algorithm>
#include <cctype>

namespace calypso::server {

using core::Dynamic;
using core::Status;

namespace {

constexpr int64_t kGridColumns = 12;
constexpr size_t kMaxTiles = 64;
constexpr size_t kMaxQueryBytes = 64 * 1024;

Status Bad(const std::string& where, const std::string& what) {
    return Status::InvalidArgument(where + ": " + what);
}

core::Result<std::string> StringMember(const Dynamic& obj, const char* key, const std::string& where,
                                       bool required, size_t max_bytes) {
    const Dynamic* v = obj.Find(key);
    const std::string at = where.empty() ? key : where + "." + key;
    if (v == nullptr || v->is_null()) {
        if (required) return Bad(at, "missing");
        return std::string();
    }
    if (v->kind() != Dynamic::Kind::kString) return Bad(at, "must be a string");
    if (required && v->as_string().find_first_not_of(" \t\r\n") == std::string::npos) {
        return Bad(at, "must not be empty");
    }
    if (v->as_string().size() > max_bytes) {
        return Bad(at, "longer than " + std::to_string(max_bytes) + " bytes");
    }
    return v->as_string();
}

// An integer member in [lo, hi] (an integral JSON number); `fallback` when absent.
core::Result<int64_t> IntMember(const Dynamic& obj, const char* key, const std::string& where,
                                int64_t lo, int64_t hi, std::optional<int64_t> fallback) {
    const Dynamic* v = obj.Find(key);
    const std::string at = where.empty() ? key : where + "." + key;
    if (v == nullptr || v->is_null()) {
        if (fallback) return *fallback;
        return Bad(at, "missing");
    }
    int64_t n = 0;
    if (v->kind() == Dynamic::Kind::kLong) {
        n = v->as_long();
    } else if (v->kind() == Dynamic::Kind::kReal && v->as_real() == static_cast<double>(
                                                                      static_cast<int64_t>(v->as_real()))) {
        n = static_cast<int64_t>(v->as_real());
    } else {
        return Bad(at, "must be an integer");
    }
    if (n < lo || n > hi) {
        return Bad(at, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return n;
}

// ISO 8601 as the query API takes it ("P1D", "PT30M", "start/end") or "" (the query says).
bool PlausibleTimespan(const std::string& t) {
    if (t.empty()) return true;
    if (t.size() > 80) return false;
    for (char c : t) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("-:./+").find(c) ==
                                                                 std::string_view::npos) {
            return false;
        }
    }
    return t.front() == 'P' || std::isdigit(static_cast<unsigned char>(t.front()));
}

core::Result<Dynamic> ValidateTile(const Dynamic& tile, const std::string& where) {
    if (tile.kind() != Dynamic::Kind::kObject) return Bad(where, "must be an object");
    ASSIGN_OR_RETURN(std::string title, StringMember(tile, "title", where, true, 200));
    ASSIGN_OR_RETURN(std::string query, StringMember(tile, "query", where, true, kMaxQueryBytes));
    ASSIGN_OR_RETURN(std::string timespan, StringMember(tile, "timespan", where, false, 80));
    if (!PlausibleTimespan(timespan)) {
        return Bad(where + ".timespan", "'" + timespan +
                                            "' is not an ISO 8601 duration or interval (like P1D)");
    }
    ASSIGN_OR_RETURN(std::string vis, StringMember(tile, "visualization", where, true, 40));
    if (std::find(std::begin(kTileVisualizations), std::end(kTileVisualizations), vis) ==
        std::end(kTileVisualizations)) {
        std::string known;
        for (auto k : kTileVisualizations) known += (known.empty() ? "" : ", ") + std::string(k);
        return Bad(where + ".visualization", "'" + vis + "' is not one of " + known);
    }
    ASSIGN_OR_RETURN(int64_t x, IntMember(tile, "x", where, 0, kGridColumns - 1, std::nullopt));
    ASSIGN_OR_RETURN(int64_t y, IntMember(tile, "y", where, 0, 1000, std::nullopt));
    ASSIGN_OR_RETURN(int64_t w, IntMember(tile, "w", where, 1, kGridColumns, std::nullopt));
    ASSIGN_OR_RETURN(int64_t h, IntMember(tile, "h", where, 1, 12, std::nullopt));
    if (x + w > kGridColumns) {
        return Bad(where + ".w", "x + w must be at most " + std::to_string(kGridColumns) +
                                     " (the grid's columns)");
    }
    return Dynamic::MakeObject({{"title", Dynamic::String(title)},
                                {"query", Dynamic::String(query)},
                                {"timespan", Dynamic::String(timespan)},
                                {"visualization", Dynamic::String(vis)},
                                {"x", Dynamic::Long(x)},
                                {"y", Dynamic::Long(y)},
                                {"w", Dynamic::Long(w)},
                                {"h", Dynamic::Long(h)}});
}

}  // namespace

bool IsDashboardId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

core::Result<Dynamic> ValidateDashboard(std::string_view id, const Dynamic& body) {
    if (!IsDashboardId(id)) {
        return Bad("id", "'" + std::string(id) + "' must be 1-64 letters, digits, '-' or '_'");
    }
    if (body.kind() != Dynamic::Kind::kObject) return Bad("body", "must be a JSON object");
    ASSIGN_OR_RETURN(std::string title, StringMember(body, "title", "", true, 200));
    ASSIGN_OR_RETURN(int64_t refresh, IntMember(body, "refresh", "", 0, 86400, int64_t{0}));
    const Dynamic* tiles = body.Find("tiles");
    if (tiles == nullptr) return Bad("tiles", "missing");
    if (tiles->kind() != Dynamic::Kind::kArray) return Bad("tiles", "must be an array");
    if (tiles->as_array().size() > kMaxTiles) {
        return Bad("tiles", "more than " + std::to_string(kMaxTiles) + " tiles");
    }
    Dynamic::Array out;
    for (size_t i = 0; i < tiles->as_array().size(); ++i) {
        ASSIGN_OR_RETURN(Dynamic t,
                         ValidateTile(tiles->as_array()[i], "tiles[" + std::to_string(i) + "]"));
        out.push_back(std::move(t));
    }
    return Dynamic::MakeObject({{"id", Dynamic::String(std::string(id))},
                                {"title", Dynamic::String(title)},
                                {"refresh", Dynamic::Long(refresh)},
                                {"tiles", Dynamic::MakeArray(std::move(out))}});
}

namespace {

const Dynamic* FindBuiltin(std::string_view id) {
    for (const auto& d : BuiltinDashboards()) {
        if (d.Find("id")->as_string() == id) return &d;
    }
    return nullptr;
}

}  // namespace

core::Result<DashboardStore> DashboardStore::Open(core::Env* env, const std::string& dir) {
    DashboardStore store(env, dir + "/dashboards.json");
    auto text = env->ReadFile(store.path_);
    if (!text.ok()) {
        if (text.status().code() == core::StatusCode::kNotFound) return store;
        return text.status();
    }
    auto parsed = Dynamic::Parse(*text);
    if (!parsed.ok()) return Status::Corruption(store.path_ + ": " + parsed.status().message());
    const Dynamic* list = parsed->Find("dashboards");
    if (list == nullptr || list->kind() != Dynamic::Kind::kArray) {
        return Status::Corruption(store.path_ + ": no \"dashboards\" array");
    }
    for (size_t i = 0; i < list->as_array().size(); ++i) {
        const Dynamic& d = list->as_array()[i];
        const Dynamic* id = d.Find("id");
        if (id == nullptr || id->kind() != Dynamic::Kind::kString) {
            return Status::Corruption(store.path_ + ": dashboards[" + std::to_string(i) +
                                      "].id: missing");
        }
        auto valid = ValidateDashboard(id->as_string(), d);
        if (!valid.ok()) {
            return Status::Corruption(store.path_ + ": dashboards[" + std::to_string(i) + "]: " +
                                      valid.status().message());
        }
        store.user_[id->as_string()] = *std::move(valid);
    }
    return store;
}

DashboardStore::DashboardStore(DashboardStore&& other) noexcept
    : env_(other.env_), path_(std::move(other.path_)), user_(std::move(other.user_)) {}

Dynamic DashboardStore::WithFlags(const Dynamic& d, bool builtin, bool modified) const {
    Dynamic::Object o = d.as_object();
    o.emplace_back("builtin", Dynamic::Bool(builtin));
    o.emplace_back("modified", Dynamic::Bool(modified));
    return Dynamic::MakeObject(std::move(o));
}

std::vector<Dynamic> DashboardStore::List() const {
    std::lock_guard lock(mu_);
    std::vector<Dynamic> out;
    for (const auto& b : BuiltinDashboards()) {
        auto it = user_.find(b.Find("id")->as_string());
        out.push_back(it == user_.end() ? WithFlags(b, true, false)
                                        : WithFlags(it->second, true, true));
    }
    for (const auto& [id, d] : user_) {
        if (FindBuiltin(id) == nullptr) out.push_back(WithFlags(d, false, false));
    }
    return out;
}

std::optional<Dynamic> DashboardStore::Get(std::string_view id) const {
    std::lock_guard lock(mu_);
    const Dynamic* builtin = FindBuiltin(id);
    if (auto it = user_.find(id); it != user_.end()) {
        return WithFlags(it->second, builtin != nullptr, builtin != nullptr);
    }
    if (builtin != nullptr) return WithFlags(*builtin, true, false);
    return std::nullopt;
}

core::Result<Dynamic> DashboardStore::Put(std::string_view id, const Dynamic& body) {
    ASSIGN_OR_RETURN(Dynamic d, ValidateDashboard(id, body));
    std::lock_guard lock(mu_);
    auto key = std::string(id);
    std::optional<Dynamic> previous;
    if (auto it = user_.find(key); it != user_.end()) previous = it->second;
    user_[key] = d;
    if (Status s = Save(); !s.ok()) {
        // Keep memory and disk in agreement: the change did not happen.
        if (previous) user_[key] = *previous;
        else user_.erase(key);
        return s;
    }
    const bool builtin = FindBuiltin(id) != nullptr;
    return WithFlags(d, builtin, builtin);
}

Status DashboardStore::Delete(std::string_view id) {
    std::lock_guard lock(mu_);
    auto it = user_.find(id);
    if (it == user_.end()) {
        if (FindBuiltin(id) != nullptr) return Status::Ok();  // already the original
        return Status::NotFound("no dashboard '" + std::string(id) + "'");
    }
    Dynamic previous = it->second;
    user_.erase(it);
    if (Status s = Save(); !s.ok()) {
        user_[std::string(id)] = std::move(previous);
        return s;
    }
    return Status::Ok();
}

Status DashboardStore::Save() const {
    Dynamic::Array list;
    for (const auto& [id, d] : user_) list.push_back(d);
    const std::string json =
        Dynamic::MakeObject({{"dashboards", Dynamic::MakeArray(std::move(list))}}).ToJson();
    const auto slash = path_.find_last_of('/');
    if (slash != std::string::npos) RETURN_IF_ERROR(env_->CreateDirs(path_.substr(0, slash)));
    // Temp file, fsync, rename, fsync the directory: a crash leaves the old or the new file.
    return core::WriteFileAtomically(env_, path_, json);
}

}  // namespace calypso::server
