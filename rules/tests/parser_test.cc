// The rule parser: header, both dialects, generic keywords, payload keywords, files, duplicates
// and one test per distinct error message.
#include <gtest/gtest.h>

#include <string>

#include "rules/parser.h"

namespace otsentry::rules {
namespace {

Rule ok(std::string_view text, const ParseContext& ctx = {})
{
    auto r = parse_rule(text, ctx);
    EXPECT_TRUE(r.ok()) << text << "\n  -> " << r.error;
    return r.rule.value_or(Rule{});
}

std::string err(std::string_view text)
{
    auto r = parse_rule(text, {});
    EXPECT_FALSE(r.ok()) << text;
    return r.error;
}

// A tcp rule with `opts` and a sid.
std::string tcp(const std::string& opts)
{
    return "alert tcp any any -> any 502 (" + opts + " sid:1;)";
}

const Content& content_at(const Rule& r, size_t i)
{
    return std::get<Content>(r.payload.at(i));
}

// ---- header ---------------------------------------------------------------------------------

TEST(ParserHeader, FullSnort2Header)
{
    const Rule r = ok("alert tcp 10.0.0.0/8 any -> [192.168.1.1,192.168.1.2] 502 (msg:\"x\"; sid:7;)");
    EXPECT_EQ(r.action, Action::Alert);
    EXPECT_EQ(r.proto, HeaderProto::Tcp);
    EXPECT_FALSE(r.src.any);
    EXPECT_EQ(r.dst.include.size(), 2u);
    EXPECT_TRUE(r.src_ports.any);
    ASSERT_EQ(r.dst_ports.include.size(), 1u);
    EXPECT_EQ(r.dst_ports.include[0].lo, 502);
    EXPECT_FALSE(r.bidirectional);
    EXPECT_EQ(r.sid, 7u);
    EXPECT_EQ(r.gid, 1u);
    EXPECT_EQ(r.rev, 1u);
    EXPECT_TRUE(r.unavailable.empty());
}

TEST(ParserHeader, BidirectionalAndUppercaseAny)
{
    const Rule r = ok("alert tcp $EXTERNAL_NET ANY <> $HOME_NET 502 (sid:1;)");
    EXPECT_TRUE(r.bidirectional);
    EXPECT_TRUE(r.src_ports.any);
}

TEST(ParserHeader, Actions)
{
    EXPECT_EQ(ok("pass tcp any any -> any any (sid:1;)").action, Action::Pass);
    EXPECT_EQ(ok("log tcp any any -> any any (sid:1;)").action, Action::Log);
    EXPECT_EQ(ok("drop tcp any any -> any any (sid:1;)").action, Action::Drop);
    EXPECT_EQ(ok("reject tcp any any -> any any (sid:1;)").action, Action::Reject);
    for (const char* a : {"block", "sdrop", "rewrite"})
        EXPECT_EQ(ok(std::string{a} + " tcp any any -> any any (sid:1;)").action, Action::Alert) << a;
    EXPECT_EQ(err("alarm tcp any any -> any any (sid:1;)"), "unknown action 'alarm'");
}

TEST(ParserHeader, Protocols)
{
    EXPECT_EQ(ok("alert ip any any -> any any (sid:1;)").proto, HeaderProto::Ip);
    EXPECT_EQ(ok("alert udp any any -> any any (sid:1;)").proto, HeaderProto::Udp);
    EXPECT_EQ(ok("alert icmp any any -> any any (sid:1;)").proto, HeaderProto::Icmp);
    const std::pair<const char*, Protocol> apps[] = {
        {"modbus", Protocol::Modbus},  {"dnp3", Protocol::Dnp3},     {"iec104", Protocol::Iec104},
        {"iec-104", Protocol::Iec104}, {"s7comm", Protocol::S7comm}, {"s7commplus", Protocol::S7commPlus}};
    for (const auto& [name, p] : apps) {
        const Rule r = ok(std::string{"alert "} + name + " any any -> any any (sid:1;)");
        EXPECT_EQ(r.proto, HeaderProto::App) << name;
        EXPECT_EQ(r.app, p) << name;
        EXPECT_TRUE(r.unavailable.empty()) << name;
    }
    for (const char* name :
         {"enip", "cip", "opcua", "bacnet", "goose", "mms", "http", "tls", "dns", "smb", "ftp", "ssh"}) {
        const Rule r = ok(std::string{"alert "} + name + " any any -> any any (sid:1;)");
        EXPECT_EQ(r.unavailable, std::string{"protocol not available: "} + name);
    }
    EXPECT_EQ(err("alert foo any any -> any any (sid:1;)"), "unknown protocol 'foo'");
}

TEST(ParserHeader, Snort3HeaderlessForms)
{
    const Rule t = ok("alert tcp ( msg:\"x\"; sid:3; )");
    EXPECT_EQ(t.proto, HeaderProto::Tcp);
    EXPECT_TRUE(t.src.any);
    EXPECT_TRUE(t.dst.any);
    EXPECT_TRUE(t.src_ports.any);
    EXPECT_TRUE(t.dst_ports.any);
    const Rule m = ok("alert modbus ( msg:\"x\"; sid:3; )");
    EXPECT_EQ(m.proto, HeaderProto::App);
    EXPECT_EQ(m.app, Protocol::Modbus);
    const Rule bare = ok("alert ( msg:\"x\"; sid:3; )");
    EXPECT_EQ(bare.proto, HeaderProto::Ip);
}

TEST(ParserHeader, Errors)
{
    EXPECT_EQ(err("alert tcp any any any any any (sid:1;)"),
              "expected '->' or '<>' in the header, got 'any'");
    EXPECT_EQ(
        err("alert tcp any any -> any (sid:1;)"),
        "malformed header: expected 'action proto src_addr src_port -> dst_addr dst_port' or 'action proto'");
    EXPECT_EQ(err("alert tcp any any -> any any sid:1;"), "no '(' starting the options");
    EXPECT_EQ(err("alert tcp any any -> any any (sid:1;) x"), "rule must end with ')'");
    EXPECT_EQ(err("alert tcp 1.2.3.999 any -> any any (sid:1;)"),
              "source address: '1.2.3.999' is not an address");
    EXPECT_EQ(err("alert tcp any x -> any any (sid:1;)"), "source port: 'x' is not a number");
    EXPECT_EQ(err("alert tcp any any -> $NOWHERE any (sid:1;)"),
              "destination address: undefined variable $NOWHERE");
    EXPECT_EQ(err("alert tcp any any -> any 99999 (sid:1;)"),
              "destination port: value 99999 does not fit port (16 bits)");
    EXPECT_EQ(err("alert tcp [1.2.3.4 any -> any any (sid:1;)"), "unbalanced '[' in the header");
    EXPECT_EQ(err(" (sid:1;)"), "empty rule");
}

TEST(ParserHeader, VariablesFromContext)
{
    Variables v;
    std::string e;
    ASSERT_TRUE(v.set("MODBUS_SERVER", "10.1.1.1", e));
    ParseContext ctx;
    ctx.vars = &v;
    const Rule r = ok("alert tcp any any -> $MODBUS_SERVER 502 (sid:1;)", ctx);
    ASSERT_EQ(r.dst.include.size(), 1u);
    EXPECT_FALSE(r.dst.any);
}

// ---- meta -----------------------------------------------------------------------------------

TEST(ParserMeta, MsgWithEscapes)
{
    const Rule r = ok(R"(alert tcp any any -> any any (msg:"a \"quoted\" \; semi \\ back"; sid:1;))");
    EXPECT_EQ(r.msg, "a \"quoted\" ; semi \\ back");
    EXPECT_EQ(ok("alert tcp any any -> any any (msg:bare text; sid:1;)").msg, "bare text");
    EXPECT_EQ(err(R"(alert tcp any any -> any any (msg:"a"b"; sid:1;))"),
              "unterminated string in 'msg:\"a\"b\"; sid:1;'");
}

TEST(ParserMeta, SidGidRevClasstypePriority)
{
    const Rule r =
        ok("alert tcp any any -> any any (sid:42; gid:3; rev:9; classtype:attempted-dos; priority:1;)");
    EXPECT_EQ(r.sid, 42u);
    EXPECT_EQ(r.gid, 3u);
    EXPECT_EQ(r.rev, 9u);
    EXPECT_EQ(r.classtype, "attempted-dos");
    EXPECT_EQ(r.priority, 1);
    EXPECT_EQ(err(tcp("classtype:nonsense;")), "unknown classtype 'nonsense'");
    EXPECT_EQ(err(tcp("priority:0;")), "priority must be a number 1..255, got '0'");
    EXPECT_EQ(err(tcp("priority:256;")), "priority must be a number 1..255, got '256'");
    EXPECT_EQ(err("alert tcp any any -> any any (sid:0;)"), "sid must be a number 1..4294967295, got '0'");
    EXPECT_EQ(err("alert tcp any any -> any any (sid:4294967296;)"),
              "sid must be a number 1..4294967295, got '4294967296'");
    EXPECT_EQ(err("alert tcp any any -> any any (sid:;)"), "'sid' needs a value");
    EXPECT_EQ(err(tcp("rev:x;")), "rev must be a number 0..4294967295, got 'x'");
}

TEST(ParserMeta, ReferenceAndMetadata)
{
    const Rule r =
        ok(tcp("reference:url,example.com/a,b; reference: cve, 2020-1; metadata: former_category SCADA, "
               "created_at 2020_01_01, flag;"));
    ASSERT_EQ(r.references.size(), 2u);
    EXPECT_EQ(r.references[0].system, "url");
    EXPECT_EQ(r.references[0].id, "example.com/a,b");
    EXPECT_EQ(r.references[1].id, "2020-1");
    ASSERT_EQ(r.metadata.size(), 3u);
    EXPECT_EQ(r.metadata[0], (std::pair<std::string, std::string>{"former_category", "SCADA"}));
    EXPECT_EQ(r.metadata[2].first, "flag");
    EXPECT_EQ(err(tcp("reference:url;")), "reference needs 'system,id'");
}

TEST(ParserMeta, MissingSidUnknownKeywordAndOptionSyntax)
{
    EXPECT_EQ(err("alert tcp any any -> any any (msg:\"x\";)"), "missing sid");
    EXPECT_EQ(err(tcp("foo:1;")), "unknown keyword 'foo'");
    EXPECT_EQ(err(tcp("a b:1;")), "malformed option 'a b:1'");
    EXPECT_EQ(err(tcp(":1;")), "option without a name: ':1'");
    EXPECT_EQ(err(tcp("msg;")), "'msg' needs a value");
    EXPECT_EQ(err(tcp("target:both;")), "target must be src_ip or dest_ip");
    // `;;` and a missing last `;` are tolerated, as Snort does.
    EXPECT_EQ(ok("alert tcp any any -> any any (msg:\"x\";; sid:1)").sid, 1u);
}

TEST(ParserMeta, ErrorCarriesTheSid)
{
    auto r = parse_rule("alert tcp any any -> any any (foo; sid:77;)", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.sid, 77u);
}

// ---- flow, flags, dsize, flowbits, thresholds ---------------------------------------------------

TEST(ParserFlow, Options)
{
    const Rule r = ok(tcp("flow:from_client,established;"));
    EXPECT_TRUE(r.flow.to_server);
    EXPECT_TRUE(r.flow.established);
    const Rule s = ok(tcp("flow: to_client, not_established, no_stream;"));
    EXPECT_TRUE(s.flow.to_client);
    EXPECT_TRUE(s.flow.not_established);
    EXPECT_TRUE(s.flow.no_stream);
    EXPECT_TRUE(ok(tcp("flow:stateless,only_stream;")).flow.stateless);
    EXPECT_EQ(ok(tcp("flow:established,no_frag;")).unavailable, "keyword not available: flow:no_frag");
    EXPECT_EQ(err(tcp("flow:sideways;")), "unknown flow option 'sideways'");
    EXPECT_EQ(err(tcp("flow:to_server,to_client;")), "flow: to_server and to_client together");
    EXPECT_EQ(err(tcp("flow:established,not_established;")),
              "flow: established and not_established together");
    EXPECT_EQ(err(tcp("flow:only_stream,no_stream;")), "flow: only_stream and no_stream together");
}

TEST(ParserFlow, Dsize)
{
    const Rule r = ok(tcp("dsize:>300;"));
    ASSERT_TRUE(r.dsize);
    EXPECT_TRUE(r.dsize->matches(301));
    EXPECT_TRUE(ok(tcp("dsize:10<>20;")).dsize->matches(15));
    EXPECT_EQ(err(tcp("dsize:70000;")), "value 70000 does not fit dsize (16 bits)");
    EXPECT_EQ(err(tcp("dsize:1; dsize:2;")), "dsize given twice");
}

TEST(ParserFlow, TcpFlags)
{
    const Rule r = ok(tcp("flags:SA;"));
    ASSERT_TRUE(r.tcp_flags);
    EXPECT_EQ(r.tcp_flags->bits, 0x12);
    EXPECT_EQ(r.tcp_flags->mode, TcpFlags::Mode::Exact);
    const Rule p = ok(tcp("flags:+PA,12;"));
    EXPECT_EQ(p.tcp_flags->mode, TcpFlags::Mode::All);
    EXPECT_EQ(p.tcp_flags->bits, 0x18);
    EXPECT_EQ(p.tcp_flags->ignore, 0xC0);
    EXPECT_EQ(ok(tcp("flags:*SF;")).tcp_flags->mode, TcpFlags::Mode::Any);
    EXPECT_EQ(ok(tcp("flags:!R;")).tcp_flags->mode, TcpFlags::Mode::Not);
    EXPECT_EQ(ok(tcp("flags:S+;")).tcp_flags->mode, TcpFlags::Mode::All);
    EXPECT_EQ(ok(tcp("flags:0;")).tcp_flags->bits, 0);
    EXPECT_EQ(ok(tcp("flags:CE;")).tcp_flags->bits, 0xC0);
    EXPECT_EQ(err(tcp("flags:SX;")), "unknown tcp flag 'X'");
    EXPECT_EQ(err(tcp("flags:+*S;")), "flags: more than one of + * !");
    EXPECT_EQ(err(tcp("flags:+;")), "flags: no flag given");
    EXPECT_EQ(err(tcp("flags:0S;")), "flags: 0 combined with other flags");
    EXPECT_EQ(err(tcp("flags:S,A,F;")), "flags: expected 'FLAGS[,IGNORE]'");
    EXPECT_EQ(err(tcp("flags:S; flags:A;")), "flags given twice");
    EXPECT_EQ(err("alert udp any any -> any any (flags:S; sid:1;)"), "flags in a rule that is not tcp");
}

TEST(ParserFlow, Flowbits)
{
    const Rule r =
        ok(tcp("flowbits:set,a&b; flowbits:isset,x|y; flowbits:isnotset,z; flowbits:unset,a; "
               "flowbits:toggle,t; flowbits:noalert;"));
    ASSERT_EQ(r.flowbits.size(), 6u);
    EXPECT_EQ(r.flowbits[0].op, FlowbitOp::Set);
    EXPECT_EQ(r.flowbits[0].names, (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(r.flowbits[0].any_of);
    EXPECT_EQ(r.flowbits[1].op, FlowbitOp::IsSet);
    EXPECT_TRUE(r.flowbits[1].any_of);
    EXPECT_EQ(r.flowbits[2].op, FlowbitOp::IsNotSet);
    EXPECT_EQ(r.flowbits[3].op, FlowbitOp::Unset);
    EXPECT_EQ(r.flowbits[4].op, FlowbitOp::Toggle);
    EXPECT_EQ(r.flowbits[5].op, FlowbitOp::NoAlert);
    EXPECT_EQ(ok(tcp("noalert;")).flowbits.at(0).op, FlowbitOp::NoAlert);
    EXPECT_EQ(err(tcp("flowbits:set;")), "flowbits:set needs a name");
    EXPECT_EQ(err(tcp("flowbits:flip,a;")), "unknown flowbits command 'flip'");
    EXPECT_EQ(err(tcp("flowbits:set,a|b;")), "flowbits: '|' groups only with isset or isnotset");
    EXPECT_EQ(err(tcp("flowbits:isset,a|b&c;")), "flowbits: '&' and '|' in one group");
    EXPECT_EQ(err(tcp("flowbits:noalert,a;")), "flowbits:noalert takes no name");
    EXPECT_EQ(err(tcp("flowbits:set,a b;")), "flowbits: bad name 'a b'");
    EXPECT_EQ(err(tcp("flowbits;")), "flowbits: expected 'command[,name]'");
}

TEST(ParserFlow, ThresholdAndDetectionFilter)
{
    const Rule r = ok(tcp("threshold: type threshold, track by_src, count 3, seconds 60;"));
    ASSERT_TRUE(r.threshold);
    EXPECT_EQ(r.threshold->type, Threshold::Type::Threshold);
    EXPECT_EQ(r.threshold->track, Threshold::Track::BySrc);
    EXPECT_EQ(r.threshold->count, 3u);
    EXPECT_EQ(r.threshold->seconds, 60u);
    const Rule l = ok(tcp("threshold:type limit, track by_dst, seconds 1, count 1;"));
    EXPECT_EQ(l.threshold->type, Threshold::Type::Limit);
    EXPECT_EQ(l.threshold->track, Threshold::Track::ByDst);
    EXPECT_EQ(ok(tcp("threshold:type both, track by_rule, count 2, seconds 5;")).threshold->track,
              Threshold::Track::ByRule);
    EXPECT_EQ(ok(tcp("threshold:type both, track by_both, count 2, seconds 5;")).threshold->type,
              Threshold::Type::Both);
    const Rule d = ok(tcp("detection_filter: track by_src, count 10, seconds 2;"));
    ASSERT_TRUE(d.detection_filter);
    EXPECT_EQ(d.detection_filter->type, Threshold::Type::DetectionFilter);
    EXPECT_EQ(d.detection_filter->count, 10u);
    // Suricata's backoff and by_flow exist but have no equivalent here.
    EXPECT_EQ(ok(tcp("threshold:type backoff, track by_flow, count 1, multiplier 10;")).unavailable,
              "keyword not available: threshold type backoff");
    EXPECT_EQ(ok(tcp("threshold:type limit, track by_flow, count 1, seconds 10;")).unavailable,
              "keyword not available: threshold track by_flow");
    EXPECT_EQ(err(tcp("threshold:type limit, track by_src, count 1;")),
              "threshold needs type, track, count and seconds");
    EXPECT_EQ(err(tcp("threshold:type sometimes, track by_src, count 1, seconds 1;")),
              "threshold: unknown type 'sometimes'");
    EXPECT_EQ(err(tcp("threshold:type limit, track by_port, count 1, seconds 1;")),
              "threshold: unknown track 'by_port'");
    EXPECT_EQ(err(tcp("threshold:type limit, track by_src, count 0, seconds 1;")),
              "threshold count must be a number 1..4294967295, got '0'");
    EXPECT_EQ(err(tcp("threshold:type limit, track by_src, count 1, seconds 1, color red;")),
              "threshold: unknown setting 'color'");
    EXPECT_EQ(err(tcp("threshold:type limit track by_src;")),
              "threshold: expected 'name value' pairs, got 'type limit track by_src'");
    EXPECT_EQ(err(tcp("threshold:type limit, track by_src, count 1, seconds 1; "
                      "threshold:type limit, track by_src, count 1, seconds 1;")),
              "threshold given twice");
    EXPECT_EQ(err(tcp("detection_filter:type limit, track by_src, count 1, seconds 1;")),
              "detection_filter: unknown setting 'type'");
}

TEST(ParserFlow, AppLayerProtocol)
{
    const Rule r = ok(tcp("app-layer-protocol:modbus;"));
    EXPECT_EQ(r.app, Protocol::Modbus);
    EXPECT_FALSE(r.app_negated);
    const Rule n = ok(tcp("app-layer-protocol:!dnp3;"));
    EXPECT_EQ(n.app, Protocol::Dnp3);
    EXPECT_TRUE(n.app_negated);
    EXPECT_EQ(ok(tcp("app-layer-protocol:http;")).unavailable, "protocol not available: http");
    EXPECT_EQ(err(tcp("app-layer-protocol:gopher;")), "unknown protocol 'gopher' in app-layer-protocol");
    EXPECT_EQ(err("alert modbus any any -> any any (app-layer-protocol:dnp3; sid:1;)"),
              "keyword for dnp3 in a rule for modbus");
    EXPECT_EQ(err("alert modbus any any -> any any (app-layer-protocol:!dnp3; sid:1;)"),
              "app-layer-protocol:!dnp3 in a rule for an application protocol");
}

// ---- content and friends --------------------------------------------------------------------

TEST(ParserContent, TextHexAndNegation)
{
    const Rule r = ok(tcp(R"(content:"ab|00 01 ff|c\"\;\\"; content:!"x";)"));
    ASSERT_EQ(r.payload.size(), 2u);
    EXPECT_EQ(content_at(r, 0).bytes, std::string("ab\x00\x01\xff"
                                                  "c\";\\",
                                                  9));
    EXPECT_FALSE(content_at(r, 0).negated);
    EXPECT_TRUE(content_at(r, 1).negated);
    EXPECT_EQ(content_at(r, 0).buffer.field, nullptr);
    EXPECT_EQ(ok(tcp("content:\"|0d0A|\";")).payload.size(), 1u);
}

TEST(ParserContent, SuricataModifierOrder)
{
    const Rule r =
        ok(tcp("content:\"|00 00|\"; offset:2; depth:2; content:\"|08 00 04|\"; distance:3; within:3; "
               "nocase; rawbytes; fast_pattern;"));
    const Content& a = content_at(r, 0);
    EXPECT_EQ(a.offset, 2);
    EXPECT_EQ(a.depth, 2);
    EXPECT_FALSE(a.relative());
    const Content& b = content_at(r, 1);
    EXPECT_EQ(b.distance, 3);
    EXPECT_EQ(b.within, 3);
    EXPECT_TRUE(b.relative());
    EXPECT_TRUE(b.nocase);
    EXPECT_TRUE(b.rawbytes);
    EXPECT_TRUE(b.fast_pattern);
    EXPECT_EQ(ok(tcp("content:\"ab\"; distance:-2;")).payload.size(), 1u);
    EXPECT_TRUE(content_at(ok(tcp("content:\"ab\"; fast_pattern:only;")), 0).fast_pattern);
    EXPECT_TRUE(content_at(ok(tcp("content:\"abcd\"; fast_pattern:1,2;")), 0).fast_pattern);
    const Rule s = ok(tcp("content:\"GET\"; startswith; content:\"x\"; endswith;"));
    EXPECT_TRUE(content_at(s, 0).startswith);
    EXPECT_TRUE(content_at(s, 1).endswith);
}

TEST(ParserContent, Snort3CommaForm)
{
    const Rule r =
        ok("alert tcp ( content:\"MSG\", depth 3, offset 2, nocase; content:\"x\", within 4, "
           "distance 1, fast_pattern; sid:1; )");
    const Content& a = content_at(r, 0);
    EXPECT_EQ(a.depth, 3);
    EXPECT_EQ(a.offset, 2);
    EXPECT_TRUE(a.nocase);
    const Content& b = content_at(r, 1);
    EXPECT_EQ(b.within, 4);
    EXPECT_EQ(b.distance, 1);
    EXPECT_TRUE(b.fast_pattern);
    EXPECT_EQ(err(tcp("content:\"x\", wobble 3;")), "unknown content modifier 'wobble'");
    EXPECT_EQ(err(tcp("content:\"x\", depth 3 4;")), "bad content modifier 'depth 3 4'");
    EXPECT_EQ(err(tcp("content:\"x\" depth 3;")), "unexpected text after the content string: 'depth 3'");
}

TEST(ParserContent, Errors)
{
    EXPECT_EQ(err(tcp("content:\"\";")), "empty content");
    EXPECT_EQ(err(tcp("content:abc;")), "content must be a quoted string");
    EXPECT_EQ(err(tcp("content:\"|0|\";")), "odd number of hex digits in content");
    EXPECT_EQ(err(tcp("content:\"|0g|\";")), "'g' is not a hex digit in content");
    EXPECT_EQ(err(tcp("content:\"|00\";")), "unterminated '|' in content");
    EXPECT_EQ(err(tcp("content:\"abc\"; depth:2;")), "depth 2 is shorter than the content (3 bytes)");
    EXPECT_EQ(err(tcp("content:\"abc\"; within:1;")), "within 1 is shorter than the content (3 bytes)");
    EXPECT_EQ(err(tcp("depth:2;")), "'depth' without a preceding content");
    EXPECT_EQ(err(tcp("content:\"a\"; depth:2; depth:3;")), "depth given twice for one content");
    EXPECT_EQ(err(tcp("content:\"a\"; offset:-1;")), "offset must not be negative");
    EXPECT_EQ(err(tcp("content:\"a\"; offset:70000;")), "offset 70000 is outside -65535..65535");
    EXPECT_EQ(err(tcp("content:\"a\"; depth:0;")), "depth 0 is outside 1..65535");
    EXPECT_EQ(err(tcp("content:\"a\"; depth;")), "'depth' needs a number");
    EXPECT_EQ(err(tcp("content:\"a\"; distance:var;")),
              "distance 'var' is not a number (byte_extract variables are not supported)");
    EXPECT_EQ(err(tcp("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern;")),
              "fast_pattern on more than one content");
    EXPECT_EQ(err(tcp("content:\"ab\"; fast_pattern:1,5;")), "fast_pattern 1,5 runs past the content");
    EXPECT_EQ(err(tcp("content:\"ab\"; fast_pattern:x;")), "fast_pattern takes 'only' or 'offset,length'");
    EXPECT_EQ(err(tcp("content:\"ab\"; startswith; offset:1;")),
              "startswith cannot be combined with offset, depth, distance or within");
    EXPECT_EQ(err(tcp("content:!\"ab\"; endswith;")), "endswith on a negated content");
    EXPECT_EQ(err(tcp("content:\"a\"b;")), "unexpected text after the content string: 'b'");
}

TEST(ParserContent, Limits)
{
    EXPECT_EQ(ok(tcp("content:\"" + std::string(max_content_bytes, 'a') + "\";")).payload.size(), 1u);
    EXPECT_EQ(err(tcp("content:\"" + std::string(max_content_bytes + 1, 'a') + "\";")),
              "content longer than 4096 bytes");
    std::string many;
    for (size_t i = 0; i < max_rule_options; ++i)
        many += "nocase; ";
    EXPECT_EQ(err(tcp("content:\"a\"; " + many)), "more than 256 options");
    EXPECT_EQ(err(tcp("msg:\"" + std::string(max_rule_bytes, 'm') + "\";")), "rule longer than 65536 bytes");
}

TEST(ParserPcre, FlagsNegationRelative)
{
    const Rule r = ok(tcp(R"(pcre:"/[\S\s]{3}(\x01|\x02)/iAR";)"));
    const auto& p = std::get<Pcre>(r.payload.at(0));
    EXPECT_EQ(p.pattern, R"([\S\s]{3}(\x01|\x02))");
    EXPECT_EQ(p.flags, "iAR");
    EXPECT_TRUE(p.relative);
    EXPECT_FALSE(p.negated);
    const Rule n = ok(tcp(R"(pcre:!"/a\/b/smxEGBO";)"));
    const auto& q = std::get<Pcre>(n.payload.at(0));
    EXPECT_TRUE(q.negated);
    EXPECT_EQ(q.pattern, R"(a\/b)");
    EXPECT_FALSE(q.relative);
    EXPECT_EQ(ok(tcp(R"(pcre:"/x/U";)")).unavailable, "keyword not available: pcre flag U (HTTP buffers)");
    EXPECT_EQ(err(tcp(R"(pcre:"/x/q";)")), "unknown pcre flag 'q'");
    EXPECT_EQ(err(tcp(R"(pcre:"x";)")), "pcre must look like \"/pattern/flags\"");
    EXPECT_EQ(err(tcp(R"(pcre:"//i";)")), "empty pcre pattern");
    EXPECT_EQ(err(tcp("pcre:/x/;")), "pcre must be a quoted \"/pattern/flags\"");
}

TEST(ParserBytes, ByteTest)
{
    const Rule r = ok(tcp("byte_test: 1, >=, 0x80, 7;"));
    const auto& t = std::get<ByteTest>(r.payload.at(0));
    EXPECT_EQ(t.nbytes, 1);
    EXPECT_EQ(t.op, ByteTest::Op::Ge);
    EXPECT_EQ(t.value, 0x80u);
    EXPECT_EQ(t.offset, 7);
    EXPECT_EQ(t.base, NumBase::Raw);
    const Rule s = ok(tcp("byte_test:4,!=,1234,-2,relative,little,string,hex,bitmask 0xff00;"));
    const auto& u = std::get<ByteTest>(s.payload.at(0));
    EXPECT_TRUE(u.negated);
    EXPECT_EQ(u.op, ByteTest::Op::Eq);
    EXPECT_EQ(u.offset, -2);
    EXPECT_TRUE(u.relative);
    EXPECT_EQ(u.endian, Endian::Little);
    EXPECT_EQ(u.base, NumBase::Hex);
    EXPECT_EQ(u.bitmask, 0xff00u);
    EXPECT_EQ(std::get<ByteTest>(ok(tcp("byte_test:2,&,1,0;")).payload.at(0)).op, ByteTest::Op::And);
    EXPECT_EQ(std::get<ByteTest>(ok(tcp("byte_test:2,^,1,0;")).payload.at(0)).op, ByteTest::Op::Xor);
    EXPECT_EQ(std::get<ByteTest>(ok(tcp("byte_test:2,<,1,0,endian big;")).payload.at(0)).op,
              ByteTest::Op::Lt);
    EXPECT_EQ(std::get<ByteTest>(ok(tcp("byte_test:3,>,1,0,string;")).payload.at(0)).base, NumBase::Dec);
    EXPECT_EQ(ok(tcp("byte_test:2,=,1,0,dce;")).unavailable, "keyword not available: byte_test dce");
    EXPECT_EQ(err(tcp("byte_test:1,>,2;")), "byte_test needs 'bytes, operator, value, offset'");
    EXPECT_EQ(err(tcp("byte_test:1,~,2,0;")), "byte_test: unknown operator '~'");
    EXPECT_EQ(err(tcp("byte_test:5,=,2,0;")), "byte_test: 5 bytes; binary reads take 1..4");
    EXPECT_EQ(err(tcp("byte_test:11,=,2,0,string;")), "byte_test bytes 11 is outside 1..10");
    EXPECT_EQ(err(tcp("byte_test:1,=,val,0;")),
              "byte_test value 'val' is not a number (byte_extract variables are not supported)");
    EXPECT_EQ(err(tcp("byte_test:1,=,1,0,hex;")), "byte_test: hex/dec/oct need 'string'");
    EXPECT_EQ(err(tcp("byte_test:1,=,1,0,string,hex,dec;")), "byte_test: more than one number base");
    EXPECT_EQ(err(tcp("byte_test:1,=,1,0,sideways;")), "byte_test: unknown option 'sideways'");
    EXPECT_EQ(err(tcp("byte_test:1,=,1,0,bitmask 0;")), "byte_test: bad bitmask '0'");
    EXPECT_EQ(err(tcp("byte_test:1,=,1,0,endian middle;")), "byte_test: endian must be big or little");
}

TEST(ParserBytes, ByteJumpAndIsDataAt)
{
    const Rule r = ok(tcp("byte_jump:2,4; isdataat:0,relative;"));
    const auto& j = std::get<ByteJump>(r.payload.at(0));
    EXPECT_EQ(j.nbytes, 2);
    EXPECT_EQ(j.offset, 4);
    const auto& d = std::get<IsDataAt>(r.payload.at(1));
    EXPECT_EQ(d.offset, 0);
    EXPECT_TRUE(d.relative);
    const Rule f =
        ok(tcp("byte_jump:4,0,relative,multiplier 2,little,align,from_beginning,post_offset -4,"
               "bitmask 0x0f;"));
    const auto& k = std::get<ByteJump>(f.payload.at(0));
    EXPECT_TRUE(k.relative);
    EXPECT_EQ(k.multiplier, 2u);
    EXPECT_EQ(k.endian, Endian::Little);
    EXPECT_TRUE(k.align);
    EXPECT_TRUE(k.from_beginning);
    EXPECT_EQ(k.post_offset, -4);
    EXPECT_EQ(k.bitmask, 0x0fu);
    EXPECT_TRUE(std::get<ByteJump>(ok(tcp("byte_jump:2,0,from_end;")).payload.at(0)).from_end);
    EXPECT_TRUE(std::get<IsDataAt>(ok(tcp("isdataat:!10;")).payload.at(0)).negated);
    EXPECT_EQ(err(tcp("byte_jump:2;")), "byte_jump needs 'bytes, offset'");
    EXPECT_EQ(err(tcp("byte_jump:2,0,from_beginning,from_end;")),
              "byte_jump: from_beginning and from_end together");
    EXPECT_EQ(err(tcp("byte_jump:2,0,hop;")), "byte_jump: unknown option 'hop'");
    EXPECT_EQ(err(tcp("byte_jump:2,0,multiplier 0;")), "byte_jump multiplier 0 is outside 1..65535");
    EXPECT_EQ(err(tcp("isdataat:5,backwards;")), "isdataat: unknown option 'backwards'");
    EXPECT_EQ(err(tcp("isdataat:len;")),
              "isdataat offset 'len' is not a number (byte_extract variables are not supported)");
    EXPECT_EQ(err(tcp("isdataat:70000;")), "isdataat offset 70000 is outside 0..65535");
    EXPECT_EQ(err(tcp("isdataat;")), "'isdataat' needs a value");
}

// ---- keywords of other protocols --------------------------------------------------------------

TEST(ParserAvailability, UnavailableAndDeadKeywords)
{
    EXPECT_EQ(ok(tcp("content:\"/a\"; http_uri;")).unavailable, "keyword not available: http_uri");
    EXPECT_EQ(ok(tcp("http.method; content:\"GET\";")).unavailable, "keyword not available: http.method");
    EXPECT_EQ(ok(tcp("tls.sni; content:\"x\";")).unavailable, "keyword not available: tls.sni");
    EXPECT_EQ(ok(tcp("file_data; content:\"x\";")).unavailable, "keyword not available: file_data");
    EXPECT_EQ(ok(tcp("ttl:10;")).unavailable, "keyword not available: ttl");
    EXPECT_EQ(
        err(tcp("dnp3_cmd_fc:21;")),
        "keyword 'dnp3_cmd_fc' belongs to Digital Bond's retired DNP3 preprocessor and is not supported (use "
        "dnp3_func, dnp3_obj, dnp3_ind or the dnp3.* fields)");
    for (const char* k :
         {"dnp3_cmd_ot:50;", "dnp3_resp_ot:32;", "dnp3_resp_ii:unknown_func;", "dnp3_checksum:incorrect;"})
        EXPECT_NE(err(tcp(k)).find("retired DNP3 preprocessor"), std::string::npos) << k;
}

// ---- files ----------------------------------------------------------------------------------

TEST(ParserFile, ContinuationCommentsBlankLinesAndLineNumbers)
{
    const std::string text =
        "# a comment\n"
        "\n"
        "alert tcp any any -> any 502 (msg:\"one\"; \\\n"
        "    content:\"|00|\"; \\\n"
        "    sid:1;)\r\n"
        "   # indented comment\n"
        "alert udp any any -> any any (msg:\"two\"; sid:2;)\n"
        "alert tcp any any -> any any (msg:\"bad\"; foo; sid:3;)\n";
    const RuleFileSet set = parse_text(text, "t.rules");
    ASSERT_EQ(set.rules().size(), 2u);
    EXPECT_EQ(set.rules()[0].file, "t.rules");
    EXPECT_EQ(set.rules()[0].line, 3u);
    EXPECT_EQ(set.rules()[0].msg, "one");
    EXPECT_EQ(set.rules()[0].payload.size(), 1u);
    EXPECT_EQ(set.rules()[1].line, 7u);
    ASSERT_EQ(set.errors().size(), 1u);
    EXPECT_EQ(set.errors()[0].file, "t.rules");
    EXPECT_EQ(set.errors()[0].line, 8u);
    EXPECT_EQ(set.errors()[0].sid, 3u);
    EXPECT_EQ(set.errors()[0].reason, "unknown keyword 'foo'");
}

TEST(ParserFile, DuplicateSidNamesTheFirst)
{
    RuleFileSet set;
    set.add_text("alert tcp any any -> any any (sid:5;)\n", "a.rules");
    set.add_text(
        "\nalert tcp any any -> any any (sid:5; rev:2;)\n"
        "alert tcp any any -> any any (sid:5; gid:3;)\n",
        "b.rules");
    ASSERT_EQ(set.rules().size(), 2u);  // gid 3 sid 5 is another signature
    ASSERT_EQ(set.errors().size(), 1u);
    EXPECT_EQ(set.errors()[0].file, "b.rules");
    EXPECT_EQ(set.errors()[0].line, 2u);
    EXPECT_EQ(set.errors()[0].reason, "duplicate sid 5: first defined at a.rules:1");
    set.add_text("alert tcp any any -> any any (sid:5; gid:3;)\n", "c.rules");
    EXPECT_EQ(set.errors().back().reason, "duplicate sid 5 (gid 3): first defined at b.rules:3");
}

TEST(ParserFile, OverlongContinuedRule)
{
    std::string text = "alert tcp any any -> any any (msg:\"";
    for (int i = 0; i < 70; ++i)
        text += std::string(1000, 'x') + "\\\n";
    text += "\"; sid:1;)\nalert tcp any any -> any any (sid:2;)\n";
    const RuleFileSet set = parse_text(text, "big.rules");
    ASSERT_EQ(set.errors().size(), 1u);
    EXPECT_EQ(set.errors()[0].line, 1u);
    EXPECT_EQ(set.errors()[0].reason, "rule longer than 65536 bytes");
    ASSERT_EQ(set.rules().size(), 1u);
    EXPECT_EQ(set.rules()[0].sid, 2u);
    EXPECT_EQ(set.rules()[0].line, 72u);
}

TEST(ParserFile, UnreadableFile)
{
    const RuleFileSet set = parse_file("/nonexistent/x.rules");
    ASSERT_EQ(set.errors().size(), 1u);
    EXPECT_EQ(set.errors()[0].line, 0u);
    EXPECT_EQ(set.errors()[0].reason, "cannot read the file");
}

TEST(ParserFile, RuleTextIsKept)
{
    const RuleFileSet set = parse_text("alert tcp any any -> any any (msg:\"a\"; \\\n sid:9;)\n", "f");
    ASSERT_EQ(set.rules().size(), 1u);
    EXPECT_EQ(set.rules()[0].text, "alert tcp any any -> any any (msg:\"a\"; sid:9;)");
}

}  // namespace
}  // namespace otsentry::rules
