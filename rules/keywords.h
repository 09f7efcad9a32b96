// Internal to the rule parser: the state one rule's options are parsed into, and the keyword
// families implemented in keywords_payload.cc (content, pcre, byte_test ...) and keywords_ics.cc
// (modbus/dnp3/iec104/s7commplus dialect keywords, generic field keywords, app-layer-event).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/parser.h"

namespace otsentry::rules::detail {

struct Builder {
    Rule& rule;
    const ParseContext& ctx;
    BufferRef buffer;  // the sticky buffer inspection keywords go to now
    std::string error;

    bool fail(std::string why)
    {
        error = std::move(why);
        return false;
    }
    // Marks the rule unavailable; the first reason wins.
    void unavailable(std::string why)
    {
        if (rule.unavailable.empty()) rule.unavailable = std::move(why);
    }
    // The rule inspects protocol `p`: the header must name it, or name a transport.
    bool require_app(Protocol p);
};

// An option as written: `name` or `name: value`.
struct Option {
    std::string_view name;
    std::string_view value;
    bool has_value = false;
};

enum class Handled : uint8_t { No, Yes, Failed };

Handled payload_keyword(Builder& b, const Option& o);
Handled ics_keyword(Builder& b, const Option& o);
// A Snort built-in rule (gid 144 Modbus / 145 DNP3 preprocessor events, no detection options):
// maps it onto our anomalies, or marks it unavailable. False when the rule is not one.
bool builtin_rule(Builder& b);

// Text helpers shared by the keyword files.
std::string_view trim(std::string_view s) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;
// Splits at commas outside double quotes; items trimmed.
std::vector<std::string_view> split_commas(std::string_view s);
// Splits at blanks; items non-empty.
std::vector<std::string_view> split_words(std::string_view s);
// A double-quoted string with \" \; \\ \: escapes resolved; bare text is accepted as is when
// `allow_bare`.
std::optional<std::string> unquote(std::string_view s, std::string& error, bool allow_bare = true);
// A signed 32-bit number within [lo, hi]; `what` names it in errors.
std::optional<int32_t> parse_int(std::string_view s, int64_t lo, int64_t hi, std::string_view what,
                                 std::string& error);

// Protocols by rule name: ours (dissected) or a known one we do not dissect.
std::optional<Protocol> dissected_protocol(std::string_view name) noexcept;
bool known_undissected_protocol(std::string_view name) noexcept;

}  // namespace otsentry::rules::detail
