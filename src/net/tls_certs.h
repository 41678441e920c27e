#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace calypso::net {

struct CertificatePair {
    std::string cert_pem;  // X.509 certificate, PEM
    std::string key_pem;   // its private key, PKCS#8 PEM, unencrypted
};

// A self-signed certificate for testing and local use: an EC P-256 key, SHA-256 signature,
// valid from an hour ago for `days` days, subject CN=`host`, and subjectAltName entries for
// `host` (an IP address or a DNS name), localhost, 127.0.0.1 and ::1. It is its own CA
// (basicConstraints CA:TRUE, as `openssl req -x509` makes), so clients can trust it by
// using the certificate file as their CA bundle. InvalidArgument for a host with characters
// outside [A-Za-z0-9.:-]; Internal when OpenSSL fails.
core::Result<CertificatePair> MakeSelfSignedCertificate(std::string_view host, int days = 365);

}  // namespace calypso::net
