// The packet front in the engine: fragmented Modbus/TCP gives the same events as whole packets,
// and defragmentation anomalies become packet-level alerts.
#include "app/packet_front.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/engine.h"
#include "capture/source/pcap_source.h"
#include "dissectors/modbus/tests/modbus_vectors.h"
#include "tests/support/frame_builder.h"

namespace otsentry::app {
namespace {

using test::Bytes;
using test::TcpConversation;

constexpr uint8_t client_ip[4] = {10, 0, 0, 1};
constexpr uint8_t server_ip[4] = {10, 0, 0, 2};
constexpr size_t eth_len = 14, ip_len = 20;

using modbus::test::read_holding_req;
using modbus::test::read_holding_resp;

// Splits an Ethernet/IPv4 frame (IHL 5) into fragments at the given offsets of its IP payload
// (multiples of 8), with identification `id`.
std::vector<Bytes> fragments(const Bytes& frame, std::initializer_list<size_t> cuts, uint16_t id)
{
    const Bytes payload(frame.begin() + eth_len + ip_len, frame.end());
    std::vector<size_t> at{0};
    at.insert(at.end(), cuts.begin(), cuts.end());
    at.push_back(payload.size());
    std::vector<Bytes> out;
    for (size_t i = 0; i + 1 < at.size(); ++i) {
        Bytes f(frame.begin(), frame.begin() + eth_len + ip_len);
        const size_t len = at[i + 1] - at[i];
        const bool more = i + 2 < at.size();
        f[eth_len + 2] = static_cast<uint8_t>((ip_len + len) >> 8);
        f[eth_len + 3] = static_cast<uint8_t>(ip_len + len);
        f[eth_len + 4] = static_cast<uint8_t>(id >> 8);
        f[eth_len + 5] = static_cast<uint8_t>(id);
        const auto flags_offset = static_cast<uint16_t>((more ? 0x2000 : 0) | at[i] / 8);
        f[eth_len + 6] = static_cast<uint8_t>(flags_offset >> 8);
        f[eth_len + 7] = static_cast<uint8_t>(flags_offset);
        f.insert(f.end(), payload.begin() + static_cast<ptrdiff_t>(at[i]),
                 payload.begin() + static_cast<ptrdiff_t>(at[i + 1]));
        out.push_back(std::move(f));
    }
    return out;
}

class VectorOutput final : public RecordOutput {
public:
    void submit(alerts::Record&& r) override { records.push_back(std::move(r)); }
    [[nodiscard]] std::vector<nlohmann::json> of_kind(alerts::RecordKind k) const
    {
        std::vector<nlohmann::json> v;
        for (const auto& r : records)
            if (r.kind == k) v.push_back(nlohmann::json::parse(r.eve_json));
        return v;
    }
    std::vector<alerts::Record> records;
};

class FrontTest : public ::testing::Test {
protected:
    void feed(const Bytes& frame, int64_t step_us = 1000)
    {
        capture::RawPacket p;
        p.data = frame;
        p.caplen = p.wire_len = static_cast<uint32_t>(frame.size());
        p.link = capture::LinkType::Ethernet;
        p.pcap_cnt = ++count_;
        now_ += step_us;
        p.ts_us = now_;
        engine_.process(p);
    }
    void feed_all(const std::vector<Bytes>& frames)
    {
        for (const auto& f : frames)
            feed(f);
    }

    VectorOutput out_;
    Engine engine_{EngineConfig{}, out_};
    uint64_t count_ = 0;
    int64_t now_ = 1'700'000'000'000'000;
};

TEST_F(FrontTest, FragmentedRequestGivesTheSameEvent)
{
    TcpConversation c{client_ip, 40000, server_ip, 502};
    feed_all(c.handshake());
    // 20 TCP + 12 Modbus bytes in fragments of 8, 16 and 8 bytes, the last one first.
    auto req = fragments(c.to_server(read_holding_req), {8, 24}, 7);
    ASSERT_EQ(req.size(), 3u);
    feed(req[2]);
    feed(req[0]);
    feed(req[1]);  // pcap_cnt 6 completes the request
    feed(c.to_client(read_holding_resp));
    engine_.finish();

    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["modbus"]["request"]["quantity"], 3);
    EXPECT_EQ(events[0]["modbus"]["request"]["pcap_cnt"], 6);
    EXPECT_EQ(events[0]["modbus"]["response"]["pcap_cnt"], 7);
    EXPECT_EQ(events[0]["src_port"], 40000);
    // The RFC 1858 rule: the first fragment holds 8 of the 20 TCP header bytes.
    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["anomaly"]["event"], "defrag.tiny_fragment");
    const auto& d = engine_.defrag_stats();
    EXPECT_EQ(d.fragments, 3u);
    EXPECT_EQ(d.reassembled, 1u);
    const auto& ds = engine_.decode_stats();
    EXPECT_EQ(ds.fragments, 3u);
    EXPECT_EQ(ds.ipv4, 7u);  // frames
    EXPECT_EQ(ds.tcp, 5u);   // 3 handshake + the reassembled request + the response
    EXPECT_EQ(engine_.counters().non_flow_packets, 2u);
}

TEST_F(FrontTest, DefragAnomalyIsAPacketLevelAlert)
{
    TcpConversation c{client_ip, 40001, server_ip, 502};
    feed_all(c.handshake());
    const Bytes whole = c.to_server(read_holding_req);
    auto f = fragments(whole, {24}, 9);  // [0, 24) and [24, 32)
    feed(f[0]);
    Bytes inside = fragments(whole, {8, 16}, 9)[1];  // [8, 16): inside the first
    feed(inside);
    engine_.finish();

    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    const auto& a = alerts[0];
    EXPECT_EQ(a["event_type"], "alert");
    EXPECT_EQ(a["flow_id"], 0);
    EXPECT_EQ(a["pcap_cnt"], 5);
    EXPECT_EQ(a["src_ip"], "10.0.0.1");
    EXPECT_EQ(a["dest_ip"], "10.0.0.2");
    EXPECT_EQ(a["src_port"], 40000 + 1);  // the first fragment showed the ports
    EXPECT_EQ(a["dest_port"], 502);
    EXPECT_EQ(a["proto"], "TCP");
    EXPECT_FALSE(a.contains("app_proto"));
    EXPECT_FALSE(a.contains("direction"));
    EXPECT_FALSE(a.contains("vlan"));
    EXPECT_EQ(a["alert"]["gid"], 2);
    EXPECT_EQ(a["alert"]["signature_id"], 2000012);
    EXPECT_EQ(a["alert"]["severity"], 1);
    EXPECT_EQ(a["anomaly"]["type"], "decode");
    EXPECT_EQ(a["anomaly"]["event"], "defrag.teardrop");
    const auto& rec = out_.records.back();
    EXPECT_EQ(rec.flow_id, 0u);
    EXPECT_EQ(rec.sid, 2000012u);
    EXPECT_EQ(rec.proto, "TCP");
    EXPECT_EQ(engine_.counters().anomalies, 1u);
    EXPECT_TRUE(out_.of_kind(alerts::RecordKind::Event).empty());
}

TEST_F(FrontTest, IncompleteDatagramTimesOutOnPacketTime)
{
    TcpConversation c{client_ip, 40002, server_ip, 502};
    feed_all(c.handshake());
    feed(fragments(c.to_server(read_holding_req), {24}, 11)[0]);  // pcap_cnt 4; the rest is lost
    feed(c.to_client({}), 29'000'000);
    EXPECT_TRUE(out_.of_kind(alerts::RecordKind::Alert).empty());
    feed(c.to_client({}), 2'000'000);  // 31 s after the fragment
    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["anomaly"]["event"], "defrag.timeout");
    EXPECT_EQ(alerts[0]["pcap_cnt"], 4);  // the datagram's last fragment
    EXPECT_EQ(alerts[0]["alert"]["signature_id"], 2000017);
    EXPECT_EQ(engine_.defrag_stats().timeouts, 1u);
}

TEST_F(FrontTest, ReassembledDatagramKeepsItsVlan)
{
    TcpConversation c{client_ip, 40003, server_ip, 502};
    const Bytes plain = c.to_server(read_holding_req);
    const Bytes tag{0x81, 0x00, 0x00, 0x05};  // 802.1Q, VLAN 5, inserted after the MAC addresses
    PacketFront front;
    struct NoSink final : capture::DefragSink {
        void on_defrag_anomaly(const capture::DefragReport&) override {}
    } sink;
    capture::Decoded d;
    uint64_t n = 0;
    bool done = false;
    for (Bytes f : fragments(plain, {24}, 3)) {
        f.insert(f.begin() + 12, tag.begin(), tag.end());
        capture::RawPacket p;
        p.data = f;
        p.link = capture::LinkType::Ethernet;
        p.pcap_cnt = ++n;
        p.ts_us = 1000 * static_cast<int64_t>(n);
        done = front.process(p, d, sink);
    }
    ASSERT_TRUE(done);
    EXPECT_TRUE(front.reassembled());
    EXPECT_EQ(d.vlan_count, 1);
    EXPECT_EQ(d.vlan[0], 5);
    EXPECT_EQ(d.l4, capture::L4::Tcp);
    EXPECT_EQ(d.payload.size(), sizeof read_holding_req);
}

TEST(DefragAlert, NamesTheProtocolAndTheVlans)
{
    capture::DefragReport r;
    r.anomaly = capture::DefragAnomaly::Memcap;
    r.ctx = PacketCtx{42, 1'700'000'000'000'000};
    r.ip_version = 6;
    r.ip_proto = 58;
    r.src.version = r.dst.version = 6;
    r.src.bytes[15] = 1;
    r.dst.bytes[15] = 2;
    r.vlan = {100, 7};
    r.vlan_count = 2;
    const alerts::Record rec = defrag_alert(r);
    const auto j = nlohmann::json::parse(rec.eve_json);
    EXPECT_EQ(j["proto"], "IPv6-ICMP");
    EXPECT_EQ(j["src_ip"], "::1");
    EXPECT_EQ(j["src_port"], 0);
    EXPECT_EQ(j["pcap_cnt"], 42);
    EXPECT_EQ(j["vlan"], nlohmann::json({100, 7}));
    EXPECT_EQ(j["alert"]["signature_id"], 2000018);
    EXPECT_EQ(j["anomaly"]["event"], "defrag.memcap");
    EXPECT_EQ(rec.ts_us, r.ctx.ts_us);
    EXPECT_EQ(rec.pcap_cnt, 42u);
    EXPECT_EQ(rec.severity, 2);
    r.ip_proto = 132;
    EXPECT_EQ(defrag_alert(r).proto, "SCTP");
    r.ip_proto = 200;
    EXPECT_EQ(defrag_alert(r).proto, "200");
}

// Every event of a capture, without what depends on packet numbers and times.
std::vector<nlohmann::json> events_without_frames(const std::string& pcap)
{
    capture::PcapFileSource source{{std::string{OTSENTRY_SOURCE_DIR} + "/" + pcap}};
    EXPECT_TRUE(source.check_all().empty()) << pcap;
    VectorOutput out;
    Engine engine{EngineConfig{}, out};
    capture::RawPacket pkt;
    while (source.next(pkt) == capture::PcapFileSource::Status::Packet)
        engine.process(pkt);
    engine.finish();
    std::vector<nlohmann::json> events;
    for (auto j : out.of_kind(alerts::RecordKind::Event)) {
        j.erase("pcap_cnt");
        j.erase("timestamp");
        for (const char* pdu : {"request", "response"})
            if (j["modbus"].contains(pdu)) j["modbus"][pdu].erase("pcap_cnt");
        events.push_back(std::move(j));
    }
    EXPECT_TRUE(out.of_kind(alerts::RecordKind::Alert).empty()) << pcap;
    return events;
}

TEST(FragmentedCaptures, GiveExactlyTheEventsOfTheWholeSession)
{
    for (const char* v : {"ipv4", "ipv6"}) {
        const auto whole = events_without_frames(std::string{"pcaps/defrag/modbus_"} + v + "_whole.pcap");
        const auto fragmented =
            events_without_frames(std::string{"pcaps/defrag/modbus_"} + v + "_fragmented.pcap");
        EXPECT_EQ(whole.size(), 4u) << v;
        EXPECT_EQ(fragmented, whole) << v;
    }
}

}  // namespace
}  // namespace otsentry::app
