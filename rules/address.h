// Rule header addresses and ports, and the variables ($HOME_NET, $DNP3_PORTS ...) they use.
//
// Addresses: `any`, an IPv4 or IPv6 address, a CIDR block, `[lists]` (nested), `!` on an element
// or a list, `$VAR`. Ports: `any`, `502`, `1024:` `:1023` `100:200`, lists, `!`, `$VAR`.
// A list matches what its positive elements match (everything when it has none) minus what its
// negative elements match; `!` on a list flips the sign of each element, as Suricata does, so
// `![a, !b]` is "not a, but b".
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "rules/rule.h"

namespace otsentry::rules {

// Variable name -> text. Built with the defaults real ICS rule sets expect (every address
// variable `any`, well-known port lists), then overridden from the configuration.
class Variables {
public:
    Variables();

    // Sets a variable; the text must parse as an address set, or as a port set for a name
    // ending in _PORT or _PORTS. On error `error` names the variable.
    bool set(std::string_view name, std::string_view text, std::string& error);

    // The text of a variable, nullptr when undefined. EXTERNAL_NET, unless set explicitly, is
    // `!$HOME_NET` when HOME_NET is not `any`, else `any`.
    [[nodiscard]] const std::string* find(std::string_view name) const;

    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& all() const noexcept
    {
        return vars_;
    }

private:
    std::map<std::string, std::string, std::less<>> vars_;
    bool external_set_ = false;
    mutable std::string external_;
};

// The default Variables (shared, immutable).
const Variables& default_variables();

// Variable expansion stops at this depth (and at any cycle).
constexpr int max_variable_depth = 16;

std::optional<AddressSet> parse_addresses(std::string_view text, const Variables& vars, std::string& error);
std::optional<PortSet> parse_ports(std::string_view text, const Variables& vars, std::string& error);

// One address or CIDR block (`10.0.0.0/8`, `fe80::/10`, `192.168.1.1`).
std::optional<Cidr> parse_cidr(std::string_view text, std::string& error);

// An address in the 16-byte form Cidr uses (IPv4 mapped to ::ffff:a.b.c.d).
using Ip16 = std::array<uint8_t, 16>;
Ip16 ipv4_to_16(uint32_t host_order) noexcept;
std::optional<Ip16> parse_ip(std::string_view text);

bool cidr_contains(const Cidr& c, const Ip16& ip) noexcept;
bool address_matches(const AddressSet& set, const Ip16& ip) noexcept;
bool port_matches(const PortSet& set, uint16_t port) noexcept;

}  // namespace otsentry::rules
