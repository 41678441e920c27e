#include "server/workspaces.h"

#include <cctype>
#include <cstdio>
#include <random>

#include "core/dynamic.h"

namespace calypso::server {

using core::Dynamic;
using core::Status;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string NewGuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

bool IsGuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

core::Result<Workspaces> Workspaces::LoadOrCreate(core::Env* env, const std::string& dir,
                                                  const std::optional<std::string>& ikey) {
    if (ikey && !IsGuid(*ikey)) {
        return Status::InvalidArgument("--ikey '" + *ikey + "' is not a GUID (expected like " +
                                       NewGuid() + ")");
    }
    const std::string path = dir + "/workspaces.json";
    Workspaces ws;
    auto text = env->ReadFile(path);
    if (text.ok()) {
        auto parsed = Dynamic::Parse(*text);
        if (!parsed.ok()) return Status::Corruption(path + ": " + parsed.status().message());
        const Dynamic* list = parsed->Find("workspaces");
        if (list == nullptr || list->kind() != Dynamic::Kind::kArray || list->as_array().empty()) {
            return Status::Corruption(path + ": no workspaces");
        }
        for (const auto& w : list->as_array()) {
            const Dynamic* name = w.Find("name");
            const Dynamic* id = w.Find("id");
            const Dynamic* key = w.Find("ikey");
            if (name == nullptr || id == nullptr || key == nullptr ||
                name->kind() != Dynamic::Kind::kString || id->kind() != Dynamic::Kind::kString ||
                key->kind() != Dynamic::Kind::kString) {
                return Status::Corruption(path + ": malformed workspace entry");
            }
            ws.list_.push_back({name->as_string(), id->as_string(), key->as_string()});
        }
        if (ikey && !EqualsIgnoreCase(*ikey, ws.list_.front().ikey)) {
            return Status::InvalidArgument("--ikey " + *ikey +
                                           " differs from the key of workspace 'default' (" +
                                           ws.list_.front().ikey + ") stored in " + path +
                                           "; drop --ikey or use another --data directory");
        }
        return ws;
    }
    if (text.status().code() != core::StatusCode::kNotFound) return text.status();

    ws.list_.push_back({"default", NewGuid(), ikey ? Lower(*ikey) : NewGuid()});
    Dynamic::Array list;
    for (const auto& w : ws.list_) {
        list.push_back(Dynamic::MakeObject({{"name", Dynamic::String(w.name)},
                                            {"id", Dynamic::String(w.id)},
                                            {"ikey", Dynamic::String(w.ikey)}}));
    }
    RETURN_IF_ERROR(env->CreateDirs(dir));
    RETURN_IF_ERROR(core::WriteFileAtomically(
        env, path,
        Dynamic::MakeObject({{"workspaces", Dynamic::MakeArray(std::move(list))}}).ToJson()));
    return ws;
}

const Workspace* Workspaces::ByIKey(std::string_view ikey) const {
    for (const auto& w : list_) {
        if (EqualsIgnoreCase(w.ikey, ikey)) return &w;
    }
    return nullptr;
}

const Workspace* Workspaces::Find(std::string_view id_or_name) const {
    for (const auto& w : list_) {
        if (EqualsIgnoreCase(w.id, id_or_name) || w.name == id_or_name ||
            EqualsIgnoreCase(w.ikey, id_or_name)) {
            return &w;
        }
    }
    return nullptr;
}

}  // namespace calypso::server
