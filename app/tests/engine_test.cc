// Drives the whole engine (decode, flows, streams, detection, Modbus session, EVE rendering)
// with crafted frames and checks the records it produces.
#include "app/engine.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dissectors/modbus/tests/modbus_vectors.h"
#include "tests/support/frame_builder.h"

namespace otsentry::app {
namespace {

using test::Bytes;
using test::TcpConversation;

constexpr uint8_t client_ip[4] = {10, 0, 0, 1};
constexpr uint8_t server_ip[4] = {10, 0, 0, 2};

// Shared Modbus vectors: tid 3, unit 0x11, read holding registers 107..109.
using modbus::test::exception_resp;
using modbus::test::read_holding_req;
using modbus::test::read_holding_resp;

class VectorOutput final : public RecordOutput {
public:
    void submit(alerts::Record&& r) override { records.push_back(std::move(r)); }
    std::vector<alerts::Record> records;

    [[nodiscard]] std::vector<nlohmann::json> of_kind(alerts::RecordKind k) const
    {
        std::vector<nlohmann::json> v;
        for (const auto& r : records)
            if (r.kind == k) v.push_back(nlohmann::json::parse(r.eve_json));
        return v;
    }
};

TEST(LineBuffers, RecycledBuffersFirstThenNewOnes)
{
    class Recycling final : public RecordOutput {
    public:
        void submit(alerts::Record&& /*r*/) override {}
        void take_line_buffers(std::vector<std::string>& out) override
        {
            ++calls;
            for (; spare > 0; --spare) {
                out.emplace_back();
                out.back().reserve(2048);
            }
        }
        int spare = 2;
        int calls = 0;
    };
    Recycling out;
    LineBuffers lines{out};
    for (int i = 0; i < 2; ++i) {
        const std::string s = lines.take(1024);
        EXPECT_TRUE(s.empty());
        EXPECT_GE(s.capacity(), 2048u);  // a recycled one
    }
    EXPECT_EQ(out.calls, 1);
    const std::string s = lines.take(1024);
    EXPECT_TRUE(s.empty());
    EXPECT_GE(s.capacity(), 1024u);
    EXPECT_EQ(out.calls, 2);  // asked again once its own were used up
}

class EngineTest : public ::testing::Test {
protected:
    void feed(const Bytes& frame)
    {
        capture::RawPacket p;
        p.data = frame;
        p.caplen = p.wire_len = static_cast<uint32_t>(frame.size());
        p.link = capture::LinkType::Ethernet;
        p.pcap_cnt = ++count_;
        p.ts_us = 1'700'000'000'000'000 + static_cast<int64_t>(count_) * 1000;
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
};

TEST_F(EngineTest, RequestAndResponseBecomeOneEvent)
{
    TcpConversation c{client_ip, 40000, server_ip, 502};
    feed_all(c.handshake());
    feed(c.to_server(read_holding_req));
    feed(c.to_client(read_holding_resp));
    engine_.finish();

    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    const auto& e = events[0];
    EXPECT_EQ(e["event_type"], "modbus");
    EXPECT_EQ(e["src_ip"], "10.0.0.1");
    EXPECT_EQ(e["src_port"], 40000);
    EXPECT_EQ(e["dest_ip"], "10.0.0.2");
    EXPECT_EQ(e["dest_port"], 502);
    ASSERT_TRUE(e["flow_id"].is_number_unsigned());  // a hash of the flow: exact in JSON, never 0
    EXPECT_GT(e["flow_id"].get<uint64_t>(), 0u);
    EXPECT_LT(e["flow_id"].get<uint64_t>(), uint64_t{1} << 53);
    EXPECT_EQ(e["modbus"]["request"]["transaction_id"], 3);
    EXPECT_EQ(e["modbus"]["request"]["unit_id"], 0x11);
    EXPECT_EQ(e["modbus"]["request"]["function_code"], 3);
    EXPECT_EQ(e["modbus"]["request"]["address"], 107);
    EXPECT_EQ(e["modbus"]["request"]["quantity"], 3);
    EXPECT_EQ(e["modbus"]["response"]["values"], nlohmann::json({555, 0, 100}));
    EXPECT_EQ(e["modbus"]["request"]["pcap_cnt"], 4);
    EXPECT_EQ(e["modbus"]["response"]["pcap_cnt"], 5);
    EXPECT_EQ(e["pcap_cnt"], 5);
    EXPECT_EQ(engine_.counters().events[static_cast<size_t>(Protocol::Modbus)], 1u);
    EXPECT_EQ(engine_.counters().flows_by_proto[static_cast<size_t>(Protocol::Modbus)], 1u);
    EXPECT_TRUE(out_.of_kind(alerts::RecordKind::Alert).empty());
}

TEST_F(EngineTest, ModbusOnAnotherPortIsFoundByContent)
{
    TcpConversation c{client_ip, 40001, server_ip, 5020};
    feed_all(c.handshake());
    feed(c.to_server(read_holding_req));
    feed(c.to_client(read_holding_resp));
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["dest_port"], 5020);
    EXPECT_EQ(events[0]["modbus"]["response"]["function_code"], 3);
}

TEST_F(EngineTest, ContentProbeWaitsForAWholeHeader)
{
    TcpConversation c{client_ip, 40002, server_ip, 5020};
    feed_all(c.handshake());
    for (uint8_t b : read_holding_req)
        feed(c.to_server(std::span<const uint8_t>{&b, 1}));
    feed(c.to_client(read_holding_resp));
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["modbus"]["request"]["quantity"], 3);
    EXPECT_EQ(events[0]["modbus"]["request"]["pcap_cnt"], 3 + sizeof read_holding_req);
}

TEST_F(EngineTest, OtherTrafficOnOtherPortsIsNotModbus)
{
    TcpConversation c{client_ip, 40003, server_ip, 8080};
    feed_all(c.handshake());
    const std::string http = "GET / HTTP/1.1\r\nHost: plc\r\n\r\n";
    feed(c.to_server(std::span{reinterpret_cast<const uint8_t*>(http.data()), http.size()}));
    engine_.finish();
    EXPECT_TRUE(out_.records.empty());
    EXPECT_EQ(engine_.counters().flows_by_proto[static_cast<size_t>(Protocol::Modbus)], 0u);
}

TEST_F(EngineTest, ADirectionThatWasNotModbusIsNotProbedAgain)
{
    // One side talks (TLS-like bytes), the other stays silent: later bytes of the talking side
    // that happen to look like an MBAP header must not make the flow Modbus (found by the
    // Suricata differential test on TLS and HART-IP flows).
    TcpConversation c{client_ip, 40004, server_ip, 8443};
    feed_all(c.handshake());
    const uint8_t tls_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    feed(c.to_server(tls_hello));
    feed(c.to_server(read_holding_req));
    feed(c.to_server(read_holding_req));
    engine_.finish();
    EXPECT_TRUE(out_.records.empty());
    EXPECT_EQ(engine_.counters().flows_by_proto[static_cast<size_t>(Protocol::Modbus)], 0u);
}

TEST_F(EngineTest, ExceptionResponseRaisesAnomalyAlert)
{
    TcpConversation c{client_ip, 40004, server_ip, 502};
    feed_all(c.handshake());
    feed(c.to_server(read_holding_req));
    feed(c.to_client(exception_resp));
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["modbus"]["response"]["exception_code"], 2);
    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["anomaly"]["event"], "modbus.exception");
    EXPECT_EQ(alerts[0]["alert"]["gid"], 2);
    EXPECT_EQ(alerts[0]["direction"], "to_client");
    EXPECT_EQ(alerts[0]["src_port"], 502);  // the alert is oriented like its packet
}

TEST_F(EngineTest, UnansweredRequestIsReportedAtEnd)
{
    TcpConversation c{client_ip, 40005, server_ip, 502};
    feed_all(c.handshake());
    feed(c.to_server(read_holding_req));
    EXPECT_TRUE(out_.of_kind(alerts::RecordKind::Event).empty());
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(events[0]["modbus"].contains("request"));
    EXPECT_FALSE(events[0]["modbus"].contains("response"));
}

TEST_F(EngineTest, RecordsCompletedAtFlowEndPointAtItsLastPacket)
{
    TcpConversation c{client_ip, 40008, server_ip, 502};
    feed_all(c.handshake());
    feed(c.to_server(read_holding_req));
    feed(c.to_client(read_holding_resp));
    feed(c.to_server(std::span{read_holding_req}.first(9)));  // a request cut short: pcap_cnt 6
    feed(c.to_client({}));                                    // a pure ACK, the flow's last packet
    engine_.finish();
    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["anomaly"]["event"], "modbus.truncated_adu");
    EXPECT_EQ(alerts[0]["pcap_cnt"], 7);
}

TEST_F(EngineTest, MidStreamPickupYieldsEvents)
{
    TcpConversation c{client_ip, 40006, server_ip, 502};
    feed(c.to_server(read_holding_req));  // no handshake seen
    feed(c.to_client(read_holding_resp));
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["src_port"], 40006);  // oriented by the service port
    EXPECT_EQ(engine_.stream_stats().midstream, 2u);
}

TEST_F(EngineTest, ServicePortSideThatOpenedTheConnectionIsStillTheServer)
{
    // The device on 502 sends the SYN, then answers requests from the other side.
    TcpConversation c{server_ip, 502, client_ip, 40007};
    feed_all(c.handshake());
    feed(c.to_client(read_holding_req));   // from 10.0.0.1:40007, the protocol's client
    feed(c.to_server(read_holding_resp));  // from 10.0.0.2:502
    engine_.finish();
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["src_ip"], "10.0.0.1");
    EXPECT_EQ(events[0]["src_port"], 40007);
    EXPECT_EQ(events[0]["dest_port"], 502);
    EXPECT_EQ(events[0]["modbus"]["request"]["pcap_cnt"], 4);
    EXPECT_EQ(events[0]["modbus"]["response"]["pcap_cnt"], 5);
    EXPECT_TRUE(out_.of_kind(alerts::RecordKind::Alert).empty());
}

TEST_F(EngineTest, OverlappingSegmentsWithDifferentBytesRaiseAStreamAlert)
{
    TcpConversation c{client_ip, 40009, server_ip, 502};
    feed_all(c.handshake());
    // The request's second half arrives first, then the whole request with other bytes there.
    const std::span<const uint8_t> req{read_holding_req};
    feed(test::tcp_frame(client_ip, 40009, server_ip, 502, 1001 + 6, 5001, TcpConversation::ack,
                         req.subspan(6)));
    Bytes forged(req.begin(), req.end());
    forged[11] = 0x7d;  // quantity 125 instead of 3
    feed(test::tcp_frame(client_ip, 40009, server_ip, 502, 1001, 5001, TcpConversation::ack, forged));
    engine_.finish();
    const auto alerts = out_.of_kind(alerts::RecordKind::Alert);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["anomaly"]["event"], "stream.overlap_conflict");
    EXPECT_EQ(alerts[0]["alert"]["signature_id"], 2000001);
    EXPECT_EQ(alerts[0]["app_proto"], "modbus");
    EXPECT_EQ(alerts[0]["direction"], "to_server");
    // The bytes seen first were kept: the request still asks for 3 registers.
    const auto events = out_.of_kind(alerts::RecordKind::Event);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["modbus"]["request"]["quantity"], 3);
}

TEST_F(EngineTest, GarbageFramesAreCountedNotFatal)
{
    feed(Bytes{0x01, 0x02, 0x03});
    Bytes bad(60, 0xff);
    bad[12] = 0x08;
    bad[13] = 0x00;  // IPv4 ethertype, then nonsense
    feed(bad);
    engine_.finish();
    EXPECT_EQ(engine_.counters().packets, 2u);
    EXPECT_EQ(engine_.counters().non_flow_packets, 2u);
    EXPECT_EQ(engine_.decode_stats().total_errors(), 2u);
}

}  // namespace
}  // namespace otsentry::app
