// The IEC 104 session: events of a whole conversation, any segmentation, command pairing
// (confirmation, termination, negative answers, the end of waiting), U-format pairing, sequence
// number tracking (gaps, repeats, wrap, acknowledgements), mid-stream pickup, gaps, caps, and
// one test per anomaly.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dissectors/common/testing/recording_sink.h"
#include "dissectors/common/testing/session_fuzz.h"
#include "dissectors/iec104/iec104_parser.h"
#include "dissectors/iec104/iec104_session.h"
#include "dissectors/iec104/tests/iec104_vectors.h"

namespace otsentry::iec104 {
namespace {

using dissect::testing::feed;
using dissect::testing::Msg;
using dissect::testing::RecordingSink;
using Names = std::vector<std::string>;

constexpr Direction C = Direction::ToServer;  // controlling station (client)
constexpr Direction S = Direction::ToClient;  // controlled station (server, port 2404)

constexpr uint8_t startdt_act = 0x07;
constexpr uint8_t startdt_con = 0x0B;
constexpr uint8_t stopdt_act = 0x13;
constexpr uint8_t stopdt_con = 0x23;
constexpr uint8_t testfr_act = 0x43;
constexpr uint8_t testfr_con = 0x83;

constexpr uint8_t negative_bit = 0x40;

// A scripted conversation: I-format APDUs are numbered like a correct peer would (N(S) counts
// what the direction sent, N(R) what it received), unless a test overrides them.
class Script {
public:
    std::vector<Msg> msgs;

    Script& u(Direction d, uint8_t control1) { return raw(d, {0x68, 0x04, control1, 0x00, 0x00, 0x00}); }
    Script& s(Direction d)
    {
        const uint16_t nr = sent_[index_of(opposite(d))];
        return raw(d, {0x68, 0x04, 0x01, 0x00, static_cast<uint8_t>(nr << 1), static_cast<uint8_t>(nr >> 7)});
    }
    // An I-format APDU carrying `vec`'s ASDU, with its COT octet replaced when `cot` >= 0.
    Script& i(Direction d, std::span<const uint8_t> vec, int cot = -1, int ns = -1, int nr = -1)
    {
        std::vector<uint8_t> f(vec.begin(), vec.end());
        const uint16_t send = ns >= 0 ? static_cast<uint16_t>(ns) : sent_[index_of(d)];
        const uint16_t recv = nr >= 0 ? static_cast<uint16_t>(nr) : sent_[index_of(opposite(d))];
        f[2] = static_cast<uint8_t>(send << 1);
        f[3] = static_cast<uint8_t>(send >> 7);
        f[4] = static_cast<uint8_t>(recv << 1);
        f[5] = static_cast<uint8_t>(recv >> 7);
        if (cot >= 0) f[8] = static_cast<uint8_t>(cot);
        sent_[index_of(d)] = static_cast<uint16_t>((send + 1) % seq_modulus);
        return raw(d, std::move(f));
    }
    Script& raw(Direction d, std::vector<uint8_t> bytes)
    {
        frames_.push_back(std::move(bytes));
        msgs.push_back({d, frames_.back()});
        return *this;
    }
    // Sets the next N(S) of a direction (a sender that starts elsewhere).
    Script& next_ns(Direction d, uint16_t ns)
    {
        sent_[index_of(d)] = ns;
        return *this;
    }
    // The last frame added, for edits.
    std::vector<uint8_t>& last() { return frames_.back(); }

private:
    std::deque<std::vector<uint8_t>> frames_;  // stable addresses for the spans in msgs
    std::array<uint16_t, 2> sent_{};
};

std::vector<uint8_t> with_octet(std::span<const uint8_t> vec, size_t index, uint8_t value)
{
    std::vector<uint8_t> v(vec.begin(), vec.end());
    v[index] = value;
    return v;
}

constexpr size_t cot_at = 8;
constexpr size_t first_element_at = 15;  // after the 3-octet IOA

auto make(RecordingSink& sink)
{
    return std::make_unique<Iec104Session>(sink);
}

RecordingSink run(std::span<const Msg> msgs, size_t piece = 0)
{
    RecordingSink sink{protocol};
    feed(sink, make, msgs, piece);
    return sink;
}

// The normal life of a connection: start, general interrogation with data, clock
// synchronisation, an acknowledgement, a test frame from the controlled station.
Script normal_session()
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_ic_na_1);  // activation
    s.i(S, test::c_ic_na_1, cot::activation_con);
    s.i(S, test::m_sp_na_1, cot::interrogated);
    s.i(S, test::m_me_nc_1);  // COT 20 already
    s.i(S, test::c_ic_na_1, cot::activation_term);
    s.s(C);
    s.i(C, test::c_cs_na_1);
    s.i(S, test::c_cs_na_1, cot::activation_con);
    s.u(S, testfr_act).u(C, testfr_con);
    return s;
}

TEST(Iec104Session, NormalSessionEvents)
{
    const auto script = normal_session();
    const auto sink = run(script.msgs);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 6u);
    const auto& e = sink.events;
    EXPECT_EQ(e[0]["request"]["u_function"], "startdt_act");
    EXPECT_EQ(e[0]["response"]["u_function"], "startdt_con");
    EXPECT_EQ(e[1]["response"]["type_name"], "M_SP_NA_1");  // data reported as it comes
    EXPECT_EQ(e[1]["response"]["cause"], 20);
    EXPECT_FALSE(e[1].contains("request"));
    EXPECT_EQ(e[2]["response"]["type_name"], "M_ME_NC_1");
    EXPECT_EQ(e[3]["request"]["type_name"], "C_IC_NA_1");  // the interrogation ends with its term
    EXPECT_EQ(e[3]["request"]["cause_name"], "activation");
    EXPECT_EQ(e[3]["response"]["cause_name"], "activation_con");
    EXPECT_EQ(e[3]["termination"]["cause_name"], "activation_term");
    EXPECT_EQ(e[3]["request"]["objects"][0]["qoi"], 20);
    EXPECT_EQ(e[3]["termination"]["pcap_cnt"], 7);
    EXPECT_EQ(e[4]["request"]["type_name"], "C_CS_NA_1");
    EXPECT_EQ(e[4]["response"]["tx_seq"], 4);
    EXPECT_EQ(e[4]["response"]["rx_seq"], 2);
    EXPECT_EQ(e[5]["request"]["u_function"], "testfr_act");
    EXPECT_EQ(e[5]["response"]["u_function"], "testfr_con");
    EXPECT_EQ(sink.event_packets, (std::vector<uint64_t>{2, 5, 6, 7, 10, 12}));
}

TEST(Iec104Session, AnySegmentationGivesTheSameEvents)
{
    const auto script = normal_session();
    const auto whole = run(script.msgs);
    for (size_t piece : {1, 2, 3, 5, 7, 13}) {
        const auto cut = run(script.msgs, piece);
        EXPECT_EQ(cut.texts, whole.texts) << "piece " << piece;
        EXPECT_EQ(cut.anomaly_names(), whole.anomaly_names());
    }
    // All in one segment per direction run too.
    std::vector<uint8_t> all;
    for (const auto& m : script.msgs)
        if (m.dir == S) all.insert(all.end(), m.bytes.begin(), m.bytes.end());
    RecordingSink sink{protocol};
    Iec104Session s{sink};
    s.on_data(S, all, PacketCtx{1, 0});
    // Without the client's half every answer is an event of its own; the TESTFR act waits.
    EXPECT_EQ(sink.events.size(), 6u);
}

TEST(Iec104Session, EveryTypeVectorIsAnEvent)
{
    for (const auto& v : test::all_types) {
        Script s;
        s.u(C, startdt_act).u(S, startdt_con);
        s.i(v.cot == cot::activation || v.type_id == 102 ? C : S, v.bytes);
        const auto sink = run(s.msgs);
        EXPECT_TRUE(sink.anomalies.empty()) << v.name << ::testing::PrintToString(sink.anomaly_names());
        ASSERT_EQ(sink.events.size(), 2u) << v.name;
    }
}

TEST(Iec104Session, StrictPrefixOfTheLastApduIsTruncatedAtEnd)
{
    Script base;
    base.u(C, startdt_act).u(S, startdt_con);
    for (size_t n = 1; n < sizeof test::m_me_tf_1; ++n) {
        std::vector<Msg> msgs = base.msgs;
        msgs.push_back({S, std::span<const uint8_t>{test::m_me_tf_1}.first(n)});
        const auto sink = run(msgs);
        EXPECT_EQ(sink.events.size(), 1u) << n;
        EXPECT_EQ(sink.anomaly_names(), Names{"iec104.truncated_apdu"}) << n;
    }
}

TEST(Iec104Session, SelectBeforeOperate)
{
    const auto execute = with_octet(test::c_sc_na_1, first_element_at, 0x01);  // SCO on, execute
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_sc_na_1).i(S, test::c_sc_na_1, cot::activation_con);  // select: done at con
    s.i(C, execute).i(S, execute, cot::activation_con);
    s.i(S, test::m_sp_na_1);  // the switch moved
    s.i(S, execute, cot::activation_term);
    const auto sink = run(s.msgs);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 4u);
    EXPECT_EQ(sink.events[1]["request"]["objects"][0]["command"]["select"], true);
    EXPECT_TRUE(sink.events[1].contains("response"));
    EXPECT_FALSE(sink.events[1].contains("termination"));
    EXPECT_EQ(sink.events[2]["response"]["type_name"], "M_SP_NA_1");
    EXPECT_EQ(sink.events[3]["request"]["objects"][0]["command"]["select"], false);
    EXPECT_EQ(sink.events[3]["termination"]["pcap_cnt"], 8);
}

TEST(Iec104Session, ExecutedCommandWithoutTerminationEndsAtFlowEndOrAfterTheWait)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_dc_na_1).i(S, test::c_dc_na_1, cot::activation_con);
    auto sink = run(s.msgs);
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_TRUE(sink.events[1].contains("response"));
    EXPECT_FALSE(sink.events[1].contains("termination"));
    EXPECT_EQ(sink.event_packets[1], 5u);  // reported by on_end

    // With capture time: the next APDU more than max_wait_us later reports it first.
    RecordingSink timed{protocol};
    Iec104Session session{timed};
    int64_t t = 1'000'000;
    for (size_t k = 0; k < s.msgs.size(); ++k)
        session.on_data(s.msgs[k].dir, s.msgs[k].bytes, PacketCtx{k + 1, t += 1000});
    EXPECT_EQ(timed.events.size(), 1u);
    EXPECT_EQ(session.outstanding(), 1u);
    const std::array<uint8_t, 6> ack = {0x68, 0x04, 0x01, 0x00, 0x02, 0x00};
    session.on_data(C, ack, PacketCtx{9, t + max_wait_us - 1});
    EXPECT_EQ(timed.events.size(), 1u);
    session.on_data(C, ack, PacketCtx{10, t + max_wait_us + 1});
    ASSERT_EQ(timed.events.size(), 2u);
    EXPECT_EQ(timed.event_packets[1], 10u);
    EXPECT_EQ(timed.events[1]["response"]["pcap_cnt"], 4);
    EXPECT_EQ(session.outstanding(), 0u);
}

TEST(Iec104Session, CommandsWithoutTerminationEndAtTheirConfirmation)
{
    for (std::span<const uint8_t> v :
         {std::span<const uint8_t>{test::c_rp_na_1}, std::span<const uint8_t>{test::c_cs_na_1},
          std::span<const uint8_t>{test::c_ts_na_1}, std::span<const uint8_t>{test::c_ts_ta_1},
          std::span<const uint8_t>{test::c_cd_na_1}, std::span<const uint8_t>{test::p_me_na_1},
          std::span<const uint8_t>{test::p_ac_na_1}}) {
        Script s;
        s.u(C, startdt_act).u(S, startdt_con);
        s.i(C, v).i(S, v, cot::activation_con);
        RecordingSink sink{protocol};
        Iec104Session session{sink};
        for (size_t k = 0; k < s.msgs.size(); ++k)
            session.on_data(s.msgs[k].dir, s.msgs[k].bytes, PacketCtx{k + 1, 0});
        ASSERT_EQ(sink.events.size(), 2u);
        EXPECT_EQ(session.outstanding(), 0u);
        session.on_end(PacketCtx{9, 0});
        EXPECT_EQ(sink.events.size(), 2u);
    }
    // A deactivation (COT 8) is confirmed with COT 9 and ends there.
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_ic_na_1).i(S, test::c_ic_na_1, cot::activation_con);
    s.i(C, test::c_ic_na_1, cot::deactivation).i(S, test::c_ic_na_1, cot::deactivation_con);
    const auto sink = run(s.msgs);
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(sink.events[1]["request"]["cause"], 8);
    EXPECT_EQ(sink.events[1]["response"]["cause"], 9);
    EXPECT_EQ(sink.events[2]["request"]["cause"], 6);  // the interrogation, at the end of the flow
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104SessionAnomaly, NegativeConfirmationEndsTheCommand)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_dc_na_1).i(S, test::c_dc_na_1, cot::activation_con | negative_bit);
    s.i(C, test::c_se_nb_1).i(S, test::c_se_nb_1, cot::unknown_ioa | negative_bit);
    const auto sink = run(s.msgs);
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(sink.events[1]["response"]["negative"], true);
    EXPECT_EQ(sink.events[2]["response"]["cause_name"], "unknown_ioa");
    EXPECT_EQ(sink.event_packets, (std::vector<uint64_t>{2, 4, 6}));
    EXPECT_EQ(sink.anomaly_names(), (Names{"iec104.negative_confirmation", "iec104.negative_confirmation"}));
    EXPECT_EQ(sink.anomalies[0].second, 4u);  // the context is the transaction
}

TEST(Iec104SessionAnomaly, UnexpectedConfirmation)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::c_sc_na_1, cot::activation_con);
    s.i(S, test::c_sc_na_1, cot::activation_term);
    const auto sink = run(s.msgs);
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_FALSE(sink.events[1].contains("request"));
    EXPECT_EQ(sink.events[2]["response"]["cause"], 10);
    EXPECT_EQ(sink.anomaly_names(),
              (Names{"iec104.unexpected_confirmation", "iec104.unexpected_confirmation"}));
}

TEST(Iec104Session, NoUnexpectedConfirmationAfterTheActivationsDirectionLostBytes)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::c_sc_na_1, cot::activation_con, 0, 1);
    RecordingSink sink{protocol};
    Iec104Session session{sink};
    session.on_data(C, s.msgs[0].bytes, PacketCtx{1, 0});
    session.on_data(S, s.msgs[1].bytes, PacketCtx{2, 0});
    session.on_gap(C, 16, PacketCtx{3, 0});  // the activation was lost
    session.on_data(S, s.msgs[2].bytes, PacketCtx{3, 0});
    session.on_end(PacketCtx{4, 0});
    EXPECT_EQ(sink.events.size(), 2u);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
}

TEST(Iec104Session, RepeatedActivationsAreAnsweredInOrder)
{
    // As in the zeek-iec104 capture: a second interrogation before the first was confirmed; the
    // station then confirms and terminates both, in order.
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_ic_na_1).i(C, test::c_ic_na_1);
    s.i(S, test::c_ic_na_1, cot::activation_con).i(S, test::c_ic_na_1, cot::activation_term);
    s.i(S, test::c_ic_na_1, cot::activation_con).i(S, test::c_ic_na_1, cot::activation_term);
    const auto sink = run(s.msgs);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(sink.events[1]["request"]["pcap_cnt"], 3);
    EXPECT_EQ(sink.events[1]["termination"]["pcap_cnt"], 6);
    EXPECT_EQ(sink.events[2]["request"]["pcap_cnt"], 4);
    EXPECT_EQ(sink.events[2]["response"]["pcap_cnt"], 7);
    EXPECT_EQ(sink.events[2]["termination"]["pcap_cnt"], 8);
}

TEST(Iec104Session, UnansweredActivationsAreReportedAtTheEndInOrder)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(C, test::c_ic_na_1).i(C, test::c_rp_na_1).u(C, testfr_act);
    const auto sink = run(s.msgs);
    ASSERT_EQ(sink.events.size(), 4u);
    EXPECT_EQ(sink.events[1]["request"]["type_name"], "C_IC_NA_1");
    EXPECT_EQ(sink.events[2]["request"]["type_name"], "C_RP_NA_1");
    EXPECT_EQ(sink.events[3]["request"]["u_function"], "testfr_act");
}

TEST(Iec104SessionAnomaly, TooManyPending)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    for (size_t k = 0; k <= max_pending; ++k)
        s.i(C, with_octet(test::c_sc_na_1, 12, static_cast<uint8_t>(k)));  // IOA low octet = k
    RecordingSink sink{protocol};
    auto session = std::make_unique<Iec104Session>(sink);
    uint64_t pkt = 0;
    for (const auto& m : s.msgs) {
        session->on_data(m.dir, m.bytes, PacketCtx{++pkt, 0});
        EXPECT_LE(session->outstanding(), max_pending);
    }
    session->on_end(PacketCtx{++pkt, 0});
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.too_many_pending"});
    ASSERT_EQ(sink.events.size(), max_pending + 2);
    EXPECT_EQ(sink.events[1]["request"]["ioas"][0], 0x010200);  // the oldest went first
}

TEST(Iec104Session, UFormatPairs)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con).u(C, stopdt_act).u(S, stopdt_con);
    s.u(C, testfr_act).u(C, testfr_act).u(S, testfr_con);  // the first TESTFR unanswered
    s.u(S, testfr_act);                                    // unanswered at the end
    const auto sink = run(s.msgs);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 5u);
    EXPECT_EQ(sink.events[1]["request"]["u_function"], "stopdt_act");
    EXPECT_EQ(sink.events[1]["response"]["u_function"], "stopdt_con");
    EXPECT_FALSE(sink.events[2].contains("response"));
    EXPECT_EQ(sink.events[3]["request"]["pcap_cnt"], 6);
    EXPECT_EQ(sink.events[4]["request"]["pcap_cnt"], 8);
}

TEST(Iec104SessionAnomaly, UConWithoutAct)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con).u(S, testfr_con);
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.u_con_without_act"});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["response"]["u_function"], "testfr_con");
}

TEST(Iec104SessionAnomaly, UnknownUFunction)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con).u(C, 0x0F);
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.unknown_u_function"});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["request"]["u_function"], "unknown");
}

TEST(Iec104Session, SFramesAreCountedNotReported)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con).i(S, test::m_sp_na_1).s(C).s(C);
    RecordingSink sink{protocol};
    Iec104Session session{sink};
    uint64_t pkt = 0;
    for (const auto& m : s.msgs)
        session.on_data(m.dir, m.bytes, PacketCtx{++pkt, 0});
    session.on_end(PacketCtx{++pkt, 0});
    EXPECT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(session.s_frames(C), 2u);
    EXPECT_EQ(session.s_frames(S), 0u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104SessionAnomaly, SendSeqGap)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1).i(S, test::m_sp_na_1, -1, 5);  // N(S) 0, then 5: 1-4 missing
    s.i(S, test::m_sp_na_1);                               // 6: in order again
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.send_seq_gap"});
    EXPECT_EQ(sink.anomalies[0].second, 4u);
}

TEST(Iec104SessionAnomaly, SendSeqRepeat)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1).i(S, test::m_sp_na_1).i(S, test::m_sp_na_1, -1, 1);  // 0, 1, 1 again
    s.i(S, test::m_sp_na_1, -1, 2);                                              // 2: in order
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.send_seq_repeat"});
    EXPECT_EQ(sink.anomalies[0].second, 5u);
    EXPECT_EQ(sink.events.size(), 5u);  // the repeat is still an event
}

TEST(Iec104Session, ASenderThatReallyWentBackIsFollowedAfterOneAlert)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1).i(S, test::m_sp_na_1).i(S, test::m_sp_na_1);  // 0 1 2
    s.i(S, test::m_sp_na_1, -1, 0).i(S, test::m_sp_na_1, -1, 1).i(S, test::m_sp_na_1, -1, 2);
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.send_seq_repeat"});
}

TEST(Iec104Session, SequenceNumbersWrapAt32768)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1);  // N(S) 0: sets nothing special
    RecordingSink sink{protocol};
    Iec104Session session{sink};
    uint64_t pkt = 0;
    for (const auto& m : s.msgs)
        session.on_data(m.dir, m.bytes, PacketCtx{++pkt, 0});
    // Run the server's counter around the wrap with acknowledgements from the client.
    Script more;
    more.next_ns(S, 1);
    for (uint32_t k = 1; k < seq_modulus + 5; ++k) {
        more.i(S, test::m_sp_na_1);
        if (k % 8 == 0) more.s(C);
    }
    for (const auto& m : more.msgs)
        session.on_data(m.dir, m.bytes, PacketCtx{++pkt, 0});
    session.on_end(PacketCtx{++pkt, 0});
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    EXPECT_EQ(sink.events.back()["response"]["tx_seq"], 4);
    EXPECT_EQ(sink.events.size(), 2u + seq_modulus + 4);  // the U pair, N(S) 0, then 1 .. 32768 + 4
}

TEST(Iec104SessionAnomaly, AckUnsent)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1);
    s.raw(C, {0x68, 0x04, 0x01, 0x00, 0x06, 0x00});  // S-format N(R) 3: only 1 was sent
    s.i(C, test::c_ic_na_1, -1, 0, 9);               // I-format N(R) 9
    s.s(C);                                          // N(R) 1: fine
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), (Names{"iec104.ack_unsent", "iec104.ack_unsent"}));
}

TEST(Iec104SessionAnomaly, IFrameBeforeStartdtOncePerConnection)
{
    Script s;
    s.i(C, test::c_ic_na_1).i(S, test::c_ic_na_1, cot::activation_con).i(S, test::m_sp_na_1);
    const auto sink = run(s.msgs);
    EXPECT_EQ(sink.anomaly_names(), Names{"iec104.i_frame_before_startdt"});
    EXPECT_EQ(sink.anomalies[0].second, 1u);
}

TEST(Iec104Session, NoStartdtExpectedInAConnectionPickedUpMidway)
{
    Script s;
    s.next_ns(S, 500).next_ns(C, 20);
    s.i(S, test::m_sp_na_1).i(S, test::m_me_nc_1).s(C).i(C, test::c_sc_na_1).s(S);
    // Picked up by content (no gap reported): the first APDU is not one a new connection starts with.
    auto sink = run(s.msgs);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    EXPECT_EQ(sink.events.size(), 3u);
    // Picked up with a gap reported first.
    RecordingSink gapped{protocol};
    Iec104Session session{gapped};
    session.on_gap(C, 0, PacketCtx{1, 0});
    session.on_gap(S, 0, PacketCtx{1, 0});
    uint64_t pkt = 0;
    for (const auto& m : s.msgs)
        session.on_data(m.dir, m.bytes, PacketCtx{++pkt, 0});
    session.on_end(PacketCtx{++pkt, 0});
    EXPECT_TRUE(gapped.anomalies.empty());
    EXPECT_EQ(gapped.events.size(), 3u);
}

TEST(Iec104Session, MidStreamPickupStartsAtTheFirstWholeApdu)
{
    Script s;
    s.next_ns(S, 1234).next_ns(C, 77);
    s.i(S, test::m_me_tf_1)
        .i(S, test::m_sp_tb_1)
        .i(C, test::c_sc_na_1)
        .i(S, test::c_sc_na_1, cot::activation_con);
    RecordingSink sink{protocol};
    Iec104Session session{sink};
    session.on_gap(S, 0, PacketCtx{1, 0});
    session.on_data(S, s.msgs[0].bytes.last(9), PacketCtx{1, 0});  // the tail of an APDU
    for (size_t k = 1; k < s.msgs.size(); ++k)
        session.on_data(s.msgs[k].dir, s.msgs[k].bytes, PacketCtx{k + 1, 0});
    session.on_end(PacketCtx{9, 0});
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["response"]["type_name"], "M_SP_TB_1");
    EXPECT_EQ(sink.events[0]["response"]["tx_seq"], 1235);
    EXPECT_EQ(sink.events[1]["request"]["tx_seq"], 77);
}

TEST(Iec104Session, GapThenResyncSetsTheExpectationAgain)
{
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    s.i(S, test::m_sp_na_1).i(S, test::m_sp_na_1);
    s.next_ns(S, 40);
    s.i(S, test::m_sp_na_1).i(S, test::m_sp_na_1);
    RecordingSink sink{protocol};
    Iec104Session session{sink};
    uint64_t pkt = 0;
    for (size_t k = 0; k < 4; ++k)
        session.on_data(s.msgs[k].dir, s.msgs[k].bytes, PacketCtx{++pkt, 0});
    session.on_data(S, s.msgs[4].bytes.first(5), PacketCtx{++pkt, 0});
    session.on_gap(S, 100, PacketCtx{++pkt, 0});
    const std::array<uint8_t, 4> junk = {0x00, 0x68, 0x99, 0x01};
    session.on_data(S, junk, PacketCtx{pkt, 0});
    session.on_data(S, s.msgs[5].bytes, PacketCtx{++pkt, 0});
    session.on_end(PacketCtx{++pkt, 0});
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 4u);
    EXPECT_EQ(sink.events[3]["response"]["tx_seq"], 41);
}

TEST(Iec104SessionAnomaly, BadStartByteAndBadLengthAfterSync)
{
    for (const auto& [junk, name] :
         {std::pair{std::vector<uint8_t>{0x00}, "iec104.bad_start_byte"},
          std::pair{std::vector<uint8_t>{0x68, 0x02, 0x00, 0x00}, "iec104.bad_length"},
          std::pair{std::vector<uint8_t>{0x68, 0xFF}, "iec104.bad_length"}}) {
        Script s;
        s.u(C, startdt_act).u(S, startdt_con);
        s.raw(C, junk);
        s.raw(C, {0x68, 0x04, 0x02, 0x00, 0x00, 0x00});  // junk that is not plausible either (I, len 4)
        s.u(C, testfr_act).u(S, testfr_con);
        const auto sink = run(s.msgs);
        EXPECT_EQ(sink.anomaly_names(), Names{name});  // once: no alert per skipped byte
        EXPECT_EQ(sink.events.size(), 2u);
    }
}

// Each anomaly the parser finds inside a framed APDU, seen through the session.
TEST(Iec104SessionAnomaly, ParserAnomaliesCarryTheirApdu)
{
    const std::pair<std::vector<uint8_t>, const char*> cases[] = {
        {{0x68, 0x0E, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01},
         "iec104.bad_control_field"},
        {{0x68, 0x05, 0x43, 0x00, 0x00, 0x00, 0x00}, "iec104.bad_length"},
        {{0x68, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00}, "iec104.short_asdu"},
        {with_octet(test::m_sp_na_1, 6, 0x16), "iec104.unknown_type_id"},
        {with_octet(test::m_sp_na_1, cot_at, 0x06), "iec104.cot_not_allowed"},
        {with_octet(test::m_sp_na_1, 7, 0x02), "iec104.object_count_mismatch"},
    };
    for (const auto& [bytes, name] : cases) {
        Script s;
        s.u(C, startdt_act).u(S, startdt_con);
        s.raw(S, bytes);
        const auto sink = run(s.msgs);
        EXPECT_EQ(sink.anomaly_names(), Names{name});
        EXPECT_EQ(sink.events.size(), 2u) << name;
        if (sink.anomalies.size() == 1) {
            EXPECT_EQ(sink.anomalies[0].second, 3u) << name;
        }
    }
    Script s;
    s.u(C, startdt_act).u(S, startdt_con);
    auto trailing = std::vector<uint8_t>(std::begin(test::m_sp_na_1), std::end(test::m_sp_na_1));
    trailing.push_back(0xEE);
    trailing[1] = static_cast<uint8_t>(trailing.size() - 2);
    s.raw(S, trailing);
    EXPECT_EQ(run(s.msgs).anomaly_names(), Names{"iec104.trailing_bytes"});
}

TEST(Iec104Session, OtherProtocolDeactivates)
{
    RecordingSink sink{protocol};
    Iec104Session s{sink};
    const std::array<uint8_t, 16> http = {'G', 'E', 'T', ' ', '/', ' ', 'H',  'T',
                                          'T', 'P', '/', '1', '.', '1', '\r', '\n'};
    s.on_data(C, http, PacketCtx{1, 0});
    EXPECT_FALSE(s.active());
    s.on_end(PacketCtx{2, 0});
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104Session, GarbageAfterAPickupGivesUpQuietly)
{
    RecordingSink sink{protocol};
    Iec104Session s{sink};
    s.on_gap(C, 0, PacketCtx{1, 0});
    std::vector<uint8_t> zeros(max_unsynced_bytes + 8,
                               0x68);  // 0x68 0x68: length 104 > bytes, never plausible
    for (size_t k = 1; k < zeros.size(); k += 2)
        zeros[k] = 0x02;
    s.on_data(C, zeros, PacketCtx{2, 0});
    EXPECT_FALSE(s.active());
    s.on_end(PacketCtx{3, 0});
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Iec104Session, OtherFieldLengths)
{
    // clang-format off
    const std::vector<uint8_t> act = {
        0x68, 0x0B, 0x00, 0x00, 0x00, 0x00,
        0x2D, 0x01, 0x06,    // C_SC_NA_1, 1 object, COT 6 (1 octet)
        0x07,                // common address 7 (1 octet)
        0x34, 0x12,          // IOA 0x1234 (2 octets)
        0x01,                // SCO on, execute
    };
    // clang-format on
    auto con = act;
    con[2] = 0x00;
    con[4] = 0x02;  // N(R) 1
    con[8] = cot::activation_con;
    auto term = con;
    term[2] = 0x02;  // N(S) 1
    term[8] = cot::activation_term;
    RecordingSink sink{protocol};
    Iec104Session session{sink, AsduConfig{1, 1, 2}};
    session.on_data(C, std::array<uint8_t, 6>{0x68, 0x04, 0x07, 0x00, 0x00, 0x00}, PacketCtx{1, 0});
    session.on_data(S, std::array<uint8_t, 6>{0x68, 0x04, 0x0B, 0x00, 0x00, 0x00}, PacketCtx{2, 0});
    session.on_data(C, act, PacketCtx{3, 0});
    session.on_data(S, con, PacketCtx{4, 0});
    session.on_data(S, term, PacketCtx{5, 0});
    session.on_end(PacketCtx{6, 0});
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomaly_names());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["request"]["common_address"], 7);
    EXPECT_EQ(sink.events[1]["request"]["ioas"][0], 0x1234);
    EXPECT_FALSE(sink.events[1]["request"].contains("originator"));
    EXPECT_EQ(sink.events[1]["termination"]["pcap_cnt"], 5);
}

TEST(Iec104Session, ObjectsBeyondTheCapAreCounted)
{
    std::vector<uint8_t> f = {0x68, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFF,
                              0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    f.resize(f.size() + max_objects, 0x01);  // SQ 1, 127 single points from IOA 0
    f[1] = static_cast<uint8_t>(f.size() - 2);
    Script s;
    s.u(C, startdt_act).u(S, startdt_con).raw(S, f);
    const auto sink = run(s.msgs);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    const auto& pdu = sink.events[1]["response"];
    EXPECT_EQ(pdu["num_objects"], 127);
    EXPECT_EQ(pdu["ioas"].size(), 127u);
    EXPECT_EQ(pdu["objects"].size(), max_eve_objects);
    EXPECT_EQ(pdu["objects_truncated"], 127 - max_eve_objects);
}

TEST(Iec104Session, DissectorInfoMakesSessions)
{
    RecordingSink sink{protocol};
    auto s = dissector_info.make_session(sink);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(dissector_info.proto, Protocol::Iec104);
    EXPECT_EQ(dissector_info.ports.size(), 1u);
    EXPECT_EQ(dissector_info.ports[0], 2404);
    EXPECT_EQ(dissector_info.anomalies.size(), anomaly_table.size());
    EXPECT_EQ(dissect::anomaly_sid(protocol, 1), 2003001u);
}

// Every anomaly code has a test above; this keeps the list honest when one is added.
TEST(Iec104SessionAnomaly, EveryCodeIsCovered)
{
    EXPECT_EQ(anomaly_table.size(), 18u) << "add a test for the new anomaly";
}

// The fuzz seed corpus (dissectors/common/testing/session_fuzz.h format: chunks of at most 126
// bytes with a direction bit), built from the vectors: every seed must run through the session
// with no anomaly, and IEC104_WRITE_CORPUS=DIR writes them to DIR
// (dissectors/iec104/fuzz/corpus/iec104_session_fuzz holds the committed ones).
TEST(Iec104Session, FuzzSeedsRunClean)
{
    std::vector<std::pair<std::string, std::vector<Msg>>> seeds;
    std::deque<Script> scripts;  // the seeds' bytes live here
    // Initialised in place (no move): msgs hold spans into the script's own frames.
    const Script normal = normal_session();
    seeds.emplace_back("normal_session", normal.msgs);
    for (const auto& v : test::all_types) {
        Script& s = scripts.emplace_back();
        const bool command = v.cot == cot::activation;
        s.u(C, startdt_act).u(S, startdt_con).i(command || v.type_id == 102 ? C : S, v.bytes);
        if (command) s.i(S, v.bytes, cot::activation_con);
        // Executed control commands and the interrogations end with a termination; a select
        // (the C_SC_NA_1 and C_SE_NC_1 vectors) and the other system/parameter types do not.
        const bool select = v.name == "c_sc_na_1" || v.name == "c_se_nc_1";
        const bool terminates = (v.type_id >= 45 && v.type_id <= 64) || v.type_id == 100 || v.type_id == 101;
        if (command && terminates && !select) s.i(S, v.bytes, cot::activation_term);
        seeds.emplace_back(std::string{v.name}, s.msgs);
    }
    const char* dir = std::getenv("IEC104_WRITE_CORPUS");
    for (const auto& [name, msgs] : seeds) {
        std::vector<uint8_t> out;
        for (const auto& m : msgs)
            for (size_t off = 0; off < m.bytes.size(); off += 126) {
                const size_t n = std::min<size_t>(126, m.bytes.size() - off);
                out.push_back(static_cast<uint8_t>((m.dir == S ? 0x80 : 0x00) | n));
                out.insert(out.end(), m.bytes.begin() + static_cast<std::ptrdiff_t>(off),
                           m.bytes.begin() + static_cast<std::ptrdiff_t>(off + n));
            }
        RecordingSink sink{protocol};
        Iec104Session session{sink};
        dissect::testing::run_session_chunks(session, out.data(), out.size(), [] {});
        EXPECT_TRUE(sink.anomalies.empty()) << name << ::testing::PrintToString(sink.anomaly_names());
        EXPECT_GE(sink.events.size(), 2u) << name;
        EXPECT_EQ(session.outstanding(), 0u) << name;
        if (dir != nullptr)
            std::ofstream{std::filesystem::path{dir} / name, std::ios::binary}.write(
                reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    }
}

}  // namespace
}  // namespace otsentry::iec104
