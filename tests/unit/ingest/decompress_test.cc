#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "ingest/appinsights.h"

namespace calypso::ingest {
namespace {

// window_bits: 15 zlib, 31 gzip, -15 raw deflate.
std::string Compress(std::string_view data, int window_bits) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
              Z_OK);
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

const std::string kText = R"({"iKey":"k","data":{"baseType":"MessageData"}})"
                          "\n"
                          R"({"iKey":"k","data":{"baseType":"EventData"}})";

TEST(Decompress, Identity) {
    for (std::string_view enc : {"", "identity", " Identity "}) {
        auto r = Decompress(kText, enc, 1 << 20);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(*r, kText);
    }
    auto big = Decompress(kText, "identity", 10);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.status().code(), core::StatusCode::kLimitExceeded);
}

// A plain body is decoded where it is; whether the JSON decoders may parse it in place
// depends on the room after it.
TEST(Decompress, BodyIsNotCopiedUnlessInflated) {
    std::string body = kText;
    body.shrink_to_fit();
    std::string storage;
    auto tight = DecompressBody(body, "", 1 << 20, storage);
    ASSERT_TRUE(tight.ok()) << tight.status().ToString();
    EXPECT_EQ(tight->bytes.data(), body.data());
    EXPECT_EQ(tight->padded, body.capacity() - body.size() >= 64);
    body.reserve(body.size() + 64);
    auto roomy = DecompressBody(body, "identity", 1 << 20, storage);
    ASSERT_TRUE(roomy.ok());
    EXPECT_EQ(roomy->bytes.data(), body.data());
    EXPECT_TRUE(roomy->padded);
    EXPECT_TRUE(storage.empty());

    const std::string gz = Compress(kText, 31);
    for (std::string_view enc : {"gzip", ""}) {  // the gzip magic is sniffed without a header
        auto inflated = DecompressBody(gz, enc, 1 << 20, storage);
        ASSERT_TRUE(inflated.ok()) << inflated.status().ToString();
        EXPECT_EQ(inflated->bytes, kText);
        EXPECT_EQ(inflated->bytes.data(), storage.data());
        EXPECT_TRUE(inflated->padded);
        EXPECT_GE(storage.capacity() - storage.size(), 64u);
    }
    EXPECT_EQ(DecompressBody(body, "", 10, storage).status().code(),
              core::StatusCode::kLimitExceeded);
}

TEST(Decompress, GzipDeflateAndRawDeflate) {
    auto gz = Decompress(Compress(kText, 31), "gzip", 1 << 20);
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    EXPECT_EQ(*gz, kText);
    auto xgz = Decompress(Compress(kText, 31), "X-GZIP", 1 << 20);
    ASSERT_TRUE(xgz.ok());
    EXPECT_EQ(*xgz, kText);
    auto sniffed = Decompress(Compress(kText, 31), "identity", 1 << 20);
    ASSERT_TRUE(sniffed.ok());
    EXPECT_EQ(*sniffed, kText);
    auto zlib = Decompress(Compress(kText, 15), "deflate", 1 << 20);
    ASSERT_TRUE(zlib.ok()) << zlib.status().ToString();
    EXPECT_EQ(*zlib, kText);
    auto raw = Decompress(Compress(kText, -15), "deflate", 1 << 20);
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    EXPECT_EQ(*raw, kText);
}

TEST(Decompress, ConcatenatedGzipMembers) {
    std::string two = Compress("hello ", 31) + Compress("world", 31);
    auto r = Decompress(two, "gzip", 1 << 20);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "hello world");
}

TEST(Decompress, ExactLimitIsAllowed) {
    std::string data(5000, 'x');
    auto ok = Decompress(Compress(data, 31), "gzip", 5000);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(ok->size(), 5000u);
    auto over = Decompress(Compress(data, 31), "gzip", 4999);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.status().code(), core::StatusCode::kLimitExceeded);
}

TEST(Decompress, GzipBombStopsAtTheLimit) {
    std::string zeros(64 << 20, '\0');  // 64 MiB of zeros compress to ~64 KiB
    std::string bomb = Compress(zeros, 31);
    ASSERT_LT(bomb.size(), 200u << 10);
    auto r = Decompress(bomb, "gzip", 1 << 20);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kLimitExceeded);
    EXPECT_NE(r.status().message().find("1048576"), std::string::npos);
}

TEST(Decompress, CorruptAndTruncatedInput) {
    std::string gz = Compress(std::string(10000, 'a') + kText, 31);
    auto truncated = Decompress(gz.substr(0, gz.size() / 2), "gzip", 1 << 20);
    ASSERT_FALSE(truncated.ok());
    EXPECT_EQ(truncated.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);

    std::string corrupt = gz;
    for (size_t i = 10; i < 30 && i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(0xFF);
    auto c = Decompress(corrupt, "gzip", 1 << 20);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), core::StatusCode::kInvalidArgument);

    auto not_gzip = Decompress("plain text", "gzip", 1 << 20);
    ASSERT_FALSE(not_gzip.ok());
    EXPECT_EQ(not_gzip.status().code(), core::StatusCode::kInvalidArgument);

    auto empty = Decompress("", "gzip", 1 << 20);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.status().code(), core::StatusCode::kInvalidArgument);

    auto unknown = Decompress(kText, "br", 1 << 20);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(unknown.status().message().find("br"), std::string::npos);
}

}  // namespace
}  // namespace calypso::ingest
