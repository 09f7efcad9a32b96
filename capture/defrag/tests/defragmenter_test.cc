// Defragmenter tests: crafted IPv4 and IPv6 fragments, decoded by capture::decode() as the
// engine does, one test per rule of capture/defrag/README.md.
#include "capture/defrag/defragmenter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

namespace otsentry::capture {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr int64_t t0 = 1'700'000'000'000'000;
constexpr int64_t second = 1'000'000;
constexpr uint8_t tcp = 6, udp = 17, icmp = 1, icmpv6 = 58;
constexpr uint8_t hop_by_hop = 0, dest_options = 60, fragment_header = 44;

void put16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v)
{
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}

// A TCP segment (20-byte header, no options) with `payload_len` bytes of payload i % 251.
Bytes tcp_segment(size_t payload_len, uint16_t sport = 40000, uint16_t dport = 502)
{
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put32(b, 1001);     // seq
    put32(b, 5001);     // ack
    b.push_back(0x50);  // data offset 5
    b.push_back(0x18);  // PSH ACK
    put16(b, 65535);    // window
    put16(b, 0);        // checksum (not verified)
    put16(b, 0);        // urgent pointer
    for (size_t i = 0; i < payload_len; ++i)
        b.push_back(static_cast<uint8_t>(i % 251));
    return b;
}

// A UDP datagram with `payload_len` bytes of payload.
Bytes udp_datagram(size_t payload_len, uint16_t sport = 20000, uint16_t dport = 20000)
{
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, static_cast<uint16_t>(8 + payload_len));
    put16(b, 0);
    for (size_t i = 0; i < payload_len; ++i)
        b.push_back(static_cast<uint8_t>(0x80 + i % 100));
    return b;
}

Bytes slice(const Bytes& b, size_t from, size_t to)
{
    return Bytes(b.begin() + static_cast<ptrdiff_t>(from), b.begin() + static_cast<ptrdiff_t>(to));
}

struct V4 {
    uint8_t src[4] = {10, 0, 0, 1};
    uint8_t dst[4] = {10, 0, 0, 2};
    uint16_t id = 0x1234;
    uint8_t proto = tcp;
    bool dont_fragment = false;
};

uint16_t checksum(const Bytes& b, size_t from, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = from; i < from + len; i += 2)
        sum += static_cast<uint32_t>(b[i] << 8 | b[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// An IPv4 packet (IHL 5, correct checksum) carrying `data` at fragment offset `offset` (bytes).
Bytes ipv4(const V4& h, uint32_t offset, bool more, const Bytes& data)
{
    Bytes b;
    b.push_back(0x45);                                  // version 4, IHL 5
    b.push_back(0);                                     // DSCP/ECN
    put16(b, static_cast<uint16_t>(20 + data.size()));  // total length
    put16(b, h.id);                                     // identification
    put16(b, static_cast<uint16_t>((h.dont_fragment ? 0x4000 : 0) | (more ? 0x2000 : 0) | offset / 8));
    b.push_back(64);       // TTL
    b.push_back(h.proto);  // protocol
    put16(b, 0);           // checksum, set below
    b.insert(b.end(), h.src, h.src + 4);
    b.insert(b.end(), h.dst, h.dst + 4);
    const uint16_t c = checksum(b, 0, 20);
    b[10] = static_cast<uint8_t>(c >> 8);
    b[11] = static_cast<uint8_t>(c);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

// Fragment `from`..`to` of an IPv4 datagram whose transport bytes are `l4`.
Bytes frag4(const V4& h, const Bytes& l4, size_t from, size_t to, bool more)
{
    return ipv4(h, static_cast<uint32_t>(from), more, slice(l4, from, to));
}

struct Ext {
    uint8_t type;
    size_t len;  // bytes, a multiple of 8
};

struct V6 {
    uint8_t src_last = 1, dst_last = 2;
    uint32_t id = 0xabcdef01;
    uint8_t next = tcp;       // upper layer
    std::vector<Ext> before;  // extension headers before the fragment header
};

// IPv6 header + `before` extension headers, then either a fragment header (offset/more) and
// `data`, or (whole) `data` directly.
Bytes ipv6(const V6& h, bool with_fragment_header, uint32_t offset, bool more, const Bytes& data)
{
    std::vector<uint8_t> chain;
    for (const Ext& e : h.before)
        chain.push_back(e.type);
    if (with_fragment_header) chain.push_back(fragment_header);
    chain.push_back(h.next);

    size_t ext_len = with_fragment_header ? 8 : 0;
    for (const Ext& e : h.before)
        ext_len += e.len;
    Bytes b;
    put32(b, 0x60000000);                                    // version 6
    put16(b, static_cast<uint16_t>(ext_len + data.size()));  // payload length
    b.push_back(chain[0]);                                   // next header
    b.push_back(64);                                         // hop limit
    for (uint8_t last : {h.src_last, h.dst_last}) {
        put32(b, 0x20010db8);
        put32(b, 0);
        put32(b, 0);
        put32(b, last);
    }
    size_t k = 1;
    for (const Ext& e : h.before) {
        b.push_back(chain[k++]);                           // next header
        b.push_back(static_cast<uint8_t>(e.len / 8 - 1));  // length in 8-byte units, minus 1
        b.push_back(1);                                    // PadN option
        b.push_back(static_cast<uint8_t>(e.len - 4));      //   its length
        for (size_t i = 4; i < e.len; ++i)
            b.push_back(0);
    }
    if (with_fragment_header) {
        b.push_back(chain[k]);  // next header
        b.push_back(0);         // reserved
        put16(b, static_cast<uint16_t>(offset | (more ? 1 : 0)));
        put32(b, h.id);
    }
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

Bytes frag6(const V6& h, const Bytes& l4, size_t from, size_t to, bool more)
{
    return ipv6(h, true, static_cast<uint32_t>(from), more, slice(l4, from, to));
}

// Wraps an IP packet in Ethernet with one 802.1Q tag.
Bytes vlan_frame(uint16_t vlan, const Bytes& ip)
{
    Bytes f(12, 0x02);
    put16(f, 0x8100);
    put16(f, vlan);
    put16(f, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
    f.insert(f.end(), ip.begin(), ip.end());
    return f;
}

class Reports final : public DefragSink {
public:
    void on_defrag_anomaly(const DefragReport& r) override { all.push_back(r); }
    [[nodiscard]] size_t count(DefragAnomaly a) const
    {
        return static_cast<size_t>(
            std::count_if(all.begin(), all.end(), [a](const DefragReport& r) { return r.anomaly == a; }));
    }
    std::vector<DefragReport> all;
};

class DefragTest : public ::testing::Test {
protected:
    // Decodes `packet` (raw IP unless it is an Ethernet frame) as the engine does and feeds the
    // fragment; returns the reassembled datagram, or empty.
    Bytes feed(const Bytes& packet, int64_t ts = 0, LinkType link = LinkType::RawIp)
    {
        Decoded d;
        DecodeStats ds;
        EXPECT_EQ(decode(link, packet, d, ds), DecodeError::None);
        EXPECT_TRUE(d.fragment);
        now_ = ts != 0 ? ts : now_ + 1000;
        defrag_->expire(now_, reports_);
        const auto out = defrag_->add(d, PacketCtx{++count_, now_}, reports_);
        return Bytes(out.begin(), out.end());
    }
    // Feeds every packet; returns the last non-empty reassembly, expecting at most one.
    Bytes feed_all(const std::vector<Bytes>& packets)
    {
        Bytes whole;
        for (const auto& p : packets) {
            Bytes out = feed(p);
            if (!out.empty()) {
                EXPECT_TRUE(whole.empty()) << "two datagrams completed";
                whole = std::move(out);
            }
        }
        return whole;
    }
    void reconfigure(DefragConfig cfg) { defrag_ = std::make_unique<Defragmenter>(cfg); }
    [[nodiscard]] const DefragStats& stats() const { return defrag_->stats(); }

    std::unique_ptr<Defragmenter> defrag_ = std::make_unique<Defragmenter>();
    Reports reports_;
    int64_t now_ = t0;
    uint64_t count_ = 0;
};

// The reassembled datagram decodes like any packet.
Decoded decode_whole(const Bytes& datagram)
{
    Decoded d;
    DecodeStats ds;
    EXPECT_EQ(decode(LinkType::RawIp, datagram, d, ds), DecodeError::None);
    EXPECT_FALSE(d.fragment);
    return d;
}

TEST_F(DefragTest, Ipv4InOrder)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);  // 60 bytes
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 24, 48, true)).empty());
    const Bytes whole = feed(frag4(h, l4, 48, 60, false));
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));  // header fixed: length, MF, offset, checksum
    const Decoded d = decode_whole(whole);
    EXPECT_EQ(d.l4, L4::Tcp);
    EXPECT_EQ(d.src_port, 40000);
    EXPECT_EQ(d.dst_port, 502);
    EXPECT_EQ(d.payload.size(), 40u);
    EXPECT_EQ(stats().fragments, 3u);
    EXPECT_EQ(stats().reassembled, 1u);
    EXPECT_EQ(stats().overlaps, 0u);
    EXPECT_EQ(stats().total_anomalies(), 0u);
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, Ipv4HeaderKeepsDontFragmentAndOptionsOfTheFirstFragment)
{
    V4 h;
    h.dont_fragment = true;  // odd on a fragment, but the bit belongs to the datagram
    h.proto = udp;
    const Bytes l4 = udp_datagram(24);
    const Bytes whole = feed_all({frag4(h, l4, 16, 32, false), frag4(h, l4, 0, 16, true)});
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));
    EXPECT_EQ(checksum(whole, 0, 20), 0u);  // a valid header sums to zero
    EXPECT_EQ(decode_whole(whole).l4, L4::Udp);
}

TEST_F(DefragTest, Ipv4OutOfOrder)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    const Bytes whole =
        feed_all({frag4(h, l4, 24, 48, true), frag4(h, l4, 48, 60, false), frag4(h, l4, 0, 24, true)});
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));
    EXPECT_EQ(stats().reassembled, 1u);
}

TEST_F(DefragTest, Ipv4Reversed)
{
    const V4 h;
    const Bytes l4 = tcp_segment(60);  // 80 bytes in 5 fragments, last one first
    std::vector<Bytes> frags;
    for (size_t from = 64;; from -= 16) {
        frags.push_back(frag4(h, l4, from, std::min<size_t>(from + 16, 80), from + 16 < 80));
        if (from == 0) break;
    }
    EXPECT_EQ(feed_all(frags), ipv4(h, 0, false, l4));
}

TEST_F(DefragTest, DuplicatesAreDroppedAndALateOneIsNotANewDatagram)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    const Bytes first = frag4(h, l4, 0, 24, true);
    const Bytes last = frag4(h, l4, 24, 60, false);
    EXPECT_TRUE(feed(first).empty());
    EXPECT_TRUE(feed(first).empty());
    EXPECT_EQ(feed(last), ipv4(h, 0, false, l4));
    EXPECT_TRUE(feed(last).empty());  // after completion: a late duplicate
    EXPECT_EQ(stats().overlaps, 2u);
    EXPECT_EQ(stats().duplicates, 2u);
    EXPECT_EQ(stats().reassembled, 1u);
    defrag_->expire(now_ + 31 * second, reports_);  // the completed datagram is forgotten quietly
    EXPECT_TRUE(reports_.all.empty());
    EXPECT_EQ(stats().active, 0u);
    EXPECT_EQ(stats().bytes_held, 0u);
}

TEST_F(DefragTest, IdentificationReusedAfterCompletionIsANewDatagram)
{
    const V4 h;
    const Bytes a = tcp_segment(40);
    Bytes b = tcp_segment(8);
    b[7] = 0x99;  // another sequence number: the new datagram's first fragment is no copy
    EXPECT_FALSE(feed_all({frag4(h, a, 0, 24, true), frag4(h, a, 24, 60, false)}).empty());
    EXPECT_EQ(feed_all({frag4(h, b, 0, 24, true), frag4(h, b, 24, 28, false)}), ipv4(h, 0, false, b));
    EXPECT_EQ(stats().reassembled, 2u);
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, OverlapWithSameBytesIsCountedOnly)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    const Bytes whole =
        feed_all({frag4(h, l4, 0, 32, true), frag4(h, l4, 24, 48, true), frag4(h, l4, 48, 60, false)});
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));
    EXPECT_EQ(stats().overlaps, 1u);
    EXPECT_EQ(stats().duplicates, 0u);
    EXPECT_TRUE(reports_.all.empty());
}

// Bytes 24..31 of the datagram sent twice, differently: whichever came first is kept.
class OverlapConflict : public DefragTest {
protected:
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    Bytes other = l4;
    void SetUp() override
    {
        for (size_t i = 24; i < 48; ++i)
            other[i] = 0xee;
    }
};

TEST_F(OverlapConflict, FirstSeenWins)
{
    const Bytes whole =
        feed_all({frag4(h, l4, 0, 32, true), frag4(h, other, 24, 48, true), frag4(h, l4, 48, 60, false)});
    // 24..31 from the first fragment; 32..47 from the second, whose bytes differ from l4 there
    Bytes want = slice(l4, 0, 32);
    want.insert(want.end(), other.begin() + 32, other.begin() + 48);
    want.insert(want.end(), l4.begin() + 48, l4.end());
    EXPECT_EQ(whole, ipv4(h, 0, false, want));
    EXPECT_EQ(reports_.count(DefragAnomaly::OverlapConflict), 1u);
    EXPECT_EQ(stats().overlaps, 1u);
    EXPECT_EQ(stats().reassembled, 1u);
}

TEST_F(OverlapConflict, FirstSeenWinsTheOtherWayRound)
{
    const Bytes whole =
        feed_all({frag4(h, other, 24, 48, true), frag4(h, l4, 0, 32, true), frag4(h, l4, 48, 60, false)});
    Bytes want = slice(l4, 0, 24);
    want.insert(want.end(), other.begin() + 24, other.begin() + 48);
    want.insert(want.end(), l4.begin() + 48, l4.end());
    EXPECT_EQ(whole, ipv4(h, 0, false, want));
    EXPECT_EQ(reports_.count(DefragAnomaly::OverlapConflict), 1u);
    ASSERT_EQ(reports_.all.size(), 1u);
    EXPECT_EQ(reports_.all[0].ctx.pcap_cnt, 2u);  // the fragment that brought the different bytes
}

TEST_F(DefragTest, Ipv6OverlapConflictKeepsFirstSeenBytes)
{
    // RFC 5722 would discard this datagram; we keep the bytes seen first and raise the anomaly.
    const V6 h;
    const Bytes l4 = tcp_segment(28);  // 48 bytes
    Bytes other = l4;
    other[30] ^= 0xff;
    const Bytes whole = feed_all({frag6(h, l4, 0, 32, true), frag6(h, other, 24, 48, false)});
    EXPECT_EQ(whole, ipv6(h, false, 0, false, l4));  // byte 30 from the first fragment
    EXPECT_EQ(reports_.count(DefragAnomaly::OverlapConflict), 1u);
    ASSERT_EQ(reports_.all.size(), 1u);
    EXPECT_EQ(reports_.all[0].ip_version, 6);
    EXPECT_EQ(reports_.all[0].dst_port, 502);
}

TEST_F(DefragTest, TeardropNestedFragmentDiscardsTheDatagram)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(28);  // 36 bytes
    // The 1997 teardrop: a last fragment lying inside the first one.
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 8, 12, false)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::Teardrop), 1u);
    EXPECT_EQ(stats().discarded, 1u);
    // Whatever follows of it is dropped quietly, and its timeout says nothing more.
    EXPECT_TRUE(feed(frag4(h, l4, 24, 36, false)).empty());
    EXPECT_EQ(stats().dropped_fragments, 1u);
    defrag_->expire(now_ + 31 * second, reports_);
    EXPECT_EQ(reports_.all.size(), 1u);
    EXPECT_EQ(stats().timeouts, 0u);
    EXPECT_EQ(stats().bytes_held, 0u);
}

TEST_F(DefragTest, TeardropTheOtherWayRound)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);  // 48 bytes
    EXPECT_TRUE(feed(frag4(h, l4, 16, 24, true)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 0, 32, true)).empty());  // holds the earlier one
    EXPECT_EQ(reports_.count(DefragAnomaly::Teardrop), 1u);
    EXPECT_EQ(reports_.all[0].ctx.pcap_cnt, 2u);
}

TEST_F(DefragTest, TeardropInsideTheFirstFragmentsHeader)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    Bytes evil = l4;
    evil[13] = 0x02;  // flags: SYN
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true)).empty());
    EXPECT_TRUE(feed(frag4(h, evil, 8, 16, true)).empty());  // inside the TCP header of the first
    // Nesting is checked first: one anomaly, the datagram discarded.
    EXPECT_EQ(reports_.count(DefragAnomaly::Teardrop), 1u);
    EXPECT_EQ(reports_.all.size(), 1u);
}

TEST_F(DefragTest, Ipv4OversizeIsPingOfDeath)
{
    V4 h;
    h.proto = icmp;
    Bytes data(72, 0x41);
    // Offset 65472 + 72 bytes + 20-byte header = 65564 > 65535.
    EXPECT_TRUE(feed(ipv4(h, 65472, false, data)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::Oversize), 1u);
    EXPECT_EQ(reports_.all[0].ip_proto, icmp);
    EXPECT_EQ(stats().discarded, 1u);
    EXPECT_EQ(stats().bytes_held, 256u);  // only the discarded datagram's bookkeeping
    // Up to the limit is fine: 65472 + 40 + 20 = 65532.
    h.id = 1;
    EXPECT_TRUE(feed(ipv4(h, 65472, false, Bytes(40, 0x41))).empty());
    EXPECT_EQ(reports_.all.size(), 1u);
}

TEST_F(DefragTest, Ipv6OversizeCountsTheExtensionHeaders)
{
    V6 h;
    h.next = icmpv6;
    h.before = {{dest_options, 8}};
    // Payload length would be 8 (destination options) + 65496 + 40 = 65544 > 65535.
    EXPECT_TRUE(feed(ipv6(h, true, 65496, false, Bytes(40, 0x41))).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::Oversize), 1u);
}

TEST_F(DefragTest, TinyFirstTcpFragment)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    // RFC 1858 §3.1: the first fragment holds 16 of the 20 bytes of the TCP header.
    const Bytes whole = feed_all({frag4(h, l4, 0, 16, true), frag4(h, l4, 16, 60, false)});
    EXPECT_EQ(reports_.count(DefragAnomaly::TinyFragment), 1u);
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));  // still reassembled, as the host would
    EXPECT_EQ(reports_.all[0].src_port, 40000);
}

TEST_F(DefragTest, TcpFragmentAtOffset8OverwritesTheHeader)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    // RFC 1858 §3.2: a second fragment at offset 8 that reaches past the first; same bytes here,
    // so only the header rewrite is reported.
    const Bytes whole = feed_all({frag4(h, l4, 0, 24, true), frag4(h, l4, 8, 60, false)});
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));
    EXPECT_EQ(reports_.count(DefragAnomaly::TinyFragment), 1u);
    EXPECT_EQ(reports_.all.size(), 1u);
}

TEST_F(DefragTest, TcpFragmentAtOffset8WithOtherFlagsIsAlsoAConflict)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    Bytes evil = l4;
    evil[13] = 0x02;  // SYN instead of PSH ACK
    const Bytes whole = feed_all({frag4(h, l4, 0, 24, true), frag4(h, evil, 8, 60, false)});
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));  // the first fragment's header stands
    EXPECT_EQ(reports_.count(DefragAnomaly::TinyFragment), 1u);
    EXPECT_EQ(reports_.count(DefragAnomaly::OverlapConflict), 1u);
}

TEST_F(DefragTest, Ipv6FirstFragmentMustHoldTheHeaderChain)
{
    // RFC 7112: destination options (16 bytes) in the fragmentable part, cut by the first fragment.
    V6 h;
    const Bytes tcp_part = tcp_segment(8);
    Bytes l4;
    l4.push_back(tcp);  // destination options: next header TCP
    l4.push_back(1);    // 16 bytes
    l4.push_back(1);    // PadN
    l4.push_back(12);
    for (int i = 0; i < 12; ++i)
        l4.push_back(0);
    l4.insert(l4.end(), tcp_part.begin(), tcp_part.end());  // 16 + 28 = 44 bytes
    h.next = dest_options;
    const Bytes whole = feed_all({frag6(h, l4, 0, 8, true), frag6(h, l4, 8, 44, false)});
    EXPECT_EQ(reports_.count(DefragAnomaly::TinyFragment), 1u);
    ASSERT_FALSE(whole.empty());
    EXPECT_EQ(decode_whole(whole).l4, L4::Tcp);
}

TEST_F(DefragTest, NonLastFragmentNotAMultipleOf8)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);
    EXPECT_TRUE(feed(frag4(h, l4, 0, 20, true)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::InconsistentEnd), 1u);
    EXPECT_EQ(stats().discarded, 1u);
}

TEST_F(DefragTest, TwoLastFragmentsWithDifferentEnds)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);  // 48 bytes
    EXPECT_TRUE(feed(frag4(h, l4, 16, 32, false)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 32, 48, false)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::InconsistentEnd), 1u);
}

TEST_F(DefragTest, DataPastTheEnd)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);
    EXPECT_TRUE(feed(frag4(h, l4, 8, 24, false)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 16, 40, true)).empty());  // reaches past the end at 24
    EXPECT_EQ(reports_.count(DefragAnomaly::InconsistentEnd), 1u);
    // And a last fragment ending before bytes already held, the other way round.
    h.id = 2;
    EXPECT_TRUE(feed(frag4(h, l4, 16, 40, true)).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 8, 24, false)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::InconsistentEnd), 2u);
}

TEST_F(DefragTest, TooManyFragments)
{
    DefragConfig cfg;
    cfg.max_fragments = 4;
    reconfigure(cfg);
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);  // 48 bytes: 6 fragments of 8
    for (size_t from = 0; from < 40; from += 8)
        EXPECT_TRUE(feed(frag4(h, l4, from, from + 8, true)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::TooManyFragments), 1u);
    EXPECT_EQ(reports_.all[0].ctx.pcap_cnt, 5u);
    EXPECT_TRUE(feed(frag4(h, l4, 40, 48, false)).empty());  // dropped quietly
    EXPECT_EQ(stats().reassembled, 0u);
    EXPECT_EQ(stats().discarded, 1u);
    EXPECT_EQ(reports_.all.size(), 1u);
}

TEST_F(DefragTest, DefaultLimitAllowsA64kDatagramAtMtu1500)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(65507);  // the largest UDP datagram over IPv4
    std::vector<Bytes> frags;
    for (size_t from = 0; from < l4.size(); from += 1480)
        frags.push_back(frag4(h, l4, from, std::min(from + 1480, l4.size()), from + 1480 < l4.size()));
    EXPECT_EQ(frags.size(), 45u);
    const Bytes whole = feed_all(frags);
    EXPECT_EQ(whole.size(), 65535u);
    EXPECT_EQ(whole, ipv4(h, 0, false, l4));
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, TimeoutFromTheFirstFragmentIpv4)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true), t0).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 48, 60, false), t0 + 10 * second).empty());
    defrag_->expire(t0 + 30 * second - 1, reports_);
    EXPECT_TRUE(reports_.all.empty());
    defrag_->expire(t0 + 30 * second, reports_);
    ASSERT_EQ(reports_.all.size(), 1u);
    const DefragReport& r = reports_.all[0];
    EXPECT_EQ(r.anomaly, DefragAnomaly::Timeout);
    EXPECT_EQ(r.ctx.pcap_cnt, 2u);  // the datagram's last fragment
    EXPECT_EQ(r.ctx.ts_us, t0 + 10 * second);
    EXPECT_EQ(r.ip_version, 4);
    EXPECT_EQ(r.ip_proto, tcp);
    EXPECT_EQ(to_string(r.src), "10.0.0.1");
    EXPECT_EQ(to_string(r.dst), "10.0.0.2");
    EXPECT_EQ(r.src_port, 40000);  // the first fragment was seen
    EXPECT_EQ(r.dst_port, 502);
    EXPECT_EQ(r.id, 0x1234u);
    EXPECT_EQ(stats().timeouts, 1u);
    EXPECT_EQ(stats().active, 0u);
    EXPECT_EQ(stats().bytes_held, 0u);
}

TEST_F(DefragTest, TimeoutIpv6IsSixtySeconds)
{
    const V6 h;
    const Bytes l4 = tcp_segment(40);
    EXPECT_TRUE(feed(frag6(h, l4, 24, 48, true), t0).empty());
    defrag_->expire(t0 + 59 * second, reports_);
    EXPECT_TRUE(reports_.all.empty());
    defrag_->expire(t0 + 60 * second, reports_);
    ASSERT_EQ(reports_.count(DefragAnomaly::Timeout), 1u);
    EXPECT_EQ(reports_.all[0].src_port, 0);  // the first fragment never came
    EXPECT_EQ(reports_.all[0].ip_proto, tcp);
    EXPECT_EQ(to_string(reports_.all[0].src), "2001:db8::1");
}

TEST_F(DefragTest, AFragmentAfterTheTimeoutStartsAgain)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true), t0).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 24, 60, false), t0 + 31 * second).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::Timeout), 1u);
    EXPECT_EQ(stats().active, 1u);
}

TEST_F(DefragTest, MemcapEvictsTheOldestDatagram)
{
    DefragConfig cfg;
    cfg.memcap = 3 * (256 + 32 * 2 + 1000) + 100;  // three datagrams holding 1000 bytes each
    reconfigure(cfg);
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(1992);  // 2000 bytes
    for (uint16_t id = 1; id <= 3; ++id) {
        h.id = id;
        h.src[3] = static_cast<uint8_t>(id);
        EXPECT_TRUE(feed(frag4(h, l4, 0, 1000, true)).empty());
    }
    EXPECT_TRUE(reports_.all.empty());
    EXPECT_EQ(stats().active, 3u);
    h.id = 4;
    h.src[3] = 4;
    EXPECT_TRUE(feed(frag4(h, l4, 0, 1000, true)).empty());
    ASSERT_EQ(reports_.count(DefragAnomaly::Memcap), 1u);
    EXPECT_EQ(to_string(reports_.all[0].src), "10.0.0.1");  // the oldest went
    EXPECT_EQ(reports_.all[0].ctx.pcap_cnt, 1u);
    EXPECT_EQ(reports_.all[0].src_port, 20000);
    EXPECT_EQ(stats().memcap_drops, 1u);
    EXPECT_LE(stats().bytes_held, cfg.memcap);
    EXPECT_LE(stats().peak_bytes_held, cfg.memcap);
    EXPECT_EQ(stats().active, 3u);
    // The others are intact: datagram 2 completes.
    h.id = 2;
    h.src[3] = 2;
    EXPECT_EQ(feed(frag4(h, l4, 1000, 2000, false)), ipv4(h, 0, false, l4));
}

TEST_F(DefragTest, MemcapTooSmallForOneDatagramDropsIt)
{
    DefragConfig cfg;
    cfg.memcap = 1000;
    reconfigure(cfg);
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(1992);
    EXPECT_TRUE(feed(frag4(h, l4, 0, 1000, true)).empty());
    EXPECT_EQ(reports_.count(DefragAnomaly::Memcap), 1u);
    EXPECT_EQ(stats().bytes_held, 0u);
    EXPECT_EQ(stats().active, 0u);
}

TEST_F(DefragTest, FullTableEvictsTheOldestDatagram)
{
    DefragConfig cfg;
    cfg.max_datagrams = 2;
    reconfigure(cfg);
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);
    for (uint16_t id = 1; id <= 3; ++id) {
        h.id = id;
        EXPECT_TRUE(feed(frag4(h, l4, 0, 16, true)).empty());
    }
    ASSERT_EQ(reports_.count(DefragAnomaly::Memcap), 1u);
    EXPECT_EQ(reports_.all[0].id, 1u);
    EXPECT_EQ(stats().active, 2u);
    EXPECT_EQ(stats().peak_active, 2u);
}

TEST_F(DefragTest, CompletedDatagramsMakeRoomQuietly)
{
    DefragConfig cfg;
    cfg.max_datagrams = 1;
    reconfigure(cfg);
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);
    EXPECT_FALSE(feed_all({frag4(h, l4, 0, 16, true), frag4(h, l4, 16, 48, false)}).empty());
    h.id = 2;
    EXPECT_FALSE(feed_all({frag4(h, l4, 0, 16, true), frag4(h, l4, 16, 48, false)}).empty());
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, VlansDoNotMix)
{
    const V4 h;  // same addresses and identification in both VLANs
    const Bytes a = tcp_segment(40);
    Bytes b = a;
    for (size_t i = 20; i < b.size(); ++i)
        b[i] = 0x55;
    EXPECT_TRUE(feed(vlan_frame(10, frag4(h, a, 0, 32, true)), 0, LinkType::Ethernet).empty());
    EXPECT_TRUE(feed(vlan_frame(20, frag4(h, b, 0, 32, true)), 0, LinkType::Ethernet).empty());
    EXPECT_TRUE(feed(vlan_frame(20, frag4(h, b, 24, 40, true)), 0, LinkType::Ethernet).empty());
    EXPECT_EQ(feed(vlan_frame(10, frag4(h, a, 32, 60, false)), 0, LinkType::Ethernet), ipv4(h, 0, false, a));
    EXPECT_EQ(feed(vlan_frame(20, frag4(h, b, 40, 60, false)), 0, LinkType::Ethernet), ipv4(h, 0, false, b));
    EXPECT_EQ(stats().reassembled, 2u);
    EXPECT_TRUE(reports_.all.empty());  // 20's overlap agrees with 20, never compared with 10
}

TEST_F(DefragTest, AnomalyReportCarriesTheVlan)
{
    V4 h;
    h.proto = udp;
    const Bytes l4 = udp_datagram(40);
    EXPECT_TRUE(feed(vlan_frame(42, frag4(h, l4, 0, 20, true)), 0, LinkType::Ethernet).empty());
    ASSERT_EQ(reports_.all.size(), 1u);
    EXPECT_EQ(reports_.all[0].vlan_count, 1);
    EXPECT_EQ(reports_.all[0].vlan[0], 42);
}

TEST_F(DefragTest, Ipv6InOrderAndReversed)
{
    const V6 h;
    const Bytes l4 = tcp_segment(40);
    EXPECT_EQ(feed_all({frag6(h, l4, 0, 24, true), frag6(h, l4, 24, 48, true), frag6(h, l4, 48, 60, false)}),
              ipv6(h, false, 0, false, l4));
    V6 h2 = h;
    h2.id = 7;
    EXPECT_EQ(
        feed_all({frag6(h2, l4, 48, 60, false), frag6(h2, l4, 24, 48, true), frag6(h2, l4, 0, 24, true)}),
        ipv6(h2, false, 0, false, l4));
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, Ipv6ExtensionHeadersBeforeTheFragmentHeader)
{
    V6 h;
    h.before = {{hop_by_hop, 8}, {dest_options, 16}};
    const Bytes l4 = tcp_segment(40);
    const Bytes whole = feed_all({frag6(h, l4, 24, 60, false), frag6(h, l4, 0, 24, true)});
    // Fragment header gone; destination options now name TCP; payload length 8 + 16 + 60.
    EXPECT_EQ(whole, ipv6(h, false, 0, false, l4));
    EXPECT_EQ(whole[4] << 8 | whole[5], 84);
    EXPECT_EQ(whole[40 + 8], tcp);
    const Decoded d = decode_whole(whole);
    EXPECT_EQ(d.l4, L4::Tcp);
    EXPECT_EQ(d.dst_port, 502);
    EXPECT_EQ(d.payload.size(), 40u);
}

TEST_F(DefragTest, Ipv6AtomicFragmentIsDecodedWithoutTheDefragmenter)
{
    const V6 h;
    const Bytes l4 = tcp_segment(10);
    const Bytes atomic = ipv6(h, true, 0, false, l4);
    Decoded d;
    DecodeStats ds;
    ASSERT_EQ(decode(LinkType::RawIp, atomic, d, ds), DecodeError::None);
    EXPECT_FALSE(d.fragment);  // RFC 6946: a whole datagram
    EXPECT_EQ(d.l4, L4::Tcp);
    // Handed to the defragmenter anyway, it comes back at once without its fragment header.
    const auto out = defrag_->add(d, PacketCtx{1, t0}, reports_);
    EXPECT_EQ(Bytes(out.begin(), out.end()), ipv6(h, false, 0, false, l4));
    EXPECT_EQ(stats().active, 0u);
}

TEST_F(DefragTest, InterleavedDatagrams)
{
    V4 a;
    a.id = 1;
    V4 b;
    b.id = 2;
    b.proto = udp;
    V6 c;
    const Bytes la = tcp_segment(40);
    const Bytes lb = udp_datagram(52);
    const Bytes lc = tcp_segment(30);
    EXPECT_TRUE(feed(frag4(a, la, 0, 24, true)).empty());
    EXPECT_TRUE(feed(frag4(b, lb, 32, 60, false)).empty());
    EXPECT_TRUE(feed(frag6(c, lc, 24, 50, false)).empty());
    EXPECT_TRUE(feed(frag4(b, lb, 0, 16, true)).empty());
    EXPECT_EQ(feed(frag4(a, la, 24, 60, false)), ipv4(a, 0, false, la));
    EXPECT_EQ(feed(frag6(c, lc, 0, 24, true)), ipv6(c, false, 0, false, lc));
    EXPECT_EQ(feed(frag4(b, lb, 16, 32, true)), ipv4(b, 0, false, lb));
    EXPECT_EQ(stats().reassembled, 3u);
    EXPECT_EQ(stats().peak_active, 3u);
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, TruncatedFragmentDropsItsDatagramQuietly)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    Bytes cut = frag4(h, l4, 0, 24, true);
    cut.resize(cut.size() - 4);  // the snap length took 4 bytes
    EXPECT_TRUE(feed(cut).empty());
    EXPECT_TRUE(feed(frag4(h, l4, 24, 60, false)).empty());
    EXPECT_EQ(stats().truncated, 1u);
    defrag_->expire(now_ + 31 * second, reports_);
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, FlushCountsIncompleteDatagrams)
{
    const V4 h;
    const Bytes l4 = tcp_segment(40);
    EXPECT_TRUE(feed(frag4(h, l4, 0, 24, true)).empty());
    V4 other = h;
    other.id = 2;
    EXPECT_FALSE(feed_all({frag4(other, l4, 0, 24, true), frag4(other, l4, 24, 60, false)}).empty());
    defrag_->flush();
    EXPECT_EQ(stats().incomplete_at_end, 1u);
    EXPECT_EQ(stats().active, 0u);
    EXPECT_EQ(stats().bytes_held, 0u);
    EXPECT_TRUE(reports_.all.empty());
}

TEST_F(DefragTest, AnomalyTableIsConsistent)
{
    for (size_t i = 0; i < defrag_anomaly_table.size(); ++i) {
        EXPECT_EQ(defrag_anomaly_table[i].code, defrag_first_code + i);
        EXPECT_EQ(defrag_anomaly_table[i].name.substr(0, 7), "defrag.");
        EXPECT_EQ(anomaly_index(static_cast<DefragAnomaly>(defrag_anomaly_table[i].code)), i);
    }
    EXPECT_EQ(dissect::anomaly_sid(Protocol::Unknown, info(DefragAnomaly::Teardrop).code), 2000012u);
}

}  // namespace
}  // namespace otsentry::capture
