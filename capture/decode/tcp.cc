// TCP header (RFC 9293 §3.1): ports, sequence numbers, flags, and the payload.
#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {
constexpr size_t tcp_min_header_len = 20;
}  // namespace

DecodeError decode_tcp(Bytes in, Decoded& out, DecodeStats& stats)
{
    dissect::ByteReader r{in};
    const auto src_port = r.read_be<uint16_t>();
    const auto dst_port = r.read_be<uint16_t>();
    const auto seq = r.read_be<uint32_t>();
    const auto ack = r.read_be<uint32_t>();
    const uint8_t data_offset = r.read_u8();
    const uint8_t flags = r.read_u8();
    const auto window = r.read_be<uint16_t>();
    r.skip(4);  // checksum (not verified: offload), urgent pointer
    if (!r.ok()) return DecodeError::TcpTruncated;

    const size_t header_len = size_t{static_cast<uint8_t>(data_offset >> 4)} * 4;
    if (header_len < tcp_min_header_len) return DecodeError::TcpBadHeaderLength;
    if (header_len > in.size()) {
        // Options cut by the snap length are a capture limit; inside a complete datagram the
        // header length itself is wrong.
        return out.truncated ? DecodeError::TcpTruncated : DecodeError::TcpBadHeaderLength;
    }

    ++stats.tcp;
    out.l4 = L4::Tcp;
    out.src_port = src_port;
    out.dst_port = dst_port;
    out.seq = seq;
    out.ack = ack;
    out.tcp_flags = flags;
    out.window = window;
    out.payload = in.subspan(header_len);
    return DecodeError::None;
}

}  // namespace otsentry::capture::detail
