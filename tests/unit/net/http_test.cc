#include "net/http.h"

#include <gtest/gtest.h>

namespace calypso::net {
namespace {

TEST(HttpRequestTest, HeaderLookupIsCaseInsensitive) {
    HttpRequest req;
    req.headers = {{"Content-Type", "text/plain"}, {"X-Api-Key", "k1"}, {"x-api-key", "k2"}};
    EXPECT_EQ(req.Header("content-type"), "text/plain");
    EXPECT_EQ(req.Header("X-API-KEY"), "k1");
    EXPECT_EQ(req.Header("missing"), "");
}

TEST(HttpRequestTest, QueryParamDecodes) {
    HttpRequest req;
    req.query = "q=a%20b+c&flag&empty=&x%3Dy=%E2%82%AC&q=second&bad=%zz%4";
    EXPECT_EQ(req.QueryParam("q"), "a b c");
    EXPECT_EQ(req.QueryParam("flag"), "");
    EXPECT_EQ(req.QueryParam("empty"), "");
    EXPECT_EQ(req.QueryParam("x=y"), "\xE2\x82\xAC");
    EXPECT_EQ(req.QueryParam("bad"), "%zz%4");
    EXPECT_EQ(req.QueryParam("nope"), std::nullopt);
}

TEST(HttpRequestTest, PercentDecodeKeepsPlusInPaths) {
    EXPECT_EQ(PercentDecode("/a%2Fb+c"), "/a/b+c");
    EXPECT_EQ(PercentDecode("a+b", true), "a b");
    EXPECT_EQ(PercentDecode("100%"), "100%");
}

TEST(HttpRequestTest, JsonErrorBodyEscapes) {
    EXPECT_EQ(JsonErrorBody("Internal", "say \"hi\"\n\\"),
              R"({"error":{"code":"Internal","message":"say \"hi\"\n\\"}})");
    EXPECT_EQ(JsonErrorBody("X", std::string("\x01", 1)),
              R"({"error":{"code":"X","message":"\u0001"}})");
}

}  // namespace
}  // namespace calypso::net
