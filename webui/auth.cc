#include "webui/auth.h"

#include <sodium.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace otsentry::webui {

namespace {

std::mutex& hash_mutex()
{
    static std::mutex m;
    return m;
}

void init()
{
    static const bool ok = sodium_init() >= 0;
    if (!ok) throw std::runtime_error("libsodium could not be initialised");
}

std::string to_hex(const unsigned char* p, size_t n)
{
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}

}  // namespace

std::string hash_password(std::string_view password)
{
    init();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    const std::lock_guard lock(hash_mutex());
    if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("password hashing ran out of memory");
    return out.data();
}

bool verify_password(const std::string& hash, std::string_view password)
{
    init();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::lock_guard lock(hash_mutex());
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_dummy(std::string_view password)
{
    static const std::string dummy = hash_password(random_token());
    (void)verify_password(dummy, password);
}

std::string generate_password()
{
    init();
    static constexpr std::string_view alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    for (int i = 0; i < 20; ++i)
        out.push_back(alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))]);
    return out;
}

std::string random_token()
{
    init();
    std::array<unsigned char, 32> b{};
    randombytes_buf(b.data(), b.size());
    return to_hex(b.data(), b.size());
}

std::string token_hash(std::string_view purpose, std::string_view token)
{
    init();
    std::array<unsigned char, 32> out{};
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, out.size());
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size());
    const unsigned char sep = 0;
    crypto_generichash_update(&st, &sep, 1);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    crypto_generichash_final(&st, out.data(), out.size());
    return to_hex(out.data(), out.size());
}

bool equal_secret(std::string_view a, std::string_view b)
{
    if (a.size() != b.size() || a.empty()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace otsentry::webui
