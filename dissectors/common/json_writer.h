// A streaming JSON writer that appends to a std::string. Used on the packet path to render
// events once (EVE line and stored row share the text), so it handles commas and escaping
// itself and allocates nothing beyond the string's own growth. Parsing JSON is nlohmann's job.
//
// Speed: an event is ~60 tokens, so tokens are written into a small buffer inside the writer
// (inline, no call per token) and moved to the string in one append when the buffer fills, when
// a top-level value is complete, and on destruction. So `out` holds the text as soon as the
// top-level value is closed; flush() makes a partial value visible.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace otsentry::dissect {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) noexcept : out_{out} {}
    ~JsonWriter() { flush(); }
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    // `k` is an identifier from our code (never traffic bytes): it is not escaped. Inlined so
    // that a literal key's length is a constant and its copy a few moves.
    [[gnu::always_inline]] JsonWriter& key(std::string_view k)
    {
        if (k.size() > max_key) return slow_key(k);
        char* p = room(k.size() + 4);
        if (comma_needed()) *p++ = ',';
        len_ = static_cast<size_t>(put_key(p, k) - buf_.data());
        return *this;
    }

    JsonWriter& value(uint64_t v)
    {
        char* p = room(21);
        if (comma_needed()) *p++ = ',';
        return done(put_u64(p, v));
    }
    JsonWriter& value(int64_t v);
    JsonWriter& value(uint32_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(uint16_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(uint8_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
    JsonWriter& value(double v);
    JsonWriter& value(bool v);
    // A string from traffic or a user: escaped.
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view{s}); }
    // A string our own code made (a function name from a table, an IP address we formatted):
    // written without the escaping scan. Must not contain '"', '\\' or control characters.
    JsonWriter& name(std::string_view s)
    {
        if (s.size() > max_name) return long_name(s);
        char* p = room(s.size() + 3);
        if (comma_needed()) *p++ = ',';
        *p++ = '"';
        p = copy_short(p, s.data(), s.size());
        *p++ = '"';
        return done(p);
    }
    JsonWriter& null();
    // An array of the big-endian 16-bit integers in `be` (register values), one odd byte ignored.
    JsonWriter& be16_array(std::span<const uint8_t> be);
    // Bytes as lowercase hex text ("0a1b"), the form EVE uses for raw data.
    JsonWriter& hex(std::span<const uint8_t> bytes);
    // Pre-rendered JSON text, inserted as one value.
    JsonWriter& raw(std::string_view json);

    template <typename T>
    [[gnu::always_inline]] JsonWriter& field(std::string_view k, const T& v)
    {
        if constexpr (std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
            return uint_field(k, v);
        } else {
            key(k);
            return value(v);
        }
    }
    // A key and a string our own code made (see name()).
    [[gnu::always_inline]] JsonWriter& name_field(std::string_view k, std::string_view s)
    {
        if (k.size() > max_key || s.size() > max_name) return key(k).name(s);
        char* p = room(k.size() + s.size() + 6);
        if (comma_needed()) *p++ = ',';
        p = put_key(p, k);
        *p++ = '"';
        p = copy_short(p, s.data(), s.size());
        *p++ = '"';
        return done(p);
    }

    [[nodiscard]] unsigned depth() const noexcept { return depth_; }

    // A run of members written by hand, for a fixed layout on the hot path (the EVE record
    // head): begin_members() returns room for up to n bytes after the comma the current object
    // needs; the caller writes `"k":v,...` text itself (its own commas, keys unescaped, values
    // valid JSON) and passes the end of what it wrote to end_members().
    char* begin_members(size_t n)
    {
        if (n >= buf_size) return begin_long_members(n);
        char* p = room(n + 1);
        if (comma_needed()) *p++ = ',';
        return p;
    }
    JsonWriter& end_members(char* end)
    {
        if (long_members_)
            end_long_members(end);
        else
            len_ = static_cast<size_t>(end - buf_.data());
        need_comma_ = true;
        return *this;
    }
    // Helpers for such hand-written text: the decimal digits of v (at most 20 bytes; at most 5
    // for put_u16, v < 65536), and n bytes of short text copied without a library call.
    static char* put_u64(char* p, uint64_t v) noexcept;
    static char* put_u16(char* p, unsigned v) noexcept;
    static char* copy_short(char* p, const char* s, size_t n) noexcept;

    // Moves what is buffered to the string.
    void flush()
    {
        if (len_ != 0) out_.append(buf_.data(), len_);
        len_ = 0;
    }

private:
    static constexpr size_t buf_size = 1024;
    static constexpr size_t max_key = 64;
    static constexpr size_t max_name = 128;

    // Space for n more bytes (n <= buf_size - 1) at the end of the buffer.
    char* room(size_t n)
    {
        if (buf_size - len_ < n + 1) flush();
        return buf_.data() + len_;
    }
    // The token ended at p: a complete top-level value goes to the string at once.
    JsonWriter& done(char* p)
    {
        len_ = static_cast<size_t>(p - buf_.data());
        need_comma_ = depth_ != 0;
        if (depth_ == 0) flush();
        return *this;
    }
    JsonWriter& open(char c)
    {
        char* p = room(2);
        if (comma_needed()) *p++ = ',';
        *p++ = c;
        ++depth_;
        len_ = static_cast<size_t>(p - buf_.data());
        return *this;
    }
    JsonWriter& close(char c)
    {
        char* p = room(1);
        *p++ = c;
        if (depth_ > 0) --depth_;
        return done(p);
    }
    JsonWriter& slow_key(std::string_view k);
    JsonWriter& long_name(std::string_view s);
    // Consumes the pending separator: a ',' precedes a token that follows a complete value (or
    // member) inside a container; none follows an opening bracket or a key.
    bool comma_needed() noexcept
    {
        const bool comma = need_comma_;
        need_comma_ = false;
        return comma;
    }
    // A separator for a token written straight to the string (after a flush).
    void separator()
    {
        flush();
        if (comma_needed()) out_ += ',';
    }
    // "k": (a short key, see key()).
    [[gnu::always_inline]] static char* put_key(char* p, std::string_view k) noexcept
    {
        *p++ = '"';
        p = copy_short(p, k.data(), k.size());
        *p++ = '"';
        *p++ = ':';
        return p;
    }
    // A key and an unsigned integer in one piece: one check for room and one for the comma.
    [[gnu::always_inline]] JsonWriter& uint_field(std::string_view k, uint64_t v)
    {
        if (k.size() > max_key) return slow_key(k).value(v);
        char* p = room(k.size() + 4 + 20);
        if (comma_needed()) *p++ = ',';
        p = put_key(p, k);
        return done(put_u64(p, v));
    }
    char* begin_long_members(size_t n);
    void end_long_members(char* end);

    std::string& out_;
    unsigned depth_ = 0;
    bool need_comma_ = false;
    bool long_members_ = false;  // begin_members() wrote to the string, not the buffer
    size_t len_ = 0;
    std::array<char, buf_size> buf_;
};

// Two decimal digits per table entry, "00" .. "99".
inline constexpr char decimal_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* JsonWriter::put_u64(char* p, uint64_t v) noexcept
{
    if (v < 10) {
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    if (v < 100) {
        std::memcpy(p, decimal_pairs + 2 * v, 2);
        return p + 2;
    }
    // Count the digits (log10 from the bit length, corrected by one comparison), then fill from
    // the end two at a time.
    static constexpr uint64_t pow10[20] = {1u,
                                           10u,
                                           100u,
                                           1'000u,
                                           10'000u,
                                           100'000u,
                                           1'000'000u,
                                           10'000'000u,
                                           100'000'000u,
                                           1'000'000'000u,
                                           10'000'000'000u,
                                           100'000'000'000u,
                                           1'000'000'000'000u,
                                           10'000'000'000'000u,
                                           100'000'000'000'000u,
                                           1'000'000'000'000'000u,
                                           10'000'000'000'000'000u,
                                           100'000'000'000'000'000u,
                                           1'000'000'000'000'000'000u,
                                           10'000'000'000'000'000'000u};
    const auto bits = static_cast<unsigned>(std::bit_width(v));  // 7..64 here
    const unsigned t = (bits * 1233u) >> 12;                     // floor(bits * log10(2))
    const unsigned n = t + (v >= pow10[t] ? 1u : 0u);
    char* end = p + n;
    char* q = end;
    while (v >= 100) {
        q -= 2;
        std::memcpy(q, decimal_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        q -= 2;
        std::memcpy(q, decimal_pairs + 2 * v, 2);
    } else {
        *--q = static_cast<char>('0' + v);
    }
    return end;
}

// A register value (< 65536): the digit count by comparisons, no loop.
inline char* JsonWriter::put_u16(char* p, unsigned v) noexcept
{
    if (v < 100) {
        if (v < 10) {
            *p = static_cast<char>('0' + v);
            return p + 1;
        }
        std::memcpy(p, decimal_pairs + 2 * v, 2);
        return p + 2;
    }
    if (v < 10000) {
        const unsigned hi = v / 100;
        const unsigned lo = v % 100;
        if (hi < 10) {
            *p++ = static_cast<char>('0' + hi);
        } else {
            std::memcpy(p, decimal_pairs + 2 * hi, 2);
            p += 2;
        }
        std::memcpy(p, decimal_pairs + 2 * lo, 2);
        return p + 2;
    }
    *p++ = static_cast<char>('0' + v / 10000);
    v %= 10000;
    std::memcpy(p, decimal_pairs + 2 * (v / 100), 2);
    std::memcpy(p + 2, decimal_pairs + 2 * (v % 100), 2);
    return p + 4;
}

// Keys are short: a few fixed-size moves (overlapping when n is not a multiple) instead of a
// memcpy call with a run-time length. Reads and writes stay within [0, n).
inline char* JsonWriter::copy_short(char* p, const char* s, size_t n) noexcept
{
    if (n >= 16) {
        for (size_t i = 0; i + 16 <= n; i += 16)
            std::memcpy(p + i, s + i, 16);
        std::memcpy(p + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        std::memcpy(p, s, 8);
        std::memcpy(p + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        std::memcpy(p, s, 4);
        std::memcpy(p + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; ++i)
            p[i] = s[i];
    }
    return p + n;
}

// Appends `s` to `out` with JSON string escaping (no quotes added). Invalid UTF-8 bytes are
// written as \u00XX so the output is always valid JSON.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace otsentry::dissect
