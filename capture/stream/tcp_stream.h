// TCP stream tracking per direction: turns segments into in-order application bytes, and
// reports what it could not deliver as gaps. The interface (data, gap, end) is the final one;
// this version delivers in-order data, drops retransmitted bytes, trims overlaps, picks up
// mid-stream (no handshake seen), and reports a segment that jumps ahead as a gap followed by
// its data. Buffering out-of-order segments comes with full reassembly.
#pragma once

#include <cstdint>
#include <span>

#include "dissectors/common/types.h"

namespace otsentry::capture {

class StreamReceiver {
public:
    virtual ~StreamReceiver() = default;
    virtual void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) = 0;
    // `bytes` were lost; 0 means an unknown amount (the direction was picked up mid-stream, and
    // this is reported once, before its first data).
    virtual void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) = 0;
};

struct StreamStats {
    uint64_t segments = 0;  // segments with payload
    uint64_t bytes_delivered = 0;
    uint64_t retransmissions = 0;  // segments entirely before the expected sequence number
    uint64_t overlaps = 0;         // segments partly before it (the old part is trimmed)
    uint64_t gaps = 0;             // jumps ahead of the expected sequence number
    uint64_t gap_bytes = 0;
    uint64_t midstream = 0;  // directions picked up without seeing their SYN
};

// One direction of a TCP connection.
class TcpStream {
public:
    // Feeds one segment of this direction. `flags` are the TCP flags.
    void on_segment(Direction dir, uint32_t seq, uint8_t flags, std::span<const uint8_t> payload,
                    const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats);

    [[nodiscard]] bool started() const noexcept { return started_; }
    [[nodiscard]] bool fin_seen() const noexcept { return fin_; }
    [[nodiscard]] bool rst_seen() const noexcept { return rst_; }
    [[nodiscard]] uint32_t next_seq() const noexcept { return next_seq_; }

private:
    uint32_t next_seq_ = 0;
    bool started_ = false;
    bool fin_ = false;
    bool rst_ = false;
    bool midstream_gap_ = false;  // started without a SYN; not yet reported to the receiver
};

}  // namespace otsentry::capture
