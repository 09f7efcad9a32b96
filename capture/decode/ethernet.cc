// Link layers: Ethernet II, Linux cooked capture v1/v2, BSD loopback (Null/Loop) and raw IP,
// plus the ethertype table that hands the payload to the network layer.
#include <array>

#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {

using dissect::ByteReader;

constexpr size_t ethernet_header_len = 14;  // dst(6) src(6) ethertype(2)
constexpr size_t sll_header_len = 16;       // tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
constexpr size_t sll_protocol_offset = 14;
constexpr size_t sll2_header_len = 20;  // tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
constexpr size_t null_header_len = 4;

// Ethertypes below this are IEEE 802.3 length fields (LLC/SNAP follows), not a protocol.
constexpr uint16_t ethertype_min = 0x0600;

struct EthertypeEntry {
    uint16_t ethertype;
    LayerFn next;
};
constexpr std::array<EthertypeEntry, 5> ethertype_table{{
    {ethertype_ipv4, decode_ipv4},
    {ethertype_ipv6, decode_ipv6},
    {ethertype_vlan, decode_vlan},
    {ethertype_qinq, decode_vlan},
    {ethertype_qinq_old, decode_vlan},
}};

// BSD loopback address families. The value is in the byte order of the host that wrote the
// capture (DLT_NULL) so both orders are tried; IPv6 differs by OS: 24 NetBSD/OpenBSD, 28
// FreeBSD, 30 macOS (and 10 Linux, seen from tools that mimic the format).
struct FamilyEntry {
    uint32_t family;
    uint16_t ethertype;
};
constexpr std::array<FamilyEntry, 5> family_table{{
    {2, ethertype_ipv4},
    {10, ethertype_ipv6},
    {24, ethertype_ipv6},
    {28, ethertype_ipv6},
    {30, ethertype_ipv6},
}};

DecodeError dispatch_family(uint32_t family, Bytes in, Decoded& out, DecodeStats& stats)
{
    for (const auto& f : family_table) {
        if (f.family == family) {
            out.ethertype = f.ethertype;
            return dispatch_ethertype(f.ethertype, in, out, stats);
        }
    }
    ++stats.non_ip;
    return DecodeError::None;
}

}  // namespace

DecodeError dispatch_ethertype(uint16_t ethertype, Bytes in, Decoded& out, DecodeStats& stats)
{
    for (const auto& e : ethertype_table)
        if (e.ethertype == ethertype) return e.next(in, out, stats);
    ++stats.non_ip;
    return DecodeError::None;
}

DecodeError decode_ethernet(Bytes in, Decoded& out, DecodeStats& stats)
{
    ByteReader r{in};
    r.skip(12);  // destination and source MAC
    const auto ethertype = r.read_be<uint16_t>();
    if (!r.ok()) return DecodeError::EthernetTruncated;
    if (ethertype < ethertype_min) {
        ++stats.non_ip;
        return DecodeError::None;
    }
    out.ethertype = ethertype;
    return dispatch_ethertype(ethertype, in.subspan(ethernet_header_len), out, stats);
}

DecodeError decode_sll(Bytes in, Decoded& out, DecodeStats& stats)
{
    if (in.size() < sll_header_len) return DecodeError::SllTruncated;
    ByteReader r{in.subspan(sll_protocol_offset)};
    const auto protocol = r.read_be<uint16_t>();
    out.ethertype = protocol;
    return dispatch_ethertype(protocol, in.subspan(sll_header_len), out, stats);
}

DecodeError decode_sll2(Bytes in, Decoded& out, DecodeStats& stats)
{
    if (in.size() < sll2_header_len) return DecodeError::SllTruncated;
    ByteReader r{in};
    const auto protocol = r.read_be<uint16_t>();
    out.ethertype = protocol;
    return dispatch_ethertype(protocol, in.subspan(sll2_header_len), out, stats);
}

DecodeError decode_null(Bytes in, Decoded& out, DecodeStats& stats)
{
    if (in.size() < null_header_len) return DecodeError::NullTruncated;
    ByteReader le{in};
    ByteReader be{in};
    const auto family_le = le.read_le<uint32_t>();
    const auto family_be = be.read_be<uint32_t>();
    // Small family numbers cannot be confused across byte orders (2 vs 0x02000000).
    const uint32_t family = family_le < 0x10000 ? family_le : family_be;
    return dispatch_family(family, in.subspan(null_header_len), out, stats);
}

DecodeError decode_loop(Bytes in, Decoded& out, DecodeStats& stats)
{
    // DLT_LOOP is always network byte order (OpenBSD loopback).
    if (in.size() < null_header_len) return DecodeError::NullTruncated;
    ByteReader r{in};
    return dispatch_family(r.read_be<uint32_t>(), in.subspan(null_header_len), out, stats);
}

// Raw IP links carry no ethertype; set the one the frame would have on Ethernet so that every
// IP packet looks the same to later stages.
DecodeError decode_raw_ipv4(Bytes in, Decoded& out, DecodeStats& stats)
{
    out.ethertype = ethertype_ipv4;
    return decode_ipv4(in, out, stats);
}

DecodeError decode_raw_ipv6(Bytes in, Decoded& out, DecodeStats& stats)
{
    out.ethertype = ethertype_ipv6;
    return decode_ipv6(in, out, stats);
}

DecodeError decode_raw_ip(Bytes in, Decoded& out, DecodeStats& stats)
{
    // No link header: the IP version nibble says which network layer it is. An empty frame or
    // another version is reported by the IPv4 decoder (truncated / bad version).
    if (!in.empty() && (in[0] >> 4) == 6) return decode_raw_ipv6(in, out, stats);
    return decode_raw_ipv4(in, out, stats);
}

}  // namespace otsentry::capture::detail
