#include "dissectors/iec104/iec104_session.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "dissectors/iec104/iec104_objects.h"

namespace otsentry::iec104 {

namespace {

using dissect::JsonWriter;

constexpr uint16_t seq_half = seq_modulus / 2;

constexpr uint16_t seq_add(uint16_t a, uint16_t b) noexcept
{
    return static_cast<uint16_t>((a + b) % seq_modulus);
}

// (a - b) modulo 2^15.
constexpr uint16_t seq_diff(uint16_t a, uint16_t b) noexcept
{
    return static_cast<uint16_t>((a + seq_modulus - b) % seq_modulus);
}

// Moves a span that pointed into `from` to the same place in `to`.
void rebase(std::span<const uint8_t>& s, const uint8_t* from, const uint8_t* to) noexcept
{
    if (s.empty()) {
        s = {};
        return;
    }
    s = {to + (s.data() - from), s.size()};
}

bool is_negative_reply(const Pdu& p) noexcept
{
    return p.negative() || (p.cause() >= cot::unknown_type && p.cause() <= cot::unknown_ioa);
}

// Whether an accepted activation may still be followed by an activation termination (COT 10):
// executed commands of the control direction (-101 §7.4.2: the controlled station reports the
// end of the action; a select never has one) and the interrogations, which end after their data.
bool expects_termination(const Pdu& act) noexcept
{
    if (act.cause() != cot::activation) return false;
    const TypeInfo* t = type_info(act.type_id);
    if (t == nullptr) return false;
    if (t->category == Category::Control) {
        if ((act.has(Has::Command) || act.has(Has::Qos)) && (act.first_octet & 0x80) != 0) return false;
        return true;
    }
    return act.type_id == 100 || act.type_id == 101;
}

// Index of a U-format function's activation slot: STARTDT 0, STOPDT 1, TESTFR 2.
int u_index(uint8_t function) noexcept
{
    switch (function) {
        case 0x04:
        case 0x08:
            return 0;
        case 0x10:
        case 0x20:
            return 1;
        case 0x40:
        case 0x80:
            return 2;
        default:
            return -1;
    }
}

bool is_u_act(uint8_t function) noexcept
{
    return function == 0x04 || function == 0x10 || function == 0x40;
}

// Capture time plus max_wait_us, saturating.
int64_t deadline_after(int64_t ts) noexcept
{
    return ts > INT64_MAX - max_wait_us - 1 ? INT64_MAX - 1 : ts + max_wait_us;
}

uint32_t key_ioa(const Pdu& p) noexcept
{
    return p.has(Has::FirstIoa) ? p.first_ioa : 0;
}

bool same_key(const Pdu& a, const Pdu& b) noexcept
{
    return a.type_id == b.type_id && a.common_address == b.common_address && key_ioa(a) == key_ioa(b);
}

}  // namespace

void write_pdu_json(JsonWriter& w, const Pdu& pdu)
{
    w.begin_object();
    dissect::write_fields(w, fields(), pdu);
    if (pdu.has(Has::Asdu)) {
        w.field("sq", pdu.sq());
        w.field("negative", pdu.negative());
        w.field("test", pdu.test());
        w.key("ioas").begin_array();
        if (type_info(pdu.type_id) == nullptr) {
            if (pdu.has(Has::FirstIoa)) w.value(pdu.first_ioa);  // all that can be read of it
        } else {
            ObjectWalker walk{pdu};
            ObjectWalker::Object o;
            while (walk.next(o))
                w.value(o.ioa);
        }
        w.end_array();
        if (const TypeInfo* t = type_info(pdu.type_id); t != nullptr) {
            w.key("objects").begin_array();
            ObjectWalker walk{pdu};
            ObjectWalker::Object o;
            size_t n = 0;
            while (n < max_eve_objects && walk.next(o)) {
                w.begin_object();
                w.field("ioa", o.ioa);
                write_elements(w, *t, o.elements);
                w.end_object();
                ++n;
            }
            w.end_array();
            if (pdu.object_count > n)
                w.field("objects_truncated", static_cast<uint64_t>(pdu.object_count - n));
        }
    }
    w.field("pcap_cnt", pdu.pcap_cnt);
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
    if (termination_ != nullptr) {
        w.key("termination");
        write_pdu_json(w, *termination_);
    }
    w.end_object();
}

uint64_t Transaction::pcap_cnt() const
{
    uint64_t n = 0;
    for (const Pdu* p : {request_, response_, termination_})
        if (p != nullptr) n = std::max(n, p->pcap_cnt);
    return n;
}

void Iec104Session::Stored::store(const Pdu& p, std::span<const uint8_t> frame) noexcept
{
    std::copy(frame.begin(), frame.end(), bytes.begin());
    pdu = p;
    rebase(pdu.asdu, frame.data(), bytes.data());
    rebase(pdu.objects, frame.data(), bytes.data());
}

size_t Iec104Session::outstanding() const noexcept
{
    return pending_used_ + static_cast<size_t>(std::count_if(u_pending_.begin(), u_pending_.end(),
                                                             [](const UPending& u) { return u.used; }));
}

void Iec104Session::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(protocol, ctx, info(a), context);
}

void Iec104Session::raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context)
{
    for (const auto& a : anomaly_table)
        if ((anomalies & bit(static_cast<Anomaly>(a.code))) != 0)
            sink_.on_anomaly(protocol, ctx, a, &context);
}

void Iec104Session::emit_alone(Direction dir, const Pdu& pdu, const PacketCtx& ctx)
{
    const bool from_client = dir == Direction::ToServer;
    const Transaction t{from_client ? &pdu : nullptr, from_client ? nullptr : &pdu};
    raise_all(pdu.anomalies, ctx, t);
    sink_.on_event(protocol, ctx, t);
}

void Iec104Session::emit_pending(Pending& p, const PacketCtx& ctx)
{
    const Transaction t{&p.act.pdu, p.has_con ? &p.con.pdu : nullptr, p.has_term ? &p.term.pdu : nullptr};
    sink_.on_event(protocol, ctx, t);
    p.used = false;
    --pending_used_;
}

void Iec104Session::emit_u_pending(UPending& u, const PacketCtx& ctx)
{
    const Transaction t{&u.pdu, nullptr};
    sink_.on_event(protocol, ctx, t);
    u.used = false;
}

Iec104Session::Pending& Iec104Session::free_slot(const PacketCtx& ctx)
{
    for (auto& p : pending_)
        if (!p->used) return *p;
    if (pending_.size() < max_pending) return *pending_.emplace_back(std::make_unique<Pending>());
    // Cap reached: the oldest command is reported as it is.
    auto& oldest = **std::min_element(pending_.begin(), pending_.end(),
                                      [](const auto& a, const auto& b) { return a->seq < b->seq; });
    const Transaction t{&oldest.act.pdu, oldest.has_con ? &oldest.con.pdu : nullptr};
    raise(Anomaly::TooManyPending, ctx, &t);
    emit_pending(oldest, ctx);
    return oldest;
}

Iec104Session::Pending* Iec104Session::find_for_reply(Direction act_dir, const Pdu& reply) noexcept
{
    Pending* best = nullptr;
    const uint8_t c = reply.cause();
    for (auto& p : pending_) {
        if (!p->used || p->dir != act_dir || !same_key(p->act.pdu, reply)) continue;
        const uint8_t a = p->act.pdu.cause();
        bool fits = false;
        if (c == cot::activation_con)
            fits = a == cot::activation && !p->has_con && !p->has_term;
        else if (c == cot::deactivation_con)
            fits = a == cot::deactivation && !p->has_con;
        else if (c == cot::activation_term)
            fits = a == cot::activation && !p->has_term;
        else
            fits = !p->has_con && !p->has_term;  // 44-47: the station did not know what it got
        if (fits && (best == nullptr || p->seq < best->seq)) best = p.get();
    }
    return best;
}

void Iec104Session::expire(const PacketCtx& ctx, int64_t now)
{
    if (now <= next_deadline_) return;
    // Oldest first, so the events keep the order the commands were given in.
    for (;;) {
        Pending* oldest = nullptr;
        UPending* oldest_u = nullptr;
        uint64_t seq = UINT64_MAX;
        for (auto& p : pending_)
            if (p->used && p->deadline < now && p->seq < seq) {
                oldest = p.get();
                seq = p->seq;
            }
        for (auto& u : u_pending_)
            if (u.used && u.deadline < now && u.seq < seq) {
                oldest_u = &u;
                oldest = nullptr;
                seq = u.seq;
            }
        if (oldest_u != nullptr)
            emit_u_pending(*oldest_u, ctx);
        else if (oldest != nullptr)
            emit_pending(*oldest, ctx);
        else
            break;
    }
    next_deadline_ = INT64_MAX;
    for (auto& p : pending_)
        if (p->used) next_deadline_ = std::min(next_deadline_, p->deadline);
    for (auto& u : u_pending_)
        if (u.used) next_deadline_ = std::min(next_deadline_, u.deadline);
}

void Iec104Session::decide_origin(const Pdu& pdu) noexcept
{
    // A connection seen from its start opens with a U-format activation (STARTDT, TESTFR) or with
    // I/S-format APDUs numbered from 0 (-104 §5.1: both counters start at 0). Anything else, or a
    // gap before the first APDU, is a pickup inside a running connection.
    bool fresh = false;
    if (!gap_seen_) {
        switch (pdu.apci) {
            case ApciType::U:
                fresh = is_u_act(pdu.u_function());
                break;
            case ApciType::I:
                fresh = pdu.send_seq == 0 && pdu.recv_seq == 0;
                break;
            case ApciType::S:
                fresh = pdu.recv_seq == 0;
                break;
        }
    }
    origin_ = fresh ? Origin::FromStart : Origin::MidStream;
    for (auto& d : dirs_) {
        if (fresh) {
            d.ns_known = true;
            d.next_ns = 0;
        } else {
            d.gapped = true;  // answers to what came before are expected
        }
    }
}

void Iec104Session::check_send_seq(Direction dir, Pdu& pdu) noexcept
{
    auto& d = dirs_[index_of(dir)];
    const uint16_t ns = pdu.send_seq;
    if (!d.ns_known) {
        // After a pickup or a gap the first I-format APDU only sets the expectation.
        d.ns_known = true;
    } else if (ns == d.next_ns) {
        d.alt_known = false;
    } else if (d.alt_known && ns == d.alt_ns) {
        d.alt_known = false;  // the sender really went back after the repeat: follow it quietly
    } else if (seq_diff(ns, d.next_ns) < seq_half) {
        pdu.anomalies |= bit(Anomaly::SendSeqGap);
        d.alt_known = false;
    } else {
        // A repeat or a step back (a replayed APDU, or a restarted sender): keep expecting the
        // next number, but if the sender goes on from here, follow it without a second alert.
        pdu.anomalies |= bit(Anomaly::SendSeqRepeat);
        d.alt_known = true;
        d.alt_ns = seq_add(ns, 1);
        return;
    }
    d.next_ns = seq_add(ns, 1);
}

void Iec104Session::check_ack(Direction dir, Pdu& pdu) const noexcept
{
    // N(R) acknowledges every I-format APDU of the other direction up to N(R) - 1 (-104 §5.1), so
    // it may not run ahead of what that direction sent.
    const auto& other = dirs_[index_of(opposite(dir))];
    if (!other.ns_known) return;
    const uint16_t ahead = seq_diff(pdu.recv_seq, other.next_ns);
    if (ahead != 0 && ahead < seq_half) pdu.anomalies |= bit(Anomaly::AckUnsent);
}

void Iec104Session::on_u(Direction dir, Pdu& pdu, const PacketCtx& ctx)
{
    const uint8_t f = pdu.u_function();
    const int idx = u_index(f);
    if (idx < 0 || (pdu.anomalies & bit(Anomaly::UnknownUFunction)) != 0) {
        emit_alone(dir, pdu, ctx);
        return;
    }
    if (is_u_act(f)) {
        auto& slot = u_pending_[static_cast<size_t>(idx) * 2 + index_of(dir)];
        const Transaction alone{&pdu, nullptr};
        raise_all(pdu.anomalies, ctx, alone);
        if (slot.used) emit_u_pending(slot, ctx);  // a repeated activation: the first went unanswered
        slot.pdu = pdu;
        slot.seq = next_seq_++;
        slot.deadline = deadline_after(ctx.ts_us);
        slot.used = true;
        next_deadline_ = std::min(next_deadline_, slot.deadline);
        return;
    }
    if (f == static_cast<uint8_t>(UFunction::StartdtCon)) startdt_confirmed_ = true;
    const Direction act_dir = opposite(dir);
    auto& slot = u_pending_[static_cast<size_t>(idx) * 2 + index_of(act_dir)];
    if (!slot.used) {
        if (!dirs_[index_of(act_dir)].gapped) pdu.anomalies |= bit(Anomaly::UConWithoutAct);
        const Transaction t{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(protocol, ctx, t);
        return;
    }
    dirs_[index_of(act_dir)].gapped = false;
    const Transaction t{&slot.pdu, &pdu};
    raise_all(pdu.anomalies, ctx, t);
    sink_.on_event(protocol, ctx, t);
    slot.used = false;
}

void Iec104Session::on_activation(Direction dir, Pdu& pdu, std::span<const uint8_t> frame,
                                  const PacketCtx& ctx)
{
    {
        const Transaction alone{&pdu, nullptr};
        raise_all(pdu.anomalies, ctx, alone);
    }
    // Several activations of the same command may wait at once (a repeat before the answer):
    // answers are matched to them oldest first.
    Pending& slot = free_slot(ctx);
    slot.act.store(pdu, frame);
    slot.has_con = false;
    slot.has_term = false;
    slot.dir = dir;
    slot.seq = next_seq_++;
    slot.deadline = deadline_after(ctx.ts_us);
    slot.used = true;
    ++pending_used_;
    next_deadline_ = std::min(next_deadline_, slot.deadline);
}

void Iec104Session::on_reply(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx)
{
    const Direction act_dir = opposite(dir);
    const bool negative = is_negative_reply(pdu);
    if (negative) pdu.anomalies |= bit(Anomaly::NegativeConfirmation);
    Pending* p = find_for_reply(act_dir, pdu);
    if (p == nullptr) {
        if (!negative && !dirs_[index_of(act_dir)].gapped)
            pdu.anomalies |= bit(Anomaly::UnexpectedConfirmation);
        const Transaction t{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(protocol, ctx, t);
        return;
    }
    dirs_[index_of(act_dir)].gapped = false;
    if (pdu.cause() == cot::activation_term) {
        p->term.store(pdu, frame);
        p->has_term = true;
        const Transaction t{&p->act.pdu, p->has_con ? &p->con.pdu : nullptr, &p->term.pdu};
        raise_all(pdu.anomalies, ctx, t);
        emit_pending(*p, ctx);
        return;
    }
    p->con.store(pdu, frame);
    p->has_con = true;
    const Transaction t{&p->act.pdu, &p->con.pdu};
    raise_all(pdu.anomalies, ctx, t);
    if (negative || !expects_termination(p->act.pdu)) {
        emit_pending(*p, ctx);
        return;
    }
    p->deadline = deadline_after(ctx.ts_us);
    next_deadline_ = std::min(next_deadline_, p->deadline);
}

void Iec104Session::on_asdu(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx)
{
    if (!pdu.has(Has::Asdu)) {
        emit_alone(dir, pdu, ctx);
        return;
    }
    const uint8_t c = pdu.cause();
    // A cause the type does not allow (COT 6 on single-point information) is reported as it is,
    // not taken for a command; an unknown type may still be refused with COT 44.
    const TypeInfo* t = type_info(pdu.type_id);
    if (t != nullptr && !cot_allowed(*t, c)) {
        emit_alone(dir, pdu, ctx);
    } else if (c == cot::activation || c == cot::deactivation) {
        on_activation(dir, pdu, frame, ctx);
    } else if (c == cot::activation_con || c == cot::deactivation_con || c == cot::activation_term ||
               (c >= cot::unknown_type && c <= cot::unknown_ioa)) {
        on_reply(dir, pdu, frame, ctx);
    } else {
        emit_alone(dir, pdu, ctx);
    }
}

void Iec104Session::on_apdu(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx)
{
    pdu.pcap_cnt = ctx.pcap_cnt;
    if (origin_ == Origin::Unknown) decide_origin(pdu);
    switch (pdu.apci) {
        case ApciType::I:
            check_send_seq(dir, pdu);
            check_ack(dir, pdu);
            if (origin_ == Origin::FromStart && !gap_seen_ && !startdt_confirmed_ &&
                !reported_before_startdt_) {
                pdu.anomalies |= bit(Anomaly::IFrameBeforeStartdt);
                reported_before_startdt_ = true;
            }
            on_asdu(dir, pdu, frame, ctx);
            break;
        case ApciType::S: {
            ++dirs_[index_of(dir)].s_frames;
            check_ack(dir, pdu);
            const Transaction alone{dir == Direction::ToServer ? &pdu : nullptr,
                                    dir == Direction::ToServer ? nullptr : &pdu};
            raise_all(pdu.anomalies, ctx, alone);
            break;
        }
        case ApciType::U:
            on_u(dir, pdu, ctx);
            break;
    }
}

void Iec104Session::skip_unsynced(size_t& pos) noexcept
{
    ++pos;
    if (!seen_apdu_ && ++unsynced_bytes_ > max_unsynced_bytes) active_ = false;
}

size_t Iec104Session::consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx)
{
    auto& d = dirs_[index_of(dir)];
    size_t pos = 0;
    while (active_ && pos < in.size()) {
        const auto rest = in.subspan(pos);
        const bool candidate = d.resync;
        if (candidate) {
            const Plausible p = plausible_header(rest, cfg_);
            if (p == Plausible::NeedMore) break;
            if (p == Plausible::No) {
                skip_unsynced(pos);
                continue;
            }
        }
        Pdu pdu;
        const auto res = parse_apdu(rest, pdu, cfg_);
        if (candidate && res.kind == ParseResult::Kind::Ok) {
            // Before the first APDU of a flow only a clean one is evidence of IEC 104: 0x68 with a
            // plausible header turns up inside other protocols and inside ASDUs.
            if (!seen_apdu_ && pdu.anomalies != 0) {
                skip_unsynced(pos);
                continue;
            }
            d.resync = false;
        }
        switch (res.kind) {
            case ParseResult::Kind::NeedMore:
                return pos;
            case ParseResult::Kind::Ok:
                seen_apdu_ = true;
                on_apdu(dir, pdu, rest.first(res.size), ctx);
                pos += res.size;
                break;
            case ParseResult::Kind::NotThisProtocol:
                if (!seen_apdu_ && !gap_seen_) {
                    // A connection seen from its start whose first byte is not 0x68: not IEC 104.
                    active_ = false;
                    return in.size();
                }
                [[fallthrough]];
            case ParseResult::Kind::Anomaly:
                // Before any APDU this is probably not IEC 104 at all (or a pickup inside an APDU):
                // look for a header quietly and give up after max_unsynced_bytes.
                if (seen_apdu_)
                    raise(res.kind == ParseResult::Kind::Anomaly ? res.reason : Anomaly::BadStartByte, ctx,
                          nullptr);
                d.resync = true;
                break;
        }
    }
    return pos;
}

void Iec104Session::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    expire(ctx, ctx.ts_us);
    dissect::feed_frames(
        dirs_[index_of(dir)], data, [&](std::span<const uint8_t> in) { return consume(dir, in, ctx); },
        [this] { return active_; });
}

void Iec104Session::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& ctx)
{
    expire(ctx, ctx.ts_us);
    auto& d = dirs_[index_of(dir)];
    d.len = 0;
    d.resync = true;
    d.ns_known = false;
    d.alt_known = false;
    d.gapped = true;
    gap_seen_ = true;
}

void Iec104Session::on_end(const PacketCtx& ctx)
{
    // A synchronised direction holding part of an APDU: its length promised bytes that never came.
    for (auto& d : dirs_) {
        if (active_ && seen_apdu_ && !d.resync && d.len > 0) raise(Anomaly::TruncatedApdu, ctx, nullptr);
        d.len = 0;
    }
    // What still waits, oldest first.
    expire(ctx, INT64_MAX);
}

namespace {
constexpr uint16_t iec104_ports[] = {2404};

std::unique_ptr<dissect::Session> make_session(dissect::EventSink& sink)
{
    return std::make_unique<Iec104Session>(sink);
}
}  // namespace

const dissect::DissectorInfo dissector_info{
    Protocol::Iec104, dissect::Transport::Tcp, iec104_ports, &probe, &make_session, anomaly_table,
};

}  // namespace otsentry::iec104
