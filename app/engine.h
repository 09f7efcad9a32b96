// The packet engine: decode -> flow table -> TCP stream -> protocol detection -> dissector
// session -> EVE record -> output. One Engine is single-threaded and owns all of its flow state;
// several engines (one per worker) may share nothing but the output.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/record.h"
#include "app/evidence.h"
#include "app/packet_front.h"
#include "capture/decode/decoder.h"
#include "capture/flow/flow_table.h"
#include "capture/source/pcap_source.h"
#include "capture/stream/tcp_stream.h"
#include "dissectors/common/dissector.h"
#include "rules/live_rules.h"

namespace otsentry::app {

// Where rendered records go (the store writer in production, a vector in tests).
class RecordOutput {
public:
    virtual ~RecordOutput() = default;
    virtual void submit(alerts::Record&& r) = 0;
    // Appends empty strings, with the capacity lines of records already written left them, for
    // the EVE lines of new records (none by default).
    virtual void take_line_buffers(std::vector<std::string>& /*out*/) {}
};

// Strings for the EVE lines of new records, recycled from the output's written records when it
// has some: a record's line then costs no allocation.
class LineBuffers {
public:
    explicit LineBuffers(RecordOutput& out) : out_{out} {}
    // An empty string with room for `capacity` bytes.
    std::string take(size_t capacity)
    {
        if (spare_.empty()) out_.take_line_buffers(spare_);
        std::string line;
        if (!spare_.empty()) {
            line = std::move(spare_.back());
            spare_.pop_back();
        }
        line.reserve(capacity);
        return line;
    }

private:
    RecordOutput& out_;
    std::vector<std::string> spare_;
};

struct EngineConfig {
    capture::FlowConfig flows;
    capture::DefragConfig defrag;
    // Bytes a direction may carry before protocol detection by content gives up.
    size_t probe_limit = 512;
    // The rule set to match (none: protocol events and anomaly alerts only). Shared by every
    // engine of a run; must outlive them.
    rules::LiveRules* rules = nullptr;
    // Packets kept per flow for alert evidence (Record::evidence_pcap). Off (packets = 0) when
    // nothing stores evidence, e.g. without a database.
    EvidenceConfig evidence;
};

struct EngineCounters {
    uint64_t packets = 0;
    uint64_t bytes = 0;  // captured bytes
    uint64_t wire_bytes = 0;
    uint64_t tcp_flows = 0, udp_flows = 0;
    std::array<uint64_t, protocol_count> flows_by_proto{};
    std::array<uint64_t, protocol_count> events{};
    uint64_t alerts = 0;
    uint64_t rule_alerts = 0;  // alerts from rules (the rest are built-in anomaly alerts)
    std::unordered_map<uint32_t, uint64_t> rule_alert_counts;  // by sid
    uint64_t anomalies = 0;
    std::unordered_map<const dissect::AnomalyInfo*, uint64_t> anomaly_counts;
    uint64_t non_flow_packets = 0;  // not TCP/UDP, fragments held, decode errors
};

// Everything one engine counted. Several engines' totals (one per worker) add up to the run's.
// Peaks (flows.peak_active) add up to an upper bound of the true peak.
struct EngineTotals {
    EngineCounters counters;
    capture::DecodeStats decode;
    capture::DefragStats defrag;
    capture::StreamStats stream;
    capture::FlowStats flows;

    void add(const EngineTotals& o);
};

class Engine : private capture::DefragSink {
public:
    Engine(EngineConfig cfg, RecordOutput& out);
    ~Engine() override;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void process(const capture::RawPacket& pkt);
    // Time passes without a packet (live capture on a quiet link, `now_us` from the clock that
    // stamps packets): flows and fragments idle past their timeouts end now, not at the next packet.
    void advance_time(int64_t now_us);
    // Ends every flow (reports unanswered requests). Call once at end of input.
    void finish();

    [[nodiscard]] const EngineCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] const capture::DecodeStats& decode_stats() const noexcept { return front_.decode_stats(); }
    [[nodiscard]] const capture::DefragStats& defrag_stats() const noexcept { return front_.defrag_stats(); }
    [[nodiscard]] const capture::StreamStats& stream_stats() const noexcept { return stream_stats_; }
    [[nodiscard]] const capture::FlowStats& flow_stats() const noexcept;
    [[nodiscard]] EngineTotals totals() const;
    // Flows held now (cheap; for live stats).
    [[nodiscard]] size_t active_flows() const noexcept;
    [[nodiscard]] const EvidenceStats& evidence_stats() noexcept { return evidence_.stats(); }
    // Rule matching counters (all zero without rules).
    [[nodiscard]] rules::DetectorStats rule_stats() const noexcept;

private:
    void end_flow(capture::Flow& flow, capture::FlowEnd why);
    // Defragmentation anomalies become packet-level alerts.
    void on_defrag_anomaly(const capture::DefragReport& r) override;
    // Packet rules on a packet outside any TCP/UDP flow (ICMP, other IP protocols).
    void inspect_flowless(const PacketCtx& ctx);

    EngineConfig cfg_;
    RecordOutput& out_;
    LineBuffers lines_{out_};
    EngineCounters counters_;
    PacketFront front_;
    capture::StreamStats stream_stats_;
    std::unique_ptr<capture::FlowTable> flows_;
    capture::Decoded decoded_;
    std::unique_ptr<rules::Detector> detector_;
    EvidenceBudget evidence_;
    const capture::RawPacket* current_raw_ = nullptr;  // the packet being processed
};

}  // namespace otsentry::app
