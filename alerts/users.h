// Web UI accounts, login sessions and the few queries the web UI needs beyond Store's own (an
// audit page with a cursor, new alert rows for the live stream, the last run). SQL on a Store's
// connection (Store::handle()), every value a bound parameter. Secrets never reach this file:
// password hashes are Argon2id strings made by the caller, session ids and CSRF tokens arrive
// already hashed. Tables `users` and `sessions` are schema v2 (alerts/README.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/store.h"

namespace otsentry::alerts {

enum class Role : uint8_t { Viewer, Analyst, Admin };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view name);  // "admin" "analyst" "viewer"

// A user name: 1..64 bytes of [A-Za-z0-9._-], starting with a letter or digit.
bool valid_user_name(std::string_view name);

struct User {
    int64_t id = 0;
    std::string name;
    Role role = Role::Viewer;
    std::string password_hash;
    int64_t created_us = 0;
    bool disabled = false;
    int failed_logins = 0;
    int64_t locked_until_us = 0;
};

struct Session {
    std::string id_hash;
    User user;
    int64_t created_us = 0, last_seen_us = 0, expires_us = 0;
    std::string csrf_hash;
};

// The lockout policy: after max_failures failed logins in a row the account is locked for lock_us.
struct LockoutPolicy {
    int max_failures = 5;
    int64_t lock_us = 15LL * 60 * 1'000'000;
};

// What a failed login did to the account.
struct FailureResult {
    int failed_logins = 0;
    bool locked_now = false;  // this failure reached max_failures
};

int64_t count_users(const Store& store);
// InvalidRequest for a bad name or an empty hash; StoreError if the name exists (check first with
// find_user for a clean message).
int64_t create_user(Store& store, std::string_view name, Role role, std::string_view password_hash,
                    int64_t now_us);
std::optional<User> find_user(const Store& store, std::string_view name);
std::optional<User> find_user(const Store& store, int64_t id);
std::vector<User> list_users(const Store& store);  // by name
// Sets a new hash, clears failures and lockout, and ends the user's sessions except the one whose
// id hash is `keep_session` (a user changing their own password stays logged in there). False: no
// such user.
bool set_password(Store& store, std::string_view name, std::string_view password_hash,
                  std::string_view keep_session = {});

// What update_user did.
enum class UpdateResult : uint8_t {
    Updated,
    NoSuchUser,
    LastAdmin,  // refused: the change would leave no enabled admin
};
// Changes the role and/or the disabled flag (nullopt: unchanged) in one transaction. Refuses to
// demote or disable the last enabled admin. Disabling ends the user's sessions.
UpdateResult update_user(Store& store, std::string_view name, std::optional<Role> role,
                         std::optional<bool> disabled);
FailureResult record_login_failure(Store& store, int64_t user_id, int64_t now_us,
                                   const LockoutPolicy& policy = {});
void clear_login_failures(Store& store, int64_t user_id);

void create_session(Store& store, const Session& session);
std::optional<Session> find_session(const Store& store, std::string_view id_hash);
void touch_session(Store& store, std::string_view id_hash, int64_t now_us);
bool delete_session(Store& store, std::string_view id_hash);
// Removes sessions whose absolute expiry or idle limit has passed; returns how many.
int64_t delete_expired_sessions(Store& store, int64_t now_us, int64_t idle_us);

// Audit entries newest first, ids below `before_id` when given; limit 1..1000.
std::vector<AuditEntry> audit_page(const Store& store, int limit, std::optional<int64_t> before_id);
// Alert rows with id > after_id, oldest first, at most limit (1..1000).
std::vector<StoredAlert> alerts_after(const Store& store, int64_t after_id, int limit);
int64_t max_alert_id(const Store& store);
// The newest row of `runs`, if any.
std::optional<RunRecord> last_run(const Store& store);

}  // namespace otsentry::alerts
