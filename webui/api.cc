// Routes, authentication, validation and JSON of the web UI's REST API (docs/api.md).
#include "webui/api.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string_view>

#include "alerts/events_query.h"
#include "cmake/embedded_file.h"
#include "webui/api_util.h"
#include "webui/auth.h"

namespace otsentry::webui {

std::span<const EmbeddedFile> frontend_files();  // generated from webui/frontend/

namespace {

using alerts::Role;
using alerts::Store;
using nlohmann::json;
using namespace api;  // NOLINT(google-build-using-namespace): the handlers' shared vocabulary

constexpr std::string_view cookie_name = "otsentry_session";
constexpr size_t max_text_filter = 200;
constexpr size_t max_password = 1024;
constexpr size_t min_new_password = 12;

// ---- query strings ----

bool valid_host(std::string_view s)
{
    if (s.empty() || s.size() > 45) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
               c == ':';
    });
}

std::string cursor_text(const alerts::AlertCursor& c)
{
    return std::to_string(c.ts_us) + "." + std::to_string(c.id);
}

alerts::AlertCursor parse_cursor(std::string_view v)
{
    const auto dot = v.find('.');
    if (dot == std::string_view::npos) fail(400, "invalid_parameter", "cursor is malformed");
    return {parse_int("cursor", v.substr(0, dot), 0, INT64_MAX),
            parse_int("cursor", v.substr(dot + 1), 1, INT64_MAX)};
}

constexpr std::string_view filter_keys[] = {"since", "until", "severity", "status", "proto",
                                            "sid",   "host",  "q",        "limit",  "cursor"};
constexpr std::string_view facet_keys[] = {"since", "until", "severity", "status", "proto",
                                           "sid",   "host",  "q",        "facet",  "limit"};

alerts::AlertFilter parse_filter(const Query& q)
{
    alerts::AlertFilter f;
    for (const auto& [key, v] : q) {
        if (key == "since") {
            f.since_us = parse_int(key, v, 0, INT64_MAX);
        } else if (key == "until") {
            f.until_us = parse_int(key, v, 0, INT64_MAX);
        } else if (key == "severity") {
            for (const auto s : split_list(v)) {
                const auto sev = static_cast<uint8_t>(parse_int(key, s, 1, 4));
                if (std::find(f.severities.begin(), f.severities.end(), sev) == f.severities.end())
                    f.severities.push_back(sev);
            }
        } else if (key == "status") {
            for (const auto s : split_list(v)) {
                const auto st = alerts::parse_status(s);
                if (!st)
                    fail(400, "invalid_parameter",
                         "status must be new, acknowledged, resolved or false_positive");
                if (std::find(f.statuses.begin(), f.statuses.end(), *st) == f.statuses.end())
                    f.statuses.push_back(*st);
            }
        } else if (key == "proto") {
            if (!valid_proto(v)) fail(400, "invalid_parameter", "proto must be 1-32 of a-z 0-9 _ -");
            f.app_proto = v;
        } else if (key == "sid") {
            f.sid = static_cast<uint32_t>(parse_int(key, v, 1, UINT32_MAX));
        } else if (key == "host") {
            if (!valid_host(v)) fail(400, "invalid_parameter", "host must be an IP address");
            f.host = v;
        } else if (key == "q") {
            if (v.size() > max_text_filter || !printable(v))
                fail(400, "invalid_parameter", "q must be at most 200 printable characters");
            f.text = v;
        } else if (key == "limit") {
            f.limit = static_cast<int>(parse_int(key, v, 1, 500));
        } else if (key == "cursor") {
            f.before = parse_cursor(v);
        }
    }
    if (f.since_us && f.until_us && *f.since_us > *f.until_us)
        fail(400, "invalid_parameter", "since must not be after until");
    return f;
}

constexpr std::string_view event_keys[] = {"since", "until", "proto", "src",   "dest",
                                           "host",  "q",     "limit", "cursor"};

alerts::EventFilter parse_event_filter(const Query& q)
{
    alerts::EventFilter f;
    for (const auto& [key, v] : q) {
        if (key == "since") {
            f.since_us = parse_int(key, v, 0, INT64_MAX);
        } else if (key == "until") {
            f.until_us = parse_int(key, v, 0, INT64_MAX);
        } else if (key == "proto") {
            if (!valid_proto(v)) fail(400, "invalid_parameter", "proto must be 1-32 of a-z 0-9 _ -");
            f.app_proto = v;
        } else if (key == "src" || key == "dest" || key == "host") {
            if (!valid_host(v)) fail(400, "invalid_parameter", key + " must be an IP address");
            (key == "src" ? f.src_host : key == "dest" ? f.dest_host : f.host) = v;
        } else if (key == "q") {
            if (v.size() > max_text_filter || !printable(v))
                fail(400, "invalid_parameter", "q must be at most 200 printable characters");
            f.text = v;
        } else if (key == "limit") {
            f.limit = static_cast<int>(parse_int(key, v, 1, 500));
        } else if (key == "cursor") {
            const auto c = parse_cursor(v);
            f.before = alerts::EventCursor{c.ts_us, c.id};
        }
    }
    if (f.since_us && f.until_us && *f.since_us > *f.until_us)
        fail(400, "invalid_parameter", "since must not be after until");
    return f;
}

json alert_json(const alerts::StoredAlert& a)
{
    return {{"id", a.id},
            {"ts_us", a.ts_us},
            {"severity", a.severity},
            {"sid", a.sid},
            {"gid", a.gid},
            {"rev", a.rev},
            {"signature", a.signature},
            {"category", a.category},
            {"app_proto", null_if_empty(a.app_proto)},
            {"src_ip", null_if_empty(a.src_ip)},
            {"src_port", a.src_port},
            {"dest_ip", null_if_empty(a.dest_ip)},
            {"dest_port", a.dest_port},
            {"status", alerts::to_string(a.status)},
            {"assignee", null_if_empty(a.assignee)},
            {"count", a.count},
            {"first_seen_us", a.first_seen_us},
            {"last_seen_us", a.last_seen_us}};
}

json user_json(const alerts::User& u, int64_t now_us)
{
    return {{"name", u.name},
            {"role", alerts::to_string(u.role)},
            {"created_us", u.created_us},
            {"disabled", u.disabled},
            {"locked", u.locked_until_us > now_us}};
}

// ---- cookies and sessions ----

std::string session_token(std::string_view cookie)
{
    while (!cookie.empty()) {
        const auto semi = cookie.find(';');
        auto part = cookie.substr(0, semi);
        cookie = semi == std::string_view::npos ? std::string_view{} : cookie.substr(semi + 1);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        if (part.size() == cookie_name.size() + 65 && part.substr(0, cookie_name.size()) == cookie_name &&
            part[cookie_name.size()] == '=') {
            const auto token = part.substr(cookie_name.size() + 1);
            if (std::all_of(token.begin(), token.end(),
                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
                return std::string(token);
        }
    }
    return {};
}

std::string csrf_for(const std::string& token)
{
    return token_hash("otsentry csrf", token);
}

std::string session_json_body(const alerts::User& u, const std::string& token)
{
    return dump(json{{"user", {{"name", u.name}, {"role", alerts::to_string(u.role)}}},
                     {"csrf_token", csrf_for(token)}});
}

std::vector<std::string_view> path_segments(std::string_view path)
{
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return out;
}

int64_t alert_id(std::string_view s)
{
    int64_t x = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || x < 1)
        fail(404, "not_found", "no such alert");
    return x;
}

std::string audit_actor(std::string_view name)
{
    return alerts::valid_user_name(name) ? std::string(name) : std::string("(invalid name)");
}

}  // namespace

// ---- assets ----

std::string_view content_type_for(std::string_view name)
{
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "woff2") return "font/woff2";
    if (ext == "txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::optional<Asset> find_asset(std::string_view path)
{
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    // The pages refer to their files as /static/<path under webui/frontend/>.
    if (path.starts_with("static/")) path.remove_prefix(7);
    if (path.empty()) path = "index.html";
    if (path.find("..") != std::string_view::npos) return std::nullopt;
    for (const auto& f : frontend_files())
        if (f.name == path) return Asset{f.data, content_type_for(f.name)};
    return std::nullopt;
}

int64_t wall_clock_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::string> ensure_first_admin(Store& store, int64_t now_us)
{
    if (alerts::count_users(store) > 0) return std::nullopt;
    auto password = generate_password();
    alerts::create_user(store, "admin", Role::Admin, hash_password(password), now_us);
    store.record_audit({"otsentry", now_us}, "user.add", "user/admin",
                       R"({"role":"admin","first_start":true})", true);
    return password;
}

// ---- the Store pool: one connection per concurrent request ----

struct Api::Pool {
    std::string path;
    std::mutex mutex;
    std::vector<std::unique_ptr<Store>> free;
};

class Api::Lease {
public:
    explicit Lease(Pool& pool) : pool_(pool)
    {
        {
            const std::lock_guard lock(pool_.mutex);
            if (!pool_.free.empty()) {
                store_ = std::move(pool_.free.back());
                pool_.free.pop_back();
            }
        }
        if (!store_) store_ = std::make_unique<Store>(Store::open(pool_.path));
    }
    ~Lease()
    {
        const std::lock_guard lock(pool_.mutex);
        pool_.free.push_back(std::move(store_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Store& store() { return *store_; }

private:
    Pool& pool_;
    std::unique_ptr<Store> store_;
};

Api::Api(ApiConfig config) : config_(std::move(config)), pool_(std::make_unique<Pool>())
{
    pool_->path = config_.db_path;
    if (config_.version.empty()) config_.version = OTSENTRY_VERSION;
    Lease lease(*pool_);  // opens (and migrates) now: a bad path fails at start, not on a request
}

Api::~Api() = default;

int64_t Api::now() const
{
    return config_.clock ? config_.clock() : wall_clock_us();
}

const std::vector<std::pair<std::string, std::string>>& Api::security_headers()
{
    static const std::vector<std::pair<std::string, std::string>> h = {
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors "
         "'none'; "
         "base-uri 'none'; form-action 'self'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
    };
    return h;
}

bool Api::rate_limited(const std::string& peer)
{
    const auto t = now();
    const std::lock_guard lock(rate_mutex_);
    if (login_attempts_.size() > 10'000) login_attempts_.clear();  // a flood of addresses: start over
    auto& times = login_attempts_[peer];
    std::erase_if(times, [&](int64_t x) { return x <= t - config_.login_window_us; });
    if (static_cast<int>(times.size()) >= config_.login_attempts_per_ip) return true;
    times.push_back(t);
    return false;
}

Response Api::handle(const Request& request)
{
    try {
        const std::string_view target = request.target;
        const auto path = target.substr(0, target.find('?'));
        if (path.substr(0, 5) != "/api/") {
            allow(request, {"GET", "HEAD"});
            const auto asset = find_asset(path);
            if (!asset) fail(404, "not_found", "no such page");
            Response r;
            r.content_type = asset->content_type;
            r.body = asset->data;
            r.headers.emplace_back("Cache-Control", "no-cache");
            return r;
        }
        Lease lease(*pool_);
        auto r = route(request, lease.store());
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    } catch (const ApiError& e) {
        auto r = error_response(e.status, e.code, e.message);
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    } catch (const alerts::InvalidRequest& e) {
        return error_response(422, "invalid_field", e.what());
    } catch (const std::exception& e) {
        std::cerr << "webui: " << request.method << " " << request.target.substr(0, 200) << ": " << e.what()
                  << "\n";
        return error_response(500, "internal", "internal error (see the server log)");
    }
}

Response Api::login(const Request& request, Store& store)
{
    if (rate_limited(request.peer))
        fail(429, "rate_limited", "too many login attempts from this address; wait a minute");
    const auto body = parse_body(request, {"username", "password"});
    const auto name = string_field(body, "username", 1, 64);
    const auto password = string_field(body, "password", 1, max_password);
    const auto t = now();
    const auto detail = dump(json{{"ip", request.peer}});
    const auto user = alerts::valid_user_name(name) ? alerts::find_user(store, name) : std::nullopt;
    if (!user || user->disabled) {
        verify_dummy(password);
        store.record_audit({audit_actor(name), t}, "login.failed", "user/" + audit_actor(name), detail,
                           false);
        fail(401, "login_failed", "wrong user name or password");
    }
    if (user->locked_until_us > t) {
        store.record_audit({user->name, t}, "login.locked", "user/" + user->name, detail, false);
        fail(429, "account_locked", "too many failed logins: this account is locked for a while");
    }
    if (!verify_password(user->password_hash, password)) {
        const auto f = alerts::record_login_failure(store, user->id, t, config_.lockout);
        store.record_audit({user->name, t}, f.locked_now ? "login.locked" : "login.failed",
                           "user/" + user->name, detail, false);
        fail(401, "login_failed", "wrong user name or password");
    }
    alerts::clear_login_failures(store, user->id);
    alerts::delete_expired_sessions(store, t, config_.session_idle_us);
    const auto token = random_token();
    alerts::Session s;
    s.id_hash = token_hash("otsentry session", token);
    s.user = *user;
    s.created_us = s.last_seen_us = t;
    s.expires_us = t + config_.session_absolute_us;
    s.csrf_hash = token_hash("otsentry csrf stored", csrf_for(token));
    alerts::create_session(store, s);
    store.record_audit({user->name, t}, "login.ok", "user/" + user->name, detail, true);
    Response r;
    r.body = session_json_body(*user, token);
    r.headers.emplace_back("Set-Cookie", std::string(cookie_name) + "=" + token +
                                             "; Path=/; HttpOnly; SameSite=Strict" +
                                             (config_.tls ? "; Secure" : ""));
    return r;
}

Response Api::route(const Request& request, Store& store)
{
    const std::string_view target = request.target;
    const auto qpos = target.find('?');
    const auto path = target.substr(0, qpos);
    const auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    const auto seg = path_segments(path);
    if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v1") fail(404, "not_found", "no such API route");
    const std::vector<std::string_view> rest(seg.begin() + 2, seg.end());

    if (rest.size() == 1 && rest[0] == "session" && request.method == "POST") {
        parse_query(query, {});
        return login(request, store);
    }

    // Everything else needs a session.
    const auto token = session_token(request.cookie);
    if (token.empty()) fail(401, "unauthenticated", "log in first");
    const auto id_hash = token_hash("otsentry session", token);
    auto session = alerts::find_session(store, id_hash);
    const auto t = now();
    if (!session) fail(401, "unauthenticated", "log in first");
    if (session->expires_us <= t || session->last_seen_us + config_.session_idle_us <= t ||
        session->user.disabled) {
        alerts::delete_session(store, id_hash);
        fail(401, "session_expired", "the session has expired; log in again");
    }
    if (request.method != "GET" && request.method != "HEAD") {
        if (!equal_secret(token_hash("otsentry csrf stored", request.csrf), session->csrf_hash) ||
            request.csrf.empty())
            fail(403, "csrf", "missing or wrong X-CSRF-Token header");
    }
    alerts::touch_session(store, id_hash, t);
    const auto& user = session->user;
    const alerts::Actor actor{user.name, t};

    if (rest.size() == 2 && rest[0] == "session" && rest[1] == "password") {
        allow(request, {"POST"});
        parse_query(query, {});
        const auto body = parse_body(request, {"current", "new"});
        const auto current = string_field(body, "current", 1, max_password);
        const auto fresh = string_field(body, "new", min_new_password, max_password);
        if (user.locked_until_us > t)  // guessing went on here: no more tries until the lock ends
            fail(429, "account_locked", "too many wrong passwords: this account is locked for a while");
        if (!verify_password(user.password_hash, current)) {
            // Counts like a failed login: a stolen session cannot guess the password freely.
            const auto f = alerts::record_login_failure(store, user.id, t, config_.lockout);
            store.record_audit(actor, "user.passwd", "user/" + user.name,
                               dump(json{{"self", true}, {"locked", f.locked_now}}), false);
            fail(403, "wrong_password", "the current password is wrong");
        }
        if (fresh == current) fail(422, "invalid_field", "new must differ from current");
        alerts::set_password(store, user.name, hash_password(fresh), id_hash);
        store.record_audit(actor, "user.passwd", "user/" + user.name, dump(json{{"self", true}}), true);
        return json_response(200, json{{"ok", true}});
    }

    if (rest.size() == 1 && rest[0] == "session") {
        allow(request, {"GET", "DELETE", "POST"});
        parse_query(query, {});
        if (request.method == "GET") {
            Response r;
            r.body = session_json_body(user, token);
            return r;
        }
        alerts::delete_session(store, id_hash);
        store.record_audit(actor, "logout", "user/" + user.name, "{}", true);
        Response r = json_response(200, json{{"ok", true}});
        r.headers.emplace_back("Set-Cookie", std::string(cookie_name) +
                                                 "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                                 (config_.tls ? "; Secure" : ""));
        return r;
    }

    if (!rest.empty() && rest[0] == "alerts") {
        if (rest.size() == 1) {
            allow(request, {"GET"});
            const auto f = parse_filter(parse_query(query, filter_keys));
            const auto page = store.list_alerts(f);
            json list = json::array();
            for (const auto& a : page.alerts)
                list.push_back(alert_json(a));
            return json_response(
                200, json{{"alerts", std::move(list)},
                          {"next_cursor", page.next ? json(cursor_text(*page.next)) : json(nullptr)}});
        }
        if (rest.size() == 2 && rest[1] == "facets") {
            allow(request, {"GET"});
            auto q = parse_query(query, facet_keys);
            const auto facet_it = q.find("facet");
            if (facet_it == q.end()) fail(400, "invalid_parameter", "facet is required");
            const auto facet = alerts::parse_facet(facet_it->second);
            if (!facet)
                fail(400, "invalid_parameter",
                     "facet must be severity, status, app_proto, sid, src_ip or dest_ip");
            const std::string facet_name = facet_it->second;
            q.erase(facet_it);
            int limit = 100;
            if (const auto l = q.find("limit"); l != q.end()) {
                limit = static_cast<int>(parse_int("limit", l->second, 1, 500));
                q.erase(l);
            }
            const auto counts = store.count_by(*facet, parse_filter(q), limit);
            json list = json::array();
            for (const auto& c : counts)
                list.push_back({{"value", c.value}, {"alerts", c.alerts}, {"rows", c.rows}});
            return json_response(200, json{{"facet", facet_name}, {"counts", std::move(list)}});
        }
        if (rest.size() == 2 && rest[1] == "triage") {
            allow(request, {"POST"});
            require_role(user, Role::Analyst);
            parse_query(query, {});
            const auto body = parse_body(request, {"ids", "action", "assignee", "comment"});
            const auto ids_it = body.find("ids");
            if (ids_it == body.end() || !ids_it->is_array() || ids_it->empty() || ids_it->size() > 1000)
                fail(422, "invalid_field", "ids must be an array of 1..1000 alert ids");
            std::vector<int64_t> ids;
            for (const auto& v : *ids_it) {
                if (!v.is_number_integer() || v.get<int64_t>() < 1)
                    fail(422, "invalid_field", "ids must be positive integers");
                ids.push_back(v.get<int64_t>());
            }
            const auto action = string_field(body, "action", 1, 32);
            const auto comment = string_field(body, "comment", 0, 4000, false);
            alerts::TriageResult res;
            if (action == "assign") {
                const auto assignee = string_field(body, "assignee", 0, 64);
                if (!assignee.empty() && !alerts::valid_user_name(assignee))
                    fail(422, "invalid_field", "assignee must be a user name (A-Z a-z 0-9 . _ -) or empty");
                res = store.assign(ids, assignee, actor);
            } else {
                if (body.contains("assignee"))
                    fail(422, "invalid_field", "assignee is only for action assign");
                std::optional<alerts::AlertStatus> st;
                if (action == "ack") st = alerts::AlertStatus::Acknowledged;
                if (action == "resolve") st = alerts::AlertStatus::Resolved;
                if (action == "false_positive") st = alerts::AlertStatus::FalsePositive;
                if (action == "reopen") st = alerts::AlertStatus::New;
                if (!st)
                    fail(422, "invalid_field",
                         "action must be ack, resolve, false_positive, reopen or assign");
                res = store.set_status(ids, *st, actor, comment);
            }
            return json_response(
                200, json{{"changed", res.changed}, {"unchanged", res.unchanged}, {"missing", res.missing}});
        }
        const auto id = alert_id(rest[1]);
        if (rest.size() == 2) {
            allow(request, {"GET"});
            parse_query(query, {});
            const auto d = store.alert_detail(id);
            if (!d) fail(404, "not_found", "no such alert");
            auto a = alert_json(d->alert);
            auto eve = json::parse(d->alert.eve_json, nullptr, false);
            a["eve"] = eve.is_discarded() ? json(nullptr) : std::move(eve);
            json comments = json::array(), history = json::array();
            for (const auto& c : d->comments)
                comments.push_back({{"id", c.id}, {"ts_us", c.ts_us}, {"actor", c.actor}, {"text", c.text}});
            for (const auto& h : d->history)
                history.push_back({{"ts_us", h.ts_us},
                                   {"actor", h.actor},
                                   {"field", h.field},
                                   {"old", h.old_value},
                                   {"new", h.new_value}});
            return json_response(200, json{{"alert", std::move(a)},
                                           {"comments", std::move(comments)},
                                           {"history", std::move(history)},
                                           {"has_evidence", d->alert.evidence_bytes > 0},
                                           {"evidence_packets", d->evidence_packets},
                                           {"evidence_truncated", d->evidence_truncated}});
        }
        if (rest.size() == 3 && rest[2] == "pcap") {
            allow(request, {"GET"});
            parse_query(query, {});
            auto pcap = store.evidence(id);
            if (!pcap) fail(404, "not_found", "this alert has no evidence pcap");
            Response r;
            r.content_type = "application/vnd.tcpdump.pcap";
            r.body = std::move(*pcap);
            r.headers.emplace_back("Content-Disposition",
                                   "attachment; filename=\"alert-" + std::to_string(id) + ".pcap\"");
            return r;
        }
        if (rest.size() == 3 && rest[2] == "comments") {
            allow(request, {"POST"});
            require_role(user, Role::Analyst);
            parse_query(query, {});
            const auto body = parse_body(request, {"text"});
            const auto text = string_field(body, "text", 1, 4000);
            if (!store.alert_detail(id)) fail(404, "not_found", "no such alert");
            return json_response(201, json{{"id", store.add_comment(id, text, actor)}});
        }
        if (rest.size() == 3 && rest[2] == "suppress") {
            allow(request, {"POST"});
            require_role(user, Role::Admin);
            parse_query(query, {});
            const auto body = parse_body(request, {"reason"});
            const auto reason = string_field(body, "reason", 1, 1000);
            if (!store.alert_detail(id)) fail(404, "not_found", "no such alert");
            return json_response(201, json{{"suppression_id", store.suppress(id, actor, reason)}});
        }
        fail(404, "not_found", "no such API route");
    }

    if (rest.size() == 1 && rest[0] == "audit") {
        allow(request, {"GET"});
        require_role(user, Role::Admin);
        static constexpr std::string_view keys[] = {"limit", "cursor"};
        const auto q = parse_query(query, keys);
        int limit = 50;
        std::optional<int64_t> before;
        if (const auto l = q.find("limit"); l != q.end())
            limit = static_cast<int>(parse_int("limit", l->second, 1, 500));
        if (const auto c = q.find("cursor"); c != q.end())
            before = parse_int("cursor", c->second, 1, INT64_MAX);
        auto entries = alerts::audit_page(store, limit + 1, before);
        const bool more = static_cast<int>(entries.size()) > limit;
        if (more) entries.pop_back();
        json list = json::array();
        for (const auto& e : entries) {
            auto d = json::parse(e.detail, nullptr, false);
            list.push_back({{"id", e.id},
                            {"ts_us", e.ts_us},
                            {"actor", e.actor},
                            {"action", e.action},
                            {"target", e.target},
                            {"detail", d.is_discarded() ? json(nullptr) : std::move(d)},
                            {"ok", e.ok}});
        }
        return json_response(
            200, json{{"entries", std::move(list)},
                      {"next_cursor", more ? json(std::to_string(entries.back().id)) : json(nullptr)}});
    }

    if (rest.size() == 1 && rest[0] == "events") {
        allow(request, {"GET"});
        const auto page = alerts::query_events(store, parse_event_filter(parse_query(query, event_keys)));
        json list = json::array();
        for (const auto& e : page.events) {
            auto eve = json::parse(e.eve_json, nullptr, false);
            list.push_back({{"id", e.id},
                            {"ts_us", e.ts_us},
                            {"app_proto", null_if_empty(e.app_proto)},
                            {"src_ip", null_if_empty(e.src_ip)},
                            {"src_port", e.src_port},
                            {"dest_ip", null_if_empty(e.dest_ip)},
                            {"dest_port", e.dest_port},
                            {"pcap_cnt", e.pcap_cnt},
                            {"eve", eve.is_discarded() ? json(nullptr) : std::move(eve)}});
        }
        return json_response(200, json{{"events", std::move(list)},
                                       {"next_cursor", page.next ? json(std::to_string(page.next->ts_us) +
                                                                        "." + std::to_string(page.next->id))
                                                                 : json(nullptr)}});
    }

    if (rest.size() >= 2 && rest.size() <= 3 && rest[0] == "users") {
        const std::string name(rest[1]);
        const bool password = rest.size() == 3 && rest[2] == "password";
        if (rest.size() == 3 && !password) fail(404, "not_found", "no such API route");
        allow(request, {password ? "POST" : "PUT"});
        require_role(user, Role::Admin);
        parse_query(query, {});
        if (!alerts::valid_user_name(name)) fail(404, "not_found", "no such user");
        if (password) {
            parse_empty_body(request);
            if (!alerts::find_user(store, name)) fail(404, "not_found", "no such user");
            const auto fresh = generate_password();
            alerts::set_password(store, name, hash_password(fresh));
            store.record_audit(actor, "user.passwd", "user/" + name, dump(json{{"reset", true}}), true);
            return json_response(200, json{{"user", {{"name", name}}}, {"password", fresh}});
        }
        const auto body = parse_body(request, {"role", "disabled"});
        if (body.empty()) fail(422, "invalid_field", "give role and/or disabled");
        std::optional<Role> role;
        std::optional<bool> disabled;
        json detail = json::object();
        if (body.contains("role")) {
            role = alerts::parse_role(string_field(body, "role", 1, 16));
            if (!role) fail(422, "invalid_field", "role must be admin, analyst or viewer");
            detail["role"] = alerts::to_string(*role);
        }
        if (const auto d = body.find("disabled"); d != body.end()) {
            if (!d->is_boolean()) fail(422, "invalid_field", "disabled must be true or false");
            disabled = d->get<bool>();
            detail["disabled"] = *disabled;
        }
        switch (alerts::update_user(store, name, role, disabled)) {
            case alerts::UpdateResult::NoSuchUser:
                fail(404, "not_found", "no such user");
            case alerts::UpdateResult::LastAdmin:
                store.record_audit(actor, "user.update", "user/" + name, dump(detail), false);
                fail(409, "last_admin", "this would leave no enabled admin");
            case alerts::UpdateResult::Updated:
                break;
        }
        store.record_audit(actor, "user.update", "user/" + name, dump(detail), true);
        return json_response(200, json{{"user", user_json(*alerts::find_user(store, name), t)}});
    }

    if (rest.size() == 1 && rest[0] == "users") {
        allow(request, {"GET", "POST"});
        require_role(user, Role::Admin);
        parse_query(query, {});
        if (request.method == "GET") {
            json list = json::array();
            for (const auto& u : alerts::list_users(store))
                list.push_back(user_json(u, t));
            return json_response(200, json{{"users", std::move(list)}});
        }
        const auto body = parse_body(request, {"name", "role"});
        const auto name = string_field(body, "name", 1, 64);
        if (!alerts::valid_user_name(name))
            fail(422, "invalid_field",
                 "name must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit");
        const auto role = alerts::parse_role(string_field(body, "role", 1, 16));
        if (!role) fail(422, "invalid_field", "role must be admin, analyst or viewer");
        if (alerts::find_user(store, name)) fail(409, "conflict", "a user with this name exists");
        const auto password = generate_password();
        alerts::create_user(store, name, *role, hash_password(password), t);
        store.record_audit(actor, "user.add", "user/" + name, dump(json{{"role", alerts::to_string(*role)}}),
                           true);
        return json_response(201, json{{"user", {{"name", name}, {"role", alerts::to_string(*role)}}},
                                       {"password", password}});
    }

    if (rest.size() == 1 && rest[0] == "status") return route_status(request, query, store);

    if (!rest.empty() && rest[0] == "rules") return route_rules(request, query, rest, store, user);

    if (rest.size() == 1 && rest[0] == "stream") {
        allow(request, {"GET"});
        static constexpr std::string_view keys[] = {"after"};
        const auto q = parse_query(query, keys);
        Response r;
        r.event_stream = true;
        r.content_type = "text/event-stream";
        const auto a = q.find("after");
        if (a != q.end())
            r.stream_after_id = parse_int("after", a->second, 0, INT64_MAX);
        else if (!request.last_event_id.empty())  // a reconnect continues where it stopped
            r.stream_after_id = parse_int("Last-Event-ID", request.last_event_id, 0, INT64_MAX);
        else
            r.stream_after_id = alerts::max_alert_id(store);
        return r;
    }

    fail(404, "not_found", "no such API route");
}

std::string Api::stream_events(int64_t& after_id)
{
    Lease lease(*pool_);
    std::string out;
    for (const auto& a : alerts::alerts_after(lease.store(), after_id, 100)) {
        out += "id: " + std::to_string(a.id) + "\nevent: alert\ndata: " + dump(alert_json(a)) + "\n\n";
        after_id = a.id;
    }
    return out;
}

bool Api::session_alive(const std::string& cookie)
{
    const auto token = session_token(cookie);
    if (token.empty()) return false;
    Lease lease(*pool_);
    const auto s = alerts::find_session(lease.store(), token_hash("otsentry session", token));
    const auto t = now();
    return s && s->expires_us > t && s->last_seen_us + config_.session_idle_us > t && !s->user.disabled;
}

}  // namespace otsentry::webui
