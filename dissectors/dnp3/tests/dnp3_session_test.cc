// DNP3 session tests: a poll conversation whole, cut in any pieces and as UDP datagrams; transport
// reassembly; pairing (requests, unsolicited responses and confirms, link service requests); one
// test per anomaly; gaps, mid-stream pickup and non-DNP3 flows. With DNP3_WRITE_CORPUS=DIR set,
// the conversations are also written as fuzz seeds (README.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dissectors/common/testing/recording_sink.h"
#include "dissectors/dnp3/dnp3_session.h"
#include "dissectors/dnp3/tests/dnp3_vectors.h"

namespace otsentry::dnp3 {
namespace {

namespace v = vectors;
using dissect::testing::feed;
using dissect::testing::Msg;
using dissect::testing::RecordingSink;
using Names = std::vector<std::string>;

constexpr Direction C = Direction::ToServer;  // the master's side
constexpr Direction S = Direction::ToClient;  // the outstation's side

// A conversation owning its bytes (a deque keeps them in place as it grows).
struct Conv {
    std::deque<std::vector<uint8_t>> bytes;
    std::vector<Msg> msgs;

    Conv& add(Direction d, std::vector<uint8_t> b)
    {
        bytes.push_back(std::move(b));
        msgs.push_back({d, bytes.back()});
        return *this;
    }
    Conv& req(std::span<const uint8_t> app) { return add(C, v::from_master(app)); }
    Conv& resp(std::span<const uint8_t> app) { return add(S, v::from_outstation(app)); }
};

auto tcp(RecordingSink& sink)
{
    return std::make_unique<Dnp3Session>(sink, false);
}

auto udp(RecordingSink& sink)
{
    return std::make_unique<Dnp3Session>(sink, true);
}

RecordingSink run(const Conv& conv, size_t piece = 0, bool datagrams = false)
{
    RecordingSink sink{protocol};
    if (datagrams)
        feed(sink, udp, conv.msgs, piece);
    else
        feed(sink, tcp, conv.msgs, piece);
    return sink;
}

const std::vector<uint8_t> request_link_status = v::link_frame(0xC9, v::outstation, v::master);
const std::vector<uint8_t> link_status = v::link_frame(0x0B, v::master, v::outstation);

Conv poll()
{
    Conv c;
    c.req(v::read_class_req).resp(v::read_class_resp);           // 1
    c.req(v::read_events_req).resp(v::events_resp);              // 2
    c.req(v::confirm_seq2);                                      // 3: confirms the CON response
    c.req(v::read_static_req).resp(v::static_resp);              // 4
    c.req(v::select_req).resp(v::select_resp);                   // 5
    c.req(v::operate_req).resp(v::operate_resp);                 // 6
    c.req(v::direct_operate_req).resp(v::direct_operate_resp);   // 7
    c.req(v::direct_operate_nr_req);                             // 8: never answered
    c.req(v::delay_measure_req).resp(v::delay_measure_resp);     // 9
    c.req(v::write_time_req).resp(v::null_resp_seq10);           // 10
    c.req(v::record_time_req).resp(v::null_resp_seq11);          // 11
    c.req(v::cold_restart_req).resp(v::cold_restart_resp);       // 12
    c.resp(v::null_unsolicited).req(v::unsolicited_confirm0);    // 13
    c.resp(v::unsolicited_events).req(v::unsolicited_confirm1);  // 14
    c.add(C, request_link_status).add(S, link_status);           // 15
    return c;
}

TEST(Dnp3Session, PollConversationPairsEverything)
{
    const auto sink = run(poll());
    EXPECT_TRUE(sink.anomalies.empty()) << sink.anomaly_names().front();
    ASSERT_EQ(sink.events.size(), 15u);
    const auto& e = sink.events;
    EXPECT_EQ(e[0]["request"]["function_name"], "read");
    EXPECT_EQ(e[0]["request"]["src"], v::master);
    EXPECT_EQ(e[0]["request"]["dst"], v::outstation);
    EXPECT_EQ(e[0]["response"]["iin"], 0x9000);
    EXPECT_EQ(e[0]["response"]["objects"].size(), 7u);
    EXPECT_EQ(e[0]["response"]["link"]["function_name"], "unconfirmed_user_data");
    EXPECT_EQ(e[0]["response"]["pcap_cnt"], 2);
    EXPECT_EQ(e[1]["response"]["control"]["con"], true);
    EXPECT_EQ(e[2]["request"]["function_name"], "confirm");
    EXPECT_FALSE(e[2].contains("response"));
    EXPECT_EQ(e[4]["request"]["function_name"], "select");
    EXPECT_EQ(e[5]["request"]["function_name"], "operate");
    EXPECT_EQ(e[6]["response"]["objects"][0]["points"][0]["status_name"], "success");
    EXPECT_EQ(e[7]["request"]["function_name"], "direct_operate_nr");
    EXPECT_FALSE(e[7].contains("response"));
    EXPECT_EQ(e[9]["request"]["objects"][0]["points"][0]["time"], v::t0_ms);
    EXPECT_EQ(e[11]["request"]["function_name"], "cold_restart");
    EXPECT_EQ(e[11]["response"]["objects"][0]["points"][0]["delay_ms"], 2000);
    // Unsolicited: the response first on the wire, the master's confirm as the request.
    EXPECT_EQ(e[12]["response"]["function_name"], "unsolicited_response");
    EXPECT_EQ(e[12]["response"]["iin_names"], nlohmann::json{"device_restart"});
    EXPECT_EQ(e[12]["request"]["function_name"], "confirm");
    EXPECT_EQ(e[12]["request"]["control"]["uns"], true);
    EXPECT_LT(e[12]["response"]["pcap_cnt"], e[12]["request"]["pcap_cnt"]);
    EXPECT_EQ(e[13]["response"]["objects"][0]["group"], 2);
    // Link service: no application layer.
    EXPECT_EQ(e[14]["request"]["link"]["function_name"], "request_link_status");
    EXPECT_EQ(e[14]["response"]["link"]["function_name"], "link_status");
    EXPECT_FALSE(e[14]["request"].contains("function_code"));
    EXPECT_EQ(e[14]["response"]["src"], v::outstation);
}

TEST(Dnp3Session, AnySegmentationGivesTheSameEvents)
{
    const Conv c = poll();
    const auto whole = run(c);
    for (size_t piece : {1, 2, 3, 7, 10, 13, 100}) {
        const auto cut = run(c, piece);
        EXPECT_EQ(cut.texts, whole.texts) << "piece " << piece;
        EXPECT_EQ(cut.anomaly_names(), whole.anomaly_names());
    }
}

TEST(Dnp3Session, UdpDatagramsGiveTheSameEvents)
{
    const Conv c = poll();
    const auto sink = run(c, 0, true);
    EXPECT_EQ(sink.texts, run(c).texts);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dnp3Session, SeveralFramesInOneSegment)
{
    Conv c;
    std::vector<uint8_t> both = v::from_master(v::read_class_req);
    const auto second = v::from_master(v::read_static_req);
    both.insert(both.end(), second.begin(), second.end());
    c.add(C, both).resp(v::static_resp);
    const auto sink = run(c);
    ASSERT_EQ(sink.events.size(), 2u);  // the static read replaced the unanswered class read
    EXPECT_FALSE(sink.events[0].contains("response"));
    EXPECT_EQ(sink.events[1]["response"]["objects"].size(), 18u);
    EXPECT_TRUE(sink.anomalies.empty());
}

// ------------------------------------------------------------------------------ transport

std::vector<uint8_t> big_response(uint8_t seq_ctl)
{
    // g30v1 start 0 stop 99: 100 analog inputs of 5 bytes, 509 bytes in all.
    std::vector<uint8_t> app = {seq_ctl, 0x81, 0x00, 0x00, 0x1E, 0x01, 0x00, 0x00, 0x63};
    for (int i = 0; i < 100; ++i)
        app.insert(app.end(), {0x01, static_cast<uint8_t>(i), 0x00, 0x00, 0x00});
    return app;
}

constexpr std::array<uint8_t, 5> read_analogs_req = {0xC5, 0x01, 0x1E, 0x01, 0x06};

TEST(Dnp3Transport, ReassemblesAFragmentAcrossLinkFrames)
{
    const auto app = big_response(0xC5);
    for (uint8_t tseq : {0, 62}) {  // 62: the sequence wraps 62, 63, 0
        Conv c;
        c.req(read_analogs_req)
            .add(S, v::frames(v::ctl_from_outstation, v::master, v::outstation, app, tseq));
        for (size_t piece : {0, 1, 5, 292}) {
            const auto sink = run(c, piece);
            EXPECT_TRUE(sink.anomalies.empty());
            ASSERT_EQ(sink.events.size(), 1u);
            const auto& r = sink.events[0]["response"];
            EXPECT_EQ(r["link"]["frames"], 3);
            EXPECT_EQ(r["transport"]["segments"], 3);
            EXPECT_EQ(r["transport"]["seq"], (tseq + 2) % 64);
            EXPECT_EQ(r["objects"][0]["count"], 100);
            EXPECT_EQ(r["objects"][0]["points"][63]["value"], 63);
            EXPECT_EQ(r["objects"][0]["points_truncated"], 36);
        }
    }
}

// The three segments of big_response as separate frames.
std::vector<std::vector<uint8_t>> big_segments(std::span<const uint8_t> app, const std::array<uint8_t, 3>& th)
{
    std::vector<std::vector<uint8_t>> out;
    for (size_t i = 0, off = 0; i < 3; ++i) {
        const size_t n = std::min<size_t>(249, app.size() - off);
        std::vector<uint8_t> user = {th[i]};
        user.insert(user.end(), app.begin() + static_cast<std::ptrdiff_t>(off),
                    app.begin() + static_cast<std::ptrdiff_t>(off + n));
        out.push_back(v::link_frame(v::ctl_from_outstation, v::master, v::outstation, user));
        off += n;
    }
    return out;
}

TEST(Dnp3Transport, OutOfSequenceSegmentDropsTheFragment)
{
    const auto app = big_response(0xC5);
    const auto seg = big_segments(app, {0x40, 0x02, 0x83});  // FIR 0, then 2 (1 missing), FIN 3
    Conv c;
    c.req(read_analogs_req).add(S, seg[0]).add(S, seg[1]).add(S, seg[2]);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.transport_sequence"});
    ASSERT_EQ(sink.events.size(), 1u);  // the request, unanswered
    EXPECT_FALSE(sink.events[0].contains("response"));
}

TEST(Dnp3Transport, NewFirBeforeFinRestarts)
{
    const auto app = big_response(0xC5);
    const auto seg = big_segments(app, {0x40, 0x01, 0x82});
    Conv c;
    c.req(read_analogs_req).add(S, seg[0]).add(S, seg[0]).add(S, seg[1]).add(S, seg[2]);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.transport_sequence"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["objects"][0]["count"], 100);
}

TEST(Dnp3Transport, RepeatedSegmentIsDiscarded)
{
    const auto app = big_response(0xC5);
    const auto seg = big_segments(app, {0x40, 0x01, 0x82});
    Conv c;
    c.req(read_analogs_req).add(S, seg[0]).add(S, seg[1]).add(S, seg[1]).add(S, seg[2]);
    const auto sink = run(c);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["transport"]["segments"], 3);
}

TEST(Dnp3Transport, ContinuationWithoutFirst)
{
    const auto app = big_response(0xC5);
    const auto seg = big_segments(app, {0x40, 0x01, 0x82});
    Conv c;
    // The first fragment completes the channel; then a middle segment arrives alone.
    c.req(read_analogs_req).add(S, seg[0]).add(S, seg[1]).add(S, seg[2]).add(S, seg[1]);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.transport_sequence"});
    EXPECT_EQ(sink.events.size(), 1u);
}

TEST(Dnp3TransportAnomaly, ReassemblyOverflow)
{
    // 2241 application bytes in 9 segments: the 9th passes 2048.
    std::vector<uint8_t> app = {0xC5, 0x81, 0x00, 0x00};
    app.resize(9 * 249, 0x00);
    Conv c;
    c.req(read_analogs_req).add(S, v::frames(v::ctl_from_outstation, v::master, v::outstation, app));
    c.req(v::read_static_req).resp(v::static_resp);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.reassembly_overflow"});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_FALSE(sink.events[0].contains("response"));  // the analog read, replaced unanswered
    EXPECT_TRUE(sink.events[1].contains("response"));
}

TEST(Dnp3TransportAnomaly, TooManyChannels)
{
    Conv c;
    std::vector<uint8_t> user = {0x40, 0xC0, 0x81, 0x00, 0x00};  // FIR without FIN
    for (uint16_t src = 100; src < 100 + max_channels + 1; ++src)
        c.add(S, v::link_frame(v::ctl_from_outstation, v::master, src, user));
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.too_many_channels"});
    EXPECT_TRUE(sink.events.empty());
}

// ------------------------------------------------------------------------------ link layer

TEST(Dnp3LinkAnomaly, BadHeaderCrcResynchronises)
{
    auto bad = v::from_master(v::read_static_req);
    bad[8] ^= 0x55;
    Conv c;
    c.req(v::read_class_req).add(C, bad).req(v::read_events_req).resp(v::events_resp);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.bad_link_crc"});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "read");
    EXPECT_EQ(sink.events[1]["response"]["control"]["seq"], 2);
}

TEST(Dnp3LinkAnomaly, BadDataCrcIsReportedAndParsed)
{
    auto bad = v::from_master(v::direct_operate_req);
    bad.back() ^= 0x01;
    Conv c;
    c.add(C, bad).resp(v::direct_operate_resp);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.bad_data_crc"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["link"]["bad_crc"], true);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "direct_operate");
}

TEST(Dnp3LinkAnomaly, BadLinkLength)
{
    auto bad = v::link_frame(0xC4, v::outstation, v::master);
    bad[2] = 3;
    const uint16_t crc = v::reference_crc(std::span<const uint8_t>{bad}.first(8));
    bad[8] = static_cast<uint8_t>(crc & 0xFF);
    bad[9] = static_cast<uint8_t>(crc >> 8);
    Conv c;
    c.req(v::read_class_req).add(C, bad).req(v::read_static_req);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.bad_link_length"});
    EXPECT_EQ(sink.events.size(), 2u);
}

TEST(Dnp3LinkAnomaly, BadStartBytesBetweenFrames)
{
    Conv c;
    c.req(v::read_class_req).add(C, {'j', 'u', 'n', 'k', 0x05, 0x64, 0x00}).req(v::read_static_req);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.bad_start_bytes"});
    EXPECT_EQ(sink.events.size(), 2u);
}

TEST(Dnp3LinkAnomaly, UnknownLinkFunction)
{
    Conv c;
    c.add(C, v::link_frame(0xC5, v::outstation, v::master));  // primary function 5: reserved
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.unknown_link_function"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["link"]["function_name"], "reserved");
}

TEST(Dnp3LinkAnomaly, TruncatedFrameAtEndForEveryStrictPrefix)
{
    const auto frame = v::from_master(v::read_static_req);
    for (size_t n = 1; n < frame.size(); ++n) {
        Conv c;
        c.req(v::read_class_req)
            .add(C, std::vector<uint8_t>(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n)));
        const auto sink = run(c);
        EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.truncated_frame"}) << n;
        EXPECT_EQ(sink.events.size(), 1u) << n;  // the class read, unanswered
    }
}

TEST(Dnp3LinkAnomaly, TruncatedFrameInADatagram)
{
    auto d = v::from_master(v::read_class_req);
    const auto next = v::from_master(v::read_static_req);
    d.insert(d.end(), next.begin(), next.begin() + 12);
    Conv c;
    c.add(C, d).req(v::read_events_req);
    const auto sink = run(c, 0, true);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.truncated_frame"});
    EXPECT_EQ(sink.events.size(), 2u);  // class read and events read: the cut frame is lost
}

TEST(Dnp3Link, ResetLinkAndAck)
{
    Conv c;
    c.add(C, v::link_frame(0xC0, v::outstation, v::master))
        .add(S, v::link_frame(0x00, v::master, v::outstation));
    c.add(S, v::link_frame(0x00, v::master, v::outstation));  // an ack nobody asked for
    const auto sink = run(c);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["request"]["link"]["function_name"], "reset_link_states");
    EXPECT_EQ(sink.events[0]["response"]["link"]["function_name"], "ack");
    EXPECT_FALSE(sink.events[1].contains("request"));
}

// ----------------------------------------------------------------------- application layer

TEST(Dnp3SessionAnomaly, FragmentAnomaliesCarryTheirTransaction)
{
    struct Bad {
        std::span<const uint8_t> app;
        const char* name;
    };
    for (const auto& [app, name] : {Bad{v::unknown_function_req, "dnp3.unknown_function"},
                                    Bad{v::unknown_object_read, "dnp3.unknown_object"},
                                    Bad{v::reserved_qualifier_req, "dnp3.malformed_object_header"},
                                    Bad{v::stop_below_start_req, "dnp3.malformed_object_header"}}) {
        Conv c;
        c.req(app);
        const auto sink = run(c);
        EXPECT_EQ(sink.anomaly_names(), Names{name});
        ASSERT_EQ(sink.anomalies.size(), 1u);
        EXPECT_EQ(sink.anomalies[0].second, 1u);  // context: the request of packet 1
        EXPECT_EQ(sink.events.size(), 1u);
    }
    Conv c;
    c.req(v::read_static_req).resp(v::truncated_objects_resp);
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(),
              (Names{"dnp3.truncated_fragment", "dnp3.response_without_request"}));  // seq 4 vs 3
    Conv d;
    d.req(std::array<uint8_t, 2>{0xC4, 0x01}).resp(v::truncated_objects_resp);
    const auto paired = run(d);
    EXPECT_EQ(paired.anomaly_names(), Names{"dnp3.truncated_fragment"});
    EXPECT_EQ(paired.anomalies[0].second, 2u);
    EXPECT_EQ(paired.events[0]["response"]["objects"][0]["truncated"], true);
}

TEST(Dnp3SessionAnomaly, ResponseWithoutRequest)
{
    Conv c;
    c.resp(v::read_class_resp);
    auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.response_without_request"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_FALSE(sink.events[0].contains("request"));
    // A later fragment of a multi-fragment response (FIR clear) is not an orphan.
    auto later = big_response(0x46);  // FIN, seq 6
    Conv d;
    d.resp(later);
    sink = run(d);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(Dnp3Session, MultiFragmentResponse)
{
    auto first = big_response(0x86);   // FIR, seq 6
    auto second = big_response(0x47);  // FIN, seq 7
    const std::array<uint8_t, 5> req = {0xC6, 0x01, 0x1E, 0x01, 0x06};
    Conv c;
    c.req(req).resp(first).resp(second);
    const auto sink = run(c);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["response"]["control"]["fin"], false);
    EXPECT_FALSE(sink.events[1].contains("request"));
    EXPECT_EQ(sink.events[1]["response"]["control"]["seq"], 7);
}

TEST(Dnp3SessionAnomaly, TooManyOutstanding)
{
    Conv c;
    for (uint16_t dst = 100; dst < 100 + max_outstanding + 1; ++dst)
        c.add(C, v::frames(v::ctl_from_master, dst, v::master, v::read_class_req));
    const auto sink = run(c);
    EXPECT_EQ(sink.anomaly_names(), Names{"dnp3.too_many_outstanding"});
    ASSERT_EQ(sink.events.size(), max_outstanding + 1);
    EXPECT_EQ(sink.events[0]["request"]["dst"], 100);  // evicted first
}

TEST(Dnp3Session, UnsolicitedRetryIsReportedUnconfirmed)
{
    Conv c;
    c.resp(v::null_unsolicited).resp(v::null_unsolicited).req(v::unsolicited_confirm0);
    const auto sink = run(c);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_FALSE(sink.events[0].contains("request"));
    EXPECT_EQ(sink.events[1]["request"]["function_name"], "confirm");
    EXPECT_EQ(sink.events[1]["response"]["pcap_cnt"], 2);
}

TEST(Dnp3Session, UnsolicitedNeverConfirmedIsReportedAtEnd)
{
    Conv c;
    c.resp(v::unsolicited_events).req(v::unsolicited_confirm0);  // confirm of another seq
    const auto sink = run(c);
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "confirm");
    EXPECT_EQ(sink.events[1]["response"]["function_name"], "unsolicited_response");
}

TEST(Dnp3Session, BroadcastRequestIsNotAwaited)
{
    Conv c;
    c.add(C, v::frames(v::ctl_from_master, 0xFFFF, v::master, v::write_time_req));
    const auto sink = run(c);
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["dst"], 0xFFFF);
    EXPECT_EQ(sink.event_packets[0], 1u);  // reported at once, not at the end
}

// ------------------------------------------------------------------------- gaps and pickup

TEST(Dnp3Session, MidStreamPickupResynchronises)
{
    RecordingSink sink{protocol};
    Dnp3Session s{sink, false};
    s.on_gap(C, 0, PacketCtx{1, 0});
    s.on_gap(S, 0, PacketCtx{1, 0});
    const auto resp = v::from_outstation(v::read_class_resp);
    s.on_data(S, std::span<const uint8_t>{resp}.subspan(7), PacketCtx{1, 0});  // inside a frame
    const auto req = v::from_master(v::read_events_req);
    s.on_data(C, req, PacketCtx{2, 0});
    const auto events = v::from_outstation(v::events_resp);
    s.on_data(S, events, PacketCtx{3, 0});
    s.on_end(PacketCtx{4, 0});
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["pcap_cnt"], 3);
}

TEST(Dnp3Session, NoOrphanAnomalyRightAfterAGap)
{
    RecordingSink sink{protocol};
    Dnp3Session s{sink, false};
    s.on_gap(S, 0, PacketCtx{1, 0});
    const auto resp = v::from_outstation(v::read_class_resp);
    s.on_data(S, resp, PacketCtx{1, 0});
    s.on_end(PacketCtx{2, 0});
    EXPECT_TRUE(sink.anomalies.empty());
    EXPECT_EQ(sink.events.size(), 1u);
}

TEST(Dnp3Session, GapInsideAFragment)
{
    const auto app = big_response(0xC5);
    const auto seg = big_segments(app, {0x40, 0x01, 0x82});
    RecordingSink sink{protocol};
    Dnp3Session s{sink, false};
    s.on_data(S, seg[0], PacketCtx{1, 0});
    s.on_gap(S, 300, PacketCtx{2, 0});
    s.on_data(S, seg[2], PacketCtx{2, 0});  // the FIN segment, nothing to join it to
    const auto whole = v::from_outstation(v::events_resp);
    s.on_data(S, whole, PacketCtx{3, 0});
    s.on_end(PacketCtx{4, 0});
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["pcap_cnt"], 3);
}

TEST(Dnp3Session, OtherProtocolsDeactivate)
{
    for (const bool datagrams : {false, true}) {
        RecordingSink sink{protocol};
        Dnp3Session s{sink, datagrams};
        std::string http;
        while (http.size() < 2 * max_unsynced_bytes)
            http += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        const std::vector<uint8_t> zeros(400, 0);
        s.on_data(C, zeros, PacketCtx{1, 0});
        for (size_t off = 0; off < http.size() && s.active(); off += 100) {
            const auto part =
                std::span<const char>{http}.subspan(off, std::min<size_t>(100, http.size() - off));
            const std::vector<uint8_t> bytes(part.begin(), part.end());
            s.on_data(C, bytes, PacketCtx{2, 0});
        }
        EXPECT_FALSE(s.active());
        s.on_end(PacketCtx{3, 0});
        EXPECT_TRUE(sink.events.empty());
        EXPECT_TRUE(sink.anomalies.empty());
    }
}

// ---------------------------------------------------------------------- registry and fields

TEST(Dnp3Session, DissectorInfos)
{
    EXPECT_EQ(dissector_info.transport, dissect::Transport::Tcp);
    EXPECT_EQ(udp_dissector_info.transport, dissect::Transport::Udp);
    for (const auto* d : {&dissector_info, &udp_dissector_info}) {
        EXPECT_EQ(d->proto, Protocol::Dnp3);
        ASSERT_EQ(d->ports.size(), 1u);
        EXPECT_EQ(d->ports[0], 20000);
        RecordingSink sink{protocol};
        EXPECT_NE(d->make_session(sink), nullptr);
        EXPECT_EQ(d->anomalies.size(), anomaly_table.size());
    }
    for (size_t i = 0; i < anomaly_table.size(); ++i) {
        EXPECT_EQ(anomaly_table[i].code, i + 1);
        EXPECT_EQ(dissect::anomaly_sid(Protocol::Dnp3, anomaly_table[i].code), 2002000u + i + 1);
    }
}

dissect::FieldValue field(const Pdu& p, std::string_view name)
{
    for (const auto& f : fields())
        if (f.name == name) return f.get(p);
    ADD_FAILURE() << "no field " << name;
    return {};
}

TEST(Dnp3Fields, RuleFieldsOfACrobRequestAndAResponse)
{
    Pdu p;
    p.link = LinkHeader{25, 0xC4, v::outstation, v::master};
    p.transport = 0xC3;
    parse_application(v::direct_operate_req, p);
    EXPECT_EQ(field(p, "dnp3.src").u, v::master);
    EXPECT_EQ(field(p, "dnp3.dst").u, v::outstation);
    EXPECT_EQ(field(p, "dnp3.link_function").u, 4u);
    EXPECT_EQ(field(p, "dnp3.link_dir").u, 1u);
    EXPECT_EQ(field(p, "dnp3.transport_seq").u, 3u);
    EXPECT_EQ(field(p, "dnp3.function").u, 5u);
    EXPECT_EQ(field(p, "dnp3.function_name").str, "direct_operate");
    EXPECT_EQ(field(p, "dnp3.app_seq").u, 6u);
    EXPECT_EQ(field(p, "dnp3.fir").u, 1u);
    EXPECT_EQ(field(p, "dnp3.con").u, 0u);
    EXPECT_FALSE(field(p, "dnp3.iin").present);
    EXPECT_EQ(field(p, "dnp3.object_group").u, 12u);
    EXPECT_EQ(field(p, "dnp3.object_variation").u, 1u);
    EXPECT_EQ(field(p, "dnp3.object_qualifier").u, 0x28u);
    EXPECT_EQ(field(p, "dnp3.object_count").u, 1u);
    EXPECT_EQ(field(p, "dnp3.point_count").u, 1u);
    EXPECT_EQ(field(p, "dnp3.crob_control_code").u, 0x41u);
    EXPECT_EQ(field(p, "dnp3.data").bytes.size(), v::direct_operate_req.size() - 2);
    Pdu r;
    parse_application(v::read_class_resp, r);
    EXPECT_EQ(field(r, "dnp3.iin").u, 0x9000u);
    EXPECT_FALSE(field(r, "dnp3.crob_control_code").present);
    Pdu link;
    link.kind = PduKind::LinkOnly;
    EXPECT_FALSE(field(link, "dnp3.function").present);
    EXPECT_FALSE(field(link, "dnp3.object_group").present);
}

// --------------------------------------------------------------------------- fuzz seeds

// The session fuzz format (dissectors/common/testing/session_fuzz.h) after a transport byte.
std::vector<uint8_t> chunks(const Conv& c, bool datagrams)
{
    std::vector<uint8_t> out = {static_cast<uint8_t>(datagrams ? 1 : 0)};
    for (const auto& m : c.msgs) {
        for (size_t off = 0; off < m.bytes.size(); off += 126) {
            const size_t n = std::min<size_t>(126, m.bytes.size() - off);
            out.push_back(static_cast<uint8_t>((m.dir == S ? 0x80 : 0x00) | n));
            out.insert(out.end(), m.bytes.begin() + static_cast<std::ptrdiff_t>(off),
                       m.bytes.begin() + static_cast<std::ptrdiff_t>(off + n));
            if (datagrams) break;  // a datagram is one chunk: cut at 126 bytes
        }
    }
    return out;
}

TEST(Dnp3Corpus, WriteSeedsWhenAsked)
{
    const char* dir = std::getenv("DNP3_WRITE_CORPUS");
    if (dir == nullptr) GTEST_SKIP() << "set DNP3_WRITE_CORPUS=DIR to write fuzz seeds";
    namespace fs = std::filesystem;
    const fs::path session_dir = fs::path{dir} / "dnp3_session_fuzz";
    const fs::path parser_dir = fs::path{dir} / "dnp3_parser_fuzz";
    fs::create_directories(session_dir);
    fs::create_directories(parser_dir);
    const auto write = [](const fs::path& p, std::span<const uint8_t> b) {
        std::ofstream f{p, std::ios::binary};
        f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    };
    const Conv c = poll();
    write(session_dir / "poll_tcp.bin", chunks(c, false));
    write(session_dir / "poll_udp.bin", chunks(c, true));
    Conv r;
    r.req(read_analogs_req)
        .add(S, v::frames(v::ctl_from_outstation, v::master, v::outstation, big_response(0xC5), 62));
    write(session_dir / "reassembly.bin", chunks(r, false));
    Conv a;
    a.req(v::unknown_object_read)
        .resp(v::truncated_objects_resp)
        .req(v::open_file_req)
        .resp(v::open_file_resp);
    a.req(v::file_auth_req).resp(v::attributes_resp).resp(v::auth_challenge_resp).req(v::auth_reply_req);
    a.req(v::write_strings_req).req(v::aob_req).req(v::freeze_at_time_req).req(v::stop_app_req);
    write(session_dir / "objects.bin", chunks(a, false));
    size_t i = 0;
    for (const auto& m : a.msgs)
        write(parser_dir / ("frame_" + std::to_string(i++) + ".bin"), m.bytes);
    for (auto app :
         {std::span<const uint8_t>{v::read_class_resp}, std::span<const uint8_t>{v::events_resp},
          std::span<const uint8_t>{v::static_resp}, std::span<const uint8_t>{v::direct_operate_req},
          std::span<const uint8_t>{v::aob_req}, std::span<const uint8_t>{v::attributes_resp},
          std::span<const uint8_t>{v::open_file_req}, std::span<const uint8_t>{v::file_data_resp},
          std::span<const uint8_t>{v::write_strings_req}, std::span<const uint8_t>{v::auth_challenge_resp},
          std::span<const uint8_t>{v::freeze_at_time_req}, std::span<const uint8_t>{v::cold_restart_resp}})
        write(parser_dir / ("app_" + std::to_string(i++) + ".bin"), app);
}

}  // namespace
}  // namespace otsentry::dnp3
