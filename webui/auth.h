// Secrets for the web UI: Argon2id password hashes (libsodium), random one-time passwords and
// session tokens, and the hashes under which tokens are stored (the database never holds a token
// a browser could present).
#pragma once

#include <string>
#include <string_view>

namespace otsentry::webui {

// Argon2id (crypto_pwhash_str, interactive limits: ~64 MiB, ~0.1 s). Calls are serialised: two
// logins at once would need 128 MiB.
std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);
// Spends the same time as verify_password against a hash that never matches (unknown user names
// answer as slowly as known ones).
void verify_dummy(std::string_view password);

// 20 characters from an alphabet without look-alikes (about 115 bits).
std::string generate_password();
// 32 random bytes as 64 lower-case hex digits.
std::string random_token();
// BLAKE2b-256 of the token under a purpose label, hex: what the sessions table stores.
std::string token_hash(std::string_view purpose, std::string_view token);
// Constant-time comparison of two strings of the same length (false when lengths differ).
bool equal_secret(std::string_view a, std::string_view b);

}  // namespace otsentry::webui
