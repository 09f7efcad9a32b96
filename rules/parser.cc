#include "rules/parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "rules/compare.h"
#include "rules/keywords.h"
#include "rules/text.h"

namespace otsentry::rules {

namespace detail {

std::string_view trim(std::string_view s) noexcept
{
    return text::trim(s);
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    return text::iequals(a, b);
}

std::vector<std::string_view> split_commas(std::string_view s)
{
    std::vector<std::string_view> out;
    bool quoted = false;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i < s.size()) {
            const char c = s[i];
            if (c == '\\' && i + 1 < s.size()) {
                ++i;
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c != ',' || quoted) continue;
        }
        out.push_back(trim(s.substr(start, i - start)));
        start = i + 1;
    }
    return out;
}

std::vector<std::string_view> split_words(std::string_view s)
{
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0)
            ++i;
        const size_t start = i;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) == 0)
            ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::optional<std::string> unquote(std::string_view s, std::string& error, bool allow_bare)
{
    s = trim(s);
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') {
        if (!allow_bare || s.find('"') != std::string_view::npos) {
            error = "expected a quoted string, got '" + std::string{s} + "'";
            return std::nullopt;
        }
        return std::string{s};
    }
    std::string out;
    const std::string_view body = s.substr(1, s.size() - 2);
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\\' && i + 1 < body.size()) {
            out.push_back(body[++i]);
            continue;
        }
        if (c == '\\') {
            error = "string ends with a lone '\\'";
            return std::nullopt;
        }
        if (c == '"') {
            error = "unescaped '\"' inside a string";
            return std::nullopt;
        }
        out.push_back(c);
    }
    return out;
}

std::optional<int32_t> parse_int(std::string_view s, int64_t lo, int64_t hi, std::string_view what,
                                 std::string& error)
{
    s = trim(s);
    bool neg = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        neg = s.front() == '-';
        s = trim(s.substr(1));
    }
    std::string why;
    auto v = parse_number(s, IntLimit{what, 32}, why);
    if (!v) {
        error = s.empty() ? "expected a number for " + std::string{what} : std::string{what} + ": " + why;
        return std::nullopt;
    }
    const int64_t x = neg ? -static_cast<int64_t>(*v) : static_cast<int64_t>(*v);
    if (x < lo || x > hi) {
        error = std::string{what} + " " + std::to_string(x) + " is outside " + std::to_string(lo) + ".." +
                std::to_string(hi);
        return std::nullopt;
    }
    return static_cast<int32_t>(x);
}

std::optional<Protocol> dissected_protocol(std::string_view name) noexcept
{
    if (name == "modbus") return Protocol::Modbus;
    if (name == "dnp3") return Protocol::Dnp3;
    if (name == "iec104" || name == "iec-104") return Protocol::Iec104;
    if (name == "s7comm") return Protocol::S7comm;
    if (name == "s7commplus" || name == "s7comm-plus") return Protocol::S7commPlus;
    return std::nullopt;
}

bool known_undissected_protocol(std::string_view name) noexcept
{
    constexpr std::string_view names[] = {
        "enip",      "cip",
        "opcua",     "bacnet",
        "goose",     "mms",
        "http",      "http1",
        "http2",     "tls",
        "ssl",       "dns",
        "smb",       "ftp",
        "ftp-data",  "ssh",
        "smtp",      "imap",
        "pop3",      "sip",
        "snmp",      "dhcp",
        "krb5",      "nfs",
        "tftp",      "ntp",
        "rdp",       "rfb",
        "mqtt",      "ike",
        "ikev2",     "dcerpc",
        "quic",      "pgsql",
        "ldap",      "telnet",
        "websocket", "bittorrent-dht",
        "sv",        "iec61850",
        "profinet",  "ethercat",
        "file",      "ja3",
        "ja3s",      "ja4",
        "template",  "netbios",
        "nntp",      "irc",
        "gtp",       "cotp",
    };
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool Builder::require_app(Protocol p)
{
    if (rule.proto == HeaderProto::App && rule.app != p) {
        return fail("keyword for " + std::string{protocol_name(p)} + " in a rule for " +
                    std::string{protocol_name(rule.app)});
    }
    if (rule.proto == HeaderProto::Icmp) {
        return fail(std::string{protocol_name(p)} + " keyword in an icmp rule");
    }
    if (rule.app != Protocol::Unknown && rule.app != p) {
        return fail("rule mixes " + std::string{protocol_name(rule.app)} + " and " +
                    std::string{protocol_name(p)} + " keywords");
    }
    if (rule.app_negated)
        return fail("app-layer-protocol:!" + std::string{protocol_name(p)} + " with its keywords");
    rule.app = p;
    return true;
}

}  // namespace detail

namespace {

using detail::Builder;
using detail::Handled;
using detail::iequals;
using detail::Option;
using detail::split_commas;
using detail::split_words;
using detail::trim;

std::optional<Action> parse_action(std::string_view w)
{
    if (w == "alert" || w == "block" || w == "sdrop" || w == "rewrite") return Action::Alert;
    if (w == "pass") return Action::Pass;
    if (w == "log") return Action::Log;
    if (w == "drop") return Action::Drop;
    if (w == "reject" || w == "rejectsrc" || w == "rejectdst" || w == "rejectboth") return Action::Reject;
    return std::nullopt;
}

// Header words, keeping `[a, b]` lists (which may hold blanks) in one word.
bool header_words(std::string_view s, std::vector<std::string_view>& out, std::string& error)
{
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0)
            ++i;
        if (i == s.size()) break;
        const size_t start = i;
        int depth = 0;
        while (i < s.size() && (depth > 0 || std::isspace(static_cast<unsigned char>(s[i])) == 0)) {
            if (s[i] == '[') ++depth;
            if (s[i] == ']') --depth;
            ++i;
        }
        if (depth != 0) {
            error = "unbalanced '[' in the header";
            return false;
        }
        out.push_back(s.substr(start, i - start));
    }
    return true;
}

bool parse_header(Builder& b, std::string_view header)
{
    Rule& r = b.rule;
    std::vector<std::string_view> w;
    if (!header_words(header, w, b.error)) return false;
    if (w.empty()) return b.fail("empty rule");
    const auto action = parse_action(w[0]);
    if (!action) return b.fail("unknown action '" + std::string{w[0]} + "'");
    r.action = *action;
    if (w.size() != 1 && w.size() != 2 && w.size() != 7) {
        return b.fail(
            "malformed header: expected 'action proto src_addr src_port -> dst_addr dst_port' or "
            "'action proto'");
    }
    if (w.size() >= 2) {
        const std::string proto_name{w[1]};
        std::string lower = proto_name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower == "ip") {
            r.proto = HeaderProto::Ip;
        } else if (lower == "tcp" || lower == "tcp-pkt" || lower == "tcp-stream") {
            r.proto = HeaderProto::Tcp;
        } else if (lower == "udp") {
            r.proto = HeaderProto::Udp;
        } else if (lower == "icmp") {
            r.proto = HeaderProto::Icmp;
        } else if (auto p = detail::dissected_protocol(lower)) {
            r.proto = HeaderProto::App;
            r.app = *p;
        } else if (detail::known_undissected_protocol(lower) || lower == "ipv4" || lower == "ipv6" ||
                   lower == "ip4" || lower == "ip6" || lower == "icmpv6" || lower == "icmp6" ||
                   lower == "icmpv4" || lower == "sctp" || lower == "pkthdr" || lower == "udp-pkt") {
            r.proto = HeaderProto::Ip;
            b.unavailable("protocol not available: " + lower);
        } else {
            return b.fail("unknown protocol '" + proto_name + "'");
        }
    }
    if (w.size() == 7) {
        const auto& vars = b.ctx.variables();
        std::string why;
        auto src = parse_addresses(w[2], vars, why);
        if (!src) return b.fail("source address: " + why);
        auto sport = parse_ports(w[3], vars, why);
        if (!sport) return b.fail("source port: " + why);
        if (w[4] == "<>") {
            r.bidirectional = true;
        } else if (w[4] != "->") {
            return b.fail("expected '->' or '<>' in the header, got '" + std::string{w[4]} + "'");
        }
        auto dst = parse_addresses(w[5], vars, why);
        if (!dst) return b.fail("destination address: " + why);
        auto dport = parse_ports(w[6], vars, why);
        if (!dport) return b.fail("destination port: " + why);
        r.src = std::move(*src);
        r.src_ports = std::move(*sport);
        r.dst = std::move(*dst);
        r.dst_ports = std::move(*dport);
    }
    return true;
}

// Splits the option body at `;` outside double quotes (a backslash escapes the next character).
bool split_options(std::string_view body, std::vector<Option>& out, std::string& error)
{
    bool quoted = false;
    size_t start = 0;
    for (size_t i = 0; i <= body.size(); ++i) {
        if (i < body.size()) {
            const char c = body[i];
            if (c == '\\' && i + 1 < body.size()) {
                ++i;
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c != ';' || quoted) continue;
        }
        const std::string_view text = trim(body.substr(start, i - start));
        start = i + 1;
        if (text.empty()) continue;  // `;;` and the space after the last `;`
        if (quoted) {
            error = "unterminated string in '" + std::string{text.substr(0, 60)} + "'";
            return false;
        }
        Option o;
        const size_t colon = text.find(':');
        o.name = trim(text.substr(0, colon));
        if (colon != std::string_view::npos) {
            o.value = trim(text.substr(colon + 1));
            o.has_value = true;
        }
        if (o.name.empty()) {
            error = "option without a name: '" + std::string{text.substr(0, 60)} + "'";
            return false;
        }
        for (const char c : o.name) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.' && c != '-') {
                error = "malformed option '" + std::string{text.substr(0, 60)} + "'";
                return false;
            }
        }
        if (out.size() == max_rule_options) {
            error = "more than " + std::to_string(max_rule_options) + " options";
            return false;
        }
        out.push_back(o);
    }
    if (quoted) {
        error = "unterminated string";
        return false;
    }
    return true;
}

std::optional<uint32_t> parse_u32(std::string_view v, std::string_view what, uint64_t min, std::string& error)
{
    std::string why;
    auto n = parse_number(v, IntLimit{what, 32}, why);
    if (!n || *n < min) {
        error = std::string{what} + " must be a number " + std::to_string(min) + "..4294967295, got '" +
                std::string{trim(v)} + "'";
        return std::nullopt;
    }
    return static_cast<uint32_t>(*n);
}

bool need_value(Builder& b, const Option& o)
{
    if (o.has_value && !o.value.empty()) return true;
    return b.fail("'" + std::string{o.name} + "' needs a value");
}

bool parse_flow(Builder& b, std::string_view v)
{
    FlowOpt& f = b.rule.flow;
    for (const auto item : split_commas(v)) {
        if (item == "to_server" || item == "from_client") {
            f.to_server = true;
        } else if (item == "to_client" || item == "from_server") {
            f.to_client = true;
        } else if (item == "established") {
            f.established = true;
        } else if (item == "not_established") {
            f.not_established = true;
        } else if (item == "stateless") {
            f.stateless = true;
        } else if (item == "only_stream") {
            f.only_stream = true;
        } else if (item == "no_stream") {
            f.no_stream = true;
        } else if (item == "no_frag" || item == "only_frag") {
            b.unavailable("keyword not available: flow:" + std::string{item});
        } else {
            return b.fail("unknown flow option '" + std::string{item} + "'");
        }
    }
    if (f.to_server && f.to_client) return b.fail("flow: to_server and to_client together");
    if (f.established && f.not_established) return b.fail("flow: established and not_established together");
    if (f.only_stream && f.no_stream) return b.fail("flow: only_stream and no_stream together");
    return true;
}

std::optional<uint8_t> tcp_flag_bits(std::string_view s, std::string& error)
{
    uint8_t bits = 0;
    for (const char c : s) {
        switch (std::toupper(static_cast<unsigned char>(c))) {
            case 'F':
                bits |= 0x01;
                break;
            case 'S':
                bits |= 0x02;
                break;
            case 'R':
                bits |= 0x04;
                break;
            case 'P':
                bits |= 0x08;
                break;
            case 'A':
                bits |= 0x10;
                break;
            case 'U':
                bits |= 0x20;
                break;
            case 'E':
            case '2':
                bits |= 0x40;
                break;
            case 'C':
            case '1':
                bits |= 0x80;
                break;
            case '0':
                break;
            default:
                error = "unknown tcp flag '" + std::string(1, c) + "'";
                return std::nullopt;
        }
    }
    return bits;
}

bool parse_flags(Builder& b, std::string_view v)
{
    if (b.rule.proto != HeaderProto::Tcp && b.rule.proto != HeaderProto::Ip)
        return b.fail("flags in a rule that is not tcp");
    const auto parts = split_commas(v);
    if (parts.size() > 2 || parts[0].empty()) return b.fail("flags: expected 'FLAGS[,IGNORE]'");
    TcpFlags f;
    std::string letters;
    int modifiers = 0;
    for (const char c : parts[0]) {
        if (c == '+' || c == '*' || c == '!') {
            ++modifiers;
            f.mode = c == '+' ? TcpFlags::Mode::All : c == '*' ? TcpFlags::Mode::Any : TcpFlags::Mode::Not;
        } else if (std::isspace(static_cast<unsigned char>(c)) == 0) {
            letters.push_back(c);
        }
    }
    if (modifiers > 1) return b.fail("flags: more than one of + * !");
    if (letters.empty()) return b.fail("flags: no flag given");
    auto bits = tcp_flag_bits(letters, b.error);
    if (!bits) return false;
    if (letters.find('0') != std::string::npos && *bits != 0)
        return b.fail("flags: 0 combined with other flags");
    f.bits = *bits;
    if (parts.size() == 2) {
        auto ignore = tcp_flag_bits(parts[1], b.error);
        if (!ignore) return false;
        f.ignore = *ignore;
    }
    if (b.rule.tcp_flags) return b.fail("flags given twice");
    b.rule.tcp_flags = f;
    return true;
}

bool valid_flowbit_name(std::string_view n) noexcept
{
    if (n.empty()) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    });
}

bool parse_flowbits(Builder& b, const Option& o)
{
    const auto parts = o.has_value ? split_commas(o.value) : std::vector<std::string_view>{};
    if (parts.empty() || parts.size() > 2) return b.fail("flowbits: expected 'command[,name]'");
    Flowbit f;
    const std::string_view cmd = parts[0];
    if (cmd == "set") {
        f.op = FlowbitOp::Set;
    } else if (cmd == "unset") {
        f.op = FlowbitOp::Unset;
    } else if (cmd == "toggle") {
        f.op = FlowbitOp::Toggle;
    } else if (cmd == "isset") {
        f.op = FlowbitOp::IsSet;
    } else if (cmd == "isnotset") {
        f.op = FlowbitOp::IsNotSet;
    } else if (cmd == "noalert") {
        f.op = FlowbitOp::NoAlert;
    } else {
        return b.fail("unknown flowbits command '" + std::string{cmd} + "'");
    }
    if (f.op == FlowbitOp::NoAlert) {
        if (parts.size() != 1) return b.fail("flowbits:noalert takes no name");
        b.rule.flowbits.push_back(std::move(f));
        return true;
    }
    if (parts.size() != 2 || parts[1].empty())
        return b.fail("flowbits:" + std::string{cmd} + " needs a name");
    const std::string_view names = parts[1];
    const bool has_and = names.find('&') != std::string_view::npos;
    const bool has_or = names.find('|') != std::string_view::npos;
    if (has_and && has_or) return b.fail("flowbits: '&' and '|' in one group");
    if (has_or && f.op != FlowbitOp::IsSet && f.op != FlowbitOp::IsNotSet)
        return b.fail("flowbits: '|' groups only with isset or isnotset");
    f.any_of = has_or;
    const char sep = has_or ? '|' : '&';
    std::string_view rest = names;
    while (true) {
        const size_t p = rest.find(sep);
        const std::string_view n = trim(rest.substr(0, p));
        if (!valid_flowbit_name(n)) return b.fail("flowbits: bad name '" + std::string{n} + "'");
        f.names.emplace_back(n);
        if (p == std::string_view::npos) break;
        rest = rest.substr(p + 1);
    }
    b.rule.flowbits.push_back(std::move(f));
    return true;
}

// threshold / detection_filter: `type T, track X, count N, seconds N` in any order.
bool parse_threshold(Builder& b, const Option& o, bool detection_filter)
{
    Threshold t;
    t.type = detection_filter ? Threshold::Type::DetectionFilter : Threshold::Type::Limit;
    bool have_type = detection_filter, have_track = false, have_count = false, have_seconds = false;
    bool backoff = false;
    const std::string kw{o.name};
    for (const auto item : split_commas(o.value)) {
        const auto w = split_words(item);
        if (w.size() != 2)
            return b.fail(kw + ": expected 'name value' pairs, got '" + std::string{item} + "'");
        if (w[0] == "type" && !detection_filter) {
            if (w[1] == "limit") {
                t.type = Threshold::Type::Limit;
            } else if (w[1] == "threshold") {
                t.type = Threshold::Type::Threshold;
            } else if (w[1] == "both") {
                t.type = Threshold::Type::Both;
            } else if (w[1] == "backoff") {
                // Suricata's backoff (alert at count, count*multiplier, ...) has no Threshold::Type.
                backoff = true;
                b.unavailable("keyword not available: threshold type backoff");
            } else {
                return b.fail(kw + ": unknown type '" + std::string{w[1]} + "'");
            }
            have_type = true;
        } else if (w[0] == "track") {
            if (w[1] == "by_src") {
                t.track = Threshold::Track::BySrc;
            } else if (w[1] == "by_dst") {
                t.track = Threshold::Track::ByDst;
            } else if (w[1] == "by_rule") {
                t.track = Threshold::Track::ByRule;
            } else if (w[1] == "by_both") {
                t.track = Threshold::Track::ByBoth;
            } else if (w[1] == "by_flow") {
                b.unavailable("keyword not available: " + kw + " track by_flow");
            } else {
                return b.fail(kw + ": unknown track '" + std::string{w[1]} + "'");
            }
            have_track = true;
        } else if (w[0] == "count") {
            auto n = parse_u32(w[1], kw + " count", 1, b.error);
            if (!n) return false;
            t.count = *n;
            have_count = true;
        } else if (w[0] == "seconds") {
            auto n = parse_u32(w[1], kw + " seconds", 1, b.error);
            if (!n) return false;
            t.seconds = *n;
            have_seconds = true;
        } else if (w[0] == "multiplier" && !detection_filter) {
            // Only meaningful with type backoff, which is unavailable.
            if (!parse_u32(w[1], kw + " multiplier", 1, b.error)) return false;
        } else {
            return b.fail(kw + ": unknown setting '" + std::string{w[0]} + "'");
        }
    }
    if (!have_type || !have_track || !have_count || (!have_seconds && !backoff))
        return b.fail(kw + " needs type, track, count and seconds");
    auto& slot = detection_filter ? b.rule.detection_filter : b.rule.threshold;
    if (slot) return b.fail(kw + " given twice");
    slot = t;
    return true;
}

bool parse_app_layer_protocol(Builder& b, std::string_view v)
{
    bool neg = false;
    if (v.starts_with("!")) {
        neg = true;
        v = trim(v.substr(1));
    }
    if (v.empty()) return b.fail("app-layer-protocol needs a protocol name");
    if (auto p = detail::dissected_protocol(v)) {
        if (neg) {
            if (b.rule.proto == HeaderProto::App || b.rule.app != Protocol::Unknown)
                return b.fail("app-layer-protocol:!" + std::string{v} +
                              " in a rule for an application protocol");
            b.rule.app = *p;
            b.rule.app_negated = true;
            return true;
        }
        return b.require_app(*p);
    }
    if (detail::known_undissected_protocol(v) || v == "failed" || v == "unknown") {
        b.unavailable("protocol not available: " + std::string{v});
        return true;
    }
    return b.fail("unknown protocol '" + std::string{v} + "' in app-layer-protocol");
}

// Keywords of protocols or engine features we do not have: valid rule text, never matching here.
bool unavailable_keyword(std::string_view n) noexcept
{
    constexpr std::string_view prefixes[] = {
        "http_",      "http.",     "http2.",    "tls_",     "tls.",    "ssl_",    "dns_",     "dns.",
        "ja3",        "ja4",       "ssh_",      "ssh.",     "smb_",    "smb.",    "dce_",     "sip_",
        "sip.",       "krb5_",     "krb5.",     "snmp.",    "smtp.",   "ftp.",    "file.",    "file_",
        "filename",   "filemagic", "filestore", "filesize", "filemd5", "filesha", "quic.",    "ike.",
        "mqtt.",      "rfb.",      "nfs_",      "tftp.",    "dhcp.",   "rdp.",    "ldap.",    "pgsql.",
        "websocket.", "gtp_",      "base64_",   "uri",      "enip_",   "enip.",   "cip_",     "cip.",
        "opcua_",     "opcua.",    "bacnet",    "goose",    "mms_",    "mms.",    "iec61850", "sv_",
        "ssl_",       "cert_",     "imap.",     "pop3.",
    };
    for (const auto p : prefixes)
        if (n.starts_with(p)) return true;
    constexpr std::string_view names[] = {
        "ttl",
        "tos",
        "id",
        "ipopts",
        "fragbits",
        "fragoffset",
        "ip_proto",
        "sameip",
        "seq",
        "ack",
        "window",
        "itype",
        "icode",
        "icmp_id",
        "icmp_seq",
        "stream_size",
        "stream_reassemble",
        "flowint",
        "xbits",
        "byte_extract",
        "byte_math",
        "tag",
        "replace",
        "react",
        "resp",
        "lua",
        "luajit",
        "asn1",
        "ftpbounce",
        "rpc",
        "bsize",
        "iprep",
        "geoip",
        "datarep",
        "dataset",
        "tls_store",
        "cvs",
        "file_data",
        "pkt_num",
        "ssl_state",
        "ssl_version",
        "tcp.hdr",
        "udp.hdr",
        "ipv4.hdr",
        "ipv6.hdr",
        "icmpv4.hdr",
        "icmpv6.hdr",
        "tcp.mss",
        "ip.src",
        "ip.dst",
        "fast_pattern_only",
        "isdataat_rawbytes",
        "raw_data",
        "js_data",
        "vba_data",
        "script_data",
        "stream_size",
        "activates",
        "activated_by",
        "count",
        "logto",
        "session",
        "frame",
        "requires",
        "config",
        "entropy",
        "flowvar",
        "pktvar",
        "decode-event",
        "stream-event",
        "engine-event",
        "app-layer-state",
        "transforms",
        "to_md5",
        "to_sha1",
        "to_sha256",
        "to_lowercase",
        "to_uppercase",
        "compress_whitespace",
        "strip_whitespace",
        "dotprefix",
        "pcrexform",
        "url_decode",
        "xor",
        "header_lowercase",
        "strip_pseudo_headers",
    };
    return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

// Keywords we know but deliberately refuse.
std::optional<std::string> dead_keyword(std::string_view n)
{
    if (n == "dnp3_cmd_fc" || n == "dnp3_cmd_ot" || n == "dnp3_resp_ot" || n == "dnp3_resp_ii" ||
        n == "dnp3_checksum") {
        return "keyword '" + std::string{n} +
               "' belongs to Digital Bond's retired DNP3 preprocessor and is not supported (use dnp3_func, "
               "dnp3_obj, dnp3_ind or the dnp3.* fields)";
    }
    return std::nullopt;
}

Handled meta_keyword(Builder& b, const Option& o)
{
    Rule& r = b.rule;
    const std::string_view n = o.name;
    auto done = [&](bool ok) { return ok ? Handled::Yes : Handled::Failed; };
    if (n == "msg") {
        if (!need_value(b, o)) return Handled::Failed;
        auto s = detail::unquote(o.value, b.error);
        if (!s) return Handled::Failed;
        r.msg = std::move(*s);
        return Handled::Yes;
    }
    if (n == "sid" || n == "gid" || n == "rev") {
        if (!need_value(b, o)) return Handled::Failed;
        auto v = parse_u32(o.value, n, n == "sid" ? 1 : n == "gid" ? 1 : 0, b.error);
        if (!v) return Handled::Failed;
        (n == "sid" ? r.sid : n == "gid" ? r.gid : r.rev) = *v;
        return Handled::Yes;
    }
    if (n == "classtype") {
        if (!need_value(b, o)) return Handled::Failed;
        const auto* ct = b.ctx.classifications().find(o.value);
        if (ct == nullptr) return done(b.fail("unknown classtype '" + std::string{o.value} + "'"));
        r.classtype = ct->name;
        return Handled::Yes;
    }
    if (n == "priority") {
        if (!need_value(b, o)) return Handled::Failed;
        std::string why;
        auto v = parse_number(o.value, IntLimit{"priority", 8}, why);
        if (!v || *v == 0)
            return done(b.fail("priority must be a number 1..255, got '" + std::string{o.value} + "'"));
        r.priority = static_cast<uint8_t>(*v);
        return Handled::Yes;
    }
    if (n == "reference") {
        if (!need_value(b, o)) return Handled::Failed;
        const size_t comma = o.value.find(',');
        if (comma == std::string_view::npos || trim(o.value.substr(0, comma)).empty() ||
            trim(o.value.substr(comma + 1)).empty())
            return done(b.fail("reference needs 'system,id'"));
        r.references.push_back(Reference{std::string{trim(o.value.substr(0, comma))},
                                         std::string{trim(o.value.substr(comma + 1))}});
        return Handled::Yes;
    }
    if (n == "metadata") {
        if (!need_value(b, o)) return Handled::Failed;
        for (const auto item : split_commas(o.value)) {
            if (item.empty()) continue;
            const size_t sp = item.find_first_of(" \t");
            const std::string_view key = item.substr(0, sp);
            const std::string_view val =
                sp == std::string_view::npos ? std::string_view{} : trim(item.substr(sp));
            r.metadata.emplace_back(std::string{key}, std::string{val});
        }
        return Handled::Yes;
    }
    if (n == "flow") return done(need_value(b, o) && parse_flow(b, o.value));
    if (n == "dsize") {
        if (!need_value(b, o)) return Handled::Failed;
        if (r.dsize) return done(b.fail("dsize given twice"));
        auto m = parse_int_match(o.value, IntLimit{"dsize", 16}, b.error);
        if (!m) return Handled::Failed;
        r.dsize = std::move(*m);
        return Handled::Yes;
    }
    if (n == "flags") return done(need_value(b, o) && parse_flags(b, o.value));
    if (n == "flowbits") return done(parse_flowbits(b, o));
    if (n == "noalert") {
        r.flowbits.push_back(Flowbit{FlowbitOp::NoAlert, {}, false});
        return Handled::Yes;
    }
    if (n == "threshold") return done(need_value(b, o) && parse_threshold(b, o, false));
    if (n == "detection_filter") return done(need_value(b, o) && parse_threshold(b, o, true));
    if (n == "app-layer-protocol") return done(need_value(b, o) && parse_app_layer_protocol(b, o.value));
    // Accepted and without effect on matching: who the target is, Snort 3 service hints and
    // remarks.
    if (n == "target") {
        if (!need_value(b, o)) return Handled::Failed;
        if (o.value != "src_ip" && o.value != "dest_ip")
            return done(b.fail("target must be src_ip or dest_ip"));
        return Handled::Yes;
    }
    if (n == "service" || n == "rem" || n == "sticky-buffer") return Handled::Yes;
    return Handled::No;
}

}  // namespace

ParseResult parse_rule(std::string_view text, const ParseContext& ctx)
{
    ParseResult res;
    text = trim(text);
    if (text.size() > max_rule_bytes) {
        res.error = "rule longer than " + std::to_string(max_rule_bytes) + " bytes";
        return res;
    }
    Rule r;
    r.text = std::string{text};
    Builder b{r, ctx, {}, {}};

    const size_t open = text.find('(');
    if (open == std::string_view::npos) {
        res.error = "no '(' starting the options";
        return res;
    }
    if (text.back() != ')') {
        res.error = "rule must end with ')'";
        return res;
    }
    std::vector<Option> options;
    if (!split_options(text.substr(open + 1, text.size() - open - 2), options, b.error)) {
        res.error = b.error;
        return res;
    }
    // The sid first, so every later error can name it.
    for (const Option& o : options) {
        if (o.name != "sid") continue;
        std::string why;
        if (auto v = parse_u32(o.value, "sid", 1, why)) res.sid = *v;
    }
    auto reject = [&]() {
        res.error = b.error;
        return res;
    };
    if (!parse_header(b, text.substr(0, open))) return reject();

    bool have_sid = false;
    for (const Option& o : options) {
        have_sid = have_sid || o.name == "sid";
        Handled h = meta_keyword(b, o);
        if (h == Handled::No) h = detail::payload_keyword(b, o);
        if (h == Handled::No) h = detail::ics_keyword(b, o);
        if (h == Handled::Failed) return reject();
        if (h == Handled::Yes) continue;
        if (auto why = dead_keyword(o.name)) {
            b.error = *why;
            return reject();
        }
        if (unavailable_keyword(o.name)) {
            b.unavailable("keyword not available: " + std::string{o.name});
            continue;
        }
        b.error = "unknown keyword '" + std::string{o.name} + "'";
        return reject();
    }
    if (!have_sid) {
        b.error = "missing sid";
        return reject();
    }
    if (r.gid != 1) detail::builtin_rule(b);
    res.rule = std::move(r);
    return res;
}

void RuleFileSet::add_rule(std::string text, std::string_view file, uint32_t line)
{
    ParseResult res = parse_rule(text, ctx_);
    if (!res.ok()) {
        errors_.push_back(RuleError{std::string{file}, line, res.sid, res.error, std::move(text)});
        return;
    }
    Rule& r = *res.rule;
    r.file = std::string{file};
    r.line = line;
    const uint64_t key = static_cast<uint64_t>(r.gid) << 32 | r.sid;
    if (const auto it = ids_.find(key); it != ids_.end()) {
        const Rule& first = rules_[it->second];
        errors_.push_back(
            RuleError{std::string{file}, line, r.sid,
                      "duplicate sid " + std::to_string(r.sid) +
                          (r.gid != 1 ? " (gid " + std::to_string(r.gid) + ")" : std::string{}) +
                          ": first defined at " + first.file + ":" + std::to_string(first.line),
                      r.text});
        return;
    }
    ids_.emplace(key, rules_.size());
    rules_.push_back(std::move(r));
}

void RuleFileSet::add_text(std::string_view text, std::string_view file)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (line.ends_with('\r')) line.remove_suffix(1);
        lines.push_back(line);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    std::string pending;
    uint32_t first_line = 0;
    bool too_long = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string_view t = trim(lines[i]);
        if (pending.empty() && !too_long && (t.empty() || t.front() == '#')) continue;
        if (pending.empty() && !too_long) first_line = static_cast<uint32_t>(i + 1);
        const bool continued = t.ends_with('\\') && i + 1 < lines.size();
        if (!too_long) {
            pending.append(continued ? t.substr(0, t.size() - 1) : t);
            if (pending.size() > max_rule_bytes) {
                errors_.push_back(RuleError{std::string{file}, first_line, std::nullopt,
                                            "rule longer than " + std::to_string(max_rule_bytes) + " bytes",
                                            pending});
                pending.clear();
                too_long = true;
            }
        }
        if (continued) continue;
        if (too_long) {
            too_long = false;
            continue;
        }
        add_rule(std::move(pending), file, first_line);
        pending.clear();
    }
}

bool RuleFileSet::add_file(const std::string& path)
{
    std::ifstream in{path, std::ios::binary};
    if (!in) {
        errors_.push_back(RuleError{path, 0, std::nullopt, "cannot read the file", {}});
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    add_text(ss.str(), path);
    return true;
}

RuleFileSet parse_file(const std::string& path, const ParseContext& ctx)
{
    RuleFileSet set{ctx};
    set.add_file(path);
    return set;
}

RuleFileSet parse_text(std::string_view text, std::string_view file, const ParseContext& ctx)
{
    RuleFileSet set{ctx};
    set.add_text(text, file);
    return set;
}

}  // namespace otsentry::rules
