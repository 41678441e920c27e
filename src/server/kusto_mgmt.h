#pragma once

#include <string_view>

#include "core/column.h"
#include "core/query_service.h"
#include "core/status.h"
#include "core/table_source.h"
#include "server/workspaces.h"

namespace calypso::server {

// What Kusto's management commands read. Nothing is owned.
struct KustoMgmtContext {
    const Workspaces* workspaces = nullptr;
    const Workspace* database = nullptr;  // the request's `db`
    // The catalogue; null means the built-in tables (ingest::BuiltinTables()).
    const core::TableSource* tables = nullptr;
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
// Keywords are case-insensitive; table names exact, bare or as ['name'] / ["name"].
// Errors: NotFound naming an unknown table; InvalidArgument for any other command, listing
// the supported ones.
// `queries`: the query engine, whose stored functions answer `.show functions` (none when
// it is null or not a kql::Engine).
core::Result<core::Batch> RunKustoMgmt(std::string_view command, const KustoMgmtContext& context,
                                       const core::QueryService* queries = nullptr);

}  // namespace calypso::server
