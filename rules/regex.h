// One compiled `pcre` rule option, and the per-worker scratch every matcher of rules/ uses.
//
// A pattern is compiled twice: with Hyperscan (block mode, HS_FLAG_SOM_LEFTMOST, no UTF-8) when
// Hyperscan accepts it, and always with PCRE2 (JIT when available). Hyperscan finds the leftmost
// match start in one pass over the buffer and cannot backtrack catastrophically; it cannot say
// where a PCRE match ends (greedy, lazy and alternation order decide that, and Hyperscan reports
// every end), so PCRE2 then matches once, anchored at that start, for the end, which becomes the
// cursor of later relative options. Patterns Hyperscan refuses (back-references, look-around,
// patterns that can match the empty string, `$` under the E flag, ...) run on PCRE2 alone, bounded
// by match, depth and heap limits; `uses_pcre2()` and `hs_error()` let the rule set count and
// report them.
//
// Subject semantics: `search(subject, from)` returns the leftmost match starting at or after
// `from`, with `subject` as the whole string PCRE sees (`^`, `\b` and look-behind see the bytes
// before `from`). A relative pcre (R) passes the buffer from the cursor on as the subject, so `^`
// and the A flag anchor at the cursor, as in Suricata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "rules/rule.h"

struct hs_database;
struct hs_scratch;
struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace otsentry::rules {

// Longest pcre pattern accepted (bytes between the slashes).
inline constexpr size_t max_pcre_pattern_len = 8 * 1024;

// Bounds on one PCRE2 match. Hitting one is "no match" for the pcre (negated or not: Suricata
// treats a PCRE error as the keyword failing) and counts in MatchStats::pcre_limit_hits.
struct RegexLimits {
    uint32_t match_limit = 100'000;       // pcre2_set_match_limit: backtracking steps per match call
    uint32_t depth_limit = 5'000;         // pcre2_set_depth_limit: nested backtracking (interpreter only)
    uint32_t heap_limit_kib = 4'096;      // pcre2_set_heap_limit: interpreter backtracking frames
    size_t jit_stack_bytes = 256 * 1024;  // JIT stack (JIT ignores depth_limit; a full stack is a limit hit)
};

// Counters of one worker's matching; plain integers (a scratch belongs to one thread).
struct MatchStats {
    uint64_t pcre_limit_hits = 0;       // match/depth/heap/JIT-stack limit reached
    uint64_t pcre_errors = 0;           // any other PCRE2 runtime error
    uint64_t hs_errors = 0;             // hs_scan failed (after growing the scratch once)
    uint64_t engine_disagreements = 0;  // Hyperscan found a start PCRE2 does not match at
    uint64_t backtrack_limit_hits = 0;  // a rule evaluation ran out of its retry budget
    uint64_t scratch_grows = 0;         // the Hyperscan scratch was (re)allocated for a database
};

// What one worker owns to run every matcher of rules/: the Hyperscan scratch (grown to fit each
// database it meets), one PCRE2 match data block, match context and JIT stack. Create one per
// thread and pass it in; nothing is locked and, once the scratch has met every database, nothing
// is allocated per call. Not copyable.
class MatchScratch {
public:
    explicit MatchScratch(const RegexLimits& limits = {});
    ~MatchScratch();
    MatchScratch(MatchScratch&& other) noexcept;
    MatchScratch& operator=(MatchScratch&& other) noexcept;
    MatchScratch(const MatchScratch&) = delete;
    MatchScratch& operator=(const MatchScratch&) = delete;

    // Grows the Hyperscan scratch to fit `db` now, rather than at its first scan. False when
    // Hyperscan cannot allocate it.
    bool reserve(const hs_database* db) noexcept;

    [[nodiscard]] const MatchStats& stats() const noexcept { return stats_; }
    [[nodiscard]] MatchStats& stats() noexcept { return stats_; }
    [[nodiscard]] const RegexLimits& limits() const noexcept { return limits_; }

    // For the matchers in rules/: a scratch valid for `db` (grown when the scan says it is too
    // small), the PCRE2 blocks (null when PCRE2 could not allocate them).
    [[nodiscard]] hs_scratch* hs() noexcept { return hs_; }
    [[nodiscard]] pcre2_real_match_data_8* match_data() noexcept { return match_data_; }
    [[nodiscard]] pcre2_real_match_context_8* match_context() noexcept { return match_context_; }

private:
    void release() noexcept;

    RegexLimits limits_;
    hs_scratch* hs_ = nullptr;
    pcre2_real_match_data_8* match_data_ = nullptr;
    pcre2_real_match_context_8* match_context_ = nullptr;
    pcre2_real_jit_stack_8* jit_stack_ = nullptr;
    MatchStats stats_;
};

// Scans `data` with `db` through the scratch, growing the scratch once if Hyperscan says it does
// not fit `db` (HS_INVALID). Returns the hs_scan result (HS_SCAN_TERMINATED when the callback
// stopped it). Buffers longer than 4 GiB are scanned up to 4 GiB (Hyperscan lengths are unsigned).
int hs_scan_grow(const hs_database* db, std::span<const uint8_t> data, MatchScratch& scratch,
                 int (*on_match)(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                                 void* ctx),
                 void* ctx) noexcept;

struct MatchSpan {
    size_t start = 0, end = 0;  // [start, end) in the subject
};

class Regex {
public:
    // Translates the Snort/Suricata flag letters and compiles. nullopt with `error` set when the
    // pattern is longer than max_pcre_pattern_len, a flag selects a buffer we do not have (HTTP
    // modifiers U I P Q H D M C K S Y V W: "flag U not available"), a letter is unknown, or
    // PCRE2 refuses the pattern.
    static std::optional<Regex> compile(const Pcre& p, std::string& error);

    Regex(Regex&&) noexcept;
    Regex& operator=(Regex&&) noexcept;
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    ~Regex();

    enum class Status : uint8_t { Match, NoMatch, Error };
    struct Result {
        Status status = Status::NoMatch;
        MatchSpan span;
    };
    // Leftmost match starting at or after `from` in `subject` (see the header comment). Error:
    // a PCRE2 limit was hit or an engine failed (counted in the scratch).
    Result search(std::span<const uint8_t> subject, size_t from, MatchScratch& scratch) const noexcept;
    // Same, with Error folded into "no match".
    std::optional<MatchSpan> find(std::span<const uint8_t> subject, size_t from,
                                  MatchScratch& scratch) const noexcept;

    [[nodiscard]] bool uses_pcre2() const noexcept { return hs_db_ == nullptr; }
    // Why Hyperscan refused the pattern; empty when it did not.
    [[nodiscard]] const std::string& hs_error() const noexcept { return hs_error_; }
    [[nodiscard]] const hs_database* database() const noexcept { return hs_db_; }
    [[nodiscard]] size_t hs_bytes() const noexcept;
    [[nodiscard]] bool jit() const noexcept { return jit_; }
    // A (anchored): only one match position per subject, so retrying further along is useless.
    [[nodiscard]] bool anchored() const noexcept { return anchored_; }
    // R: the subject starts at the cursor.
    [[nodiscard]] bool relative() const noexcept { return relative_; }

private:
    Regex() = default;
    Result pcre2_search(std::span<const uint8_t> subject, size_t from, uint32_t options,
                        MatchScratch& scratch) const noexcept;

    hs_database* hs_db_ = nullptr;
    pcre2_real_code_8* code_ = nullptr;
    std::string hs_error_;
    bool jit_ = false;
    bool anchored_ = false;
    bool relative_ = false;
};

}  // namespace otsentry::rules
