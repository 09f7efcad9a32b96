#include "dissectors/s7comm/s7comm_session.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace otsentry::s7comm {

namespace {

constexpr uint8_t download_functions[] = {0x1A, 0x1B, 0x1C};

bool is_download(uint8_t function) noexcept
{
    return std::find(std::begin(download_functions), std::end(download_functions), function) !=
           std::end(download_functions);
}

std::string_view text(std::span<const uint8_t> s) noexcept
{
    return {reinterpret_cast<const char*>(s.data()), s.size()};
}

// SZL 0x001C record indexes (component identification) -> EVE key.
std::string_view component_key(uint16_t index) noexcept
{
    switch (index) {
        case 1:
            return "station_name";
        case 2:
            return "module_name";
        case 3:
            return "plant_id";
        case 4:
            return "copyright";
        case 5:
            return "serial_number";
        case 7:
            return "module_type_name";
        case 8:
            return "memory_card_serial";
        case 11:
            return "location";
        default:
            return {};
    }
}

void write_identity(dissect::JsonWriter& w, const Pdu& p)
{
    w.key("identity").begin_object();
    for (unsigned i = 0; i < p.szl_records_kept; ++i) {
        const SzlRecord& s = p.szl[i];
        if (p.has(Has::Identity11)) {
            // Index 1: the module's order number and hardware version; index 7 (firmware)
            // carries 'V' and three version octets.
            if (s.index == 1) {
                w.field("order_number", text(s.text));
                w.field("hardware_version", static_cast<uint64_t>((s.version[2] << 8) | s.version[3]));
            } else if (s.index == 7 && s.version[0] == 'V') {
                char buf[16];
                std::snprintf(buf, sizeof buf, "V%u.%u.%u", s.version[1], s.version[2], s.version[3]);
                w.key("firmware_version").name(buf);
            }
        } else {
            const auto k = component_key(s.index);
            if (!k.empty() && !s.text.empty()) w.field(k, text(s.text));
        }
    }
    w.end_object();
}

void write_item(dissect::JsonWriter& w, const Item& it)
{
    w.begin_object();
    if (it.has_spec) {
        w.field("syntax_id", it.syntax_id);
        w.field("transport_size", it.transport_size);
        w.field("length", it.length);
        w.field("db", it.db);
        w.field("area", it.area);
        w.key("area_name").name(area_name(it.area));
        w.field("address", it.byte_address());
        w.field("bit_address", it.bit_address());
    } else if (it.var_spec != 0) {
        w.field("syntax_id", it.syntax_id);
    }
    if (it.has_return_code) w.field("return_code", it.return_code);
    if (it.has_data) {
        w.field("data_transport_size", it.data_transport_size);
        w.key("data").hex(it.data.first(std::min(it.data.size(), max_eve_data)));
        if (it.data.size() > max_eve_data) w.field("data_truncated", true);
    }
    w.end_object();
}

void write_pdu(dissect::JsonWriter& w, const Pdu& pdu)
{
    w.begin_object();
    dissect::write_fields(w, fields(), pdu);
    if (pdu.items_parsed > 0) {
        w.key("items").begin_array();
        for (unsigned i = 0; i < std::min<size_t>(pdu.items_parsed, max_eve_items); ++i)
            write_item(w, pdu.items[i]);
        w.end_array();
        if (pdu.items_parsed > max_eve_items) w.field("items_truncated", true);
    }
    if (pdu.has(Has::Pi) && !pdu.pi_parameters.empty()) w.key("pi_parameters").hex(pdu.pi_parameters);
    if (pdu.has(Has::BlockData)) w.field("block_data_length", static_cast<uint64_t>(pdu.block_data.size()));
    if (pdu.has(Has::Time)) w.key("time").hex(pdu.time);
    if (pdu.has(Has::Identity11) || pdu.has(Has::Identity1C)) write_identity(w, pdu);
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
    if (download_ != nullptr) {
        w.key("download").begin_object();
        w.field("id", download_->id);
        w.field("filename", text({download_->filename.data(), download_->filename_len}));
        w.field("blocks", download_->blocks);
        w.field("octets", download_->octets);
        w.end_object();
    }
    w.end_object();
}

uint64_t Transaction::pcap_cnt() const
{
    if (response_ != nullptr) return response_->pcap_cnt;
    return request_ != nullptr ? request_->pcap_cnt : 0;
}

size_t S7commSession::outstanding() const noexcept
{
    return static_cast<size_t>(
        std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.used; }));
}

void S7commSession::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    if (active_) stream_.on_data(dir, data, ctx);
}

void S7commSession::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& /*ctx*/)
{
    stream_.on_gap(dir);
}

void S7commSession::on_not_tpkt()
{
    active_ = false;
}

void S7commSession::on_frame_error(Direction /*dir*/, cotp::FrameError e, const PacketCtx& ctx)
{
    raise(e == cotp::FrameError::BadTpkt ? Anomaly::BadTpkt : Anomaly::BadCotp, ctx, nullptr);
}

void S7commSession::on_reassembly_overflow(Direction /*dir*/, const PacketCtx& ctx)
{
    raise(Anomaly::ReassemblyOverflow, ctx, nullptr);
}

void S7commSession::on_tpdu(Direction /*dir*/, const cotp::Tpdu& tpdu, const PacketCtx& ctx)
{
    Pdu pdu;
    describe_tpdu(tpdu, pdu);
    pdu.pcap_cnt = ctx.pcap_cnt;
    switch (tpdu.type) {
        case cotp::TpduType::ConnectRequest:
            if (s7_seen_) flush_connect(ctx);
            connect_request_ = pdu;
            connect_pending_ = true;
            return;
        case cotp::TpduType::ConnectConfirm:
            connect_confirm_ = pdu;
            connect_confirmed_ = true;
            // Until the first S7 PDU the connection may be MMS or S7comm-plus: report it then.
            if (s7_seen_) flush_connect(ctx);
            return;
        case cotp::TpduType::Error: {
            const Transaction t{&pdu, nullptr};
            sink_.on_event(protocol, ctx, t);
            raise(Anomaly::CotpError, ctx, &t);
            return;
        }
        case cotp::TpduType::DisconnectRequest:
        case cotp::TpduType::DisconnectConfirm:
            sink_.on_event(protocol, ctx, Transaction{&pdu, nullptr});
            return;
        default:
            return;  // ED, AK, EA, RJ: not used in class 0
    }
}

void S7commSession::on_user_pdu(Direction dir, std::span<const uint8_t> bytes, const PacketCtx& ctx)
{
    Pdu pdu;
    if (parse_pdu(bytes, pdu) != ParseStatus::Ok) {
        if (!s7_seen_) {
            // ISO session (MMS) or another protocol over COTP: not ours, and not an anomaly.
            stream_.stop();
            active_ = false;
            return;
        }
        raise(Anomaly::BadHeader, ctx, nullptr);
        return;
    }
    s7_seen_ = true;
    flush_connect(ctx);
    pdu.pcap_cnt = ctx.pcap_cnt;
    switch (pdu.rosctr) {
        case static_cast<uint8_t>(Rosctr::Job):
            on_request(dir, pdu, bytes, false, ctx);
            return;
        case static_cast<uint8_t>(Rosctr::Ack):
        case static_cast<uint8_t>(Rosctr::AckData):
            on_response(dir, pdu, false, ctx);
            return;
        case static_cast<uint8_t>(Rosctr::Userdata):
            if (pdu.has(Has::Userdata) && pdu.ud_type == userdata_request) {
                on_request(dir, pdu, bytes, true, ctx);
                return;
            }
            if (pdu.has(Has::Userdata) && pdu.ud_type == userdata_response) {
                on_response(dir, pdu, true, ctx);
                return;
            }
            break;
        default:
            break;
    }
    // Push userdata, unknown ROSCTR: an event of its own.
    const Transaction t{&pdu, nullptr};
    sink_.on_event(protocol, ctx, t);
    raise_flags(pdu, t, ctx);
}

void S7commSession::on_request(Direction dir, Pdu& pdu, std::span<const uint8_t> bytes, bool userdata,
                               const PacketCtx& ctx)
{
    if (!userdata && pdu.has(Has::Function) && is_download(pdu.function)) {
        if (pdu.function == static_cast<uint8_t>(Function::RequestDownload)) {
            download_ = DownloadSummary{};
            download_.id = ++downloads_;
            download_.filename_len =
                static_cast<uint8_t>(std::min(pdu.filename.size(), download_.filename.size()));
            std::copy_n(pdu.filename.begin(), download_.filename_len, download_.filename.begin());
        }
        pdu.download_id = download_.id;
        if (pdu.download_id != 0) pdu.set(Has::Download);
    }
    auto slot = std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
    if (slot == pending_.end()) {
        slot = std::min_element(pending_.begin(), pending_.end(),
                                [](const Pending& a, const Pending& b) { return a.seq < b.seq; });
        emit_unanswered(*slot, ctx);
        raise(Anomaly::TooManyOutstanding, ctx, nullptr);
    }
    slot->len = std::min(bytes.size(), slot->bytes.size());
    std::copy_n(bytes.begin(), slot->len, slot->bytes.begin());
    slot->dir = dir;
    slot->pdu_ref = pdu.pdu_ref;
    slot->userdata = userdata;
    slot->download_id = pdu.download_id;
    slot->pcap_cnt = ctx.pcap_cnt;
    slot->seq = next_seq_++;
    slot->used = true;
    const Transaction alone{&pdu, nullptr};
    raise_flags(pdu, alone, ctx);
}

void S7commSession::restore(const Pending& p, Pdu& out) const noexcept
{
    (void)parse_pdu(std::span<const uint8_t>{p.bytes.data(), p.len}, out);
    out.anomalies = 0;  // raised when the request arrived
    out.pcap_cnt = p.pcap_cnt;
    out.download_id = p.download_id;
    if (p.download_id != 0) out.set(Has::Download);
}

void S7commSession::on_response(Direction dir, Pdu& pdu, bool userdata, const PacketCtx& ctx)
{
    auto req = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
        return p.used && p.dir == opposite(dir) && p.pdu_ref == pdu.pdu_ref && p.userdata == userdata;
    });
    Pdu request;
    const Pdu* rq = nullptr;
    const DownloadSummary* summary = nullptr;
    if (req != pending_.end()) {
        restore(*req, request);
        req->used = false;
        rq = &request;
        const bool same_function =
            !request.has(Has::Function) || !pdu.has(Has::Function) || request.function == pdu.function;
        if (!userdata && same_function && pdu.has(Has::ItemCount) && request.has(Has::ItemCount) &&
            pdu.item_count != request.item_count)
            pdu.anomalies |= bit(Anomaly::ItemCountMismatch);
        if (userdata && !request.has(Has::Szl) && pdu.has(Has::Szl)) {
            // The answer to a "next fragment" request: its data continues the records.
            pdu.has_mask &= ~(static_cast<uint32_t>(Has::Szl) | static_cast<uint32_t>(Has::Identity11) |
                              static_cast<uint32_t>(Has::Identity1C));
            pdu.szl_records_kept = 0;
        }
        if (request.has(Has::Download)) {
            pdu.download_id = request.download_id;
            pdu.set(Has::Download);
            if (request.download_id == download_.id && request.function == 0x1B && pdu.has(Has::BlockData)) {
                ++download_.blocks;
                download_.octets += pdu.block_data.size();
            }
            if (request.download_id == download_.id && request.function == 0x1C) summary = &download_;
        }
    }
    const Transaction t{rq, &pdu, summary};
    sink_.on_event(protocol, ctx, t);
    if (rq == nullptr) raise(Anomaly::ResponseWithoutRequest, ctx, &t);
    if (pdu.error_class != 0) raise(Anomaly::ErrorResponse, ctx, &t);
    raise_flags(pdu, t, ctx);
    if (summary != nullptr) download_ = DownloadSummary{};
}

void S7commSession::flush_connect(const PacketCtx& ctx)
{
    if (!connect_pending_ && !connect_confirmed_) return;
    const Transaction t{connect_pending_ ? &connect_request_ : nullptr,
                        connect_confirmed_ ? &connect_confirm_ : nullptr};
    sink_.on_event(protocol, ctx, t);
    connect_pending_ = false;
    connect_confirmed_ = false;
}

void S7commSession::emit_unanswered(Pending& p, const PacketCtx& ctx)
{
    Pdu request;
    restore(p, request);
    p.used = false;
    sink_.on_event(protocol, ctx, Transaction{&request, nullptr});
}

void S7commSession::on_end(const PacketCtx& ctx)
{
    if (active_ && s7_seen_ && (stream_.partial(Direction::ToServer) || stream_.partial(Direction::ToClient)))
        raise(Anomaly::TruncatedPdu, ctx, nullptr);
    if (s7_seen_) flush_connect(ctx);
    for (;;) {
        auto oldest = pending_.end();
        for (auto it = pending_.begin(); it != pending_.end(); ++it)
            if (it->used && (oldest == pending_.end() || it->seq < oldest->seq)) oldest = it;
        if (oldest == pending_.end()) break;
        emit_unanswered(*oldest, ctx);
    }
}

void S7commSession::raise_flags(const Pdu& pdu, const dissect::EventBody& context, const PacketCtx& ctx)
{
    for (uint16_t code = 1; code <= anomaly_table.size(); ++code)
        if ((pdu.anomalies & bit(static_cast<Anomaly>(code))) != 0)
            raise(static_cast<Anomaly>(code), ctx, &context);
}

void S7commSession::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(protocol, ctx, anomaly_table[static_cast<size_t>(a) - 1], context);
}

namespace {

// No port: TCP 102 is shared with S7comm-plus and MMS, so the probes decide by content
// (README.md, "Port 102").
constexpr std::array<uint16_t, 0> ports = {};

std::unique_ptr<dissect::Session> make_session(dissect::EventSink& sink)
{
    return std::make_unique<S7commSession>(sink);
}

}  // namespace

const dissect::DissectorInfo dissector_info{protocol,     dissect::Transport::Tcp, ports, probe, make_session,
                                            anomaly_table};

}  // namespace otsentry::s7comm
