// Web UI accounts, sessions and the web UI's extra queries (see users.h).
#include "alerts/users.h"

#include <nlohmann/json.hpp>

#include "alerts/rule_catalog.h"
#include "alerts/sqlite_util.h"

namespace otsentry::alerts {

using detail::bind_text_not_null;
using detail::column_text;
using detail::fail;
using detail::prepare;
using detail::require;
using detail::step_done;

namespace {

constexpr const char* user_columns =
    "id, name, role, password_hash, created_us, disabled, failed_logins, locked_until_us";

User read_user(sqlite3_stmt* s, int first)
{
    User u;
    u.id = sqlite3_column_int64(s, first);
    u.name = column_text(s, first + 1);
    u.role = parse_role(column_text(s, first + 2)).value_or(Role::Viewer);
    u.password_hash = column_text(s, first + 3);
    u.created_us = sqlite3_column_int64(s, first + 4);
    u.disabled = sqlite3_column_int(s, first + 5) != 0;
    u.failed_logins = sqlite3_column_int(s, first + 6);
    u.locked_until_us = sqlite3_column_int64(s, first + 7);
    return u;
}

void check_limit(int limit)
{
    if (limit < 1 || limit > 1000) throw InvalidRequest("limit must be 1..1000");
}

}  // namespace

std::string_view to_string(Role r)
{
    switch (r) {
        case Role::Admin:
            return "admin";
        case Role::Analyst:
            return "analyst";
        case Role::Viewer:
            break;
    }
    return "viewer";
}

std::optional<Role> parse_role(std::string_view name)
{
    if (name == "admin") return Role::Admin;
    if (name == "analyst") return Role::Analyst;
    if (name == "viewer") return Role::Viewer;
    return std::nullopt;
}

bool valid_user_name(std::string_view name)
{
    if (name.empty() || name.size() > 64) return false;
    const auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(name[0])) return false;
    for (const char c : name)
        if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

int64_t count_users(const Store& store)
{
    sqlite3* db = require(store.handle(), store.path());
    return detail::query_int(db, store.path(), "SELECT count(*) FROM users");
}

int64_t create_user(Store& store, std::string_view name, Role role, std::string_view password_hash,
                    int64_t now_us)
{
    sqlite3* db = require(store.handle(), store.path());
    if (!valid_user_name(name)) throw InvalidRequest("user name must be 1-64 of A-Z a-z 0-9 . _ -");
    if (password_hash.empty()) throw InvalidRequest("empty password hash");
    auto s = prepare(db, store.path(),
                     "INSERT INTO users (name, role, password_hash, created_us) VALUES (?1, ?2, ?3, ?4)");
    bind_text_not_null(s.get(), 1, name);
    const auto role_name = to_string(role);
    bind_text_not_null(s.get(), 2, role_name);
    bind_text_not_null(s.get(), 3, password_hash);
    sqlite3_bind_int64(s.get(), 4, now_us);
    step_done(db, store.path(), s.get(), "create user");
    return sqlite3_last_insert_rowid(db);
}

std::optional<User> find_user(const Store& store, std::string_view name)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), std::string("SELECT ") + user_columns + " FROM users WHERE name = ?1");
    bind_text_not_null(s.get(), 1, name);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return read_user(s.get(), 0);
    if (rc != SQLITE_DONE) fail(db, store.path(), "find user");
    return std::nullopt;
}

std::optional<User> find_user(const Store& store, int64_t id)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), std::string("SELECT ") + user_columns + " FROM users WHERE id = ?1");
    sqlite3_bind_int64(s.get(), 1, id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return read_user(s.get(), 0);
    if (rc != SQLITE_DONE) fail(db, store.path(), "find user");
    return std::nullopt;
}

std::vector<User> list_users(const Store& store)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), std::string("SELECT ") + user_columns + " FROM users ORDER BY name");
    std::vector<User> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back(read_user(s.get(), 0));
    if (rc != SQLITE_DONE) fail(db, store.path(), "list users");
    return out;
}

bool set_password(Store& store, std::string_view name, std::string_view password_hash,
                  std::string_view keep_session)
{
    sqlite3* db = require(store.handle(), store.path());
    if (password_hash.empty()) throw InvalidRequest("empty password hash");
    detail::WriteTransaction tx(db, store.path(), "set password");
    auto s = prepare(db, store.path(),
                     "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until_us = 0"
                     " WHERE name = ?1");
    bind_text_not_null(s.get(), 1, name);
    bind_text_not_null(s.get(), 2, password_hash);
    step_done(db, store.path(), s.get(), "set password");
    if (sqlite3_changes(db) == 0) return false;
    auto d = prepare(
        db, store.path(),
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1) AND id IS NOT ?2");
    bind_text_not_null(d.get(), 1, name);
    detail::bind_text(d.get(), 2, keep_session);  // empty: NULL, every session ends
    step_done(db, store.path(), d.get(), "end sessions");
    tx.commit();
    return true;
}

UpdateResult update_user(Store& store, std::string_view name, std::optional<Role> role,
                         std::optional<bool> disabled)
{
    sqlite3* db = require(store.handle(), store.path());
    detail::WriteTransaction tx(db, store.path(), "update user");
    auto q = prepare(db, store.path(), "SELECT id, role, disabled FROM users WHERE name = ?1");
    bind_text_not_null(q.get(), 1, name);
    const int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return UpdateResult::NoSuchUser;
    if (rc != SQLITE_ROW) fail(db, store.path(), "find user");
    const int64_t id = sqlite3_column_int64(q.get(), 0);
    const Role old_role = parse_role(column_text(q.get(), 1)).value_or(Role::Viewer);
    const bool old_disabled = sqlite3_column_int(q.get(), 2) != 0;
    q.reset();
    const Role new_role = role.value_or(old_role);
    const bool new_disabled = disabled.value_or(old_disabled);
    const bool was_active_admin = old_role == Role::Admin && !old_disabled;
    const bool is_active_admin = new_role == Role::Admin && !new_disabled;
    if (was_active_admin && !is_active_admin &&
        detail::query_int(db, store.path(),
                          "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0") <= 1)
        return UpdateResult::LastAdmin;
    auto u = prepare(db, store.path(), "UPDATE users SET role = ?2, disabled = ?3 WHERE id = ?1");
    sqlite3_bind_int64(u.get(), 1, id);
    const auto role_name = to_string(new_role);
    bind_text_not_null(u.get(), 2, role_name);
    sqlite3_bind_int(u.get(), 3, new_disabled ? 1 : 0);
    step_done(db, store.path(), u.get(), "update user");
    if (new_disabled) {
        auto d = prepare(db, store.path(), "DELETE FROM sessions WHERE user_id = ?1");
        sqlite3_bind_int64(d.get(), 1, id);
        step_done(db, store.path(), d.get(), "end sessions");
    }
    tx.commit();
    return UpdateResult::Updated;
}

FailureResult record_login_failure(Store& store, int64_t user_id, int64_t now_us, const LockoutPolicy& policy)
{
    sqlite3* db = require(store.handle(), store.path());
    detail::WriteTransaction tx(db, store.path(), "record login failure");
    auto s =
        prepare(db, store.path(),
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins");
    sqlite3_bind_int64(s.get(), 1, user_id);
    FailureResult r;
    if (sqlite3_step(s.get()) != SQLITE_ROW) return r;  // no such user: nothing to count
    r.failed_logins = sqlite3_column_int(s.get(), 0);
    s.reset();
    if (r.failed_logins >= policy.max_failures) {
        auto l = prepare(db, store.path(),
                         "UPDATE users SET failed_logins = 0, locked_until_us = ?2 WHERE id = ?1");
        sqlite3_bind_int64(l.get(), 1, user_id);
        sqlite3_bind_int64(l.get(), 2, now_us + policy.lock_us);
        step_done(db, store.path(), l.get(), "lock user");
        r.locked_now = true;
    }
    tx.commit();
    return r;
}

void clear_login_failures(Store& store, int64_t user_id)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(),
                     "UPDATE users SET failed_logins = 0, locked_until_us = 0 WHERE id = ?1"
                     " AND (failed_logins != 0 OR locked_until_us != 0)");
    sqlite3_bind_int64(s.get(), 1, user_id);
    step_done(db, store.path(), s.get(), "clear login failures");
}

void create_session(Store& store, const Session& session)
{
    sqlite3* db = require(store.handle(), store.path());
    if (session.id_hash.empty() || session.csrf_hash.empty()) throw InvalidRequest("empty session hash");
    auto s = prepare(db, store.path(),
                     "INSERT INTO sessions (id, user_id, created_us, last_seen_us, expires_us, csrf_token)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    bind_text_not_null(s.get(), 1, session.id_hash);
    sqlite3_bind_int64(s.get(), 2, session.user.id);
    sqlite3_bind_int64(s.get(), 3, session.created_us);
    sqlite3_bind_int64(s.get(), 4, session.last_seen_us);
    sqlite3_bind_int64(s.get(), 5, session.expires_us);
    bind_text_not_null(s.get(), 6, session.csrf_hash);
    step_done(db, store.path(), s.get(), "create session");
}

std::optional<Session> find_session(const Store& store, std::string_view id_hash)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(),
                     "SELECT s.id, s.created_us, s.last_seen_us, s.expires_us, s.csrf_token,"
                     " u.id, u.name, u.role, u.password_hash, u.created_us, u.disabled, u.failed_logins,"
                     " u.locked_until_us FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?1");
    bind_text_not_null(s.get(), 1, id_hash);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db, store.path(), "find session");
    Session out;
    out.id_hash = column_text(s.get(), 0);
    out.created_us = sqlite3_column_int64(s.get(), 1);
    out.last_seen_us = sqlite3_column_int64(s.get(), 2);
    out.expires_us = sqlite3_column_int64(s.get(), 3);
    out.csrf_hash = column_text(s.get(), 4);
    out.user = read_user(s.get(), 5);
    return out;
}

void touch_session(Store& store, std::string_view id_hash, int64_t now_us)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), "UPDATE sessions SET last_seen_us = ?2 WHERE id = ?1");
    bind_text_not_null(s.get(), 1, id_hash);
    sqlite3_bind_int64(s.get(), 2, now_us);
    step_done(db, store.path(), s.get(), "touch session");
}

bool delete_session(Store& store, std::string_view id_hash)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), "DELETE FROM sessions WHERE id = ?1");
    bind_text_not_null(s.get(), 1, id_hash);
    step_done(db, store.path(), s.get(), "delete session");
    return sqlite3_changes(db) > 0;
}

int64_t delete_expired_sessions(Store& store, int64_t now_us, int64_t idle_us)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), "DELETE FROM sessions WHERE expires_us <= ?1 OR last_seen_us <= ?2");
    sqlite3_bind_int64(s.get(), 1, now_us);
    sqlite3_bind_int64(s.get(), 2, now_us - idle_us);
    step_done(db, store.path(), s.get(), "delete expired sessions");
    return sqlite3_changes(db);
}

std::vector<AuditEntry> audit_page(const Store& store, int limit, std::optional<int64_t> before_id)
{
    sqlite3* db = require(store.handle(), store.path());
    check_limit(limit);
    auto s = prepare(db, store.path(),
                     "SELECT id, ts_us, actor, action, target, detail, ok FROM audit_log"
                     " WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2");
    if (before_id)
        sqlite3_bind_int64(s.get(), 1, *before_id);
    else
        sqlite3_bind_null(s.get(), 1);
    sqlite3_bind_int(s.get(), 2, limit);
    std::vector<AuditEntry> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back({sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1),
                       column_text(s.get(), 2), column_text(s.get(), 3), column_text(s.get(), 4),
                       column_text(s.get(), 5), sqlite3_column_int(s.get(), 6) != 0});
    if (rc != SQLITE_DONE) fail(db, store.path(), "read audit log");
    return out;
}

std::vector<StoredAlert> alerts_after(const Store& store, int64_t after_id, int limit)
{
    sqlite3* db = require(store.handle(), store.path());
    check_limit(limit);
    auto s = prepare(db, store.path(),
                     std::string("SELECT ") + detail::alert_columns +
                         " FROM alerts a LEFT JOIN evidence e ON e.alert_id = a.id WHERE a.id > ?1"
                         " ORDER BY a.id LIMIT ?2");
    sqlite3_bind_int64(s.get(), 1, after_id);
    sqlite3_bind_int(s.get(), 2, limit);
    std::vector<StoredAlert> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back(detail::read_alert(s.get()));
    if (rc != SQLITE_DONE) fail(db, store.path(), "read new alerts");
    return out;
}

int64_t max_alert_id(const Store& store)
{
    sqlite3* db = require(store.handle(), store.path());
    return detail::query_int(db, store.path(), "SELECT coalesce(max(id), 0) FROM alerts");
}

std::optional<RunRecord> last_run(const Store& store)
{
    auto runs = recent_runs(store, 1);
    if (runs.empty()) return std::nullopt;
    return std::move(runs.front());
}

}  // namespace otsentry::alerts
