// TEMPLATE: the tests every dissector brings. Vectors are annotated hex, one per function and
// per anomaly; the session is checked whole, byte at a time and on every strict prefix.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dissectors/common/testing/recording_sink.h"
#include "dissectors/template/template_parser.h"
#include "dissectors/template/template_session.h"

namespace otsentry::tpl {
namespace {

using dissect::testing::feed;
using dissect::testing::Msg;
using dissect::testing::RecordingSink;

constexpr Direction C = Direction::ToServer;
constexpr Direction S = Direction::ToClient;

// clang-format off
// 'T' 'P' | version | function | request id | body length | body
constexpr std::array<uint8_t, 12> read_req = {
    0x54, 0x50, 0x01, 0x01, 0x00, 0x07, 0x00, 0x04,
    0x00, 0x64,              // address 100
    0x00, 0x02};             // count 2
constexpr std::array<uint8_t, 12> read_resp = {
    0x54, 0x50, 0x01, 0x81, 0x00, 0x07, 0x00, 0x04,
    0xde, 0xad, 0xbe, 0xef};  // data
constexpr std::array<uint8_t, 13> write_req = {
    0x54, 0x50, 0x01, 0x02, 0x00, 0x08, 0x00, 0x05,
    0x00, 0xc8,              // address 200
    0x01, 0x02, 0x03};       // data
constexpr std::array<uint8_t, 8> write_resp = {0x54, 0x50, 0x01, 0x82, 0x00, 0x08, 0x00, 0x00};
constexpr std::array<uint8_t, 8> ping_req = {0x54, 0x50, 0x01, 0x03, 0x00, 0x09, 0x00, 0x00};
constexpr std::array<uint8_t, 9> ping_error = {
    0x54, 0x50, 0x01, 0xc3, 0x00, 0x09, 0x00, 0x01,
    0x05};                   // error code 5
constexpr std::array<uint8_t, 9> read_req_short = {
    0x54, 0x50, 0x01, 0x01, 0x00, 0x0a, 0x00, 0x01,
    0x00};                   // a read body needs 4 bytes
constexpr std::array<uint8_t, 8> unknown_fn_req = {0x54, 0x50, 0x01, 0x11, 0x00, 0x0b, 0x00, 0x00};
constexpr std::array<uint8_t, 8> bad_version = {0x54, 0x50, 0x02, 0x01, 0x00, 0x0c, 0x00, 0x00};
constexpr std::array<uint8_t, 8> bad_length = {0x54, 0x50, 0x01, 0x01, 0x00, 0x0d, 0x04, 0x01};  // 1025
constexpr std::array<uint8_t, 12> orphan_resp = {
    0x54, 0x50, 0x01, 0x81, 0x00, 0x63, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x00};
// clang-format on

const std::vector<Msg> conversation = {
    {C, read_req}, {S, read_resp}, {C, write_req}, {S, write_resp}, {C, ping_req}, {S, ping_error},
};

auto make(RecordingSink& sink)
{
    return std::make_unique<TemplateSession>(sink);
}

RecordingSink run(std::span<const Msg> msgs, size_t piece = 0)
{
    RecordingSink sink{protocol};
    feed(sink, make, msgs, piece);
    return sink;
}

TEST(TemplateParser, ReadRequestFields)
{
    Pdu pdu;
    const auto r = parse_frame(read_req, pdu);
    ASSERT_EQ(r.kind, ParseResult::Kind::Ok);
    EXPECT_EQ(r.size, read_req.size());
    EXPECT_EQ(pdu.function(), 1);
    EXPECT_EQ(pdu.request_id, 7);
    EXPECT_EQ(pdu.address, 100);
    EXPECT_EQ(pdu.count, 2);
    EXPECT_EQ(pdu.anomalies, 0u);
}

TEST(TemplateParser, EveryStrictPrefixNeedsMore)
{
    for (const auto& m : conversation)
        for (size_t n = 0; n < m.bytes.size(); ++n) {
            Pdu pdu;
            EXPECT_EQ(parse_frame(m.bytes.first(n), pdu).kind, ParseResult::Kind::NeedMore) << n;
        }
}

TEST(TemplateParser, FramingAnomalies)
{
    Pdu pdu;
    EXPECT_EQ(parse_frame(bad_version, pdu).reason, Anomaly::BadVersion);
    EXPECT_EQ(parse_frame(bad_length, pdu).reason, Anomaly::BadLength);
    const std::array<uint8_t, 3> http = {'G', 'E', 'T'};
    EXPECT_EQ(parse_frame(http, pdu).kind, ParseResult::Kind::NotThisProtocol);
}

TEST(TemplateParser, Probe)
{
    EXPECT_EQ(probe(read_req, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(std::span<const uint8_t>{read_req}.first(4), C), dissect::ProbeResult::NeedMore);
    EXPECT_EQ(probe(bad_version, C), dissect::ProbeResult::NoMatch);
}

TEST(TemplateSession, ConversationPairsEveryRequest)
{
    const auto sink = run(conversation);
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_TRUE(sink.anomalies.empty());
    EXPECT_EQ(sink.events[0]["request"]["address"], 100);
    EXPECT_EQ(sink.events[0]["response"]["data"], "deadbeef");
    EXPECT_EQ(sink.events[1]["request"]["data"], "010203");
    EXPECT_EQ(sink.events[2]["response"]["error_code"], 5);
    EXPECT_EQ(sink.events[2]["request"]["function_name"], "ping");
}

TEST(TemplateSession, AnySegmentationGivesTheSameEvents)
{
    const auto whole = run(conversation);
    for (size_t piece : {1, 2, 3, 7, 13}) {
        const auto cut = run(conversation, piece);
        EXPECT_EQ(cut.texts, whole.texts) << "piece " << piece;
        EXPECT_EQ(cut.anomaly_names(), whole.anomaly_names());
    }
}

TEST(TemplateSession, StrictPrefixOfARequestIsTruncatedAtEnd)
{
    for (size_t n = 1; n < read_req.size(); ++n) {
        const std::vector<Msg> msgs = {{C, write_req}, {C, std::span<const uint8_t>{read_req}.first(n)}};
        const auto sink = run(msgs);
        EXPECT_EQ(sink.events.size(), 1u) << n;  // the write, unanswered
        EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"tpl.truncated_frame"}) << n;
    }
}

TEST(TemplateSessionAnomaly, MalformedBodyCarriesItsRequest)
{
    const auto sink = run(std::vector<Msg>{{C, read_req_short}});
    ASSERT_EQ(sink.anomalies.size(), 1u);
    EXPECT_EQ(sink.anomalies[0].first, "tpl.malformed_body");
    EXPECT_EQ(sink.anomalies[0].second, 1u);
}

TEST(TemplateSessionAnomaly, UnknownFunction)
{
    const auto sink = run(std::vector<Msg>{{C, read_req}, {C, unknown_fn_req}});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"tpl.unknown_function"});
}

TEST(TemplateSessionAnomaly, BadVersionAndLengthAfterSync)
{
    for (const auto& [bad, name] : {std::pair{std::span<const uint8_t>{bad_version}, "tpl.bad_version"},
                                    std::pair{std::span<const uint8_t>{bad_length}, "tpl.bad_length"}}) {
        const auto sink = run(std::vector<Msg>{{C, read_req}, {C, bad}, {C, write_req}});
        EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{name});
        EXPECT_EQ(sink.events.size(), 2u);  // the read and the write, resynchronised
    }
}

TEST(TemplateSessionAnomaly, NoFramingAnomalyWhileResynchronising)
{
    // After the bad version the session skips to a plausible header: the bad length frame that
    // follows is skipped as junk, not reported again.
    const auto sink = run(std::vector<Msg>{{C, read_req}, {C, bad_version}, {C, bad_length}, {C, write_req}});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"tpl.bad_version"});
    EXPECT_EQ(sink.events.size(), 2u);
}

TEST(TemplateSessionAnomaly, ResponseWithoutRequest)
{
    const auto sink = run(std::vector<Msg>{{S, orphan_resp}});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_FALSE(sink.events[0].contains("request"));
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"tpl.response_without_request"});
}

TEST(TemplateSessionAnomaly, TooManyOutstandingEvictsTheOldest)
{
    std::vector<std::array<uint8_t, 8>> reqs(max_outstanding + 1, ping_req);
    std::vector<Msg> msgs;
    for (size_t i = 0; i < reqs.size(); ++i) {
        reqs[i][5] = static_cast<uint8_t>(i);
        msgs.push_back({C, reqs[i]});
    }
    const auto sink = run(msgs);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"tpl.too_many_outstanding"});
    ASSERT_EQ(sink.events.size(), reqs.size());
    EXPECT_EQ(sink.events[0]["request"]["request_id"], 0);  // evicted first
}

TEST(TemplateSession, GapThenResyncOnTheNextHeader)
{
    RecordingSink sink{protocol};
    TemplateSession s{sink};
    s.on_data(C, std::span<const uint8_t>{read_req}.first(5), PacketCtx{1, 0});
    s.on_gap(C, 100, PacketCtx{2, 0});
    const std::array<uint8_t, 3> junk = {0x00, 0x54, 0x50};
    s.on_data(C, junk, PacketCtx{2, 0});
    s.on_data(C, write_req, PacketCtx{3, 0});
    s.on_data(S, write_resp, PacketCtx{4, 0});
    s.on_end(PacketCtx{5, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["pcap_cnt"], 4);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(TemplateSession, MidStreamPickupStartsAtTheFirstWholeFrame)
{
    RecordingSink sink{protocol};
    TemplateSession s{sink};
    s.on_gap(C, 0, PacketCtx{1, 0});
    s.on_data(C, std::span<const uint8_t>{write_req}.last(4), PacketCtx{1, 0});
    s.on_data(C, read_req, PacketCtx{2, 0});
    s.on_end(PacketCtx{3, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "read");
}

TEST(TemplateSession, OtherProtocolDeactivates)
{
    RecordingSink sink{protocol};
    TemplateSession s{sink};
    const std::array<uint8_t, 16> http = {'G', 'E', 'T', ' ', '/', ' ', 'H',  'T',
                                          'T', 'P', '/', '1', '.', '1', '\r', '\n'};
    s.on_data(C, http, PacketCtx{1, 0});
    EXPECT_FALSE(s.active());
    s.on_end(PacketCtx{2, 0});
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(TemplateSession, DissectorInfoMakesSessions)
{
    RecordingSink sink{protocol};
    auto s = dissector_info.make_session(sink);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(dissector_info.anomalies.size(), anomaly_table.size());
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        EXPECT_EQ(anomaly_table[i].code, i + 1);  // codes are dense and in order
}

}  // namespace
}  // namespace otsentry::tpl
