#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/http.h"

namespace calypso::server {

// The Content-Security-Policy sent with the web UI: everything from this server only
// (monaco needs inline styles; nothing needs eval).
inline constexpr std::string_view kWebUiCsp =
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; worker-src 'self'; connect-src 'self'";

// Serves the built web UI (web/dist) from a directory: files with their content type,
// `assets/*` (content-hashed names) cached for a year and sent gzip'd when a precompressed
// `.gz` sits beside them, and index.html for the UI's own routes (/logs, /runs/...).
class StaticHandler {
  public:
    explicit StaticHandler(std::string root) : root_(std::move(root)) {}

    // The answer for a GET/HEAD of `path` (normalized, percent-decoded), or nullopt when the
    // path is not the UI's (API paths, unknown files), so the caller answers 404 its way.
    std::optional<net::HttpResponse> Serve(const net::HttpRequest& request,
                                           std::string_view path) const;

    const std::string& root() const { return root_; }

  private:
    std::string root_;
};

// "text/javascript" for "x.js", ...; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// Where the built UI is when --web-root is not given: beside the binary in a build tree
// (BUILD/src/app/calypso -> BUILD/web) or an install (PREFIX/bin -> PREFIX/share/calypso/web).
// "" when neither holds an index.html.
std::string DefaultWebRoot();

}  // namespace calypso::server
