#include "dissectors/modbus/modbus_session.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dissectors/modbus/tests/modbus_vectors.h"

namespace otsentry::modbus {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): the vectors
using nlohmann::json;

// Renders every event with JsonWriter, as the EVE writer will, and keeps the text.
class TestSink final : public dissect::EventSink {
public:
    void on_event(Protocol proto, const PacketCtx& /*ctx*/, const dissect::EventBody& event) override
    {
        EXPECT_EQ(proto, Protocol::Modbus);
        std::string out;
        dissect::JsonWriter w{out};
        event.write_json(w);
        EXPECT_EQ(w.depth(), 0u);
        EXPECT_TRUE(json::accept(out)) << out;
        texts.push_back(out);
        events.push_back(json::parse(out));
    }
    void on_anomaly(Protocol proto, const PacketCtx& ctx, const dissect::AnomalyInfo& anomaly,
                    const dissect::EventBody* context) override
    {
        EXPECT_EQ(proto, Protocol::Modbus);
        anomalies.emplace_back(std::string{anomaly.name}, context != nullptr ? context->pcap_cnt() : 0);
        anomaly_packets.push_back(ctx.pcap_cnt);
    }

    [[nodiscard]] std::vector<std::string> anomaly_names() const
    {
        std::vector<std::string> names;
        for (const auto& a : anomalies)
            names.push_back(a.first);
        return names;
    }

    std::vector<std::string> texts;
    std::vector<json> events;
    std::vector<std::pair<std::string, uint64_t>> anomalies;  // name, context pcap_cnt
    std::vector<uint64_t> anomaly_packets;
};

struct Msg {
    Direction dir;
    std::span<const uint8_t> bytes;
};

constexpr Direction C = Direction::ToServer;
constexpr Direction S = Direction::ToClient;

// A conversation covering every vector: each request, then its answer.
const std::vector<Msg>& conversation()
{
    static const std::vector<Msg> msgs = {
        {C, read_coils_req},
        {S, read_coils_resp},
        {C, read_discrete_req},
        {S, read_discrete_resp},
        {C, read_holding_req},
        {S, read_holding_resp},
        {C, read_input_req},
        {S, read_input_resp},
        {C, write_coil_req},
        {S, write_coil_req},
        {C, write_register_req},
        {S, write_register_req},
        {C, read_exception_status_req},
        {S, read_exception_status_resp},
        {C, diagnostics_req},
        {S, diagnostics_req},
        {C, force_listen_only_req},
        {C, comm_event_counter_req},
        {S, comm_event_counter_resp},
        {C, comm_event_log_req},
        {S, comm_event_log_resp},
        {C, write_coils_req},
        {S, write_coils_resp},
        {C, write_registers_req},
        {S, write_registers_resp},
        {C, report_server_id_req},
        {S, report_server_id_resp},
        {C, read_file_req},
        {S, read_file_resp},
        {C, write_file_req},
        {S, write_file_req},
        {C, mask_write_req},
        {S, mask_write_req},
        {C, read_write_req},
        {S, read_write_resp},
        {C, read_fifo_req},
        {S, read_fifo_resp},
        {C, canopen_req},
        {S, canopen_resp},
        {C, device_id_req},
        {S, device_id_resp},
        {C, read_holding_req},
        {S, exception_resp},
        {C, user_defined_req},
    };
    return msgs;
}

// Feeds each message in pieces of at most `chunk` bytes (0: whole), packet numbers from 1.
TestSink run(const std::vector<Msg>& msgs, size_t chunk, bool end = true)
{
    TestSink sink;
    ModbusSession s{sink};
    uint64_t pkt = 0;
    for (const auto& m : msgs) {
        const PacketCtx ctx{++pkt, 0};
        const size_t step = chunk == 0 ? m.bytes.size() : chunk;
        for (size_t off = 0; off < m.bytes.size(); off += step) {
            const std::vector<uint8_t> piece(
                m.bytes.begin() + static_cast<std::ptrdiff_t>(off),
                m.bytes.begin() + static_cast<std::ptrdiff_t>(std::min(off + step, m.bytes.size())));
            s.on_data(m.dir, piece, ctx);
        }
    }
    if (end) s.on_end(PacketCtx{++pkt, 0});
    return sink;
}

std::vector<uint8_t> concat(std::initializer_list<std::span<const uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (auto p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<uint8_t> bytes_of_vec(std::span<const uint8_t> s)
{
    return {s.begin(), s.end()};
}

std::vector<uint8_t> with_tid(std::span<const uint8_t> v, uint16_t tid)
{
    std::vector<uint8_t> out{static_cast<uint8_t>(tid >> 8), static_cast<uint8_t>(tid)};
    if (v.size() > 2) out.insert(out.end(), v.begin() + 2, v.end());
    return out;
}

TEST(ModbusSession, ConversationPairsEveryRequest)
{
    const auto sink = run(conversation(), 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.exception"});
    // 21 answered transactions, Force Listen Only (never answered) and the user-defined
    // request left unanswered at the end.
    ASSERT_EQ(sink.events.size(), 23u);
    for (const auto& e : sink.events) {
        EXPECT_TRUE(e.contains("request")) << e;
        if (e.contains("response")) {
            EXPECT_EQ(e["request"]["transaction_id"], e["response"]["transaction_id"]);
            EXPECT_EQ(e["request"]["function_code"], e["response"]["function_code"]);
        }
    }
    const auto& first = sink.events[0];
    EXPECT_EQ(first["request"]["pcap_cnt"], 1);
    EXPECT_EQ(first["response"]["pcap_cnt"], 2);
    // A read-coils response carries whole bytes; the request's quantity (19) trims them.
    EXPECT_EQ(first["response"]["coils"].get<std::string>().size(), 19u);
    const auto& holding = sink.events[2];
    EXPECT_EQ(holding["request"]["address"], 107);
    EXPECT_EQ(holding["request"]["quantity"], 3);
    EXPECT_EQ(holding["response"]["values"], json({555, 0, 100}));
    // Force Listen Only is reported at once, with no response.
    const auto& listen = sink.events[8];
    EXPECT_EQ(listen["request"]["subfunction"], 4);
    EXPECT_FALSE(listen.contains("response"));
    const auto& exc = sink.events[21];
    EXPECT_EQ(exc["response"]["exception_code"], 2);
    EXPECT_EQ(exc["response"]["function_code"], 3);
    EXPECT_EQ(sink.events[22]["request"]["function_code"], 65);
    EXPECT_FALSE(sink.events[22].contains("response"));
}

TEST(ModbusSession, ByteAtATimeEqualsWhole)
{
    const auto whole = run(conversation(), 0);
    for (size_t chunk : {1, 2, 3, 5, 7, 8, 13}) {
        SCOPED_TRACE(chunk);
        const auto pieces = run(conversation(), chunk);
        EXPECT_EQ(pieces.texts, whole.texts);
        EXPECT_EQ(pieces.anomalies, whole.anomalies);
    }
}

TEST(ModbusSession, OneSegmentPerDirectionEqualsOnePerMessage)
{
    // All requests in one segment, then all responses in one segment; then random chunking.
    std::vector<uint8_t> reqs;
    std::vector<uint8_t> resps;
    for (const auto& m : conversation())
        (m.dir == C ? reqs : resps).insert((m.dir == C ? reqs : resps).end(), m.bytes.begin(), m.bytes.end());
    std::vector<Msg> by_dir;
    for (const auto& m : conversation())
        if (m.dir == C) by_dir.push_back(m);
    for (const auto& m : conversation())
        if (m.dir == S) by_dir.push_back(m);
    const auto expected = run(by_dir, 0);

    TestSink sink;
    ModbusSession s{sink};
    s.on_data(C, reqs, PacketCtx{1, 0});
    s.on_data(S, resps, PacketCtx{1, 0});
    s.on_end(PacketCtx{2, 0});
    ASSERT_EQ(sink.events.size(), expected.events.size());

    std::mt19937 rng{12345};
    for (int round = 0; round < 20; ++round) {
        TestSink rs;
        ModbusSession r{rs};
        for (auto* buf : {&reqs, &resps}) {
            const Direction dir = buf == &reqs ? C : S;
            size_t off = 0;
            while (off < buf->size()) {
                const size_t n = std::min<size_t>(1 + rng() % 40, buf->size() - off);
                const std::vector<uint8_t> piece(buf->begin() + static_cast<std::ptrdiff_t>(off),
                                                 buf->begin() + static_cast<std::ptrdiff_t>(off + n));
                r.on_data(dir, piece, PacketCtx{1, 0});
                off += n;
            }
        }
        r.on_end(PacketCtx{2, 0});
        EXPECT_EQ(rs.texts, sink.texts);
        EXPECT_EQ(rs.anomalies, sink.anomalies);
    }
}

TEST(ModbusSession, InterleavedTransactionIds)
{
    const auto q1 = with_tid(read_holding_req, 1);
    const auto q2 = with_tid(read_input_req, 2);
    const auto q3 = with_tid(write_register_req, 3);
    const auto r2 = with_tid(read_input_resp, 2);
    const auto r3 = with_tid(write_register_req, 3);
    const auto r1 = with_tid(read_holding_resp, 1);
    const auto sink = run({{C, q1}, {C, q2}, {C, q3}, {S, r2}, {S, r3}, {S, r1}}, 0);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(sink.events[0]["request"]["transaction_id"], 2);
    EXPECT_EQ(sink.events[0]["request"]["function_code"], 4);
    EXPECT_EQ(sink.events[0]["request"]["pcap_cnt"], 2);
    EXPECT_EQ(sink.events[0]["response"]["pcap_cnt"], 4);
    EXPECT_EQ(sink.events[1]["request"]["function_code"], 6);
    EXPECT_EQ(sink.events[2]["request"]["function_code"], 3);
    EXPECT_EQ(sink.events[2]["response"]["values"], json({555, 0, 100}));
}

TEST(ModbusSession, SameTransactionIdOnOtherUnitsPairsByUnit)
{
    auto qa = with_tid(read_holding_req, 7);
    auto qb = qa;
    qb[6] = 0x22;  // unit 0x22
    auto ra = with_tid(read_holding_resp, 7);
    auto rb = ra;
    rb[6] = 0x22;
    const auto sink = run({{C, qa}, {C, qb}, {S, rb}, {S, ra}}, 0);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[0]["request"]["unit_id"], 0x22);
    EXPECT_EQ(sink.events[0]["response"]["unit_id"], 0x22);
    EXPECT_EQ(sink.events[1]["request"]["unit_id"], 0x11);
}

TEST(ModbusSession, OnEndFlushesUnansweredInOrder)
{
    TestSink sink;
    ModbusSession s{sink};
    for (uint16_t tid : {5, 3, 9})
        s.on_data(C, with_tid(read_coils_req, tid), PacketCtx{tid, 0});
    EXPECT_EQ(s.outstanding(), 3u);
    EXPECT_TRUE(sink.events.empty());
    s.on_end(PacketCtx{100, 0});
    EXPECT_EQ(s.outstanding(), 0u);
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(sink.events[0]["request"]["transaction_id"], 5);
    EXPECT_EQ(sink.events[1]["request"]["transaction_id"], 3);
    EXPECT_EQ(sink.events[2]["request"]["transaction_id"], 9);
    EXPECT_EQ(sink.events[2]["request"]["pcap_cnt"], 9);
    for (const auto& e : sink.events)
        EXPECT_FALSE(e.contains("response"));
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusSession, ResumesAfterSlotsFreed)
{
    // Slots are reused: many sequential transactions never grow the table.
    std::vector<std::vector<uint8_t>> keep;
    std::vector<Msg> msgs;
    for (uint16_t tid = 0; tid < 500; ++tid) {
        keep.push_back(with_tid(read_holding_req, tid));
        keep.push_back(with_tid(read_holding_resp, tid));
    }
    for (size_t i = 0; i < keep.size(); ++i)
        msgs.push_back({i % 2 == 0 ? C : S, keep[i]});
    const auto sink = run(msgs, 0);
    EXPECT_EQ(sink.events.size(), 500u);
    EXPECT_TRUE(sink.anomalies.empty());
}

// --- one test per session-level anomaly ---

TEST(ModbusSessionAnomaly, ResponseWithoutRequest)
{
    const auto sink = run({{S, read_holding_resp}}, 0);
    ASSERT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.response_without_request"});
    EXPECT_EQ(sink.anomalies[0].second, 1u);  // context: the response's packet
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_FALSE(sink.events[0].contains("request"));
    EXPECT_EQ(sink.events[0]["response"]["values"], json({555, 0, 100}));
}

TEST(ModbusSessionAnomaly, TooManyOutstanding)
{
    TestSink sink;
    ModbusSession s{sink};
    for (uint16_t tid = 0; tid < max_outstanding; ++tid)
        s.on_data(C, with_tid(read_holding_req, tid), PacketCtx{tid + 1u, 0});
    EXPECT_EQ(s.outstanding(), max_outstanding);
    EXPECT_TRUE(sink.anomalies.empty());
    s.on_data(C, with_tid(read_holding_req, 1000), PacketCtx{1000, 0});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.too_many_outstanding"});
    EXPECT_EQ(sink.anomalies[0].second, 1u);  // context: the evicted, oldest request
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["transaction_id"], 0);
    EXPECT_EQ(s.outstanding(), max_outstanding);
    // The newest request still pairs.
    s.on_data(S, with_tid(read_holding_resp, 1000), PacketCtx{1001, 0});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["request"]["transaction_id"], 1000);
    s.on_end(PacketCtx{1002, 0});
    EXPECT_EQ(sink.events.size(), 2u + max_outstanding - 1);
}

TEST(ModbusSessionAnomaly, UnitIdMismatch)
{
    auto resp = bytes_of_vec(read_holding_resp);
    resp[6] = 0x05;
    const auto sink = run({{C, read_holding_req}, {S, resp}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.unit_id_mismatch"});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["unit_id"], 5);
}

TEST(ModbusSessionAnomaly, FunctionMismatch)
{
    const auto resp = with_tid(read_input_resp, 3);
    const auto sink = run({{C, read_holding_req}, {S, resp}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.function_mismatch"});
    EXPECT_EQ(sink.events.size(), 1u);
}

TEST(ModbusSessionAnomaly, ByteCountMismatchAgainstRequest)
{
    auto req = bytes_of_vec(read_holding_req);
    req[11] = 0x04;  // asks for 4 registers, the response carries 3
    const auto sink = run({{C, req}, {S, read_holding_resp}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.byte_count_mismatch"});
    EXPECT_EQ(sink.anomalies[0].second, 2u);
}

TEST(ModbusSessionAnomaly, DuplicateTransactionId)
{
    const auto sink = run({{C, read_holding_req}, {C, read_holding_req}, {S, read_holding_resp}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.duplicate_transaction_id"});
    EXPECT_EQ(sink.anomalies[0].second, 1u);
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_FALSE(sink.events[0].contains("response"));
    EXPECT_EQ(sink.events[0]["request"]["pcap_cnt"], 1);
    EXPECT_EQ(sink.events[1]["request"]["pcap_cnt"], 2);
    EXPECT_EQ(sink.events[1]["response"]["pcap_cnt"], 3);
}

TEST(ModbusSession, AnsweredForceListenOnlyIsNotAnOrphanResponse)
{
    // Some devices answer force listen only (App §6.8.1 says they must not), e.g. with an
    // exception. The request was reported at once; its answer is an event of its own.
    constexpr uint8_t flo_exception[] = {
        0x00, 0x2a,  // transaction id (as in force_listen_only_req)
        0x00, 0x00,  // protocol id
        0x00, 0x03,  // length
        0x01,        // unit id
        0x88,        // diagnostics | exception bit
        0x01,        // exception: illegal function
    };
    auto rsp = bytes_of_vec(flo_exception);
    rsp[0] = force_listen_only_req[0];
    rsp[1] = force_listen_only_req[1];
    rsp[6] = force_listen_only_req[6];
    const auto sink = run({{C, force_listen_only_req}, {S, rsp}, {S, rsp}}, 0);
    EXPECT_EQ(sink.anomaly_names(),
              (std::vector<std::string>{"modbus.exception", "modbus.response_without_request",
                                        "modbus.exception"}));
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_TRUE(sink.events[0].contains("request"));
    EXPECT_FALSE(sink.events[1].contains("request"));  // the answer, paired quietly
}

TEST(ModbusSessionAnomaly, TruncatedAdu)
{
    const std::span<const uint8_t> head{read_holding_req, sizeof read_holding_req - 2};
    const auto sink = run({{C, read_holding_req}, {S, read_holding_resp}, {C, head}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.truncated_adu"});
    EXPECT_EQ(sink.events.size(), 1u);  // the whole transaction; the cut one never became a PDU
}

TEST(ModbusSessionAnomaly, NoTruncationReportedBeforeSync)
{
    const std::span<const uint8_t> head{read_holding_req, sizeof read_holding_req - 2};
    const auto sink = run({{C, head}}, 0);
    EXPECT_TRUE(sink.anomaly_names().empty());
}

TEST(ModbusSessionAnomaly, Exception)
{
    const auto sink = run({{C, read_holding_req}, {S, exception_resp}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.exception"});
    EXPECT_EQ(sink.events[0]["response"]["exception_code"], 2);
}

TEST(ModbusSessionAnomaly, PduAnomaliesCarryTheirTransaction)
{
    auto req = bytes_of_vec(read_holding_req);
    req[11] = 0x00;  // quantity 0
    const auto sink = run({{C, req}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.invalid_quantity"});
    EXPECT_EQ(sink.anomalies[0].second, 1u);
    ASSERT_EQ(sink.events.size(), 1u);  // still an event (unanswered, at the end)
    EXPECT_EQ(sink.events[0]["request"]["quantity"], 0);
}

TEST(ModbusSessionAnomaly, BadProtocolIdAfterModbus)
{
    auto bad = bytes_of_vec(read_input_req);
    bad[3] = 0x07;
    const auto stream = concat({read_holding_req, bad, read_coils_req});
    const auto sink = run({{C, stream}}, 0);
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.bad_protocol_id"});
    EXPECT_EQ(sink.anomalies[0].second, 0u);  // no transaction context
    // Resynchronised on the read-coils request after the bad ADU.
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["request"]["function_code"], 1);
}

TEST(ModbusSessionAnomaly, BadLengthAfterModbus)
{
    auto bad = bytes_of_vec(read_input_req);
    bad[4] = 0x02;  // length 518: cannot be framed
    const auto stream = concat({read_holding_req, bad, read_coils_req});
    for (size_t chunk : {0, 1}) {
        const auto sink = run({{C, stream}}, chunk);
        EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.bad_length"});
        ASSERT_EQ(sink.events.size(), 2u);
        EXPECT_EQ(sink.events[1]["request"]["function_code"], 1);
    }
}

// --- gaps, resync and non-Modbus traffic ---

TEST(ModbusSession, GapThenResync)
{
    TestSink sink;
    ModbusSession s{sink};
    s.on_data(C, std::span{read_holding_req}.first(5), PacketCtx{1, 0});
    s.on_gap(C, 100, PacketCtx{2, 0});
    // The rest of some lost ADU, then a whole request.
    const auto tail = concat({std::span{write_registers_req}.subspan(9), read_coils_req});
    s.on_data(C, tail, PacketCtx{3, 0});
    EXPECT_EQ(s.outstanding(), 1u);
    s.on_data(S, read_coils_resp, PacketCtx{4, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["function_code"], 1);
    EXPECT_EQ(sink.events[0]["request"]["pcap_cnt"], 3);
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusSession, ResponseGapThenResync)
{
    TestSink sink;
    ModbusSession s{sink};
    s.on_data(C, read_holding_req, PacketCtx{1, 0});
    s.on_data(C, read_coils_req, PacketCtx{2, 0});
    s.on_data(S, std::span{read_holding_resp}.first(9), PacketCtx{3, 0});
    s.on_gap(S, 6, PacketCtx{4, 0});
    s.on_data(S, read_coils_resp, PacketCtx{5, 0});
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["request"]["function_code"], 1);
    s.on_end(PacketCtx{6, 0});
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(sink.events[1]["request"]["function_code"], 3);  // its answer was lost
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusSession, OrphanResponseAfterRequestGapIsNotAnAnomaly)
{
    TestSink sink;
    ModbusSession s{sink};
    s.on_data(C, read_coils_req, PacketCtx{1, 0});
    s.on_data(S, read_coils_resp, PacketCtx{2, 0});
    s.on_gap(C, 12, PacketCtx{3, 0});  // the read-holding request was lost
    s.on_data(S, read_holding_resp, PacketCtx{4, 0});
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_FALSE(sink.events[1].contains("request"));
    // Once pairing works again, orphans are anomalies again.
    s.on_data(C, read_input_req, PacketCtx{5, 0});
    s.on_data(S, read_input_resp, PacketCtx{6, 0});
    s.on_data(S, read_holding_resp, PacketCtx{7, 0});
    EXPECT_EQ(sink.anomaly_names(), std::vector<std::string>{"modbus.response_without_request"});
}

TEST(ModbusSession, NotModbusDeactivates)
{
    TestSink sink;
    ModbusSession s{sink};
    std::vector<uint8_t> http(2000, 'A');
    s.on_data(C, http, PacketCtx{1, 0});
    EXPECT_FALSE(s.active());
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusSession, ZerosInOtherProtocolsDoNotSync)
{
    // An ONC RPC call to port 502 (zeek's modbus-and-non-modbus-p502.pcap, frame 39): its zero
    // runs hold "plausible" headers, but none frames a clean PDU.
    constexpr uint8_t rpc[] = {
        0x80, 0x00, 0x00, 0x28, 0x7e, 0x86, 0xab, 0x4a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x01, 0x86, 0xa3, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    constexpr uint8_t rpc_reply[] = {0x80, 0x00, 0x00, 0x28, 0x00, 0x03, 0xab, 0xca, 0x01};
    const auto sink = run({{C, rpc}, {S, rpc_reply}}, 0);
    EXPECT_TRUE(sink.events.empty());
    EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ModbusSession, OverLongResponseIsAnEvent)
{
    std::vector<uint8_t> resp = {
        0x00, 0x07,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0xFF,  // length 255
        0x00,        // unit id
        0x5A,        // function: 90 (reserved; UMAS)
    };
    resp.resize(6 + 255, 0xAB);
    std::vector<uint8_t> req = {
        0x00, 0x07,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x04,  // length
        0x00,        // unit id
        0x5A,        // function: 90 (reserved; UMAS)
        0x00, 0x02,  // UMAS payload
    };
    for (size_t chunk : {0, 1}) {
        const auto sink = run({{C, req}, {S, resp}}, chunk);
        EXPECT_EQ(sink.anomaly_names(),
                  (std::vector<std::string>{"modbus.reserved_function", "modbus.bad_length",
                                            "modbus.reserved_function"}));
        ASSERT_EQ(sink.events.size(), 1u);
        EXPECT_EQ(sink.events[0]["response"]["data"].get<std::string>().size(), 2u * 253);
    }
}

TEST(ModbusSession, MidStreamStartFindsFirstHeader)
{
    const auto stream = concat({std::span{write_registers_req}.subspan(4), read_coils_req});
    const auto sink = run({{C, stream}, {S, read_coils_resp}}, 0);
    EXPECT_TRUE(sink.anomalies.empty());
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0]["response"]["coils"].get<std::string>().size(), 19u);
}

TEST(ModbusSession, DissectorInfoMakesSessions)
{
    TestSink sink;
    auto s = dissector_info.make_session(sink);
    ASSERT_NE(s, nullptr);
    s->on_data(C, read_holding_req, PacketCtx{1, 0});
    s->on_data(S, read_holding_resp, PacketCtx{2, 0});
    EXPECT_EQ(sink.events.size(), 1u);
    EXPECT_TRUE(s->active());
}

}  // namespace
}  // namespace otsentry::modbus
