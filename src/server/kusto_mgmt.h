#pragma once

#include <functional>
#include <string_view>

#include "core/column.h"
#include "core/query_service.h"
#include "core/status.h"
#include "core/table_source.h"
#include "server/workspace_queries.h"
#include "server/workspaces.h"

namespace calypso::server {

// What Kusto's management commands read. Nothing is owned.
struct KustoMgmtContext {
    const Workspaces* workspaces = nullptr;
    const Workspace* database = nullptr;  // the request's `db`
    // The catalogue; null means the built-in tables (ingest::BuiltinTables()).
    const core::TableSource* tables = nullptr;
    // Where `.create function` / `.drop function` store the database's functions; null:
    // those commands are refused.
    WorkspaceQueries* workspace_queries = nullptr;
    // Resolves workspace()/app() references in a created function's body.
    const core::ResourceResolver* resources = nullptr;
    // Which databases `.show databases` lists; null: all.
    std::function<bool(const Workspace&)> may_read;
};

// Runs one management command and answers its table, with Kusto's columns:
//   .show tables [(T1, T2)]             TableName, DatabaseName, Folder, DocString
//   .show table T schema as json        TableName, Schema ({"Name","OrderedColumns":[{"Name",
//                                       "Type","CslType"}]}), DatabaseName, Folder, DocString
//   .show table T cslschema | schema as csl   the same, Schema as "a:long,b:string"
//   .show databases | .show database    DatabaseName, PersistentStorage, Version, IsCurrent,
//                                       DatabaseAccessMode, PrettyName, ReservedSlot1, DatabaseId
//   .show version                       BuildVersion, BuildTime, ServiceType, ProductVersion
//   .show functions | .show function F  Name, Parameters ("(a:string)"), Body ("{ ... }"),
//                                       Folder, DocString
//   .create function [ifnotexists] [with (folder=..., docstring=...)] F(params) { body }
//   .create-or-alter function ... | .alter function ...
//                                       the function as .show function lists it; .create
//                                       of an existing function and .alter of a missing one
//                                       are errors (InvalidArgument, NotFound); a body's
//                                       errors are SyntaxError / SemanticError
//   .drop function F [ifexists]         Name (of the dropped function; none with ifexists)
//   .drop functions (F1, F2) [ifexists] the remaining functions, as .show functions
// Keywords are case-insensitive; table names exact, bare or as ['name'] / ["name"].
// Errors: NotFound naming an unknown table; InvalidArgument for any other command, listing
// the supported ones.
// `queries`: the query engine, whose stored functions answer `.show functions` (none when
// it is null or not a kql::Engine).
core::Result<core::Batch> RunKustoMgmt(std::string_view command, const KustoMgmtContext& context,
                                       const core::QueryService* queries = nullptr);

}  // namespace calypso::server
