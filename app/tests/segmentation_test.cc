// Issue 3, acceptance 1: for every TCP protocol we dissect, a conversation cut at random points,
// reordered within a window and partly duplicated (fixed seeds) must give exactly the records
// of the same conversation sent one PDU per segment, in order.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/engine.h"
#include "dissectors/dnp3/tests/dnp3_vectors.h"
#include "dissectors/iec104/tests/iec104_vectors.h"
#include "dissectors/modbus/tests/modbus_vectors.h"
#include "dissectors/s7comm/tests/s7comm_vectors.h"
#include "tests/support/frame_builder.h"

namespace otsentry::app {
namespace {

namespace mv = modbus::test;
using test::Bytes;

constexpr uint8_t client[4] = {10, 1, 0, 1};
constexpr uint8_t server[4] = {10, 1, 0, 2};
constexpr uint16_t cport = 41000;

// Each exchange: what the client sends, then what the server answers (may be empty).
struct Exchange {
    Bytes request, response;
};

struct Conversation {
    const char* name;
    uint16_t server_port;
    std::vector<Exchange> exchanges;
    size_t records;  // events and alerts of the whole conversation, checked so the test cannot pass empty
};

Bytes bytes(std::span<const uint8_t> s)
{
    return {s.begin(), s.end()};
}

Conversation modbus_conversation()
{
    Conversation c{"modbus", 502, {}, 17};  // 16 transactions + the exception alert
    for (const auto& [req, resp] : std::vector<std::pair<std::span<const uint8_t>, std::span<const uint8_t>>>{
             {mv::read_coils_req, mv::read_coils_resp},
             {mv::read_discrete_req, mv::read_discrete_resp},
             {mv::read_holding_req, mv::read_holding_resp},
             {mv::read_input_req, mv::read_input_resp},
             {mv::write_coil_req, mv::write_coil_req},
             {mv::write_register_req, mv::write_register_req},
             {mv::write_coils_req, mv::write_coils_resp},
             {mv::write_registers_req, mv::write_registers_resp},
             {mv::report_server_id_req, mv::report_server_id_resp},
             {mv::read_file_req, mv::read_file_resp},
             {mv::mask_write_req, mv::mask_write_req},
             {mv::read_write_req, mv::read_write_resp},
             {mv::read_fifo_req, mv::read_fifo_resp},
             {mv::device_id_req, mv::device_id_resp},
             {mv::force_listen_only_req, {}},
             {mv::read_holding_req, mv::exception_resp}})
        c.exchanges.push_back({bytes(req), bytes(resp)});
    return c;
}

// DNP3: application fragments wrapped in link frames (CRC every 16 bytes), several of them
// longer than one link frame, so a cut can fall inside a header, a CRC or a block.
Conversation dnp3_conversation()
{
    namespace dv = dnp3::vectors;
    Conversation c{"dnp3", 20000, {}, 0};
    uint8_t mseq = 0, oseq = 0;
    const auto x = [&](std::span<const uint8_t> req, std::span<const uint8_t> resp) {
        Exchange e{dv::from_master(req, mseq), resp.empty() ? Bytes{} : dv::from_outstation(resp, oseq)};
        mseq = static_cast<uint8_t>((mseq + 1) & 0x3F);
        if (!resp.empty()) oseq = static_cast<uint8_t>((oseq + 4) & 0x3F);
        c.exchanges.push_back(std::move(e));
    };
    x(dv::read_class_req, dv::read_class_resp);
    x(dv::read_events_req, dv::events_resp);
    x(dv::confirm_seq2, {});
    x(dv::read_static_req, dv::static_resp);
    x(dv::select_req, dv::select_resp);
    x(dv::operate_req, dv::operate_resp);
    x(dv::direct_operate_req, dv::direct_operate_resp);
    x(dv::aob_req, {});
    x(dv::delay_measure_req, dv::delay_measure_resp);
    x(dv::cold_restart_req, dv::cold_restart_resp);
    x(dv::warm_restart_req, dv::warm_restart_resp);
    return c;
}

// IEC 104: STARTDT, then every standard type id, commands from the controlling station and
// monitor-direction data from the controlled one, with each direction's N(S)/N(R) counting.
Conversation iec104_conversation()
{
    Conversation c{"iec104", 2404, {}, 0};
    const Bytes startdt_act = {0x68, 0x04, 0x07, 0x00, 0x00, 0x00};
    const Bytes startdt_con = {0x68, 0x04, 0x0B, 0x00, 0x00, 0x00};
    c.exchanges.push_back({startdt_act, startdt_con});
    uint16_t client_ns = 0, server_ns = 0;
    const auto numbered = [](std::span<const uint8_t> apdu, uint16_t ns, uint16_t nr) {
        Bytes b = bytes(apdu);
        b[2] = static_cast<uint8_t>(ns << 1);
        b[3] = static_cast<uint8_t>(ns >> 7);
        b[4] = static_cast<uint8_t>(nr << 1);
        b[5] = static_cast<uint8_t>(nr >> 7);
        return b;
    };
    for (const auto& v : iec104::test::all_types) {
        if (v.cot == 6)  // an activation: the controlling station sends it
            c.exchanges.push_back({numbered(v.bytes, client_ns++, server_ns), {}});
        else
            c.exchanges.push_back({{}, numbered(v.bytes, server_ns++, client_ns)});
    }
    return c;
}

// S7comm on TCP 102: COTP connect, then setup, read/write var, SZL reads and a PLC stop. Port
// 102 is registered by no dissector, so this also exercises the probe across the CR/CC.
Conversation s7comm_conversation()
{
    namespace sv = s7comm::vectors;
    Conversation c{"s7comm", 102, {}, 7};  // connect + 6 transactions, no anomalies
    c.exchanges = {{sv::connect_request, sv::connect_confirm},
                   {sv::setup_job, sv::setup_ack},
                   {sv::read_job, sv::read_ack},
                   {sv::write_job, sv::write_ack},
                   {sv::szl_11_job, sv::szl_11_ack},
                   {sv::szl_1c_job, sv::szl_1c_ack},
                   {sv::plc_stop, sv::plc_stop_ack}};
    return c;
}

class Collect final : public RecordOutput {
public:
    void submit(alerts::Record&& r) override { lines.push_back(r.eve_json); }
    std::vector<std::string> lines;
};

struct Segment {
    bool to_server;
    uint32_t seq;
    Bytes data;
};

// The records of a run, with what depends on packet numbering and timing removed: the same
// transactions must come out, whatever packets carried them.
std::vector<std::string> run(const std::vector<std::vector<Segment>>& bursts, uint16_t sport, uint32_t cseq0,
                             uint32_t sseq0)
{
    Collect out;
    Engine engine{EngineConfig{}, out};
    uint64_t cnt = 0;
    auto feed = [&](const Bytes& f) {
        capture::RawPacket p;
        p.data = f;
        p.caplen = p.wire_len = static_cast<uint32_t>(f.size());
        p.pcap_cnt = ++cnt;
        p.ts_us = 1'700'000'000'000'000;  // one time for all: timestamps are not compared
        engine.process(p);
    };
    using C = test::TcpConversation;
    feed(test::tcp_frame(client, cport, server, sport, cseq0 - 1, 0, C::syn, {}));
    feed(test::tcp_frame(server, sport, client, cport, sseq0 - 1, cseq0, C::syn | C::ack, {}));
    for (const auto& burst : bursts)
        for (const auto& s : burst)
            feed(s.to_server
                     ? test::tcp_frame(client, cport, server, sport, s.seq, sseq0, C::ack | C::psh, s.data)
                     : test::tcp_frame(server, sport, client, cport, s.seq, cseq0, C::ack | C::psh, s.data));
    engine.finish();
    std::vector<std::string> lines;
    for (std::string l : out.lines) {
        // pcap_cnt differs with segmentation by design; drop every "pcap_cnt":N.
        for (size_t at; (at = l.find("\"pcap_cnt\":")) != std::string::npos;) {
            size_t end = at + 11;
            while (end < l.size() && l[end] >= '0' && l[end] <= '9')
                ++end;
            if (end < l.size() && l[end] == ',') ++end;
            l.erase(at, end - at);
        }
        lines.push_back(l);
    }
    return lines;
}

// Cuts `data` (starting at sequence number seq) into random pieces, duplicates some and
// shuffles them within a window.
std::vector<Segment> scatter(bool to_server, uint32_t seq, std::span<const uint8_t> data, std::mt19937& rng)
{
    std::vector<Segment> pieces;
    for (size_t pos = 0; pos < data.size();) {
        const size_t n = std::min<size_t>(1 + rng() % 7, data.size() - pos);
        pieces.push_back(
            {to_server, seq + static_cast<uint32_t>(pos), Bytes(data.begin() + pos, data.begin() + pos + n)});
        if (rng() % 4 == 0) pieces.push_back(pieces.back());
        pos += n;
    }
    for (size_t i = 0; i + 1 < pieces.size(); ++i)
        std::swap(pieces[i], pieces[std::min(pieces.size() - 1, i + rng() % 5)]);
    return pieces;
}

class Segmentation : public ::testing::TestWithParam<Conversation> {};

TEST_P(Segmentation, RandomCutsReorderingAndDuplicatesGiveTheSameRecords)
{
    const Conversation& conv = GetParam();
    constexpr uint32_t cseq0 = 0xfffffe00u;  // the client's stream wraps past 2^32 on the way
    constexpr uint32_t sseq0 = 7000;

    // Reference: one segment per PDU, in order.
    std::vector<std::vector<Segment>> whole;
    uint32_t c = cseq0, s = sseq0;
    for (const auto& x : conv.exchanges) {
        if (!x.request.empty()) whole.push_back({{true, c, x.request}});
        c += static_cast<uint32_t>(x.request.size());
        if (!x.response.empty()) {
            whole.push_back({{false, s, x.response}});
            s += static_cast<uint32_t>(x.response.size());
        }
    }
    const auto expected = run(whole, conv.server_port, cseq0, sseq0);
    if (conv.records != 0) {
        ASSERT_EQ(expected.size(), conv.records);
    } else {
        ASSERT_GE(expected.size(), conv.exchanges.size() / 2);  // most exchanges give a record
    }
    for (const auto& line : expected)
        ASSERT_NE(line.find(std::string{"\"app_proto\":\""} + conv.name + "\""), std::string::npos) << line;

    for (uint32_t seed = 1; seed <= 25; ++seed) {
        std::mt19937 rng{seed};
        std::vector<std::vector<Segment>> bursts;
        c = cseq0;
        s = sseq0;
        for (const auto& x : conv.exchanges) {
            if (!x.request.empty()) bursts.push_back(scatter(true, c, x.request, rng));
            c += static_cast<uint32_t>(x.request.size());
            if (!x.response.empty()) {
                bursts.push_back(scatter(false, s, x.response, rng));
                s += static_cast<uint32_t>(x.response.size());
            }
        }
        EXPECT_EQ(run(bursts, conv.server_port, cseq0, sseq0), expected) << conv.name << ", seed " << seed;
    }
}

INSTANTIATE_TEST_SUITE_P(EveryTcpProtocol, Segmentation,
                         ::testing::Values(modbus_conversation(), dnp3_conversation(), iec104_conversation(),
                                           s7comm_conversation()),
                         [](const auto& p) { return std::string{p.param.name}; });

}  // namespace
}  // namespace otsentry::app
