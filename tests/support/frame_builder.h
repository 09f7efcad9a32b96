// Builds Ethernet/IPv4/TCP and UDP frames for tests that drive the engine packet by packet,
// and keeps per-direction TCP sequence numbers so a test reads like a conversation.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace otsentry::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v)
{
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}

// Ethernet II + IPv4 (no options) + TCP (no options) frame.
inline Bytes tcp_frame(const uint8_t (&src)[4], uint16_t sport, const uint8_t (&dst)[4], uint16_t dport,
                       uint32_t seq, uint32_t ack, uint8_t flags, std::span<const uint8_t> payload)
{
    Bytes f;
    for (int i = 0; i < 6; ++i)
        f.push_back(0x02);  // destination MAC
    for (int i = 0; i < 6; ++i)
        f.push_back(0x04);                                      // source MAC
    put16(f, 0x0800);                                           // ethertype IPv4
    f.push_back(0x45);                                          // version 4, IHL 5
    f.push_back(0);                                             // DSCP/ECN
    put16(f, static_cast<uint16_t>(20 + 20 + payload.size()));  // total length
    put16(f, 0);                                                // identification
    put16(f, 0x4000);                                           // DF, offset 0
    f.push_back(64);                                            // TTL
    f.push_back(6);                                             // protocol TCP
    put16(f, 0);                                                // checksum (not verified)
    f.insert(f.end(), src, src + 4);
    f.insert(f.end(), dst, dst + 4);
    put16(f, sport);
    put16(f, dport);
    put32(f, seq);
    put32(f, ack);
    f.push_back(0x50);  // data offset 5
    f.push_back(flags);
    put16(f, 65535);  // window
    put16(f, 0);      // checksum
    put16(f, 0);      // urgent pointer
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

// A TCP conversation between a client and a server, tracking sequence numbers.
class TcpConversation {
public:
    static constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;

    TcpConversation(const uint8_t (&client)[4], uint16_t cport, const uint8_t (&server)[4], uint16_t sport)
        : cport_{cport}, sport_{sport}
    {
        for (int i = 0; i < 4; ++i) {
            client_[i] = client[i];
            server_[i] = server[i];
        }
    }

    std::vector<Bytes> handshake()
    {
        std::vector<Bytes> v;
        v.push_back(tcp_frame(client_, cport_, server_, sport_, cseq_ - 1, 0, syn, {}));
        v.push_back(tcp_frame(server_, sport_, client_, cport_, sseq_ - 1, cseq_, syn | ack, {}));
        v.push_back(tcp_frame(client_, cport_, server_, sport_, cseq_, sseq_, ack, {}));
        return v;
    }
    Bytes to_server(std::span<const uint8_t> data)
    {
        auto f = tcp_frame(client_, cport_, server_, sport_, cseq_, sseq_, psh | ack, data);
        cseq_ += static_cast<uint32_t>(data.size());
        return f;
    }
    Bytes to_client(std::span<const uint8_t> data)
    {
        auto f = tcp_frame(server_, sport_, client_, cport_, sseq_, cseq_, psh | ack, data);
        sseq_ += static_cast<uint32_t>(data.size());
        return f;
    }
    // Skips n bytes of the client's stream (as if a segment was lost).
    void lose_to_server(uint32_t n) { cseq_ += n; }

private:
    uint8_t client_[4]{}, server_[4]{};
    uint16_t cport_, sport_;
    uint32_t cseq_ = 1001, sseq_ = 5001;
};

}  // namespace otsentry::test
