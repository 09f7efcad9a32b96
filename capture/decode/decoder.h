// L2-L4 decoding: from a captured frame to addresses, ports, TCP header fields and the
// application payload. One small decoder per layer (ethernet.cc, vlan.cc, ipv4.cc, ipv6.cc,
// tcp.cc, udp.cc), dispatching to the next by a key table (ethertype, IP protocol).
// Malformed headers are counted per reason; nothing here allocates or throws.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "capture/source/pcap_source.h"

namespace otsentry::capture {

// An IPv4 or IPv6 address. IPv4 is kept in the first 4 bytes, the rest zero.
struct IpAddr {
    std::array<uint8_t, 16> bytes{};
    uint8_t version = 0;  // 4 or 6

    // Compared a word at a time: the flow table compares addresses on every packet, and the
    // defaulted forms call memcmp. The order is the defaulted one (bytes, then version).
    friend bool operator==(const IpAddr& x, const IpAddr& y) noexcept
    {
        return ((word(x, 0) ^ word(y, 0)) | (word(x, 1) ^ word(y, 1))) == 0 && x.version == y.version;
    }
    friend std::strong_ordering operator<=>(const IpAddr& x, const IpAddr& y) noexcept
    {
        for (size_t i = 0; i < 2; ++i) {
            const uint64_t a = big_endian_word(x, i);
            const uint64_t b = big_endian_word(y, i);
            if (a != b) return a < b ? std::strong_ordering::less : std::strong_ordering::greater;
        }
        return x.version <=> y.version;
    }

private:
    static uint64_t word(const IpAddr& a, size_t i) noexcept
    {
        uint64_t v = 0;
        std::memcpy(&v, a.bytes.data() + 8 * i, sizeof v);
        return v;
    }
    // Bytes i*8 .. i*8+7 as a number whose order is theirs read left to right.
    static uint64_t big_endian_word(const IpAddr& a, size_t i) noexcept
    {
        const uint64_t v = word(a, i);
        if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
        return v;
    }
};
// Text form: dotted quad, or RFC 5952 for IPv6.
std::string to_string(const IpAddr& a);

// Why a frame could not be decoded to the end. Values index DecodeStats::errors.
enum class DecodeError : uint8_t {
    None = 0,
    EthernetTruncated,
    VlanTruncated,
    VlanTooDeep,  // more than 2 tags (we handle 802.1Q and QinQ)
    SllTruncated,
    NullTruncated,
    Ipv4Truncated,
    Ipv4BadVersion,
    Ipv4BadHeaderLength,  // IHL < 5 or beyond the captured bytes
    Ipv4BadTotalLength,   // total length < header length (more than captured: see `truncated`)
    Ipv6Truncated,
    Ipv6BadVersion,
    Ipv6BadPayloadLength,  // 0 without "no next header" (jumbograms are not decoded)
    Ipv6ExtTruncated,      // an extension header runs past the packet
    Ipv6ExtTooMany,        // extension header chain longer than we follow
    TcpTruncated,
    TcpBadHeaderLength,
    UdpTruncated,
    UdpBadLength,
    Count
};
std::string_view decode_error_name(DecodeError e);  // stable snake_case, e.g. "ipv4_bad_total_length"

enum class L4 : uint8_t { None, Tcp, Udp, Icmp, Other };

namespace tcp_flags {
constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20;
}

struct Decoded {
    std::array<uint16_t, 2> vlan{};  // outer first
    uint8_t vlan_count = 0;
    uint16_t ethertype = 0;

    uint8_t ip_version = 0;  // 0: not IP
    IpAddr src, dst;
    uint8_t ip_proto = 0;         // IPv6: the upper-layer protocol after extension headers
    bool fragment = false;        // IPv4 MF/offset or IPv6 fragment header
    std::span<const uint8_t> l3;  // IP header .. end of the datagram (trailer trimmed)
    // The IP length says the datagram is longer than the captured bytes (snap length). What was
    // captured is still decoded, so `payload` may be shorter than the segment on the wire.
    bool truncated = false;

    L4 l4 = L4::None;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;  // TCP
    uint8_t tcp_flags = 0;
    uint16_t window = 0;
    std::span<const uint8_t> payload;  // application bytes (TCP/UDP payload)
};

struct DecodeStats {
    uint64_t packets = 0;
    uint64_t ipv4 = 0, ipv6 = 0, tcp = 0, udp = 0, icmp = 0, other_l4 = 0, non_ip = 0;
    uint64_t fragments = 0;
    uint64_t vlan = 0;
    std::array<uint64_t, static_cast<size_t>(DecodeError::Count)> errors{};

    [[nodiscard]] uint64_t total_errors() const noexcept;
};

// Decodes one frame. On error `out` holds whatever layers were decoded before it; the error is
// also counted in `stats`. Fragments are recognised and counted; their L4 is not decoded
// (capture/defrag reassembles them; app/packet_front.cc decodes the result).
DecodeError decode(LinkType link, std::span<const uint8_t> frame, Decoded& out, DecodeStats& stats);

}  // namespace otsentry::capture
