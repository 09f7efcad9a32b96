#include "rules/regex.h"

#include <hs.h>

#include <algorithm>
#include <climits>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace otsentry::rules {

namespace {

// Stands in for the data pointer of an empty span, which may be null.
constexpr uint8_t empty_subject[1] = {0};

const uint8_t* data_or_empty(std::span<const uint8_t> s) noexcept
{
    return s.data() != nullptr ? s.data() : empty_subject;
}

struct Translated {
    uint32_t pcre_options = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;
    unsigned hs_flags = 0;
    bool extended = false;
    bool anchored = false;
    bool dollar_endonly = false;
    bool relative = false;
};

// Snort 2.9 manual §3.5.26 (pcre) and Suricata "Payload Keywords", pcre: i s m x are Perl's;
// A (anchored), E (dollar end only), G (ungreedy) are PCRE's; R is relative to the cursor; the
// other upper-case letters select an HTTP buffer, which we do not have; B (rawbytes) is accepted
// and ignored ("Suricata does not use B but supports it so it does not cause errors"), as is O
// (override the configured match limit): our limits protect the worker and are not overridable.
std::optional<Translated> translate_flags(const Pcre& p, std::string& error)
{
    Translated t;
    t.relative = p.relative;
    for (const char c : p.flags) {
        switch (c) {
            case 'i':
                t.pcre_options |= PCRE2_CASELESS;
                t.hs_flags |= HS_FLAG_CASELESS;
                break;
            case 's':
                t.pcre_options |= PCRE2_DOTALL;
                t.hs_flags |= HS_FLAG_DOTALL;
                break;
            case 'm':
                t.pcre_options |= PCRE2_MULTILINE;
                t.hs_flags |= HS_FLAG_MULTILINE;
                break;
            case 'x':
                t.pcre_options |= PCRE2_EXTENDED;
                t.extended = true;
                break;
            case 'A':
                t.pcre_options |= PCRE2_ANCHORED;
                t.anchored = true;
                break;
            case 'E':
                t.pcre_options |= PCRE2_DOLLAR_ENDONLY;
                t.dollar_endonly = true;
                break;
            case 'G':
                t.pcre_options |= PCRE2_UNGREEDY;
                break;
            case 'R':
                t.relative = true;
                break;
            case 'B':
            case 'O':
                break;
            case 'U':
            case 'I':
            case 'P':
            case 'Q':
            case 'H':
            case 'D':
            case 'M':
            case 'C':
            case 'K':
            case 'S':
            case 'Y':
            case 'V':
            case 'W':
                error = std::string("pcre flag ") + c + " not available (it selects an HTTP buffer)";
                return std::nullopt;
            default:
                error = std::string("unknown pcre flag '") + c + "'";
                return std::nullopt;
        }
    }
    return t;
}

// The expression handed to Hyperscan, or why Hyperscan is not used. Hyperscan has no flags for
// x and A: x becomes a leading (?x) (and a trailing newline, so a final `# comment` ends before
// anything we append), A a `\A(?:...)` wrapper. A pattern that does not
// survive the wrapping fails to compile and simply falls back to PCRE2.
std::optional<std::string> hs_expression(const Pcre& p, const Translated& t, std::string& why)
{
    if (p.pattern.find('\0') != std::string::npos) {
        why = "pattern contains a NUL byte";
        return std::nullopt;
    }
    // PCRE2_DOLLAR_ENDONLY has no Hyperscan equivalent: Hyperscan's `$` also matches before a
    // final newline, which would report starts PCRE2 rejects.
    if (t.dollar_endonly && p.pattern.find('$') != std::string::npos) {
        why = "flag E with $ is not supported by Hyperscan";
        return std::nullopt;
    }
    std::string expr;
    if (t.extended) expr += "(?x)";
    if (t.anchored) expr += "\\A(?:";
    expr += p.pattern;
    // Hyperscan wants a `# comment` closed by a newline, which under x is only whitespace.
    if (t.extended) expr += '\n';
    if (t.anchored) expr += ')';
    return expr;
}

bool is_limit_error(int rc) noexcept
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
           rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

}  // namespace

// ---- MatchScratch ------------------------------------------------------------------------------

MatchScratch::MatchScratch(const RegexLimits& limits) : limits_{limits}
{
    match_data_ = pcre2_match_data_create(1, nullptr);
    match_context_ = pcre2_match_context_create(nullptr);
    if (match_context_ != nullptr) {
        pcre2_set_match_limit(match_context_, limits_.match_limit);
        pcre2_set_depth_limit(match_context_, limits_.depth_limit);
        pcre2_set_heap_limit(match_context_, limits_.heap_limit_kib);
        constexpr size_t jit_stack_start = 32 * 1024;
        jit_stack_ = pcre2_jit_stack_create(jit_stack_start,
                                            std::max(jit_stack_start, limits_.jit_stack_bytes), nullptr);
        if (jit_stack_ != nullptr) pcre2_jit_stack_assign(match_context_, nullptr, jit_stack_);
    }
}

MatchScratch::~MatchScratch()
{
    release();
}

MatchScratch::MatchScratch(MatchScratch&& other) noexcept
    : limits_{other.limits_},
      hs_{std::exchange(other.hs_, nullptr)},
      match_data_{std::exchange(other.match_data_, nullptr)},
      match_context_{std::exchange(other.match_context_, nullptr)},
      jit_stack_{std::exchange(other.jit_stack_, nullptr)},
      stats_{other.stats_}
{
}

MatchScratch& MatchScratch::operator=(MatchScratch&& other) noexcept
{
    if (this != &other) {
        release();
        limits_ = other.limits_;
        hs_ = std::exchange(other.hs_, nullptr);
        match_data_ = std::exchange(other.match_data_, nullptr);
        match_context_ = std::exchange(other.match_context_, nullptr);
        jit_stack_ = std::exchange(other.jit_stack_, nullptr);
        stats_ = other.stats_;
    }
    return *this;
}

void MatchScratch::release() noexcept
{
    if (hs_ != nullptr) hs_free_scratch(hs_);
    if (match_data_ != nullptr) pcre2_match_data_free(match_data_);
    if (match_context_ != nullptr) pcre2_match_context_free(match_context_);
    if (jit_stack_ != nullptr) pcre2_jit_stack_free(jit_stack_);
    hs_ = nullptr;
    match_data_ = nullptr;
    match_context_ = nullptr;
    jit_stack_ = nullptr;
}

bool MatchScratch::reserve(const hs_database* db) noexcept
{
    if (db == nullptr) return true;
    ++stats_.scratch_grows;
    return hs_alloc_scratch(db, &hs_) == HS_SUCCESS;
}

int hs_scan_grow(const hs_database* db, std::span<const uint8_t> data, MatchScratch& scratch,
                 int (*on_match)(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                                 void* ctx),
                 void* ctx) noexcept
{
    if (db == nullptr) return HS_INVALID;
    if (scratch.hs() == nullptr && !scratch.reserve(db)) return HS_NOMEM;
    const auto len = static_cast<unsigned>(std::min<size_t>(data.size(), UINT_MAX));
    const char* bytes = reinterpret_cast<const char*>(data_or_empty(data));
    hs_error_t rc = hs_scan(db, bytes, len, 0, scratch.hs(), on_match, ctx);
    // A scratch allocated for smaller databases is refused with HS_INVALID; grow it once.
    if (rc == HS_INVALID) {
        if (!scratch.reserve(db)) return HS_NOMEM;
        rc = hs_scan(db, bytes, len, 0, scratch.hs(), on_match, ctx);
    }
    return rc;
}

// ---- Regex -------------------------------------------------------------------------------------

std::optional<Regex> Regex::compile(const Pcre& p, std::string& error)
{
    if (p.pattern.size() > max_pcre_pattern_len) {
        error = "pcre pattern longer than " + std::to_string(max_pcre_pattern_len) + " bytes";
        return std::nullopt;
    }
    const auto t = translate_flags(p, error);
    if (!t) return std::nullopt;

    Regex r;
    r.anchored_ = t->anchored;
    r.relative_ = t->relative;

    int code = 0;
    PCRE2_SIZE offset = 0;
    r.code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.pattern.data()), p.pattern.size(), t->pcre_options,
                            &code, &offset, nullptr);
    if (r.code_ == nullptr) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        error = "pcre: " + std::string(reinterpret_cast<const char*>(msg)) + " at offset " +
                std::to_string(offset);
        return std::nullopt;
    }
    // Without JIT the interpreter runs the same pattern, under the same limits.
    r.jit_ = pcre2_jit_compile(r.code_, PCRE2_JIT_COMPLETE) == 0;

    if (const auto expr = hs_expression(p, *t, r.hs_error_)) {
        hs_compile_error_t* err = nullptr;
        hs_database_t* db = nullptr;
        if (hs_compile(expr->c_str(), t->hs_flags | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, nullptr, &db,
                       &err) == HS_SUCCESS) {
            r.hs_db_ = db;
        } else {
            r.hs_error_ =
                err != nullptr && err->message != nullptr ? err->message : "Hyperscan compile failed";
        }
        if (err != nullptr) hs_free_compile_error(err);
    }
    return r;
}

Regex::Regex(Regex&& other) noexcept
    : hs_db_{std::exchange(other.hs_db_, nullptr)},
      code_{std::exchange(other.code_, nullptr)},
      hs_error_{std::move(other.hs_error_)},
      jit_{other.jit_},
      anchored_{other.anchored_},
      relative_{other.relative_}
{
}

Regex& Regex::operator=(Regex&& other) noexcept
{
    if (this != &other) {
        if (hs_db_ != nullptr) hs_free_database(hs_db_);
        if (code_ != nullptr) pcre2_code_free(code_);
        hs_db_ = std::exchange(other.hs_db_, nullptr);
        code_ = std::exchange(other.code_, nullptr);
        hs_error_ = std::move(other.hs_error_);
        jit_ = other.jit_;
        anchored_ = other.anchored_;
        relative_ = other.relative_;
    }
    return *this;
}

Regex::~Regex()
{
    if (hs_db_ != nullptr) hs_free_database(hs_db_);
    if (code_ != nullptr) pcre2_code_free(code_);
}

size_t Regex::hs_bytes() const noexcept
{
    size_t n = 0;
    if (hs_db_ != nullptr && hs_database_size(hs_db_, &n) != HS_SUCCESS) n = 0;
    return n;
}

Regex::Result Regex::pcre2_search(std::span<const uint8_t> subject, size_t from, uint32_t options,
                                  MatchScratch& scratch) const noexcept
{
    pcre2_match_data* md = scratch.match_data();
    if (md == nullptr || code_ == nullptr) {
        ++scratch.stats().pcre_errors;
        return {Status::Error, {}};
    }
    const int rc = pcre2_match(code_, data_or_empty(subject), subject.size(), from, options, md,
                               scratch.match_context());
    if (rc >= 0) {
        // rc == 0: the one-pair ovector was too small for the groups; pair 0 is still set.
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        const size_t start = ov[0];
        const size_t end = ov[1] < ov[0] ? ov[0] : ov[1];  // \K may leave end before start
        return {Status::Match, {start, end}};
    }
    if (rc == PCRE2_ERROR_NOMATCH) return {Status::NoMatch, {}};
    if (is_limit_error(rc)) {
        ++scratch.stats().pcre_limit_hits;
    } else {
        ++scratch.stats().pcre_errors;
    }
    return {Status::Error, {}};
}

namespace {

struct LeftmostCtx {
    unsigned long long start = ULLONG_MAX;
    unsigned long long end = 0;
};

int on_leftmost(unsigned, unsigned long long from, unsigned long long to, unsigned, void* ctx) noexcept
{
    auto* c = static_cast<LeftmostCtx*>(ctx);
    if (from < c->start || (from == c->start && to < c->end)) {
        c->start = from;
        c->end = to;
    }
    // Matches are reported by end offset; a later one can still start earlier, unless this one
    // starts at 0.
    return c->start == 0 ? 1 : 0;
}

}  // namespace

Regex::Result Regex::search(std::span<const uint8_t> subject, size_t from,
                            MatchScratch& scratch) const noexcept
{
    if (from > subject.size()) return {Status::NoMatch, {}};
    // Hyperscan only answers "leftmost start in the whole subject"; later starts (retries) go to
    // PCRE2 with a start offset, which keeps `^`, `\b` and look-behind exact.
    if (hs_db_ == nullptr || from != 0) return pcre2_search(subject, from, 0, scratch);
    // Hyperscan refuses patterns that can match the empty string, so an empty subject has none.
    if (subject.empty()) return {Status::NoMatch, {}};

    LeftmostCtx ctx;
    const int rc = hs_scan_grow(hs_db_, subject, scratch, on_leftmost, &ctx);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
        ++scratch.stats().hs_errors;
        return pcre2_search(subject, 0, 0, scratch);
    }
    if (ctx.start == ULLONG_MAX) return {Status::NoMatch, {}};
    const auto start = static_cast<size_t>(ctx.start);
    // The end PCRE would choose: one anchored match at the start Hyperscan found.
    Result r = pcre2_search(subject, start, PCRE2_ANCHORED, scratch);
    if (r.status != Status::NoMatch) return r;
    ++scratch.stats().engine_disagreements;
    return {Status::Match, {start, static_cast<size_t>(ctx.end)}};
}

std::optional<MatchSpan> Regex::find(std::span<const uint8_t> subject, size_t from,
                                     MatchScratch& scratch) const noexcept
{
    const Result r = search(subject, from, scratch);
    if (r.status != Status::Match) return std::nullopt;
    return r.span;
}

}  // namespace otsentry::rules
