// Feeds the Defragmenter fragments built from the input and checks its invariants: a datagram
// handed back is a whole, valid IP packet (decodes, not a fragment, lengths and IPv4 checksum
// right, no larger than 65535 bytes of IPv4 or IPv6 payload); bytes held never exceed the cap;
// datagrams tracked never exceed the table; every anomaly reported is counted; nothing is held
// after flush().
//
// Input: records, each one control byte then
//   bit 7 set:   1 length byte and that many bytes of a raw IP packet (decoded as RawIp);
//   bit 7 clear: a fragment built here: 2 bytes offset (13 bits, 8-byte units), 1 byte length,
//                1 byte time step (x 250 ms), then up to `length` payload bytes. Control bits:
//                6 = IPv6, 5 = more fragments, 4 = IPv6 hop-by-hop header before the fragment
//                header, 3 = VLAN 7, 0-2 = which of 8 datagrams (identification and protocol).
// Each packet is copied to an exactly sized buffer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "capture/defrag/defragmenter.h"

namespace {

using namespace otsentry;
using namespace otsentry::capture;

struct CountingSink final : DefragSink {
    uint64_t reports = 0;
    void on_defrag_anomaly(const DefragReport& r) override
    {
        if (r.ip_version != 4 && r.ip_version != 6) std::abort();
        ++reports;
    }
};

void put16(std::vector<uint8_t>& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

std::vector<uint8_t> build(uint8_t control, uint16_t offset_units, const uint8_t* data, size_t len)
{
    constexpr uint8_t protos[8] = {6, 17, 1, 6, 17, 58, 6, 47};
    const bool v6 = (control & 0x40) != 0;
    const bool more = (control & 0x20) != 0;
    const unsigned which = control & 0x07;
    std::vector<uint8_t> b;
    if ((control & 0x08) != 0) {  // Ethernet + 802.1Q, VLAN 7
        b.assign(12, 0x02);
        put16(b, 0x8100);
        put16(b, 7);
        put16(b, v6 ? 0x86dd : 0x0800);
    }
    if (!v6) {
        b.push_back(0x45);
        b.push_back(0);
        put16(b, static_cast<uint16_t>(20 + len));
        put16(b, static_cast<uint16_t>(0x100 + which));
        put16(b, static_cast<uint16_t>((more ? 0x2000 : 0) | (offset_units & 0x1fff)));
        b.push_back(64);
        b.push_back(protos[which]);
        put16(b, 0);
        for (uint8_t x : {10, 0, 0, 1, 10, 0, 0, 2})
            b.push_back(x);
    } else {
        const bool hbh = (control & 0x10) != 0;
        put16(b, 0x6000);
        put16(b, 0);
        put16(b, static_cast<uint16_t>(len + 8 + (hbh ? 8 : 0)));
        b.push_back(hbh ? 0 : 44);
        b.push_back(64);
        for (int i = 0; i < 2; ++i) {
            put16(b, 0x2001);
            put16(b, 0x0db8);
            for (int j = 0; j < 5; ++j)
                put16(b, 0);
            put16(b, static_cast<uint16_t>(i + 1));
        }
        if (hbh) {
            for (uint8_t x : {44, 0, 1, 4, 0, 0, 0, 0})
                b.push_back(x);
        }
        b.push_back(protos[which]);
        b.push_back(0);
        put16(b, static_cast<uint16_t>((offset_units & 0x1fff) << 3 | (more ? 1 : 0)));
        put16(b, 0xabcd);
        put16(b, static_cast<uint16_t>(which));
    }
    b.insert(b.end(), data, data + len);
    return b;
}

uint16_t be16(std::span<const uint8_t> b, size_t at)
{
    return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

void check_datagram(std::span<const uint8_t> out)
{
    Decoded d;
    DecodeStats ds;
    const DecodeError e = decode(LinkType::RawIp, out, d, ds);
    // The IP layer must be whole and valid; a bad transport header inside it is the sender's.
    if (d.ip_version == 0 || d.fragment || d.truncated) std::abort();
    if (e != DecodeError::None && e != DecodeError::TcpTruncated && e != DecodeError::TcpBadHeaderLength &&
        e != DecodeError::UdpTruncated && e != DecodeError::UdpBadLength &&
        e != DecodeError::Ipv6ExtTruncated && e != DecodeError::Ipv6ExtTooMany)
        std::abort();
    if (d.ip_version == 4) {
        if (out.size() > 65535 || be16(out, 2) != out.size()) std::abort();
        const size_t header_len = size_t{out[0] & 0x0fu} * 4;
        uint32_t sum = 0;
        for (size_t i = 0; i < header_len; i += 2)
            sum += be16(out, i);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        if (sum != 0xffff) std::abort();
        if ((be16(out, 6) & 0x3fff) != 0) std::abort();
    } else {
        if (out.size() < 40 || out.size() - 40 > 65535 || be16(out, 4) + 40u != out.size()) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    DefragConfig cfg;
    cfg.max_datagrams = 8;
    cfg.max_fragments = 16;
    cfg.memcap = 32 * 1024;
    Defragmenter defrag{cfg};
    CountingSink sink;
    int64_t now = 1'700'000'000'000'000;
    uint64_t pcap_cnt = 0;

    size_t pos = 0;
    while (pos < size) {
        const uint8_t control = data[pos++];
        std::vector<uint8_t> packet;
        LinkType link = LinkType::RawIp;
        if ((control & 0x80) != 0) {
            if (pos >= size) break;
            const size_t want = data[pos++];
            const size_t len = std::min(want, size - pos);
            packet.assign(data + pos, data + pos + len);
            pos += len;
        } else {
            if (size - pos < 4) break;
            const auto offset = static_cast<uint16_t>(data[pos] << 8 | data[pos + 1]);
            const size_t want = data[pos + 2];
            now += int64_t{data[pos + 3]} * 250'000;
            pos += 4;
            const size_t len = std::min(want, size - pos);
            packet = build(control, offset, data + pos, len);
            pos += len;
            if ((control & 0x08) != 0) link = LinkType::Ethernet;
        }
        defrag.expire(now, sink);
        Decoded d;
        DecodeStats ds;
        decode(link, packet, d, ds);
        if (!d.fragment) continue;
        const auto out = defrag.add(d, PacketCtx{++pcap_cnt, now}, sink);
        if (!out.empty()) check_datagram(out);

        const DefragStats& s = defrag.stats();
        if (s.bytes_held > cfg.memcap || s.bytes_held > s.peak_bytes_held) std::abort();
        if (s.active > cfg.max_datagrams || s.active > s.peak_active) std::abort();
        if (s.total_anomalies() != sink.reports) std::abort();
    }
    defrag.flush();
    const DefragStats& s = defrag.stats();
    if (s.bytes_held != 0 || s.active != 0 || s.peak_bytes_held > cfg.memcap) std::abort();
    return 0;
}
