#include "rules/compare.h"
#include "rules/text.h"

#include <cctype>

namespace otsentry::rules {

namespace {

using text::trim;

std::string describe(const IntLimit& lim)
{
    return std::string{lim.what} + " (" + std::to_string(lim.bits) + " bits)";
}

// Splits `a-b` / `a<>b`; returns the position of the separator, npos when there is none. A `-`
// is a range separator only after at least one character (numbers are never negative).
size_t find_range(std::string_view s, size_t& sep_len) noexcept
{
    if (const size_t p = s.find("<>"); p != std::string_view::npos && p > 0) {
        sep_len = 2;
        return p;
    }
    if (const size_t p = s.find('-', 1); p != std::string_view::npos) {
        sep_len = 1;
        return p;
    }
    return std::string_view::npos;
}

}  // namespace

unsigned bits_of(dissect::FieldType type) noexcept
{
    switch (type) {
        case dissect::FieldType::U8:
            return 8;
        case dissect::FieldType::U16:
            return 16;
        case dissect::FieldType::U32:
            return 32;
        case dissect::FieldType::U64:
            return 64;
        case dissect::FieldType::Bytes:
        case dissect::FieldType::String:
        case dissect::FieldType::Name:
            break;
    }
    return 0;
}

IntLimit limit_of(const dissect::FieldDesc& field) noexcept
{
    const unsigned b = bits_of(field.type);
    return IntLimit{field.name, b == 0 ? 64 : b};
}

std::optional<uint64_t> parse_number(std::string_view text, const IntLimit& lim, std::string& error,
                                     std::string_view after)
{
    const std::string_view s = trim(text);
    if (s.empty()) {
        error = after.empty() ? "expected a number" : "expected a number after '" + std::string{after} + "'";
        return std::nullopt;
    }
    std::string_view digits = s;
    unsigned base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    uint64_t v = 0;
    bool overflow = false;
    for (const char c : digits) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = static_cast<unsigned>(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            d = static_cast<unsigned>(c - 'A' + 10);
        } else {
            error = "'" + std::string{s} + "' is not a number";
            return std::nullopt;
        }
        if (v > (UINT64_MAX - d) / base) overflow = true;
        v = v * base + d;
    }
    if (overflow || v > lim.max()) {
        error = "value " + std::string{s} + " does not fit " + describe(lim);
        return std::nullopt;
    }
    return v;
}

std::optional<IntMatch> parse_int_match(std::string_view text, const IntLimit& lim, std::string& error)
{
    std::string_view s = trim(text);
    IntMatch m;
    if (s.empty()) {
        error = "empty comparison for " + std::string{lim.what};
        return std::nullopt;
    }
    if (s.starts_with("!=")) {
        auto v = parse_number(s.substr(2), lim, error, "!=");
        if (!v) return std::nullopt;
        m.op = CmpOp::Ne;
        m.a = *v;
        return m;
    }
    if (s.front() == '!') {
        s = trim(s.substr(1));
        m.negated = true;
        if (s.empty()) {
            error = "expected a number after '!'";
            return std::nullopt;
        }
    }
    // Single-operator forms; none of them combines with a leading `!`.
    struct Prefix {
        std::string_view text;
        CmpOp op;
    };
    constexpr Prefix prefixes[] = {{"<=", CmpOp::Le}, {">=", CmpOp::Ge}, {"<", CmpOp::Lt},
                                   {">", CmpOp::Gt},  {"=", CmpOp::Eq},  {"&", CmpOp::MaskAny}};
    for (const auto& p : prefixes) {
        if (!s.starts_with(p.text)) continue;
        if (m.negated) {
            error = "'!' cannot be combined with '" + std::string{p.text} + "'";
            return std::nullopt;
        }
        auto v = parse_number(s.substr(p.text.size()), lim, error, p.text);
        if (!v) return std::nullopt;
        if (p.op == CmpOp::MaskAny && *v == 0) {
            error = "mask &0 matches nothing";
            return std::nullopt;
        }
        m.op = p.op;
        m.a = *v;
        return m;
    }
    // Lists: `[5,7,9]` or `5,7,9`.
    const bool bracketed = s.front() == '[';
    if (bracketed) {
        if (s.back() != ']') {
            error = "missing ']' in list";
            return std::nullopt;
        }
        s = trim(s.substr(1, s.size() - 2));
        if (s.empty()) {
            error = "empty list";
            return std::nullopt;
        }
    }
    if (bracketed || s.find(',') != std::string_view::npos) {
        m.op = CmpOp::AnyOf;
        while (true) {
            const size_t comma = s.find(',');
            const std::string_view item = trim(s.substr(0, comma));
            if (item.empty()) {
                error = "empty value in list";
                return std::nullopt;
            }
            auto v = parse_number(item, lim, error);
            if (!v) return std::nullopt;
            if (m.list.size() == max_list_values) {
                error = "list has more than " + std::to_string(max_list_values) + " values";
                return std::nullopt;
            }
            m.list.push_back(*v);
            if (comma == std::string_view::npos) break;
            s = s.substr(comma + 1);
        }
        return m;
    }
    size_t sep_len = 0;
    if (const size_t p = find_range(s, sep_len); p != std::string_view::npos) {
        const std::string_view sep = s.substr(p, sep_len);
        auto lo = parse_number(s.substr(0, p), lim, error);
        if (!lo) return std::nullopt;
        auto hi = parse_number(s.substr(p + sep_len), lim, error, sep);
        if (!hi) return std::nullopt;
        const bool exclusive = sep_len == 2;
        if (*hi < *lo || (exclusive && *hi - *lo < 2)) {
            error = "range " + std::to_string(*lo) + std::string{sep} + std::to_string(*hi) + " is empty";
            return std::nullopt;
        }
        m.op = exclusive ? CmpOp::RangeExclusive : CmpOp::Range;
        m.a = *lo;
        m.b = *hi;
        return m;
    }
    auto v = parse_number(s, lim, error);
    if (!v) return std::nullopt;
    if (m.negated) {
        m.negated = false;
        m.op = CmpOp::Ne;
    } else {
        m.op = CmpOp::Eq;
    }
    m.a = *v;
    return m;
}

}  // namespace otsentry::rules
