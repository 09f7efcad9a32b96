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

void append_escape(std::string& out, unsigned char c)
{
    const char buf[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xf]};
    out.append(buf, sizeof buf);
}
}  // namespace

void append_json_escaped(std::string& out, std::string_view s)
{
    // Copy runs of plain bytes in one append: event text is almost all plain ASCII, and
    // appending byte by byte dominated the cost of rendering an event.
    size_t i = 0;
    while (i < s.size()) {
        size_t run = i;
        while (run < s.size() && plain(static_cast<unsigned char>(s[run])))
            ++run;
        if (run != i) out.append(s.data() + i, run - i);
        if (run == s.size()) return;
        i = run;
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                out.append("\\\"", 2);
                break;
            case '\\':
                out.append("\\\\", 2);
                break;
            case '\n':
                out.append("\\n", 2);
                break;
            case '\r':
                out.append("\\r", 2);
                break;
            case '\t':
                out.append("\\t", 2);
                break;
            default:
                if (c >= 0x80) {
                    if (const size_t n = utf8_sequence_length(s, i); n != 0) {
                        out.append(s.data() + i, n);
                        i += n;
                        continue;
                    }
                }
                append_escape(out, c);
                break;
        }
        ++i;
    }
}

bool JsonWriter::comma_needed() noexcept
{
    if (after_key_) {
        after_key_ = false;
        return false;
    }
    if (depth_ == 0) return false;
    // Past max_depth the deepest slot is shared: commas may be off, memory never is.
    const unsigned slot = std::min(depth_, max_depth) - 1;
    const bool comma = !first_[slot];
    first_[slot] = false;
    return comma;
}

void JsonWriter::separator()
{
    if (comma_needed()) out_ += ',';
}

JsonWriter& JsonWriter::begin_object()
{
    separator();
    out_ += '{';
    first_[std::min(depth_, max_depth - 1)] = true;
    ++depth_;
    return *this;
}

JsonWriter& JsonWriter::end_object()
{
    out_ += '}';
    if (depth_ > 0) --depth_;
    return *this;
}

JsonWriter& JsonWriter::begin_array()
{
    separator();
    out_ += '[';
    first_[std::min(depth_, max_depth - 1)] = true;
    ++depth_;
    return *this;
}

JsonWriter& JsonWriter::end_array()
{
    out_ += ']';
    if (depth_ > 0) --depth_;
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k)
{
    // Keys are identifiers written by our code, never bytes from traffic, so they are copied
    // without escaping, with their comma and quotes in one append.
    char buf[80];
    if (k.size() + 5 > sizeof buf) {  // longer than any key we write: the slow path
        separator();
        out_ += '"';
        append_json_escaped(out_, k);
        out_.append("\":", 2);
        after_key_ = true;
        return *this;
    }
    char* p = buf;
    if (comma_needed()) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    out_.append(buf, static_cast<size_t>(p - buf));
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t v)
{
    // Registers and coils make numbers the most frequent token: one append each.
    char buf[24];
    char* p = buf;
    if (comma_needed()) *p++ = ',';
    p = std::to_chars(p, buf + sizeof buf, v).ptr;
    out_.append(buf, static_cast<size_t>(p - buf));
    return *this;
}

JsonWriter& JsonWriter::value(int64_t v)
{
    separator();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
    return *this;
}

JsonWriter& JsonWriter::value(double v)
{
    separator();
    if (!std::isfinite(v)) {
        out_ += "null";  // JSON has no NaN or infinity
        return *this;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
    return *this;
}

JsonWriter& JsonWriter::value(bool v)
{
    separator();
    out_ += v ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s)
{
    separator();
    out_ += '"';
    append_json_escaped(out_, s);
    out_ += '"';
    return *this;
}

JsonWriter& JsonWriter::null()
{
    separator();
    out_ += "null";
    return *this;
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
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json)
{
    separator();
    out_.append(json);
    return *this;
}

}  // namespace otsentry::dissect
