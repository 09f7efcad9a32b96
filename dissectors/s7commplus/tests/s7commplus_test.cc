// S7comm-plus parser and session: versions 1, 2, 3 (digest) and keep-alive, every opcode,
// pairing by sequence number, fragments, every anomaly, every strict prefix, any segmentation,
// and S7comm/MMS on the same port left alone.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dissectors/common/testing/recording_sink.h"
#include "dissectors/s7commplus/s7commplus_session.h"

namespace otsentry::s7commplus {
namespace {

using dissect::testing::feed;
using dissect::testing::Msg;
using dissect::testing::RecordingSink;
using Bytes = std::vector<uint8_t>;

constexpr auto C = Direction::ToServer;
constexpr auto S = Direction::ToClient;

auto make = [](dissect::EventSink& sink) { return std::make_unique<S7commPlusSession>(sink); };

Bytes dt(std::initializer_list<uint8_t> body, bool eot = true)
{
    const size_t len = 7 + body.size();
    Bytes v = {0x03, 0x00, static_cast<uint8_t>(len >> 8),         static_cast<uint8_t>(len),
               0x02, 0xF0, static_cast<uint8_t>(eot ? 0x80 : 0x00)};
    v.insert(v.end(), body.begin(), body.end());
    return v;
}

// Version 1 CreateObject request and response (the session set-up of TIA Portal and HMIs).
const Bytes create_req = dt({
    0x72, 0x01, 0x00, 0x0E,  // protocol id, version 1, data length 14
    0x31,                    // opcode request
    0x00, 0x00,              // reserved
    0x04, 0xCA,              // function CreateObject
    0x00, 0x00,              // reserved
    0x00, 0x01,              // sequence 1
    0x00, 0x00, 0x01, 0x20,  // session id 0x120
    0x36,                    // transport flags
    0x72, 0x01, 0x00, 0x00,  // trailer
});
const Bytes create_resp = dt({
    0x72, 0x01, 0x00, 0x0C,  // version 1, data length 12
    0x32, 0x00, 0x00,        // response, reserved
    0x04, 0xCA, 0x00, 0x00,  // CreateObject, reserved
    0x00, 0x01,              // sequence 1
    0x00,                    // transport flags
    0x00, 0x00,              // (object data)
    0x72, 0x01, 0x00, 0x00,  // trailer
});
// Version 3 SetVariable request with the 32-octet digest.
const Bytes setvar_v3 = [] {
    Bytes b = {0x72, 0x03, 0x00, 0x30, 0x20};  // version 3, data length 48, digest length 32
    b.insert(b.end(), 32, 0xAA);               // digest
    const uint8_t rest[] = {0x31, 0x00, 0x00, 0x04, 0xF2, 0x00,
                            0x00, 0x00, 0x02,                     // request SetVariable seq 2
                            0x70, 0x00, 0x0E, 0x4D, 0x34, 0x00};  // session, flags, data
    b.insert(b.end(), std::begin(rest), std::end(rest));
    const uint8_t trailer[] = {0x72, 0x03, 0x00, 0x00};
    b.insert(b.end(), std::begin(trailer), std::end(trailer));
    Bytes f = {0x03, 0x00, 0x00, static_cast<uint8_t>(7 + b.size()), 0x02, 0xF0, 0x80};
    f.insert(f.end(), b.begin(), b.end());
    return f;
}();
const Bytes notification = dt({
    0x72, 0x03, 0x00, 0x26, 0x20, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB,
    0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB,
    0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB,  // digest
    0x33,                                                              // notification
    0x70, 0x00, 0x0E, 0x51,                                            // subscription object id
    0x72, 0x03, 0x00, 0x00,                                            // trailer
});
const Bytes keep_alive = dt({0x72, 0xFE, 0x00, 0x01, 0x00, 0x72, 0xFE, 0x00, 0x00});

std::vector<Msg> conversation()
{
    return {{C, create_req}, {S, create_resp}, {C, setvar_v3}, {S, notification}, {C, keep_alive}};
}

RecordingSink run(const std::vector<Msg>& msgs, size_t piece = 0)
{
    RecordingSink sink{protocol};
    feed(sink, make, msgs, piece);
    return sink;
}

TEST(S7commPlusSession, Conversation)
{
    const RecordingSink sink = run(conversation());
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 4u);
    const auto& create = sink.events[0];
    EXPECT_EQ(create["request"]["version"], 1);
    EXPECT_EQ(create["request"]["opcode"], 0x31);
    EXPECT_EQ(create["request"]["function_code"], 0x04CA);
    EXPECT_EQ(create["request"]["function_name"], "create_object");
    EXPECT_EQ(create["request"]["session_id"], 0x120);
    EXPECT_EQ(create["response"]["sequence"], 1);
    EXPECT_FALSE(create["request"].contains("protected"));
    const auto& notif = sink.events[1];
    EXPECT_EQ(notif["request"]["opcode_name"], "notification");
    EXPECT_EQ(notif["request"]["integrity"], true);
    EXPECT_EQ(sink.events[2]["request"]["version"], 0xFE);
    const auto& setvar = sink.events[3];  // unanswered, reported at the end
    EXPECT_EQ(setvar["request"]["function_name"], "set_variable");
    EXPECT_EQ(setvar["request"]["integrity"], true);
    EXPECT_EQ(setvar["request"]["protected"], true);
    EXPECT_EQ(setvar["request"]["session_id"], 0x70000E4D);
}

TEST(S7commPlusSession, AnySegmentationAndPrefixes)
{
    const RecordingSink whole = run(conversation());
    for (size_t piece : {1u, 2u, 3u, 7u, 50u})
        EXPECT_EQ(run(conversation(), piece).texts, whole.texts) << piece;
    for (const auto& m : conversation()) {
        for (size_t n = 1; n < m.bytes.size(); ++n) {
            RecordingSink sink{protocol};
            auto s = make(sink);
            s->on_data(C, create_req, {1, 0});
            s->on_data(m.dir, m.bytes.first(n), {2, 0});
            s->on_end({3, 0});
            EXPECT_EQ(sink.events.size(), 1u);
            EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7commplus.truncated_pdu"}) << n;
        }
    }
}

TEST(S7commPlusSession, FragmentedPdu)
{
    // A request whose data continues in a second PDU; only the last carries the trailer.
    const Bytes first = dt({0x72, 0x01, 0x00, 0x0E, 0x31, 0x00, 0x00, 0x05, 0x42, 0x00, 0x00, 0x00, 0x05,
                            0x00, 0x00, 0x01, 0x20, 0x36});
    const Bytes second = dt({0x72, 0x01, 0x00, 0x02, 0xAB, 0xCD, 0x72, 0x01, 0x00, 0x00});
    const Bytes resp = dt({0x72, 0x01, 0x00, 0x09, 0x32, 0x00, 0x00, 0x05, 0x42, 0x00, 0x00, 0x00, 0x05, 0x72,
                           0x01, 0x00, 0x00});
    const RecordingSink sink = run({{C, first}, {C, second}, {S, resp}});
    EXPECT_TRUE(sink.anomalies.empty()) << sink.anomaly_names().front();
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["fragmented"], true);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "set_multi_variables");
}

TEST(S7commPlusSession, NotOurs)
{
    const Bytes s7 = dt({0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00});
    RecordingSink sink{protocol};
    auto s = make(sink);
    s->on_data(C, s7, {1, 0});
    EXPECT_FALSE(s->active());
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
    EXPECT_EQ(probe(s7, C), dissect::ProbeResult::NoMatch);
    EXPECT_EQ(probe(create_req, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(std::span{create_req}.first(7), C), dissect::ProbeResult::NeedMore);
    const Bytes mms = dt({0x0D, 0x04, 0x01, 0x00});
    EXPECT_EQ(probe(mms, C), dissect::ProbeResult::NoMatch);
}

TEST(S7commPlusSession, MidStream)
{
    RecordingSink sink{protocol};
    auto s = make(sink);
    s->on_data(C, std::span{setvar_v3}.subspan(20), {1, 0});
    s->on_data(C, create_req, {2, 0});
    s->on_data(S, create_resp, {3, 0});
    s->on_end({4, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_TRUE(sink.anomalies.empty());
}

std::vector<std::string> anomalies_of(const std::vector<Msg>& msgs)
{
    return run(msgs).anomaly_names();
}

TEST(S7commPlusAnomaly, BadTpktAndCotp)
{
    const Bytes tpkt = {0x03, 0x00, 0x00, 0x02, 0x02, 0xF0, 0x80};
    EXPECT_EQ(anomalies_of({{C, create_req}, {S, create_resp}, {C, tpkt}}),
              std::vector<std::string>{"s7commplus.bad_tpkt"});
    const Bytes cotp = {0x03, 0x00, 0x00, 0x08, 0x02, 0x30, 0x80, 0x72};
    EXPECT_EQ(anomalies_of({{C, create_req}, {S, create_resp}, {C, cotp}}),
              std::vector<std::string>{"s7commplus.bad_cotp"});
}

TEST(S7commPlusAnomaly, BadHeader)
{
    const Bytes bad = dt({0x32, 0x01, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, create_req}, {S, create_resp}, {C, bad}}),
              std::vector<std::string>{"s7commplus.bad_header"});
    const Bytes version = dt({0x72, 0x07, 0x00, 0x01, 0x33, 0x72, 0x07, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, version}}), std::vector<std::string>{"s7commplus.bad_header"});
}

TEST(S7commPlusAnomaly, BadLengthAndTrailer)
{
    const Bytes len = dt({0x72, 0x01, 0x00, 0x09, 0x33, 0x00, 0x72, 0x01, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, len}}), std::vector<std::string>{"s7commplus.bad_length"});
    const Bytes trailer = dt({0x72, 0x01, 0x00, 0x01, 0x33, 0x72, 0x02, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, trailer}}), std::vector<std::string>{"s7commplus.bad_trailer"});
}

TEST(S7commPlusAnomaly, UnknownOpcode)
{
    const Bytes bad = dt({0x72, 0x01, 0x00, 0x01, 0x44, 0x72, 0x01, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, bad}}), std::vector<std::string>{"s7commplus.unknown_opcode"});
}

TEST(S7commPlusAnomaly, ResponseWithoutRequest)
{
    EXPECT_EQ(anomalies_of({{S, create_resp}}),
              std::vector<std::string>{"s7commplus.response_without_request"});
}

TEST(S7commPlusAnomaly, TooManyOutstanding)
{
    std::vector<Bytes> reqs;
    for (uint8_t i = 0; i <= max_outstanding; ++i)
        reqs.push_back(dt({0x72, 0x01, 0x00, 0x0E, 0x31, 0x00, 0x00, 0x05, 0x4C, 0x00, 0x00,
                           0x00, i,    0x00, 0x00, 0x01, 0x20, 0x36, 0x72, 0x01, 0x00, 0x00}));
    std::vector<Msg> msgs;
    for (const auto& r : reqs)
        msgs.push_back({C, r});
    const RecordingSink sink = run(msgs);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7commplus.too_many_outstanding"});
    EXPECT_EQ(sink.events.size(), max_outstanding + 1);
}

TEST(S7commPlusAnomaly, TruncatedPdu)
{
    const Bytes first = dt({0x72, 0x01, 0x00, 0x01, 0x33});  // a fragment that never continues
    EXPECT_EQ(anomalies_of({{C, first}}), std::vector<std::string>{"s7commplus.truncated_pdu"});
}

TEST(S7commPlusAnomaly, ReassemblyOverflow)
{
    std::vector<Bytes> parts;
    for (int i = 0; i < 9; ++i) {
        Bytes b = {0x03, 0x00, 0x03, 0xEF, 0x02, 0xF0, 0x00};
        b.resize(1007, i == 0 ? 0x72 : 0x00);
        parts.push_back(b);
    }
    std::vector<Msg> msgs = {{C, create_req}};
    for (const auto& p : parts)
        msgs.push_back({C, p});
    const auto names = anomalies_of(msgs);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "s7commplus.reassembly_overflow");
}

TEST(S7commPlusAnomaly, TableIsOrdered)
{
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        EXPECT_EQ(anomaly_table[i].code, i + 1);
}

}  // namespace
}  // namespace otsentry::s7commplus
