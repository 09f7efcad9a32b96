// The monitor's statistics: the EVE stats record layout (docs/output.md) and the stderr line.
#include "app/monitor.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace otsentry::app {
namespace {

MonitorSnapshot two_interfaces()
{
    MonitorSnapshot s;
    s.ts_us = 1'700'000'000'123'456;
    s.uptime_s = 61.7;
    s.interval_s = 10;
    s.interval_events = 35;
    s.interfaces = {{"eth1", 1000, 2, 0}, {"eth2", 234, 0, 1}};
    s.packets = 1232;
    s.bytes = 99'000;
    s.events = 400;
    s.alerts = 3;
    s.anomalies = 3;
    s.flows_active = 4;
    s.flows_created = 9;
    s.flows_timed_out = 5;
    s.written.events = 390;
    s.written.alerts = 3;
    return s;
}

TEST(MonitorStats, RecordLayout)
{
    const auto j = nlohmann::json::parse(render_stats_record(two_interfaces()));
    EXPECT_EQ(j.at("timestamp"), "2023-11-14T22:13:20.123456+0000");
    EXPECT_EQ(j.at("event_type"), "stats");
    const auto& s = j.at("stats");
    EXPECT_EQ(s.at("uptime"), 61);
    EXPECT_EQ(s.at("capture").at("received"), 1234);
    EXPECT_EQ(s.at("capture").at("kernel_drops"), 2);
    EXPECT_EQ(s.at("capture").at("if_drops"), 1);
    ASSERT_EQ(s.at("capture").at("interfaces").size(), 2u);
    EXPECT_EQ(s.at("capture").at("interfaces")[1],
              (nlohmann::json{{"name", "eth2"}, {"received", 234}, {"kernel_drops", 0}, {"if_drops", 1}}));
    EXPECT_EQ(s.at("engine").at("packets"), 1232);
    EXPECT_EQ(s.at("engine").at("events"), 400);
    EXPECT_DOUBLE_EQ(s.at("engine").at("events_per_s").get<double>(), 3.5);
    EXPECT_EQ(s.at("engine").at("alerts"), 3);
    EXPECT_EQ(s.at("flows").at("active"), 4);
    EXPECT_EQ(s.at("flows").at("timed_out"), 5);
    EXPECT_EQ(s.at("output").at("events"), 390);
    EXPECT_EQ(s.at("output").at("failed"), 0);
}

TEST(MonitorStats, LineNamesEachInterface)
{
    EXPECT_EQ(
        stats_line(two_interfaces()),
        "otsentry: stats: eth1: received 1,000, dropped 2 by the kernel, 0 by the interface; eth2: received "
        "234, dropped 0 by the kernel, 1 by the interface; processed 1,232 packets, 3.5 events/s, 3 alerts, "
        "4 flows active");
}

TEST(MonitorStats, FirstSnapshotHasNoRate)
{
    MonitorSnapshot s;
    EXPECT_EQ(s.events_per_s(), 0.0);
    const auto j = nlohmann::json::parse(render_stats_record(s));
    EXPECT_EQ(j.at("stats").at("capture").at("interfaces").size(), 0u);
}

}  // namespace
}  // namespace otsentry::app
