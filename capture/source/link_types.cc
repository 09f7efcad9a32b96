// The DLT -> LinkType table both sources use.
#include "capture/source/link_types.h"

#include <pcap.h>

#include <array>

namespace otsentry::capture {

std::string_view link_type_name(LinkType link) noexcept
{
    switch (link) {
        case LinkType::Ethernet:
            return "Ethernet";
        case LinkType::LinuxSll:
            return "Linux SLL";
        case LinkType::LinuxSll2:
            return "Linux SLL2";
        case LinkType::RawIp:
            return "raw IP";
        case LinkType::RawIpv4:
            return "raw IPv4";
        case LinkType::RawIpv6:
            return "raw IPv6";
        case LinkType::Null:
            return "BSD null";
        case LinkType::Loop:
            return "BSD loop";
    }
    return "unknown";
}

namespace detail {

namespace {

struct DltMapping {
    int dlt;
    LinkType link;
};

// DLT_RAW is 12 on most systems and 14 on OpenBSD; files may also carry LINKTYPE_RAW (101)
// when libpcap does not translate it, so all three mean raw IP. LINKTYPE_LOOP is 108.
constexpr std::array<DltMapping, 10> dlt_map{{
    {DLT_EN10MB, LinkType::Ethernet},
    {DLT_LINUX_SLL, LinkType::LinuxSll},
    {DLT_LINUX_SLL2, LinkType::LinuxSll2},
    {12, LinkType::RawIp},
    {14, LinkType::RawIp},
    {101, LinkType::RawIp},
    {DLT_IPV4, LinkType::RawIpv4},
    {DLT_IPV6, LinkType::RawIpv6},
    {DLT_NULL, LinkType::Null},
    {108, LinkType::Loop},
}};

}  // namespace

std::optional<LinkType> link_type_from_dlt(int dlt) noexcept
{
    for (const auto& m : dlt_map)
        if (m.dlt == dlt) return m.link;
    return std::nullopt;
}

std::string unsupported_link_reason(int dlt)
{
    const char* name = pcap_datalink_val_to_name(dlt);
    return "unsupported link type " + std::string(name ? name : "UNKNOWN") + " (" + std::to_string(dlt) + ")";
}

}  // namespace detail
}  // namespace otsentry::capture
