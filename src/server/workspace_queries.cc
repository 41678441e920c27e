#include "server/workspace_queries.h"

#include <algorithm>
#include <cctype>

#include "core/dynamic.h"
#include "kql/syntax/create_function.h"

namespace calypso::server {

using core::Dynamic;
using core::Status;

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

// The command that recreates a stored function as it was listed.
std::string FunctionCommand(const kql::StoredFunctionInfo& f) {
    return ".create-or-alter function with (folder = " + KqlStringLiteral(f.folder) +
           ", docstring = " + KqlStringLiteral(f.doc_string) + ") " + f.name + f.parameters + " " +
           f.body;
}

std::optional<kql::StoredFunctionInfo> FindFunction(const kql::Engine& engine,
                                                    std::string_view name) {
    for (auto& f : engine.ListFunctions()) {
        if (f.name == name) return f;
    }
    return std::nullopt;
}

}  // namespace

std::string KqlStringLiteral(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

core::Result<std::unique_ptr<WorkspaceQueries>> WorkspaceQueries::Open(
    core::Env* env, std::string dir, const Workspaces& workspaces, const core::TableSource& store,
    Builtins builtins) {
    std::unique_ptr<WorkspaceQueries> q(
        new WorkspaceQueries(env, std::move(dir), std::move(builtins)));
    const bool only = workspaces.all().size() == 1;
    for (const Workspace& w : workspaces.all()) {
        auto e = std::make_unique<Entry>();
        e->workspace = &w;
        e->view = std::make_unique<WorkspaceView>(store, w.id,
                                                  &w == &workspaces.default_workspace(), only);
        e->engine = std::make_unique<kql::Engine>(*e->view);
        if (q->builtins_) RETURN_IF_ERROR(q->builtins_(*e->engine));
        for (const auto& f : e->engine->ListFunctions()) e->builtin_names.push_back(f.name);
        RETURN_IF_ERROR(q->Load(*e));
        q->all_.push_back(&w);
        q->entries_[w.id] = std::move(e);
    }
    return q;
}

WorkspaceQueries::Entry& WorkspaceQueries::EntryOf(const Workspace& w) const {
    return *entries_.at(w.id);
}

kql::Engine& WorkspaceQueries::EngineOf(const Workspace& w) const { return *EntryOf(w).engine; }

const core::TableSource& WorkspaceQueries::TablesOf(const Workspace& w) const {
    return *EntryOf(w).view;
}

std::string WorkspaceQueries::FunctionsPath(const Workspace& w) const {
    return dir_ + "/functions/" + w.id + ".json";
}

Status WorkspaceQueries::Load(Entry& e) {
    if (dir_.empty()) return Status::Ok();
    const std::string path = FunctionsPath(*e.workspace);
    auto text = env_->ReadFile(path);
    if (!text.ok()) {
        return text.status().code() == core::StatusCode::kNotFound ? Status::Ok() : text.status();
    }
    auto parsed = Dynamic::Parse(*text);
    if (!parsed.ok()) return Status::Corruption(path + ": " + parsed.status().message());
    const Dynamic* list = parsed->Find("functions");
    if (list == nullptr || list->kind() != Dynamic::Kind::kArray) {
        return Status::Corruption(path + ": no \"functions\" array");
    }
    for (const Dynamic& f : list->as_array()) {
        kql::StoredFunctionInfo info;
        for (auto [key, field] : {std::pair{"name", &info.name},
                                  {"parameters", &info.parameters},
                                  {"body", &info.body},
                                  {"folder", &info.folder},
                                  {"docstring", &info.doc_string}}) {
            const Dynamic* v = f.Find(key);
            if (v == nullptr || v->kind() != Dynamic::Kind::kString) {
                return Status::Corruption(path + ": a function without a string \"" + key + "\"");
            }
            *field = v->as_string();
        }
        // Checked when created; bound again at each call, so the order of loading is free.
        Status s = e.engine->CreateFunction(FunctionCommand(info), nullptr, /*check=*/false);
        if (!s.ok()) {
            return Status::Corruption(path + ": function '" + info.name + "': " + s.ToString());
        }
        e.created.push_back(std::move(info));
    }
    return Status::Ok();
}

Status WorkspaceQueries::Save(const Entry& e) const {
    if (dir_.empty()) return Status::Ok();
    Dynamic::Array list;
    for (const auto& f : e.created) {
        list.push_back(Dynamic::MakeObject({{"name", Dynamic::String(f.name)},
                                            {"parameters", Dynamic::String(f.parameters)},
                                            {"body", Dynamic::String(f.body)},
                                            {"folder", Dynamic::String(f.folder)},
                                            {"docstring", Dynamic::String(f.doc_string)}}));
    }
    RETURN_IF_ERROR(env_->CreateDirs(dir_ + "/functions"));
    return core::WriteFileAtomically(
        env_, FunctionsPath(*e.workspace),
        Dynamic::MakeObject({{"functions", Dynamic::MakeArray(std::move(list))}}).ToJson());
}

core::Result<kql::StoredFunctionInfo> WorkspaceQueries::CreateFunction(
    const Workspace& w, std::string_view command, const core::ResourceResolver* resources) {
    ASSIGN_OR_RETURN(kql::syntax::CreateFunctionCommand cmd,
                     kql::syntax::ParseCreateFunction(command));
    const std::string name = cmd.def->name;
    std::lock_guard<std::mutex> lock(mu_);
    Entry& e = EntryOf(w);
    const std::optional<kql::StoredFunctionInfo> previous = FindFunction(*e.engine, name);
    if (cmd.if_not_exists && previous) return *previous;
    RETURN_IF_ERROR(e.engine->CreateFunction(command, resources));
    std::optional<kql::StoredFunctionInfo> created = FindFunction(*e.engine, name);
    if (!created) return Status::Internal("function '" + name + "' was not stored");
    const std::vector<kql::StoredFunctionInfo> saved = e.created;
    auto it = std::find_if(e.created.begin(), e.created.end(),
                           [&](const auto& f) { return f.name == name; });
    if (it != e.created.end()) {
        *it = *created;
    } else {
        e.created.push_back(*created);
    }
    if (Status s = Save(e); !s.ok()) {
        // Not durable, so not kept: the engine goes back to what it had.
        e.created = saved;
        if (previous) {
            (void)e.engine->CreateFunction(FunctionCommand(*previous), nullptr, false);
        } else {
            (void)e.engine->DropFunction(name);
        }
        return s;
    }
    return *created;
}

Status WorkspaceQueries::DropFunction(const Workspace& w, std::string_view name) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& e = EntryOf(w);
    const bool builtin =
        std::find(e.builtin_names.begin(), e.builtin_names.end(), name) != e.builtin_names.end();
    auto it = std::find_if(e.created.begin(), e.created.end(),
                           [&](const auto& f) { return f.name == name; });
    if (it == e.created.end()) {
        if (builtin) {
            return Status::InvalidArgument("function '" + std::string(name) +
                                           "' is built into Calypso and cannot be dropped");
        }
        return e.engine->DropFunction(name);
    }
    const std::vector<kql::StoredFunctionInfo> saved = e.created;
    e.created.erase(it);
    if (Status s = Save(e); !s.ok()) {
        e.created = saved;
        return s;
    }
    RETURN_IF_ERROR(e.engine->DropFunction(name));
    if (builtin && builtins_) {
        // The built-in one comes back; created functions that replace others stay.
        RETURN_IF_ERROR(builtins_(*e.engine));
        for (const auto& f : e.created) {
            RETURN_IF_ERROR(e.engine->CreateFunction(FunctionCommand(f), nullptr, false));
        }
    }
    return Status::Ok();
}

const Workspace* WorkspaceQueries::FindResource(core::ResourceKind kind,
                                                std::string_view identifier) const {
    std::string_view name = identifier;
    if (identifier.starts_with('/')) {
        // An Azure resource id: its provider must be the kind's.
        const std::string_view marker =
            kind == core::ResourceKind::kApp
                ? "/providers/microsoft.insights/components/"
                : "/providers/microsoft.operationalinsights/workspaces/";
        const std::string lower = Lower(identifier);
        const size_t at = lower.rfind(marker);
        if (at == std::string::npos) return nullptr;
        name = identifier.substr(at + marker.size());
        if (name.empty() || name.find('/') != std::string_view::npos) return nullptr;
    } else if (std::count(identifier.begin(), identifier.end(), '/') == 2) {
        // A qualified name: subscription/resourceGroup/name.
        name = identifier.substr(identifier.rfind('/') + 1);
    } else {
        for (const Workspace* w : all_) {
            if (EqualsIgnoreCase(w->id, identifier)) return w;
        }
    }
    for (const Workspace* w : all_) {
        if (EqualsIgnoreCase(w->name, name)) return w;
    }
    return nullptr;
}

core::Result<const core::TableSource*> RequestResources::Resolve(
    core::ResourceKind kind, std::string_view identifier) const {
    const Workspace* w = queries_.FindResource(kind, identifier);
    if (w == nullptr || (may_read_ && !may_read_(*w))) {
        return Status::NotFound(
            std::string(kind == core::ResourceKind::kApp ? "app" : "workspace") + " '" +
            std::string(identifier) + "' does not exist");
    }
    return &queries_.TablesOf(*w);
}

core::Result<std::string> RequestResources::ResolveFunction(core::ResourceKind kind,
                                                            std::string_view identifier,
                                                            std::string_view name) const {
    RETURN_IF_ERROR(Resolve(kind, identifier).status());
    const Workspace* w = queries_.FindResource(kind, identifier);
    for (const auto& f : queries_.EngineOf(*w).ListFunctions()) {
        if (f.name == name) return f.name + f.parameters + " " + f.body;
    }
    return Status::NotFound("no function '" + std::string(name) + "'");
}

}  // namespace calypso::server
