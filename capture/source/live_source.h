// Live capture from one or more network interfaces through libpcap (on Linux: a TPACKET_V3
// memory-mapped ring per interface). Like the file source it knows nothing about protocols: it
// hands out frames with their link type, capture time, and the interface they came from
// (RawPacket::file_index). next() never blocks for long, so the caller can react to a stop
// request or print statistics while the network is quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/source/raw_packet.h"

namespace otsentry::capture {

struct LiveConfig {
    std::vector<std::string> interfaces;     // e.g. {"eth1"}; "any" is libpcap's all-interfaces device
    std::string bpf;                         // capture filter (pcap-filter(7)); empty: every frame
    int snaplen = 262144;                    // bytes kept of each frame (libpcap's default maximum)
    size_t buffer_bytes = size_t{64} << 20;  // kernel ring per interface
    bool promiscuous = true;                 // a SPAN port carries frames for other hosts
    // How long next() waits for a frame before it returns Timeout; also the ring's block timeout
    // (a frame reaches us at most this late when traffic is light).
    std::chrono::milliseconds timeout{100};
};

// Counters of one interface since it was opened (pcap_stats, widened to 64 bits).
struct InterfaceStats {
    std::string name;
    uint64_t received = 0;        // frames that passed the filter (Linux: including those dropped)
    uint64_t kernel_dropped = 0;  // frames the kernel dropped because our ring was full
    uint64_t if_dropped = 0;      // frames the interface or driver dropped (rx_dropped), if known
};

class LiveSource {
public:
    explicit LiveSource(LiveConfig cfg);
    ~LiveSource();
    LiveSource(const LiveSource&) = delete;
    LiveSource& operator=(const LiveSource&) = delete;

    // Opens every interface and installs the filter. Returns one error per problem (empty on
    // success), such as "eth9: no such device", "eth0: you don't have permission to capture
    // (need root or CAP_NET_RAW)" or "bad BPF filter 'tcp prot 502': syntax error"; on any
    // error nothing stays open. Call once, before next().
    std::vector<SourceError> open();

    enum class Status : uint8_t { Packet, Timeout, Error };
    // The next frame from whichever interface has one, taking the interfaces in turn so that a
    // busy one cannot starve the others. Timeout when no frame arrived within the configured
    // timeout. Error when an interface fails (it disappeared, a socket error): error() says
    // which and why; the capture cannot go on.
    Status next(RawPacket& out);

    [[nodiscard]] const std::optional<SourceError>& error() const noexcept { return error_; }
    // Non-fatal notices, oldest first; more may be added while capturing, e.g. "eth1: promiscuous
    // mode is not supported; ...", "eth1: the interface went down; capturing resumes when it is
    // up again" (a link that goes down is not an error: the kernel resumes the capture when it
    // comes back; one that disappears is).
    [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    // Per-interface counters, in the order of LiveConfig::interfaces (asks the kernel: call it
    // every few seconds, not per packet).
    std::vector<InterfaceStats> stats();

    [[nodiscard]] const std::vector<std::string>& interfaces() const noexcept { return cfg_.interfaces; }
    // The link type of interface `index`; valid after a successful open().
    [[nodiscard]] LinkType link(size_t index) const;
    [[nodiscard]] const LiveConfig& config() const noexcept { return cfg_; }

private:
    struct Handle;
    void close() noexcept;
    bool socket_error_is_link_down(Handle& h);

    LiveConfig cfg_;
    std::vector<std::unique_ptr<Handle>> handles_;
    size_t next_handle_ = 0;  // round-robin cursor
    std::optional<SourceError> error_;
    std::vector<std::string> warnings_;
};

}  // namespace otsentry::capture
