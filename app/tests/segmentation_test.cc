// Issue 3, acceptance 1 (Modbus): a conversation cut at random points, reordered within a
// window and partly duplicated (fixed seeds) must give exactly the events of the same
// conversation sent one PDU per segment, in order.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/engine.h"
#include "dissectors/modbus/tests/modbus_vectors.h"
#include "tests/support/frame_builder.h"

namespace otsentry::app {
namespace {

namespace mv = modbus::test;
using test::Bytes;

constexpr uint8_t client[4] = {10, 1, 0, 1};
constexpr uint8_t server[4] = {10, 1, 0, 2};
constexpr uint16_t cport = 41000, sport = 502;

// Each exchange: what the client sends, then what the server answers (may be empty).
struct Exchange {
    std::span<const uint8_t> request, response;
};

const std::vector<Exchange>& exchanges()
{
    static const std::vector<Exchange> x = {
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
        {mv::read_holding_req, mv::exception_resp},
    };
    return x;
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
std::vector<std::string> run(const std::vector<std::vector<Segment>>& bursts, uint32_t cseq0, uint32_t sseq0)
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

TEST(Segmentation, RandomCutsReorderingAndDuplicatesGiveTheSameEvents)
{
    constexpr uint32_t cseq0 = 0xfffffe00u;  // the client's stream wraps past 2^32 on the way
    constexpr uint32_t sseq0 = 7000;

    // Reference: one segment per PDU, in order.
    std::vector<std::vector<Segment>> whole;
    uint32_t c = cseq0, s = sseq0;
    for (const auto& x : exchanges()) {
        whole.push_back({{true, c, Bytes(x.request.begin(), x.request.end())}});
        c += static_cast<uint32_t>(x.request.size());
        if (!x.response.empty()) {
            whole.push_back({{false, s, Bytes(x.response.begin(), x.response.end())}});
            s += static_cast<uint32_t>(x.response.size());
        }
    }
    const auto expected = run(whole, cseq0, sseq0);
    ASSERT_EQ(expected.size(), exchanges().size() + 1);  // + the exception alert

    for (uint32_t seed = 1; seed <= 25; ++seed) {
        std::mt19937 rng{seed};
        std::vector<std::vector<Segment>> bursts;
        c = cseq0;
        s = sseq0;
        for (const auto& x : exchanges()) {
            bursts.push_back(scatter(true, c, x.request, rng));
            c += static_cast<uint32_t>(x.request.size());
            if (!x.response.empty()) {
                bursts.push_back(scatter(false, s, x.response, rng));
                s += static_cast<uint32_t>(x.response.size());
            }
        }
        EXPECT_EQ(run(bursts, cseq0, sseq0), expected) << "seed " << seed;
    }
}

}  // namespace
}  // namespace otsentry::app
