// S7comm parser and session: every function, ROSCTR, SZL and userdata group we claim, every
// anomaly, every strict prefix, any segmentation, gaps and mid-stream pickup, and MMS on the
// same port left alone.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dissectors/common/testing/recording_sink.h"
#include "dissectors/s7comm/s7comm_session.h"
#include "dissectors/s7comm/tests/s7comm_vectors.h"

namespace otsentry::s7comm {
namespace {

namespace v = vectors;
using dissect::testing::feed;
using dissect::testing::Msg;
using dissect::testing::RecordingSink;
using Bytes = std::vector<uint8_t>;

constexpr auto C = Direction::ToServer;
constexpr auto S = Direction::ToClient;

auto make = [](dissect::EventSink& sink) { return std::make_unique<S7commSession>(sink); };

std::span<const uint8_t> s7_part(const Bytes& frame)
{
    return std::span<const uint8_t>{frame}.subspan(7);
}

Pdu parse(const Bytes& frame)
{
    Pdu p;
    EXPECT_EQ(parse_pdu(s7_part(frame), p), ParseStatus::Ok);
    return p;
}

RecordingSink run(const std::vector<Msg>& msgs, size_t piece = 0)
{
    RecordingSink sink{protocol};
    feed(sink, make, msgs, piece);
    return sink;
}

const std::vector<Msg>& conversation()
{
    static const std::vector<Msg> msgs = {
        {C, v::connect_request},  {S, v::connect_confirm},
        {C, v::setup_job},        {S, v::setup_ack},
        {C, v::read_job},         {S, v::read_ack},
        {C, v::write_job},        {S, v::write_ack},
        {C, v::szl_11_job},       {S, v::szl_11_ack},
        {C, v::szl_1c_job},       {S, v::szl_1c_ack},
        {C, v::request_download}, {S, v::request_download_ack},
        {S, v::download_block},   {C, v::download_block_ack},
        {S, v::download_ended},   {C, v::download_ended_ack},
        {C, v::pi_inse},          {S, v::pi_ack},
        {C, v::password_job},     {C, v::read_clock_job},
        {S, v::read_clock_ack},   {C, v::plc_stop},
        {S, v::plc_stop_ack},     {C, v::disconnect_request},
    };
    return msgs;
}

TEST(S7commParser, SetupCommunication)
{
    const Pdu p = parse(v::setup_job);
    EXPECT_EQ(p.rosctr, 1);
    EXPECT_EQ(p.pdu_ref, 1);
    EXPECT_EQ(p.function, 0xF0);
    EXPECT_EQ(p.max_amq_calling, 1);
    EXPECT_EQ(p.max_amq_called, 1);
    EXPECT_EQ(p.pdu_size, 480);
    EXPECT_EQ(p.anomalies, 0u);
    const Pdu a = parse(v::setup_ack);
    EXPECT_EQ(a.rosctr, 3);
    EXPECT_EQ(a.pdu_size, 240);
    EXPECT_TRUE(a.has(Has::Error));
}

TEST(S7commParser, ReadVarItems)
{
    const Pdu p = parse(v::read_job);
    ASSERT_EQ(p.items_parsed, 2);
    EXPECT_EQ(p.item_count, 2);
    EXPECT_EQ(p.items[0].area, 0x84);
    EXPECT_EQ(p.items[0].db, 1);
    EXPECT_EQ(p.items[0].byte_address(), 10u);
    EXPECT_EQ(p.items[0].length, 4);
    EXPECT_EQ(p.items[1].area, 0x83);
    EXPECT_EQ(p.items[1].byte_address(), 3u);
    EXPECT_EQ(p.items[1].bit_address(), 3);
    EXPECT_EQ(p.anomalies, 0u);
    const Pdu a = parse(v::read_ack);
    ASSERT_EQ(a.items_parsed, 2);
    EXPECT_EQ(a.items[0].return_code, 0xFF);
    EXPECT_EQ(a.items[0].data.size(), 4u);
    EXPECT_EQ(a.items[1].data.size(), 1u);
    EXPECT_EQ(a.anomalies, 0u);
}

TEST(S7commParser, FailedReadItemsCarryNoDataWhateverTheirLength)
{
    // As Snap7 answers: the failed item repeats the requested length (4 octets) but no data follows.
    const auto ack = v::dt({
        0x32, 0x03, 0x00, 0x00, 0x00, 0x02,  // ack-data, PDU reference 2
        0x00, 0x02, 0x00, 0x0A,              // parameter 2, data 10
        0x00, 0x00,                          // no error
        0x04, 0x02,                          // read var, 2 items
        0x0A, 0x00, 0x00, 0x20,              // item 1: object does not exist, length 32 bits, no data
        0xFF, 0x04, 0x00, 0x10,              // item 2: success, 16 bits
        0xAB, 0xCD,                          //   data
    });
    const Pdu a = parse(ack);
    ASSERT_EQ(a.items_parsed, 2);
    EXPECT_EQ(a.items[0].return_code, 0x0A);
    EXPECT_TRUE(a.items[0].data.empty());
    EXPECT_EQ(a.items[1].data.size(), 2u);
    EXPECT_EQ(a.anomalies, 0u);
}

TEST(S7commParser, WriteVar)
{
    const Pdu p = parse(v::write_job);
    ASSERT_EQ(p.items_parsed, 1);
    EXPECT_EQ(p.items[0].area, 0x82);
    EXPECT_EQ(p.items[0].data.size(), 2u);
    EXPECT_EQ(p.anomalies, 0u);
    const Pdu a = parse(v::write_ack);
    ASSERT_EQ(a.items_parsed, 1);
    EXPECT_EQ(a.items[0].return_code, 0xFF);
}

TEST(S7commParser, DownloadAndPiAndStop)
{
    Pdu p = parse(v::request_download);
    EXPECT_EQ(p.function, 0x1A);
    EXPECT_EQ(block_type_name(p.block_type), "OB");
    EXPECT_EQ(p.block_number, 1u);
    EXPECT_EQ(p.anomalies, 0u);
    p = parse(v::download_block_ack);
    EXPECT_EQ(p.block_data.size(), 4u);
    EXPECT_EQ(p.anomalies, 0u);
    p = parse(v::pi_inse);
    EXPECT_EQ(std::string(p.pi_service.begin(), p.pi_service.end()), "_INSE");
    EXPECT_EQ(block_type_name(p.block_type), "OB");
    EXPECT_EQ(p.block_number, 1u);
    EXPECT_EQ(p.anomalies, 0u);
    p = parse(v::plc_stop);
    EXPECT_EQ(p.function, 0x29);
    EXPECT_EQ(std::string(p.pi_service.begin(), p.pi_service.end()), "P_PROGRAM");
    EXPECT_EQ(p.anomalies, 0u);
}

TEST(S7commParser, UserdataSzlAndIdentity)
{
    Pdu p = parse(v::szl_11_job);
    EXPECT_EQ(p.ud_type, 4);
    EXPECT_EQ(p.ud_group, 4);
    EXPECT_EQ(p.ud_subfunction, 1);
    EXPECT_EQ(p.szl_id, 0x0011);
    EXPECT_EQ(p.szl_index, 1);
    p = parse(v::szl_11_ack);
    EXPECT_EQ(p.szl_records_kept, 2);
    EXPECT_EQ(p.anomalies, 0u);
    p = parse(v::szl_1c_ack);
    EXPECT_EQ(p.szl_records_kept, 2);
    EXPECT_EQ(p.anomalies, 0u);
    p = parse(v::password_job);
    EXPECT_TRUE(p.has(Has::Password));
    p = parse(v::read_clock_ack);
    EXPECT_TRUE(p.has(Has::Time));
    EXPECT_EQ(p.anomalies, 0u);
}

TEST(S7commSession, Conversation)
{
    const RecordingSink sink = run(conversation());
    EXPECT_TRUE(sink.anomalies.empty()) << sink.anomaly_names().front();
    // connect, setup, read, write, szl x2, download x3, pi, password (unanswered, at end), clock,
    // stop, DR.
    ASSERT_EQ(sink.events.size(), 14u);
    const auto& connect = sink.events[0];
    EXPECT_EQ(connect["request"]["cotp"], "CR");
    EXPECT_EQ(connect["request"]["tsap_dst"], 0x0102);
    EXPECT_EQ(connect["request"]["slot"], 2);
    EXPECT_EQ(connect["request"]["rack"], 0);
    EXPECT_EQ(connect["response"]["cotp"], "CC");
    // The CC repeats the CR's TSAPs (it does not swap them): the PLC is the called TSAP in both.
    EXPECT_EQ(connect["response"]["slot"], 2);
    EXPECT_EQ(connect["response"]["rack"], 0);
    EXPECT_EQ(sink.events[1]["response"]["pdu_size"], 240);
    const auto& read = sink.events[2];
    EXPECT_EQ(read["request"]["function_name"], "read_var");
    EXPECT_EQ(read["request"]["items"][0]["area"], 0x84);
    EXPECT_EQ(read["request"]["items"][0]["db"], 1);
    EXPECT_EQ(read["request"]["items"][0]["address"], 10);
    EXPECT_EQ(read["response"]["items"][0]["data"], "01020304");
    EXPECT_EQ(sink.events[3]["request"]["items"][0]["data"], "abcd");
    const auto& szl11 = sink.events[4];
    EXPECT_EQ(szl11["request"]["szl_id"], 0x11);
    EXPECT_EQ(szl11["response"]["identity"]["order_number"], "6ES7 315-2EH14-0AB0");
    EXPECT_EQ(szl11["response"]["identity"]["firmware_version"], "V3.2.6");
    const auto& szl1c = sink.events[5];
    EXPECT_EQ(szl1c["response"]["identity"]["station_name"], "PLC-A");
    EXPECT_EQ(szl1c["response"]["identity"]["serial_number"], "S C-X123");
    EXPECT_EQ(sink.events[6]["request"]["download_id"], 1);
    EXPECT_EQ(sink.events[6]["request"]["block_type"], "OB");
    EXPECT_EQ(sink.events[7]["request"]["function_name"], "download_block");
    EXPECT_EQ(sink.events[7]["response"]["download_id"], 1);
    const auto& ended = sink.events[8];
    EXPECT_EQ(ended["request"]["function_name"], "download_ended");
    EXPECT_EQ(ended["download"]["id"], 1);
    EXPECT_EQ(ended["download"]["blocks"], 1);
    EXPECT_EQ(ended["download"]["octets"], 4);
    EXPECT_EQ(ended["download"]["filename"], "_0800001P");
    EXPECT_EQ(sink.events[9]["request"]["pi_service"], "_INSE");
    EXPECT_EQ(sink.events[10]["request"]["userdata_subfunction_name"], "read_clock");
    EXPECT_EQ(sink.events[10]["response"]["time"], "00192405171230451234");
    EXPECT_EQ(sink.events[11]["request"]["function_name"], "plc_stop");
    EXPECT_EQ(sink.events[12]["request"]["cotp"], "DR");
    EXPECT_EQ(sink.events[13]["request"]["password_function"], 1);
    EXPECT_FALSE(sink.events[13].contains("response"));
}

TEST(S7commSession, AnySegmentationGivesTheSameEvents)
{
    const RecordingSink whole = run(conversation());
    for (size_t piece : {1u, 2u, 3u, 5u, 7u, 13u, 64u}) {
        const RecordingSink cut = run(conversation(), piece);
        EXPECT_EQ(cut.texts, whole.texts) << piece;
        EXPECT_EQ(cut.anomaly_names(), whole.anomaly_names()) << piece;
    }
}

TEST(S7commSession, EveryStrictPrefixWaits)
{
    for (const auto& m : conversation()) {
        const Bytes frame(m.bytes.begin(), m.bytes.end());
        for (size_t n = 1; n < frame.size(); ++n) {
            RecordingSink sink{protocol};
            auto s = make(sink);
            s->on_data(C, v::setup_job, {1, 0});
            s->on_data(m.dir, std::span{frame}.first(n), {2, 0});
            EXPECT_TRUE(sink.events.empty());
            s->on_end({3, 0});
            EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7comm.truncated_pdu"}) << n;
        }
    }
}

TEST(S7commSession, CotpSegmentedPdu)
{
    // read_job split over two DTs: the first without EOT.
    const auto s7 = s7_part(v::read_job);
    Bytes first = {0x03, 0x00, 0x00, 0x0F, 0x02, 0xF0, 0x00};
    first.insert(first.end(), s7.begin(), s7.begin() + 8);
    Bytes second = {0x03, 0x00, 0x00, static_cast<uint8_t>(7 + s7.size() - 8), 0x02, 0xF0, 0x80};
    second.insert(second.end(), s7.begin() + 8, s7.end());
    const RecordingSink sink = run({{C, first}, {C, second}, {S, v::read_ack}});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["items"].size(), 2u);
    EXPECT_EQ(sink.events[0]["request"]["pcap_cnt"], 2);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(S7commSession, MidStreamPickup)
{
    RecordingSink sink{protocol};
    auto s = make(sink);
    s->on_gap(C, 0, {1, 0});
    s->on_gap(S, 0, {1, 0});
    // The tail of a frame whose start was not seen, then whole frames.
    s->on_data(C, std::span{v::write_job}.subspan(9), {2, 0});
    s->on_data(C, v::read_job, {3, 0});
    s->on_data(S, v::read_ack, {4, 0});
    s->on_end({5, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["function_code"], 4);
    EXPECT_TRUE(sink.anomalies.empty());
    // Without the gap notice (the engine probed first): the same.
    RecordingSink sink2{protocol};
    feed(sink2, make,
         std::vector<Msg>{
             {C, Bytes(v::write_job.begin() + 9, v::write_job.end())}, {C, v::read_job}, {S, v::read_ack}});
    EXPECT_EQ(sink2.events.size(), 1u);
}

TEST(S7commSession, GapResynchronises)
{
    RecordingSink sink{protocol};
    auto s = make(sink);
    s->on_data(C, v::setup_job, {1, 0});
    s->on_data(S, v::setup_ack, {2, 0});
    s->on_data(C, std::span{v::read_job}.first(10), {3, 0});
    s->on_gap(C, 20, {4, 0});
    s->on_data(C, v::write_job, {5, 0});
    s->on_data(S, v::write_ack, {6, 0});
    s->on_end({7, 0});
    EXPECT_EQ(sink.events.size(), 2u);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(S7commSession, MmsOnPort102IsNotClaimed)
{
    // CR, CC, then DT carrying an ISO session CONNECT SPDU (0x0D).
    const Bytes mms = {0x03, 0x00, 0x00, 0x0D, 0x02, 0xF0, 0x80, 0x0D, 0x04, 0x01, 0x00, 0x00, 0x00};
    RecordingSink sink{protocol};
    auto s = make(sink);
    s->on_data(C, v::connect_request, {1, 0});
    s->on_data(S, v::connect_confirm, {2, 0});
    s->on_data(C, mms, {3, 0});
    EXPECT_FALSE(s->active());
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
    Bytes probe_bytes = v::connect_request;
    EXPECT_EQ(probe(probe_bytes, C), dissect::ProbeResult::NeedMore);
    probe_bytes.insert(probe_bytes.end(), mms.begin(), mms.end());
    EXPECT_EQ(probe(probe_bytes, C), dissect::ProbeResult::NoMatch);
}

TEST(S7commSession, Probe)
{
    Bytes b = v::connect_request;
    b.insert(b.end(), v::setup_job.begin(), v::setup_job.end());
    for (size_t n = 1; n <= v::connect_request.size() + 7; ++n)
        EXPECT_EQ(probe(std::span{b}.first(n), C), dissect::ProbeResult::NeedMore) << n;
    EXPECT_EQ(probe(b, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(v::setup_ack, S), dissect::ProbeResult::Match);
    const Bytes plus = {0x03, 0x00, 0x00, 0x0B, 0x02, 0xF0, 0x80, 0x72, 0x01, 0x00, 0x00};
    EXPECT_EQ(probe(plus, C), dissect::ProbeResult::NoMatch);
    const Bytes modbus = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
    EXPECT_EQ(probe(modbus, C), dissect::ProbeResult::NoMatch);
}

// One test per anomaly.
std::vector<std::string> anomalies_of(const std::vector<Msg>& msgs)
{
    return run(msgs).anomaly_names();
}

TEST(S7commAnomaly, BadTpkt)
{
    const Bytes bad = {0x03, 0x00, 0x00, 0x03, 0x02, 0xF0, 0x80};  // length 3
    EXPECT_EQ(anomalies_of({{C, v::setup_job}, {S, v::setup_ack}, {C, bad}}),
              std::vector<std::string>{"s7comm.bad_tpkt"});
}

TEST(S7commAnomaly, BadCotp)
{
    const Bytes bad = {0x03, 0x00, 0x00, 0x08, 0x02, 0x30, 0x80, 0x32};  // TPDU code 0x30
    EXPECT_EQ(anomalies_of({{C, v::setup_job}, {S, v::setup_ack}, {C, bad}}),
              std::vector<std::string>{"s7comm.bad_cotp"});
}

TEST(S7commAnomaly, BadHeader)
{
    const Bytes bad = vectors::dt({0x33, 0x01, 0x00});
    EXPECT_EQ(anomalies_of({{C, v::setup_job}, {S, v::setup_ack}, {C, bad}}),
              std::vector<std::string>{"s7comm.bad_header"});
}

TEST(S7commAnomaly, BadLength)
{
    const Bytes bad =
        vectors::dt({0x32, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x08, 0x00, 0x05,  // data 5: absent
                     0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0});
    const auto names = anomalies_of({{C, bad}});
    EXPECT_EQ(names, std::vector<std::string>{"s7comm.bad_length"});
}

TEST(S7commAnomaly, UnknownRosctr)
{
    const Bytes bad = vectors::dt({0x32, 0x05, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00});
    EXPECT_EQ(anomalies_of({{C, bad}}), std::vector<std::string>{"s7comm.unknown_rosctr"});
}

TEST(S7commAnomaly, UnknownFunction)
{
    const Bytes bad = vectors::dt({0x32, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01, 0x00, 0x00, 0x77});
    const RecordingSink sink = run({{C, bad}});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7comm.unknown_function"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["function_name"], "unknown");
}

TEST(S7commAnomaly, ItemCountMismatch)
{
    // Read var announcing 3 items with 2 present.
    Bytes bad = v::read_job;
    bad[7 + 11] = 3;
    EXPECT_EQ(anomalies_of({{C, bad}}), std::vector<std::string>{"s7comm.item_count_mismatch"});
    // A response with a different item count than its request.
    const Bytes one = vectors::dt({0x32, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x08, 0x00,
                                   0x00, 0x04, 0x01, 0xFF, 0x04, 0x00, 0x20, 0x01, 0x02, 0x03, 0x04});
    EXPECT_EQ(anomalies_of({{C, v::read_job}, {S, one}}),
              std::vector<std::string>{"s7comm.item_count_mismatch"});
}

TEST(S7commAnomaly, ResponseWithoutRequest)
{
    const RecordingSink sink = run({{S, v::read_ack}});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7comm.response_without_request"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_FALSE(sink.events[0].contains("request"));
}

TEST(S7commAnomaly, ErrorResponse)
{
    const RecordingSink sink = run({{C, v::plc_stop}, {S, v::plc_stop_refused}});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7comm.error_response"});
    EXPECT_EQ(sink.events[0]["response"]["error_class"], 0x81);
    EXPECT_EQ(sink.events[0]["response"]["error_code"], 4);
    EXPECT_EQ(anomaly_table[8].severity, 3);
}

TEST(S7commAnomaly, TruncatedPdu)
{
    EXPECT_EQ(anomalies_of({{C, v::setup_job}, {C, Bytes(v::read_job.begin(), v::read_job.end() - 1)}}),
              std::vector<std::string>{"s7comm.truncated_pdu"});
}

TEST(S7commAnomaly, TooManyOutstanding)
{
    std::vector<Msg> msgs;
    std::vector<Bytes> jobs;
    for (uint8_t i = 0; i <= max_outstanding; ++i)
        jobs.push_back(vectors::dt({0x32, 0x01, 0x00, 0x00, 0x10, i, 0x00, 0x08, 0x00, 0x00, 0xF0, 0x00, 0x00,
                                    0x01, 0x00, 0x01, 0x01, 0xE0}));
    for (const auto& j : jobs)
        msgs.push_back({C, j});
    const RecordingSink sink = run(msgs);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"s7comm.too_many_outstanding"});
    EXPECT_EQ(sink.events.size(), max_outstanding + 1);
}

TEST(S7commAnomaly, MalformedParameter)
{
    // Setup communication cut after the reserved octet (lengths still add up).
    const Bytes bad = vectors::dt({0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0xF0, 0x00});
    EXPECT_EQ(anomalies_of({{C, bad}}), std::vector<std::string>{"s7comm.malformed_parameter"});
}

TEST(S7commAnomaly, ReassemblyOverflow)
{
    std::vector<Msg> msgs = {{C, v::setup_job}};
    std::vector<Bytes> parts;
    // 9 DTs of 1000 user octets without EOT: past the 8192-octet cap.
    for (int i = 0; i < 9; ++i) {
        Bytes b = {0x03, 0x00, 0x03, 0xEF, 0x02, 0xF0, 0x00};
        b.resize(1007, i == 0 ? 0x32 : 0x00);
        parts.push_back(b);
    }
    for (const auto& p : parts)
        msgs.push_back({C, p});
    const auto names = anomalies_of(msgs);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "s7comm.reassembly_overflow");
}

TEST(S7commAnomaly, CotpError)
{
    const Bytes er = {0x03, 0x00, 0x00, 0x0A, 0x05, 0x70, 0x00, 0x01, 0x02, 0x00};  // ER, cause 2
    EXPECT_EQ(anomalies_of({{C, v::setup_job}, {S, v::setup_ack}, {S, er}}),
              std::vector<std::string>{"s7comm.cotp_error"});
}

TEST(S7commAnomaly, EveryAnomalyHasATest)
{
    EXPECT_EQ(anomaly_table.size(), 14u);
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        EXPECT_EQ(anomaly_table[i].code, i + 1);
}

TEST(S7commFields, NamesAreUniqueAndPrefixed)
{
    std::vector<std::string> names;
    for (const auto& f : fields()) {
        EXPECT_EQ(f.name.substr(0, 7), "s7comm.");
        names.emplace_back(f.name);
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

}  // namespace
}  // namespace otsentry::s7comm
