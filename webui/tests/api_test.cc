// The pieces of the web UI that need no network: listen addresses, content types, embedded
// assets, password hashing and tokens.
#include <gtest/gtest.h>

#include <set>

#include "cmake/embedded_file.h"
#include "webui/api.h"
#include "webui/auth.h"
#include "webui/server.h"

namespace otsentry::webui {
std::span<const EmbeddedFile> frontend_files();
namespace {

TEST(ListenTest, ParsesAddressesAndRejectsBadOnes)
{
    EXPECT_EQ(parse_listen("127.0.0.1:8080"), (std::pair<std::string, uint16_t>{"127.0.0.1", 8080}));
    EXPECT_EQ(parse_listen("[::1]:443"), (std::pair<std::string, uint16_t>{"::1", 443}));
    EXPECT_EQ(parse_listen("0.0.0.0:0").second, 0);
    for (const char* bad : {"127.0.0.1", ":80", "127.0.0.1:65536", "127.0.0.1:x", "localhost:80",
                            "127.0.0.1:-1", "1.2.3.4:80 "})
        EXPECT_THROW(parse_listen(bad), std::invalid_argument) << bad;
}

TEST(AssetsTest, ContentTypesByExtension)
{
    EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("pages/alerts.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("app.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("README"), "application/octet-stream");
}

TEST(AssetsTest, EveryFrontendFileIsFoundAndNothingOutsideIt)
{
    ASSERT_FALSE(frontend_files().empty()) << "webui/frontend/ was not embedded";
    for (const auto& f : frontend_files()) {
        const auto a = find_asset("/" + std::string(f.name));
        ASSERT_TRUE(a) << f.name;
        EXPECT_EQ(a->data, f.data);
    }
    EXPECT_FALSE(find_asset("/../CMakeLists.txt"));
    EXPECT_FALSE(find_asset("/no-such-file.js"));
}

TEST(AuthTest, PasswordsHashWithArgon2idAndVerify)
{
    const auto h = hash_password("correct horse");
    EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
    EXPECT_TRUE(verify_password(h, "correct horse"));
    EXPECT_FALSE(verify_password(h, "correct hors"));
    EXPECT_FALSE(verify_password("", "x"));
    EXPECT_FALSE(verify_password("not a hash", "x"));
    EXPECT_NE(hash_password("correct horse"), h) << "salted";
}

TEST(AuthTest, GeneratedSecretsAreLongRandomAndDistinct)
{
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto p = generate_password();
        EXPECT_GE(p.size(), 16u);
        EXPECT_TRUE(seen.insert(p).second);
        const auto t = random_token();
        EXPECT_EQ(t.size(), 64u);
        EXPECT_TRUE(seen.insert(t).second);
    }
    EXPECT_EQ(token_hash("a", "x"), token_hash("a", "x"));
    EXPECT_NE(token_hash("a", "x"), token_hash("b", "x"));
    EXPECT_NE(token_hash("a", "x"), token_hash("a", "y"));
    EXPECT_TRUE(equal_secret("abc", "abc"));
    EXPECT_FALSE(equal_secret("abc", "abd"));
    EXPECT_FALSE(equal_secret("abc", "abcd"));
    EXPECT_FALSE(equal_secret("", ""));
}

}  // namespace
}  // namespace otsentry::webui
