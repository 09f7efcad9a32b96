// TCP stream reassembly per direction: turns segments into in-order application bytes, and
// reports what it could not deliver as gaps.
//
// - In-order data is delivered at once; retransmitted bytes are dropped; a segment that
//   overlaps delivered bytes is trimmed.
// - A segment ahead of the expected sequence number is held (copied) until the hole before it
//   fills. Held segments never overlap: where a new segment overlaps held bytes, the bytes seen
//   first win, and a difference is counted (overlap_conflicts) — the policy of most targets'
//   stacks, and the one that keeps an attacker from rewriting what the dissector already saw.
// - A hole is given up as a gap (reported, then the held data delivered) when the held data
//   exceeds its caps, when the peer sends data acknowledging bytes we never saw (it has answered
//   them), at RST, and when the flow ends (flush()). A pure ACK is not enough: a mirror port may
//   copy an ACK before the segment it acknowledges.
// - A direction picked up without its SYN reports one gap of unknown size (0) before its first
//   data, so the dissector resynchronises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/stream/stream_anomalies.h"
#include "dissectors/common/types.h"

namespace otsentry::capture {

class StreamReceiver {
public:
    virtual ~StreamReceiver() = default;
    virtual void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) = 0;
    // `bytes` were lost; 0 means an unknown amount (the direction was picked up mid-stream, and
    // this is reported once, before its first data).
    virtual void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) = 0;
    // Something about the stream itself deserves an alert (see stream_anomalies.h).
    virtual void on_stream_anomaly(Direction /*dir*/, StreamAnomaly /*a*/, const PacketCtx& /*ctx*/) {}
};

struct StreamStats {
    uint64_t segments = 0;  // segments with payload
    uint64_t bytes_delivered = 0;
    uint64_t retransmissions = 0;    // segments entirely before the expected sequence number
    uint64_t overlaps = 0;           // segments partly before it, or overlapping held data
    uint64_t overlap_conflicts = 0;  // overlapping bytes that differ from the bytes seen first
    uint64_t out_of_order = 0;       // segments held until a hole before them filled
    uint64_t buffer_overflows = 0;   // holes given up because a direction held too much
    uint64_t gaps = 0;               // holes given up (bytes never seen)
    uint64_t gap_bytes = 0;
    uint64_t midstream = 0;    // directions picked up without seeing their SYN
    uint64_t memcap_hits = 0;  // holes given up because all flows together held too much
    // Bytes held by every stream sharing these stats (one engine), and the cap on them.
    uint64_t held_bytes_total = 0;
    uint64_t max_held_bytes_total = 64ull << 20;
};

// One direction of a TCP connection.
class TcpStream {
public:
    // Caps on what one direction holds while waiting for a hole to fill.
    static constexpr size_t max_held_segments = 64;
    static constexpr size_t max_held_bytes = 64 * 1024;

    // Feeds one segment of this direction. `flags` are the TCP flags.
    void on_segment(Direction dir, uint32_t seq, uint8_t flags, std::span<const uint8_t> payload,
                    const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats);
    // The other direction sent data acknowledging `ack` of this direction: bytes before it that
    // were never seen are lost (the peer has answered them).
    void on_peer_answered(Direction dir, uint32_t ack, const PacketCtx& ctx, StreamReceiver& rx,
                          StreamStats& stats);
    // End of the flow: gives up every hole, delivering what is held.
    void flush(Direction dir, const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats);

    [[nodiscard]] bool started() const noexcept { return started_; }
    [[nodiscard]] bool fin_seen() const noexcept { return fin_; }
    [[nodiscard]] bool rst_seen() const noexcept { return rst_; }
    // Nothing more will be delivered: RST, or FIN with every byte before it delivered.
    [[nodiscard]] bool finished() const noexcept;
    [[nodiscard]] uint32_t next_seq() const noexcept { return next_seq_; }
    [[nodiscard]] size_t held_bytes() const noexcept { return held_bytes_; }

private:
    struct Held {
        uint32_t seq;
        std::vector<uint8_t> bytes;
    };

    void hold(Direction dir, uint32_t seq, std::span<const uint8_t> data, const PacketCtx& ctx,
              StreamReceiver& rx, StreamStats& stats);
    void deliver(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx, StreamReceiver& rx,
                 StreamStats& stats);
    // Delivers held segments that the expected sequence number has reached.
    void drain(Direction dir, const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats);
    // Gives up the bytes up to `seq` as a gap.
    void skip_to(Direction dir, uint32_t seq, const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats);
    void complete_fin() noexcept;
    void drop_held_after(uint32_t seq, StreamStats& stats) noexcept;

    std::vector<Held> held_;  // sorted by seq, never overlapping, all after next_seq_
    size_t held_bytes_ = 0;
    uint32_t next_seq_ = 0;
    uint32_t fin_seq_ = 0;  // sequence number of the FIN, valid when fin_
    bool started_ = false;
    bool fin_ = false;
    bool fin_done_ = false;  // the FIN's sequence number has been consumed
    bool rst_ = false;
    bool midstream_gap_ = false;  // started without a SYN; not yet reported to the receiver
};

}  // namespace otsentry::capture
