#pragma once

// Base64 and UTF-8 helpers shared by the encoding functions (functions/text_functions.cc).
#include <string>
#include <string_view>

namespace calypso::kql::functions {

// Standard base64 with '=' padding.
std::string Base64Encode(std::string_view in);
// Standard base64, padding optional; false on any other character.
bool Base64Decode(std::string_view in, std::string& out);
bool ValidUtf8(std::string_view s);

}  // namespace calypso::kql::functions
