// The first stage of packet processing: decode, and defragment IP fragments. A whole packet
// passes straight through (the defragmenter never sees it); a fragment is held until its
// datagram is complete, and the datagram is then decoded as a packet of its own, so TCP/UDP
// above never know it came in pieces. Defragmentation anomalies go to a DefragSink, and
// defrag_alert() renders one as a packet-level alert record (no flow).
//
// The Engine runs one; a pipeline reader may run it before spreading packets over workers by
// flow hash, since only a whole datagram has ports.
#pragma once

#include "alerts/record.h"
#include "capture/decode/decoder.h"
#include "capture/defrag/defragmenter.h"
#include "capture/source/pcap_source.h"

namespace otsentry::app {

class PacketFront {
public:
    explicit PacketFront(capture::DefragConfig cfg = {}) : defrag_{cfg} {}

    // Decodes `pkt` into `out`, after expiring the datagrams due at its time. True when `out` is
    // a packet to go on with: a whole packet, or the datagram that this fragment completed
    // (`reassembled()`; its spans then point into the front's buffer, valid until the next
    // call, and its VLAN ids are the fragment's). False for a fragment that completes nothing
    // and for a frame or datagram that did not decode (`error()` says why).
    bool process(const capture::RawPacket& pkt, capture::Decoded& out, capture::DefragSink& sink);
    // Time passes without a packet (a quiet live link): datagrams due by `now_us` expire.
    void expire(int64_t now_us, capture::DefragSink& sink) { defrag_.expire(now_us, sink); }
    // End of input: forgets the datagrams still incomplete (counted, no anomaly).
    void finish() { defrag_.flush(); }

    [[nodiscard]] capture::DecodeError error() const noexcept { return error_; }
    [[nodiscard]] bool reassembled() const noexcept { return reassembled_; }
    // Frames as captured; a reassembled datagram adds its transport layer (tcp, udp, ...) and
    // errors, not a second IP packet.
    [[nodiscard]] const capture::DecodeStats& decode_stats() const noexcept { return decode_stats_; }
    [[nodiscard]] const capture::DefragStats& defrag_stats() const noexcept { return defrag_.stats(); }

private:
    capture::Defragmenter defrag_;
    capture::DecodeStats decode_stats_;
    capture::DecodeError error_ = capture::DecodeError::None;
    bool reassembled_ = false;
};

// The alert record of a defragmentation anomaly: flow_id 0, the datagram's addresses, its ports
// when the first fragment showed them (else 0), `proto` named as Suricata does ("TCP", "UDP",
// "ICMP", "IPv6-ICMP", ...), no app_proto and no direction.
alerts::Record defrag_alert(const capture::DefragReport& r);

// IANA protocol keywords, as Suricata writes them in EVE `proto` ("TCP", "ICMP", ...); others as
// the decimal number.
std::string ip_proto_name(uint8_t proto);

}  // namespace otsentry::app
