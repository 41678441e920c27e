#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "kql/syntax/ast.h"

namespace calypso::kql::syntax {

// Kusto's `.create function` command, as Engine::CreateFunction takes it.
struct CreateFunctionCommand {
    std::shared_ptr<FunctionDef> def;
    std::string folder;
    std::string doc_string;
    bool if_not_exists = false;
};

// Parses `[.create | .create-or-alter | .alter] function [ifnotexists]
// [with (folder = "...", docstring = "...", skipvalidation = "...")] Name(params) { body }`;
// the command words may be left out (`Name(params) { body }`). SyntaxError with the
// line:column in `text` of what is wrong.
core::Result<CreateFunctionCommand> ParseCreateFunction(std::string_view text);

}  // namespace calypso::kql::syntax
