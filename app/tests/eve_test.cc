#include "app/eve.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace otsentry::app {
namespace {

class FakeBody final : public dissect::EventBody {
public:
    void write_json(dissect::JsonWriter& w) const override
    {
        w.begin_object().key("request").begin_object().field("function_code", 8).field("pcap_cnt", 7);
        w.end_object().end_object();
    }
    [[nodiscard]] uint64_t pcap_cnt() const override { return 7; }
    size_t pdus(std::span<dissect::PduRef, dissect::max_pdus> /*out*/) const override { return 0; }
};

TEST(Eve, TimestampIsIso8601WithMicroseconds)
{
    EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000000+0000");
    EXPECT_EQ(format_timestamp(1'700'000'000'123'456), "2023-11-14T22:13:20.123456+0000");
    EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999+0000");
}

TEST(Eve, EventRecordHasContractKeys)
{
    std::string out;
    const EveEndpoints ep{42, "10.0.0.1", "10.0.0.2", 40000, 502, "TCP"};
    render_event(out, 1'700'000'000'000'000, ep, Protocol::Modbus, FakeBody{});
    const auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["event_type"], "modbus");
    EXPECT_EQ(j["app_proto"], "modbus");
    EXPECT_EQ(j["flow_id"], 42);
    EXPECT_EQ(j["pcap_cnt"], 7);
    EXPECT_EQ(j["src_ip"], "10.0.0.1");
    EXPECT_EQ(j["dest_port"], 502);
    EXPECT_EQ(j["proto"], "TCP");
    EXPECT_EQ(j["modbus"]["request"]["function_code"], 8);
    EXPECT_EQ(j["timestamp"], "2023-11-14T22:13:20.000000+0000");
}

TEST(Eve, AlertRecordCarriesSignatureAndProtocolObject)
{
    std::string out;
    const EveEndpoints ep{1, "10.0.0.2", "10.0.0.1", 502, 40000, "TCP"};
    const AlertInfo a{2, 2001004, 1, "Modbus \"exception\"", "Protocol Anomaly", 3, Direction::ToClient};
    FakeBody body;
    render_alert(out, 0, 9, ep, Protocol::Modbus, a, "modbus.exception", &body);
    const auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["event_type"], "alert");
    EXPECT_EQ(j["direction"], "to_client");
    EXPECT_EQ(j["alert"]["signature_id"], 2001004);
    EXPECT_EQ(j["alert"]["gid"], 2);
    EXPECT_EQ(j["alert"]["rev"], 1);
    EXPECT_EQ(j["alert"]["signature"], "Modbus \"exception\"");
    EXPECT_EQ(j["alert"]["category"], "Protocol Anomaly");
    EXPECT_EQ(j["alert"]["severity"], 3);
    EXPECT_EQ(j["anomaly"]["event"], "modbus.exception");
    EXPECT_EQ(j["modbus"]["request"]["pcap_cnt"], 7);
    EXPECT_EQ(j["pcap_cnt"], 9);
}

TEST(Eve, FlowIdTextIsTheDecimalId)
{
    EXPECT_EQ(FlowIdText{}.view(), "0");
    EXPECT_EQ(FlowIdText{6345946845202229}.view(), "6345946845202229");
    EXPECT_EQ(FlowIdText{UINT64_MAX}.view(), "18446744073709551615");
}

TEST(Eve, RecordHeadIsExact)
{
    std::string out;
    const EveEndpoints ep{6345946845202229, "10.1.0.37", "10.0.1.19", 9037, 502, "TCP"};
    dissect::JsonWriter w{out};
    begin_record(w, 1'704'067'200'018'906, 6302, "modbus", ep, "modbus");
    w.end_object();
    EXPECT_EQ(out, R"({"timestamp":"2024-01-01T00:00:00.018906+0000","flow_id":6345946845202229,)"
                   R"("pcap_cnt":6302,"event_type":"modbus","src_ip":"10.1.0.37","src_port":9037,)"
                   R"("dest_ip":"10.0.1.19","dest_port":502,"proto":"TCP","app_proto":"modbus"})");

    // No app_proto (a packet-level alert); an IPv6 address; names long enough that the head
    // does not fit the writer's buffer.
    out.clear();
    const std::string v6 = "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff";
    const std::string type(1500, 't');
    const EveEndpoints ep6{0, v6, "::1", 65535, 0, "UDP"};
    begin_record(w, 0, 18446744073709551615u, type, ep6, {});
    w.end_object();
    EXPECT_EQ(out, R"({"timestamp":"1970-01-01T00:00:00.000000+0000","flow_id":0,)"
                   R"("pcap_cnt":18446744073709551615,"event_type":")" +
                       type + R"(","src_ip":")" + v6 +
                       R"(","src_port":65535,"dest_ip":"::1","dest_port":0,"proto":"UDP"})");
}

}  // namespace
}  // namespace otsentry::app
