// Addresses, ports and variables of the rule header.
#include <gtest/gtest.h>

#include "rules/address.h"

namespace otsentry::rules {
namespace {

Ip16 ip(std::string_view s)
{
    auto a = parse_ip(s);
    EXPECT_TRUE(a.has_value()) << s;
    return a.value_or(Ip16{});
}

AddressSet addrs(std::string_view text, const Variables& v = default_variables())
{
    std::string error;
    auto s = parse_addresses(text, v, error);
    EXPECT_TRUE(s.has_value()) << text << ": " << error;
    return s.value_or(AddressSet{});
}

std::string addr_err(std::string_view text, const Variables& v = default_variables())
{
    std::string error;
    EXPECT_FALSE(parse_addresses(text, v, error).has_value()) << text;
    return error;
}

PortSet ports(std::string_view text, const Variables& v = default_variables())
{
    std::string error;
    auto s = parse_ports(text, v, error);
    EXPECT_TRUE(s.has_value()) << text << ": " << error;
    return s.value_or(PortSet{});
}

std::string port_err(std::string_view text, const Variables& v = default_variables())
{
    std::string error;
    EXPECT_FALSE(parse_ports(text, v, error).has_value()) << text;
    return error;
}

TEST(Address, AnyMatchesBothFamilies)
{
    for (const char* t : {"any", "ANY", "Any"}) {
        const auto s = addrs(t);
        EXPECT_TRUE(s.any);
        EXPECT_TRUE(address_matches(s, ip("10.1.2.3")));
        EXPECT_TRUE(address_matches(s, ip("2001:db8::1")));
    }
}

TEST(Address, SingleIpv4AndIpv6)
{
    const auto v4 = addrs("192.168.1.10");
    EXPECT_FALSE(v4.any);
    EXPECT_TRUE(address_matches(v4, ip("192.168.1.10")));
    EXPECT_FALSE(address_matches(v4, ip("192.168.1.11")));
    EXPECT_FALSE(address_matches(v4, ip("::ffff:192.168.1.11")));
    EXPECT_TRUE(address_matches(v4, ip("::ffff:192.168.1.10")));  // IPv4-mapped form is the same address
    const auto v6 = addrs("2001:db8::1");
    EXPECT_TRUE(address_matches(v6, ip("2001:db8::1")));
    EXPECT_FALSE(address_matches(v6, ip("2001:db8::2")));
    EXPECT_FALSE(address_matches(v6, ip("10.0.0.1")));
}

TEST(Address, Cidr)
{
    const auto s = addrs("10.0.0.0/8");
    EXPECT_TRUE(address_matches(s, ip("10.255.1.1")));
    EXPECT_FALSE(address_matches(s, ip("11.0.0.1")));
    ASSERT_EQ(s.include.size(), 1u);
    EXPECT_EQ(s.include[0].prefix, 96 + 8);
    const auto host_bits = addrs("10.1.2.3/16");
    EXPECT_TRUE(address_matches(host_bits, ip("10.1.200.1")));
    const auto v6 = addrs("fe80::/10");
    EXPECT_TRUE(address_matches(v6, ip("fe80::1234")));
    EXPECT_FALSE(address_matches(v6, ip("fec0::1")));
    const auto mask = addrs("172.16.0.0/255.240.0.0");
    EXPECT_TRUE(address_matches(mask, ip("172.31.1.1")));
    EXPECT_FALSE(address_matches(mask, ip("172.32.0.1")));
    const auto all4 = addrs("0.0.0.0/0");
    EXPECT_TRUE(address_matches(all4, ip("8.8.8.8")));
    EXPECT_FALSE(address_matches(all4, ip("2001:db8::1")));
}

TEST(Address, ListsNegationAndNesting)
{
    const auto l = addrs("[10.0.0.1, 10.0.0.2]");
    EXPECT_TRUE(address_matches(l, ip("10.0.0.2")));
    EXPECT_FALSE(address_matches(l, ip("10.0.0.3")));
    const auto n = addrs("!10.0.0.1");
    EXPECT_TRUE(n.any);
    EXPECT_FALSE(address_matches(n, ip("10.0.0.1")));
    EXPECT_TRUE(address_matches(n, ip("10.0.0.2")));
    const auto mix = addrs("[10.0.0.0/8, !10.1.0.0/16]");
    EXPECT_TRUE(address_matches(mix, ip("10.2.0.1")));
    EXPECT_FALSE(address_matches(mix, ip("10.1.0.1")));
    EXPECT_FALSE(address_matches(mix, ip("11.0.0.1")));
    const auto nested = addrs("[10.0.0.0/8, [192.168.0.0/16, ![192.168.5.0/24]]]");
    EXPECT_TRUE(address_matches(nested, ip("192.168.1.1")));
    EXPECT_FALSE(address_matches(nested, ip("192.168.5.1")));
    EXPECT_TRUE(address_matches(nested, ip("10.9.9.9")));
    const auto neg_list = addrs("![10.0.0.1, 10.0.0.2]");
    EXPECT_FALSE(address_matches(neg_list, ip("10.0.0.1")));
    EXPECT_TRUE(address_matches(neg_list, ip("10.0.0.3")));
    // `![a, !b]`: the sign of every element flips: not a, but b.
    const auto flip = addrs("![10.0.0.0/8, !192.168.1.0/24]");
    EXPECT_FALSE(address_matches(flip, ip("10.2.0.1")));
    EXPECT_TRUE(address_matches(flip, ip("192.168.1.1")));
    EXPECT_FALSE(address_matches(flip, ip("8.8.8.8")));
    const auto mixed_family = addrs("[10.0.0.1, 2001:db8::/32]");
    EXPECT_TRUE(address_matches(mixed_family, ip("2001:db8::5")));
    EXPECT_TRUE(address_matches(mixed_family, ip("10.0.0.1")));
}

TEST(Address, NegatedAnyMatchesNothing)
{
    const auto s = addrs("!any");
    EXPECT_FALSE(s.any);
    EXPECT_TRUE(s.include.empty());
    EXPECT_FALSE(address_matches(s, ip("10.0.0.1")));
    // The common case: `!$MODBUS_CLIENT` with the default MODBUS_CLIENT = any.
    EXPECT_FALSE(address_matches(addrs("!$MODBUS_CLIENT"), ip("10.0.0.1")));
}

TEST(Address, Errors)
{
    EXPECT_EQ(addr_err("10.0.0.256"), "'10.0.0.256' is not an address");
    EXPECT_EQ(addr_err("10.0.0.0/33"), "bad prefix length in '10.0.0.0/33'");
    EXPECT_EQ(addr_err("::/129"), "bad prefix length in '::/129'");
    EXPECT_EQ(addr_err("10.0.0.0/255.0.255.0"), "netmask in '10.0.0.0/255.0.255.0' is not contiguous");
    EXPECT_EQ(addr_err("10.0.0.0/255.0.0.999"), "bad netmask in '10.0.0.0/255.0.0.999'");
    EXPECT_EQ(addr_err("[10.0.0.1"), "missing ']' in '[10.0.0.1'");
    EXPECT_EQ(addr_err("[]"), "empty list");
    EXPECT_EQ(addr_err("[10.0.0.1,,10.0.0.2]"), "empty element in list");
    EXPECT_EQ(addr_err("[10.0.0.1]]"), "unbalanced ']'");
    EXPECT_EQ(addr_err("$NOPE"), "undefined variable $NOPE");
    EXPECT_EQ(addr_err(""), "empty address or port");
}

TEST(Address, VariablesExpandRecursivelyAndStopAtCycles)
{
    Variables v;
    std::string e;
    ASSERT_TRUE(v.set("PLC_NET", "[10.10.0.0/16]", e)) << e;
    ASSERT_TRUE(v.set("HOME_NET", "[$PLC_NET, 192.168.0.0/24]", e)) << e;
    const auto home = addrs("$HOME_NET", v);
    EXPECT_TRUE(address_matches(home, ip("10.10.1.1")));
    EXPECT_TRUE(address_matches(home, ip("192.168.0.9")));
    EXPECT_FALSE(address_matches(home, ip("8.8.8.8")));
    // EXTERNAL_NET follows HOME_NET unless set.
    const auto ext = addrs("$EXTERNAL_NET", v);
    EXPECT_TRUE(address_matches(ext, ip("8.8.8.8")));
    EXPECT_FALSE(address_matches(ext, ip("10.10.1.1")));
    ASSERT_TRUE(v.set("EXTERNAL_NET", "any", e));
    EXPECT_TRUE(address_matches(addrs("$EXTERNAL_NET", v), ip("10.10.1.1")));

    // A cycle cannot be set ...
    EXPECT_FALSE(v.set("A", "$A", e));
    EXPECT_EQ(e, "variable A: variable $A refers to itself");
    // ... nor a chain deeper than the limit.
    Variables deep;
    ASSERT_TRUE(deep.set("V0", "10.0.0.1", e));
    for (int i = 1; i <= max_variable_depth + 1; ++i) {
        const std::string name = "V" + std::to_string(i);
        const std::string val = "$V" + std::to_string(i - 1);
        if (!deep.set(name, val, e)) {
            EXPECT_GT(i, max_variable_depth - 2);
            EXPECT_EQ(e, "variable " + name + ": variable expansion deeper than 16");
            return;
        }
    }
    ADD_FAILURE() << "the depth limit was not reached";
}

TEST(Address, DefaultsAndExternalNetWithAnyHome)
{
    const Variables& v = default_variables();
    ASSERT_NE(v.find("HOME_NET"), nullptr);
    EXPECT_EQ(*v.find("HOME_NET"), "any");
    EXPECT_EQ(*v.find("EXTERNAL_NET"), "any");
    for (const char* name :
         {"HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS", "TELNET_SERVERS", "MODBUS_CLIENT",
          "MODBUS_SERVER", "DNP3_CLIENT", "DNP3_SERVER", "ENIP_CLIENT", "ENIP_SERVER", "ICS_ENGINEERING",
          "IEC104_CLIENT", "IEC104_SERVER", "S7_CLIENT", "S7_SERVER"}) {
        ASSERT_NE(v.find(name), nullptr) << name;
        EXPECT_EQ(*v.find(name), "any") << name;
    }
    for (const char* name :
         {"HTTP_PORTS", "SSH_PORTS", "FILE_DATA_PORTS", "ORACLE_PORTS", "SHELLCODE_PORTS", "DNP3_PORTS"}) {
        std::string e;
        EXPECT_TRUE(parse_ports(std::string{"$"} + name, v, e).has_value()) << name << ": " << e;
    }
    EXPECT_TRUE(port_matches(ports("$DNP3_PORTS"), 20000));
    EXPECT_FALSE(port_matches(ports("$DNP3_PORTS"), 20001));
    EXPECT_TRUE(port_matches(ports("$FILE_DATA_PORTS"), 8080));
    EXPECT_FALSE(port_matches(ports("$SHELLCODE_PORTS"), 80));
    EXPECT_TRUE(port_matches(ports("$ORACLE_PORTS"), 1521));
}

TEST(Address, SetRejectsBadTextNamingTheVariable)
{
    Variables v;
    std::string e;
    EXPECT_FALSE(v.set("HOME_NET", "10.0.0.300", e));
    EXPECT_EQ(e, "variable HOME_NET: '10.0.0.300' is not an address");
    EXPECT_FALSE(v.set("DNP3_PORTS", "70000", e));
    EXPECT_EQ(e, "variable DNP3_PORTS: value 70000 does not fit port (16 bits)");
    EXPECT_FALSE(v.set("BAD NAME", "any", e));
    EXPECT_EQ(e, "variable BAD NAME: invalid character in name");
    EXPECT_FALSE(v.set("", "any", e));
    EXPECT_EQ(e, "empty variable name");
    EXPECT_EQ(*v.find("HOME_NET"), "any");  // unchanged after a failed set
    EXPECT_TRUE(v.set("$MODBUS_SERVER", "10.0.0.5", e));
    EXPECT_EQ(*v.find("MODBUS_SERVER"), "10.0.0.5");
}

TEST(Ports, Forms)
{
    EXPECT_TRUE(ports("any").any);
    EXPECT_TRUE(ports("ANY").any);
    const auto one = ports("502");
    EXPECT_TRUE(port_matches(one, 502));
    EXPECT_FALSE(port_matches(one, 503));
    const auto range = ports("100:200");
    EXPECT_TRUE(port_matches(range, 100));
    EXPECT_TRUE(port_matches(range, 200));
    EXPECT_FALSE(port_matches(range, 201));
    const auto from = ports("1024:");
    EXPECT_TRUE(port_matches(from, 65535));
    EXPECT_FALSE(port_matches(from, 1023));
    const auto upto = ports(":1023");
    EXPECT_TRUE(port_matches(upto, 0));
    EXPECT_FALSE(port_matches(upto, 1024));
    const auto list = ports("[502, 20000, 2404:2405]");
    EXPECT_TRUE(port_matches(list, 2405));
    EXPECT_FALSE(port_matches(list, 503));
    const auto neg = ports("!502");
    EXPECT_FALSE(port_matches(neg, 502));
    EXPECT_TRUE(port_matches(neg, 503));
    const auto neg_list = ports("[1:1000, !80, !443]");
    EXPECT_FALSE(port_matches(neg_list, 80));
    EXPECT_TRUE(port_matches(neg_list, 81));
    EXPECT_FALSE(port_matches(neg_list, 1001));
    const auto not_any = ports("!any");
    EXPECT_FALSE(port_matches(not_any, 1));
}

TEST(Ports, Errors)
{
    EXPECT_EQ(port_err("70000"), "value 70000 does not fit port (16 bits)");
    EXPECT_EQ(port_err("200:100"), "port range 200:100 is empty");
    EXPECT_EQ(port_err(":"), "port range ':' has no bounds");
    EXPECT_EQ(port_err("http"), "'http' is not a number");
    EXPECT_EQ(port_err("[80,"), "missing ']' in '[80,'");
    EXPECT_EQ(port_err("$NO_PORTS"), "undefined variable $NO_PORTS");
}

TEST(Cidr, ParseAndContain)
{
    std::string e;
    auto c = parse_cidr("192.168.0.0/16", e);
    ASSERT_TRUE(c);
    EXPECT_TRUE(cidr_contains(*c, ipv4_to_16(0xC0A80101)));
    EXPECT_FALSE(cidr_contains(*c, ipv4_to_16(0xC0A90101)));
    EXPECT_FALSE(parse_ip("not-an-ip").has_value());
}

}  // namespace
}  // namespace otsentry::rules
