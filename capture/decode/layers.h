// Internal to capture/decode: the per-layer decoders and the two dispatch tables that chain
// them. Each decoder reads its header from `in`, fills its part of `out`, and hands the rest to
// the next layer through a table, so adding a protocol is one table row, not another branch.
#pragma once

#include <cstdint>
#include <span>

#include "capture/decode/decoder.h"

namespace otsentry::capture::detail {

using Bytes = std::span<const uint8_t>;
using LayerFn = DecodeError (*)(Bytes in, Decoded& out, DecodeStats& stats);

constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86dd;
constexpr uint16_t ethertype_vlan = 0x8100;      // IEEE 802.1Q
constexpr uint16_t ethertype_qinq = 0x88a8;      // IEEE 802.1ad S-tag
constexpr uint16_t ethertype_qinq_old = 0x9100;  // pre-802.1ad QinQ, still seen on switches

constexpr uint8_t ip_proto_icmp = 1;
constexpr uint8_t ip_proto_tcp = 6;
constexpr uint8_t ip_proto_udp = 17;
constexpr uint8_t ip_proto_icmpv6 = 58;
constexpr uint8_t ip_proto_no_next = 59;

// Link layers (ethernet.cc).
DecodeError decode_ethernet(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_sll(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_sll2(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_null(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_loop(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_raw_ip(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_raw_ipv4(Bytes in, Decoded& out, DecodeStats& stats);
DecodeError decode_raw_ipv6(Bytes in, Decoded& out, DecodeStats& stats);

// The next layer after an ethertype (ethernet.cc); unknown ethertypes count as non-IP.
DecodeError dispatch_ethertype(uint16_t ethertype, Bytes in, Decoded& out, DecodeStats& stats);

DecodeError decode_vlan(Bytes in, Decoded& out, DecodeStats& stats);  // vlan.cc
DecodeError decode_ipv4(Bytes in, Decoded& out, DecodeStats& stats);  // ipv4.cc
DecodeError decode_ipv6(Bytes in, Decoded& out, DecodeStats& stats);  // ipv6.cc

// The next layer after an IP header (ipv4.cc): TCP, UDP, ICMP or counted as other.
DecodeError dispatch_ip_proto(uint8_t proto, Bytes in, Decoded& out, DecodeStats& stats);

DecodeError decode_tcp(Bytes in, Decoded& out, DecodeStats& stats);  // tcp.cc
DecodeError decode_udp(Bytes in, Decoded& out, DecodeStats& stats);  // udp.cc

}  // namespace otsentry::capture::detail
