// IPv6 (RFC 8200) with its extension header chain.
#include <algorithm>
#include <array>

#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {

constexpr size_t ipv6_header_len = 40;
// Longer chains are not seen in honest traffic and are a known evasion trick; RFC 8200 §4.1
// lists at most 8 distinct extension headers in the recommended order.
constexpr unsigned max_extension_headers = 8;

enum class ExtKind : uint8_t { NotExt, Generic, Fragment, Ah };

constexpr std::array<ExtKind, 256> make_ext_table()
{
    std::array<ExtKind, 256> t{};
    t[0] = ExtKind::Generic;    // hop-by-hop options
    t[43] = ExtKind::Generic;   // routing
    t[44] = ExtKind::Fragment;  // fragment
    t[51] = ExtKind::Ah;        // authentication header (RFC 4302: length in 4-byte units)
    t[60] = ExtKind::Generic;   // destination options
    t[135] = ExtKind::Generic;  // mobility (RFC 6275)
    // 50 (ESP) and 59 (no next header) end the chain: they go to the protocol table.
    return t;
}
constexpr std::array<ExtKind, 256> ext_table = make_ext_table();

}  // namespace

DecodeError decode_ipv6(Bytes in, Decoded& out, DecodeStats& stats)
{
    dissect::ByteReader r{in};
    const auto vtf = r.read_be<uint32_t>();  // version, traffic class, flow label
    const auto payload_len = r.read_be<uint16_t>();
    uint8_t next = r.read_u8();
    r.skip(1);  // hop limit
    const auto src = r.read_bytes(16);
    const auto dst = r.read_bytes(16);
    if (!r.ok()) return DecodeError::Ipv6Truncated;
    if ((vtf >> 28) != 6) return DecodeError::Ipv6BadVersion;
    // Payload length 0 is only valid for RFC 2675 jumbograms (impossible on Ethernet MTUs, not
    // decoded) or a datagram with no next header.
    if (payload_len == 0 && next != ip_proto_no_next) return DecodeError::Ipv6BadPayloadLength;

    // As for IPv4: more than captured is a snap length cut (decode what we have), less is
    // trailer padding (trimmed).
    size_t datagram_len = ipv6_header_len + payload_len;
    if (datagram_len > in.size()) {
        datagram_len = in.size();
        out.truncated = true;
    }

    ++stats.ipv6;
    out.ip_version = 6;
    out.src = IpAddr{};
    out.dst = IpAddr{};
    out.src.version = out.dst.version = 6;
    std::copy(src.begin(), src.end(), out.src.bytes.begin());
    std::copy(dst.begin(), dst.end(), out.dst.bytes.begin());
    out.l3 = in.first(datagram_len);
    out.ip_proto = next;

    Bytes rest = out.l3.subspan(ipv6_header_len);
    for (unsigned n = 0; ext_table[next] != ExtKind::NotExt; ++n) {
        if (n == max_extension_headers) return DecodeError::Ipv6ExtTooMany;
        const ExtKind kind = ext_table[next];
        dissect::ByteReader h{rest};
        const uint8_t following = h.read_u8();
        const uint8_t len_field = h.read_u8();
        if (!h.ok()) return DecodeError::Ipv6ExtTruncated;
        size_t len = 0;
        switch (kind) {
            case ExtKind::Fragment:
                len = 8;
                break;  // fixed size; its length byte is reserved
            case ExtKind::Ah:
                len = (size_t{len_field} + 2) * 4;
                break;
            case ExtKind::Generic:
                len = (size_t{len_field} + 1) * 8;
                break;
            case ExtKind::NotExt:
                break;
        }
        if (len > rest.size()) return DecodeError::Ipv6ExtTruncated;
        if (kind == ExtKind::Fragment) {
            const auto offset_flags = static_cast<uint16_t>((rest[2] << 8) | rest[3]);
            const bool more = offset_flags & 0x1;
            const uint16_t offset = offset_flags >> 3;
            // An atomic fragment (offset 0, no more fragments) is a whole datagram and is
            // processed as such (RFC 6946).
            if (more || offset != 0) {
                out.fragment = true;
                out.ip_proto = following;
                ++stats.fragments;
                return DecodeError::None;
            }
        }
        next = following;
        out.ip_proto = next;
        rest = rest.subspan(len);
    }
    return dispatch_ip_proto(next, rest, out, stats);
}

}  // namespace otsentry::capture::detail
