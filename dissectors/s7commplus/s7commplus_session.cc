#include "dissectors/s7commplus/s7commplus_session.h"

#include <algorithm>
#include <memory>

namespace otsentry::s7commplus {

namespace {

void write_pdu(dissect::JsonWriter& w, const Pdu& pdu)
{
    w.begin_object();
    dissect::write_fields(w, fields(), pdu);
    if (pdu.integrity()) w.field("integrity", true);
    if (pdu.is_protected()) w.field("protected", true);
    if (pdu.fragment) w.field("fragmented", true);
    w.field("pcap_cnt", pdu.pcap_cnt);
    w.end_object();
}

}  // namespace

void Transaction::write_json(dissect::JsonWriter& w) const
{
    w.begin_object();
    if (request_ != nullptr) {
        w.key("request");
        write_pdu(w, *request_);
    }
    if (response_ != nullptr) {
        w.key("response");
        write_pdu(w, *response_);
    }
    w.end_object();
}

uint64_t Transaction::pcap_cnt() const
{
    if (response_ != nullptr) return response_->pcap_cnt;
    return request_ != nullptr ? request_->pcap_cnt : 0;
}

size_t S7commPlusSession::outstanding() const noexcept
{
    return static_cast<size_t>(
        std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.used; }));
}

void S7commPlusSession::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    if (active_) stream_.on_data(dir, data, ctx);
}

void S7commPlusSession::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& /*ctx*/)
{
    stream_.on_gap(dir);
    in_fragment_[index_of(dir)] = false;
}

void S7commPlusSession::on_not_tpkt()
{
    active_ = false;
}

void S7commPlusSession::on_tpdu(Direction /*dir*/, const cotp::Tpdu& /*tpdu*/, const PacketCtx& /*ctx*/)
{
    // CR/CC/DR carry the TSAPs (S7-1200/1500 use names such as "SIMATIC-ROOT-HMI"); the S7comm
    // dissector reports connections, this one only S7comm-plus PDUs.
}

void S7commPlusSession::on_frame_error(Direction /*dir*/, cotp::FrameError e, const PacketCtx& ctx)
{
    raise(e == cotp::FrameError::BadTpkt ? Anomaly::BadTpkt : Anomaly::BadCotp, ctx, nullptr);
}

void S7commPlusSession::on_reassembly_overflow(Direction /*dir*/, const PacketCtx& ctx)
{
    raise(Anomaly::ReassemblyOverflow, ctx, nullptr);
}

void S7commPlusSession::on_user_pdu(Direction dir, std::span<const uint8_t> bytes, const PacketCtx& ctx)
{
    bool& continuing = in_fragment_[index_of(dir)];
    Pdu pdu;
    if (parse_pdu(bytes, continuing, pdu) != ParseStatus::Ok) {
        if (!seen_) {
            // S7comm (0x32) or ISO session (MMS) over COTP: not ours, and not an anomaly.
            stream_.stop();
            active_ = false;
            return;
        }
        continuing = false;
        raise(Anomaly::BadHeader, ctx, nullptr);
        return;
    }
    seen_ = true;
    pdu.pcap_cnt = ctx.pcap_cnt;
    if (continuing) {
        // The rest of a fragmented PDU: its header and trailer are checked, nothing is reported.
        continuing = pdu.fragment;
        const Transaction t{&pdu, nullptr};
        raise_flags(pdu, t, ctx);
        return;
    }
    continuing = pdu.fragment;
    if (pdu.is_request()) {
        auto slot = std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
        if (slot == pending_.end()) {
            slot = std::min_element(pending_.begin(), pending_.end(),
                                    [](const Pending& a, const Pending& b) { return a.seq < b.seq; });
            sink_.on_event(protocol, ctx, Transaction{&slot->pdu, nullptr});
            raise(Anomaly::TooManyOutstanding, ctx, nullptr);
        }
        *slot = Pending{pdu, dir, next_seq_++, true};
        const Transaction alone{&slot->pdu, nullptr};
        raise_flags(pdu, alone, ctx);
        return;
    }
    if (pdu.is_response()) {
        auto req = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
            return p.used && p.dir == opposite(dir) && p.pdu.sequence == pdu.sequence;
        });
        const Pdu* request = req != pending_.end() ? &req->pdu : nullptr;
        const Transaction t{request, &pdu};
        sink_.on_event(protocol, ctx, t);
        if (request == nullptr) raise(Anomaly::ResponseWithoutRequest, ctx, &t);
        raise_flags(pdu, t, ctx);
        if (req != pending_.end()) req->used = false;
        return;
    }
    // Notifications, keep-alives, unknown opcodes.
    const Transaction t{&pdu, nullptr};
    sink_.on_event(protocol, ctx, t);
    raise_flags(pdu, t, ctx);
}

void S7commPlusSession::on_end(const PacketCtx& ctx)
{
    const bool partial = stream_.partial(Direction::ToServer) || stream_.partial(Direction::ToClient) ||
                         in_fragment_[0] || in_fragment_[1];
    if (active_ && seen_ && partial) raise(Anomaly::TruncatedPdu, ctx, nullptr);
    for (;;) {
        auto oldest = pending_.end();
        for (auto it = pending_.begin(); it != pending_.end(); ++it)
            if (it->used && (oldest == pending_.end() || it->seq < oldest->seq)) oldest = it;
        if (oldest == pending_.end()) break;
        sink_.on_event(protocol, ctx, Transaction{&oldest->pdu, nullptr});
        oldest->used = false;
    }
}

void S7commPlusSession::raise_flags(const Pdu& pdu, const dissect::EventBody& context, const PacketCtx& ctx)
{
    for (uint16_t code = 1; code <= anomaly_table.size(); ++code)
        if ((pdu.anomalies & bit(static_cast<Anomaly>(code))) != 0)
            raise(static_cast<Anomaly>(code), ctx, &context);
}

void S7commPlusSession::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(protocol, ctx, anomaly_table[static_cast<size_t>(a) - 1], context);
}

namespace {

// No port: TCP 102 is shared with S7comm and MMS, so the probes decide by content.
constexpr std::array<uint16_t, 0> ports = {};

std::unique_ptr<dissect::Session> make_session(dissect::EventSink& sink)
{
    return std::make_unique<S7commPlusSession>(sink);
}

}  // namespace

const dissect::DissectorInfo dissector_info{protocol,     dissect::Transport::Tcp, ports, probe, make_session,
                                            anomaly_table};

}  // namespace otsentry::s7commplus
