#include "dissectors/common/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace otsentry::dissect {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t utf8_sequence_length(std::string_view s, size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    return n;
}
}  // namespace

namespace {
// True for bytes that can be copied as they are: printable ASCII other than '"' and '\\'.
constexpr bool plain(unsigned char c) noexcept
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

char* put(char* p, std::string_view s) noexcept
{
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}
}  // namespace

void append_json_escaped(std::string& out, std::string_view s)
{
    // Size for the worst case (every byte as \u00XX), write through a pointer, then trim: one
    // resize instead of an append per escape.
    const size_t at = out.size();
    out.resize(at + 6 * s.size());
    char* p = out.data() + at;
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (plain(c)) {
            *p++ = static_cast<char>(c);
            ++i;
            continue;
        }
        switch (c) {
            case '"':
                p = put(p, "\\\"");
                break;
            case '\\':
                p = put(p, "\\\\");
                break;
            case '\n':
                p = put(p, "\\n");
                break;
            case '\r':
                p = put(p, "\\r");
                break;
            case '\t':
                p = put(p, "\\t");
                break;
            default:
                if (c >= 0x80) {
                    if (const size_t n = utf8_sequence_length(s, i); n != 0) {
                        std::memcpy(p, s.data() + i, n);
                        p += n;
                        i += n;
                        continue;
                    }
                }
                p = put(p, std::string_view{"\\u00", 4});
                *p++ = hex_digits[c >> 4];
                *p++ = hex_digits[c & 0xf];
                break;
        }
        ++i;
    }
    out.resize(static_cast<size_t>(p - out.data()));
}

JsonWriter& JsonWriter::slow_key(std::string_view k)
{
    separator();
    out_ += '"';
    append_json_escaped(out_, k);
    out_.append("\":", 2);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t v)
{
    if (v >= 0) return value(static_cast<uint64_t>(v));
    char* p = room(22);
    if (comma_needed()) *p++ = ',';
    *p++ = '-';
    // The magnitude of INT64_MIN does not fit an int64_t: negate in unsigned arithmetic.
    return done(put_u64(p, ~static_cast<uint64_t>(v) + 1));
}

JsonWriter& JsonWriter::value(double v)
{
    char* p = room(34);
    if (comma_needed()) *p++ = ',';
    if (!std::isfinite(v)) {
        std::memcpy(p, "null", 4);  // JSON has no NaN or infinity
        return done(p + 4);
    }
    return done(std::to_chars(p, p + 32, v).ptr);
}

JsonWriter& JsonWriter::value(bool v)
{
    char* p = room(6);
    if (comma_needed()) *p++ = ',';
    const std::string_view t = v ? "true" : "false";
    std::memcpy(p, t.data(), t.size());
    return done(p + t.size());
}

JsonWriter& JsonWriter::value(std::string_view s)
{
    // Most strings (rule messages, categories, device names) need no escaping: one scan, then
    // into the buffer like a name, instead of the worst-case sizing of the escaping path.
    if (s.size() <= max_name &&
        std::all_of(s.begin(), s.end(), [](char c) { return plain(static_cast<unsigned char>(c)); }))
        return name(s);
    separator();
    out_ += '"';
    append_json_escaped(out_, s);
    out_ += '"';
    return done(buf_.data());
}

JsonWriter& JsonWriter::long_name(std::string_view s)
{
    if (s.size() + 4 > buf_size / 2) {  // a coil string: straight to the string, unscanned
        separator();
        out_ += '"';
        out_.append(s);
        out_ += '"';
        return done(buf_.data());
    }
    char* p = room(s.size() + 3);
    if (comma_needed()) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '"';
    return done(p);
}

char* JsonWriter::begin_long_members(size_t n)
{
    flush();
    const size_t at = out_.size();
    out_.resize(at + n + 1);
    char* p = out_.data() + at;
    if (comma_needed()) *p++ = ',';
    long_members_ = true;
    return p;
}

void JsonWriter::end_long_members(char* end)
{
    out_.resize(static_cast<size_t>(end - out_.data()));
    long_members_ = false;
}

JsonWriter& JsonWriter::null()
{
    char* p = room(5);
    if (comma_needed()) *p++ = ',';
    std::memcpy(p, "null", 4);
    return done(p + 4);
}

JsonWriter& JsonWriter::be16_array(std::span<const uint8_t> be)
{
    begin_array();
    // Room is checked once per run of values, not per value: registers are the most frequent
    // token of all (up to 125 per PDU).
    constexpr size_t per_run = 128;  // 128 values * 6 bytes fit the buffer
    const size_t n = be.size() / 2;
    for (size_t start = 0; start < n; start += per_run) {
        const size_t end = std::min(n, start + per_run);
        char* p = room(6 * (end - start));
        for (size_t i = start; i < end; ++i) {
            if (i != 0) *p++ = ',';
            p = put_u16(p, static_cast<unsigned>(be[2 * i]) << 8 | be[2 * i + 1]);
        }
        len_ = static_cast<size_t>(p - buf_.data());
    }
    return end_array();
}

JsonWriter& JsonWriter::hex(std::span<const uint8_t> bytes)
{
    separator();
    const size_t at = out_.size();
    out_.resize(at + 2 + 2 * bytes.size());
    char* p = out_.data() + at;
    *p++ = '"';
    for (uint8_t b : bytes) {
        *p++ = hex_digits[b >> 4];
        *p++ = hex_digits[b & 0xf];
    }
    *p = '"';
    return done(buf_.data());
}

JsonWriter& JsonWriter::raw(std::string_view json)
{
    separator();
    out_.append(json);
    return done(buf_.data());
}

}  // namespace otsentry::dissect
