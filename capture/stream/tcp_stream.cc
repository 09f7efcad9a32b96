// TcpStream: per-direction reassembly. Sequence numbers are compared in serial-number
// arithmetic (RFC 1982; RFC 9293 §3.4) so a stream that wraps past 2^32 keeps working; held
// segments are compared by their offset from next_seq_, which is below 2^31 for all of them.
#include "capture/stream/tcp_stream.h"

#include <algorithm>

#include "capture/decode/decoder.h"

namespace otsentry::capture {

namespace {

// Signed distance from b to a in sequence space: > 0 when a is after b.
constexpr int32_t seq_diff(uint32_t a, uint32_t b) noexcept
{
    return static_cast<int32_t>(a - b);
}

}  // namespace

bool TcpStream::finished() const noexcept
{
    return rst_ || fin_done_;
}

void TcpStream::on_segment(Direction dir, uint32_t seq, uint8_t flags, std::span<const uint8_t> payload,
                           const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats)
{
    if (rst_) return;
    if (flags & tcp_flags::rst) {
        // Data on a RST is diagnostic text at most (RFC 9293 §3.5.3), never part of the stream.
        // Nothing more will come: what is held is delivered, its holes reported.
        flush(dir, ctx, rx, stats);
        rst_ = true;
        return;
    }

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
    const uint32_t end_seq = data_seq + static_cast<uint32_t>(payload.size());

    if (!payload.empty()) {
        ++stats.segments;
        if (fin_) {  // bytes at or after the FIN are not stream data
            const int32_t room = seq_diff(fin_seq_, data_seq);
            payload = room <= 0 ? std::span<const uint8_t>{}
                                : payload.first(std::min(payload.size(), static_cast<size_t>(room)));
        }
    }
    if (!payload.empty()) {
        const int32_t diff = seq_diff(data_seq, next_seq_);
        if (diff > 0) {
            hold(dir, data_seq, payload, ctx, rx, stats);
            if (held_.size() > max_held_segments || held_bytes_ > max_held_bytes) {
                ++stats.buffer_overflows;
                rx.on_stream_anomaly(dir, StreamAnomaly::HeldDataOverflow, ctx);
            }
            if (stats.held_bytes_total > stats.max_held_bytes_total) {
                // Over the global cap: this direction gives up everything it holds.
                ++stats.memcap_hits;
                rx.on_stream_anomaly(dir, StreamAnomaly::Memcap, ctx);
                flush(dir, ctx, rx, stats);
            }
            while (held_.size() > max_held_segments || held_bytes_ > max_held_bytes) {
                skip_to(dir, held_.front().seq, ctx, rx, stats);
                drain(dir, ctx, rx, stats);
            }
        } else {
            const auto old = static_cast<uint64_t>(-static_cast<int64_t>(diff));
            if (old >= payload.size()) {
                ++stats.retransmissions;
                payload = {};
            } else {
                if (old > 0) ++stats.overlaps;
                payload = payload.subspan(static_cast<size_t>(old));
            }
            if (!payload.empty()) {
                // Bytes already held were seen first: deliver up to them, and let hold() compare
                // the rest with them.
                if (!held_.empty()) {
                    const auto room = static_cast<size_t>(seq_diff(held_.front().seq, next_seq_));
                    if (payload.size() > room) {
                        const uint32_t rest_seq = next_seq_ + static_cast<uint32_t>(room);
                        hold(dir, rest_seq, payload.subspan(room), ctx, rx, stats);
                        payload = payload.first(room);
                    }
                }
                deliver(dir, payload, ctx, rx, stats);
                drain(dir, ctx, rx, stats);
            }
        }
    }

    if ((flags & tcp_flags::fin) && !fin_) {
        fin_ = true;
        fin_seq_ = end_seq;
        drop_held_after(fin_seq_, stats);
    }
    complete_fin();
}

void TcpStream::on_peer_answered(Direction dir, uint32_t ack, const PacketCtx& ctx, StreamReceiver& rx,
                                 StreamStats& stats)
{
    // A finished direction has nothing left to lose: an ACK far past its FIN is not a gap.
    if (!started_ || rst_ || fin_done_) return;
    uint32_t target = ack;
    if (fin_ && seq_diff(target, fin_seq_) > 0) target = fin_seq_;  // the ACK of the FIN itself
    if (seq_diff(target, next_seq_) <= 0) return;
    while (!held_.empty() && seq_diff(held_.front().seq, target) < 0) {
        skip_to(dir, held_.front().seq, ctx, rx, stats);
        drain(dir, ctx, rx, stats);
    }
    skip_to(dir, target, ctx, rx, stats);
    drain(dir, ctx, rx, stats);
}

void TcpStream::flush(Direction dir, const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats)
{
    while (!held_.empty()) {
        skip_to(dir, held_.front().seq, ctx, rx, stats);
        drain(dir, ctx, rx, stats);
    }
}

void TcpStream::hold(Direction dir, uint32_t seq, std::span<const uint8_t> data, const PacketCtx& ctx,
                     StreamReceiver& rx, StreamStats& stats)
{
    // Offsets from next_seq_ turn sequence numbers into plain integers for this comparison.
    const auto off = [this](uint32_t s) {
        return static_cast<uint64_t>(static_cast<uint32_t>(s - next_seq_));
    };
    const uint64_t start = off(seq);
    const uint64_t end = start + data.size();
    std::vector<Held> pieces;
    uint64_t cur = start;
    bool overlapped = false;
    bool conflict = false;
    for (const Held& h : held_) {
        const uint64_t hs = off(h.seq);
        const uint64_t he = hs + h.bytes.size();
        if (he <= cur) continue;
        if (hs >= end) break;
        if (hs > cur) {
            const auto piece = data.subspan(cur - start, hs - cur);
            pieces.push_back({next_seq_ + static_cast<uint32_t>(cur), {piece.begin(), piece.end()}});
        }
        // The overlap [max(cur, hs), min(end, he)): the held bytes were seen first and stay.
        overlapped = true;
        const uint64_t os = std::max(cur, hs);
        const uint64_t oe = std::min(end, he);
        const auto mine = data.subspan(os - start, oe - os);
        if (!std::equal(mine.begin(), mine.end(), h.bytes.begin() + static_cast<std::ptrdiff_t>(os - hs)))
            conflict = true;
        cur = oe;
        if (cur >= end) break;
    }
    if (cur < end) {
        const auto piece = data.subspan(cur - start);
        pieces.push_back({next_seq_ + static_cast<uint32_t>(cur), {piece.begin(), piece.end()}});
    }
    if (overlapped) ++stats.overlaps;
    if (conflict) {  // once per segment, however many held pieces it disagrees with
        ++stats.overlap_conflicts;
        rx.on_stream_anomaly(dir, StreamAnomaly::OverlapConflict, ctx);
    }
    if (pieces.empty()) {
        ++stats.retransmissions;  // every byte was already held
        return;
    }
    ++stats.out_of_order;
    for (Held& p : pieces) {
        held_bytes_ += p.bytes.size();
        stats.held_bytes_total += p.bytes.size();
        const uint64_t at = off(p.seq);
        const auto pos =
            std::find_if(held_.begin(), held_.end(), [&](const Held& h) { return off(h.seq) > at; });
        held_.insert(pos, std::move(p));
    }
}

void TcpStream::deliver(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx,
                        StreamReceiver& rx, StreamStats& stats)
{
    if (data.empty()) return;
    if (midstream_gap_) {
        // Picked up mid-way: an unknown amount came before, so the first byte need not start a
        // PDU. The receiver resynchronises as after any gap.
        midstream_gap_ = false;
        rx.on_gap(dir, 0, ctx);
    }
    stats.bytes_delivered += data.size();
    next_seq_ += static_cast<uint32_t>(data.size());
    rx.on_data(dir, data, ctx);
}

void TcpStream::drain(Direction dir, const PacketCtx& ctx, StreamReceiver& rx, StreamStats& stats)
{
    while (!held_.empty()) {
        const int32_t d = seq_diff(held_.front().seq, next_seq_);
        if (d > 0) break;  // a hole remains before it
        std::vector<uint8_t> bytes = std::move(held_.front().bytes);
        held_.erase(held_.begin());
        held_bytes_ -= bytes.size();
        stats.held_bytes_total -= bytes.size();
        const auto old = static_cast<size_t>(-static_cast<int64_t>(d));
        if (old < bytes.size()) deliver(dir, std::span<const uint8_t>{bytes}.subspan(old), ctx, rx, stats);
    }
    complete_fin();
}

void TcpStream::skip_to(Direction dir, uint32_t seq, const PacketCtx& ctx, StreamReceiver& rx,
                        StreamStats& stats)
{
    const int32_t gap = seq_diff(seq, next_seq_);
    if (gap <= 0) return;
    ++stats.gaps;
    stats.gap_bytes += static_cast<uint32_t>(gap);
    midstream_gap_ = false;  // the receiver resynchronises after this gap anyway
    next_seq_ = seq;
    rx.on_gap(dir, static_cast<uint32_t>(gap), ctx);
}

void TcpStream::drop_held_after(uint32_t seq, StreamStats& stats) noexcept
{
    // Held bytes at or after the FIN are not stream data (they came before the FIN did).
    while (!held_.empty()) {
        Held& last = held_.back();
        const int32_t keep = seq_diff(seq, last.seq);
        if (keep >= static_cast<int32_t>(last.bytes.size())) break;
        if (keep <= 0) {
            held_bytes_ -= last.bytes.size();
            stats.held_bytes_total -= last.bytes.size();
            held_.pop_back();
            continue;
        }
        held_bytes_ -= last.bytes.size() - static_cast<size_t>(keep);
        stats.held_bytes_total -= last.bytes.size() - static_cast<size_t>(keep);
        last.bytes.resize(static_cast<size_t>(keep));
        break;
    }
}

void TcpStream::complete_fin() noexcept
{
    if (fin_ && !fin_done_ && next_seq_ == fin_seq_) {
        next_seq_ = fin_seq_ + 1;
        fin_done_ = true;
    }
}

}  // namespace otsentry::capture
