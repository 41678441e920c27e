#pragma once

#include <string>

namespace calypso::app {

struct CertsOptions {
    std::string out_dir = ".";
    std::string host = "127.0.0.1";
    bool force = false;  // overwrite existing files
};

// `calypso certs`: writes OUT/cert.pem and OUT/key.pem (mode 0600), a self-signed pair for
// testing `calypso serve --tls-cert --tls-key`, and prints how to use them. Refuses to
// overwrite existing files unless `force`. Returns 0, or 1 with a message on stderr.
int RunCerts(const CertsOptions& options);

}  // namespace calypso::app
