// The web server end to end: a Beast client against a Server on 127.0.0.1 port 0, a database
// in a temporary folder, a clock the test moves.
#include <utility>  // before Asio (Boost 1.74 on g++ 12)

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "alerts/rule_catalog.h"
#include "alerts/tests/test_util.h"
#include "alerts/users.h"
#include "cmake/embedded_file.h"
#include "webui/auth.h"
#include "webui/server.h"

namespace otsentry::webui {
std::span<const EmbeddedFile> frontend_files();
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

constexpr int64_t minute_us = 60'000'000;

struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by "\n"
    std::string body;
    [[nodiscard]] json js() const { return json::parse(body, nullptr, false); }
    [[nodiscard]] std::string header(const std::string& name) const
    {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string{} : it->second;
    }
    [[nodiscard]] std::string error_code() const
    {
        const auto j = js();
        return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
    }
};

struct Login {
    std::string cookie, csrf;
};

Reply to_reply(http::response<http::string_body>& res)
{
    Reply r;
    r.status = res.result_int();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& v = r.headers[name];
        if (!v.empty()) v += "\n";
        v += std::string(f.value());
    }
    r.body = std::move(res.body());
    return r;
}

// One request per connection.
Reply send(uint16_t port, const std::string& method, const std::string& target, const std::string& body = {},
           const Login* login = nullptr, std::map<std::string, std::string> extra = {})
{
    asio::io_context ioc;
    beast::tcp_stream s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty() || method == "POST") req.set(http::field::content_type, "application/json");
    if (login) {
        req.set(http::field::cookie, login->cookie);
        req.set("X-CSRF-Token", login->csrf);
    }
    for (const auto& [k, v] : extra)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(s, req, ec);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(64 * 1024 * 1024);
    p.skip(method == "HEAD");
    http::read(s, buf, p, ec);
    EXPECT_FALSE(ec) << method << " " << target << ": " << ec.message();
    return to_reply(p.get());
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("otsentry_webui_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        db_ = (dir_ / "t.db").string();
        store_.emplace(alerts::Store::open(db_));
        for (const auto& [name, role] :
             {std::pair{"admin", alerts::Role::Admin}, std::pair{"ana", alerts::Role::Analyst},
              std::pair{"vic", alerts::Role::Viewer}})
            alerts::create_user(*store_, name, role, password_hash(), 0);
        cfg_.listen = "127.0.0.1:0";
        cfg_.db_path = db_;
        cfg_.stream_poll = std::chrono::milliseconds(50);
        cfg_.stop_grace = std::chrono::milliseconds(2000);
        cfg_.api.clock = [this] { return now_.load(); };
    }
    void TearDown() override
    {
        server_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // Every test user has the password "pw-secret-123"; hashed once (Argon2id takes ~0.1 s).
    static const std::string& password_hash()
    {
        static const std::string h = hash_password("pw-secret-123");
        return h;
    }

    void start()
    {
        server_ = std::make_unique<Server>(cfg_);
        server_->start();
    }
    uint16_t port() const { return server_->port(); }

    Reply login_reply(const std::string& user, const std::string& password = "pw-secret-123")
    {
        return send(port(), "POST", "/api/v1/session",
                    json{{"username", user}, {"password", password}}.dump());
    }
    Login login(const std::string& user)
    {
        const auto r = login_reply(user);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto set_cookie = r.header("set-cookie");
        Login l;
        l.cookie = set_cookie.substr(0, set_cookie.find(';'));
        l.csrf = r.js().value("csrf_token", "");
        return l;
    }

    // Three alerts: sid 1 (severity 1, modbus, with evidence), sid 2 (severity 2, dnp3),
    // sid 3 (severity 3, modbus); returns their ids in that order.
    std::vector<int64_t> insert_alerts()
    {
        auto a = alerts::test::make_alert(1'000'000, 1, 1, 1);
        a.evidence_pcap = alerts::test::make_pcap(2, 60);
        auto b = alerts::test::make_alert(2'000'000, 2, 2, 2);
        b.app_proto = "dnp3";
        b.src_ip = "10.9.9.9";
        auto c = alerts::test::make_alert(3'000'000, 3, 3, 3);
        std::vector<alerts::Record> batch{a, b, c};
        store_->insert_batch(batch);
        std::vector<int64_t> ids;
        for (const auto& x : alerts::alerts_after(*store_, 0, 10))
            ids.push_back(x.id);
        return ids;
    }

    std::filesystem::path dir_;
    std::string db_;
    std::optional<alerts::Store> store_;
    ServerConfig cfg_;
    std::atomic<int64_t> now_{1'800'000'000'000'000};
    std::unique_ptr<Server> server_;
};

const char* const expected_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

void expect_security_headers(const Reply& r, bool api)
{
    EXPECT_EQ(r.header("content-security-policy"), expected_csp);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
    if (api) {
        EXPECT_EQ(r.header("cache-control"), "no-store");
    }
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse)
{
    start();
    const auto login_ok = login("vic");
    expect_security_headers(send(port(), "GET", "/api/v1/alerts"), true);                 // 401
    expect_security_headers(send(port(), "GET", "/api/v1/alerts", {}, &login_ok), true);  // 200
    expect_security_headers(send(port(), "GET", "/api/v1/nope", {}, &login_ok), true);    // 404
    expect_security_headers(send(port(), "GET", "/no-such-page.html"), false);            // 404
    const auto big = send(port(), "GET", "/x", {}, nullptr, {{"X-Big", std::string(9000, 'a')}});
    EXPECT_EQ(big.status, 431);
    expect_security_headers(big, true);
}

TEST_F(ServerTest, StaticFilesAreServedWithTheirContentType)
{
    start();
    for (const auto& f : frontend_files()) {
        const auto r = send(port(), "GET", "/" + std::string(f.name));
        EXPECT_EQ(r.status, 200) << f.name;
        EXPECT_EQ(r.body, f.data) << f.name;
        EXPECT_EQ(r.header("content-type"), content_type_for(f.name));
        expect_security_headers(r, false);
    }
    EXPECT_EQ(send(port(), "POST", "/index.html", "{}").status, 405);
    EXPECT_EQ(send(port(), "GET", "/../../etc/passwd").status, 404);
}

// Every route and method of docs/api.md, with a body a handler would accept.
const std::vector<std::pair<std::string, std::string>> all_routes = {
    {"GET", "/api/v1/session"},
    {"DELETE", "/api/v1/session"},
    {"GET", "/api/v1/alerts"},
    {"GET", "/api/v1/alerts/facets?facet=severity"},
    {"GET", "/api/v1/alerts/1"},
    {"GET", "/api/v1/alerts/1/pcap"},
    {"POST", "/api/v1/alerts/triage"},
    {"POST", "/api/v1/alerts/1/comments"},
    {"POST", "/api/v1/alerts/1/suppress"},
    {"GET", "/api/v1/audit"},
    {"GET", "/api/v1/users"},
    {"POST", "/api/v1/users"},
    {"GET", "/api/v1/status"},
    {"GET", "/api/v1/stream"},
    {"GET", "/api/v1/events"},
    {"PUT", "/api/v1/users/vic"},
    {"POST", "/api/v1/users/vic/password"},
    {"POST", "/api/v1/session/password"},
    {"GET", "/api/v1/rules"},
    {"PUT", "/api/v1/rules/1:1001001"},
    {"POST", "/api/v1/rules/reload"},
    {"GET", "/api/v1/rules/files"},
    {"POST", "/api/v1/rules/files"},
    {"GET", "/api/v1/rules/files/site.rules"},
    {"DELETE", "/api/v1/rules/files/site.rules"},
};

TEST_F(ServerTest, EveryRouteRejectsRequestsWithoutAValidSession)
{
    start();
    const Login forged{"otsentry_session=" + std::string(64, 'a'), "x"};
    const Login garbage{"otsentry_session=' OR 1=1 --", "x"};
    for (const auto& [method, path] : all_routes) {
        for (const Login* l : {static_cast<const Login*>(nullptr), &forged, &garbage}) {
            const auto r = send(port(), method, path, method == "POST" ? "{}" : "", l);
            EXPECT_EQ(r.status, 401) << method << " " << path;
            EXPECT_EQ(r.error_code(), "unauthenticated") << method << " " << path;
        }
    }
}

TEST_F(ServerTest, RolesAreEnforcedOnEveryRoute)
{
    const auto ids = insert_alerts();
    start();
    const auto viewer = login("vic");
    const auto analyst = login("ana");
    const auto admin = login("admin");
    const auto id = std::to_string(ids[0]);
    const std::string triage = json{{"ids", {ids[0]}}, {"action", "ack"}}.dump();
    const std::string comment = R"({"text":"looked at it"})";
    const std::string suppress = R"({"reason":"test traffic"})";
    const std::string new_user = R"({"name":"newbie","role":"viewer"})";
    alerts::CatalogRule rule;
    rule.sid = 1001001;
    rule.source = "default/modbus.rules";
    rule.line = 1;
    rule.state = "active";
    rule.text = "alert modbus any any -> any any (msg:\"x\"; sid:1001001;)";
    alerts::RuleLoadInfo loaded;
    loaded.ts_us = 1;
    alerts::save_rule_catalog(*store_, {rule}, loaded);
    const std::string upload =
        json{{"name", "site.rules"}, {"text", "alert tcp any any -> any 502 (msg:\"t\"; sid:9000001;)\n"}}
            .dump();
    struct Case {
        std::string method, path, body;
        alerts::Role needed;
        int ok_status;
    };
    const std::vector<Case> cases = {
        {"GET", "/api/v1/alerts", "", alerts::Role::Viewer, 200},
        {"GET", "/api/v1/alerts/facets?facet=sid", "", alerts::Role::Viewer, 200},
        {"GET", "/api/v1/alerts/" + id, "", alerts::Role::Viewer, 200},
        {"GET", "/api/v1/alerts/" + id + "/pcap", "", alerts::Role::Viewer, 200},
        {"GET", "/api/v1/status", "", alerts::Role::Viewer, 200},
        {"POST", "/api/v1/alerts/triage", triage, alerts::Role::Analyst, 200},
        {"POST", "/api/v1/alerts/" + id + "/comments", comment, alerts::Role::Analyst, 201},
        {"POST", "/api/v1/alerts/" + id + "/suppress", suppress, alerts::Role::Admin, 201},
        {"GET", "/api/v1/audit", "", alerts::Role::Admin, 200},
        {"GET", "/api/v1/users", "", alerts::Role::Admin, 200},
        {"POST", "/api/v1/users", new_user, alerts::Role::Admin, 201},
        {"GET", "/api/v1/rules", "", alerts::Role::Viewer, 200},
        {"GET", "/api/v1/rules/files", "", alerts::Role::Viewer, 200},
        {"PUT", "/api/v1/rules/1:1001001", R"({"enabled":false})", alerts::Role::Admin, 200},
        {"POST", "/api/v1/rules/files", upload, alerts::Role::Admin, 201},
        {"GET", "/api/v1/rules/files/site.rules", "", alerts::Role::Viewer, 200},
        {"POST", "/api/v1/rules/reload", "", alerts::Role::Admin, 409},  // no engine in `serve`
        {"DELETE", "/api/v1/rules/files/site.rules", "", alerts::Role::Admin, 200},
    };
    const std::pair<const Login*, alerts::Role> users[] = {
        {&viewer, alerts::Role::Viewer}, {&analyst, alerts::Role::Analyst}, {&admin, alerts::Role::Admin}};
    for (const auto& c : cases) {
        for (const auto& [l, role] : users) {
            const auto r = send(port(), c.method, c.path, c.body, l);
            if (static_cast<int>(role) < static_cast<int>(c.needed)) {
                EXPECT_EQ(r.status, 403) << c.method << " " << c.path << " as " << alerts::to_string(role);
                EXPECT_EQ(r.error_code(), "forbidden");
            } else {
                EXPECT_EQ(r.status, c.ok_status)
                    << c.method << " " << c.path << " as " << alerts::to_string(role);
            }
        }
    }
    // Only the allowed writes happened: one comment each by the analyst and the admin.
    EXPECT_EQ(store_->alert_detail(ids[0])->comments.size(), 2u);
    EXPECT_EQ(alerts::list_users(*store_).size(), 4u);
    EXPECT_EQ(store_->suppressions().size(), 1u);
    EXPECT_EQ(alerts::disabled_rules(*store_).size(), 1u);
    EXPECT_TRUE(alerts::list_rule_files(*store_).empty());
}

TEST_F(ServerTest, CsrfTokenMissingOrWrongIsRejectedAndChangesNothing)
{
    const auto ids = insert_alerts();
    start();
    auto analyst = login("ana");
    const std::string triage = json{{"ids", ids}, {"action", "resolve"}}.dump();
    Login no_token = analyst;
    no_token.csrf.clear();
    Login wrong = analyst;
    wrong.csrf[0] = wrong.csrf[0] == 'a' ? 'b' : 'a';
    Login other_session = login("ana");
    Login mixed{analyst.cookie, other_session.csrf};
    for (const Login* l : {&no_token, &wrong, &mixed}) {
        for (const auto& [method, path] : all_routes) {
            if (method == "GET") continue;
            const auto r = send(port(), method, path, "{}", l);
            EXPECT_EQ(r.status, 403) << method << " " << path;
            EXPECT_EQ(r.error_code(), "csrf");
        }
        EXPECT_EQ(send(port(), "POST", "/api/v1/alerts/triage", triage, l).status, 403);
    }
    for (const auto id : ids)
        EXPECT_EQ(store_->alert_detail(id)->alert.status, alerts::AlertStatus::New);
    EXPECT_EQ(send(port(), "GET", "/api/v1/session", {}, &analyst).status, 200)
        << "not logged out by the 403s";
    const auto ok = send(port(), "POST", "/api/v1/alerts/triage", triage, &analyst);
    EXPECT_EQ(ok.status, 200) << ok.body;
    for (const auto id : ids)
        EXPECT_EQ(store_->alert_detail(id)->alert.status, alerts::AlertStatus::Resolved);
}

TEST_F(ServerTest, LoginSessionAndLogout)
{
    start();
    const auto r = login_reply("ana");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.js()["user"], (json{{"name", "ana"}, {"role", "analyst"}}));
    const auto cookie = r.header("set-cookie");
    EXPECT_EQ(cookie.rfind("otsentry_session=", 0), 0u);
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP";
    Login l{cookie.substr(0, cookie.find(';')), r.js()["csrf_token"]};
    EXPECT_EQ(l.csrf.size(), 64u);
    // The database holds neither the token nor the CSRF token.
    alerts::test::RawDb raw(db_);
    const auto stored = alerts::test::query_text(raw.get(), "SELECT id || csrf_token FROM sessions");
    EXPECT_EQ(stored.find(l.cookie.substr(17)), std::string::npos);
    EXPECT_EQ(stored.find(l.csrf), std::string::npos);

    const auto again = send(port(), "GET", "/api/v1/session", {}, &l);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.js()["csrf_token"], l.csrf);
    EXPECT_EQ(again.header("set-cookie"), "");
    const auto out = send(port(), "DELETE", "/api/v1/session", {}, &l);
    EXPECT_EQ(out.status, 200);
    EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(send(port(), "GET", "/api/v1/session", {}, &l).status, 401);
    const auto actions = alerts::test::query_column(raw.get(), "SELECT action FROM audit_log ORDER BY id");
    EXPECT_EQ(actions, (std::vector<std::string>{"login.ok", "logout"}));
}

TEST_F(ServerTest, WrongPasswordsLockTheAccountFor15Minutes)
{
    cfg_.api.login_attempts_per_ip = 100;
    start();
    for (int i = 0; i < 5; ++i) {
        const auto r = login_reply("ana", "wrong-" + std::to_string(i));
        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(r.error_code(), "login_failed");
    }
    const auto locked = login_reply("ana");
    EXPECT_EQ(locked.status, 429);
    EXPECT_EQ(locked.error_code(), "account_locked");
    EXPECT_TRUE(locked.header("set-cookie").empty());
    EXPECT_EQ(login_reply("vic").status, 200) << "other accounts are not locked";
    now_ += 14 * minute_us;
    EXPECT_EQ(login_reply("ana").status, 429);
    now_ += 2 * minute_us;
    EXPECT_EQ(login_reply("ana").status, 200);
    // Unknown users fail the same way, without an account to lock.
    EXPECT_EQ(login_reply("nobody").error_code(), "login_failed");
    EXPECT_EQ(login_reply("x' OR '1'='1").error_code(), "login_failed");
    alerts::test::RawDb raw(db_);
    EXPECT_EQ(
        alerts::test::query_int(raw.get(), "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"),
        6);
    EXPECT_EQ(
        alerts::test::query_int(raw.get(), "SELECT count(*) FROM audit_log WHERE action = 'login.locked'"),
        3);
    EXPECT_EQ(alerts::test::query_int(raw.get(), "SELECT count(*) FROM audit_log WHERE action = 'login.ok'"),
              2);
}

TEST_F(ServerTest, LoginAttemptsAreRateLimitedPerAddress)
{
    cfg_.api.login_attempts_per_ip = 3;
    start();
    EXPECT_EQ(login_reply("nobody", "a").status, 401);
    EXPECT_EQ(login_reply("nobody", "b").status, 401);
    EXPECT_EQ(login_reply("vic").status, 200);
    const auto limited = login_reply("vic");
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.error_code(), "rate_limited");
    now_ += minute_us + 1;
    EXPECT_EQ(login_reply("vic").status, 200);
}

TEST_F(ServerTest, SessionsExpireWhenIdleAndAfter12Hours)
{
    start();
    auto l = login("vic");
    now_ += 29 * minute_us;
    EXPECT_EQ(send(port(), "GET", "/api/v1/alerts", {}, &l).status, 200);
    now_ += 31 * minute_us;
    const auto idle = send(port(), "GET", "/api/v1/alerts", {}, &l);
    EXPECT_EQ(idle.status, 401);
    EXPECT_EQ(idle.error_code(), "session_expired");
    EXPECT_EQ(send(port(), "GET", "/api/v1/alerts", {}, &l).error_code(), "unauthenticated") << "deleted";

    l = login("vic");
    for (int i = 0; i < 12 * 3 - 1; ++i) {  // a request every 20 minutes: never idle
        now_ += 20 * minute_us;
        ASSERT_EQ(send(port(), "GET", "/api/v1/status", {}, &l).status, 200) << i;
    }
    now_ += 20 * minute_us;  // 12 h after login
    EXPECT_EQ(send(port(), "GET", "/api/v1/status", {}, &l).error_code(), "session_expired");
}

TEST_F(ServerTest, BadInputsGetAJsonErrorAndChangeNothing)
{
    const auto ids = insert_alerts();
    start();
    const auto admin = login("admin");
    const auto id = std::to_string(ids[0]);
    const std::vector<std::pair<std::string, int>> bad_gets = {
        {"/api/v1/alerts?limit=0", 400},
        {"/api/v1/alerts?limit=501", 400},
        {"/api/v1/alerts?limit=abc", 400},
        {"/api/v1/alerts?limit=-1", 400},
        {"/api/v1/alerts?limit=99999999999999999999", 400},
        {"/api/v1/alerts?severity=9", 400},
        {"/api/v1/alerts?severity=1,x", 400},
        {"/api/v1/alerts?status=bogus", 400},
        {"/api/v1/alerts?status=new'--", 400},
        {"/api/v1/alerts?host=1'%20OR%20'1'='1", 400},
        {"/api/v1/alerts?proto=modbus;DROP%20TABLE%20alerts", 400},
        {"/api/v1/alerts?sid=0", 400},
        {"/api/v1/alerts?sid=4294967296", 400},
        {"/api/v1/alerts?q=" + std::string(201, 'a'), 400},
        {"/api/v1/alerts?q=%00", 400},
        {"/api/v1/alerts?q=%zz", 400},
        {"/api/v1/alerts?cursor=abc", 400},
        {"/api/v1/alerts?cursor=1.x", 400},
        {"/api/v1/alerts?since=5&until=4", 400},
        {"/api/v1/alerts?limit=1&limit=2", 400},
        {"/api/v1/alerts?unknown=1", 400},
        {"/api/v1/alerts/facets", 400},
        {"/api/v1/alerts/facets?facet=signature", 400},
        {"/api/v1/alerts/facets?facet=sid;--", 400},
        {"/api/v1/alerts/abc", 404},
        {"/api/v1/alerts/1%20OR%201=1", 404},
        {"/api/v1/alerts/-1", 404},
        {"/api/v1/alerts/999999", 404},
        {"/api/v1/alerts/" + std::to_string(ids[1]) + "/pcap", 404},
        {"/api/v1/audit?limit=1001", 400},
        {"/api/v1/audit?cursor=x", 400},
        {"/api/v1/nothing", 404},
    };
    for (const auto& [target, status] : bad_gets) {
        const auto r = send(port(), "GET", target, {}, &admin);
        EXPECT_EQ(r.status, status) << target << " " << r.body;
        EXPECT_FALSE(r.error_code().empty()) << target << " " << r.body;
        EXPECT_FALSE(r.js()["error"].value("message", "").empty()) << target;
    }
    // SQL metacharacters in the free-text filter are text, not SQL.
    const auto q = send(port(), "GET", "/api/v1/alerts?q=%27%3B%20DROP%20TABLE%20alerts%3B%20--", {}, &admin);
    EXPECT_EQ(q.status, 200);
    EXPECT_TRUE(q.js()["alerts"].empty());

    const std::vector<std::tuple<std::string, std::string, int>> bad_posts = {
        {"/api/v1/alerts/triage", "not json", 400},
        {"/api/v1/alerts/triage", "[1,2]", 400},
        {"/api/v1/alerts/triage", R"({"ids":"1","action":"ack"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[],"action":"ack"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":["1 OR 1=1"],"action":"ack"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1.5],"action":"ack"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[-3],"action":"ack"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1],"action":"delete"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1],"action":"ack","extra":1})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1],"action":"assign","assignee":"a'; --"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1],"action":"assign"})", 422},
        {"/api/v1/alerts/triage", R"({"ids":[1],"action":"ack","assignee":"bob"})", 422},
        {"/api/v1/alerts/triage", json{{"ids", std::vector<int>(1001, 1)}, {"action", "ack"}}.dump(), 422},
        {"/api/v1/alerts/" + id + "/comments", R"({"text":""})", 422},
        {"/api/v1/alerts/" + id + "/comments", json{{"text", std::string(4001, 'x')}}.dump(), 422},
        {"/api/v1/alerts/" + id + "/comments", R"({"text":5})", 422},
        {"/api/v1/alerts/" + id + "/comments", R"({"text":"a","b":"c"})", 422},
        {"/api/v1/alerts/999999/comments", R"({"text":"a"})", 404},
        {"/api/v1/alerts/" + id + "/suppress", json{{"reason", std::string(1001, 'x')}}.dump(), 422},
        {"/api/v1/alerts/" + id + "/suppress", R"({})", 422},
        {"/api/v1/users", R"({"name":"x'; DROP TABLE users; --","role":"viewer"})", 422},
        {"/api/v1/users", R"({"name":"eve","role":"root"})", 422},
        {"/api/v1/users", R"({"name":"admin","role":"viewer"})", 409},
        {"/api/v1/users", json{{"name", std::string(65, 'a')}, {"role", "viewer"}}.dump(), 422},
        {"/api/v1/session", R"({"username":"admin"})", 422},
        {"/api/v1/session", json{{"username", "admin"}, {"password", std::string(2000, 'p')}}.dump(), 422},
    };
    for (const auto& [target, body, status] : bad_posts) {
        const auto r = send(port(), "POST", target, body, &admin);
        EXPECT_EQ(r.status, status) << target << " " << body.substr(0, 80) << " -> " << r.body;
        EXPECT_FALSE(r.error_code().empty()) << target;
    }
    const auto form = send(port(), "POST", "/api/v1/alerts/" + id + "/comments", "text=hi", &admin,
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(form.status, 400);
    EXPECT_EQ(form.error_code(), "bad_content_type");
    EXPECT_EQ(send(port(), "PUT", "/api/v1/alerts", "{}", &admin).status, 405);
    EXPECT_EQ(send(port(), "DELETE", "/api/v1/users", {}, &admin).status, 405);

    // A body over 1 MiB: 413 before the handler sees it.
    const auto huge = send(port(), "POST", "/api/v1/alerts/" + id + "/comments",
                           json{{"text", std::string(1024 * 1024 + 10, 'x')}}.dump(), &admin);
    EXPECT_EQ(huge.status, 413);
    EXPECT_EQ(huge.error_code(), "payload_too_large");

    // Nothing changed.
    for (const auto x : ids) {
        const auto d = store_->alert_detail(x);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->alert.status, alerts::AlertStatus::New);
        EXPECT_EQ(d->alert.assignee, "");
        EXPECT_TRUE(d->comments.empty());
    }
    EXPECT_TRUE(store_->suppressions().empty());
    EXPECT_EQ(alerts::list_users(*store_).size(), 3u);
    EXPECT_EQ(store_->count_alert_rows(), 3);
}

TEST_F(ServerTest, AlertListFiltersPagesFacetsAndDetail)
{
    const auto ids = insert_alerts();
    start();
    const auto l = login("vic");
    auto r = send(port(), "GET", "/api/v1/alerts", {}, &l);
    ASSERT_EQ(r.status, 200);
    auto j = r.js();
    ASSERT_EQ(j["alerts"].size(), 3u);
    EXPECT_TRUE(j["next_cursor"].is_null());
    const auto& newest = j["alerts"][0];
    EXPECT_EQ(newest["id"], ids[2]);
    for (const char* key :
         {"id", "ts_us", "severity", "sid", "gid", "rev", "signature", "category", "app_proto", "src_ip",
          "src_port", "dest_ip", "dest_port", "status", "assignee", "count", "first_seen_us", "last_seen_us"})
        EXPECT_TRUE(newest.contains(key)) << key;
    EXPECT_EQ(newest["status"], "new");
    EXPECT_TRUE(newest["assignee"].is_null());

    j = send(port(), "GET", "/api/v1/alerts?severity=1,2&proto=modbus", {}, &l).js();
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["sid"], 1);
    j = send(port(), "GET", "/api/v1/alerts?host=10.9.9.9", {}, &l).js();
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["sid"], 2);
    j = send(port(), "GET", "/api/v1/alerts?q=SIG%203", {}, &l).js();
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["sid"], 3);
    j = send(port(), "GET", "/api/v1/alerts?since=1500000&until=2500000&status=new,acknowledged", {}, &l)
            .js();
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["sid"], 2);

    // Pages of 2 and 1, following next_cursor.
    j = send(port(), "GET", "/api/v1/alerts?limit=2", {}, &l).js();
    ASSERT_EQ(j["alerts"].size(), 2u);
    ASSERT_TRUE(j["next_cursor"].is_string());
    j = send(port(), "GET", "/api/v1/alerts?limit=2&cursor=" + j["next_cursor"].get<std::string>(), {}, &l)
            .js();
    ASSERT_EQ(j["alerts"].size(), 1u);
    EXPECT_EQ(j["alerts"][0]["id"], ids[0]);
    EXPECT_TRUE(j["next_cursor"].is_null());

    j = send(port(), "GET", "/api/v1/alerts/facets?facet=app_proto", {}, &l).js();
    EXPECT_EQ(j["facet"], "app_proto");
    ASSERT_EQ(j["counts"].size(), 2u);
    EXPECT_EQ(j["counts"][0], (json{{"value", "modbus"}, {"alerts", 2}, {"rows", 2}}));
    j = send(port(), "GET", "/api/v1/alerts/facets?facet=severity&proto=dnp3", {}, &l).js();
    ASSERT_EQ(j["counts"].size(), 1u);
    EXPECT_EQ(j["counts"][0]["value"], "2");

    r = send(port(), "GET", "/api/v1/alerts/" + std::to_string(ids[0]), {}, &l);
    ASSERT_EQ(r.status, 200);
    j = r.js();
    EXPECT_EQ(j["alert"]["sid"], 1);
    EXPECT_EQ(j["alert"]["eve"]["event_type"], "alert");
    EXPECT_TRUE(j["has_evidence"].get<bool>());
    EXPECT_TRUE(j["comments"].empty());
    EXPECT_TRUE(j["history"].empty());
    EXPECT_FALSE(send(port(), "GET", "/api/v1/alerts/" + std::to_string(ids[1]), {}, &l)
                     .js()["has_evidence"]
                     .get<bool>());
}

TEST_F(ServerTest, EvidencePcapDownloads)
{
    const auto ids = insert_alerts();
    start();
    const auto l = login("vic");
    const auto r = send(port(), "GET", "/api/v1/alerts/" + std::to_string(ids[0]) + "/pcap", {}, &l);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/vnd.tcpdump.pcap");
    EXPECT_EQ(r.header("content-disposition"),
              "attachment; filename=\"alert-" + std::to_string(ids[0]) + ".pcap\"");
    ASSERT_GE(r.body.size(), 24u);
    EXPECT_EQ(r.body.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4)) << "classic pcap magic, little-endian";
    EXPECT_EQ(r.body, alerts::test::make_pcap(2, 60));
    EXPECT_EQ(send(port(), "GET", "/api/v1/alerts/" + std::to_string(ids[2]) + "/pcap", {}, &l).status, 404);
}

TEST_F(ServerTest, TriageCommentsSuppressionUsersAndTheAuditLog)
{
    const auto ids = insert_alerts();
    start();
    const auto analyst = login("ana");
    const auto admin = login("admin");
    auto r = send(port(), "POST", "/api/v1/alerts/triage",
                  json{{"ids", {ids[0], ids[1], 424242}}, {"action", "ack"}}.dump(), &analyst);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.js()["changed"], (json{ids[0], ids[1]}));
    EXPECT_EQ(r.js()["missing"], (json{424242}));
    r = send(port(), "POST", "/api/v1/alerts/triage",
             json{{"ids", {ids[0]}}, {"action", "assign"}, {"assignee", "ana"}}.dump(), &analyst);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(send(port(), "POST", "/api/v1/alerts/" + std::to_string(ids[0]) + "/comments",
                   R"({"text":"PLC 3 <b>"})", &analyst)
                  .status,
              201);
    const auto d = send(port(), "GET", "/api/v1/alerts/" + std::to_string(ids[0]), {}, &analyst).js();
    EXPECT_EQ(d["alert"]["status"], "acknowledged");
    EXPECT_EQ(d["alert"]["assignee"], "ana");
    ASSERT_EQ(d["comments"].size(), 1u);
    EXPECT_EQ(d["comments"][0]["text"], "PLC 3 <b>");
    EXPECT_EQ(d["comments"][0]["actor"], "ana");
    ASSERT_EQ(d["history"].size(), 2u);
    EXPECT_EQ(d["history"][0]["field"], "status");
    EXPECT_EQ(d["history"][0]["new"], "acknowledged");

    r = send(port(), "POST", "/api/v1/alerts/" + std::to_string(ids[2]) + "/suppress", R"({"reason":"lab"})",
             &admin);
    EXPECT_EQ(r.status, 201);
    EXPECT_GT(r.js()["suppression_id"].get<int64_t>(), 0);

    r = send(port(), "POST", "/api/v1/users", R"({"name":"newbie","role":"analyst"})", &admin);
    ASSERT_EQ(r.status, 201);
    const auto password = r.js()["password"].get<std::string>();
    EXPECT_GE(password.size(), 16u);
    EXPECT_EQ(r.js()["user"]["role"], "analyst");
    EXPECT_EQ(login_reply("newbie", password).status, 200);
    const auto users = send(port(), "GET", "/api/v1/users", {}, &admin).js()["users"];
    ASSERT_EQ(users.size(), 4u);
    for (const auto& u : users)
        EXPECT_FALSE(u.contains("password_hash"));

    // The audit log, newest first, paged.
    auto a = send(port(), "GET", "/api/v1/audit?limit=3", {}, &admin).js();
    ASSERT_EQ(a["entries"].size(), 3u);
    EXPECT_EQ(a["entries"][0]["action"], "login.ok");
    EXPECT_EQ(a["entries"][0]["actor"], "newbie");
    EXPECT_EQ(a["entries"][1]["action"], "user.add");
    EXPECT_EQ(a["entries"][1]["detail"]["role"], "analyst");
    EXPECT_EQ(a["entries"][2]["action"], "suppression.add");
    std::vector<std::string> actions;
    std::string cursor = a["next_cursor"];
    while (true) {
        a = send(port(), "GET", "/api/v1/audit?limit=3&cursor=" + cursor, {}, &admin).js();
        for (const auto& e : a["entries"])
            actions.push_back(e["action"]);
        if (a["next_cursor"].is_null()) break;
        cursor = a["next_cursor"];
    }
    const auto count = [&](const std::string& x) { return std::count(actions.begin(), actions.end(), x); };
    EXPECT_EQ(count("alert.status"), 3) << "two changed, one missing";
    EXPECT_EQ(count("alert.assignee"), 1);
    EXPECT_EQ(count("alert.comment"), 1);
    EXPECT_EQ(count("login.ok"), 2);
}

TEST_F(ServerTest, StatusReportsTheStore)
{
    insert_alerts();
    alerts::RunRecord run;
    run.started_us = 1;
    run.finished_us = 2;
    run.command = "replay";
    run.inputs = {"demo.pcap"};
    run.alerts = 3;
    store_->record_run(run);
    start();
    const auto l = login("vic");
    const auto j = send(port(), "GET", "/api/v1/status", {}, &l).js();
    EXPECT_EQ(j["db_path"], db_);
    EXPECT_EQ(j["alerts"], 3);
    EXPECT_EQ(j["events"], 0);
    EXPECT_EQ(j["schema_version"], alerts::Store::latest_schema_version());
    EXPECT_GT(j["db_bytes"].get<int64_t>(), 0);
    EXPECT_FALSE(j["version"].get<std::string>().empty());
    EXPECT_EQ(j["last_run"]["command"], "replay");
    EXPECT_EQ(j["last_run"]["inputs"], (json{"demo.pcap"}));
}

// Reads from `sock` until `needle` appears or `timeout` passes.
std::string read_until(asio::io_context& ioc, tcp::socket& sock, std::string& buf, std::string_view needle,
                       std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buf.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        std::array<char, 4096> tmp{};
        bool done = false;
        boost::system::error_code ec;
        size_t n = 0;
        sock.async_read_some(asio::buffer(tmp), [&](boost::system::error_code e, size_t k) {
            ec = e;
            n = k;
            done = true;
        });
        ioc.restart();
        ioc.run_for(deadline - std::chrono::steady_clock::now());
        if (!done) {
            sock.cancel();
            ioc.restart();
            ioc.run();
            break;
        }
        buf.append(tmp.data(), n);
        if (ec) break;
    }
    return buf;
}

TEST_F(ServerTest, EventStreamDeliversNewAlerts)
{
    insert_alerts();
    start();
    const auto l = login("vic");
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    const std::string req = "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nCookie: " + l.cookie + "\r\n\r\n";
    asio::write(sock, asio::buffer(req));
    std::string buf;
    read_until(ioc, sock, buf, ": connected", std::chrono::seconds(5));
    ASSERT_NE(buf.find("HTTP/1.1 200"), std::string::npos) << buf;
    EXPECT_NE(buf.find("Content-Type: text/event-stream"), std::string::npos);
    EXPECT_NE(buf.find("X-Frame-Options: DENY"), std::string::npos);
    EXPECT_EQ(buf.find("event: alert"), std::string::npos) << "only alerts newer than the connection";

    std::vector<alerts::Record> batch{alerts::test::make_alert(9'000'000, 77, 9, 1)};
    store_->insert_batch(batch);
    read_until(ioc, sock, buf, "\n\n", std::chrono::seconds(5));
    read_until(ioc, sock, buf, "\"sid\":77", std::chrono::seconds(5));
    const auto at = buf.find("event: alert\ndata: ");
    ASSERT_NE(at, std::string::npos) << buf;
    const auto line_end = buf.find('\n', at + 19);
    const auto data = json::parse(buf.substr(at + 19, line_end - at - 19), nullptr, false);
    ASSERT_TRUE(data.is_object()) << buf;
    EXPECT_EQ(data["sid"], 77);
    EXPECT_EQ(data["severity"], 1);

    // A reconnecting EventSource sends Last-Event-ID and gets what it missed.
    {
        tcp::socket again(ioc);
        again.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
        asio::write(again, asio::buffer("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: " +
                                        std::to_string(data["id"].get<int64_t>() - 1) +
                                        "\r\nCookie: " + l.cookie + "\r\n\r\n"));
        std::string buf2;
        read_until(ioc, again, buf2, "\"sid\":77", std::chrono::seconds(5));
        EXPECT_NE(buf2.find("id: " + std::to_string(data["id"].get<int64_t>()) + "\nevent: alert"),
                  std::string::npos)
            << buf2;
    }

    // Logging out ends the stream.
    EXPECT_EQ(send(port(), "DELETE", "/api/v1/session", {}, &l).status, 200);
    buf.clear();
    read_until(ioc, sock, buf, "never", std::chrono::seconds(3));
    boost::system::error_code ec;
    std::array<char, 16> tmp{};
    sock.non_blocking(true);
    sock.read_some(asio::buffer(tmp), ec);
    EXPECT_EQ(ec, asio::error::eof) << "closed by the server";
}

TEST_F(ServerTest, ConnectionsOverTheCapAreClosedAndIdleOnesTimeOut)
{
    cfg_.max_connections = 2;
    cfg_.read_timeout = std::chrono::milliseconds(300);
    start();
    asio::io_context ioc;
    tcp::socket a(ioc), b(ioc), c(ioc);
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port());
    a.connect(ep);
    b.connect(ep);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both accepted
    c.connect(ep);
    std::string buf;
    const auto t0 = std::chrono::steady_clock::now();
    read_until(ioc, c, buf, "never", std::chrono::milliseconds(250));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200)) << "closed at once";
    EXPECT_TRUE(buf.empty());
    // The two idle connections are closed by the read timeout; then a new one is served.
    read_until(ioc, a, buf, "never", std::chrono::seconds(3));
    read_until(ioc, b, buf, "never", std::chrono::seconds(3));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(send(port(), "GET", "/api/v1/status").status, 401);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection)
{
    start();
    asio::io_context ioc;
    beast::tcp_stream s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    beast::flat_buffer buf;
    for (int i = 0; i < 3; ++i) {
        http::request<http::empty_body> req{http::verb::get, "/api/v1/status", 11};
        req.set(http::field::host, "x");
        http::write(s, req);
        http::response<http::string_body> res;
        http::read(s, buf, res);
        EXPECT_EQ(res.result_int(), 401);
        EXPECT_TRUE(res.keep_alive());
    }
}

TEST_F(ServerTest, StopEndsOpenStreamsAndIdleConnections)
{
    start();
    const auto l = login("vic");
    asio::io_context ioc;
    tcp::socket stream_sock(ioc), idle_sock(ioc);
    stream_sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    idle_sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    asio::write(stream_sock,
                asio::buffer("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nCookie: " + l.cookie + "\r\n\r\n"));
    std::string buf;
    read_until(ioc, stream_sock, buf, ": connected", std::chrono::seconds(5));
    const auto t0 = std::chrono::steady_clock::now();
    server_->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
    EXPECT_THROW(send(port(), "GET", "/api/v1/status"), boost::system::system_error) << "no longer listening";
}

TEST_F(ServerTest, HttpsWithASelfSignedCertificateMadeOnFirstStart)
{
    cfg_.tls_self_signed_dir = (dir_ / "tls").string();
    start();
    EXPECT_TRUE(server_->tls());
    EXPECT_EQ(server_->url().rfind("https://127.0.0.1:", 0), 0u);
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "tls" / "key.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    asio::io_context ioc;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file((dir_ / "tls" / "cert.pem").string());
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
    s.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    s.handshake(asio::ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::post, "/api/v1/session", 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"username":"vic","password":"pw-secret-123"})";
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    EXPECT_EQ(res.result_int(), 200);
    const std::string cookie(res[http::field::set_cookie]);
    EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;

    // A second start keeps the same certificate.
    const auto before = std::filesystem::last_write_time(dir_ / "tls" / "cert.pem");
    server_.reset();
    start();
    EXPECT_EQ(std::filesystem::last_write_time(dir_ / "tls" / "cert.pem"), before);
}

TEST_F(ServerTest, FirstStartCreatesAnAdminWithAOneTimePassword)
{
    alerts::test::RawDb raw(db_);
    raw.exec("DELETE FROM users");
    const auto password = ensure_first_admin(*store_, 5);
    ASSERT_TRUE(password);
    EXPECT_GE(password->size(), 16u);
    EXPECT_FALSE(ensure_first_admin(*store_, 6)) << "only when there are no users";
    start();
    EXPECT_EQ(login_reply("admin", *password).status, 200);
    EXPECT_EQ(login_reply("admin", "admin").status, 401);
}

}  // namespace
}  // namespace otsentry::webui
