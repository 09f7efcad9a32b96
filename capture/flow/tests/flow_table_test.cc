#include "capture/flow/flow_table.h"

#include <gtest/gtest.h>

#include <set>

#include <vector>

namespace otsentry::capture {
namespace {

using namespace tcp_flags;

constexpr int64_t second = 1'000'000;

IpAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    IpAddr ip;
    ip.version = 4;
    ip.bytes = {a, b, c, d};
    return ip;
}

const IpAddr hmi = v4(10, 0, 0, 1);
const IpAddr plc = v4(10, 0, 0, 2);
const std::vector<uint8_t> four_bytes{1, 2, 3, 4};

Decoded packet(L4 l4, IpAddr src, uint16_t sport, IpAddr dst, uint16_t dport, uint8_t flags = ack,
               std::span<const uint8_t> payload = {})
{
    Decoded d;
    d.ip_version = 4;
    d.src = src;
    d.dst = dst;
    d.l4 = l4;
    d.ip_proto = l4 == L4::Tcp ? 6 : 17;
    d.src_port = sport;
    d.dst_port = dport;
    d.tcp_flags = l4 == L4::Tcp ? flags : 0;
    d.payload = payload;
    return d;
}

Decoded tcp(IpAddr src, uint16_t sport, IpAddr dst, uint16_t dport, uint8_t flags = ack,
            std::span<const uint8_t> payload = {})
{
    return packet(L4::Tcp, src, sport, dst, dport, flags, payload);
}

Decoded udp(IpAddr src, uint16_t sport, IpAddr dst, uint16_t dport)
{
    return packet(L4::Udp, src, sport, dst, dport);
}

struct Ended {
    uint64_t id;
    FlowEnd why;
};

class FlowTableTest : public ::testing::Test {
protected:
    FlowTable make(FlowConfig cfg = {})
    {
        return FlowTable(std::move(cfg), [this](Flow& f, FlowEnd why) { ended.push_back({f.id, why}); });
    }
    std::vector<Ended> ended;
};

TEST_F(FlowTableTest, KeyIsSymmetric)
{
    const auto fwd = tcp(hmi, 40000, plc, 502);
    const auto rev = tcp(plc, 502, hmi, 40000);
    EXPECT_EQ(flow_key_of(fwd), flow_key_of(rev));
    EXPECT_EQ(hash(flow_key_of(fwd)), hash(flow_key_of(rev)));
    EXPECT_NE(hash(flow_key_of(fwd)), hash(flow_key_of(tcp(hmi, 40001, plc, 502))));

    auto table = make();
    const auto a = table.lookup(fwd, 0);
    const auto b = table.lookup(rev, 1);
    EXPECT_TRUE(a.created);
    EXPECT_FALSE(b.created);
    EXPECT_EQ(a.flow, b.flow);
    EXPECT_EQ(a.dir, Direction::ToServer);
    EXPECT_EQ(b.dir, Direction::ToClient);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(FlowTableTest, OrientationFromSyn)
{
    auto table = make();
    const auto syn_seen = table.lookup(tcp(plc, 502, hmi, 40000, syn), 0);  // odd, but SYN decides
    EXPECT_EQ(syn_seen.flow->client_ip, plc);
    EXPECT_EQ(syn_seen.flow->client_port, 502);
    EXPECT_EQ(syn_seen.dir, Direction::ToServer);

    const auto synack_seen = table.lookup(tcp(hmi, 1000, plc, 60000, syn | ack), 0);
    EXPECT_EQ(synack_seen.flow->server_ip, hmi);
    EXPECT_EQ(synack_seen.flow->server_port, 1000);
    EXPECT_EQ(synack_seen.flow->client_port, 60000);
    EXPECT_EQ(synack_seen.dir, Direction::ToClient);
}

TEST_F(FlowTableTest, OrientationFromServicePorts)
{
    FlowConfig cfg;
    cfg.service_ports = {20000};  // DNP3: higher than the client's port below
    auto table = make(cfg);
    const auto r = table.lookup(tcp(plc, 20000, hmi, 1024, ack | psh), 0);
    EXPECT_EQ(r.flow->server_port, 20000);
    EXPECT_EQ(r.flow->client_port, 1024);
    EXPECT_EQ(r.dir, Direction::ToClient);
}

TEST_F(FlowTableTest, OrientationFromPortsWhenNothingElseTells)
{
    auto table = make();
    // Neither port is a service port: the higher one is the client's ephemeral port.
    auto r = table.lookup(udp(plc, 2222, hmi, 50000), 0);
    EXPECT_EQ(r.flow->client_port, 50000);
    EXPECT_EQ(r.dir, Direction::ToClient);
    // Both ports in the service list: no help, fall back to the higher port.
    FlowConfig cfg;
    cfg.service_ports = {502, 503};
    auto table2 = make(cfg);
    r = table2.lookup(tcp(hmi, 503, plc, 502), 0);
    EXPECT_EQ(r.flow->client_port, 503);
    // Equal ports (BACnet 47808 <-> 47808): the first sender is the client.
    r = table.lookup(udp(plc, 47808, hmi, 47808), 0);
    EXPECT_EQ(r.flow->client_ip, plc);
    EXPECT_EQ(r.dir, Direction::ToServer);
    r = table.lookup(udp(hmi, 47808, plc, 47808), 1);
    EXPECT_FALSE(r.created);
    EXPECT_EQ(r.dir, Direction::ToClient);
}

TEST_F(FlowTableTest, CountsPacketsAndPayloadBytesPerDirection)
{
    auto table = make();
    table.lookup(tcp(hmi, 40000, plc, 502, syn), 10);
    table.lookup(tcp(plc, 502, hmi, 40000, syn | ack), 20);
    table.lookup(tcp(hmi, 40000, plc, 502, ack | psh, four_bytes), 30);
    const auto r = table.lookup(tcp(plc, 502, hmi, 40000, ack | psh, std::span(four_bytes).first(2)), 40);
    const Flow& f = *r.flow;
    EXPECT_EQ(f.packets[index_of(Direction::ToServer)], 2u);
    EXPECT_EQ(f.packets[index_of(Direction::ToClient)], 2u);
    EXPECT_EQ(f.bytes[index_of(Direction::ToServer)], 4u);
    EXPECT_EQ(f.bytes[index_of(Direction::ToClient)], 2u);
    EXPECT_EQ(f.first_ts_us, 10);
    EXPECT_EQ(f.last_ts_us, 40);
    EXPECT_FALSE(f.tcp[0].started());  // lookup() does not feed the streams
}

TEST_F(FlowTableTest, NonTransportPacketsHaveNoFlow)
{
    auto table = make();
    Decoded frag = tcp(hmi, 0, plc, 0);
    frag.l4 = L4::None;
    frag.fragment = true;
    EXPECT_EQ(table.lookup(frag, 0).flow, nullptr);
    Decoded icmp = frag;
    icmp.l4 = L4::Icmp;
    EXPECT_EQ(table.lookup(icmp, 0).flow, nullptr);
    EXPECT_EQ(table.size(), 0u);
}

TEST_F(FlowTableTest, FinBothWaysClosesThenEndsAfterClosedTimeout)
{
    FlowConfig cfg;
    cfg.closed_timeout_us = 10 * second;
    auto table = make(cfg);
    const auto r = table.lookup(tcp(hmi, 40000, plc, 502, syn), 0);
    table.lookup(tcp(hmi, 40000, plc, 502, fin | ack), 1 * second);
    EXPECT_FALSE(r.flow->closed);
    table.lookup(tcp(plc, 502, hmi, 40000, fin | ack), 2 * second);
    EXPECT_TRUE(r.flow->closed);
    table.expire(12 * second);  // exactly the timeout: not past it
    EXPECT_EQ(table.size(), 1u);
    table.expire(13 * second);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].why, FlowEnd::Closed);
    EXPECT_EQ(table.stats().closed, 1u);
    EXPECT_EQ(table.size(), 0u);
}

TEST_F(FlowTableTest, RstCloses)
{
    auto table = make();
    const auto r = table.lookup(tcp(hmi, 40000, plc, 502, ack), 0);
    table.lookup(tcp(plc, 502, hmi, 40000, rst), 1);
    EXPECT_TRUE(r.flow->closed);
}

TEST_F(FlowTableTest, TimeoutsRunOnPacketTime)
{
    FlowConfig cfg;
    cfg.udp_timeout_us = 120 * second;
    cfg.tcp_timeout_us = 3600 * second;
    auto table = make(cfg);
    const uint64_t udp_id = table.lookup(udp(hmi, 40000, plc, 47808), 0).flow->id;
    table.lookup(tcp(hmi, 40001, plc, 502), 0);
    table.expire(120 * second);  // exactly the timeout: not past it
    EXPECT_TRUE(ended.empty());
    table.expire(120 * second + 500'000);  // past the UDP timeout, but within a second of the last run
    EXPECT_TRUE(ended.empty());
    table.expire(121 * second);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, udp_id);
    EXPECT_EQ(ended[0].why, FlowEnd::TimedOut);
    table.expire(3601 * second);
    EXPECT_EQ(ended.size(), 2u);
    EXPECT_EQ(table.stats().timed_out, 2u);
    EXPECT_EQ(table.stats().active, 0u);
    EXPECT_EQ(table.stats().peak_active, 2u);
}

TEST_F(FlowTableTest, ActivityKeepsAFlowAlive)
{
    FlowConfig cfg;
    cfg.udp_timeout_us = 10 * second;
    auto table = make(cfg);
    for (int64_t t = 0; t <= 60; t += 5) {
        table.lookup(udp(hmi, 40000, plc, 47808), t * second);
        table.expire(t * second);
    }
    EXPECT_TRUE(ended.empty());
}

TEST_F(FlowTableTest, FullTableEvictsLeastRecentlySeen)
{
    FlowConfig cfg;
    cfg.capacity = 2;
    auto table = make(cfg);
    const uint64_t a = table.lookup(tcp(hmi, 40000, plc, 502), 1).flow->id;
    const uint64_t b = table.lookup(tcp(hmi, 40001, plc, 502), 2).flow->id;
    table.lookup(tcp(plc, 502, hmi, 40000), 3);  // a is now the most recent
    const auto c = table.lookup(udp(hmi, 40002, plc, 47808), 4);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].id, b);
    EXPECT_EQ(ended[0].why, FlowEnd::Evicted);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.stats().evicted, 1u);
    EXPECT_NE(a, b);
    EXPECT_NE(c.flow->id, a);
    EXPECT_NE(c.flow->id, b);
    // b comes back as a new flow with a new id (same key, a later first packet).
    EXPECT_NE(table.lookup(tcp(hmi, 40001, plc, 502), 5).flow->id, b);
}

TEST_F(FlowTableTest, VlansSeparateFlows)
{
    auto table = make();
    auto p = tcp(hmi, 40000, plc, 502);
    p.vlan_count = 1;
    p.vlan[0] = 10;
    const auto in_10 = table.lookup(p, 0);
    p.vlan[0] = 20;
    const auto in_20 = table.lookup(p, 0);
    p.vlan_count = 2;  // QinQ: the inner (customer) tag is the key
    p.vlan = {99, 10};
    const auto qinq_10 = table.lookup(p, 0);
    EXPECT_NE(in_10.flow, in_20.flow);
    EXPECT_EQ(in_10.flow, qinq_10.flow);
    EXPECT_EQ(in_10.flow->key.vlan, 10);
    EXPECT_EQ(table.size(), 2u);
}

TEST_F(FlowTableTest, IdsAreStableAndDependOnlyOnTheFlow)
{
    auto table = make();
    std::vector<Flow*> flows;
    std::set<uint64_t> ids;
    for (uint16_t port = 0; port < 3000; ++port) {
        flows.push_back(table.lookup(udp(hmi, static_cast<uint16_t>(10000 + port), plc, 47808), port).flow);
        ids.insert(flows.back()->id);
    }
    EXPECT_EQ(ids.size(), 3000u);
    for (uint16_t port = 0; port < 3000; ++port) {
        const auto r = table.lookup(udp(plc, 47808, hmi, static_cast<uint16_t>(10000 + port)), 5000);
        EXPECT_EQ(r.flow, flows[port]);  // pointers stay valid while the table grows
        // The id is a function of the key and the first packet's time, whichever table holds it
        // (one per worker) and whatever came before: 53 bits, never 0.
        EXPECT_EQ(
            r.flow->id,
            flow_id(hash(flow_key_of(udp(hmi, static_cast<uint16_t>(10000 + port), plc, 47808))), port));
        EXPECT_GT(r.flow->id, 0u);
        EXPECT_LT(r.flow->id, uint64_t{1} << 53);
    }
    auto other = make();  // another table, the flows in reverse order: the same ids
    for (uint16_t port = 3000; port-- > 0;)
        EXPECT_EQ(other.lookup(udp(hmi, static_cast<uint16_t>(10000 + port), plc, 47808), port).flow->id,
                  flows[port]->id);
}

class CountedData : public FlowData {
public:
    explicit CountedData(int& destroyed) : destroyed_(destroyed) {}
    ~CountedData() override { ++destroyed_; }

private:
    int& destroyed_;
};

TEST_F(FlowTableTest, EndAllCallsBackForEveryFlowThenDestroysData)
{
    int destroyed = 0;
    std::vector<FlowEnd> whys;
    FlowTable table(FlowConfig{}, [&](Flow& f, FlowEnd why) {
        EXPECT_NE(f.data, nullptr);  // still there while the callback runs
        whys.push_back(why);
    });
    for (uint16_t port = 1; port <= 3; ++port)
        table.lookup(udp(hmi, port, plc, 47808), 0).flow->data = std::make_unique<CountedData>(destroyed);
    table.end_all();
    EXPECT_EQ(whys, std::vector<FlowEnd>(3, FlowEnd::Shutdown));
    EXPECT_EQ(destroyed, 3);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.stats().active, 0u);
}

TEST_F(FlowTableTest, NewSynOnClosedFlowStartsANewOne)
{
    auto table = make();
    const uint64_t first = table.lookup(tcp(hmi, 40000, plc, 502, syn), 0).flow->id;
    table.lookup(tcp(plc, 502, hmi, 40000, rst | ack), 1);
    const auto again = table.lookup(tcp(hmi, 40000, plc, 502, syn), 2);
    EXPECT_TRUE(again.created);
    EXPECT_NE(again.flow->id, first);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].why, FlowEnd::Closed);
}

TEST_F(FlowTableTest, ManyFlowsThroughASmallTable)
{
    FlowConfig cfg;
    cfg.capacity = 1000;
    cfg.udp_timeout_us = 50 * second;
    auto table = make(cfg);
    for (uint32_t i = 0; i < 20000; ++i) {
        const auto src = v4(10, 1, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i));
        table.lookup(udp(src, 40000, plc, 47808), i * 10'000);
        table.expire(i * 10'000);
        ASSERT_LE(table.size(), 1000u);
    }
    const auto& s = table.stats();
    EXPECT_EQ(s.created, 20000u);
    EXPECT_EQ(s.created, s.evicted + s.timed_out + s.active);
    EXPECT_EQ(s.peak_active, 1000u);
    table.end_all();
    EXPECT_EQ(ended.size(), 20000u);
}

}  // namespace
}  // namespace otsentry::capture
