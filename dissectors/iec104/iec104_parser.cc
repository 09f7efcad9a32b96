#include "dissectors/iec104/iec104_parser.h"

#include "dissectors/common/byte_reader.h"

namespace otsentry::iec104 {

namespace {

using dissect::ByteReader;

uint32_t read_le(ByteReader& r, size_t n) noexcept
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= static_cast<uint32_t>(r.read_u8()) << (8 * i);
    return v;
}

// Object 1's command or qualifier octet, for the rule fields (-101 §7.2.6).
void note_first_object(const TypeInfo& t, std::span<const uint8_t> el, Pdu& out) noexcept
{
    auto at = [&](size_t i) { return i < el.size() ? el[i] : uint8_t{0}; };
    switch (t.layout) {
        case Layout::Sco:
        case Layout::Dco:
        case Layout::Rco:
            out.first_octet = at(0);
            out.set(Has::Command);
            break;
        case Layout::NvaQos:
        case Layout::SvaQos:
            out.first_octet = at(2);
            out.set(Has::Qos);
            break;
        case Layout::FloatQos:
            out.first_octet = at(4);
            out.set(Has::Qos);
            break;
        case Layout::Qoi:
            out.first_octet = at(0);
            out.set(Has::Qoi);
            break;
        case Layout::Qcc:
            out.first_octet = at(0);
            out.set(Has::Qcc);
            break;
        case Layout::Qrp:
            out.first_octet = at(0);
            out.set(Has::Qrp);
            break;
        case Layout::Coi:
            out.first_octet = at(0);
            out.set(Has::Coi);
            break;
        case Layout::NvaQpm:
        case Layout::SvaQpm:
            out.first_octet = at(2);
            out.set(Has::Qpm);
            break;
        case Layout::FloatQpm:
            out.first_octet = at(4);
            out.set(Has::Qpm);
            break;
        case Layout::Qpa:
            out.first_octet = at(0);
            out.set(Has::Qpa);
            break;
        default:
            break;
    }
}

// The length an I-format APDU must have for `n` objects of type `t` (fixed-size types only).
size_t expected_apdu_length(const TypeInfo& t, const AsduConfig& cfg, bool sq, size_t n) noexcept
{
    const size_t objects = sq ? (n == 0 ? 0 : cfg.ioa_len + n * t.size) : n * (cfg.ioa_len + t.size);
    return 4 + cfg.header_len() + objects;
}

}  // namespace

size_t element_size(const TypeInfo& t, std::span<const uint8_t> elements) noexcept
{
    size_t n = t.size;
    if (t.layout == Layout::Segment) {
        // NOF (2) | NOS (1) | LOS (1) | LOS segment octets (-101 §7.3.6.6)
        if (elements.size() < 4) return no_fit;
        n += elements[3];
    }
    return elements.size() >= n ? n : no_fit;
}

void parse_asdu(std::span<const uint8_t> asdu, const AsduConfig& cfg, Pdu& out) noexcept
{
    out.config = cfg;
    out.asdu = asdu;
    ByteReader r{asdu};
    if (asdu.size() < cfg.header_len()) {
        out.anomalies |= bit(Anomaly::ShortAsdu);
        return;
    }
    out.type_id = r.read_u8();
    out.vsq = r.read_u8();
    out.cot_octet = r.read_u8();
    if (cfg.cot_len == 2) {
        out.originator = r.read_u8();
        out.set(Has::Originator);
    }
    out.common_address = static_cast<uint16_t>(read_le(r, cfg.ca_len));
    out.set(Has::Asdu);

    const TypeInfo* t = type_info(out.type_id);
    if (t == nullptr) {
        // The object layout is unknown, but every object starts with its address (-101 §7.2.5):
        // the first one can still be read. Nothing after it can.
        out.anomalies |= bit(Anomaly::UnknownTypeId);
        if (out.num_objects() > 0 && r.remaining() >= cfg.ioa_len) {
            out.first_ioa = read_le(r, cfg.ioa_len);
            out.set(Has::FirstIoa);
        }
        return;
    }
    if (!cot_allowed(*t, out.cause())) out.anomalies |= bit(Anomaly::CotNotAllowed);

    const auto body = r.rest();
    size_t pos = 0;
    size_t parsed = 0;
    const size_t n = out.num_objects();
    for (; parsed < n; ++parsed) {
        const bool with_ioa = parsed == 0 || !out.sq();
        const size_t ioa_len = with_ioa ? cfg.ioa_len : 0;
        if (body.size() - pos < ioa_len) break;
        const auto elements = body.subspan(pos + ioa_len);
        const size_t el = element_size(*t, elements);
        if (el == no_fit) break;
        if (parsed == 0) {
            ByteReader ioa{body.subspan(pos, ioa_len)};
            out.first_ioa = read_le(ioa, ioa_len);
            out.set(Has::FirstIoa);
            note_first_object(*t, elements.first(el), out);
        }
        pos += ioa_len + el;
    }
    out.object_count = static_cast<uint8_t>(parsed);
    out.objects = body.first(pos);
    if (parsed < n)
        out.anomalies |= bit(Anomaly::ObjectCountMismatch);
    else if (pos < body.size())
        out.anomalies |= bit(Anomaly::TrailingBytes);
}

ParseResult parse_apdu(std::span<const uint8_t> in, Pdu& out, const AsduConfig& cfg) noexcept
{
    if (in.empty()) return ParseResult::need_more(2);
    if (in[0] != start_byte) return ParseResult::not_this_protocol();
    if (in.size() < 2) return ParseResult::need_more(2);
    const uint8_t length = in[1];
    if (length < min_apdu_length || length > max_apdu_length) return ParseResult::anomaly(Anomaly::BadLength);
    const size_t total = 2u + length;
    if (in.size() < total) return ParseResult::need_more(total);

    out = Pdu{};
    out.length = length;
    out.config = cfg;
    ByteReader r{in.subspan(2, length)};
    const uint8_t c1 = r.read_u8();
    const uint8_t c2 = r.read_u8();
    const uint8_t c3 = r.read_u8();
    const uint8_t c4 = r.read_u8();
    out.control1 = c1;
    out.recv_seq = static_cast<uint16_t>((c3 >> 1) | (c4 << 7));
    if ((c1 & 0x01) == 0) {
        // I-format (-104 §5.2): N(S) in octets 1-2, N(R) in octets 3-4, bit 0 of octet 3 is 0.
        out.apci = ApciType::I;
        out.send_seq = static_cast<uint16_t>((c1 >> 1) | (c2 << 7));
        if ((c3 & 0x01) != 0) out.anomalies |= bit(Anomaly::BadControlField);
        parse_asdu(r.rest(), cfg, out);
        if ((out.anomalies & bit(Anomaly::ShortAsdu)) != 0 && length == min_apdu_length) {
            // No ASDU at all is a framing fault of the APCI rather than a short ASDU.
            out.anomalies &= ~bit(Anomaly::ShortAsdu);
            out.anomalies |= bit(Anomaly::BadLength);
        }
    } else if ((c1 & 0x03) == 0x01) {
        // S-format (-104 §5.3): octet 1 = 0x01, octet 2 = 0, N(R) in octets 3-4.
        out.apci = ApciType::S;
        if (c1 != 0x01 || c2 != 0 || (c3 & 0x01) != 0) out.anomalies |= bit(Anomaly::BadControlField);
        if (length != min_apdu_length) out.anomalies |= bit(Anomaly::BadLength);
    } else {
        // U-format (-104 §5.4): exactly one function bit in octet 1, octets 2-4 zero.
        out.apci = ApciType::U;
        out.recv_seq = 0;
        if (!known_u_function(out.u_function()) || c2 != 0 || c3 != 0 || c4 != 0)
            out.anomalies |= bit(Anomaly::UnknownUFunction);
        if (length != min_apdu_length) out.anomalies |= bit(Anomaly::BadLength);
    }
    return ParseResult::ok(total);
}

Plausible plausible_header(std::span<const uint8_t> in, const AsduConfig& cfg) noexcept
{
    if (in.empty()) return Plausible::NeedMore;
    if (in[0] != start_byte) return Plausible::No;
    if (in.size() < 2) return Plausible::NeedMore;
    const uint8_t length = in[1];
    if (length < min_apdu_length || length > max_apdu_length) return Plausible::No;
    if (in.size() < 3) return Plausible::NeedMore;
    const uint8_t c1 = in[2];
    if ((c1 & 0x01) != 0 && length != min_apdu_length) return Plausible::No;
    if (in.size() < apci_len) return Plausible::NeedMore;
    const uint8_t c2 = in[3];
    const uint8_t c3 = in[4];
    const uint8_t c4 = in[5];
    if ((c1 & 0x03) == 0x01)
        return c1 == 0x01 && c2 == 0 && (c3 & 0x01) == 0 ? Plausible::Yes : Plausible::No;
    if ((c1 & 0x03) == 0x03)
        return known_u_function(c1 & 0xFC) && c2 == 0 && c3 == 0 && c4 == 0 ? Plausible::Yes : Plausible::No;
    if ((c3 & 0x01) != 0 || length < 4 + cfg.header_len()) return Plausible::No;
    if (in.size() < apci_len + 3) return Plausible::NeedMore;
    const TypeInfo* t = type_info(in[apci_len]);
    const uint8_t vsq = in[apci_len + 1];
    const uint8_t n = vsq & 0x7F;
    if (t == nullptr || n == 0 || !cot_allowed(*t, in[apci_len + 2] & 0x3F)) return Plausible::No;
    if (t->layout == Layout::Segment) return Plausible::Yes;  // variable length: checked when parsed
    return expected_apdu_length(*t, cfg, (vsq & 0x80) != 0, n) == length ? Plausible::Yes : Plausible::No;
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction /*dir*/) noexcept
{
    switch (plausible_header(data)) {
        case Plausible::Yes:
            return dissect::ProbeResult::Match;
        case Plausible::NeedMore:
            return dissect::ProbeResult::NeedMore;
        case Plausible::No:
            break;
    }
    return dissect::ProbeResult::NoMatch;
}

ObjectWalker::ObjectWalker(const Pdu& pdu) noexcept : pdu_{pdu}, type_{type_info(pdu.type_id)} {}

bool ObjectWalker::next(Object& out) noexcept
{
    if (type_ == nullptr || index_ >= pdu_.object_count) return false;
    const auto& objects = pdu_.objects;
    const bool with_ioa = index_ == 0 || !pdu_.sq();
    const size_t ioa_len = with_ioa ? pdu_.config.ioa_len : 0;
    if (with_ioa) {
        ByteReader r{objects.subspan(pos_, ioa_len)};
        out.ioa = read_le(r, ioa_len);
    } else {
        // SQ = 1: consecutive addresses from the first object's (-101 §7.2.2.1), within the field.
        const uint32_t mask = pdu_.config.ioa_len >= 4 ? 0xFFFFFFFFu : (1u << (8 * pdu_.config.ioa_len)) - 1;
        out.ioa = (pdu_.first_ioa + static_cast<uint32_t>(index_)) & mask;
    }
    const auto rest = objects.subspan(pos_ + ioa_len);
    const size_t el = element_size(*type_, rest);
    if (el == no_fit) return false;  // unreachable: the parser kept whole objects only
    out.elements = rest.first(el);
    pos_ += ioa_len + el;
    ++index_;
    return true;
}

}  // namespace otsentry::iec104
