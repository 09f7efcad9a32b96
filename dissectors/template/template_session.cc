#include "dissectors/template/template_session.h"

#include <algorithm>
#include <memory>

namespace otsentry::tpl {

namespace {

void write_pdu(dissect::JsonWriter& w, const Pdu& pdu)
{
    w.begin_object();
    dissect::write_fields(w, fields(), pdu);
    if (pdu.has(Has::Data)) {
        w.key("data");
        w.hex(pdu.data.first(std::min(pdu.data.size(), max_eve_data)));
        if (pdu.data.size() > max_eve_data) w.field("data_truncated", true);
    }
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

size_t TemplateSession::outstanding() const noexcept
{
    return static_cast<size_t>(
        std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.used; }));
}

void TemplateSession::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    // Whole frames are parsed in place; only a trailing partial frame is copied (frame_buffer.h).
    dissect::feed_frames(
        dirs_[index_of(dir)], data, [&](std::span<const uint8_t> in) { return consume(dir, in, ctx); },
        [this] { return active_; });
}

size_t TemplateSession::consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx)
{
    DirState& d = dirs_[index_of(dir)];
    size_t pos = 0;
    while (pos < in.size() && active_) {
        if (d.resync) {
            // Move one byte at a time to the next plausible header; keep a short tail that may
            // still become one.
            while (in.size() - pos >= header_len && !plausible_header(in.subspan(pos))) {
                ++pos;
                if (!synced_once_ && ++unsynced_bytes_ > max_unsynced_bytes) {
                    active_ = false;
                    return in.size();
                }
            }
            if (in.size() - pos < header_len) return pos;
            d.resync = false;
        }
        Pdu pdu;
        const ParseResult r = parse_frame(in.subspan(pos), pdu);
        switch (r.kind) {
            case ParseResult::Kind::Ok:
                synced_once_ = true;
                on_frame(dir, pdu, in.subspan(pos, r.size), ctx);
                pos += r.size;
                break;
            case ParseResult::Kind::NeedMore:
                return pos;
            case ParseResult::Kind::NotThisProtocol:
                if (!synced_once_) {
                    active_ = false;  // the flow is something else
                    return in.size();
                }
                d.resync = true;
                break;
            case ParseResult::Kind::Anomaly:
                if (synced_once_) raise(r.reason, ctx, nullptr);
                d.resync = true;
                ++pos;  // the header at pos cannot be framed: search after it
                break;
        }
    }
    return pos;
}

void TemplateSession::on_frame(Direction /*dir*/, Pdu& pdu, std::span<const uint8_t> frame,
                               const PacketCtx& ctx)
{
    pdu.pcap_cnt = ctx.pcap_cnt;
    if (!pdu.is_response()) {
        // A free slot, or the oldest request, which is then reported unanswered.
        auto slot = std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
        if (slot == pending_.end()) {
            slot = std::min_element(pending_.begin(), pending_.end(),
                                    [](const Pending& a, const Pending& b) { return a.seq < b.seq; });
            emit(&slot->pdu, nullptr, ctx);
            raise(Anomaly::TooManyOutstanding, ctx, nullptr);
        }
        // The request outlives this call: copy its bytes and rebase the spans into the copy.
        std::copy(frame.begin(), frame.end(), slot->bytes.begin());
        slot->pdu = pdu;
        if (!pdu.data.empty())
            slot->pdu.data = std::span<const uint8_t>{slot->bytes.data() + (pdu.data.data() - frame.data()),
                                                      pdu.data.size()};
        slot->seq = next_seq_++;
        slot->used = true;
        const Transaction alone{&slot->pdu, nullptr};
        for (uint16_t code = 1; code <= anomaly_table.size(); ++code)
            if ((pdu.anomalies & bit(static_cast<Anomaly>(code))) != 0)
                raise(static_cast<Anomaly>(code), ctx, &alone);
        return;
    }
    auto req = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
        return p.used && p.pdu.request_id == pdu.request_id && p.pdu.function() == pdu.function();
    });
    const Pdu* request = req != pending_.end() ? &req->pdu : nullptr;
    const Transaction t{request, &pdu};
    emit(request, &pdu, ctx);
    if (request == nullptr) raise(Anomaly::ResponseWithoutRequest, ctx, &t);
    for (uint16_t code = 1; code <= anomaly_table.size(); ++code)
        if ((pdu.anomalies & bit(static_cast<Anomaly>(code))) != 0)
            raise(static_cast<Anomaly>(code), ctx, &t);
    if (req != pending_.end()) req->used = false;
}

void TemplateSession::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& /*ctx*/)
{
    DirState& d = dirs_[index_of(dir)];
    d.len = 0;
    d.resync = true;
}

void TemplateSession::on_end(const PacketCtx& ctx)
{
    for (const DirState& d : dirs_)
        if (active_ && synced_once_ && d.len != 0 && !d.resync) raise(Anomaly::TruncatedFrame, ctx, nullptr);
    // Unanswered requests, oldest first.
    for (;;) {
        auto oldest = pending_.end();
        for (auto it = pending_.begin(); it != pending_.end(); ++it)
            if (it->used && (oldest == pending_.end() || it->seq < oldest->seq)) oldest = it;
        if (oldest == pending_.end()) break;
        emit(&oldest->pdu, nullptr, ctx);
        oldest->used = false;
    }
}

void TemplateSession::emit(const Pdu* request, const Pdu* response, const PacketCtx& ctx)
{
    const Transaction t{request, response};
    sink_.on_event(protocol, ctx, t);
}

void TemplateSession::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(protocol, ctx, anomaly_table[static_cast<size_t>(a) - 1], context);
}

namespace {

// TEMPLATE: the ports that suggest the protocol (server side).
constexpr std::array<uint16_t, 1> ports = {40000};

std::unique_ptr<dissect::Session> make_session(dissect::EventSink& sink)
{
    return std::make_unique<TemplateSession>(sink);
}

}  // namespace

const dissect::DissectorInfo dissector_info{protocol,     dissect::Transport::Tcp, ports, probe, make_session,
                                            anomaly_table};

}  // namespace otsentry::tpl
