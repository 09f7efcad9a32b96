// Entry point of the decoder: picks the first layer by link type, counts the outcome, and holds
// the name table of decode errors and the address formatting.
#include "capture/decode/decoder.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <numeric>

#include "capture/decode/layers.h"

namespace otsentry::capture {

namespace {

// Indexed by LinkType; the static_assert keeps it in step with the enum.
constexpr std::array<detail::LayerFn, 8> link_decoders{
    detail::decode_ethernet,  // Ethernet
    detail::decode_sll,       // LinuxSll
    detail::decode_sll2,      // LinuxSll2
    detail::decode_raw_ip,    // RawIp
    detail::decode_raw_ipv4,  // RawIpv4
    detail::decode_raw_ipv6,  // RawIpv6
    detail::decode_null,      // Null
    detail::decode_loop,      // Loop
};
static_assert(static_cast<size_t>(LinkType::Loop) + 1 == link_decoders.size());

// Stable names: they appear in stats output and may be matched by scripts.
constexpr std::array<std::string_view, static_cast<size_t>(DecodeError::Count)> error_names{
    "none",
    "ethernet_truncated",
    "vlan_truncated",
    "vlan_too_deep",
    "sll_truncated",
    "null_truncated",
    "ipv4_truncated",
    "ipv4_bad_version",
    "ipv4_bad_header_length",
    "ipv4_bad_total_length",
    "ipv6_truncated",
    "ipv6_bad_version",
    "ipv6_bad_payload_length",
    "ipv6_ext_truncated",
    "ipv6_ext_too_many",
    "tcp_truncated",
    "tcp_bad_header_length",
    "udp_truncated",
    "udp_bad_length",
};

}  // namespace

DecodeError decode(LinkType link, std::span<const uint8_t> frame, Decoded& out, DecodeStats& stats)
{
    out = Decoded{};
    ++stats.packets;
    const auto index = static_cast<size_t>(link);
    if (index >= link_decoders.size()) {  // a LinkType value outside the enum: nothing to decode
        ++stats.non_ip;
        return DecodeError::None;
    }
    const DecodeError e = link_decoders[index](frame, out, stats);
    if (e != DecodeError::None) ++stats.errors[static_cast<size_t>(e)];
    return e;
}

std::string_view decode_error_name(DecodeError e)
{
    const auto index = static_cast<size_t>(e);
    return index < error_names.size() ? error_names[index] : "unknown";
}

uint64_t DecodeStats::total_errors() const noexcept
{
    return std::accumulate(errors.begin() + 1, errors.end(), uint64_t{0});
}

std::string to_string(const IpAddr& a)
{
    // INET6_ADDRSTRLEN covers both families; inet_ntop writes RFC 5952 text for IPv6.
    std::array<char, INET6_ADDRSTRLEN> buf{};
    if (a.version == 4) {
        // Every new flow formats its two addresses: by hand, as inet_ntop goes through sprintf.
        char* p = buf.data();
        for (size_t i = 0; i < 4; ++i) {
            if (i != 0) *p++ = '.';
            const unsigned b = a.bytes[i];
            if (b >= 100) *p++ = static_cast<char>('0' + b / 100);
            if (b >= 10) *p++ = static_cast<char>('0' + b / 10 % 10);
            *p++ = static_cast<char>('0' + b % 10);
        }
        return std::string{buf.data(), static_cast<size_t>(p - buf.data())};
    }
    if (a.version == 6) {
        if (inet_ntop(AF_INET6, a.bytes.data(), buf.data(), buf.size())) return buf.data();
    }
    return "?";
}

}  // namespace otsentry::capture
