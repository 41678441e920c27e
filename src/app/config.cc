#include <toml++/toml.h>

#include "app/serve.h"

namespace calypso::app {

core::Status LoadConfig(const std::string& path, ServeOptions& o) {
    toml::table config;
    try {
        config = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return core::Status::InvalidArgument("config " + path + ":" + std::to_string(where.line) +
                                             ":" + std::to_string(where.column) + ": " +
                                             std::string(e.description()));
    }
    if (auto v = config["server"]["listen"].value<std::string>()) o.listen = *v;
    if (auto v = config["server"]["data"].value<std::string>()) o.data_dir = *v;
    if (auto v = config["server"]["ikey"].value<std::string>()) o.ikey = *v;
    if (auto v = config["server"]["workers"].value<int64_t>())
        o.worker_threads = static_cast<size_t>(*v);
    if (auto v = config["server"]["body_limit_mb"].value<int64_t>()) {
        o.body_limit_bytes = static_cast<size_t>(*v) << 20;
    }
    if (auto v = config["server"]["tls_cert"].value<std::string>()) o.tls_cert = *v;
    if (auto v = config["server"]["tls_key"].value<std::string>()) o.tls_key = *v;
    if (auto v = config["server"]["web_root"].value<std::string>()) o.web_root = *v;
    if (auto v = config["storage"]["flush_rows"].value<int64_t>())
        o.flush_rows = static_cast<size_t>(*v);
    if (auto v = config["storage"]["flush_seconds"].value<int64_t>())
        o.flush_seconds = static_cast<int>(*v);
    if (auto v = config["storage"]["retention_days"].value<int64_t>()) {
        o.retention_days = static_cast<int>(*v);
    }
    if (auto v = config["eventgrid"]["secret"].value<std::string>()) o.eventgrid_secret = *v;
    return core::Status::Ok();
}

}  // namespace calypso::app
