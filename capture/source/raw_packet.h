// What every capture source hands out: one frame with its link type, capture time and position,
// and the one-line error a source reports when an input cannot be used. Shared by the file
// source (pcap_source.h) and the live source (live_source.h); neither header includes <pcap.h>.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace otsentry::capture {

// Link types we decode (libpcap's DLT values are mapped onto these).
enum class LinkType : uint8_t { Ethernet, LinuxSll, LinuxSll2, RawIp, RawIpv4, RawIpv6, Null, Loop };

// "Ethernet", "Linux SLL", ... for messages.
std::string_view link_type_name(LinkType link) noexcept;

struct RawPacket {
    int64_t ts_us = 0;              // capture time, microseconds since the epoch (UTC)
    uint32_t caplen = 0;            // bytes captured (== data.size())
    uint32_t wire_len = 0;          // bytes on the wire
    std::span<const uint8_t> data;  // valid until the next call to next()
    LinkType link = LinkType::Ethernet;
    uint64_t pcap_cnt = 0;    // 1-based number within its file (live: within its interface)
    uint32_t file_index = 0;  // which input file, or which interface (0-based)
};

// Why an input cannot be used, as one line for the user: "<file or interface>: <reason>".
struct SourceError {
    std::string path;
    std::string reason;
    [[nodiscard]] std::string message() const { return path + ": " + reason; }
};

}  // namespace otsentry::capture
