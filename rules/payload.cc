#include "rules/payload.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace otsentry::rules {

namespace {

constexpr uint8_t fold(uint8_t b) noexcept
{
    return b >= 'A' && b <= 'Z' ? static_cast<uint8_t>(b + 32) : b;
}

// Largest jump or window arithmetic we take seriously; beyond it a value cannot land in a buffer
// (Hyperscan and our reassembly cap buffers far below this) and keeps int64 sums exact.
constexpr int64_t far_away = int64_t{1} << 40;

struct Window {
    int64_t start = 0, end = 0;  // [start, end) clamped to the buffer
};

std::optional<uint64_t> parse_string_number(std::span<const uint8_t> s, NumBase base) noexcept
{
    const unsigned radix = base == NumBase::Hex ? 16 : base == NumBase::Oct ? 8 : 10;
    size_t i = 0;
    // strtoul(…, 16), which Snort and Suricata use, accepts a 0x prefix.
    if (radix == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) i = 2;
    uint64_t v = 0;
    size_t digits = 0;
    for (; i < s.size(); ++i) {
        const uint8_t c = s[i];
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else {
            break;
        }
        if (d >= radix) break;
        if (v > (std::numeric_limits<uint64_t>::max() - d) / radix) return std::nullopt;
        v = v * radix + d;
        ++digits;
    }
    if (digits == 0) return std::nullopt;
    return v;
}

// The number byte_test / byte_jump read at `pos`: raw bytes (big or little endian) or the
// leading digits of an ASCII string. nullopt when the bytes are not all inside the buffer, or a
// string has no digit.
std::optional<uint64_t> read_number(std::span<const uint8_t> buf, int64_t pos, uint8_t nbytes, Endian endian,
                                    NumBase base) noexcept
{
    if (pos < 0 || pos > static_cast<int64_t>(buf.size()) || nbytes > buf.size() - static_cast<size_t>(pos))
        return std::nullopt;
    const auto bytes = buf.subspan(static_cast<size_t>(pos), nbytes);
    if (base != NumBase::Raw) return parse_string_number(bytes, base);
    uint64_t v = 0;
    if (endian == Endian::Big) {
        for (const uint8_t b : bytes)
            v = v << 8 | b;
    } else {
        for (size_t k = bytes.size(); k-- > 0;)
            v = v << 8 | bytes[k];
    }
    return v;
}

// Suricata "Payload Keywords", byte_test / byte_jump: the bitmask is ANDed with the value read,
// and the result shifted right by the mask's trailing zeros.
uint64_t apply_bitmask(uint64_t v, const std::optional<uint32_t>& mask) noexcept
{
    if (!mask) return v;
    v &= *mask;
    if (*mask != 0) v >>= std::countr_zero(*mask);
    return v;
}

bool valid_count(uint8_t nbytes, NumBase base) noexcept
{
    return base == NumBase::Raw ? nbytes >= 1 && nbytes <= 8 : nbytes >= 1 && nbytes <= 10;
}

const BufferRef& buffer_of(const PayloadOp& op) noexcept
{
    return std::visit([](const auto& o) -> const BufferRef& { return o.buffer; }, op);
}

// Whether an option reads the cursor of its buffer.
bool reads_cursor(const PayloadOp& op) noexcept
{
    if (const auto* c = std::get_if<Content>(&op)) return c->relative();
    if (const auto* p = std::get_if<Pcre>(&op)) return p->relative || p->flags.find('R') != std::string::npos;
    if (const auto* t = std::get_if<ByteTest>(&op)) return t->relative;
    if (const auto* j = std::get_if<ByteJump>(&op)) return j->relative;
    return std::get<IsDataAt>(op).relative;
}

// Whether an option sets its buffer's cursor without reading it: a later option then no longer
// depends on the cursor an earlier one set.
bool resets_cursor(const PayloadOp& op) noexcept
{
    if (reads_cursor(op)) return false;
    if (const auto* c = std::get_if<Content>(&op)) return !c->negated;
    if (const auto* p = std::get_if<Pcre>(&op)) return !p->negated;
    return std::holds_alternative<ByteJump>(op);
}

}  // namespace

std::optional<std::span<const uint8_t>> Buffers::get(const BufferRef& ref) const noexcept
{
    if (ref.field == nullptr) {
        if (!payload_present) return std::nullopt;
        return payload;
    }
    if (fields == nullptr || pdu == nullptr || fields->get == nullptr || ref.field->proto != fields->proto)
        return std::nullopt;
    const dissect::FieldValue v = fields->get(pdu, ref.field->index, element);
    if (!v.present) return std::nullopt;
    switch (ref.field->type) {
        case dissect::FieldType::Bytes:
            return v.bytes;
        case dissect::FieldType::String:
        case dissect::FieldType::Name:
            return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.str.data()), v.str.size());
        default:
            return std::nullopt;
    }
}

// ---- compile -----------------------------------------------------------------------------------

std::optional<PayloadProgram> PayloadProgram::compile(std::span<const PayloadOp> ops, std::string& error)
{
    if (ops.size() > max_payload_ops) {
        error = "more than " + std::to_string(max_payload_ops) + " payload options";
        return std::nullopt;
    }
    PayloadProgram prog;
    prog.ops_.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
        const PayloadOp& src = ops[i];
        const dissect::FieldDesc* field = buffer_of(src).field;
        auto slot_it = std::find(prog.slots_.begin(), prog.slots_.end(), field);
        if (slot_it == prog.slots_.end()) {
            if (prog.slots_.size() == max_payload_buffers) {
                error = "more than " + std::to_string(max_payload_buffers) + " inspected buffers";
                return std::nullopt;
            }
            prog.slots_.push_back(field);
            slot_it = prog.slots_.end() - 1;
        }
        const auto slot = static_cast<uint8_t>(slot_it - prog.slots_.begin());
        std::optional<Kind> kind;

        if (const auto* c = std::get_if<Content>(&src)) {
            if (c->bytes.empty()) {
                error = "content is empty";
                return std::nullopt;
            }
            ContentOp k;
            k.needle = c->bytes;
            k.nocase = c->nocase;
            k.negated = c->negated;
            k.startswith = c->startswith;
            k.endswith = c->endswith;
            k.offset = c->offset;
            k.depth = c->depth;
            k.distance = c->distance;
            k.within = c->within;
            if (k.nocase) {
                for (char& ch : k.needle)
                    ch = static_cast<char>(fold(static_cast<uint8_t>(ch)));
                const size_t n = k.needle.size();
                k.shift.assign(256, static_cast<uint8_t>(std::min<size_t>(n, 255)));
                for (size_t j = 0; j + 1 < n; ++j)
                    k.shift[static_cast<uint8_t>(k.needle[j])] =
                        static_cast<uint8_t>(std::min<size_t>(n - 1 - j, 255));
            }
            kind.emplace(std::move(k));
        } else if (const auto* p = std::get_if<Pcre>(&src)) {
            auto re = Regex::compile(*p, error);
            if (!re) return std::nullopt;
            prog.regexes_.push_back(std::move(*re));
            kind.emplace(PcreOp{prog.regexes_.size() - 1, p->negated});
        } else if (const auto* t = std::get_if<ByteTest>(&src)) {
            if (!valid_count(t->nbytes, t->base)) {
                error = "byte_test: " + std::to_string(t->nbytes) +
                        " bytes out of range (raw 1..8, string 1..10)";
                return std::nullopt;
            }
            kind.emplace(*t);
        } else if (const auto* j = std::get_if<ByteJump>(&src)) {
            // Suricata's `byte_jump:0,0,from_end,post_offset -8` reads nothing and jumps from the end.
            if (!(j->nbytes == 0 && j->from_end) && !valid_count(j->nbytes, j->base)) {
                error = "byte_jump: " + std::to_string(j->nbytes) +
                        " bytes out of range (raw 1..8, string 1..10, 0 only with from_end)";
                return std::nullopt;
            }
            if (j->from_beginning && j->from_end) {
                error = "byte_jump: from_beginning and from_end together";
                return std::nullopt;
            }
            kind.emplace(*j);
        } else {
            kind.emplace(std::get<IsDataAt>(src));
        }
        prog.ops_.push_back(Op{std::move(*kind), slot, false});
    }

    // Retrying a content or pcre at its next occurrence can only change the outcome when a later
    // option on the same buffer reads the cursor it set (directly, or through options that each
    // continue from the cursor); an option that sets the cursor absolutely ends that chain.
    for (size_t i = 0; i < ops.size(); ++i) {
        Op& op = prog.ops_[i];
        const bool positive_search =
            (std::holds_alternative<Content>(ops[i]) && !std::get<Content>(ops[i]).negated &&
             !std::get<Content>(ops[i]).endswith) ||
            (std::holds_alternative<Pcre>(ops[i]) && !std::get<Pcre>(ops[i]).negated);
        if (!positive_search) continue;
        for (size_t j = i + 1; j < ops.size(); ++j) {
            if (prog.ops_[j].slot != op.slot) continue;
            if (reads_cursor(ops[j])) {
                op.retry = true;
                break;
            }
            if (resets_cursor(ops[j])) break;
        }
    }
    return prog;
}

bool PayloadProgram::uses_pcre2() const noexcept
{
    return std::any_of(regexes_.begin(), regexes_.end(), [](const Regex& r) { return r.uses_pcre2(); });
}

size_t PayloadProgram::hs_bytes() const noexcept
{
    size_t n = 0;
    for (const Regex& r : regexes_)
        n += r.hs_bytes();
    return n;
}

bool PayloadProgram::reserve(MatchScratch& scratch) const noexcept
{
    bool ok = true;
    for (const Regex& r : regexes_)
        ok = scratch.reserve(r.database()) && ok;
    return ok;
}

// ---- match -------------------------------------------------------------------------------------

struct PayloadProgram::State {
    explicit State(MatchScratch& s) noexcept : scratch{s} {}

    std::array<std::span<const uint8_t>, max_payload_buffers> buf{};
    std::array<bool, max_payload_buffers> present{};
    std::array<size_t, max_payload_buffers> cursor{};
    uint32_t retries = 0;
    bool exhausted = false;
    MatchScratch& scratch;

    // One more retry, if the budget allows.
    bool take_retry() noexcept
    {
        if (exhausted) return false;
        if (++retries > max_payload_retries) {
            exhausted = true;
            return false;
        }
        return true;
    }
};

bool PayloadProgram::match(const Buffers& bufs, MatchScratch& scratch) const noexcept
{
    if (ops_.empty()) return true;
    State s{scratch};
    for (size_t k = 0; k < slots_.size(); ++k) {
        const auto b = bufs.get(BufferRef{slots_[k]});
        s.present[k] = b.has_value();
        if (b) s.buf[k] = *b;
    }
    const bool matched = eval(0, s);
    if (s.exhausted) ++scratch.stats().backtrack_limit_hits;
    return matched;
}

bool match_payload(std::span<const PayloadOp> ops, const Buffers& bufs, MatchScratch& scratch)
{
    std::string error;
    const auto program = PayloadProgram::compile(ops, error);
    return program && program->match(bufs, scratch);
}

namespace {

// Where a content may match, from the Snort 2.9 manual (§3.5.3-3.5.8) and Suricata "Payload
// Keywords":
// - offset/depth count from the buffer start; depth counts from offset ("content:"def";
//   offset:3; depth:3;" checks bytes 3..5);
// - distance/within count from the cursor: the window is [cursor + distance, cursor + distance +
//   within). A negative distance may reach before the cursor; the start is clamped to the buffer
//   while the end keeps the unclamped sum, as Suricata computes it
//   (detect-engine-content-inspection.c: depth = prev_offset + distance + within);
// - startswith is offset 0, depth len.
// A relative content that also carries offset/depth (Snort rejects the mix, Suricata accepts it)
// must satisfy both windows.
template <typename C>
Window content_window(const C& c, size_t size, size_t cursor) noexcept
{
    const auto sz = static_cast<int64_t>(size);
    const bool relative = c.distance.has_value() || c.within.has_value();
    int64_t start = 0, end = sz;
    if (relative) {
        start = static_cast<int64_t>(cursor) + c.distance.value_or(0);
        if (c.within) end = start + *c.within;
    }
    if (c.offset || c.depth) {
        const int64_t o = c.offset.value_or(0);
        const int64_t e = c.depth ? o + *c.depth : sz;
        start = std::max(start, o);
        end = std::min(end, e);
    }
    if (c.startswith) {
        start = std::max<int64_t>(start, 0);
        end = std::min(end, static_cast<int64_t>(c.needle.size()));
    }
    return Window{std::clamp<int64_t>(start, 0, sz), std::clamp<int64_t>(end, 0, sz)};
}

// First occurrence of the needle starting at or after `from` and ending at or before `end`.
std::optional<size_t> find_needle(const std::string& needle, bool nocase, const std::vector<uint8_t>& shift,
                                  std::span<const uint8_t> buf, size_t from, size_t end) noexcept
{
    const size_t n = needle.size();
    if (end > buf.size() || from > end || end - from < n) return std::nullopt;
    const auto* hay = buf.data();
    const auto* pat = reinterpret_cast<const uint8_t*>(needle.data());
    if (!nocase) {
        const void* p = memmem(hay + from, end - from, pat, n);
        if (p == nullptr) return std::nullopt;
        return static_cast<size_t>(static_cast<const uint8_t*>(p) - hay);
    }
    // Horspool over ASCII-folded bytes (Snort/Suricata nocase is ASCII case folding only).
    for (size_t i = from; i + n <= end;) {
        size_t k = n;
        while (k > 0 && fold(hay[i + k - 1]) == pat[k - 1])
            --k;
        if (k == 0) return i;
        i += shift[fold(hay[i + n - 1])];
    }
    return std::nullopt;
}

}  // namespace

bool PayloadProgram::eval(size_t i, State& s) const noexcept
{
    if (i == ops_.size()) return true;
    const Op& op = ops_[i];
    if (!s.present[op.slot]) return false;
    const std::span<const uint8_t> buf = s.buf[op.slot];
    const size_t cur = s.cursor[op.slot];

    if (const auto* c = std::get_if<ContentOp>(&op.kind)) return eval_content(i, *c, s);
    if (const auto* p = std::get_if<PcreOp>(&op.kind)) return eval_pcre(i, *p, s);
    if (const auto* j = std::get_if<ByteJump>(&op.kind)) return eval_byte_jump(i, *j, s);

    if (const auto* t = std::get_if<ByteTest>(&op.kind)) {
        const int64_t pos = (t->relative ? static_cast<int64_t>(cur) : 0) + t->offset;
        const auto read = read_number(buf, pos, t->nbytes, t->endian, t->base);
        if (!read) return false;  // bytes missing: the option fails, `!` or not
        const uint64_t v = apply_bitmask(*read, t->bitmask);
        bool ok = false;
        switch (t->op) {
            case ByteTest::Op::Lt:
                ok = v < t->value;
                break;
            case ByteTest::Op::Gt:
                ok = v > t->value;
                break;
            case ByteTest::Op::Le:
                ok = v <= t->value;
                break;
            case ByteTest::Op::Ge:
                ok = v >= t->value;
                break;
            case ByteTest::Op::Eq:
                ok = v == t->value;
                break;
            case ByteTest::Op::And:
                ok = (v & t->value) != 0;
                break;
            case ByteTest::Op::Xor:
                ok = (v ^ t->value) != 0;
                break;
        }
        if (ok == t->negated) return false;
        return eval(i + 1, s);
    }

    // isdataat: absolute `isdataat:N` holds when byte N exists (N < size, as Suricata documents
    // for absolute checks); relative `isdataat:N,relative` when byte cursor+N exists, Snort's
    // rule (Suricata documents cursor+N <= size instead; see MATCHING.md).
    const auto& d = std::get<IsDataAt>(op.kind);
    const int64_t pos = (d.relative ? static_cast<int64_t>(cur) : 0) + d.offset;
    const bool exists = pos >= 0 && pos < static_cast<int64_t>(buf.size());
    if (exists == d.negated) return false;
    return eval(i + 1, s);
}

bool PayloadProgram::eval_content(size_t i, const ContentOp& c, State& s) const noexcept
{
    const Op& op = ops_[i];
    const std::span<const uint8_t> buf = s.buf[op.slot];
    size_t& cursor = s.cursor[op.slot];
    const size_t n = c.needle.size();
    const Window w = content_window(c, buf.size(), cursor);
    const auto from = static_cast<size_t>(w.start);
    const auto end = static_cast<size_t>(w.end);

    // A negated content holds when the bytes are absent from its window, and it does not move
    // the cursor: "Negated content matches do not move the cursor, which means any negative
    // content match [...] is relative to the last thing to move the cursor" (P. Mullen,
    // snort-sigs, 2012-07-01). Its failure still lets an earlier content be retried elsewhere.
    if (c.negated) {
        if (c.endswith) {
            const bool at_end = buf.size() >= n && buf.size() - n >= from && buf.size() <= end &&
                                find_needle(c.needle, c.nocase, c.shift, buf, buf.size() - n, buf.size());
            if (at_end) return false;
        } else if (find_needle(c.needle, c.nocase, c.shift, buf, from, end)) {
            return false;
        }
        return eval(i + 1, s);
    }

    const size_t saved = cursor;
    // endswith: the one candidate is the occurrence ending at the buffer end.
    if (c.endswith) {
        if (buf.size() < n || buf.size() - n < from || buf.size() > end) return false;
        if (!find_needle(c.needle, c.nocase, c.shift, buf, buf.size() - n, buf.size())) return false;
        cursor = buf.size();
        if (eval(i + 1, s)) return true;
        cursor = saved;
        return false;
    }
    for (size_t at = from;;) {
        const auto pos = find_needle(c.needle, c.nocase, c.shift, buf, at, end);
        if (!pos) return false;
        cursor = *pos + n;
        if (eval(i + 1, s)) return true;
        cursor = saved;
        if (!op.retry || !s.take_retry()) return false;
        at = *pos + 1;
    }
}

bool PayloadProgram::eval_pcre(size_t i, const PcreOp& p, State& s) const noexcept
{
    const Op& op = ops_[i];
    const Regex& re = regexes_[p.regex];
    const std::span<const uint8_t> buf = s.buf[op.slot];
    size_t& cursor = s.cursor[op.slot];
    // R: the subject starts at the cursor (Suricata matches the buffer from the previous match on).
    const size_t base = re.relative() ? cursor : 0;
    const auto subject = buf.subspan(std::min(base, buf.size()));

    Regex::Result r = re.search(subject, 0, s.scratch);
    // A PCRE error (limit hit) fails the option, negated or not, as Suricata does.
    if (r.status == Regex::Status::Error) return false;
    if (p.negated) {
        if (r.status == Regex::Status::Match) return false;
        return eval(i + 1, s);
    }
    const size_t saved = cursor;
    while (r.status == Regex::Status::Match) {
        cursor = base + r.span.end;
        if (eval(i + 1, s)) return true;
        cursor = saved;
        if (!op.retry || re.anchored() || !s.take_retry()) return false;
        const size_t next = r.span.start + 1;
        if (next > subject.size()) return false;
        r = re.search(subject, next, s.scratch);
    }
    return false;
}

// byte_jump, from the Snort 2.9 manual §3.5.29 and Suricata "Payload Keywords": read nbytes at
// offset (from the cursor when relative), apply the bitmask, multiply, round up to a multiple of
// 4 with align, then jump that far from the end of the bytes read (from the buffer start with
// from_beginning, from its end with from_end) and add post_offset. Landing outside the buffer
// fails the option; landing exactly at its end is allowed (Snort 3's cursor may sit at the end,
// so `byte_jump ...; isdataat:!1,relative;` can say "nothing follows"; Suricata refuses it).
bool PayloadProgram::eval_byte_jump(size_t i, const ByteJump& j, State& s) const noexcept
{
    const Op& op = ops_[i];
    const std::span<const uint8_t> buf = s.buf[op.slot];
    size_t& cursor = s.cursor[op.slot];
    const auto size = static_cast<int64_t>(buf.size());
    const int64_t pos = (j.relative ? static_cast<int64_t>(cursor) : 0) + j.offset;

    uint64_t value = 0;
    if (j.nbytes > 0) {
        const auto read = read_number(buf, pos, j.nbytes, j.endian, j.base);
        if (!read) return false;
        value = *read;
    } else if (pos < 0 || pos > size) {
        return false;
    }
    value = apply_bitmask(value, j.bitmask);
    if (j.multiplier != 0 && value > static_cast<uint64_t>(far_away) / j.multiplier) return false;
    value *= j.multiplier;
    if (j.align) value = (value + 3) & ~uint64_t{3};

    const int64_t from = j.from_beginning ? 0 : j.from_end ? size : pos + j.nbytes;
    const int64_t target = from + static_cast<int64_t>(value) + j.post_offset;
    if (target < 0 || target > size) return false;

    const size_t saved = cursor;
    cursor = static_cast<size_t>(target);
    if (eval(i + 1, s)) return true;
    cursor = saved;
    return false;
}

}  // namespace otsentry::rules
