// Feeds TcpStream a sequence of segments taken from the input and checks its invariants:
// delivered bytes never exceed the payload bytes fed, every delivery is non-empty, and nothing
// is delivered after FIN or RST. Each segment: 1 byte direction (bit 7) + flags, 4 bytes
// sequence delta, 1 byte payload length, then the payload (copied to an exactly sized buffer).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "capture/stream/tcp_stream.h"

namespace {

using namespace otsentry;
using namespace otsentry::capture;

struct CheckingReceiver : StreamReceiver {
    uint64_t delivered[2] = {0, 0};
    bool ended[2] = {false, false};
    bool unknown_gap[2] = {false, false};
    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx&) override
    {
        if (data.empty() || ended[index_of(dir)]) std::abort();
        delivered[index_of(dir)] += data.size();
    }
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx&) override
    {
        const unsigned i = index_of(dir);
        if (bytes > 0x7fffffffu || ended[i]) std::abort();
        // A gap of unknown size (0) marks a mid-stream pickup: once, before any data.
        if (bytes == 0) {
            if (unknown_gap[i] || delivered[i] != 0) std::abort();
            unknown_gap[i] = true;
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    TcpStream streams[2];
    StreamStats stats[2];
    CheckingReceiver rx;
    uint64_t fed[2] = {0, 0};
    uint32_t seq[2] = {1000, 0xfffff000u};  // one side starts near the wrap
    uint64_t pcap_cnt = 0;

    size_t pos = 0;
    while (size - pos >= 6) {
        const uint8_t head = data[pos];
        const auto dir = (head & 0x80) ? Direction::ToClient : Direction::ToServer;
        const uint8_t flags = head & 0x3f;
        const uint32_t delta = uint32_t{data[pos + 1]} << 24 | uint32_t{data[pos + 2]} << 16 |
                               uint32_t{data[pos + 3]} << 8 | data[pos + 4];
        const size_t len = std::min<size_t>(data[pos + 5], size - pos - 6);
        pos += 6;
        const std::vector<uint8_t> payload(data + pos, data + pos + len);
        pos += len;

        const unsigned d = index_of(dir);
        // Mostly small moves around the current position, sometimes a wild jump.
        seq[d] += (delta & 0x80000000u) ? delta : (delta & 0xff) - 0x40;
        const PacketCtx ctx{++pcap_cnt, 0};
        streams[d].on_segment(dir, seq[d], flags, payload, ctx, rx, stats[d]);
        fed[d] += payload.size();
        if (streams[d].finished()) rx.ended[d] = true;
        // Sometimes the other direction answers, acknowledging up to a point near here.
        if ((head & 0x40) != 0) {
            const unsigned o = 1 - d;
            streams[o].on_peer_answered(o == 0 ? Direction::ToServer : Direction::ToClient,
                                        seq[o] + (delta & 0x3f), ctx, rx, stats[o]);
            if (rx.delivered[o] > fed[o] || stats[o].bytes_delivered != rx.delivered[o]) std::abort();
        }
        seq[d] += static_cast<uint32_t>(payload.size());

        if (rx.delivered[d] > fed[d]) std::abort();
        if (stats[d].bytes_delivered != rx.delivered[d]) std::abort();
    }
    for (unsigned d = 0; d < 2; ++d) {
        const Direction dir = d == 0 ? Direction::ToServer : Direction::ToClient;
        if (!rx.ended[d]) streams[d].flush(dir, PacketCtx{++pcap_cnt, 0}, rx, stats[d]);
        if (streams[d].held_bytes() != 0 || stats[d].held_bytes_total != 0 || rx.delivered[d] > fed[d])
            std::abort();
        if (stats[d].bytes_delivered != rx.delivered[d]) std::abort();
    }
    return 0;
}
