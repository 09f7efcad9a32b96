#include "dissectors/dnp3/dnp3_session.h"

#include <algorithm>
#include <cstring>

#include "dissectors/dnp3/dnp3_objects.h"

namespace otsentry::dnp3 {

namespace {

using dissect::JsonWriter;

void write_link(JsonWriter& w, const Pdu& p)
{
    const auto& l = p.link;
    w.key("link").begin_object();
    w.field("function", l.function()).field("function_name", link_function_name(l.prm(), l.function()));
    w.field("dir", l.dir()).field("prm", l.prm());
    if (l.prm())
        w.field("fcb", l.fcb()).field("fcv", l.fcv_dfc());
    else
        w.field("dfc", l.fcv_dfc());
    w.field("frames", p.link_frames);
    if (p.bad_data_crc) w.field("bad_crc", true);
    w.end_object();
}

void write_objects(JsonWriter& w, const Pdu& p)
{
    w.key("objects").begin_array();
    size_t budget = max_eve_points;
    for (size_t i = 0; i < p.object_count; ++i) {
        const ObjectHeader& h = p.objects[i];
        w.begin_object();
        w.field("group", h.group).field("variation", h.variation).field("qualifier", h.qualifier);
        w.field("name", object_name(h.group, h.variation));
        if (h.has(ObjectHeader::HasRange)) {
            w.key("range").begin_object();
            w.field("start", h.start).field("stop", h.stop);
            w.end_object();
        }
        w.field("count", h.count);
        if (h.has(ObjectHeader::Unknown)) w.field("unknown", true);
        if (h.has(ObjectHeader::Truncated)) w.field("truncated", true);
        size_t object_budget = std::min(budget, max_eve_points_per_object);
        const size_t before = object_budget;
        write_points(w, p.fragment, h, object_budget);
        budget -= before - object_budget;
        w.end_object();
    }
    w.end_array();
    if (p.objects_total > p.object_count)
        w.field("objects_truncated", static_cast<uint64_t>(p.objects_total - p.object_count));
}

}  // namespace

void write_pdu_json(JsonWriter& w, const Pdu& p)
{
    w.begin_object();
    dissect::write_fields(w, fields(), p);
    write_link(w, p);
    if (p.kind == PduKind::Application) {
        w.key("transport").begin_object();
        w.field("seq", static_cast<uint8_t>(p.transport & tr_seq)).field("segments", p.link_frames);
        w.end_object();
        if (p.has_header) {
            w.key("control").begin_object();
            w.field("fir", p.fir()).field("fin", p.fin()).field("con", p.con()).field("uns", p.uns());
            w.field("seq", p.app_seq());
            w.end_object();
        }
        if (p.has_iin) {
            w.key("iin_names").begin_array();
            for (size_t b = iin_bit_names.size(); b-- > 0;)
                if ((p.iin >> b) & 1u) w.value(iin_bit_names[b]);
            w.end_array();
        }
        if (p.objects_total > 0) write_objects(w, p);
    }
    w.field("pcap_cnt", p.pcap_cnt);
    w.end_object();
}

void Transaction::write_json(JsonWriter& w) const
{
    w.begin_object();
    if (request_ != nullptr) {
        w.key("request");
        write_pdu_json(w, *request_);
    }
    if (response_ != nullptr) {
        w.key("response");
        write_pdu_json(w, *response_);
    }
    w.end_object();
}

uint64_t Transaction::pcap_cnt() const
{
    const uint64_t a = request_ != nullptr ? request_->pcap_cnt : 0;
    const uint64_t b = response_ != nullptr ? response_->pcap_cnt : 0;
    return std::max(a, b);
}

// ------------------------------------------------------------------------------ link framing

void Dnp3Session::skip_unsynced(size_t n) noexcept
{
    if (seen_dnp3_) return;
    unsynced_bytes_ += n;
    if (unsynced_bytes_ > max_unsynced_bytes) active_ = false;
}

size_t Dnp3Session::consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx)
{
    DirState& d = dirs_[index_of(dir)];
    size_t pos = 0;
    while (active_ && pos < in.size()) {
        if (d.resync) {
            // Move one byte at a time to the next valid header; a short tail may still become one.
            size_t skipped = 0;
            while (in.size() - pos >= link_header_len && !plausible_header(in.subspan(pos))) {
                ++pos;
                ++skipped;
            }
            skip_unsynced(skipped);
            if (!active_) return in.size();
            if (in.size() - pos < link_header_len) return pos;
            d.resync = false;
        }
        LinkFrame f;
        const ParseResult r = parse_link_frame(in.subspan(pos), f);
        switch (r.kind) {
            case ParseResult::Kind::NeedMore:
                return pos;
            case ParseResult::Kind::Ok:
                seen_dnp3_ = true;
                on_frame(dir, f, ctx);
                pos += r.size;
                break;
            case ParseResult::Kind::NotThisProtocol:
                if (seen_dnp3_) raise(Anomaly::BadStartBytes, ctx, nullptr);
                d.resync = true;
                break;
            case ParseResult::Kind::Anomaly:
                if (seen_dnp3_) raise(r.reason, ctx, nullptr);
                d.resync = true;
                ++pos;  // the header at pos cannot be framed: search after it
                break;
        }
    }
    return pos;
}

void Dnp3Session::on_datagram(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    // DNP3 over UDP sends whole link frames in each datagram, so each datagram starts afresh and
    // nothing is carried to the next one.
    DirState& d = dirs_[index_of(dir)];
    d.len = 0;
    d.resync = !seen_dnp3_;
    const size_t used = consume(dir, data, ctx);
    if (!active_ || used >= data.size()) return;
    if (seen_dnp3_ && !d.resync)
        raise(Anomaly::TruncatedFrame, ctx, nullptr);
    else
        skip_unsynced(data.size() - used);
}

void Dnp3Session::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    if (datagrams_) {
        if (active_) on_datagram(dir, data, ctx);
        return;
    }
    DirState& d = dirs_[index_of(dir)];
    while (!data.empty() && active_) {
        if (d.len == 0) {
            // The common case: whole frames are parsed in place, only a trailing partial frame is
            // copied.
            const size_t used = consume(dir, data, ctx);
            data = data.subspan(std::min(used, data.size()));
            if (!active_ || data.empty()) return;
            if (data.size() > d.buf.size()) {
                // Unreachable: consume() stops only before a partial frame or a partial header.
                d.resync = true;
                data = data.subspan(1);
                continue;
            }
            std::memcpy(d.buf.data(), data.data(), data.size());
            d.len = data.size();
            return;
        }
        // Complete the buffered partial frame with as many new bytes as fit.
        const size_t old_len = d.len;
        const size_t take = std::min(data.size(), d.buf.size() - d.len);
        std::memcpy(d.buf.data() + d.len, data.data(), take);
        d.len += take;
        const size_t used = consume(dir, std::span<const uint8_t>{d.buf.data(), d.len}, ctx);
        if (used >= old_len) {
            d.len = 0;
            data = data.subspan(used - old_len);
            continue;
        }
        std::memmove(d.buf.data(), d.buf.data() + used, d.len - used);
        d.len -= used;
        data = data.subspan(take);
        if (used == 0 && take == 0) {
            // Unreachable: a full buffer always holds a whole frame or skippable bytes.
            d.len = 0;
            d.resync = true;
        }
    }
}

void Dnp3Session::on_frame(Direction dir, const LinkFrame& f, const PacketCtx& ctx)
{
    if (!known_link_function(f.header.prm(), f.header.function()))
        raise(Anomaly::UnknownLinkFunction, ctx, nullptr);
    if (f.bad_data_crc) raise(Anomaly::BadDataCrc, ctx, nullptr);
    if (f.header.carries_segment())
        on_segment(dir, f, ctx);
    else
        on_link_only(f, ctx);
}

// ------------------------------------------------------------------------- transport function

Dnp3Session::Channel* Dnp3Session::find_channel(uint16_t src, uint16_t dst) noexcept
{
    for (auto& c : channels_)
        if (c->src == src && c->dst == dst) return c.get();
    return nullptr;
}

Dnp3Session::Channel& Dnp3Session::new_channel(uint16_t src, uint16_t dst, Direction dir,
                                               const PacketCtx& ctx)
{
    Channel* c = nullptr;
    if (channels_.size() < max_channels) {
        c = channels_.emplace_back(std::make_unique<Channel>()).get();
    } else {
        c = std::min_element(channels_.begin(), channels_.end(), [](const auto& a, const auto& b) {
                return a->last_use < b->last_use;
            })->get();
        if (c->state == Channel::State::Assembling) raise(Anomaly::TooManyChannels, ctx, nullptr);
    }
    c->src = src;
    c->dst = dst;
    c->dir = dir;
    c->state = Channel::State::Idle;
    c->len = 0;
    c->synced = false;
    return *c;
}

void Dnp3Session::on_segment(Direction dir, const LinkFrame& f, const PacketCtx& ctx)
{
    const auto data = f.data();
    const uint8_t th = data[0];
    const auto app = data.subspan(1);
    const uint8_t seq = th & tr_seq;
    const bool fir = (th & tr_fir) != 0;
    const bool fin = (th & tr_fin) != 0;
    Channel* c = find_channel(f.header.src, f.header.dst);

    if (fir && fin && (c == nullptr || c->state != Channel::State::Assembling)) {
        // A fragment in one segment (the common case) is parsed in place.
        if (c != nullptr) {
            c->state = Channel::State::Idle;
            c->synced = true;
            c->last_seq = seq;
            c->last_use = ++clock_;
        }
        Pdu pdu;
        pdu.link = f.header;
        pdu.link_frames = 1;
        pdu.bad_data_crc = f.bad_data_crc;
        pdu.transport = th;
        pdu.pcap_cnt = ctx.pcap_cnt;
        parse_application(app, pdu);
        on_fragment(pdu, ctx);
        return;
    }
    if (c == nullptr) {
        if (!fir) return;  // a continuation after a mid-stream start or gap: nothing to join it to
        c = &new_channel(f.header.src, f.header.dst, dir, ctx);
    }
    c->last_use = ++clock_;
    if (fir) {
        // A new fragment while one was being assembled: the older one never got its FIN.
        if (c->state == Channel::State::Assembling) raise(Anomaly::TransportSequence, ctx, nullptr);
        c->state = Channel::State::Assembling;
        c->len = 0;
        c->frames = 0;
        c->bad_crc = false;
    } else {
        // After a sequence error the rest of that fragment is dropped quietly until the next FIR.
        if (c->state == Channel::State::Idle) {
            if (c->synced) raise(Anomaly::TransportSequence, ctx, nullptr);
            c->synced = false;
            return;
        }
        if (seq == c->last_seq) return;  // a repeated segment is discarded (1815 §8.2.3)
        if (seq != (c->last_seq + 1) % tr_seq_modulo) {
            if (c->state == Channel::State::Assembling) raise(Anomaly::TransportSequence, ctx, nullptr);
            c->state = Channel::State::Idle;
            c->synced = false;
            return;
        }
    }
    c->synced = true;
    c->last_seq = seq;
    if (c->state == Channel::State::Discarding) {
        if (fin) c->state = Channel::State::Idle;
        return;
    }
    if (c->len + app.size() > max_fragment_len) {
        raise(Anomaly::ReassemblyOverflow, ctx, nullptr);
        c->state = fin ? Channel::State::Idle : Channel::State::Discarding;
        c->len = 0;
        return;
    }
    std::copy(app.begin(), app.end(), c->buf.begin() + static_cast<std::ptrdiff_t>(c->len));
    c->len += app.size();
    c->frames = static_cast<uint8_t>(std::min<unsigned>(c->frames + 1u, 255u));
    c->bad_crc = c->bad_crc || f.bad_data_crc;
    if (!fin) return;
    c->state = Channel::State::Idle;
    Pdu pdu;
    pdu.link = f.header;
    pdu.link_frames = c->frames;
    pdu.bad_data_crc = c->bad_crc;
    pdu.transport = th;
    pdu.pcap_cnt = ctx.pcap_cnt;
    parse_application({c->buf.data(), c->len}, pdu);
    on_fragment(pdu, ctx);
}

// ----------------------------------------------------------------------------------- pairing

Dnp3Session::Pending* Dnp3Session::find_pending(WaitKind kind, uint16_t src, uint16_t dst,
                                                int app_seq) noexcept
{
    for (auto& p : pending_) {
        if (!p->used || p->kind != kind || p->pdu.link.src != src || p->pdu.link.dst != dst) continue;
        if (app_seq < 0 || p->pdu.app_seq() == app_seq) return p.get();
    }
    return nullptr;
}

void Dnp3Session::release(Pending& slot) noexcept
{
    slot.used = false;
    --used_;
}

void Dnp3Session::emit(const Pdu* request, const Pdu* response, const PacketCtx& ctx)
{
    const Transaction t{request, response};
    sink_.on_event(protocol, ctx, t);
}

void Dnp3Session::emit_waiting(Pending& slot, const PacketCtx& ctx)
{
    if (slot.kind == WaitKind::Unsolicited)
        emit(nullptr, &slot.pdu, ctx);
    else
        emit(&slot.pdu, nullptr, ctx);
    release(slot);
}

Dnp3Session::Pending& Dnp3Session::free_slot(const PacketCtx& ctx)
{
    for (auto& p : pending_)
        if (!p->used) return *p;
    if (pending_.size() < max_outstanding) return *pending_.emplace_back(std::make_unique<Pending>());
    // Cap reached: the oldest is given up as unanswered.
    auto& oldest = **std::min_element(pending_.begin(), pending_.end(),
                                      [](const auto& a, const auto& b) { return a->seq < b->seq; });
    const Transaction t = oldest.kind == WaitKind::Unsolicited ? Transaction{nullptr, &oldest.pdu}
                                                               : Transaction{&oldest.pdu, nullptr};
    raise(Anomaly::TooManyOutstanding, ctx, &t);
    emit_waiting(oldest, ctx);
    return oldest;
}

void Dnp3Session::wait(WaitKind kind, const Pdu& pdu, const PacketCtx& ctx)
{
    Pending& slot = free_slot(ctx);
    slot.kind = kind;
    slot.pdu = pdu;
    // The fragment outlives this call: copy it; object headers are offsets into it.
    std::copy(pdu.fragment.begin(), pdu.fragment.end(), slot.bytes.begin());
    slot.pdu.fragment = std::span<const uint8_t>{slot.bytes.data(), pdu.fragment.size()};
    slot.seq = next_seq_++;
    slot.used = true;
    ++used_;
}

void Dnp3Session::on_link_only(const LinkFrame& f, const PacketCtx& ctx)
{
    Pdu pdu;
    pdu.kind = PduKind::LinkOnly;
    pdu.link = f.header;
    pdu.link_frames = 1;
    pdu.bad_data_crc = f.bad_data_crc;
    pdu.pcap_cnt = ctx.pcap_cnt;
    if (f.header.prm()) {
        // A link service request (reset, test, status): the secondary station answers it.
        if (Pending* old = find_pending(WaitKind::LinkRequest, pdu.link.src, pdu.link.dst, -1);
            old != nullptr)
            emit_waiting(*old, ctx);
        wait(WaitKind::LinkRequest, pdu, ctx);
        return;
    }
    if (Pending* req = find_pending(WaitKind::LinkRequest, pdu.link.dst, pdu.link.src, -1); req != nullptr) {
        emit(&req->pdu, &pdu, ctx);
        release(*req);
        return;
    }
    // An ACK of confirmed user data, or an answer whose request we did not see.
    emit(nullptr, &pdu, ctx);
}

void Dnp3Session::on_fragment(Pdu& pdu, const PacketCtx& ctx)
{
    const uint8_t fc = pdu.function;
    const uint16_t src = pdu.link.src;
    const uint16_t dst = pdu.link.dst;
    if (!pdu.has_header || !known_function(fc)) {
        // No usable function: its side follows the link DIR bit (set from the master) or the code.
        const bool from_master = pdu.has_header ? fc < 0x80 : pdu.link.dir();
        const Transaction t = from_master ? Transaction{&pdu, nullptr} : Transaction{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(protocol, ctx, t);
        return;
    }
    if (fc == to_underlying(Function::Confirm)) {
        if (pdu.uns()) {
            // Confirms an unsolicited response of the same sequence number (1815 §4.6).
            if (Pending* u = find_pending(WaitKind::Unsolicited, dst, src, pdu.app_seq()); u != nullptr) {
                const Transaction t{&pdu, &u->pdu};
                raise_all(pdu.anomalies, ctx, t);
                sink_.on_event(protocol, ctx, t);
                release(*u);
                return;
            }
        }
        const Transaction t{&pdu, nullptr};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(protocol, ctx, t);
        return;
    }
    if (fc == to_underlying(Function::UnsolicitedResponse)) {
        // A retry or the next unsolicited response: the earlier one was never confirmed.
        if (Pending* old = find_pending(WaitKind::Unsolicited, src, dst, -1); old != nullptr)
            emit_waiting(*old, ctx);
        const Transaction t{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        if (pdu.con())
            wait(WaitKind::Unsolicited, pdu, ctx);
        else
            sink_.on_event(protocol, ctx, t);
        return;
    }
    if (is_response_function(fc)) {
        if (Pending* req = find_pending(WaitKind::Request, dst, src, pdu.app_seq()); req != nullptr) {
            const Transaction t{&req->pdu, &pdu};
            raise_all(pdu.anomalies, ctx, t);
            sink_.on_event(protocol, ctx, t);
            release(*req);
            requests_lost_ = false;
            return;
        }
        // Later fragments of a multi-fragment response (FIR clear) follow a paired first one.
        if (pdu.fir() && !requests_lost_) pdu.anomalies |= anomaly_bit(Anomaly::ResponseWithoutRequest);
        const Transaction t{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(protocol, ctx, t);
        return;
    }
    const Transaction alone{&pdu, nullptr};
    raise_all(pdu.anomalies, ctx, alone);
    if (!expects_response(fc) || dst >= min_broadcast_address) {
        sink_.on_event(protocol, ctx, alone);
        return;
    }
    // A master has one request outstanding per outstation: an older one was not answered.
    if (Pending* old = find_pending(WaitKind::Request, src, dst, -1); old != nullptr) emit_waiting(*old, ctx);
    wait(WaitKind::Request, pdu, ctx);
}

void Dnp3Session::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& /*ctx*/)
{
    if (datagrams_) return;  // datagrams are independent; a lost one shows as a sequence problem
    DirState& d = dirs_[index_of(dir)];
    d.len = 0;
    d.resync = true;
    for (auto& c : channels_) {
        if (c->dir != dir) continue;
        c->state = Channel::State::Idle;
        c->synced = false;
    }
    requests_lost_ = true;
}

void Dnp3Session::on_end(const PacketCtx& ctx)
{
    std::array<Pending*, max_outstanding> waiting{};
    size_t n = 0;
    for (auto& p : pending_)
        if (p->used) waiting[n++] = p.get();
    std::sort(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(n),
              [](const Pending* a, const Pending* b) { return a->seq < b->seq; });
    for (size_t i = 0; i < n; ++i)
        emit_waiting(*waiting[i], ctx);
    // A synchronised direction holding part of a frame: a header promised bytes that never came.
    for (auto& d : dirs_) {
        if (active_ && seen_dnp3_ && !d.resync && d.len > 0) raise(Anomaly::TruncatedFrame, ctx, nullptr);
        d.len = 0;
    }
}

void Dnp3Session::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(protocol, ctx, info(a), context);
}

void Dnp3Session::raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context)
{
    for (const auto& a : anomaly_table)
        if ((anomalies & (1u << a.code)) != 0) sink_.on_anomaly(protocol, ctx, a, &context);
}

namespace {

constexpr std::array<uint16_t, 1> ports = {dnp3_port};

std::unique_ptr<dissect::Session> make_tcp_session(dissect::EventSink& sink)
{
    return std::make_unique<Dnp3Session>(sink, false);
}

std::unique_ptr<dissect::Session> make_udp_session(dissect::EventSink& sink)
{
    return std::make_unique<Dnp3Session>(sink, true);
}

}  // namespace

const dissect::DissectorInfo dissector_info{protocol, dissect::Transport::Tcp, ports,
                                            probe,    make_tcp_session,        anomaly_table};
const dissect::DissectorInfo udp_dissector_info{protocol, dissect::Transport::Udp, ports,
                                                probe,    make_udp_session,        anomaly_table};

}  // namespace otsentry::dnp3
