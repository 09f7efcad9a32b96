#include "capture/decode/decoder.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <set>
#include <vector>

namespace otsentry::capture {
namespace {

using Frame = std::vector<uint8_t>;

constexpr uint8_t eth_ipv4_tcp[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
    0x08, 0x00,                          // ethertype: IPv4
    0x45,                                // version 4, IHL 5
    0x00,                                // DSCP/ECN
    0x00, 0x2c,                          // total length: 44 = 20 IP + 20 TCP + 4 payload
    0x12, 0x34,                          // identification
    0x40, 0x00,                          // flags DF, fragment offset 0
    0x40,                                // TTL
    0x06,                                // protocol: TCP
    0x00, 0x00,                          // header checksum (not checked)
    0xc0, 0xa8, 0x01, 0x0a,              // source 192.168.1.10
    0xc0, 0xa8, 0x01, 0x14,              // destination 192.168.1.20
    0xc3, 0x50,                          // source port 50000
    0x01, 0xf6,                          // destination port 502
    0x00, 0x00, 0x03, 0xe8,              // seq 1000
    0x00, 0x00, 0x07, 0xd0,              // ack 2000
    0x50,                                // data offset 5 (20 bytes)
    0x18,                                // flags PSH ACK
    0x20, 0x00,                          // window 8192
    0x00, 0x00,                          // checksum
    0x00, 0x00,                          // urgent pointer
    0xde, 0xad, 0xbe, 0xef,              // payload
};
constexpr size_t eth_ip_offset = 14;
constexpr size_t eth_tcp_offset = 34;

// IPv4 + UDP without link header (LinkType::RawIp / RawIpv4), used behind other link layers.
constexpr uint8_t ipv4_udp[] = {
    0x45,                    // version 4, IHL 5
    0x00,                    // DSCP/ECN
    0x00, 0x20,              // total length: 32 = 20 IP + 8 UDP + 4 payload
    0x00, 0x01,              // identification
    0x00, 0x00,              // no flags, fragment offset 0
    0x40,                    // TTL
    0x11,                    // protocol: UDP
    0x00, 0x00,              // header checksum
    0x0a, 0x00, 0x00, 0x01,  // source 10.0.0.1
    0x0a, 0x00, 0x00, 0x02,  // destination 10.0.0.2
    0x4e, 0x20,              // source port 20000
    0x4e, 0x20,              // destination port 20000 (DNP3)
    0x00, 0x0c,              // UDP length 12
    0x00, 0x00,              // checksum
    0x05, 0x64, 0x05, 0xc9,  // payload
};

constexpr uint8_t ipv6_udp[] = {
    0x60, 0x00, 0x00, 0x00,                          // version 6, traffic class 0, flow label 0
    0x00, 0x0c,                                      // payload length 12 = 8 UDP + 4 payload
    0x11,                                            // next header: UDP
    0x40,                                            // hop limit
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // source 2001:db8::1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  //
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // destination 2001:db8::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  //
    0xba, 0xc0,                                      // source port 47808 (BACnet)
    0xba, 0xc0,                                      // destination port 47808
    0x00, 0x0c,                                      // UDP length 12
    0x00, 0x00,                                      // checksum
    0x81, 0x0b, 0x00, 0x04,                          // payload (BVLC header)
};
constexpr size_t ipv6_next_header_offset = 6;

constexpr uint8_t ipv6_hbh_frag_udp[] = {
    0x60, 0x00, 0x00, 0x00,                          // version 6
    0x00, 0x1c,                                      // payload length 28 = 8 + 8 + 8 UDP + 4
    0x00,                                            // next header: hop-by-hop options
    0x40,                                            // hop limit
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // source fe80::1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  //
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // destination fe80::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  //
    0x2c,                                            // hop-by-hop: next header fragment (44)
    0x00,                                            // hop-by-hop: length 0 (8 bytes)
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00,              // PadN option, 4 bytes
    0x11,                                            // fragment: next header UDP
    0x00,                                            // fragment: reserved
    0x00, 0x01,                                      // fragment: offset 0, M (more) = 1
    0x00, 0x00, 0x00, 0x2a,                          // fragment: identification
    0xba, 0xc0, 0xba, 0xc0,                          // UDP ports 47808 -> 47808
    0x00, 0x0c, 0x00, 0x00,                          // UDP length 12, checksum
    0x81, 0x0b, 0x00, 0x04,                          // payload
};
constexpr size_t hbh_frag_flags_offset = 51;  // low byte of the fragment offset/flags field

Frame concat(std::initializer_list<std::span<const uint8_t>> parts)
{
    Frame f;
    for (auto p : parts)
        f.insert(f.end(), p.begin(), p.end());
    return f;
}

// A copy of `base` with `bytes` written at `offset`.
Frame patched(std::span<const uint8_t> base, size_t offset, std::initializer_list<uint8_t> bytes)
{
    Frame f(base.begin(), base.end());
    std::copy(bytes.begin(), bytes.end(), f.begin() + static_cast<ptrdiff_t>(offset));
    return f;
}

// The first n bytes of f.
Frame cut(Frame f, size_t n)
{
    f.resize(n);
    return f;
}

struct Result {
    Frame bytes;  // an exactly sized heap copy, so ASan sees any read past the end
    DecodeError err = DecodeError::None;
    Decoded d;  // its spans point into `bytes`
    DecodeStats stats;
};

Result run(LinkType link, std::span<const uint8_t> frame)
{
    Result r;
    r.bytes.assign(frame.begin(), frame.end());
    r.err = decode(link, r.bytes, r.d, r.stats);
    return r;
}

void expect_ipv4_udp(const Result& r)
{
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(r.d.ip_version, 4);
    EXPECT_EQ(to_string(r.d.src), "10.0.0.1");
    EXPECT_EQ(to_string(r.d.dst), "10.0.0.2");
    EXPECT_EQ(r.d.l4, L4::Udp);
    EXPECT_EQ(r.d.src_port, 20000);
    EXPECT_EQ(r.d.dst_port, 20000);
    ASSERT_EQ(r.d.payload.size(), 4u);
    EXPECT_EQ(r.d.payload[0], 0x05);
    EXPECT_EQ(r.d.payload[3], 0xc9);
    EXPECT_EQ(r.stats.udp, 1u);
}

TEST(Decoder, EthernetIpv4Tcp)
{
    const auto r = run(LinkType::Ethernet, eth_ipv4_tcp);
    ASSERT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(r.d.ethertype, 0x0800);
    EXPECT_EQ(r.d.vlan_count, 0);
    EXPECT_EQ(r.d.ip_version, 4);
    EXPECT_EQ(to_string(r.d.src), "192.168.1.10");
    EXPECT_EQ(to_string(r.d.dst), "192.168.1.20");
    EXPECT_EQ(r.d.ip_proto, 6);
    EXPECT_FALSE(r.d.fragment);
    EXPECT_FALSE(r.d.truncated);
    EXPECT_EQ(r.d.l3.size(), 44u);
    EXPECT_EQ(r.d.l4, L4::Tcp);
    EXPECT_EQ(r.d.src_port, 50000);
    EXPECT_EQ(r.d.dst_port, 502);
    EXPECT_EQ(r.d.seq, 1000u);
    EXPECT_EQ(r.d.ack, 2000u);
    EXPECT_EQ(r.d.tcp_flags, tcp_flags::psh | tcp_flags::ack);
    EXPECT_EQ(r.d.window, 8192);
    ASSERT_EQ(r.d.payload.size(), 4u);
    EXPECT_EQ(r.d.payload.data() - r.bytes.data(), 54);  // after 14 + 20 + 20 header bytes
    EXPECT_EQ(r.stats.packets, 1u);
    EXPECT_EQ(r.stats.ipv4, 1u);
    EXPECT_EQ(r.stats.tcp, 1u);
    EXPECT_EQ(r.stats.total_errors(), 0u);
}

TEST(Decoder, EthernetTrailerPaddingIsTrimmed)
{
    constexpr uint8_t eth_header[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
        0x08, 0x00,                          // ethertype: IPv4
    };
    constexpr uint8_t padding[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // to 60 bytes
    const auto r = run(LinkType::Ethernet, concat({eth_header, ipv4_udp, padding}));
    expect_ipv4_udp(r);
    EXPECT_EQ(r.d.l3.size(), sizeof ipv4_udp);
}

TEST(Decoder, Vlan8021Q)
{
    constexpr uint8_t frame_head[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
        0x81, 0x00,                          // ethertype: 802.1Q
        0xa0, 0x64,                          // PCP 5, DEI 0, VLAN 100
        0x08, 0x00,                          // inner ethertype: IPv4
    };
    const auto r = run(LinkType::Ethernet, concat({frame_head, ipv4_udp}));
    expect_ipv4_udp(r);
    EXPECT_EQ(r.d.vlan_count, 1);
    EXPECT_EQ(r.d.vlan[0], 100);
    EXPECT_EQ(r.d.ethertype, 0x0800);
    EXPECT_EQ(r.stats.vlan, 1u);
}

TEST(Decoder, QinQ)
{
    for (const uint8_t outer_hi : {uint8_t{0x88}, uint8_t{0x91}}) {
        const uint8_t frame_head[] = {
            0x00,     0x11,
            0x22,     0x33,
            0x44,     0x55,  // destination MAC
            0x66,     0x77,
            0x88,     0x99,
            0xaa,     0xbb,                                              // source MAC
            outer_hi, outer_hi == 0x88 ? uint8_t{0xa8} : uint8_t{0x00},  // 802.1ad 0x88a8 / 0x9100
            0x00,     0x0a,                                              // S-tag: VLAN 10
            0x81,     0x00,                                              // ethertype: 802.1Q
            0x0f,     0xff,                                              // C-tag: VLAN 4095
            0x08,     0x00,                                              // ethertype: IPv4
        };
        const auto r = run(LinkType::Ethernet, concat({frame_head, ipv4_udp}));
        expect_ipv4_udp(r);
        EXPECT_EQ(r.d.vlan_count, 2);
        EXPECT_EQ(r.d.vlan[0], 10);
        EXPECT_EQ(r.d.vlan[1], 4095);
        EXPECT_EQ(r.stats.vlan, 1u);
    }
}

TEST(Decoder, LinuxSll)
{
    constexpr uint8_t sll[] = {
        0x00, 0x00,                                      // packet type: to us
        0x00, 0x01,                                      // ARPHRD_ETHER
        0x00, 0x06,                                      // address length
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,  // address, padded to 8
        0x08, 0x00,                                      // protocol: IPv4
    };
    expect_ipv4_udp(run(LinkType::LinuxSll, concat({sll, ipv4_udp})));
}

TEST(Decoder, LinuxSll2)
{
    constexpr uint8_t sll2[] = {
        0x08, 0x00,                                      // protocol: IPv4
        0x00, 0x00,                                      // reserved
        0x00, 0x00, 0x00, 0x02,                          // interface index
        0x00, 0x01,                                      // ARPHRD_ETHER
        0x04,                                            // packet type: outgoing
        0x06,                                            // address length
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,  // address, padded to 8
    };
    expect_ipv4_udp(run(LinkType::LinuxSll2, concat({sll2, ipv4_udp})));
}

TEST(Decoder, NullBothByteOrdersAndLoop)
{
    constexpr uint8_t null_le_inet[] = {0x02, 0x00, 0x00, 0x00};   // AF_INET, little-endian host
    constexpr uint8_t null_be_inet[] = {0x00, 0x00, 0x00, 0x02};   // AF_INET, big-endian host
    constexpr uint8_t null_le_inet6[] = {0x1e, 0x00, 0x00, 0x00};  // AF_INET6 (macOS 30)
    constexpr uint8_t loop_inet6[] = {0x00, 0x00, 0x00, 0x18};     // AF_INET6 (OpenBSD 24), network order
    expect_ipv4_udp(run(LinkType::Null, concat({null_le_inet, ipv4_udp})));
    expect_ipv4_udp(run(LinkType::Null, concat({null_be_inet, ipv4_udp})));
    expect_ipv4_udp(run(LinkType::Loop, concat({null_be_inet, ipv4_udp})));
    for (const auto& [link, head] : {std::pair{LinkType::Null, std::span<const uint8_t>(null_le_inet6)},
                                     std::pair{LinkType::Loop, std::span<const uint8_t>(loop_inet6)}}) {
        const auto r = run(link, concat({head, ipv6_udp}));
        EXPECT_EQ(r.err, DecodeError::None);
        EXPECT_EQ(r.d.ip_version, 6);
        EXPECT_EQ(r.d.l4, L4::Udp);
    }
    constexpr uint8_t null_other[] = {0x07, 0x00, 0x00, 0x00};  // an unknown family
    const auto r = run(LinkType::Null, concat({null_other, ipv4_udp}));
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(r.d.ip_version, 0);
    EXPECT_EQ(r.stats.non_ip, 1u);
}

TEST(Decoder, RawIpv4AndIpv6)
{
    expect_ipv4_udp(run(LinkType::RawIp, ipv4_udp));
    expect_ipv4_udp(run(LinkType::RawIpv4, ipv4_udp));
    for (const auto link : {LinkType::RawIp, LinkType::RawIpv6}) {
        const auto r = run(link, ipv6_udp);
        ASSERT_EQ(r.err, DecodeError::None);
        EXPECT_EQ(r.d.ip_version, 6);
        EXPECT_EQ(r.d.ethertype, 0x86dd);
        EXPECT_EQ(to_string(r.d.src), "2001:db8::1");
        EXPECT_EQ(to_string(r.d.dst), "2001:db8::2");
        EXPECT_EQ(r.d.ip_proto, 17);
        EXPECT_EQ(r.d.l4, L4::Udp);
        EXPECT_EQ(r.d.src_port, 47808);
        EXPECT_EQ(r.d.payload.size(), 4u);
        EXPECT_EQ(r.stats.ipv6, 1u);
    }
}

TEST(Decoder, Ipv6HopByHopThenFragment)
{
    const auto r = run(LinkType::RawIpv6, ipv6_hbh_frag_udp);
    ASSERT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(to_string(r.d.src), "fe80::1");
    EXPECT_TRUE(r.d.fragment);
    EXPECT_EQ(r.d.ip_proto, 17);
    EXPECT_EQ(r.d.l4, L4::None);  // waits for the defragmenter
    EXPECT_EQ(r.stats.fragments, 1u);
    EXPECT_EQ(r.stats.udp, 0u);
}

TEST(Decoder, Ipv6AtomicFragmentIsDecoded)
{
    // Offset 0 and M = 0: a whole datagram with a fragment header (RFC 6946).
    const auto r = run(LinkType::RawIpv6, patched(ipv6_hbh_frag_udp, hbh_frag_flags_offset, {0x00}));
    ASSERT_EQ(r.err, DecodeError::None);
    EXPECT_FALSE(r.d.fragment);
    EXPECT_EQ(r.d.l4, L4::Udp);
    EXPECT_EQ(r.d.payload.size(), 4u);
}

TEST(Decoder, Ipv6EspStopsTheChain)
{
    const auto r = run(LinkType::RawIpv6, patched(ipv6_udp, ipv6_next_header_offset, {50}));
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(r.d.ip_proto, 50);
    EXPECT_EQ(r.d.l4, L4::Other);
    EXPECT_EQ(r.stats.other_l4, 1u);
}

TEST(Decoder, Ipv4Fragments)
{
    // MF set, offset 0: the first fragment.
    auto r = run(LinkType::Ethernet, patched(eth_ipv4_tcp, eth_ip_offset + 6, {0x20, 0x00}));
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_TRUE(r.d.fragment);
    EXPECT_EQ(r.d.l4, L4::None);
    EXPECT_EQ(r.d.ip_proto, 6);
    EXPECT_EQ(r.stats.fragments, 1u);
    // MF clear, offset 185 (1480 bytes): the last fragment.
    r = run(LinkType::Ethernet, patched(eth_ipv4_tcp, eth_ip_offset + 6, {0x00, 0xb9}));
    EXPECT_TRUE(r.d.fragment);
    EXPECT_EQ(r.d.l4, L4::None);
    EXPECT_EQ(r.stats.tcp, 0u);
}

TEST(Decoder, SnapLengthCutStillDecodes)
{
    // The last two payload bytes were not captured: total length says 44, 42 are there.
    const auto r = run(LinkType::Ethernet, std::span(eth_ipv4_tcp).first(sizeof eth_ipv4_tcp - 2));
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_TRUE(r.d.truncated);
    EXPECT_EQ(r.d.l4, L4::Tcp);
    EXPECT_EQ(r.d.payload.size(), 2u);
}

TEST(Decoder, IcmpAndOtherL4)
{
    auto r = run(LinkType::RawIpv4, patched(ipv4_udp, 9, {1}));  // protocol: ICMP
    EXPECT_EQ(r.d.l4, L4::Icmp);
    EXPECT_EQ(r.stats.icmp, 1u);
    r = run(LinkType::RawIpv4, patched(ipv4_udp, 9, {132}));  // protocol: SCTP
    EXPECT_EQ(r.d.l4, L4::Other);
    EXPECT_EQ(r.stats.other_l4, 1u);
}

TEST(Decoder, NonIpEthertype)
{
    const auto r = run(LinkType::Ethernet, patched(eth_ipv4_tcp, 12, {0x88, 0xb8}));  // GOOSE
    EXPECT_EQ(r.err, DecodeError::None);
    EXPECT_EQ(r.d.ethertype, 0x88b8);
    EXPECT_EQ(r.d.ip_version, 0);
    EXPECT_EQ(r.stats.non_ip, 1u);
}

// One crafted frame per DecodeError value.
TEST(Decoder, EveryErrorIsReachable)
{
    constexpr uint8_t eth_vlan[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
        0x81, 0x00,                          // ethertype: 802.1Q
    };
    constexpr uint8_t tag_vlan[] = {0x00, 0x01, 0x81, 0x00};  // VLAN 1, next: another 802.1Q tag
    constexpr uint8_t tag_ipv4[] = {0x00, 0x02, 0x08, 0x00};  // VLAN 2, next: IPv4
    constexpr uint8_t ipv6_dest_opts[] = {0x3c, 0x00, 0x01, 0x04,
                                          0x00, 0x00, 0x00, 0x00};  // next: dest opts, PadN
    Frame nine_ext = patched(ipv6_udp, ipv6_next_header_offset, {60});
    nine_ext.resize(40);
    for (int i = 0; i < 9; ++i)
        nine_ext.insert(nine_ext.end(), ipv6_dest_opts, ipv6_dest_opts + 8);
    nine_ext[5] = 72;  // payload length: 9 * 8

    struct Case {
        DecodeError want;
        LinkType link;
        Frame frame;
    };
    const Case cases[] = {
        {DecodeError::EthernetTruncated, LinkType::Ethernet, Frame(eth_ipv4_tcp, eth_ipv4_tcp + 13)},
        {DecodeError::VlanTruncated, LinkType::Ethernet, concat({eth_vlan, std::span(tag_ipv4).first(2)})},
        {DecodeError::VlanTooDeep, LinkType::Ethernet,
         concat({eth_vlan, tag_vlan, tag_vlan, tag_ipv4, ipv4_udp})},
        {DecodeError::SllTruncated, LinkType::LinuxSll, Frame(15, 0)},
        {DecodeError::SllTruncated, LinkType::LinuxSll2, Frame(19, 0)},
        {DecodeError::NullTruncated, LinkType::Null, Frame(3, 0)},
        {DecodeError::NullTruncated, LinkType::Loop, Frame(3, 0)},
        {DecodeError::Ipv4Truncated, LinkType::RawIpv4, Frame(ipv4_udp, ipv4_udp + 19)},
        {DecodeError::Ipv4Truncated, LinkType::RawIp, Frame{}},
        {DecodeError::Ipv4BadVersion, LinkType::RawIpv4, patched(ipv4_udp, 0, {0x55})},
        {DecodeError::Ipv4BadHeaderLength, LinkType::RawIpv4, patched(ipv4_udp, 0, {0x44})},  // IHL 4
        {DecodeError::Ipv4BadHeaderLength, LinkType::RawIpv4,
         patched(ipv4_udp, 0, {0x4f})},  // IHL 15 > 32 bytes
        {DecodeError::Ipv4BadTotalLength, LinkType::RawIpv4, patched(ipv4_udp, 2, {0x00, 0x13})},  // 19 < 20
        {DecodeError::Ipv6Truncated, LinkType::RawIpv6, Frame(ipv6_udp, ipv6_udp + 39)},
        {DecodeError::Ipv6BadVersion, LinkType::RawIpv6, patched(ipv6_udp, 0, {0x40})},
        {DecodeError::Ipv6BadPayloadLength, LinkType::RawIpv6, patched(ipv6_udp, 4, {0x00, 0x00})},
        {DecodeError::Ipv6ExtTruncated, LinkType::RawIpv6,
         patched(ipv6_hbh_frag_udp, 41, {0x04})},  // hbh 40 bytes
        {DecodeError::Ipv6ExtTooMany, LinkType::RawIpv6, nine_ext},
        {DecodeError::TcpTruncated, LinkType::Ethernet,  // total length 30: 10 bytes of TCP header
         cut(patched(eth_ipv4_tcp, eth_ip_offset + 2, {0x00, 0x1e}), 44)},
        {DecodeError::TcpTruncated, LinkType::Ethernet,  // data offset 6, snap length cut in the options
         cut(patched(eth_ipv4_tcp, eth_tcp_offset + 12, {0x60}), 55)},
        {DecodeError::TcpBadHeaderLength, LinkType::Ethernet,
         patched(eth_ipv4_tcp, eth_tcp_offset + 12, {0x40})},
        {DecodeError::TcpBadHeaderLength, LinkType::Ethernet,
         patched(eth_ipv4_tcp, eth_tcp_offset + 12, {0xf0})},
        {DecodeError::UdpTruncated, LinkType::RawIpv4,
         patched(Frame(ipv4_udp, ipv4_udp + 26), 2, {0x00, 0x1a})},
        {DecodeError::UdpBadLength, LinkType::RawIpv4, patched(ipv4_udp, 24, {0x00, 0x07})},
        {DecodeError::UdpBadLength, LinkType::RawIpv4, patched(ipv4_udp, 24, {0x00, 0x40})},
    };
    std::set<DecodeError> seen;
    for (const auto& c : cases) {
        const auto r = run(c.link, c.frame);
        EXPECT_EQ(r.err, c.want) << "want " << decode_error_name(c.want) << ", got "
                                 << decode_error_name(r.err);
        EXPECT_EQ(r.stats.errors[static_cast<size_t>(c.want)], 1u);
        EXPECT_EQ(r.stats.total_errors(), 1u);
        seen.insert(r.err);
    }
    for (size_t e = 1; e < static_cast<size_t>(DecodeError::Count); ++e)
        EXPECT_TRUE(seen.count(static_cast<DecodeError>(e)))
            << decode_error_name(static_cast<DecodeError>(e));
}

TEST(Decoder, ErrorNamesAreStableAndUnique)
{
    EXPECT_EQ(decode_error_name(DecodeError::None), "none");
    EXPECT_EQ(decode_error_name(DecodeError::Ipv4BadTotalLength), "ipv4_bad_total_length");
    EXPECT_EQ(decode_error_name(DecodeError::UdpBadLength), "udp_bad_length");
    EXPECT_EQ(decode_error_name(DecodeError::Count), "unknown");
    std::set<std::string_view> names;
    for (size_t e = 0; e < static_cast<size_t>(DecodeError::Count); ++e)
        names.insert(decode_error_name(static_cast<DecodeError>(e)));
    EXPECT_EQ(names.size(), static_cast<size_t>(DecodeError::Count));
}

// Every strict prefix of a valid frame: an error, or a decode that delivers less payload.
TEST(Decoder, EveryStrictPrefixIsSafe)
{
    constexpr uint8_t sll2[] = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1,
                                0,    6,    1, 2, 3, 4, 5, 6, 0, 0};  // SLL2, IPv6
    const Frame vlan_frame =
        concat({std::span(eth_ipv4_tcp).first(12),
                std::initializer_list<uint8_t>{0x81, 0x00, 0x00, 0x64},  // 802.1Q VLAN 100
                std::span(eth_ipv4_tcp).subspan(12)});
    const std::pair<LinkType, Frame> frames[] = {
        {LinkType::Ethernet, Frame(std::begin(eth_ipv4_tcp), std::end(eth_ipv4_tcp))},
        {LinkType::Ethernet, vlan_frame},
        {LinkType::RawIpv4, Frame(std::begin(ipv4_udp), std::end(ipv4_udp))},
        {LinkType::RawIpv6, Frame(std::begin(ipv6_udp), std::end(ipv6_udp))},
        {LinkType::RawIpv6, patched(ipv6_hbh_frag_udp, hbh_frag_flags_offset, {0x00})},
        {LinkType::LinuxSll2, concat({sll2, ipv6_udp})},
    };
    for (const auto& [link, frame] : frames) {
        const auto full = run(link, frame);
        ASSERT_EQ(full.err, DecodeError::None);
        ASSERT_FALSE(full.d.payload.empty());
        for (size_t n = 0; n < frame.size(); ++n) {
            const auto r = run(link, std::span(frame).first(n));
            EXPECT_TRUE(r.err != DecodeError::None || r.d.payload.size() < full.d.payload.size())
                << "prefix " << n << " of a " << frame.size() << "-byte frame";
        }
    }
}

TEST(Decoder, AddressText)
{
    IpAddr v4;
    v4.version = 4;
    v4.bytes = {10, 1, 2, 3};
    EXPECT_EQ(to_string(v4), "10.1.2.3");
    IpAddr v6;
    v6.version = 6;
    v6.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(to_string(v6), "2001:db8::1:0:0:1");  // RFC 5952 §4.2.3: the first of equal zero runs
    EXPECT_EQ(to_string(IpAddr{}), "?");
}

}  // namespace
}  // namespace otsentry::capture

namespace otsentry::capture {
namespace {

TEST(IpAddrText, Ipv4EveryDigitCount)
{
    for (const auto& [bytes, text] : std::vector<std::pair<std::array<uint8_t, 4>, std::string>>{
             {{0, 0, 0, 0}, "0.0.0.0"},
             {{9, 10, 99, 100}, "9.10.99.100"},
             {{255, 255, 255, 255}, "255.255.255.255"},
             {{192, 168, 1, 205}, "192.168.1.205"}}) {
        IpAddr a;
        a.version = 4;
        std::copy(bytes.begin(), bytes.end(), a.bytes.begin());
        EXPECT_EQ(to_string(a), text);
    }
    EXPECT_EQ(to_string(IpAddr{}), "?");
}

}  // namespace
}  // namespace otsentry::capture
