// TcpStream: in-order delivery of one direction's bytes with retransmission, overlap and gap
// handling. Sequence numbers are compared in serial-number arithmetic (RFC 1982; RFC 9293
// §3.4) so a stream that wraps past 2^32 keeps working.
#include "capture/stream/tcp_stream.h"

#include "capture/decode/decoder.h"

namespace otsentry::capture {

namespace {

// Signed distance from b to a in sequence space: > 0 when a is after b.
constexpr int32_t seq_diff(uint32_t a, uint32_t b) noexcept
{
    return static_cast<int32_t>(a - b);
}

}  // namespace

void TcpStream::on_segment(Direction dir, uint32_t seq, uint8_t flags, std::span<const uint8_t> payload,
                           const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats)
{
    if (flags & tcp_flags::rst) {
        // Data on a RST is diagnostic text at most (RFC 9293 §3.5.3), never part of the stream.
        rst_ = true;
        return;
    }
    if (fin_ || rst_) return;  // nothing after the end of the stream is delivered

    const bool syn = flags & tcp_flags::syn;
    // The SYN takes one sequence number; data on a SYN (TCP Fast Open) starts after it.
    const uint32_t data_seq = syn ? seq + 1 : seq;
    if (!started_) {
        started_ = true;
        next_seq_ = data_seq;
        if (!syn) {
            ++stats.midstream;
            midstream_gap_ = true;
        }
    }

    // FIN takes the sequence number after the segment's data (RFC 9293 §3.4).
    const uint32_t fin_seq = data_seq + static_cast<uint32_t>(payload.size());
    if (!payload.empty()) {
        ++stats.segments;
        const int32_t diff = seq_diff(data_seq, next_seq_);
        if (diff < 0) {
            const auto old = static_cast<uint64_t>(-static_cast<int64_t>(diff));
            if (old >= payload.size()) {
                ++stats.retransmissions;
                payload = {};
            } else {
                ++stats.overlaps;
                payload = payload.subspan(static_cast<size_t>(old));
            }
        } else if (diff > 0) {
            ++stats.gaps;
            stats.gap_bytes += static_cast<uint32_t>(diff);
            rx.on_gap(dir, static_cast<uint32_t>(diff), ctx);
            next_seq_ = data_seq;
        }
        if (!payload.empty()) {
            if (midstream_gap_) {
                // Picked up mid-way: an unknown amount came before, so the first byte need not
                // start a PDU. The receiver resynchronises as after any gap.
                midstream_gap_ = false;
                rx.on_gap(dir, 0, ctx);
            }
            stats.bytes_delivered += payload.size();
            next_seq_ += static_cast<uint32_t>(payload.size());
            rx.on_data(dir, payload, ctx);
        }
    }

    if (flags & tcp_flags::fin) {
        fin_ = true;
        if (seq_diff(fin_seq, next_seq_) >= 0) next_seq_ = fin_seq + 1;
    }
}

}  // namespace otsentry::capture
