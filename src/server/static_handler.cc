#include "server/static_handler.h"

#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace calypso::server {

namespace fs = std::filesystem;

namespace {

// Paths that belong to the APIs: never answered with the UI, even when unknown.
constexpr std::array<std::string_view, 8> kApiPrefixes = {
    "/v1", "/v2", "/v2.1", "/api", "/healthz", "/metrics", "/eventgrid", "/dataCollectionRules"};

bool IsApiPath(std::string_view path) {
    for (std::string_view p : kApiPrefixes) {
        if (path == p || (path.starts_with(p) && path[p.size()] == '/')) return true;
    }
    return false;
}

// No "..", "." or empty segments and no NUL: the path stays inside the root.
bool IsSafePath(std::string_view path) {
    if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
        return false;
    }
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view seg = path.substr(start, end - start);
        if (seg == ".." || seg == "." || (seg.empty() && end != path.size())) return false;
        start = end + 1;
    }
    return true;
}

std::optional<std::string> ReadFile(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
}

bool AcceptsGzip(std::string_view accept_encoding) {
    return accept_encoding.find("gzip") != std::string_view::npos;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
    const size_t dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    // Browsers refuse module scripts and workers sent with a non-JavaScript type.
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json" || ext == "map") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "ttf") return "font/ttf";
    if (ext == "woff2") return "font/woff2";
    if (ext == "woff") return "font/woff";
    if (ext == "wasm") return "application/wasm";
    if (ext == "txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::optional<net::HttpResponse> StaticHandler::Serve(const net::HttpRequest& request,
                                                      std::string_view path) const {
    if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
    if (root_.empty() || IsApiPath(path) || !IsSafePath(path)) return std::nullopt;

    std::string relative = path == "/" ? "index.html" : std::string(path.substr(1));
    const fs::path root(root_);
    std::optional<std::string> body = ReadFile(root / relative);
    const bool hashed_asset = relative.starts_with("assets/");
    bool gzipped = false;
    if (body && hashed_asset && AcceptsGzip(request.Header("Accept-Encoding"))) {
        if (auto gz = ReadFile(root / (relative + ".gz"))) {
            body = std::move(gz);
            gzipped = true;
        }
    }
    if (!body) {
        // The UI's own routes (/logs, /runs/ID) have no dot in their last segment; they get
        // index.html and the UI's router shows the page. Missing files stay 404.
        const std::string_view last = path.substr(path.rfind('/') + 1);
        if (last.find('.') != std::string_view::npos) return std::nullopt;
        relative = "index.html";
        body = ReadFile(root / relative);
        if (!body) return std::nullopt;
    }

    net::HttpResponse r;
    r.status = 200;
    r.content_type = std::string(ContentTypeFor(relative));
    r.headers.emplace_back("Content-Security-Policy", std::string(kWebUiCsp));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    // Hashed names change with their content, so they never need revalidating; everything
    // else (index.html) is checked on each load so a new build shows at once.
    r.headers.emplace_back("Cache-Control",
                           hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
    if (hashed_asset) r.headers.emplace_back("Vary", "Accept-Encoding");
    if (gzipped) r.headers.emplace_back("Content-Encoding", "gzip");
    if (request.method != "HEAD") r.body = std::move(*body);
    return r;
}

std::string DefaultWebRoot() {
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return "";
    const fs::path dir = fs::path(std::string(buf.data(), static_cast<size_t>(n))).parent_path();
    for (const fs::path& candidate :
         {dir / ".." / ".." / "web", dir / ".." / "share" / "calypso" / "web"}) {
        std::error_code ec;
        if (fs::is_regular_file(candidate / "index.html", ec)) {
            return fs::weakly_canonical(candidate, ec).string();
        }
    }
    return "";
}

}  // namespace calypso::server
