// The alert decision for one worker: given a packet, a transaction or an anomaly, find the rules
// of the compiled set that match and report them. A Detector belongs to one worker (it owns the
// Hyperscan scratch and reuses its buffers, so matching allocates nothing in steady state);
// threshold counters are shared by all workers through one ThresholdTable, since a rate limit is
// about hosts, not about which worker saw the packet.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "dissectors/common/dissector.h"
#include "rules/ruleset.h"

namespace otsentry::rules {

// One packet as the rules see it. Addresses are 16-byte (IPv4-mapped for IPv4) in the flow's
// orientation: the client opened the flow (or is not on the service port); `dir` says which way
// this packet goes.
struct PacketView {
    uint8_t ip_proto = 0;  // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...
    std::array<uint8_t, 16> client_ip{}, server_ip{};
    uint16_t client_port = 0, server_port = 0;
    Direction dir = Direction::ToServer;
    bool established = false;
    uint8_t tcp_flags = 0;
    std::span<const uint8_t> payload;
    Protocol app = Protocol::Unknown;  // the flow's application protocol, once known
    int64_t ts_us = 0;
};

// Per-flow rule state: flowbits. Tied to the rule set that interned the names: a flow that
// outlives a reload starts with no bits under the new set.
struct FlowRuleState {
    uint64_t generation = 0;
    std::vector<uint64_t> bits;
};

// A rule matched and is to be reported. `pdu` is the PDU the rule matched (transaction rules),
// or nullptr (packet and anomaly rules).
class AlertSink {
public:
    virtual ~AlertSink() = default;
    virtual void on_rule_alert(const CompiledRule& rule, Direction dir, const dissect::PduRef* pdu) = 0;
};

// Threshold and detection_filter counters, shared by all workers.
class ThresholdTable {
public:
    // True when an alert of `rule` (tracked by the addresses given) is to be reported now.
    bool allow(const CompiledRule& rule, const std::array<uint8_t, 16>& src,
               const std::array<uint8_t, 16>& dst, int64_t ts_us);
    // Forgets entries whose window ended before `ts_us` (bounded memory under scans).
    void expire(int64_t ts_us);
    [[nodiscard]] size_t size() const;

    static constexpr size_t max_entries = 1 << 16;

private:
    struct Key {
        uint32_t gid, sid;
        std::array<uint8_t, 16> a, b;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const noexcept;
    };
    struct Entry {
        int64_t window_start_us = 0;
        uint32_t count = 0;
        bool detection_filter_seen = false;
    };
    bool decide(const Threshold& t, Entry& e, int64_t ts_us, bool detection_filter);

    mutable std::mutex mu_;
    std::unordered_map<Key, Entry, KeyHash> entries_;
    int64_t last_expire_us_ = 0;
};

struct DetectorStats {
    uint64_t packets_inspected = 0;
    uint64_t transactions_inspected = 0;
    uint64_t rules_evaluated = 0;
    uint64_t matches = 0;
    uint64_t alerts = 0;
    uint64_t suppressed = 0;  // matched but held back by threshold/detection_filter/noalert/pass
};

class Detector {
public:
    Detector(std::shared_ptr<const RuleSet> set, ThresholdTable& thresholds);

    // Swaps in another rule set (hot reload); flows pick it up at their next packet.
    void reset(std::shared_ptr<const RuleSet> set);
    [[nodiscard]] const RuleSet& rules() const noexcept { return *set_; }
    [[nodiscard]] bool empty() const noexcept { return set_->rules().empty(); }

    // `flow` may be null (a packet outside any flow: flowbits do not apply).
    void inspect_packet(const PacketView& pkt, FlowRuleState* flow, AlertSink& sink);
    void inspect_transaction(const PacketView& pkt, Protocol proto, const dissect::EventBody& tx,
                             FlowRuleState* flow, AlertSink& sink);
    void inspect_anomaly(const PacketView& pkt, Protocol proto, uint16_t code, FlowRuleState* flow,
                         AlertSink& sink);

    [[nodiscard]] const DetectorStats& stats() const noexcept { return stats_; }

private:
    struct Match {
        uint32_t rule;
        Direction dir;
        dissect::PduRef pdu;
        bool has_pdu;
    };
    void prepare_flow(FlowRuleState* flow) const;
    void collect_packet_group(const RuleSet::Group& g, const PacketView& pkt, FlowRuleState* flow);
    bool header_matches(const CompiledRule& r, const PacketView& pkt, Direction dir) const;
    bool state_matches(const CompiledRule& r, const FlowRuleState* flow) const;
    bool fields_match(const CompiledRule& r, const dissect::ProtocolFields& table, const void* pdu);

    // The values of one element field of the PDU being inspected, read once per PDU however many
    // rules test it, with the range of its present integer values: a rule whose test cannot hold
    // anywhere in [lo, hi] is rejected without walking the elements.
    struct Column {
        uint64_t range_stamp = 0;   // lo/hi/any valid for the PDU of this stamp
        uint64_t values_stamp = 0;  // values valid for the PDU of this stamp
        std::vector<dissect::FieldValue> values;
        uint64_t lo = 0, hi = 0;
        bool any = false;  // some element has the field
    };
    // The range (from the protocol when it can tell, else by reading the elements).
    const Column& column_range(const dissect::ProtocolFields& table, const void* pdu,
                               const dissect::FieldDesc& f);
    const Column& column_values(const dissect::ProtocolFields& table, const void* pdu,
                                const dissect::FieldDesc& f);
    void try_rule(uint32_t index, const PacketView& pkt, Direction dir, FlowRuleState* flow,
                  const dissect::ProtocolFields* table, const dissect::PduRef* pdu);
    void report(const PacketView& pkt, FlowRuleState* flow, AlertSink& sink);

    std::shared_ptr<const RuleSet> set_;
    ThresholdTable& thresholds_;
    MatchScratch scratch_;
    std::vector<uint32_t> hits_;  // pattern ids from the last scan
    std::vector<uint32_t> seen_;  // per rule: the evaluation stamp that last saw it
    uint32_t stamp_ = 0;
    std::vector<Match> matches_;   // rules that matched the current packet/transaction
    std::vector<Column> columns_;  // by field index, for the PDU of pdu_stamp_
    uint64_t pdu_stamp_ = 0;
    DetectorStats stats_;
};

}  // namespace otsentry::rules
