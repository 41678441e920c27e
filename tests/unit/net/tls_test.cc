#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "net/http_client.h"
#include "net/http_server.h"
#include "net/tls_certs.h"

namespace calypso::net {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "calypso-tls-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string Write(const std::string& name, const std::string& text) const {
        const std::string file = path_ + "/" + name;
        std::ofstream(file) << text;
        return file;
    }

  private:
    std::string path_;
};

HttpResponse Echo(const HttpRequest& req) {
    HttpResponse res;
    res.content_type = "text/plain";
    res.body = req.method + " " + req.path + " " + std::to_string(req.body.size());
    return res;
}

class TlsServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto pair = MakeSelfSignedCertificate("127.0.0.1");
        ASSERT_TRUE(pair.ok()) << pair.status().ToString();
        cert_file_ = dir_.Write("cert.pem", pair->cert_pem);
        key_file_ = dir_.Write("key.pem", pair->key_pem);
        ServerOptions options;
        options.port = 0;
        options.tls_cert_file = cert_file_;
        options.tls_key_file = key_file_;
        auto server = HttpServer::Start(options, Echo);
        ASSERT_TRUE(server.ok()) << server.status().ToString();
        server_ = std::move(server).value();
    }

    std::string Url(std::string_view scheme, std::string_view path) const {
        return std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port()) +
               std::string(path);
    }

    TempDir dir_;
    std::string cert_file_;
    std::string key_file_;
    std::unique_ptr<HttpServer> server_;
};

TEST(TlsCertsTest, MakesPemCertificateAndKey) {
    auto pair = MakeSelfSignedCertificate("localhost");
    ASSERT_TRUE(pair.ok()) << pair.status().ToString();
    EXPECT_TRUE(pair->cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    EXPECT_TRUE(pair->key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    auto other = MakeSelfSignedCertificate("localhost");
    ASSERT_TRUE(other.ok());
    EXPECT_NE(pair->cert_pem, other->cert_pem);  // fresh key and serial each time
}

TEST(TlsCertsTest, RejectsHostsThatCouldInjectNames) {
    EXPECT_FALSE(MakeSelfSignedCertificate("a,DNS:evil.example").ok());
    EXPECT_FALSE(MakeSelfSignedCertificate("").ok());
    EXPECT_FALSE(MakeSelfSignedCertificate("localhost", 0).ok());
}

TEST_F(TlsServerTest, ServesHttpsToAClientThatTrustsTheCertificate) {
    ClientOptions options;
    options.ca_file = cert_file_;
    auto res = HttpFetch("POST", Url("https", "/v2/track"), std::string(300'000, 'x'), options);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /v2/track 300000");
    // Again on a new connection: sessions are independent.
    res = HttpFetch("GET", Url("https", "/healthz"), "", options);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->body, "GET /healthz 0");
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortGetsAClearError) {
    auto res = HttpFetch("POST", Url("http", "/v2/track"), "[]");
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 400);
    EXPECT_NE(res->body.find("https://"), std::string::npos) << res->body;
    // The server is unharmed.
    ClientOptions options;
    options.ca_file = cert_file_;
    res = HttpFetch("GET", Url("https", "/after"), "", options);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
}

TEST_F(TlsServerTest, ClientRejectsACertificateItDoesNotTrust) {
    auto stranger = MakeSelfSignedCertificate("127.0.0.1");
    ASSERT_TRUE(stranger.ok());
    ClientOptions options;
    options.ca_file = dir_.Write("stranger.pem", stranger->cert_pem);
    auto res = HttpFetch("GET", Url("https", "/"), "", options);
    ASSERT_FALSE(res.ok());
    EXPECT_NE(res.status().message().find("TLS handshake"), std::string::npos)
        << res.status().ToString();
}

TEST_F(TlsServerTest, ClientChecksTheHostName) {
    // 127.0.0.2 is loopback too, but not among the certificate's names.
    ServerOptions options;
    options.host = "127.0.0.2";
    options.port = 0;
    options.tls_cert_file = cert_file_;
    options.tls_key_file = key_file_;
    auto other = HttpServer::Start(options, Echo);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ClientOptions client;
    client.ca_file = cert_file_;
    auto res =
        HttpFetch("GET", "https://127.0.0.2:" + std::to_string((*other)->port()) + "/", "", client);
    EXPECT_FALSE(res.ok());
    res =
        HttpFetch("GET", "https://localhost:" + std::to_string(server_->port()) + "/", "", client);
    ASSERT_TRUE(res.ok()) << res.status().ToString();  // localhost is among them
    EXPECT_EQ(res->status, 200);
}

TEST(TlsServerStartTest, MissingOrMismatchedFilesAreClearErrors) {
    TempDir dir;
    auto a = MakeSelfSignedCertificate("127.0.0.1");
    auto b = MakeSelfSignedCertificate("127.0.0.1");
    ASSERT_TRUE(a.ok() && b.ok());
    ServerOptions options;
    options.port = 0;
    options.tls_cert_file = dir.Write("a.pem", a->cert_pem);
    options.tls_key_file = dir.Write("b.key", b->key_pem);
    auto server = HttpServer::Start(options, Echo);
    ASSERT_FALSE(server.ok());
    EXPECT_NE(server.status().message().find("mismatch"), std::string::npos)
        << server.status().ToString();

    options.tls_key_file = "/nonexistent/key.pem";
    server = HttpServer::Start(options, Echo);
    ASSERT_FALSE(server.ok());
    EXPECT_NE(server.status().message().find("/nonexistent/key.pem"), std::string::npos);

    options.tls_key_file.clear();
    server = HttpServer::Start(options, Echo);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace calypso::net
