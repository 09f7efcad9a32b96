#include "rules/address.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

#include "rules/compare.h"
#include "rules/text.h"

namespace otsentry::rules {

namespace {

using text::iequals;
using text::trim;

bool is_port_variable(std::string_view name) noexcept
{
    return name.ends_with("_PORTS") || name.ends_with("_PORT");
}

// Splits a list body at top-level commas.
bool split_list(std::string_view body, std::vector<std::string_view>& out, std::string& error)
{
    if (trim(body).empty()) return true;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= body.size(); ++i) {
        const char c = i < body.size() ? body[i] : ',';
        if (c == '[') ++depth;
        if (c == ']' && --depth < 0) {
            error = "unbalanced ']'";
            return false;
        }
        if (c == ',' && depth == 0) {
            const std::string_view item = trim(body.substr(start, i - start));
            if (item.empty()) {
                error = "empty element in list";
                return false;
            }
            out.push_back(item);
            start = i + 1;
        }
    }
    if (depth != 0) {
        error = "missing ']'";
        return false;
    }
    return true;
}

// Collects elements with their sign; a callback turns one leaf into a value.
template <typename Leaf>
struct Collector {
    const Variables& vars;
    std::vector<std::pair<Leaf, bool>> leaves;  // value, negated
    bool saw_any_positive = false;
    bool negated_any = false;
    std::vector<std::string> stack;  // variables being expanded

    template <typename ParseLeaf>
    bool walk(std::string_view text, bool negated, int depth, ParseLeaf&& parse_leaf, std::string& error)
    {
        text = trim(text);
        if (depth > max_variable_depth) {
            error = "variable expansion deeper than " + std::to_string(max_variable_depth);
            return false;
        }
        if (text.empty()) {
            error = "empty address or port";
            return false;
        }
        if (text.front() == '!') return walk(text.substr(1), !negated, depth, parse_leaf, error);
        if (text.front() == '[') {
            if (text.back() != ']') {
                error = "missing ']' in '" + std::string{text} + "'";
                return false;
            }
            std::vector<std::string_view> items;
            if (!split_list(text.substr(1, text.size() - 2), items, error)) return false;
            if (items.empty()) {
                error = "empty list";
                return false;
            }
            for (const auto item : items)
                if (!walk(item, negated, depth + 1, parse_leaf, error)) return false;
            return true;
        }
        if (text.front() == '$') {
            const std::string name{text.substr(1)};
            for (const auto& s : stack) {
                if (s == name) {
                    error = "variable $" + name + " refers to itself";
                    return false;
                }
            }
            const std::string* value = vars.find(name);
            if (value == nullptr) {
                error = "undefined variable $" + name;
                return false;
            }
            stack.push_back(name);
            const bool ok = walk(*value, negated, depth + 1, parse_leaf, error);
            stack.pop_back();
            return ok;
        }
        if (iequals(text, "any")) {
            if (negated) {
                negated_any = true;
            } else {
                saw_any_positive = true;
            }
            return true;
        }
        auto leaf = parse_leaf(text, error);
        if (!leaf) return false;
        leaves.emplace_back(*leaf, negated);
        return true;
    }
};

std::optional<PortRange> parse_port_range(std::string_view text, std::string& error)
{
    const IntLimit lim{"port", 16};
    PortRange r;
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        auto v = parse_number(text, lim, error);
        if (!v) return std::nullopt;
        r.lo = r.hi = static_cast<uint16_t>(*v);
        return r;
    }
    const std::string_view lo = trim(text.substr(0, colon));
    const std::string_view hi = trim(text.substr(colon + 1));
    if (lo.empty() && hi.empty()) {
        error = "port range ':' has no bounds";
        return std::nullopt;
    }
    if (!lo.empty()) {
        auto v = parse_number(lo, lim, error);
        if (!v) return std::nullopt;
        r.lo = static_cast<uint16_t>(*v);
    }
    if (!hi.empty()) {
        auto v = parse_number(hi, lim, error, ":");
        if (!v) return std::nullopt;
        r.hi = static_cast<uint16_t>(*v);
    }
    if (r.hi < r.lo) {
        error = "port range " + std::string{text} + " is empty";
        return std::nullopt;
    }
    return r;
}

}  // namespace

Variables::Variables()
{
    // Address variables real rule sets name; `any` until the configuration says otherwise.
    constexpr std::string_view any_vars[] = {
        "HOME_NET",        "HTTP_SERVERS",  "SMTP_SERVERS",   "SQL_SERVERS",   "DNS_SERVERS",
        "TELNET_SERVERS",  "AIM_SERVERS",   "DNP3_SERVER",    "DNP3_CLIENT",   "MODBUS_CLIENT",
        "MODBUS_SERVER",   "MODBUS_ADMIN",  "MODICON_CLIENT", "ENIP_CLIENT",   "ENIP_SERVER",
        "ICS_ENGINEERING", "IEC104_CLIENT", "IEC104_SERVER",  "S7_CLIENT",     "S7_SERVER",
        "FINS_CLIENT",     "FINS_SERVER",   "BACNET_CLIENT",  "BACNET_SERVER", "OPCUA_CLIENT",
        "OPCUA_SERVER",    "MMS_CLIENT",    "MMS_SERVER",     "SCADA_SERVERS", "HMI",
    };
    for (const auto v : any_vars)
        vars_.emplace(v, "any");
    // Port lists as the Snort 2.9 / Suricata default configurations define them.
    vars_.emplace(
        "HTTP_PORTS",
        "[80,81,311,383,591,593,901,1220,1414,1741,1830,2301,2381,2809,3037,3128,3702,4343,4848,5250,"
        "6988,7000,7001,7144,7145,7510,7777,7779,8000,8008,8014,8028,8080,8085,8088,8090,8118,8123,"
        "8180,8181,8243,8280,8300,8800,8888,8899,9000,9060,9080,9090,9091,9443,9999,11371,34443,"
        "34444,41080,50002,55555]");
    vars_.emplace("SHELLCODE_PORTS", "!80");
    vars_.emplace("ORACLE_PORTS", "1024:");
    vars_.emplace("SSH_PORTS", "22");
    vars_.emplace("FTP_PORTS", "[21,2100,3535]");
    vars_.emplace("SIP_PORTS", "[5060,5061,5600]");
    vars_.emplace("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]");
    vars_.emplace("GTP_PORTS", "[2123,2152,3386]");
    vars_.emplace("DNP3_PORTS", "20000");
    vars_.emplace("MODBUS_PORTS", "502");
    vars_.emplace("IEC104_PORTS", "2404");
    vars_.emplace("S7_PORTS", "102");
    vars_.emplace("ENIP_PORTS", "[44818,2222]");
}

bool Variables::set(std::string_view name, std::string_view text, std::string& error)
{
    if (name.starts_with("$")) name.remove_prefix(1);
    if (name.empty()) {
        error = "empty variable name";
        return false;
    }
    for (const char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
            error = "variable " + std::string{name} + ": invalid character in name";
            return false;
        }
    }
    // Validate against a copy holding the new value, so a variable may refer to others.
    Variables trial = *this;
    trial.vars_[std::string{name}] = std::string{trim(text)};
    if (name == "EXTERNAL_NET") trial.external_set_ = true;
    std::string why;
    const std::string ref = "$" + std::string{name};
    const bool ok = is_port_variable(name) ? parse_ports(ref, trial, why).has_value()
                                           : parse_addresses(ref, trial, why).has_value();
    if (!ok) {
        error = "variable " + std::string{name} + ": " + why;
        return false;
    }
    *this = std::move(trial);
    return true;
}

const std::string* Variables::find(std::string_view name) const
{
    if (name == "EXTERNAL_NET" && !external_set_) {
        const auto home = vars_.find("HOME_NET");
        external_ = home == vars_.end() || iequals(trim(home->second), "any") ? "any" : "!$HOME_NET";
        return &external_;
    }
    const auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
}

const Variables& default_variables()
{
    static const Variables v;
    return v;
}

Ip16 ipv4_to_16(uint32_t host_order) noexcept
{
    Ip16 a{};
    a[10] = 0xff;
    a[11] = 0xff;
    a[12] = static_cast<uint8_t>(host_order >> 24);
    a[13] = static_cast<uint8_t>(host_order >> 16);
    a[14] = static_cast<uint8_t>(host_order >> 8);
    a[15] = static_cast<uint8_t>(host_order);
    return a;
}

std::optional<Ip16> parse_ip(std::string_view text)
{
    const std::string s{trim(text)};
    in_addr v4{};
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return std::nullopt;
        return ipv4_to_16(ntohl(v4.s_addr));
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
    Ip16 a{};
    for (size_t i = 0; i < 16; ++i)
        a[i] = v6.s6_addr[i];
    return a;
}

std::optional<Cidr> parse_cidr(std::string_view text, std::string& error)
{
    text = trim(text);
    const size_t slash = text.find('/');
    const std::string_view addr = text.substr(0, slash);
    auto ip = parse_ip(addr);
    if (!ip) {
        error = "'" + std::string{text} + "' is not an address";
        return std::nullopt;
    }
    const bool v4 = addr.find(':') == std::string_view::npos;
    Cidr c;
    c.addr = *ip;
    c.prefix = 128;
    if (slash != std::string_view::npos) {
        const std::string_view mask = text.substr(slash + 1);
        if (v4 && mask.find('.') != std::string_view::npos) {
            // Dotted netmask (`10.0.0.0/255.0.0.0`), accepted by Snort and Suricata.
            auto m = parse_ip(mask);
            if (!m) {
                error = "bad netmask in '" + std::string{text} + "'";
                return std::nullopt;
            }
            uint32_t bits = static_cast<uint32_t>((*m)[12]) << 24 | static_cast<uint32_t>((*m)[13]) << 16 |
                            static_cast<uint32_t>((*m)[14]) << 8 | (*m)[15];
            unsigned n = 0;
            while (n < 32 && (bits & 0x80000000u) != 0) {
                bits <<= 1;
                ++n;
            }
            if (bits != 0) {
                error = "netmask in '" + std::string{text} + "' is not contiguous";
                return std::nullopt;
            }
            c.prefix = static_cast<uint8_t>(96 + n);
        } else {
            std::string why;
            auto n = parse_number(mask, IntLimit{"prefix", 8}, why);
            if (!n || *n > (v4 ? 32u : 128u)) {
                error = "bad prefix length in '" + std::string{text} + "'";
                return std::nullopt;
            }
            c.prefix = static_cast<uint8_t>(v4 ? 96 + *n : *n);
        }
    }
    // Clear host bits so equal blocks compare equal.
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned keep = c.prefix > i * 8 ? std::min(8u, c.prefix - i * 8) : 0;
        c.addr[i] &= static_cast<uint8_t>(keep == 8 ? 0xff : (0xff00 >> keep) & 0xff);
    }
    return c;
}

bool cidr_contains(const Cidr& c, const Ip16& ip) noexcept
{
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned keep = c.prefix > i * 8 ? std::min(8u, c.prefix - i * 8) : 0;
        if (keep == 0) return true;
        const auto mask = static_cast<uint8_t>(keep == 8 ? 0xff : (0xff00 >> keep) & 0xff);
        if ((ip[i] & mask) != c.addr[i]) return false;
    }
    return true;
}

bool address_matches(const AddressSet& set, const Ip16& ip) noexcept
{
    bool in = set.any;
    for (const Cidr& c : set.include)
        in = in || cidr_contains(c, ip);
    if (!in) return false;
    for (const Cidr& c : set.exclude)
        if (cidr_contains(c, ip)) return false;
    return true;
}

bool port_matches(const PortSet& set, uint16_t port) noexcept
{
    bool in = set.any;
    for (const PortRange& r : set.include)
        in = in || (port >= r.lo && port <= r.hi);
    if (!in) return false;
    for (const PortRange& r : set.exclude)
        if (port >= r.lo && port <= r.hi) return false;
    return true;
}

std::optional<AddressSet> parse_addresses(std::string_view text, const Variables& vars, std::string& error)
{
    Collector<Cidr> col{vars, {}, false, false, {}};
    if (!col.walk(text, false, 0, parse_cidr, error)) return std::nullopt;
    AddressSet set;
    if (col.negated_any) {
        // `!any` (usually `!$VAR` with VAR = any): matches no address.
        set.any = false;
        return set;
    }
    bool positives = col.saw_any_positive;
    for (const auto& [c, neg] : col.leaves) {
        if (neg) {
            set.exclude.push_back(c);
        } else {
            set.include.push_back(c);
        }
    }
    // No positive element: everything but the negated ones. An explicit `any` among positives
    // makes the specific ones redundant.
    set.any = positives || set.include.empty();
    if (set.any) set.include.clear();
    return set;
}

std::optional<PortSet> parse_ports(std::string_view text, const Variables& vars, std::string& error)
{
    Collector<PortRange> col{vars, {}, false, false, {}};
    if (!col.walk(text, false, 0, parse_port_range, error)) return std::nullopt;
    PortSet set;
    if (col.negated_any) {
        set.any = false;
        return set;
    }
    for (const auto& [r, neg] : col.leaves) {
        if (neg) {
            set.exclude.push_back(r);
        } else {
            set.include.push_back(r);
        }
    }
    set.any = col.saw_any_positive || set.include.empty();
    if (set.any) set.include.clear();
    return set;
}

}  // namespace otsentry::rules
