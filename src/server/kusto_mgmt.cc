#include "server/kusto_mgmt.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/dynamic.h"
#include "ingest/tables.h"
#include "kql/engine.h"
#include "kql/syntax/create_function.h"
#include "server/kusto_json.h"

#ifndef CALYPSO_VERSION
#define CALYPSO_VERSION "unknown"
#endif

namespace calypso::server {

namespace {

using core::Status;
using core::Type;
using core::Value;

constexpr std::string_view kSupported =
    "supported management commands: .show tables, .show table T schema as json, .show table T "
    "cslschema, .show databases, .show database, .show version, .show functions, .show function "
    "F, .create[-or-alter] function F(...) { ... }, .alter function F(...) { ... }, .drop function "
    "F [ifexists], .drop functions (F1, ...) [ifexists]";

// A word (".show", "tables", a table name) or one of ( ) , ; — names in ['...'] or ["..."]
// come out without their brackets and quotes.
struct Token {
    std::string text;
    bool quoted = false;
};

core::Result<std::vector<Token>> Tokenize(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
        } else if (c == '(' || c == ')' || c == ',' || c == ';') {
            out.push_back({std::string(1, c), false});
            ++i;
        } else if (c == '[' && i + 1 < s.size() && (s[i + 1] == '\'' || s[i + 1] == '"')) {
            const char quote = s[i + 1];
            const size_t end = s.find(quote, i + 2);
            if (end == std::string_view::npos || end + 1 >= s.size() || s[end + 1] != ']') {
                return Status::InvalidArgument("unterminated name at offset " + std::to_string(i) +
                                               " of the command");
            }
            out.push_back({std::string(s.substr(i + 2, end - i - 2)), true});
            i = end + 2;
        } else {
            const size_t start = i;
            while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(' &&
                   s[i] != ')' && s[i] != ',' && s[i] != ';') {
                ++i;
            }
            out.push_back({std::string(s.substr(start, i - start)), false});
        }
    }
    while (!out.empty() && out.back().text == ";" && !out.back().quoted) out.pop_back();
    return out;
}

bool Is(const std::vector<Token>& t, size_t i, std::string_view keyword) {
    if (i >= t.size() || t[i].quoted || t[i].text.size() != keyword.size()) return false;
    for (size_t k = 0; k < keyword.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(t[i].text[k])) != keyword[k]) return false;
    }
    return true;
}

core::Schema MakeSchema(std::initializer_list<std::pair<const char*, Type>> fields) {
    core::Schema schema;
    for (const auto& [name, type] : fields) schema.fields.push_back({name, type});
    return schema;
}

std::vector<std::string> ListTables(const KustoMgmtContext& c) {
    if (c.tables != nullptr) return c.tables->ListTables();
    std::vector<std::string> names;
    for (const auto& def : ingest::BuiltinTables()) names.push_back(def.name);
    return names;
}

core::Result<core::Schema> TableSchema(const KustoMgmtContext& c, const std::string& table) {
    if (c.tables != nullptr) return c.tables->GetSchema(table);
    if (const ingest::TableDef* def = ingest::FindBuiltinTable(table)) return def->schema;
    return Status::NotFound("unknown table '" + table + "'");
}

Status UnknownTable(const std::string& table) {
    return Status::NotFound("Entity name '" + table + "' of kind 'Table' does not exist.");
}

core::Result<core::Batch> ShowTables(const std::vector<Token>& t, const KustoMgmtContext& c) {
    std::vector<std::string> wanted;
    size_t i = 2;
    if (i < t.size() && t[i].text == "(" && !t[i].quoted) {
        for (++i; i < t.size() && !(t[i].text == ")" && !t[i].quoted); ++i) {
            if (t[i].text == "," && !t[i].quoted) continue;
            wanted.push_back(t[i].text);
        }
        if (i == t.size()) return Status::InvalidArgument(".show tables (...): missing ')'");
        ++i;
    }
    if (i != t.size()) {
        return Status::InvalidArgument("unexpected '" + t[i].text + "' after .show tables");
    }
    std::vector<std::string> names = ListTables(c);
    if (!wanted.empty()) {
        for (const std::string& w : wanted) {
            if (std::find(names.begin(), names.end(), w) == names.end()) return UnknownTable(w);
        }
        names = wanted;
    }
    core::Batch b = core::Batch::Empty(MakeSchema({{"TableName", Type::kString},
                                                   {"DatabaseName", Type::kString},
                                                   {"Folder", Type::kString},
                                                   {"DocString", Type::kString}}));
    for (const std::string& name : names) {
        AppendKustoRow(b, {Value::String(name), Value::String(c.database->name), Value::String(""),
                           Value::String("")});
    }
    return b;
}

std::string SchemaJson(const std::string& table, const core::Schema& schema) {
    std::string out = "{\"Name\":";
    core::AppendJsonString(out, table);
    out += ",\"OrderedColumns\":[";
    for (size_t i = 0; i < schema.size(); ++i) {
        if (i > 0) out += ',';
        out += "{\"Name\":";
        core::AppendJsonString(out, schema.fields[i].name);
        out += ",\"Type\":";
        core::AppendJsonString(out, KustoClrType(schema.fields[i].type));
        out += ",\"CslType\":";
        core::AppendJsonString(out, KustoColumnType(schema.fields[i].type));
        out += '}';
    }
    out += "]}";
    return out;
}

std::string SchemaCsl(const core::Schema& schema) {
    std::string out;
    for (size_t i = 0; i < schema.size(); ++i) {
        if (i > 0) out += ',';
        out += schema.fields[i].name;
        out += ':';
        out += KustoColumnType(schema.fields[i].type);
    }
    return out;
}

core::Result<core::Batch> ShowTableSchema(const std::vector<Token>& t, const KustoMgmtContext& c) {
    // .show table T schema as json | .show table T schema as csl | .show table T cslschema
    if (t.size() < 4) return Status::InvalidArgument(std::string(kSupported));
    const std::string& table = t[2].text;
    bool json;
    if (t.size() == 6 && Is(t, 3, "schema") && Is(t, 4, "as") &&
        (Is(t, 5, "json") || Is(t, 5, "csl"))) {
        json = Is(t, 5, "json");
    } else if (t.size() == 4 && Is(t, 3, "cslschema")) {
        json = false;
    } else {
        return Status::InvalidArgument("unsupported form of .show table; " +
                                       std::string(kSupported));
    }
    const std::vector<std::string> names = ListTables(c);
    if (std::find(names.begin(), names.end(), table) == names.end()) return UnknownTable(table);
    auto schema = TableSchema(c, table);
    if (!schema.ok()) {
        return schema.status().code() == core::StatusCode::kNotFound ? UnknownTable(table)
                                                                     : schema.status();
    }
    core::Batch b = core::Batch::Empty(MakeSchema({{"TableName", Type::kString},
                                                   {"Schema", Type::kString},
                                                   {"DatabaseName", Type::kString},
                                                   {"Folder", Type::kString},
                                                   {"DocString", Type::kString}}));
    AppendKustoRow(b, {Value::String(table),
                       Value::String(json ? SchemaJson(table, *schema) : SchemaCsl(*schema)),
                       Value::String(c.database->name), Value::String(""), Value::String("")});
    return b;
}

core::Batch ShowDatabases(const KustoMgmtContext& c, bool only_current) {
    core::Batch b = core::Batch::Empty(MakeSchema({{"DatabaseName", Type::kString},
                                                   {"PersistentStorage", Type::kString},
                                                   {"Version", Type::kString},
                                                   {"IsCurrent", Type::kBool},
                                                   {"DatabaseAccessMode", Type::kString},
                                                   {"PrettyName", Type::kString},
                                                   {"ReservedSlot1", Type::kBool},
                                                   {"DatabaseId", Type::kGuid}}));
    for (const Workspace& w : c.workspaces->all()) {
        const bool current = w.id == c.database->id;
        if (only_current && !current) continue;
        if (!current && c.may_read && !c.may_read(w)) continue;
        AppendKustoRow(b, {Value::String(w.name), Value::String(""), Value::String("v1.0"),
                           Value::Bool(current), Value::String("ReadWrite"), Value::String(w.name),
                           Value::Bool(false), Value::Guid(w.id)});
    }
    return b;
}

core::Batch ShowVersion() {
    core::Batch b = core::Batch::Empty(MakeSchema({{"BuildVersion", Type::kString},
                                                   {"BuildTime", Type::kDatetime},
                                                   {"ServiceType", Type::kString},
                                                   {"ProductVersion", Type::kString}}));
    AppendKustoRow(b, {Value::String(CALYPSO_VERSION), Value::Null(Type::kDatetime),
                       Value::String("Engine"), Value::String("Calypso " CALYPSO_VERSION)});
    return b;
}

core::Batch FunctionTable() {
    return core::Batch::Empty(MakeSchema({{"Name", Type::kString},
                                          {"Parameters", Type::kString},
                                          {"Body", Type::kString},
                                          {"Folder", Type::kString},
                                          {"DocString", Type::kString}}));
}

void AppendFunction(core::Batch& b, const kql::StoredFunctionInfo& f) {
    AppendKustoRow(b, {Value::String(f.name), Value::String(f.parameters), Value::String(f.body),
                       Value::String(f.folder), Value::String(f.doc_string)});
}

Status UnknownFunction(std::string_view name) {
    return Status::NotFound("Entity name '" + std::string(name) +
                            "' of kind 'Function' does not exist.");
}

// Stored functions belong to the KQL engine; another QueryService has none.
std::vector<kql::StoredFunctionInfo> FunctionsOf(const core::QueryService* queries) {
    const auto* engine = dynamic_cast<const kql::Engine*>(queries);
    return engine != nullptr ? engine->ListFunctions() : std::vector<kql::StoredFunctionInfo>{};
}

bool HasFunction(const core::QueryService* queries, std::string_view name) {
    for (const auto& f : FunctionsOf(queries)) {
        if (f.name == name) return true;
    }
    return false;
}

core::Result<core::Batch> ShowFunctions(const std::vector<Token>& t,
                                        const core::QueryService* queries) {
    // .show functions | .show function F
    const bool one = Is(t, 1, "function");
    if ((one && t.size() != 3) || (!one && t.size() != 2)) {
        return Status::InvalidArgument(std::string(kSupported));
    }
    core::Batch b = FunctionTable();
    bool found = false;
    for (const auto& f : FunctionsOf(queries)) {
        if (one && f.name != t[2].text) continue;
        found = true;
        AppendFunction(b, f);
    }
    if (one && !found) return UnknownFunction(t[2].text);
    return b;
}

Status NeedsFunctionStore(const KustoMgmtContext& c) {
    if (c.workspace_queries != nullptr) return Status::Ok();
    return Status::InvalidArgument("this server keeps no stored functions");
}

// The first `n` whitespace-separated words of `s`, lower-cased.
std::vector<std::string> FirstWords(std::string_view s, size_t n) {
    std::vector<std::string> out;
    size_t i = 0;
    while (out.size() < n) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        const size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (start == i) break;
        std::string w(s.substr(start, i - start));
        for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out.push_back(std::move(w));
    }
    return out;
}

// .create / .create-or-alter / .alter function: the command text goes to the engine whole.
core::Result<core::Batch> CreateFunction(std::string_view command, std::string_view verb,
                                         const KustoMgmtContext& c,
                                         const core::QueryService* queries) {
    RETURN_IF_ERROR(NeedsFunctionStore(c));
    ASSIGN_OR_RETURN(kql::syntax::CreateFunctionCommand cmd,
                     kql::syntax::ParseCreateFunction(command));
    const std::string& name = cmd.def->name;
    const bool exists = HasFunction(queries, name);
    if (verb == ".alter" && !exists) return UnknownFunction(name);
    if (verb == ".create" && exists && !cmd.if_not_exists) {
        return Status::InvalidArgument("Entity name '" + name +
                                       "' of kind 'Function' already exists; use "
                                       ".create-or-alter function to replace it.");
    }
    ASSIGN_OR_RETURN(kql::StoredFunctionInfo f,
                     c.workspace_queries->CreateFunction(*c.database, command, c.resources));
    core::Batch b = FunctionTable();
    AppendFunction(b, f);
    return b;
}

// .drop function F [ifexists] | .drop functions (F1, F2) [ifexists]
core::Result<core::Batch> DropFunctions(const std::vector<Token>& t, const KustoMgmtContext& c,
                                        const core::QueryService* queries) {
    RETURN_IF_ERROR(NeedsFunctionStore(c));
    const bool several = Is(t, 1, "functions");
    std::vector<std::string> names;
    size_t i = 2;
    if (several) {
        if (i >= t.size() || t[i].text != "(") {
            return Status::InvalidArgument("expected '.drop functions (F1, F2, ...)'");
        }
        for (++i; i < t.size() && !(t[i].text == ")" && !t[i].quoted); ++i) {
            if (t[i].text != "," || t[i].quoted) names.push_back(t[i].text);
        }
        if (i == t.size()) return Status::InvalidArgument(".drop functions (...): missing ')'");
        ++i;
    } else if (i < t.size()) {
        names.push_back(t[i++].text);
    }
    const bool if_exists = Is(t, i, "ifexists");
    if (if_exists) ++i;
    if (names.empty() || i != t.size()) {
        return Status::InvalidArgument(
            "expected '.drop function F [ifexists]' or '.drop "
            "functions (F1, F2, ...) [ifexists]'");
    }
    // All or nothing: every name is checked before the first is dropped.
    std::vector<std::string> present;
    for (const auto& name : names) {
        if (HasFunction(queries, name)) {
            present.push_back(name);
        } else if (!if_exists) {
            return UnknownFunction(name);
        }
    }
    for (const auto& name : present) {
        RETURN_IF_ERROR(c.workspace_queries->DropFunction(*c.database, name));
    }
    if (several) {
        core::Batch b = FunctionTable();
        for (const auto& f : FunctionsOf(queries)) AppendFunction(b, f);
        return b;
    }
    core::Batch b = core::Batch::Empty(MakeSchema({{"Name", Type::kString}}));
    for (const auto& name : present) AppendKustoRow(b, {Value::String(name)});
    return b;
}

}  // namespace

core::Result<core::Batch> RunKustoMgmt(std::string_view command, const KustoMgmtContext& c,
                                       const core::QueryService* queries) {
    // A function's body is KQL, not command tokens: the create commands go whole to the
    // KQL parser.
    if (const auto words = FirstWords(command, 2);
        words.size() == 2 && words[1] == "function" &&
        (words[0] == ".create" || words[0] == ".create-or-alter" || words[0] == ".alter")) {
        return CreateFunction(command, words[0], c, queries);
    }
    ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(command));
    if (Is(t, 0, ".show")) {
        if (Is(t, 1, "tables")) return ShowTables(t, c);
        if (Is(t, 1, "table") && t.size() > 2) return ShowTableSchema(t, c);
        if (t.size() == 2 && (Is(t, 1, "databases") || Is(t, 1, "database"))) {
            return ShowDatabases(c, Is(t, 1, "database"));
        }
        if (t.size() == 2 && Is(t, 1, "version")) return ShowVersion();
        if (Is(t, 1, "functions") || Is(t, 1, "function")) return ShowFunctions(t, queries);
    }
    if (Is(t, 0, ".drop") && (Is(t, 1, "function") || Is(t, 1, "functions"))) {
        return DropFunctions(t, c, queries);
    }
    std::string shown(command.substr(0, 80));
    while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back())))
        shown.pop_back();
    return Status::InvalidArgument("Calypso does not support the management command '" + shown +
                                   "'; " + std::string(kSupported));
}

}  // namespace calypso::server
