#include "dissectors/cotp/cotp.h"

#include <algorithm>
#include <cstring>

#include "dissectors/common/byte_reader.h"

namespace otsentry::cotp {

namespace {

// Before the first well-formed frame, this many bytes without a plausible header end the flow.
// Mid-stream, a frame boundary comes within one frame (S7 frames are ~1 kB or less).
constexpr size_t max_unsynced_bytes = max_frame_len;

constexpr uint8_t param_tpdu_size = 0xC0;
constexpr uint8_t param_src_tsap = 0xC1;
constexpr uint8_t param_dst_tsap = 0xC2;
constexpr uint8_t eot_bit = 0x80;

uint16_t be16(std::span<const uint8_t> in, size_t at) noexcept
{
    return static_cast<uint16_t>((in[at] << 8) | in[at + 1]);
}

bool tpkt_header_ok(std::span<const uint8_t> in) noexcept
{
    const size_t len = be16(in, 2);
    return in[0] == tpkt_version && in[1] == 0 && len >= min_frame_len && len <= max_frame_len;
}

// CR/CC variable part: parameters as code, length, value (ISO 8073 §13.3.4).
void parse_params(dissect::ByteReader& r, Tpdu& out) noexcept
{
    while (r.remaining() >= 2) {
        const uint8_t code = r.read_u8();
        const uint8_t len = r.read_u8();
        const auto value = r.read_bytes(len);
        if (!r.ok()) return;
        if (code == param_tpdu_size && len == 1) out.tpdu_size_code = value[0];
        if (code == param_src_tsap && len <= max_tsap_len) out.src_tsap = value;
        if (code == param_dst_tsap && len <= max_tsap_len) out.dst_tsap = value;
    }
}

}  // namespace

std::string_view tpdu_name(TpduType t) noexcept
{
    switch (t) {
        case TpduType::ExpeditedData:
            return "ED";
        case TpduType::ExpeditedAck:
            return "EA";
        case TpduType::Reject:
            return "RJ";
        case TpduType::DataAck:
            return "AK";
        case TpduType::Error:
            return "ER";
        case TpduType::DisconnectRequest:
            return "DR";
        case TpduType::DisconnectConfirm:
            return "DC";
        case TpduType::ConnectConfirm:
            return "CC";
        case TpduType::ConnectRequest:
            return "CR";
        case TpduType::Data:
            return "DT";
    }
    return "unknown";
}

uint16_t tsap_value(std::span<const uint8_t> tsap) noexcept
{
    return tsap.size() == 2 ? be16(tsap, 0) : 0;
}

FrameResult parse_tpkt(std::span<const uint8_t> in, Tpdu& out) noexcept
{
    using K = FrameResult::Kind;
    if ((!in.empty() && in[0] != tpkt_version) || (in.size() > 1 && in[1] != 0)) return {K::NotTpkt, 0, {}};
    if (in.size() < tpkt_header_len) return {K::NeedMore, tpkt_header_len, {}};
    const size_t len = be16(in, 2);
    if (len < min_frame_len || len > max_frame_len) return {K::Error, 0, FrameError::BadTpkt};
    if (in.size() < len) return {K::NeedMore, len, {}};

    out = Tpdu{};
    dissect::ByteReader r{in.subspan(tpkt_header_len, len - tpkt_header_len)};
    const uint8_t li = r.read_u8();
    // The length indicator counts the header after itself; it must leave room for the code.
    if (li == 0 || li > len - tpkt_header_len - 1) return {K::Error, len, FrameError::BadCotp};
    const uint8_t code = r.read_u8();
    if (!known_tpdu(code)) return {K::Error, len, FrameError::BadCotp};
    out.type = static_cast<TpduType>(code & 0xF0);
    dissect::ByteReader h{in.subspan(tpkt_header_len + 2, li - 1u)};
    switch (out.type) {
        case TpduType::Data:
            if (li != 2) return {K::Error, len, FrameError::BadCotp};  // class 0 DT: LI = 2
            out.tpdu_nr = h.read_u8();
            out.eot = (out.tpdu_nr & eot_bit) != 0;
            out.tpdu_nr &= 0x7F;
            break;
        case TpduType::ConnectRequest:
        case TpduType::ConnectConfirm:
        case TpduType::DisconnectRequest:
            out.dst_ref = h.read_be<uint16_t>();
            out.src_ref = h.read_be<uint16_t>();
            if (out.type == TpduType::DisconnectRequest)
                out.reason = h.read_u8();
            else
                out.class_option = h.read_u8();
            if (!h.ok()) return {K::Error, len, FrameError::BadCotp};
            if (out.type != TpduType::DisconnectRequest) parse_params(h, out);
            break;
        case TpduType::DisconnectConfirm:
            out.dst_ref = h.read_be<uint16_t>();
            out.src_ref = h.read_be<uint16_t>();
            if (!h.ok()) return {K::Error, len, FrameError::BadCotp};
            break;
        case TpduType::Error:
            out.dst_ref = h.read_be<uint16_t>();
            out.reason = h.read_u8();
            if (!h.ok()) return {K::Error, len, FrameError::BadCotp};
            break;
        default:
            break;
    }
    out.user_data = in.subspan(tpkt_header_len + 1 + li, len - tpkt_header_len - 1 - li);
    return {K::Ok, len, {}};
}

bool plausible_dt(std::span<const uint8_t> in) noexcept
{
    return in.size() >= min_frame_len && tpkt_header_ok(in) && in[4] == 2 && in[5] == 0xF0 &&
           (in[6] & 0x7F) == 0;
}

bool plausible_control(std::span<const uint8_t> in) noexcept
{
    if (in.size() < 6 || !tpkt_header_ok(in)) return false;
    const uint8_t code = in[5] & 0xF0;
    const bool control = code == 0xE0 || code == 0xD0 || code == 0x80 || code == 0xC0;
    return control && in[4] >= 6 && in[4] < be16(in, 2) - tpkt_header_len;
}

FirstOctet first_dt_octet(std::span<const uint8_t> data) noexcept
{
    using dissect::ProbeResult;
    size_t pos = 0;
    if (data.size() >= 2 && !(data[0] == tpkt_version && data[1] == 0)) {
        // Picked up mid-stream: the first plausible DT header in what we have.
        for (pos = 1; pos + min_frame_len < data.size(); ++pos)
            if (plausible_dt(data.subspan(pos))) break;
        if (pos + min_frame_len >= data.size()) return {ProbeResult::NoMatch, 0};
    }
    // Connection TPDUs first (CR, CC), then the first DT.
    for (int frames = 0; frames < 8; ++frames) {
        Tpdu t;
        const FrameResult r = parse_tpkt(data.subspan(pos), t);
        if (r.kind == FrameResult::Kind::NeedMore) {
            // The DT header and its first user octet are all we need.
            if (plausible_dt(data.subspan(pos)) && data.size() > pos + min_frame_len)
                return {ProbeResult::Match, data[pos + min_frame_len]};
            return {ProbeResult::NeedMore, 0};
        }
        if (r.kind != FrameResult::Kind::Ok) return {ProbeResult::NoMatch, 0};
        if (t.type == TpduType::Data && !t.user_data.empty()) return {ProbeResult::Match, t.user_data[0]};
        // Empty DTs (S7comm-plus stations send them) and connection TPDUs come first.
        if (t.type != TpduType::Data && t.type != TpduType::ConnectRequest &&
            t.type != TpduType::ConnectConfirm)
            return {ProbeResult::NoMatch, 0};
        pos += r.size;
        if (pos >= data.size()) return {ProbeResult::NeedMore, 0};
    }
    return {ProbeResult::NoMatch, 0};
}

bool CotpStream::partial(Direction dir) const noexcept
{
    const DirState& d = dirs_[index_of(dir)];
    return !d.resync && (d.len != 0 || (d.pdu_len != 0 && !d.pdu_dropping));
}

void CotpStream::on_gap(Direction dir)
{
    DirState& d = dirs_[index_of(dir)];
    d.len = 0;
    d.pdu_len = 0;
    d.pdu_dropping = false;
    d.resync = true;
    d.after_gap = true;
}

void CotpStream::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    DirState& d = dirs_[index_of(dir)];
    while (!data.empty() && !stopped_) {
        if (d.len == 0) {
            // Whole frames are parsed in place; only a trailing partial frame is copied.
            const size_t used = consume(dir, data, ctx);
            data = data.subspan(std::min(used, data.size()));
            if (stopped_ || data.empty()) return;
            std::memcpy(d.buf.data(), data.data(), data.size());
            d.len = data.size();
            return;
        }
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
    }
}

size_t CotpStream::consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx)
{
    DirState& d = dirs_[index_of(dir)];
    size_t pos = 0;
    while (pos < in.size() && !stopped_) {
        if (d.resync) {
            // The next DT or connection TPDU header; keep a tail that may still become one.
            while (in.size() - pos >= min_frame_len && !plausible_dt(in.subspan(pos)) &&
                   !plausible_control(in.subspan(pos))) {
                ++pos;
                if (!synced_once_ && ++unsynced_bytes_ > max_unsynced_bytes) {
                    stopped_ = true;
                    handler_.on_not_tpkt();
                    return in.size();
                }
            }
            if (in.size() - pos < min_frame_len) return pos;
            d.resync = false;
        }
        Tpdu t;
        const FrameResult r = parse_tpkt(in.subspan(pos), t);
        switch (r.kind) {
            case FrameResult::Kind::Ok:
                synced_once_ = true;
                if (t.type == TpduType::Data)
                    on_dt(dir, t, ctx);
                else
                    handler_.on_tpdu(dir, t, ctx);
                pos += r.size;
                break;
            case FrameResult::Kind::NeedMore:
                return pos;
            case FrameResult::Kind::NotTpkt:
                // Before the first frame this may be a flow picked up mid-stream: search (the
                // resync loop gives up after max_unsynced_bytes).
                d.resync = true;
                d.after_gap = !synced_once_ || d.after_gap;
                break;
            case FrameResult::Kind::Error:
                if (!synced_once_) {
                    // Not one good frame yet: 03 00 by chance, or the middle of a frame.
                    d.resync = true;
                    d.after_gap = true;
                    ++pos;
                    break;
                }
                handler_.on_frame_error(dir, r.error, ctx);
                if (r.size != 0) {
                    pos += r.size;  // framed but unreadable: skip exactly that frame
                } else {
                    d.resync = true;
                    ++pos;
                }
                break;
        }
    }
    return pos;
}

void CotpStream::on_dt(Direction dir, const Tpdu& t, const PacketCtx& ctx)
{
    DirState& d = dirs_[index_of(dir)];
    if (t.user_data.empty() && (!t.eot || d.pdu_len == 0)) return;  // an empty DT carries nothing
    if (d.after_gap && d.pdu_len == 0 && !d.pdu_dropping) {
        d.after_gap = false;
        // The user PDU's start was lost in the gap: drop its remaining DTs.
        if (t.user_data.empty() || t.user_data[0] != protocol_id_) d.pdu_dropping = true;
    }
    if (d.pdu_dropping) {
        if (t.eot) d.pdu_dropping = false;
        return;
    }
    if (t.eot && d.pdu_len == 0) {
        handler_.on_user_pdu(dir, t.user_data, ctx);  // the common case: one DT, no copy
        return;
    }
    if (d.pdu_len + t.user_data.size() > d.pdu.size()) {
        handler_.on_reassembly_overflow(dir, ctx);
        d.pdu_len = 0;
        d.pdu_dropping = !t.eot;
        return;
    }
    std::copy(t.user_data.begin(), t.user_data.end(), d.pdu.begin() + static_cast<std::ptrdiff_t>(d.pdu_len));
    d.pdu_len += t.user_data.size();
    if (t.eot) {
        const size_t n = d.pdu_len;
        d.pdu_len = 0;
        handler_.on_user_pdu(dir, std::span<const uint8_t>{d.pdu.data(), n}, ctx);
    }
}

}  // namespace otsentry::cotp
