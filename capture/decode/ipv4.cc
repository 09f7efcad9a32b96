// IPv4 (RFC 791), and the IP protocol table that picks the transport decoder for both IP
// versions.
#include <array>

#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {

constexpr size_t ipv4_min_header_len = 20;
constexpr uint16_t ipv4_more_fragments = 0x2000;
constexpr uint16_t ipv4_offset_mask = 0x1fff;

DecodeError decode_icmp(Bytes /*in*/, Decoded& out, DecodeStats& stats)
{
    out.l4 = L4::Icmp;
    ++stats.icmp;
    return DecodeError::None;
}

DecodeError decode_other_l4(Bytes /*in*/, Decoded& out, DecodeStats& stats)
{
    out.l4 = L4::Other;
    ++stats.other_l4;
    return DecodeError::None;
}

// IPv6 "no next header": the datagram ends after its headers, there is no transport layer.
DecodeError decode_no_next(Bytes /*in*/, Decoded& /*out*/, DecodeStats& /*stats*/)
{
    return DecodeError::None;
}

constexpr std::array<LayerFn, 256> make_ip_proto_table()
{
    std::array<LayerFn, 256> t{};
    for (auto& fn : t)
        fn = decode_other_l4;
    t[ip_proto_icmp] = decode_icmp;
    t[ip_proto_tcp] = decode_tcp;
    t[ip_proto_udp] = decode_udp;
    t[ip_proto_icmpv6] = decode_icmp;
    t[ip_proto_no_next] = decode_no_next;
    return t;
}
constexpr std::array<LayerFn, 256> ip_proto_table = make_ip_proto_table();

}  // namespace

DecodeError dispatch_ip_proto(uint8_t proto, Bytes in, Decoded& out, DecodeStats& stats)
{
    return ip_proto_table[proto](in, out, stats);
}

DecodeError decode_ipv4(Bytes in, Decoded& out, DecodeStats& stats)
{
    dissect::ByteReader r{in};
    const uint8_t version_ihl = r.read_u8();
    r.skip(1);  // DSCP/ECN
    const auto total_len = r.read_be<uint16_t>();
    r.skip(2);  // identification
    const auto flags_offset = r.read_be<uint16_t>();
    r.skip(1);  // TTL
    const uint8_t proto = r.read_u8();
    r.skip(2);  // header checksum: not verified, NIC offload leaves it wrong in local captures
    const auto src = r.read_bytes(4);
    const auto dst = r.read_bytes(4);
    if (!r.ok()) return DecodeError::Ipv4Truncated;

    if ((version_ihl >> 4) != 4) return DecodeError::Ipv4BadVersion;
    const size_t header_len = size_t{version_ihl & 0x0fu} * 4;
    if (header_len < ipv4_min_header_len || header_len > in.size()) return DecodeError::Ipv4BadHeaderLength;
    if (total_len < header_len) return DecodeError::Ipv4BadTotalLength;

    // Total length beyond the captured bytes is normal with a snap length, and the frame alone
    // cannot tell that apart from a lying header: decode what was captured and mark it
    // truncated. Total length shorter than the frame means Ethernet trailer padding: trim it.
    size_t datagram_len = total_len;
    if (datagram_len > in.size()) {
        datagram_len = in.size();
        out.truncated = true;
    }

    ++stats.ipv4;
    out.ip_version = 4;
    out.src = IpAddr{};
    out.dst = IpAddr{};
    out.src.version = out.dst.version = 4;
    std::copy(src.begin(), src.end(), out.src.bytes.begin());
    std::copy(dst.begin(), dst.end(), out.dst.bytes.begin());
    out.ip_proto = proto;
    out.l3 = in.first(datagram_len);

    // Any fragment, first one included, waits for the defragmenter: the first fragment's
    // transport header is there but its payload is not the whole datagram.
    if ((flags_offset & ipv4_more_fragments) || (flags_offset & ipv4_offset_mask)) {
        out.fragment = true;
        ++stats.fragments;
        return DecodeError::None;
    }
    return dispatch_ip_proto(proto, out.l3.subspan(header_len), out, stats);
}

}  // namespace otsentry::capture::detail
