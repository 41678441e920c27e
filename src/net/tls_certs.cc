// Certificate generation through OpenSSL's C API (EVP_PKEY, X509), not the openssl tool, so
// `calypso certs` works where only the library is installed.
#include "net/tls_certs.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>

namespace calypso::net {

namespace {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BigNumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

core::Status OpenSslError(std::string_view step) {
    std::string message = "generating the certificate: " + std::string(step);
    if (unsigned long code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        message += ": ";
        message += text;
    }
    ERR_clear_error();
    return core::Status::Internal(message);
}

bool IsIpAddress(const std::string& host) {
    unsigned char scratch[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), scratch) == 1 ||
           inet_pton(AF_INET6, host.c_str(), scratch) == 1;
}

std::string SubjectAltNames(const std::string& host) {
    std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    if (host == "localhost" || host == "127.0.0.1" || host == "::1") return names;
    return (IsIpAddress(host) ? "IP:" : "DNS:") + host + "," + names;
}

core::Status AddExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return OpenSslError("extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
    }
    return core::Status::Ok();
}

core::Result<std::string> ToPem(const std::function<int(BIO*)>& write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) return OpenSslError("PEM encoding");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
}

}  // namespace

core::Result<CertificatePair> MakeSelfSignedCertificate(std::string_view host_view, int days) {
    const std::string host(host_view);
    if (host.empty() || host.size() > 253 ||
        host.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-") !=
            std::string::npos) {
        return core::Status::InvalidArgument("certificate host '" + host +
                                             "': expected an IP address or a DNS name");
    }
    if (days <= 0) return core::Status::InvalidArgument("certificate validity must be positive");

    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return OpenSslError("EC key");
    CertPtr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) return OpenSslError("X509_new");

    // A random positive 127-bit serial, so two generated certificates never share one.
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return OpenSslError("random serial");
    serial_bytes[0] &= 0x7f;
    BigNumPtr serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        return OpenSslError("serial");
    }
    // An hour of slack for clocks that are a little behind.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), long{days} * 86400)) {
        return OpenSslError("validity");
    }
    if (X509_set_pubkey(cert.get(), key.get()) != 1) return OpenSslError("public key");
    X509_NAME* name = X509_get_subject_name(cert.get());
    auto text = [](const char* s) { return reinterpret_cast<const unsigned char*>(s); };
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text("Calypso (self-signed)"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text(host.c_str()), -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1) {
        return OpenSslError("subject name");
    }
    RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
    RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
    RETURN_IF_ERROR(AddExtension(cert.get(), NID_authority_key_identifier, "keyid:always"));
    RETURN_IF_ERROR(
        AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign"));
    RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
    RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name, SubjectAltNames(host)));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("signing");

    CertificatePair pair;
    ASSIGN_OR_RETURN(pair.cert_pem,
                     ToPem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }));
    ASSIGN_OR_RETURN(pair.key_pem, ToPem([&](BIO* b) {
                         return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr,
                                                         nullptr);
                     }));
    return pair;
}

}  // namespace calypso::net
