// Alert evidence: each flow keeps its last K packets (bounded per flow and per engine), so an
// alert can carry the packet that triggered it and the ones before it as a small pcap file
// (alerts::Record::evidence_pcap), which the store keeps for `otsentry alerts pcap ID` and the UI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "capture/source/raw_packet.h"

namespace otsentry::app {

struct EvidenceConfig {
    unsigned packets = 8;            // per flow: the triggering packet and the 7 before it; 0: off
    uint32_t snaplen = 1600;         // bytes kept of each packet (an Ethernet frame with room to spare)
    size_t budget_bytes = 64 << 20;  // per engine, over all flows' rings
};

struct EvidenceStats {
    uint64_t bytes_held = 0;
    uint64_t flows_without = 0;  // flows that got no ring because the budget was used up
    uint64_t pcaps = 0;          // evidence files attached to alerts
};

// The budget every ring of one engine draws from.
class EvidenceBudget {
public:
    explicit EvidenceBudget(const EvidenceConfig& cfg) : cfg_{cfg} {}
    [[nodiscard]] const EvidenceConfig& config() const noexcept { return cfg_; }
    [[nodiscard]] bool enabled() const noexcept { return cfg_.packets != 0; }
    bool take(size_t bytes) noexcept;
    void give_back(size_t bytes) noexcept { stats_.bytes_held -= bytes; }
    EvidenceStats& stats() noexcept { return stats_; }

private:
    EvidenceConfig cfg_;
    EvidenceStats stats_;
};

class EvidenceRing {
public:
    explicit EvidenceRing(EvidenceBudget& budget) : budget_{budget} {}
    ~EvidenceRing();
    EvidenceRing(const EvidenceRing&) = delete;
    EvidenceRing& operator=(const EvidenceRing&) = delete;

    // Keeps a copy of `pkt` (up to snaplen bytes), replacing the oldest once K are held. A ring
    // that could not get its memory from the budget keeps nothing.
    void add(const capture::RawPacket& pkt);
    // The packets held, oldest first, as a pcap file; empty when none.
    [[nodiscard]] std::string pcap() const;

private:
    struct Slot {
        int64_t ts_us = 0;
        uint32_t wire_len = 0;
        std::vector<uint8_t> data;
    };
    EvidenceBudget& budget_;
    std::vector<Slot> slots_;
    size_t next_ = 0;      // slot the next packet goes to
    size_t count_ = 0;     // packets held
    size_t reserved_ = 0;  // bytes taken from the budget
    bool refused_ = false;
    capture::LinkType link_ = capture::LinkType::Ethernet;
};

// A pcap file holding `packets` (for a flowless alert: the one packet).
std::string single_packet_pcap(const capture::RawPacket& pkt, uint32_t snaplen);

}  // namespace otsentry::app
