// Payload inspection keywords: content and its modifiers (Suricata/Snort 2 order, and Snort 3's
// `content:"x", depth 3;` form), pcre, byte_test, byte_jump, isdataat.
#include <algorithm>
#include <cctype>

#include "rules/compare.h"
#include "rules/keywords.h"

namespace otsentry::rules::detail {

namespace {

constexpr int32_t max_offset = 65535;

Content* last_content(Builder& b)
{
    for (auto it = b.rule.payload.rbegin(); it != b.rule.payload.rend(); ++it)
        if (auto* c = std::get_if<Content>(&*it)) return c;
    return nullptr;
}

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The bytes of a content string body (between the quotes): text, `|41 42|` hex, `\x` escapes.
bool decode_content(std::string_view body, std::string& out, std::string& error)
{
    bool hex = false;
    int pending = -1;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '|') {
            if (hex && pending >= 0) {
                error = "odd number of hex digits in content";
                return false;
            }
            hex = !hex;
            continue;
        }
        if (hex) {
            if (std::isspace(static_cast<unsigned char>(c)) != 0) continue;
            const int v = hex_value(c);
            if (v < 0) {
                error = "'" + std::string(1, c) + "' is not a hex digit in content";
                return false;
            }
            if (pending < 0) {
                pending = v;
            } else {
                out.push_back(static_cast<char>(pending << 4 | v));
                pending = -1;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 == body.size()) {
                error = "content ends with a lone '\\'";
                return false;
            }
            out.push_back(body[++i]);
            continue;
        }
        if (c == '"') {
            error = "unescaped '\"' in content";
            return false;
        }
        out.push_back(c);
    }
    if (hex) {
        error = "unterminated '|' in content";
        return false;
    }
    if (out.size() > max_content_bytes) {
        error = "content longer than " + std::to_string(max_content_bytes) + " bytes";
        return false;
    }
    return true;
}

// Finds the closing quote of a string starting at s[0] == '"'.
size_t closing_quote(std::string_view s) noexcept
{
    for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '"') return i;
    }
    return std::string_view::npos;
}

bool set_once(Builder& b, std::optional<int32_t>& slot, int32_t v, std::string_view what)
{
    if (slot) return b.fail(std::string{what} + " given twice for one content");
    slot = v;
    return true;
}

// One content modifier, from `name: value` (Suricata) or `name value` (Snort 3).
bool content_modifier(Builder& b, Content& c, std::string_view name, std::string_view value, bool has_value)
{
    const size_t len = c.bytes.size();
    auto number = [&](int64_t lo, int64_t hi) -> std::optional<int32_t> {
        if (!has_value || value.empty()) {
            b.error = "'" + std::string{name} + "' needs a number";
            return std::nullopt;
        }
        if (std::isalpha(static_cast<unsigned char>(value.front())) != 0) {
            b.error = std::string{name} + " '" + std::string{value} +
                      "' is not a number (byte_extract variables are not supported)";
            return std::nullopt;
        }
        return parse_int(value, lo, hi, name, b.error);
    };
    if (name == "nocase") {
        c.nocase = true;
    } else if (name == "rawbytes") {
        c.rawbytes = true;
    } else if (name == "offset" || name == "distance") {
        auto v = number(-max_offset, max_offset);
        if (!v) return false;
        if (name == "offset") {
            if (*v < 0) return b.fail("offset must not be negative");
            if (!set_once(b, c.offset, *v, name)) return false;
        } else if (!set_once(b, c.distance, *v, name)) {
            return false;
        }
    } else if (name == "depth" || name == "within") {
        auto v = number(1, max_offset);
        if (!v) return false;
        if (static_cast<size_t>(*v) < len) {
            return b.fail(std::string{name} + " " + std::to_string(*v) + " is shorter than the content (" +
                          std::to_string(len) + " bytes)");
        }
        if (!set_once(b, name == "depth" ? c.depth : c.within, *v, name)) return false;
    } else if (name == "fast_pattern") {
        if (has_value && value != "only") {
            // `fast_pattern:offset,length` (Snort 2 "chop"): both numbers, inside the content.
            const auto parts = split_commas(value);
            if (parts.size() != 2) return b.fail("fast_pattern takes 'only' or 'offset,length'");
            auto off = parse_int(parts[0], 0, max_offset, "fast_pattern offset", b.error);
            if (!off) return false;
            auto n = parse_int(parts[1], 1, max_offset, "fast_pattern length", b.error);
            if (!n) return false;
            if (static_cast<size_t>(*off) + static_cast<size_t>(*n) > len)
                return b.fail("fast_pattern " + std::string{value} + " runs past the content");
        }
        for (const PayloadOp& op : b.rule.payload) {
            const auto* other = std::get_if<Content>(&op);
            if (other != nullptr && other != &c && other->fast_pattern)
                return b.fail("fast_pattern on more than one content");
        }
        c.fast_pattern = true;
    } else if (name == "fast_pattern_offset" || name == "fast_pattern_length") {
        if (!number(0, max_offset)) return false;
        c.fast_pattern = true;
    } else if (name == "startswith") {
        c.startswith = true;
    } else if (name == "endswith") {
        c.endswith = true;
    } else {
        return b.fail("unknown content modifier '" + std::string{name} + "'");
    }
    if (c.startswith && (c.offset || c.depth || c.distance || c.within))
        return b.fail("startswith cannot be combined with offset, depth, distance or within");
    if (c.endswith && c.negated) return b.fail("endswith on a negated content");
    return true;
}

bool is_content_modifier(std::string_view n) noexcept
{
    constexpr std::string_view names[] = {"nocase", "rawbytes",     "offset",     "depth",   "distance",
                                          "within", "fast_pattern", "startswith", "endswith"};
    return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

bool parse_content(Builder& b, std::string_view v)
{
    Content c;
    v = trim(v);
    if (v.starts_with("!")) {
        c.negated = true;
        v = trim(v.substr(1));
    }
    if (v.empty() || v.front() != '"') return b.fail("content must be a quoted string");
    const size_t close = closing_quote(v);
    if (close == std::string_view::npos) return b.fail("unterminated string in content");
    if (!decode_content(v.substr(1, close - 1), c.bytes, b.error)) return false;
    if (c.bytes.empty()) return b.fail("empty content");
    c.buffer = b.buffer;
    const std::string_view rest = trim(v.substr(close + 1));
    b.rule.payload.emplace_back(std::move(c));
    if (rest.empty()) return true;
    if (rest.front() != ',')
        return b.fail("unexpected text after the content string: '" + std::string{rest} + "'");
    // Snort 3: `content:"x", depth 3, offset 2, nocase`.
    Content& added = std::get<Content>(b.rule.payload.back());
    const auto mods = split_commas(rest.substr(1));
    for (const auto m : mods) {
        const auto words = split_words(m);
        if (words.empty() || words.size() > 2) return b.fail("bad content modifier '" + std::string{m} + "'");
        if (!content_modifier(b, added, words[0], words.size() == 2 ? words[1] : std::string_view{},
                              words.size() == 2))
            return false;
    }
    return true;
}

bool parse_pcre(Builder& b, std::string_view v)
{
    Pcre p;
    v = trim(v);
    if (v.starts_with("!")) {
        p.negated = true;
        v = trim(v.substr(1));
    }
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        return b.fail("pcre must be a quoted \"/pattern/flags\"");
    v = v.substr(1, v.size() - 2);
    const size_t last = v.rfind('/');
    if (v.empty() || v.front() != '/' || last == 0) return b.fail("pcre must look like \"/pattern/flags\"");
    p.pattern = std::string{v.substr(1, last - 1)};
    if (p.pattern.empty()) return b.fail("empty pcre pattern");
    if (p.pattern.size() > max_content_bytes)
        return b.fail("pcre longer than " + std::to_string(max_content_bytes) + " bytes");
    p.flags = std::string{v.substr(last + 1)};
    constexpr std::string_view pcre_flags = "ismxAEGRBO";
    constexpr std::string_view http_flags = "UIPQHDMCKSYVWZ";
    for (const char f : p.flags) {
        if (http_flags.find(f) != std::string_view::npos) {
            b.unavailable("keyword not available: pcre flag " + std::string(1, f) + " (HTTP buffers)");
        } else if (pcre_flags.find(f) == std::string_view::npos) {
            return b.fail("unknown pcre flag '" + std::string(1, f) + "'");
        }
    }
    p.relative = p.flags.find('R') != std::string::npos;
    p.buffer = b.buffer;
    b.rule.payload.emplace_back(std::move(p));
    return true;
}

// Shared options of byte_test and byte_jump.
struct NumOpts {
    Endian endian = Endian::Big;
    NumBase base = NumBase::Raw;
    bool string = false;
    bool relative = false;
    std::optional<uint32_t> bitmask;
};

// Returns Yes when `w` was one of the shared options.
Handled num_option(Builder& b, std::string_view kw, const std::vector<std::string_view>& w, NumOpts& o)
{
    const std::string_view n = w[0];
    if (w.size() == 1) {
        if (n == "relative") {
            o.relative = true;
        } else if (n == "big") {
            o.endian = Endian::Big;
        } else if (n == "little") {
            o.endian = Endian::Little;
        } else if (n == "string") {
            o.string = true;
        } else if (n == "hex" || n == "dec" || n == "oct") {
            if (o.base != NumBase::Raw) {
                b.fail(std::string{kw} + ": more than one number base");
                return Handled::Failed;
            }
            o.base = n == "hex" ? NumBase::Hex : n == "dec" ? NumBase::Dec : NumBase::Oct;
        } else if (n == "dce") {
            b.unavailable("keyword not available: " + std::string{kw} + " dce");
        } else {
            return Handled::No;
        }
        return Handled::Yes;
    }
    if (w.size() == 2 && n == "endian") {
        if (w[1] != "big" && w[1] != "little") {
            b.fail(std::string{kw} + ": endian must be big or little");
            return Handled::Failed;
        }
        o.endian = w[1] == "big" ? Endian::Big : Endian::Little;
        return Handled::Yes;
    }
    if (w.size() == 2 && n == "bitmask") {
        std::string why;
        auto m = parse_number(w[1], IntLimit{"bitmask", 32}, why);
        if (!m || *m == 0) {
            b.fail(std::string{kw} + ": bad bitmask '" + std::string{w[1]} + "'");
            return Handled::Failed;
        }
        o.bitmask = static_cast<uint32_t>(*m);
        return Handled::Yes;
    }
    return Handled::No;
}

bool finish_num(Builder& b, std::string_view kw, NumOpts& o, uint8_t nbytes)
{
    if (o.base != NumBase::Raw && !o.string) return b.fail(std::string{kw} + ": hex/dec/oct need 'string'");
    if (o.string && o.base == NumBase::Raw) o.base = NumBase::Dec;
    if (!o.string && (nbytes < 1 || nbytes > 4))
        return b.fail(std::string{kw} + ": " + std::to_string(nbytes) + " bytes; binary reads take 1..4");
    if (o.string && (nbytes < 1 || nbytes > 10))
        return b.fail(std::string{kw} + ": " + std::to_string(nbytes) + " bytes; string reads take 1..10");
    return true;
}

bool parse_byte_test(Builder& b, std::string_view v)
{
    const auto parts = split_commas(v);
    if (parts.size() < 4) return b.fail("byte_test needs 'bytes, operator, value, offset'");
    ByteTest t;
    auto n = parse_int(parts[0], 1, 10, "byte_test bytes", b.error);
    if (!n) return false;
    t.nbytes = static_cast<uint8_t>(*n);
    std::string_view op = trim(parts[1]);
    if (op.starts_with("!")) {
        t.negated = true;
        op = trim(op.substr(1));
    }
    if (op == "<") {
        t.op = ByteTest::Op::Lt;
    } else if (op == ">") {
        t.op = ByteTest::Op::Gt;
    } else if (op == "<=") {
        t.op = ByteTest::Op::Le;
    } else if (op == ">=") {
        t.op = ByteTest::Op::Ge;
    } else if (op == "=" || (op.empty() && t.negated)) {
        t.op = ByteTest::Op::Eq;
    } else if (op == "&") {
        t.op = ByteTest::Op::And;
    } else if (op == "^") {
        t.op = ByteTest::Op::Xor;
    } else {
        return b.fail("byte_test: unknown operator '" + std::string{parts[1]} + "'");
    }
    if (!parts[2].empty() && std::isalpha(static_cast<unsigned char>(parts[2].front())) != 0)
        return b.fail("byte_test value '" + std::string{parts[2]} +
                      "' is not a number (byte_extract variables are not supported)");
    std::string why;
    auto value = parse_number(parts[2], IntLimit{"byte_test value", 64}, why);
    if (!value) return b.fail("byte_test: " + why);
    t.value = *value;
    auto off = parse_int(parts[3], -max_offset, max_offset, "byte_test offset", b.error);
    if (!off) return false;
    t.offset = *off;
    NumOpts o;
    for (size_t i = 4; i < parts.size(); ++i) {
        const auto w = split_words(parts[i]);
        if (w.empty()) return b.fail("byte_test: empty option");
        const Handled h = num_option(b, "byte_test", w, o);
        if (h == Handled::Failed) return false;
        if (h == Handled::No) return b.fail("byte_test: unknown option '" + std::string{parts[i]} + "'");
    }
    if (!finish_num(b, "byte_test", o, t.nbytes)) return false;
    t.relative = o.relative;
    t.endian = o.endian;
    t.base = o.base;
    t.bitmask = o.bitmask;
    t.buffer = b.buffer;
    b.rule.payload.emplace_back(t);
    return true;
}

bool parse_byte_jump(Builder& b, std::string_view v)
{
    const auto parts = split_commas(v);
    if (parts.size() < 2) return b.fail("byte_jump needs 'bytes, offset'");
    ByteJump j;
    auto n = parse_int(parts[0], 1, 10, "byte_jump bytes", b.error);
    if (!n) return false;
    j.nbytes = static_cast<uint8_t>(*n);
    auto off = parse_int(parts[1], -max_offset, max_offset, "byte_jump offset", b.error);
    if (!off) return false;
    j.offset = *off;
    NumOpts o;
    for (size_t i = 2; i < parts.size(); ++i) {
        const auto w = split_words(parts[i]);
        if (w.empty()) return b.fail("byte_jump: empty option");
        const Handled h = num_option(b, "byte_jump", w, o);
        if (h == Handled::Failed) return false;
        if (h == Handled::Yes) continue;
        if (w.size() == 1 && w[0] == "align") {
            j.align = true;
        } else if (w.size() == 1 && w[0] == "from_beginning") {
            j.from_beginning = true;
        } else if (w.size() == 1 && w[0] == "from_end") {
            j.from_end = true;
        } else if (w.size() == 2 && w[0] == "multiplier") {
            auto m = parse_int(w[1], 1, 65535, "byte_jump multiplier", b.error);
            if (!m) return false;
            j.multiplier = static_cast<uint32_t>(*m);
        } else if (w.size() == 2 && w[0] == "post_offset") {
            auto p = parse_int(w[1], -max_offset, max_offset, "byte_jump post_offset", b.error);
            if (!p) return false;
            j.post_offset = *p;
        } else {
            return b.fail("byte_jump: unknown option '" + std::string{parts[i]} + "'");
        }
    }
    if (j.from_beginning && j.from_end) return b.fail("byte_jump: from_beginning and from_end together");
    if (!finish_num(b, "byte_jump", o, j.nbytes)) return false;
    j.relative = o.relative;
    j.endian = o.endian;
    j.base = o.base;
    j.bitmask = o.bitmask;
    j.buffer = b.buffer;
    b.rule.payload.emplace_back(j);
    return true;
}

bool parse_isdataat(Builder& b, std::string_view v)
{
    IsDataAt d;
    const auto parts = split_commas(v);
    std::string_view first = parts[0];
    if (first.starts_with("!")) {
        d.negated = true;
        first = trim(first.substr(1));
    }
    if (!first.empty() && std::isalpha(static_cast<unsigned char>(first.front())) != 0)
        return b.fail("isdataat offset '" + std::string{first} +
                      "' is not a number (byte_extract variables are not supported)");
    auto off = parse_int(first, 0, max_offset, "isdataat offset", b.error);
    if (!off) return false;
    d.offset = *off;
    for (size_t i = 1; i < parts.size(); ++i) {
        if (parts[i] == "relative") {
            d.relative = true;
        } else if (parts[i] != "rawbytes") {
            return b.fail("isdataat: unknown option '" + std::string{parts[i]} + "'");
        }
    }
    d.buffer = b.buffer;
    b.rule.payload.emplace_back(d);
    return true;
}

}  // namespace

Handled payload_keyword(Builder& b, const Option& o)
{
    auto done = [](bool ok) { return ok ? Handled::Yes : Handled::Failed; };
    auto value = [&]() -> bool {
        if (o.has_value && !o.value.empty()) return true;
        return b.fail("'" + std::string{o.name} + "' needs a value");
    };
    if (o.name == "content") return done(value() && parse_content(b, o.value));
    if (is_content_modifier(o.name)) {
        Content* c = last_content(b);
        if (c == nullptr) return done(b.fail("'" + std::string{o.name} + "' without a preceding content"));
        return done(content_modifier(b, *c, o.name, o.value, o.has_value));
    }
    if (o.name == "pcre") return done(value() && parse_pcre(b, o.value));
    if (o.name == "byte_test") return done(value() && parse_byte_test(b, o.value));
    if (o.name == "byte_jump") return done(value() && parse_byte_jump(b, o.value));
    if (o.name == "isdataat") return done(value() && parse_isdataat(b, o.value));
    return Handled::No;
}

}  // namespace otsentry::rules::detail
