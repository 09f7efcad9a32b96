// The pieces of the web UI that need no network: listen addresses, content types, embedded
// assets, password hashing and tokens; and Api::handle called directly for the events explorer
// and user administration routes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "alerts/rule_catalog.h"
#include "alerts/tests/test_util.h"
#include "alerts/users.h"
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

// ---- Api::handle without a server: events explorer and user administration ----

using nlohmann::json;

struct Login {
    std::string cookie, csrf;
};

class ApiTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("otsentry_api_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        db_ = (dir_ / "t.db").string();
        store_.emplace(alerts::Store::open(db_));
        for (const auto& [name, role] :
             {std::pair{"admin", alerts::Role::Admin}, std::pair{"ana", alerts::Role::Analyst},
              std::pair{"vic", alerts::Role::Viewer}})
            alerts::create_user(*store_, name, role, password_hash(), 0);
        ApiConfig cfg;
        cfg.db_path = db_;
        cfg.login_attempts_per_ip = 1000;
        cfg.clock = [this] { return now_; };
        api_ = std::make_unique<Api>(cfg);
    }
    void TearDown() override
    {
        api_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    static const std::string& password_hash()
    {
        static const std::string h = hash_password("pw-secret-123");
        return h;
    }

    Response call(const std::string& method, const std::string& target, const std::string& body = {},
                  const Login* l = nullptr)
    {
        Request r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.peer = "127.0.0.1";
        if (!body.empty()) r.content_type = "application/json";
        if (l) {
            r.cookie = l->cookie;
            r.csrf = l->csrf;
        }
        return api_->handle(r);
    }
    Response login_reply(const std::string& user, const std::string& password = "pw-secret-123")
    {
        return call("POST", "/api/v1/session", json{{"username", user}, {"password", password}}.dump());
    }
    Login login(const std::string& user, const std::string& password = "pw-secret-123")
    {
        const auto r = login_reply(user, password);
        EXPECT_EQ(r.status, 200) << r.body;
        Login l;
        for (const auto& [k, v] : r.headers)
            if (k == "Set-Cookie") l.cookie = v.substr(0, v.find(';'));
        l.csrf = json::parse(r.body).value("csrf_token", "");
        return l;
    }
    static json js(const Response& r) { return json::parse(r.body, nullptr, false); }
    static std::string code(const Response& r)
    {
        const auto j = js(r);
        return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
    }
    std::vector<std::string> audit_actions()
    {
        std::vector<std::string> out;
        for (const auto& e : alerts::audit_page(*store_, 1000, std::nullopt))
            out.push_back(e.action + " " + e.target + " " + (e.ok ? "ok" : "failed"));
        return out;
    }

    // Six events: ids 1..6 oldest first. Two share ts_us 3'000'000 (ids 3 and 4).
    void insert_events()
    {
        std::vector<alerts::Record> batch;
        const int64_t ts[] = {1'000'000, 2'000'000, 3'000'000, 3'000'000, 4'000'000, 5'000'000};
        for (int i = 0; i < 6; ++i) {
            auto e = alerts::test::make_event(ts[i], i % 2 == 0 ? "modbus" : "dnp3");
            e.src_ip = "10.0.0." + std::to_string(i + 1);
            e.dest_ip = i < 3 ? "10.0.1.1" : "10.0.1.2";
            e.pcap_cnt = i + 1;
            e.eve_json = json{{"event_type", e.app_proto},
                              {"modbus",
                               {{"request", {{"function_code", i}, {"note", "Coil-" + std::to_string(i)}}},
                                {"response", {{"exception", i == 5}}}}}}
                             .dump();
            batch.push_back(e);
        }
        store_->insert_batch(batch);
    }
    std::vector<int64_t> event_ids(const std::string& query, const Login& l)
    {
        const auto r = call("GET", "/api/v1/events" + query, {}, &l);
        EXPECT_EQ(r.status, 200) << query << ": " << r.body;
        std::vector<int64_t> ids;
        const auto j = js(r);
        for (const auto& e : j["events"])
            ids.push_back(e["id"].get<int64_t>());
        return ids;
    }

    std::filesystem::path dir_;
    std::string db_;
    std::optional<alerts::Store> store_;
    int64_t now_ = 1'800'000'000'000'000;
    std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, EventsNeedASessionAndAreReadByEveryRole)
{
    insert_events();
    auto r = call("GET", "/api/v1/events");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(code(r), "unauthenticated");
    const Login forged{"otsentry_session=" + std::string(64, 'a'), "x"};
    EXPECT_EQ(call("GET", "/api/v1/events", {}, &forged).status, 401);
    for (const char* u : {"vic", "ana", "admin"}) {
        const auto l = login(u);
        EXPECT_EQ(call("GET", "/api/v1/events", {}, &l).status, 200) << u;
    }
    const auto l = login("vic");
    r = call("POST", "/api/v1/events", "{}", &l);
    EXPECT_EQ(r.status, 405);
}

TEST_F(ApiTest, EventsRejectBadParametersWithAJsonError)
{
    insert_events();
    const auto l = login("vic");
    for (const std::string& q : std::vector<std::string>{
             "?limit=0", "?limit=501", "?limit=x", "?since=5&until=4", "?since=-1", "?proto=Modbus",
             "?proto=modbus'%20OR%201=1", "?src=10.0.0.1'--", "?dest=host.example",
             "?host=", "?q=" + std::string(201, 'a'), "?q=%01", "?cursor=12", "?cursor=1.x", "?cursor=1.0",
             "?nope=1", "?limit=5&limit=6", "?q=%zz"}) {
        const auto r = call("GET", "/api/v1/events" + q, {}, &l);
        EXPECT_EQ(r.status, 400) << q << ": " << r.body;
        EXPECT_FALSE(code(r).empty()) << q;
    }
    EXPECT_EQ(store_->count_events(), 6);
}

TEST_F(ApiTest, EventsFilterPageAndCarryTheDecodedRecord)
{
    insert_events();
    const auto l = login("vic");
    auto r = call("GET", "/api/v1/events", {}, &l);
    ASSERT_EQ(r.status, 200);
    auto j = js(r);
    ASSERT_EQ(j["events"].size(), 6u);
    EXPECT_TRUE(j["next_cursor"].is_null());
    const auto& newest = j["events"][0];
    EXPECT_EQ(newest["id"], 6);
    EXPECT_EQ(newest["ts_us"], 5'000'000);
    EXPECT_EQ(newest["app_proto"], "dnp3");
    EXPECT_EQ(newest["src_ip"], "10.0.0.6");
    EXPECT_EQ(newest["src_port"], 50000);
    EXPECT_EQ(newest["dest_ip"], "10.0.1.2");
    EXPECT_EQ(newest["dest_port"], 502);
    EXPECT_EQ(newest["pcap_cnt"], 6);
    EXPECT_EQ(newest["eve"]["modbus"]["request"]["function_code"], 5);
    EXPECT_EQ(newest["eve"]["modbus"]["response"]["exception"], true);

    EXPECT_EQ(event_ids("", l), (std::vector<int64_t>{6, 5, 4, 3, 2, 1})) << "newest first, ties by id";
    EXPECT_EQ(event_ids("?proto=modbus", l), (std::vector<int64_t>{5, 3, 1}));
    EXPECT_EQ(event_ids("?since=2000000&until=4000000", l), (std::vector<int64_t>{4, 3, 2}));
    EXPECT_EQ(event_ids("?src=10.0.0.2", l), (std::vector<int64_t>{2}));
    EXPECT_EQ(event_ids("?dest=10.0.1.2&proto=dnp3", l), (std::vector<int64_t>{6, 4}));
    EXPECT_EQ(event_ids("?host=10.0.1.1", l), (std::vector<int64_t>{3, 2, 1}));
    EXPECT_EQ(event_ids("?host=10.0.0.5", l), (std::vector<int64_t>{5}));
    EXPECT_EQ(event_ids("?q=coil-3", l), (std::vector<int64_t>{4}))
        << "case-insensitive substring of the EVE";
    EXPECT_EQ(event_ids("?q=%22exception%22%3Atrue", l), (std::vector<int64_t>{6}));
    EXPECT_TRUE(event_ids("?q=%25'%20OR%201%3D1%20--", l).empty()) << "SQL text is only a substring";
    EXPECT_TRUE(event_ids("?q=%25", l).empty()) << "no LIKE wildcards";

    // Pages of 2 across the tie at ts 3'000'000.
    std::vector<int64_t> seen;
    std::string cursor;
    int pages = 0;
    do {
        r = call("GET", "/api/v1/events?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), {}, &l);
        ASSERT_EQ(r.status, 200) << r.body;
        j = js(r);
        EXPECT_LE(j["events"].size(), 2u);
        for (const auto& e : j["events"])
            seen.push_back(e["id"]);
        cursor = j["next_cursor"].is_string() ? j["next_cursor"].get<std::string>() : "";
        ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen, (std::vector<int64_t>{6, 5, 4, 3, 2, 1}));

    // An EVE line that is not JSON comes back as null, not as an error.
    alerts::test::RawDb raw(db_);
    raw.exec("UPDATE events SET eve = 'not json' WHERE id = 1");
    j = js(call("GET", "/api/v1/events?until=1500000", {}, &l));
    ASSERT_EQ(j["events"].size(), 1u);
    EXPECT_TRUE(j["events"][0]["eve"].is_null());
}

TEST_F(ApiTest, UserAdministrationNeedsAdminAndCsrf)
{
    const auto viewer = login("vic");
    const auto analyst = login("ana");
    const auto admin = login("admin");
    const std::string promote = R"({"role":"analyst"})";
    for (const Login* l : {&viewer, &analyst}) {
        auto r = call("PUT", "/api/v1/users/vic", promote, l);
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(code(r), "forbidden");
        r = call("POST", "/api/v1/users/vic/password", "{}", l);
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(code(r), "forbidden");
    }
    for (const auto& [method, path] :
         {std::pair{"PUT", "/api/v1/users/vic"}, std::pair{"POST", "/api/v1/users/vic/password"},
          std::pair{"POST", "/api/v1/session/password"}}) {
        EXPECT_EQ(call(method, path, "{}").status, 401) << path;
        Login no_csrf = admin;
        no_csrf.csrf.clear();
        Login wrong = admin;
        wrong.csrf[0] = wrong.csrf[0] == 'a' ? 'b' : 'a';
        for (const Login* l : {&no_csrf, &wrong}) {
            const auto r = call(method, path, method == std::string("PUT") ? promote : "{}", l);
            EXPECT_EQ(r.status, 403) << path;
            EXPECT_EQ(code(r), "csrf") << path;
        }
    }
    EXPECT_EQ(alerts::find_user(*store_, "vic")->role, alerts::Role::Viewer) << "nothing changed";
    EXPECT_EQ(alerts::find_user(*store_, "vic")->password_hash, password_hash());
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &viewer).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/users/vic", {}, &admin).status, 405);
    EXPECT_EQ(call("PUT", "/api/v1/users/vic/extra", promote, &admin).status, 404);

    auto r = call("PUT", "/api/v1/users/vic", promote, &admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(js(r)["user"]["role"], "analyst");
    EXPECT_EQ(js(r)["user"]["disabled"], false);
    EXPECT_FALSE(js(r)["user"].contains("password_hash"));
    EXPECT_EQ(alerts::find_user(*store_, "vic")->role, alerts::Role::Analyst);
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &viewer).status, 200) << "a role change keeps the session";
    EXPECT_EQ(audit_actions().front(), "user.update user/vic ok");
    const auto entry = alerts::audit_page(*store_, 1, std::nullopt).front();
    EXPECT_EQ(entry.actor, "admin");
    EXPECT_EQ(json::parse(entry.detail), (json{{"role", "analyst"}}));
}

TEST_F(ApiTest, UserUpdatesAreValidated)
{
    const auto admin = login("admin");
    struct Case {
        std::string path, body;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"/api/v1/users/vic", "{}", 422, "invalid_field"},
        {"/api/v1/users/vic", R"({"role":"root"})", 422, "invalid_field"},
        {"/api/v1/users/vic", R"({"role":1})", 422, "invalid_field"},
        {"/api/v1/users/vic", R"({"disabled":"yes"})", 422, "invalid_field"},
        {"/api/v1/users/vic", R"({"disabled":1})", 422, "invalid_field"},
        {"/api/v1/users/vic", R"({"role":"admin","password":"x"})", 422, "invalid_field"},
        {"/api/v1/users/vic", "[1]", 400, "bad_request"},
        {"/api/v1/users/vic", "{", 400, "bad_request"},
        {"/api/v1/users/nobody", R"({"role":"admin"})", 404, "not_found"},
        {"/api/v1/users/vic'%20OR%201=1", R"({"role":"admin"})", 404, "not_found"},
        {"/api/v1/users/" + std::string(65, 'a'), R"({"role":"admin"})", 404, "not_found"},
        {"/api/v1/users/vic?x=1", R"({"role":"admin"})", 400, "invalid_parameter"},
    };
    for (const auto& c : cases) {
        const auto r = call("PUT", c.path, c.body, &admin);
        EXPECT_EQ(r.status, c.status) << c.path << " " << c.body << ": " << r.body;
        EXPECT_EQ(code(r), c.code) << c.path << " " << c.body;
    }
    Request text;
    text.method = "PUT";
    text.target = "/api/v1/users/vic";
    text.cookie = admin.cookie;
    text.csrf = admin.csrf;
    text.content_type = "text/plain";
    text.body = R"({"role":"admin"})";
    EXPECT_EQ(api_->handle(text).status, 400);
    const auto vic = alerts::find_user(*store_, "vic");
    EXPECT_EQ(vic->role, alerts::Role::Viewer);
    EXPECT_FALSE(vic->disabled);
    EXPECT_EQ(call("POST", "/api/v1/users/nobody/password", "{}", &admin).status, 404);
    EXPECT_EQ(call("POST", "/api/v1/users/vic/password", R"({"password":"mine"})", &admin).status, 422);
}

TEST_F(ApiTest, TheLastEnabledAdminCannotBeDemotedOrDisabled)
{
    const auto admin = login("admin");
    for (const std::string body :
         {R"({"role":"analyst"})", R"({"disabled":true})", R"({"role":"viewer","disabled":false})"}) {
        const auto r = call("PUT", "/api/v1/users/admin", body, &admin);
        EXPECT_EQ(r.status, 409) << body;
        EXPECT_EQ(code(r), "last_admin") << body;
    }
    EXPECT_EQ(audit_actions().front(), "user.update user/admin failed");
    EXPECT_EQ(alerts::find_user(*store_, "admin")->role, alerts::Role::Admin);
    EXPECT_FALSE(alerts::find_user(*store_, "admin")->disabled);
    EXPECT_EQ(call("PUT", "/api/v1/users/admin", R"({"role":"admin"})", &admin).status, 200)
        << "no-op is fine";

    // A second admin makes it possible; a disabled admin does not count.
    ASSERT_EQ(call("PUT", "/api/v1/users/ana", R"({"role":"admin","disabled":true})", &admin).status, 200);
    EXPECT_EQ(call("PUT", "/api/v1/users/admin", R"({"role":"viewer"})", &admin).status, 409);
    ASSERT_EQ(call("PUT", "/api/v1/users/ana", R"({"disabled":false})", &admin).status, 200);
    const auto r = call("PUT", "/api/v1/users/admin", R"({"role":"viewer"})", &admin);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(alerts::find_user(*store_, "admin")->role, alerts::Role::Viewer);
    EXPECT_EQ(call("GET", "/api/v1/users", {}, &admin).status, 403) << "the demotion applies at once";
    const auto ana = login("ana");
    EXPECT_EQ(call("PUT", "/api/v1/users/ana", R"({"disabled":true})", &ana).status, 409);
}

TEST_F(ApiTest, DisabledUsersCannotLogInAndTheirSessionsEnd)
{
    const auto admin = login("admin");
    const auto vic = login("vic");
    auto r = call("PUT", "/api/v1/users/vic", R"({"disabled":true})", &admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(js(r)["user"]["disabled"], true);
    EXPECT_EQ(call("GET", "/api/v1/events", {}, &vic).status, 401);
    r = login_reply("vic");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(code(r), "login_failed");
    const auto users = js(call("GET", "/api/v1/users", {}, &admin))["users"];
    ASSERT_EQ(users.size(), 3u);
    EXPECT_EQ(users[2]["name"], "vic");
    EXPECT_EQ(users[2]["disabled"], true);
    ASSERT_EQ(call("PUT", "/api/v1/users/vic", R"({"disabled":false})", &admin).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &vic).status, 401) << "the old session stays ended";
    EXPECT_EQ(login_reply("vic").status, 200);
}

TEST_F(ApiTest, AdminResetsAPasswordToAOneTimeOne)
{
    const auto admin = login("admin");
    const auto vic = login("vic");
    const auto r = call("POST", "/api/v1/users/vic/password", {}, &admin);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto fresh = js(r)["password"].get<std::string>();
    EXPECT_GE(fresh.size(), 16u);
    EXPECT_EQ(js(r)["user"]["name"], "vic");
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &vic).status, 401) << "the user's sessions end";
    EXPECT_EQ(login_reply("vic").status, 401);
    EXPECT_EQ(login_reply("vic", fresh).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &admin).status, 200);
    const auto second = js(call("POST", "/api/v1/users/vic/password", "{}", &admin))["password"];
    EXPECT_NE(second, fresh);
    const auto actions = audit_actions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "user.passwd user/vic ok"), 2);
}

TEST_F(ApiTest, UsersChangeTheirOwnPassword)
{
    const auto vic = login("vic");
    const auto other = login("vic");
    const auto change = [&](const std::string& current, const std::string& fresh) {
        return call("POST", "/api/v1/session/password", json{{"current", current}, {"new", fresh}}.dump(),
                    &vic);
    };
    auto r = change("wrong-password", "a-new-long-password");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(code(r), "wrong_password");
    EXPECT_EQ(alerts::find_user(*store_, "vic")->failed_logins, 1) << "counts toward the lockout";
    EXPECT_EQ(audit_actions().front(), "user.passwd user/vic failed");
    r = change("pw-secret-123", "short-11ch");
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(code(r), "invalid_field");
    EXPECT_EQ(change("pw-secret-123", "pw-secret-123").status, 422);
    EXPECT_EQ(call("POST", "/api/v1/session/password", R"({"current":"pw-secret-123"})", &vic).status, 422);
    EXPECT_EQ(call("POST", "/api/v1/session/password", R"({"current":"pw-secret-123","new":5})", &vic).status,
              422);
    EXPECT_EQ(call("GET", "/api/v1/session/password", {}, &vic).status, 405);
    EXPECT_EQ(alerts::find_user(*store_, "vic")->password_hash, password_hash()) << "nothing changed yet";

    // Wrong guesses lock the account like failed logins; while locked, no more guesses.
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(change("guess-" + std::to_string(i), "a-new-long-password").status, 403);
    EXPECT_GT(alerts::find_user(*store_, "vic")->locked_until_us, now_);
    r = change("pw-secret-123", "a-new-long-password");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(code(r), "account_locked");
    now_ += 16LL * 60 * 1'000'000;  // the lock ends after 15 min; the session's idle limit is 30

    r = change("pw-secret-123", "twelve-chars");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &vic).status, 200) << "this session stays";
    EXPECT_EQ(call("GET", "/api/v1/session", {}, &other).status, 401) << "other sessions end";
    EXPECT_EQ(login_reply("vic").status, 401);
    EXPECT_EQ(login_reply("vic", "twelve-chars").status, 200);
    EXPECT_EQ(alerts::find_user(*store_, "vic")->failed_logins, 0);
    const auto actions = audit_actions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "user.passwd user/vic ok"), actions.end());
}

// ---- rules and status (api_engine.cc) ----

class RulesApiTest : public ApiTest {
protected:
    void SetUp() override
    {
        ApiTest::SetUp();
        std::vector<alerts::CatalogRule> rules;
        const auto add = [&](uint32_t sid, const char* proto, const char* msg, const char* state,
                             uint32_t line) {
            alerts::CatalogRule r;
            r.sid = sid;
            r.rev = 1;
            r.action = "alert";
            r.proto = proto;
            r.msg = msg;
            r.classtype = "attempted-dos";
            r.severity = 1;
            r.source = "default/ics.rules";
            r.line = line;
            r.state = state;
            r.text = std::string("alert ") + proto + " any any -> any any (msg:\"" + msg +
                     "\"; sid:" + std::to_string(sid) + ";)";
            if (std::string(state) == "unavailable") r.reason = "protocol not available: enip";
            rules.push_back(r);
        };
        add(1001001, "modbus", "Modbus force listen only", "active", 10);
        add(1001002, "modbus", "Modbus write coil", "active", 20);
        add(1005001, "enip", "CIP stop", "unavailable", 30);
        alerts::RuleLoadInfo info;
        info.ts_us = now_ - 1000;
        info.summary = "3 rules loaded (1 unavailable), 0 rejected";
        info.sources = {"default/ics.rules"};
        info.vars = {{"ICS_ENGINEERING", "[10.0.0.10,10.0.0.20]"}};
        alerts::save_rule_catalog(*store_, rules, info);
    }
    static std::string upload(const std::string& name, const std::string& text, bool dry_run = false)
    {
        json j{{"name", name}, {"text", text}};
        if (dry_run) j["dry_run"] = true;
        return j.dump();
    }
};

TEST_F(RulesApiTest, CatalogueIsListedFilteredAndValidated)
{
    const auto l = login("vic");
    auto r = call("GET", "/api/v1/rules", {}, &l);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = js(r);
    EXPECT_EQ(j["total"], 3);
    EXPECT_EQ(j["engine_attached"], false);
    EXPECT_EQ(j["loaded"]["accepted"], 3);
    EXPECT_EQ(j["loaded"]["unavailable"], 1);
    EXPECT_EQ(j["loaded"]["pending"], false);
    EXPECT_EQ(j["rules"][0]["sid"], 1001001);
    EXPECT_EQ(j["rules"][0]["enabled"], true);
    EXPECT_EQ(j["rules"][0]["alerts"], 0);
    EXPECT_EQ(j["rules"][2]["reason"], "protocol not available: enip");

    j = js(call("GET", "/api/v1/rules?q=LISTEN%20only", {}, &l));
    ASSERT_EQ(j["total"], 1);
    EXPECT_EQ(j["rules"][0]["msg"], "Modbus force listen only");
    EXPECT_EQ(js(call("GET", "/api/v1/rules?state=unavailable,disabled", {}, &l))["total"], 1);
    EXPECT_EQ(js(call("GET", "/api/v1/rules?proto=modbus&limit=1&offset=1", {}, &l))["rules"][0]["sid"],
              1001002);
    EXPECT_EQ(js(call("GET", "/api/v1/rules?sid=1005001", {}, &l))["total"], 1);
    EXPECT_EQ(js(call("GET", "/api/v1/rules?q=%27%20OR%201%3D1%20--", {}, &l))["total"], 0);

    for (const std::string& q :
         std::vector<std::string>{"?state=on", "?state=active,", "?limit=0", "?limit=501", "?offset=-1",
                                  "?sid=0", "?sid=4294967296", "?proto=Modbus", "?q=" + std::string(201, 'a'),
                                  "?q=%0a", "?x=1", "?limit=1&limit=2"}) {
        r = call("GET", "/api/v1/rules" + q, {}, &l);
        EXPECT_EQ(r.status, 400) << q << ": " << r.body;
        EXPECT_EQ(code(r), "invalid_parameter") << q;
    }
    EXPECT_EQ(call("DELETE", "/api/v1/rules", {}, &l).status, 405);
}

TEST_F(RulesApiTest, AdminsDisableAndEnableRulesWhichWaitForTheNextLoad)
{
    const auto admin = login("admin");
    auto r = call("PUT", "/api/v1/rules/1:1001001", R"({"enabled":false})", &admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(js(r)["rule"]["enabled"], false);
    EXPECT_EQ(js(r)["rule"]["state"], "active") << "the loaded set is unchanged until a reload";
    EXPECT_EQ(js(call("GET", "/api/v1/rules", {}, &admin))["loaded"]["pending"], true);
    EXPECT_EQ(alerts::disabled_rules(*store_), (std::vector<std::pair<uint32_t, uint32_t>>{{1, 1001001}}));
    EXPECT_EQ(audit_actions().front(), "rule.disable rule/1:1001001 ok");
    r = call("PUT", "/api/v1/rules/1:1001001", R"({"enabled":true})", &admin);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(alerts::disabled_rules(*store_).empty());
    EXPECT_EQ(audit_actions().front(), "rule.enable rule/1:1001001 ok");

    for (const char* path : {"/api/v1/rules/0:1001001", "/api/v1/rules/1001001", "/api/v1/rules/1:x",
                             "/api/v1/rules/1:1001001:2", "/api/v1/rules/1:999", "/api/v1/rules/1:-1",
                             "/api/v1/rules/1%3A1001001"}) {
        r = call("PUT", path, R"({"enabled":false})", &admin);
        EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    }
    for (const char* body :
         {R"({})", R"({"enabled":"no"})", R"({"enabled":0})", R"({"enabled":false,"x":1})"}) {
        r = call("PUT", "/api/v1/rules/1:1001001", body, &admin);
        EXPECT_EQ(r.status, 422) << body;
        EXPECT_EQ(code(r), "invalid_field") << body;
    }
    EXPECT_EQ(call("PUT", "/api/v1/rules/1:1001001", "[1]", &admin).status, 400);
    EXPECT_TRUE(alerts::disabled_rules(*store_).empty()) << "nothing changed";
}

TEST_F(RulesApiTest, UploadsAreParsedAndRefusedWithEveryProblemByLine)
{
    const auto admin = login("admin");
    const std::string bad =
        "# site rules\n"
        "alert modbus any any -> any any (msg:\"ok\"; modbus.function: 8; sid:9000001;)\n"
        "alert modbus any any -> any any (msg:\"typo\"; contnet:\"x\"; sid:9000002;)\n"
        "alert tcp any any -> any 502 (msg:\"no sid\";)\n"
        "alert tcp $ICS_ENGINEERING any -> any 502 (msg:\"dup\"; sid:1001002;)\n";
    auto r = call("POST", "/api/v1/rules/files", upload("site.rules", bad), &admin);
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(code(r), "invalid_rules");
    const auto problems = js(r)["problems"];
    ASSERT_EQ(problems.size(), 3u) << r.body;
    EXPECT_EQ(problems[0]["line"], 3);
    EXPECT_EQ(problems[0]["sid"], 9000002);
    EXPECT_NE(problems[0]["reason"].get<std::string>().find("contnet"), std::string::npos);
    EXPECT_EQ(problems[1]["line"], 4);
    EXPECT_TRUE(problems[1]["sid"].is_null());
    EXPECT_EQ(problems[2]["line"], 5);
    EXPECT_NE(problems[2]["reason"].get<std::string>().find("default/ics.rules:20"), std::string::npos);
    EXPECT_TRUE(alerts::list_rule_files(*store_).empty()) << "nothing stored";
    EXPECT_EQ(audit_actions().front(), "rules.upload rules/files/site.rules failed");

    // The engine's variables are known: $ICS_ENGINEERING parses. Unavailable rules are warnings.
    const std::string good =
        "alert tcp $ICS_ENGINEERING any -> any 502 (msg:\"from engineering\"; sid:9000003;)\n"
        "alert enip any any -> any any (msg:\"cip\"; sid:9000004;)\n";
    r = call("POST", "/api/v1/rules/files", upload("site.rules", good, true), &admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(js(r)["file"].is_null());
    EXPECT_EQ(js(r)["accepted"], 2);
    EXPECT_TRUE(alerts::list_rule_files(*store_).empty()) << "a dry run stores nothing";
    r = call("POST", "/api/v1/rules/files", upload("site.rules", good), &admin);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(js(r)["file"]["rules"], 2);
    EXPECT_EQ(js(r)["file"]["uploaded_by"], "admin");
    ASSERT_EQ(js(r)["problems"].size(), 1u);
    EXPECT_EQ(js(r)["problems"][0]["line"], 2);
    EXPECT_EQ(audit_actions().front(), "rules.upload rules/files/site.rules ok");
    EXPECT_EQ(js(call("GET", "/api/v1/rules", {}, &admin))["loaded"]["pending"], true);

    const auto viewer = login("vic");
    r = call("GET", "/api/v1/rules/files/site.rules", {}, &viewer);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, good);
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
    EXPECT_EQ(js(call("GET", "/api/v1/rules/files", {}, &viewer))["files"][0]["name"], "site.rules");

    for (const auto& [body, want] : std::vector<std::pair<std::string, std::string>>{
             {upload("../x.rules", good), "invalid_field"},
             {upload("x.txt", good), "invalid_field"},
             {upload("x.rules", "# only a comment\n"), "invalid_field"},
             {upload("x.rules", ""), "invalid_field"},
             {upload("x.rules", std::string(512 * 1024 + 1, 'a')), "invalid_field"},
             {json{{"name", "x.rules"}, {"text", 5}}.dump(), "invalid_field"},
             {json{{"name", "x.rules"}, {"text", good}, {"dry_run", "yes"}}.dump(), "invalid_field"},
             {json{{"name", "x.rules"}, {"text", good}, {"owner", "x"}}.dump(), "invalid_field"},
         }) {
        r = call("POST", "/api/v1/rules/files", body, &admin);
        EXPECT_EQ(r.status, 422) << body.substr(0, 80);
        EXPECT_EQ(code(r), want) << body.substr(0, 80);
    }
    EXPECT_EQ(alerts::list_rule_files(*store_).size(), 1u);

    EXPECT_EQ(call("GET", "/api/v1/rules/files/..%2Fsite.rules", {}, &viewer).status, 404);
    EXPECT_EQ(call("GET", "/api/v1/rules/files/other.rules", {}, &viewer).status, 404);
    EXPECT_EQ(call("DELETE", "/api/v1/rules/files/site.rules", {}, &viewer).status, 403);
    EXPECT_EQ(call("DELETE", "/api/v1/rules/files/site.rules", {}, &admin).status, 200);
    EXPECT_EQ(call("DELETE", "/api/v1/rules/files/site.rules", {}, &admin).status, 404);
    EXPECT_EQ(audit_actions().front(), "rules.delete rules/files/site.rules ok");
}

TEST_F(RulesApiTest, UploadsStopAtOneHundredFilesButReplacingOneStillWorks)
{
    const auto admin = login("admin");
    for (int i = 0; i < 100; ++i) {
        alerts::RuleFile f;
        f.name = "f" + std::to_string(i) + ".rules";
        f.text = "alert tcp any any -> any 502 (msg:\"x\"; sid:" + std::to_string(9100000 + i) + ";)\n";
        f.rules = 1;
        f.uploaded_by = "admin";
        alerts::save_rule_file(*store_, f, 1);
    }
    const std::string one = "alert tcp any any -> any 502 (msg:\"new\"; sid:9200000;)\n";
    auto r = call("POST", "/api/v1/rules/files", upload("new.rules", one), &admin);
    ASSERT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(code(r), "too_many_files");
    EXPECT_FALSE(alerts::find_rule_file(*store_, "new.rules"));
    // Replacing a stored file keeps the count.
    r = call("POST", "/api/v1/rules/files", upload("f7.rules", one), &admin);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(alerts::list_rule_files(*store_).size(), 100u);
    ASSERT_TRUE(alerts::find_rule_file(*store_, "f7.rules"));
    EXPECT_EQ(alerts::find_rule_file(*store_, "f7.rules")->text, one);
}

TEST_F(RulesApiTest, ReloadReachesTheEngineWhenOneIsAttached)
{
    const auto admin = login("admin");
    auto r = call("POST", "/api/v1/rules/reload", {}, &admin);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(code(r), "no_engine");

    std::optional<bool> answer = true;
    int calls = 0;
    ApiConfig cfg;
    cfg.db_path = db_;
    cfg.clock = [this] { return now_; };
    cfg.reload_rules = [&](std::string& message) {
        ++calls;
        message =
            answer == std::optional<bool>{true} ? "rules reloaded: 3 rules loaded" : "cannot read x.rules";
        return answer;
    };
    api_ = std::make_unique<Api>(cfg);
    const auto l = login("admin");
    EXPECT_EQ(js(call("GET", "/api/v1/rules", {}, &l))["engine_attached"], true);
    r = call("POST", "/api/v1/rules/reload", {}, &l);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(js(r)["message"], "rules reloaded: 3 rules loaded");
    EXPECT_EQ(audit_actions().front(), "rules.reload rules ok");
    answer = false;
    r = call("POST", "/api/v1/rules/reload", "{}", &l);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(code(r), "reload_failed");
    EXPECT_EQ(audit_actions().front(), "rules.reload rules failed");
    answer = std::nullopt;
    EXPECT_EQ(code(call("POST", "/api/v1/rules/reload", {}, &l)), "no_engine");
    EXPECT_EQ(call("POST", "/api/v1/rules/reload", R"({"now":true})", &l).status, 422);
    const auto analyst = login("ana");
    EXPECT_EQ(call("POST", "/api/v1/rules/reload", {}, &analyst).status, 403);
    EXPECT_EQ(calls, 3);
}

TEST_F(RulesApiTest, StatusShowsTheLiveCaptureItsRatesAndDrops)
{
    const auto l = login("vic");
    auto j = js(call("GET", "/api/v1/status", {}, &l));
    EXPECT_TRUE(j["capture"].is_null());
    EXPECT_EQ(j["throughput"].size(), 0u);

    const int64_t start = now_ - 120'000'000;
    const auto id = store_->record_run(
        alerts::RunRecord{.started_us = start, .finished_us = 0, .command = "monitor", .inputs = {"eth1"}});
    // Three points a minute apart: 6000 then 12000 packets in the intervals, 5 kernel drops in the second.
    std::vector<alerts::Record> batch;
    const uint64_t packets[] = {1000, 7000, 19000}, bytes[] = {100'000, 700'000, 1'900'000},
                   drops[] = {0, 0, 5};
    for (int i = 0; i < 3; ++i) {
        alerts::Record s;
        s.kind = alerts::RecordKind::Stats;
        s.ts_us = start + (i + 1) * 60'000'000LL - 60'000'000;
        s.eve_json =
            json{{"event_type", "stats"},
                 {"stats",
                  {{"uptime", i * 60},
                   {"capture",
                    {{"received", packets[i]},
                     {"kernel_drops", drops[i]},
                     {"if_drops", 0},
                     {"interfaces", {{{"name", "eth1"}, {"received", packets[i]}}}}}},
                   {"engine", {{"packets", packets[i]}, {"bytes", bytes[i]}, {"events", 10}, {"alerts", 2}}},
                   {"flows", {{"active", 4}}}}}}
                .dump();
        batch.push_back(s);
    }
    store_->insert_batch(batch);
    j = js(call("GET", "/api/v1/status", {}, &l));
    const auto& c = j["capture"];
    EXPECT_EQ(c["live"], true) << j.dump();
    EXPECT_EQ(c["packets"], 19000);
    EXPECT_EQ(c["kernel_drops"], 5);
    EXPECT_EQ(c["packets_per_s"], 200.0);
    EXPECT_EQ(c["bits_per_s"], 160000.0);
    EXPECT_EQ(c["interfaces"][0]["name"], "eth1");
    EXPECT_EQ(c["stats"]["flows"]["active"], 4);
    ASSERT_EQ(j["throughput"].size(), 2u);
    EXPECT_EQ(j["throughput"][0]["packets_per_s"], 100.0);
    EXPECT_EQ(j["throughput"][1]["kernel_drops"], 5);
    EXPECT_TRUE(j["runs"][0]["finished_us"].is_null());

    // Ten minutes of silence: not live any more (the monitor was killed).
    now_ += 600'000'000;
    EXPECT_EQ(js(call("GET", "/api/v1/status", {}, &l))["capture"]["live"], false);
    now_ -= 600'000'000;
    // A stopped monitor is not live either.
    store_->finish_run(id, alerts::RunRecord{.started_us = start,
                                             .finished_us = now_,
                                             .command = "monitor",
                                             .inputs = {"eth1"},
                                             .packets = 19000,
                                             .bytes = 1'900'000,
                                             .events = 30,
                                             .alerts = 6});
    j = js(call("GET", "/api/v1/status", {}, &l));
    EXPECT_EQ(j["capture"]["live"], false);
    EXPECT_EQ(j["last_run"]["finished_us"], now_);
}

}  // namespace
}  // namespace otsentry::webui
