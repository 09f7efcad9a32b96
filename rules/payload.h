// Evaluating a rule's payload inspections (content, pcre, byte_test, byte_jump, isdataat) over
// the buffers of one packet or PDU, with Snort/Suricata semantics. MATCHING.md describes every
// decision; the short version:
//
// - Each buffer (the payload, or one application field's bytes) has its own cursor, starting at
//   0. A positive content or pcre moves it to the end of its match, byte_jump to where it jumps;
//   negated options, byte_test and isdataat leave it where it is. Relative options (distance,
//   within, pcre R, `relative`) start from it.
// - When a later option fails, an earlier positive content or pcre whose cursor it depended on
//   is retried at its next occurrence (Snort's and Suricata's backtracking), within a budget of
//   max_payload_retries retries per evaluation; running out is "no match" and is counted.
// - An option on a buffer the packet or PDU does not have fails, negated or not (Suricata: an
//   absent sticky buffer matches nothing).
//
// A PayloadProgram is compiled once per rule (needles folded, search tables built, regexes
// compiled) and is immutable: workers share it and each passes its own MatchScratch, so matching
// locks nothing and allocates nothing once the scratch has met the program's databases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dissectors/common/field_catalog.h"
#include "rules/regex.h"
#include "rules/rule.h"

namespace otsentry::rules {

// Retries (re-searching an earlier content or pcre further along) per rule evaluation. Suricata
// bounds the same work with detect.inspection-recursion-limit (3000 by default); 1024 retries
// over a 64 KiB buffer stays well under a millisecond.
inline constexpr uint32_t max_payload_retries = 1024;
// Per rule: inspections and distinct buffers. Beyond either, compile() refuses the rule.
inline constexpr size_t max_payload_ops = 256;
inline constexpr size_t max_payload_buffers = 8;

// The bytes the options of one evaluation read. A field buffer is read through the protocol's
// erased field table: `fields->get(pdu, field->index, element)`; it is missing when `fields` or
// `pdu` is null, the field belongs to another protocol, the PDU does not carry it, or it is not a
// Bytes/String/Name field.
struct Buffers {
    std::span<const uint8_t> payload;
    const dissect::ProtocolFields* fields = nullptr;
    const void* pdu = nullptr;
    size_t element = 0;           // list element for element fields
    bool payload_present = true;  // false: the payload buffer is absent (not merely empty)

    [[nodiscard]] std::optional<std::span<const uint8_t>> get(const BufferRef& ref) const noexcept;
};

class PayloadProgram {
public:
    PayloadProgram() = default;  // no inspections: matches everything

    // Prepares `ops` (in rule order). nullopt with `error` set when a pcre does not compile, a
    // content is empty, a byte_test/byte_jump byte count is out of range (raw 1..8, string
    // 1..10, byte_jump 0 only with from_end), from_beginning and from_end are both set, or the
    // rule exceeds max_payload_ops / max_payload_buffers.
    static std::optional<PayloadProgram> compile(std::span<const PayloadOp> ops, std::string& error);

    // True when every inspection holds (for some choice of occurrences, within the retry budget).
    bool match(const Buffers& bufs, MatchScratch& scratch) const noexcept;

    // Grows the scratch for every Hyperscan database of the program now, rather than on first use.
    bool reserve(MatchScratch& scratch) const noexcept;

    [[nodiscard]] bool empty() const noexcept { return ops_.empty(); }
    [[nodiscard]] size_t size() const noexcept { return ops_.size(); }
    // Some pcre of the rule runs on PCRE2 alone (Hyperscan refused it; see regexes()).
    [[nodiscard]] bool uses_pcre2() const noexcept;
    [[nodiscard]] size_t hs_bytes() const noexcept;
    [[nodiscard]] const std::vector<Regex>& regexes() const noexcept { return regexes_; }

private:
    struct ContentOp {
        std::string needle;  // ASCII lower-cased when nocase
        bool nocase = false;
        bool negated = false;
        bool startswith = false;
        bool endswith = false;
        std::optional<int32_t> offset, depth, distance, within;
        // Horspool shifts over the folded alphabet (nocase only), capped at 255.
        std::vector<uint8_t> shift;
    };
    struct PcreOp {
        size_t regex = 0;  // index into regexes_
        bool negated = false;
    };
    using Kind = std::variant<ContentOp, PcreOp, ByteTest, ByteJump, IsDataAt>;
    struct Op {
        Kind kind;
        uint8_t slot = 0;    // index into slots_
        bool retry = false;  // a later option on the same buffer reads the cursor this one sets
    };
    struct State;

    bool eval(size_t i, State& s) const noexcept;
    bool eval_content(size_t i, const ContentOp& c, State& s) const noexcept;
    bool eval_pcre(size_t i, const PcreOp& p, State& s) const noexcept;
    bool eval_byte_jump(size_t i, const ByteJump& j, State& s) const noexcept;

    std::vector<Op> ops_;
    std::vector<Regex> regexes_;
    std::vector<const dissect::FieldDesc*> slots_;  // nullptr: the payload
};

// The options of one rule against `bufs`; the same as program.match().
inline bool match_payload(const PayloadProgram& program, const Buffers& bufs, MatchScratch& scratch) noexcept
{
    return program.match(bufs, scratch);
}

// Compiles `ops` and matches them: for tests and tools, not the packet path (it allocates).
// False when the options do not compile.
bool match_payload(std::span<const PayloadOp> ops, const Buffers& bufs, MatchScratch& scratch);

}  // namespace otsentry::rules
