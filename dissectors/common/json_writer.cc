#include "dissectors/common/json_writer.h"

#include <charconv>
#include <cmath>

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

void append_json_escaped(std::string& out, std::string_view s)
{
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += hex_digits[c >> 4];
            out += hex_digits[c & 0xf];
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (const size_t n = utf8_sequence_length(s, i); n != 0) {
            out.append(s.substr(i, n));
            i += n - 1;
        } else {
            out += "\\u00";
            out += hex_digits[c >> 4];
            out += hex_digits[c & 0xf];
        }
    }
}

void JsonWriter::separator()
{
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ > 0) {
        if (!first_[depth_ - 1]) out_ += ',';
        first_[depth_ - 1] = false;
    }
}

JsonWriter& JsonWriter::begin_object()
{
    separator();
    out_ += '{';
    if (depth_ < max_depth) first_[depth_] = true;
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
    if (depth_ < max_depth) first_[depth_] = true;
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
    separator();
    out_ += '"';
    append_json_escaped(out_, k);
    out_ += "\":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t v)
{
    separator();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
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
    out_ += '"';
    for (uint8_t b : bytes) {
        out_ += hex_digits[b >> 4];
        out_ += hex_digits[b & 0xf];
    }
    out_ += '"';
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json)
{
    separator();
    out_.append(json);
    return *this;
}

}  // namespace otsentry::dissect
