// A compiled rule set: parsed rules grouped so that a packet or a transaction meets only the rules
// that could match it, with one Hyperscan scan per buffer. Immutable once built and shared by
// every worker (std::shared_ptr<const RuleSet>); a reload builds a new one on the side.
//
// Grouping:
// - packet rules (header ip/tcp/udp/icmp, and application-protocol rules whose only inspection is
//   the packet payload) by transport, then by destination port when the rule names ports; each
//   group has a literal database of its rules' fast patterns, so a payload is scanned once and
//   only rules whose fast pattern occurs (plus rules without content) are evaluated;
// - transaction rules (field tests, or content on a field buffer) by application protocol, then
//   indexed by the value their equality test on the protocol's key field (e.g. modbus.function)
//   requires; rules without such a test are evaluated for every PDU of the protocol;
// - app-layer-event rules by (protocol, anomaly code).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/classification.h"
#include "rules/pattern_db.h"
#include "rules/payload.h"
#include "rules/rule.h"

namespace otsentry::rules {

// A rule ready to evaluate: the parsed rule plus what compilation derived from it.
struct CompiledRule {
    Rule rule;
    uint32_t index = 0;  // position in RuleSet::rules()
    std::string category;
    uint8_t severity = 3;
    PayloadProgram program;
    bool has_fast_pattern = false;
    std::vector<uint16_t> flowbit_ids;  // parallel to rule.flowbits[i].names, flattened
    bool noalert = false;
    bool uses_pcre2 = false;
};

struct CompileStats {
    size_t rules = 0;
    size_t packet_rules = 0, transaction_rules = 0, event_rules = 0;
    size_t unavailable = 0;  // accepted but never matching (protocol or keyword not available)
    size_t pcre2_fallbacks = 0;
    size_t prefilter_patterns = 0;
    size_t databases = 0;
    size_t hs_bytes = 0;  // Hyperscan database sizes
    double compile_ms = 0;
};

struct CompileError {
    std::string file;
    uint32_t line = 0;
    uint32_t sid = 0;
    std::string reason;
    std::string text;  // the rule as written
};

class RuleSet {
public:
    // Compiles `rules` (already parsed). A rule that cannot be compiled (e.g. a pcre neither
    // Hyperscan nor PCRE2 accepts) is left out and listed in `errors`; the rest still load.
    static std::shared_ptr<const RuleSet> compile(std::vector<Rule> rules, const Classifications& classes,
                                                  std::vector<CompileError>& errors);

    [[nodiscard]] const std::vector<CompiledRule>& rules() const noexcept { return rules_; }
    [[nodiscard]] const CompileStats& stats() const noexcept { return stats_; }
    [[nodiscard]] size_t flowbit_count() const noexcept { return flowbit_names_.size(); }

    // A rule group: candidate rules and the literal database of their fast patterns.
    struct Group {
        std::vector<uint32_t> always;      // rules without a fast pattern: evaluated every time
        std::vector<uint32_t> by_pattern;  // pattern id i -> rule by_pattern[i]
        PatternDb db;
    };
    // Packet rules for a transport (6 TCP, 17 UDP, anything else) and destination port.
    [[nodiscard]] const Group* packet_group(uint8_t ip_proto, uint16_t dst_port) const noexcept;
    [[nodiscard]] bool has_packet_rules() const noexcept { return stats_.packet_rules > 0; }

    // The rules of one key value (or the unindexed ones). Those that require a range of one
    // more field (the one most of them test, e.g. modbus.register.address) are sorted by that
    // range, so a PDU meets only the rules whose range overlaps the values it carries.
    struct Bucket {
        std::vector<uint32_t> rules;  // evaluated for every PDU that reaches the bucket
        const dissect::FieldDesc* range_field = nullptr;
        struct Range {
            uint64_t lo, hi;
            uint32_t rule;
        };
        std::vector<Range> ranges;  // sorted by lo
        [[nodiscard]] bool empty() const noexcept { return rules.empty() && ranges.empty(); }
    };
    struct ProtocolRules {
        const dissect::FieldDesc* key = nullptr;  // the indexed field
        std::unordered_map<uint64_t, Bucket> by_key;
        Bucket unindexed;
        bool empty() const noexcept { return by_key.empty() && unindexed.empty(); }
    };
    [[nodiscard]] const ProtocolRules& transaction_rules(Protocol p) const noexcept
    {
        return by_protocol_[static_cast<size_t>(p)];
    }
    // Rules listing anomaly (proto, code) in app-layer-event.
    [[nodiscard]] const std::vector<uint32_t>* event_rules(Protocol p, uint16_t code) const noexcept;

    // Grows `scratch` for every Hyperscan database of the set, so a worker allocates at start,
    // not at its first scan of each group.
    void reserve(MatchScratch& scratch) const;

    // Generation number: differs between any two rule sets built by one process.
    [[nodiscard]] uint64_t generation() const noexcept { return generation_; }

private:
    RuleSet() = default;

    std::vector<CompiledRule> rules_;
    CompileStats stats_;
    std::vector<std::string> flowbit_names_;
    // Packet groups: per transport class (0 TCP, 1 UDP, 2 other), rules on any port, and per port.
    struct TransportGroups {
        Group any;
        std::unordered_map<uint16_t, Group> by_port;
    };
    std::array<TransportGroups, 3> packet_;
    std::array<ProtocolRules, protocol_count> by_protocol_{};
    std::unordered_map<uint32_t, std::vector<uint32_t>> events_;  // proto << 16 | code
    uint64_t generation_ = 0;
};

}  // namespace otsentry::rules
