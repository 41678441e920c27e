#include "app/certs_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "net/tls_certs.h"

namespace calypso::app {

namespace {

int Fail(const std::string& message) {
    std::fprintf(stderr, "calypso certs: %s\n", message.c_str());
    return 1;
}

// O_EXCL unless forced, so an existing key is never replaced by accident.
bool WriteFile(const std::string& path, const std::string& text, mode_t mode, bool force,
               std::string* error) {
    const int flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) {
        *error = "cannot create " + path + ": " + std::strerror(errno) +
                 (errno == EEXIST ? " (use --force to replace it)" : "");
        return false;
    }
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            *error = "cannot write " + path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (force) ::fchmod(fd, mode);  // an existing file keeps its mode under O_TRUNC
    ::close(fd);
    return true;
}

}  // namespace

int RunCerts(const CertsOptions& options) {
    auto pair = net::MakeSelfSignedCertificate(options.host);
    if (!pair.ok()) return Fail(pair.status().message());
    ::mkdir(options.out_dir.c_str(), 0755);  // an existing directory is fine
    const std::string cert_file = options.out_dir + "/cert.pem";
    const std::string key_file = options.out_dir + "/key.pem";
    std::string error;
    if (!WriteFile(key_file, pair->key_pem, 0600, options.force, &error)) return Fail(error);
    if (!WriteFile(cert_file, pair->cert_pem, 0644, options.force, &error)) return Fail(error);
    std::printf(
        "wrote %s (self-signed for %s, localhost, 127.0.0.1 and ::1; valid 365 days)\n"
        "  and %s (its private key)\n"
        "\n"
        "Serve HTTPS with:\n"
        "  calypso serve --tls-cert %s --tls-key %s\n"
        "Clients must trust the certificate, e.g. NODE_EXTRA_CA_CERTS=%s for Node SDKs,\n"
        "curl --cacert %s, or ssl.create_default_context(cafile=\"%s\") in Python.\n",
        cert_file.c_str(), options.host.c_str(), key_file.c_str(), cert_file.c_str(),
        key_file.c_str(), cert_file.c_str(), cert_file.c_str(), cert_file.c_str());
    return 0;
}

}  // namespace calypso::app
