#include "dissectors/s7commplus/s7commplus_parser.h"

#include "dissectors/common/byte_reader.h"
#include "dissectors/cotp/cotp.h"

namespace otsentry::s7commplus {

namespace {

constexpr uint8_t version_3 = 3;

void flag(Pdu& p, Anomaly a) noexcept
{
    p.anomalies |= bit(a);
}

}  // namespace

std::string_view opcode_name(uint8_t o) noexcept
{
    switch (o) {
        case 0x02:
            return "response2";
        case 0x31:
            return "request";
        case 0x32:
            return "response";
        case 0x33:
            return "notification";
        default:
            return "unknown";
    }
}

// Function codes as named by the Wireshark S7comm-plus plugin (README.md).
std::string_view function_name(uint16_t f) noexcept
{
    switch (f) {
        case 0x04B1:
            return "error";
        case 0x04BB:
            return "explore";
        case 0x04CA:
            return "create_object";
        case 0x04D4:
            return "delete_object";
        case 0x04F2:
            return "set_variable";
        case 0x04FC:
            return "get_variable";
        case 0x0506:
            return "add_link";
        case 0x051A:
            return "remove_link";
        case 0x0524:
            return "get_link";
        case 0x0542:
            return "set_multi_variables";
        case 0x054C:
            return "get_multi_variables";
        case 0x0556:
            return "begin_sequence";
        case 0x0560:
            return "end_sequence";
        case 0x056B:
            return "invoke";
        case 0x057C:
            return "set_var_substreamed";
        case 0x0586:
            return "get_var_substreamed";
        case 0x0590:
            return "get_variables_address";
        case 0x059A:
            return "abort";
        case 0x05A9:
            return "error2";
        case 0x05B3:
            return "init_ssl";
        default:
            return "unknown";
    }
}

ParseStatus parse_pdu(std::span<const uint8_t> in, bool continuation, Pdu& out) noexcept
{
    out = Pdu{};
    if (in.size() < header_len || in[0] != protocol_id) return ParseStatus::NotS7commPlus;
    dissect::ByteReader r{in};
    r.skip(1);
    out.version = r.read_u8();
    out.data_length = r.read_be<uint16_t>();
    if (!known_version(out.version)) flag(out, Anomaly::BadHeader);
    // The data part is followed by the trailer, except in a fragment that the next DT continues.
    const size_t whole = header_len + out.data_length + trailer_len;
    if (in.size() == header_len + out.data_length) {
        out.fragment = true;
    } else if (in.size() != whole) {
        flag(out, Anomaly::BadLength);
    } else {
        const auto t = in.subspan(in.size() - trailer_len);
        if (t[0] != protocol_id || t[1] != out.version || t[2] != 0 || t[3] != 0)
            flag(out, Anomaly::BadTrailer);
    }
    if (continuation || out.version == 0xFE) return ParseStatus::Ok;  // keep-alive: header only
    dissect::ByteReader d{in.subspan(header_len, std::min<size_t>(out.data_length, in.size() - header_len))};
    if (out.version == version_3) {
        const uint8_t dlen = d.read_u8();
        d.skip(dlen);
        if (!d.ok() || dlen != digest_len) {
            flag(out, Anomaly::BadHeader);
            return ParseStatus::Ok;
        }
        out.set(Has::Digest);
    }
    out.opcode = d.read_u8();
    if (!d.ok()) return ParseStatus::Ok;
    out.set(Has::Opcode);
    if (!known_opcode(out.opcode)) {
        flag(out, Anomaly::UnknownOpcode);
        return ParseStatus::Ok;
    }
    if (out.opcode == static_cast<uint8_t>(Opcode::Notification)) return ParseStatus::Ok;  // no function
    d.skip(2);
    out.function = d.read_be<uint16_t>();
    d.skip(2);
    out.sequence = d.read_be<uint16_t>();
    if (!d.ok()) {
        flag(out, Anomaly::BadLength);
        return ParseStatus::Ok;
    }
    out.set(Has::Function);
    out.set(Has::Sequence);
    if (out.is_request()) {
        out.session_id = d.read_be<uint32_t>();
        if (d.ok()) out.set(Has::Session);
    }
    out.transport_flags = d.read_u8();
    if (d.ok()) out.set(Has::TransportFlags);
    return ParseStatus::Ok;
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction /*dir*/) noexcept
{
    const cotp::FirstOctet f = cotp::first_dt_octet(data);
    if (f.result != dissect::ProbeResult::Match) return f.result;
    return f.octet == protocol_id ? dissect::ProbeResult::Match : dissect::ProbeResult::NoMatch;
}

}  // namespace otsentry::s7commplus
