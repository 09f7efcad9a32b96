// Accounts, sessions and the web UI's extra queries (alerts/users.h, alerts/events_query.h).
#include "alerts/users.h"

#include <gtest/gtest.h>

#include "alerts/events_query.h"

#include <filesystem>
#include <vector>

#include "alerts/tests/test_util.h"

namespace otsentry::alerts {
namespace {

class UsersTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("otsentry_users_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "t.db").string();
        store_.emplace(Store::open(path_));
    }
    void TearDown() override
    {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    Store& store() { return *store_; }

    std::filesystem::path dir_;
    std::string path_;
    std::optional<Store> store_;
};

TEST_F(UsersTest, RolesParseAndPrint)
{
    for (const auto r : {Role::Viewer, Role::Analyst, Role::Admin})
        EXPECT_EQ(parse_role(to_string(r)), r);
    EXPECT_FALSE(parse_role("root"));
    EXPECT_FALSE(parse_role("Admin"));
    EXPECT_FALSE(parse_role(""));
}

TEST_F(UsersTest, UserNamesAreValidated)
{
    EXPECT_TRUE(valid_user_name("alice"));
    EXPECT_TRUE(valid_user_name("a.b-c_9"));
    EXPECT_FALSE(valid_user_name(""));
    EXPECT_FALSE(valid_user_name(".hidden"));
    EXPECT_FALSE(valid_user_name("a b"));
    EXPECT_FALSE(valid_user_name("x'; DROP TABLE users; --"));
    EXPECT_FALSE(valid_user_name(std::string(65, 'a')));
    EXPECT_TRUE(valid_user_name(std::string(64, 'a')));
    EXPECT_THROW(create_user(store(), "bad name", Role::Admin, "h", 1), InvalidRequest);
    EXPECT_EQ(count_users(store()), 0);
}

TEST_F(UsersTest, CreateFindListAndDuplicates)
{
    EXPECT_EQ(count_users(store()), 0);
    const auto id = create_user(store(), "bob", Role::Analyst, "$argon2id$x", 1000);
    create_user(store(), "alice", Role::Admin, "$argon2id$y", 2000);
    EXPECT_EQ(count_users(store()), 2);
    const auto bob = find_user(store(), "bob");
    ASSERT_TRUE(bob);
    EXPECT_EQ(bob->id, id);
    EXPECT_EQ(bob->role, Role::Analyst);
    EXPECT_EQ(bob->password_hash, "$argon2id$x");
    EXPECT_EQ(bob->created_us, 1000);
    EXPECT_EQ(find_user(store(), id)->name, "bob");
    EXPECT_FALSE(find_user(store(), "carol"));
    EXPECT_FALSE(find_user(store(), "bob' OR '1'='1"));
    const auto all = list_users(store());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "alice");
    EXPECT_THROW(create_user(store(), "bob", Role::Viewer, "h", 1), StoreError);
    EXPECT_EQ(count_users(store()), 2);
}

TEST_F(UsersTest, LockoutAfterFailuresAndPasswordChangeClearsIt)
{
    const auto id = create_user(store(), "bob", Role::Viewer, "h1", 0);
    const LockoutPolicy policy{3, 1000};
    EXPECT_FALSE(record_login_failure(store(), id, 10, policy).locked_now);
    EXPECT_EQ(record_login_failure(store(), id, 11, policy).failed_logins, 2);
    const auto third = record_login_failure(store(), id, 12, policy);
    EXPECT_TRUE(third.locked_now);
    EXPECT_EQ(find_user(store(), id)->locked_until_us, 1012);
    EXPECT_EQ(find_user(store(), id)->failed_logins, 0);  // counting starts again after the lock

    clear_login_failures(store(), id);
    EXPECT_EQ(find_user(store(), id)->locked_until_us, 0);
    record_login_failure(store(), id, 20, policy);
    EXPECT_EQ(find_user(store(), id)->failed_logins, 1);

    Session s;
    s.id_hash = "sess";
    s.user.id = id;
    s.created_us = s.last_seen_us = 20;
    s.expires_us = 100;
    s.csrf_hash = "c";
    create_session(store(), s);
    EXPECT_TRUE(set_password(store(), "bob", "h2"));
    const auto bob = find_user(store(), id);
    EXPECT_EQ(bob->password_hash, "h2");
    EXPECT_EQ(bob->failed_logins, 0);
    EXPECT_FALSE(find_session(store(), "sess")) << "a new password ends the sessions";
    EXPECT_FALSE(set_password(store(), "nobody", "h"));
    EXPECT_EQ(record_login_failure(store(), 999, 1, policy).failed_logins, 0);
}

TEST_F(UsersTest, SessionsFindTouchExpireAndDelete)
{
    const auto id = create_user(store(), "bob", Role::Analyst, "h", 0);
    Session s;
    s.id_hash = "aaaa";
    s.user.id = id;
    s.created_us = 100;
    s.last_seen_us = 100;
    s.expires_us = 10'000;
    s.csrf_hash = "cccc";
    create_session(store(), s);
    Session t = s;
    t.id_hash = "bbbb";
    t.last_seen_us = 5000;
    create_session(store(), t);

    auto found = find_session(store(), "aaaa");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user.name, "bob");
    EXPECT_EQ(found->user.role, Role::Analyst);
    EXPECT_EQ(found->csrf_hash, "cccc");
    EXPECT_EQ(found->expires_us, 10'000);
    EXPECT_FALSE(find_session(store(), "aaa"));

    touch_session(store(), "aaaa", 700);
    EXPECT_EQ(find_session(store(), "aaaa")->last_seen_us, 700);

    // Idle limit 1000 at t=2000: "aaaa" (last seen 700) goes, "bbbb" (5000) stays.
    EXPECT_EQ(delete_expired_sessions(store(), 2000, 1000), 1);
    EXPECT_FALSE(find_session(store(), "aaaa"));
    EXPECT_TRUE(find_session(store(), "bbbb"));
    // Absolute expiry.
    EXPECT_EQ(delete_expired_sessions(store(), 10'000, 1'000'000), 1);
    EXPECT_FALSE(find_session(store(), "bbbb"));

    create_session(store(), s);
    EXPECT_TRUE(delete_session(store(), "aaaa"));
    EXPECT_FALSE(delete_session(store(), "aaaa"));
    Session empty;
    EXPECT_THROW(create_session(store(), empty), InvalidRequest);
}

TEST_F(UsersTest, AuditPagesFollowTheCursor)
{
    for (int i = 0; i < 5; ++i)
        store().record_audit({"bob", 100 + i}, "login.ok", "user/bob", "{}", true);
    const auto first = audit_page(store(), 2, std::nullopt);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_GT(first[0].id, first[1].id);
    const auto second = audit_page(store(), 2, first.back().id);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_LT(second[0].id, first[1].id);
    const auto third = audit_page(store(), 2, second.back().id);
    EXPECT_EQ(third.size(), 1u);
    EXPECT_THROW(audit_page(store(), 0, std::nullopt), InvalidRequest);
    EXPECT_THROW(audit_page(store(), 1001, std::nullopt), InvalidRequest);
}

TEST_F(UsersTest, NewAlertsAfterAnIdAndLastRun)
{
    EXPECT_EQ(max_alert_id(store()), 0);
    EXPECT_FALSE(last_run(store()));
    std::vector<Record> batch{test::make_alert(1000, 1, 1), test::make_alert(2000, 2, 2),
                              test::make_alert(3000, 3, 3)};
    store().insert_batch(batch);
    const auto max_id = max_alert_id(store());
    EXPECT_GT(max_id, 0);
    const auto all = alerts_after(store(), 0, 10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_LT(all[0].id, all[1].id);
    EXPECT_EQ(all[0].sid, 1u);
    const auto later = alerts_after(store(), all[0].id, 10);
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later[0].sid, 2u);
    EXPECT_EQ(alerts_after(store(), all[0].id, 1).size(), 1u);
    EXPECT_TRUE(alerts_after(store(), max_id, 10).empty());

    RunRecord run;
    run.started_us = 5;
    run.finished_us = 9;
    run.command = "replay";
    run.inputs = {"a.pcap", "b \"q\".pcap"};
    run.packets = 12;
    run.alerts = 3;
    store().record_run(run);
    const auto got = last_run(store());
    ASSERT_TRUE(got);
    EXPECT_EQ(got->command, "replay");
    EXPECT_EQ(got->inputs, run.inputs);
    EXPECT_EQ(got->packets, 12u);
    EXPECT_EQ(got->finished_us, 9);
}

TEST_F(UsersTest, UpdateUserKeepsAnEnabledAdmin)
{
    create_user(store(), "root", Role::Admin, "h", 0);
    create_user(store(), "ann", Role::Analyst, "h", 0);
    Session s;
    s.id_hash = "sess-ann";
    s.csrf_hash = "c";
    s.user = *find_user(store(), "ann");
    create_session(store(), s);
    EXPECT_EQ(update_user(store(), "nobody", Role::Admin, std::nullopt), UpdateResult::NoSuchUser);
    EXPECT_EQ(update_user(store(), "root", Role::Viewer, std::nullopt), UpdateResult::LastAdmin);
    EXPECT_EQ(update_user(store(), "root", std::nullopt, true), UpdateResult::LastAdmin);
    EXPECT_EQ(find_user(store(), "root")->role, Role::Admin);
    EXPECT_EQ(update_user(store(), "ann", Role::Admin, std::nullopt), UpdateResult::Updated);
    EXPECT_TRUE(find_session(store(), "sess-ann")) << "a role change keeps the sessions";
    EXPECT_EQ(update_user(store(), "ann", std::nullopt, true), UpdateResult::Updated);
    EXPECT_TRUE(find_user(store(), "ann")->disabled);
    EXPECT_FALSE(find_session(store(), "sess-ann")) << "disabling ends the sessions";
    EXPECT_EQ(update_user(store(), "root", std::nullopt, true), UpdateResult::LastAdmin)
        << "a disabled admin does not count";
    EXPECT_EQ(update_user(store(), "ann", std::nullopt, false), UpdateResult::Updated);
    EXPECT_EQ(update_user(store(), "root", Role::Analyst, std::nullopt), UpdateResult::Updated);
    EXPECT_EQ(find_user(store(), "root")->role, Role::Analyst);
}

TEST_F(UsersTest, SetPasswordCanKeepOneSession)
{
    create_user(store(), "ann", Role::Analyst, "h", 0);
    for (const char* id : {"one", "two"}) {
        Session s;
        s.id_hash = id;
        s.csrf_hash = "c";
        s.user = *find_user(store(), "ann");
        create_session(store(), s);
    }
    EXPECT_TRUE(set_password(store(), "ann", "h2", "two"));
    EXPECT_FALSE(find_session(store(), "one"));
    EXPECT_TRUE(find_session(store(), "two"));
    EXPECT_TRUE(set_password(store(), "ann", "h3"));
    EXPECT_FALSE(find_session(store(), "two"));
}

TEST_F(UsersTest, EventQueryFiltersPagesAndRejectsBadLimits)
{
    std::vector<Record> batch;
    for (int i = 0; i < 5; ++i) {
        auto e = test::make_event(1'000 * (i / 2), i < 3 ? "modbus" : "dnp3");  // ts 0 0 1000 1000 2000
        e.eve_json = R"({"n":)" + std::to_string(i) + R"(,"Note":"Write-)" + std::to_string(i) + R"("})";
        batch.push_back(e);
    }
    store().insert_batch(batch);
    EventFilter f;
    f.limit = 2;
    std::vector<int64_t> ids;
    for (int pages = 0; pages < 5; ++pages) {
        const auto page = query_events(store(), f);
        for (const auto& e : page.events)
            ids.push_back(e.id);
        if (!page.next) break;
        f.before = page.next;
    }
    EXPECT_EQ(ids, (std::vector<int64_t>{5, 4, 3, 2, 1}));
    EventFilter g;
    g.app_proto = "modbus";
    g.since_us = 1'000;
    auto page = query_events(store(), g);
    ASSERT_EQ(page.events.size(), 1u);
    EXPECT_EQ(page.events[0].id, 3);
    EXPECT_EQ(page.events[0].src_ip, "10.0.0.1");
    EXPECT_EQ(page.events[0].pcap_cnt, 7);
    EventFilter text;
    text.text = "write-4";
    page = query_events(store(), text);
    ASSERT_EQ(page.events.size(), 1u);
    EXPECT_EQ(page.events[0].id, 5);
    EXPECT_FALSE(page.next);
    for (const int bad : {0, 501}) {
        EventFilter b;
        b.limit = bad;
        EXPECT_THROW(query_events(store(), b), InvalidRequest);
    }
    EventFilter long_text;
    long_text.text = std::string(201, 'a');
    EXPECT_THROW(query_events(store(), long_text), InvalidRequest);
    EventFilter backwards;
    backwards.since_us = 2;
    backwards.until_us = 1;
    EXPECT_THROW(query_events(store(), backwards), InvalidRequest);
}

}  // namespace
}  // namespace otsentry::alerts
