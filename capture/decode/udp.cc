// UDP header (RFC 768): ports and the datagram payload, bounded by the UDP length field.
#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {
constexpr size_t udp_header_len = 8;
}  // namespace

DecodeError decode_udp(Bytes in, Decoded& out, DecodeStats& stats)
{
    dissect::ByteReader r{in};
    const auto src_port = r.read_be<uint16_t>();
    const auto dst_port = r.read_be<uint16_t>();
    const auto length = r.read_be<uint16_t>();
    r.skip(2);  // checksum (not verified: offload)
    if (!r.ok()) return DecodeError::UdpTruncated;
    if (length < udp_header_len) return DecodeError::UdpBadLength;

    size_t end = length;
    if (end > in.size()) {
        // Beyond a snap-length cut the rest is simply missing; inside a complete IP datagram
        // a UDP length larger than the datagram is a malformed header.
        if (!out.truncated) return DecodeError::UdpBadLength;
        end = in.size();
    }

    ++stats.udp;
    out.l4 = L4::Udp;
    out.src_port = src_port;
    out.dst_port = dst_port;
    out.payload = in.subspan(udp_header_len, end - udp_header_len);
    return DecodeError::None;
}

}  // namespace otsentry::capture::detail
