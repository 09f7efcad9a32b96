// IPv4 and IPv6 defragmentation (RFC 791, RFC 815, RFC 8200 §4.5): collects the fragments that
// capture::decode() recognised and, when a datagram is complete, hands it back as one whole IP
// packet (IPv4: MF 0, offset 0, total length and header checksum fixed; IPv6: the fragment
// header removed, the header before it naming what followed, payload length fixed), ready for
// capture::decode(LinkType::RawIpv4 / RawIpv6, ...).
//
// - Datagrams are keyed by source, destination, identification, the IPv4 protocol, and the VLAN
//   ids, so two VLANs never mix.
// - Overlap policy: the bytes seen first win, as in TCP reassembly (capture/stream). Overlaps
//   are counted; overlapping bytes that differ are an anomaly.
// - Fragments no sender produces (teardrop, ping of death, inconsistent ends, too many
//   fragments) raise an anomaly and discard the datagram; what is left of it is dropped quietly
//   until its timeout.
// - Everything is bounded: datagrams tracked, fragments per datagram, bytes held; the oldest
//   datagram makes room. Timeouts run on packet time (expire()), counted from the first fragment.
//
// capture/defrag/README.md has the rules in full. Only fragments come here: whole packets never
// touch the defragmenter, and nothing here allocates for them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "capture/decode/decoder.h"
#include "capture/defrag/defrag_anomalies.h"
#include "dissectors/common/types.h"

namespace otsentry::capture {

struct DefragConfig {
    int64_t ipv4_timeout_us = 30'000'000;  // Linux ipfrag_time; RFC 791 suggests at least 15 s
    int64_t ipv6_timeout_us = 60'000'000;  // RFC 8200 §4.5
    size_t max_datagrams = 4096;           // datagrams tracked at once, both versions
    // Fragments per datagram. A 65535-byte datagram takes 45 fragments at MTU 1500 and 52 at
    // IPv6's minimum MTU 1280; ICS datagrams rarely take more than a handful.
    size_t max_fragments = 64;
    size_t memcap = 16u << 20;         // bytes held across all datagrams
    size_t max_ipv4_datagram = 65535;  // total length (RFC 791)
    size_t max_ipv6_payload = 65535;   // payload length; jumbograms (RFC 2675) are not reassembled
};

struct DefragStats {
    uint64_t fragments = 0;    // fragments fed to add()
    uint64_t reassembled = 0;  // datagrams completed and handed back
    uint64_t overlaps = 0;     // fragments overlapping bytes already held, exact duplicates included
    uint64_t duplicates = 0;   // of which exact duplicates (same offset and length)
    std::array<uint64_t, defrag_anomaly_count> anomalies{};  // per DefragAnomaly (anomaly_index)
    uint64_t timeouts = 0;           // incomplete datagrams expired (== anomalies[timeout])
    uint64_t memcap_drops = 0;       // incomplete datagrams dropped by a cap (== anomalies[memcap])
    uint64_t discarded = 0;          // datagrams discarded after a teardrop/oversize/end/count anomaly
    uint64_t dropped_fragments = 0;  // fragments of discarded datagrams, late duplicates, unparsable
    uint64_t truncated = 0;          // fragments cut by the snap length: their datagram is dropped quietly
    uint64_t incomplete_at_end = 0;  // datagrams still incomplete at flush()
    uint64_t bytes_held = 0, peak_bytes_held = 0;
    uint64_t active = 0, peak_active = 0;  // datagrams tracked (including discarded/completed ones
                                           // remembered until their timeout)

    [[nodiscard]] uint64_t count(DefragAnomaly a) const noexcept { return anomalies[anomaly_index(a)]; }
    [[nodiscard]] uint64_t total_anomalies() const noexcept;
};

// An anomaly and the datagram it is about: there is no flow for a fragment.
struct DefragReport {
    DefragAnomaly anomaly = DefragAnomaly::Timeout;
    // The fragment that raised it; for timeout and memcap, the datagram's last fragment seen.
    PacketCtx ctx;
    uint8_t ip_version = 0;
    // IPv4: the protocol field. IPv6: the upper-layer protocol when the first fragment showed it,
    // else the fragment header's next header.
    uint8_t ip_proto = 0;
    IpAddr src, dst;
    uint16_t src_port = 0, dst_port = 0;  // from the first fragment (TCP/UDP); 0 when not seen
    uint32_t id = 0;                      // IP identification
    std::array<uint16_t, 2> vlan{};
    uint8_t vlan_count = 0;
};

class DefragSink {
public:
    virtual ~DefragSink() = default;
    virtual void on_defrag_anomaly(const DefragReport& r) = 0;
};

class Defragmenter {
public:
    explicit Defragmenter(DefragConfig cfg = {});
    ~Defragmenter();
    Defragmenter(const Defragmenter&) = delete;
    Defragmenter& operator=(const Defragmenter&) = delete;

    // Feeds one fragment: `frag` as decode() filled it (`fragment` set, `l3` the IP packet).
    // Returns the reassembled datagram, a whole IP packet, when this fragment completed it, and
    // an empty span otherwise. The bytes stay valid until the next call of any method. An IPv6
    // atomic fragment (offset 0, M 0) is handed back at once without its fragment header.
    std::span<const uint8_t> add(const Decoded& frag, const PacketCtx& ctx, DefragSink& sink);
    // Drops the datagrams whose timeout, counted from their first fragment, has passed at now_us;
    // an incomplete one raises defrag.timeout. Cheap when nothing is due: call it per packet.
    void expire(int64_t now_us, DefragSink& sink);
    // End of input: drops everything (incomplete datagrams are counted in incomplete_at_end).
    void flush();

    [[nodiscard]] const DefragStats& stats() const noexcept { return stats_; }
    [[nodiscard]] const DefragConfig& config() const noexcept { return cfg_; }

private:
    struct Impl;
    DefragConfig cfg_;
    DefragStats stats_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace otsentry::capture
