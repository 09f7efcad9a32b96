// The alert decision: header, flow direction, field tests on one PDU (and one list element),
// payload rules through the prefilter, flowbits, thresholds, pass, app-layer events, reload.
#include "rules/detector.h"

#include <gtest/gtest.h>

#include "dissectors/modbus/modbus_parser.h"
#include "dissectors/modbus/modbus_session.h"
#include "dissectors/modbus/tests/modbus_vectors.h"
#include "rules/address.h"
#include "rules/live_rules.h"
#include "rules/parser.h"

namespace otsentry::rules {
namespace {

std::shared_ptr<const RuleSet> compile_text(std::string_view text)
{
    RuleFileSet set = parse_text(text, "test.rules");
    EXPECT_TRUE(set.errors().empty()) << set.errors().front().reason;
    std::vector<CompileError> errors;
    auto rs = RuleSet::compile(std::move(set.rules()), default_classifications(), errors);
    EXPECT_TRUE(errors.empty()) << errors.front().reason;
    return rs;
}

struct Collected final : AlertSink {
    void on_rule_alert(const CompiledRule& rule, Direction dir, const dissect::PduRef* pdu) override
    {
        sids.push_back(rule.rule.sid);
        dirs.push_back(dir);
        with_pdu.push_back(pdu != nullptr);
    }
    std::vector<uint32_t> sids;
    std::vector<Direction> dirs;
    std::vector<bool> with_pdu;
};

PacketView tcp_packet(std::span<const uint8_t> payload, Direction dir = Direction::ToServer,
                      uint16_t server_port = 502)
{
    PacketView v;
    v.ip_proto = 6;
    v.client_ip = *parse_ip("10.0.0.5");
    v.server_ip = *parse_ip("10.0.0.9");
    v.client_port = 40000;
    v.server_port = server_port;
    v.dir = dir;
    v.established = true;
    v.tcp_flags = 0x18;
    v.payload = payload;
    v.ts_us = 1'000'000;
    return v;
}

// Modbus/TCP ADUs (MBAP + PDU).
// Modbus App Protocol §6.8.1 sub-function 4, from the Modbus dissector's shared vectors.
constexpr auto& force_listen_only = modbus::test::force_listen_only_req;
constexpr uint8_t write_multiple_registers[] = {
    0x00, 0x02,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x0B,  // length
    0x01,        // unit id
    0x10,        // function: write multiple registers
    0x00, 0x64,  // start address 100
    0x00, 0x02,  // quantity 2
    0x04,        // byte count
    0x00, 0x05,  // register 100 = 5
    0x13, 0x88,  // register 101 = 5000
};
constexpr uint8_t write_multiple_response[] = {
    0x00, 0x02,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x01,        // unit id
    0x10,        // function: write multiple registers
    0x00, 0x64,  // start address 100
    0x00, 0x02,  // quantity 2
};

modbus::Pdu parse(std::span<const uint8_t> adu, Direction dir)
{
    modbus::Pdu p;
    const auto r = modbus::parse_pdu(adu, dir, p);
    EXPECT_EQ(r.kind, modbus::ParseResult::Kind::Ok);
    return p;
}

class DetectorTest : public ::testing::Test {
protected:
    void load(std::string_view text)
    {
        set_ = compile_text(text);
        detector_ = std::make_unique<Detector>(set_, thresholds_);
    }
    std::vector<uint32_t> on_packet(const PacketView& v)
    {
        Collected c;
        detector_->inspect_packet(v, &flow_, c);
        return c.sids;
    }
    std::vector<uint32_t> on_tx(const PacketView& v, const modbus::Pdu* req, const modbus::Pdu* resp)
    {
        Collected c;
        const modbus::Transaction tx{req, resp};
        detector_->inspect_transaction(v, Protocol::Modbus, tx, &flow_, c);
        return c.sids;
    }

    ThresholdTable thresholds_;
    std::shared_ptr<const RuleSet> set_;
    std::unique_ptr<Detector> detector_;
    FlowRuleState flow_;
};

using Sids = std::vector<uint32_t>;

TEST_F(DetectorTest, ContentRuleOnPortFiresThroughThePrefilter)
{
    load(
        R"(alert tcp any any -> any 502 (msg:"listen only"; content:"|00 00|"; offset:2; depth:2; content:"|08 00 04|"; offset:7; depth:3; sid:1;)
alert tcp any any -> any 502 (msg:"restart"; content:"|08 00 01|"; offset:7; depth:3; sid:2;)
alert tcp any any -> any 503 (msg:"other port"; content:"|08 00 04|"; sid:3;)
)");
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only)), Sids{1});
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only, Direction::ToServer, 503)), Sids{3});
}

TEST_F(DetectorTest, HeaderAddressesPortsAndDirection)
{
    load(R"(alert tcp 10.0.0.0/24 any -> 10.0.0.9 502 (msg:"a"; content:"|08|"; sid:1;)
alert tcp 10.0.1.0/24 any -> any 502 (msg:"b"; content:"|08|"; sid:2;)
alert tcp any 502 -> any any (msg:"from server"; content:"|08|"; sid:3;)
alert tcp any any <> 10.0.0.5 any (msg:"bidir"; content:"|08|"; sid:4;)
alert tcp any any -> any any (msg:"to client"; flow:to_client,established; content:"|08|"; sid:5;)
)");
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only)), (Sids{1, 4}));
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only, Direction::ToClient)), (Sids{3, 4, 5}));
    auto v = tcp_packet(force_listen_only, Direction::ToClient);
    v.established = false;
    EXPECT_EQ(on_packet(v), (Sids{3, 4}));
}

TEST_F(DetectorTest, NegatedVariableAddressNeverMatchesWhenTheVariableIsAny)
{
    load(R"(alert modbus !$ICS_ENGINEERING any -> any any (msg:"write"; modbus.function: 16; sid:1;)
alert modbus any any -> any any (msg:"write"; modbus.function: 16; sid:2;)
)");
    const auto req = parse(write_multiple_registers, Direction::ToServer);
    EXPECT_EQ(on_tx(tcp_packet({}), &req, nullptr), Sids{2});
}

TEST_F(DetectorTest, FieldTestsHoldOnOnePdu)
{
    load(R"(alert modbus any any -> any any (msg:"diag 4"; modbus.function: 8; modbus.subfunction: 4; sid:1;)
alert modbus any any -> any any (msg:"diag 1"; modbus.function: 8; modbus.subfunction: 1; sid:2;)
alert modbus any any -> any any (msg:"fc 16 request"; flow:to_server; modbus.function: 16; sid:3;)
alert modbus any any -> any any (msg:"fc 16 response"; flow:to_client; modbus.function: 16; sid:4;)
alert modbus any any -> any any (msg:"any fc 16"; modbus.function: 16; sid:5;)
alert modbus any any -> any any (msg:"quantity >1"; modbus.quantity: >1; modbus.function: 15,16; sid:6;)
)");
    const auto diag = parse(force_listen_only, Direction::ToServer);
    EXPECT_EQ(on_tx(tcp_packet({}), &diag, nullptr), Sids{1});
    const auto req = parse(write_multiple_registers, Direction::ToServer);
    const auto resp = parse(write_multiple_response, Direction::ToClient);
    // Each rule once per transaction, on the first PDU it matches.
    EXPECT_EQ(on_tx(tcp_packet({}), &req, &resp), (Sids{3, 4, 5, 6}));
    EXPECT_EQ(on_tx(tcp_packet({}), nullptr, &resp), (Sids{4, 5, 6}));
}

TEST_F(DetectorTest, ListFieldTestsHoldOnOneElement)
{
    load(
        R"(alert modbus any any -> any any (msg:"reg 101 > 1000"; modbus.register.address: 101; modbus.register.value: >1000; sid:1;)
alert modbus any any -> any any (msg:"reg 100 > 1000"; modbus.register.address: 100; modbus.register.value: >1000; sid:2;)
alert modbus any any -> any any (msg:"suricata form"; modbus: access write holding, address 101, value >4999; sid:3;)
alert modbus any any -> any any (msg:"range"; modbus.register.address: 90-99; sid:4;)
)");
    const auto req = parse(write_multiple_registers, Direction::ToServer);
    EXPECT_EQ(on_tx(tcp_packet({}), &req, nullptr), (Sids{1, 3}));
}

TEST_F(DetectorTest, StickyFieldBufferContent)
{
    load(R"(alert modbus any any -> any any (msg:"data"; modbus_data; content:"|13 88|"; sid:1;)
alert modbus any any -> any any (msg:"absent"; modbus_data; content:"|ff ff|"; sid:2;)
)");
    const auto req = parse(write_multiple_registers, Direction::ToServer);
    EXPECT_EQ(on_tx(tcp_packet({}), &req, nullptr), Sids{1});
}

TEST_F(DetectorTest, FlowbitsSetInOnePacketAndTestedInALaterOne)
{
    load(R"(alert tcp any any -> any 502 (msg:"checked"; flowbits:isset,diag; content:"|10|"; sid:2;)
alert tcp any any -> any 502 (msg:"sets"; content:"|08 00 04|"; flowbits:set,diag; flowbits:noalert; sid:1;)
alert tcp any any -> any 502 (msg:"not set"; flowbits:isnotset,diag; content:"|10|"; sid:3;)
)");
    EXPECT_EQ(on_packet(tcp_packet(write_multiple_registers)), Sids{3});
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only)), Sids{});  // noalert
    EXPECT_EQ(on_packet(tcp_packet(write_multiple_registers)), Sids{2});
}

TEST_F(DetectorTest, ThresholdLimitAndDetectionFilter)
{
    load(
        R"(alert tcp any any -> any 502 (msg:"limit"; content:"|08|"; threshold:type limit, track by_src, count 2, seconds 60; sid:1;)
alert tcp any any -> any 502 (msg:"every 3rd"; content:"|08|"; threshold:type threshold, track by_dst, count 3, seconds 60; sid:2;)
alert tcp any any -> any 502 (msg:"both"; content:"|08|"; threshold:type both, track by_rule, count 2, seconds 60; sid:3;)
alert tcp any any -> any 502 (msg:"rate"; content:"|08|"; detection_filter:track by_src, count 3, seconds 60; sid:4;)
)");
    std::vector<Sids> got;
    for (int i = 0; i < 6; ++i)
        got.push_back(on_packet(tcp_packet(force_listen_only)));
    EXPECT_EQ(got[0], Sids{1});
    EXPECT_EQ(got[1], (Sids{1, 3}));
    EXPECT_EQ(got[2], Sids{2});
    EXPECT_EQ(got[3], Sids{4});
    EXPECT_EQ(got[4], Sids{4});
    EXPECT_EQ(got[5], (Sids{2, 4}));
    // A new window after `seconds`.
    auto later = tcp_packet(force_listen_only);
    later.ts_us += 61'000'000;
    EXPECT_EQ(on_packet(later), Sids{1});
}

TEST_F(DetectorTest, PassRuleSilencesTheOthers)
{
    load(R"(pass tcp 10.0.0.5 any -> any 502 (msg:"trusted"; content:"|08|"; sid:1;)
alert tcp any any -> any 502 (msg:"diag"; content:"|08 00 04|"; sid:2;)
)");
    EXPECT_EQ(on_packet(tcp_packet(force_listen_only)), Sids{});
    auto other = tcp_packet(force_listen_only);
    other.client_ip = *parse_ip("10.0.0.6");
    EXPECT_EQ(on_packet(other), Sids{2});
}

TEST_F(DetectorTest, DsizeAndAppLayerProtocol)
{
    load(R"(alert tcp any any -> any any (msg:"small"; dsize:<13; content:"|08|"; sid:1;)
alert tcp any any -> any any (msg:"modbus flow only"; app-layer-protocol:modbus; content:"|08|"; sid:2;)
alert modbus any any -> any any (msg:"modbus payload"; content:"|08 00 04|"; sid:3;)
)");
    auto v = tcp_packet(force_listen_only);
    EXPECT_EQ(on_packet(v), Sids{1});
    v.app = Protocol::Modbus;
    EXPECT_EQ(on_packet(v), (Sids{1, 2, 3}));
}

TEST_F(DetectorTest, AppLayerEventRules)
{
    load(R"(alert modbus any any -> any any (msg:"bad length"; app-layer-event:modbus.bad_length; sid:1;)
alert modbus any any -> any any (msg:"suricata name"; app-layer-event:modbus.invalid_protocol_id; sid:2;)
)");
    Collected c;
    auto v = tcp_packet({});
    v.app = Protocol::Modbus;
    detector_->inspect_anomaly(v, Protocol::Modbus, 2, &flow_, c);  // modbus.bad_length is code 2
    EXPECT_EQ(c.sids, Sids{1});
    Collected proto;
    detector_->inspect_anomaly(v, Protocol::Modbus, 1, &flow_, proto);  // modbus.bad_protocol_id
    EXPECT_EQ(proto.sids, Sids{2});
    Collected none;
    detector_->inspect_anomaly(v, Protocol::Modbus, 3, &flow_, none);
    EXPECT_TRUE(none.sids.empty());
}

TEST_F(DetectorTest, TransactionRulesIndexedByFunctionCode)
{
    load(R"(alert modbus any any -> any any (msg:"fc 8"; modbus.function: 8; sid:1;)
alert modbus any any -> any any (msg:"fc 16"; modbus.function: 16; sid:2;)
alert modbus any any -> any any (msg:"unit"; modbus.unit: 17; sid:3;)
)");
    const auto diag = parse(force_listen_only, Direction::ToServer);
    EXPECT_EQ(on_tx(tcp_packet({}), &diag, nullptr), (Sids{1, 3}));
    // Only the fc 8 bucket and the unindexed rule were evaluated.
    EXPECT_EQ(detector_->stats().rules_evaluated, 2u);
}

TEST_F(DetectorTest, RulesRequiringAnotherRangeMeetOnlyOverlappingPdus)
{
    load(
        R"(alert modbus any any -> any any (msg:"a"; modbus.function: 16; modbus.register.address: 0-99; sid:1;)
alert modbus any any -> any any (msg:"b"; modbus.function: 16; modbus.register.address: 101; sid:2;)
alert modbus any any -> any any (msg:"c"; modbus.function: 16; modbus.register.address: 4000-4099; sid:3;)
alert modbus any any -> any any (msg:"d"; modbus.function: 16; modbus.register.address: >150; sid:4;)
alert modbus any any -> any any (msg:"e"; modbus.function: 16; modbus.register.address: !5; sid:5;)
)");
    const auto& bucket = set_->transaction_rules(Protocol::Modbus).by_key.at(16);
    ASSERT_NE(bucket.range_field, nullptr);
    EXPECT_EQ(bucket.range_field->name, "modbus.register.address");
    EXPECT_EQ(bucket.ranges.size(), 4u);  // the negated test is no range: sid 5 stays a plain rule
    const auto req = parse(write_multiple_registers, Direction::ToServer);  // registers 100-101
    EXPECT_EQ(on_tx(tcp_packet({}), &req, nullptr), (Sids{2, 5}));
    // Rules 2 and 5 were evaluated; 1, 3 and 4 never met this PDU.
    EXPECT_EQ(detector_->stats().rules_evaluated, 2u);
}

TEST(LiveRules, ReloadSwapsTheSetAndResetsFlowbits)
{
    LiveRules live{
        compile_text(R"(alert tcp any any -> any 502 (msg:"a"; content:"|08|"; flowbits:set,x; sid:1;))")};
    Detector d{live.current(), live.thresholds()};
    FlowRuleState flow;
    Collected c;
    d.inspect_packet(tcp_packet(force_listen_only), &flow, c);
    EXPECT_EQ(c.sids, Sids{1});
    live.publish(
        compile_text(R"(alert tcp any any -> any 502 (msg:"b"; flowbits:isset,x; content:"|08|"; sid:7;))"));
    live.refresh(d);
    d.inspect_packet(tcp_packet(force_listen_only), &flow, c);
    // The bit set under the old set does not carry over to the new one.
    EXPECT_EQ(c.sids, Sids{1});
    EXPECT_EQ(d.rules().rules().size(), 1u);
    EXPECT_EQ(d.rules().rules()[0].rule.sid, 7u);
}

}  // namespace
}  // namespace otsentry::rules
