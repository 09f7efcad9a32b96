#include "dissectors/template/template_parser.h"

#include "dissectors/common/byte_reader.h"

namespace otsentry::tpl {

namespace {

constexpr uint8_t magic0 = 'T';
constexpr uint8_t magic1 = 'P';

// The body of a request or response, by function. Short or long bodies are flagged, not fatal.
void parse_body(std::span<const uint8_t> body, Pdu& pdu) noexcept
{
    dissect::ByteReader r{body};
    if (pdu.is_error()) {
        pdu.error_code = r.read_u8();
        if (r.ok()) pdu.set(Has::ErrorCode);
    } else if (!known_function(pdu.function())) {
        pdu.anomalies |= bit(Anomaly::UnknownFunction);
        pdu.data = r.read_bytes(r.remaining());
        pdu.set(Has::Data);
        return;
    } else if (!pdu.is_response()) {
        switch (static_cast<Function>(pdu.function())) {
            case Function::Read:
                pdu.address = r.read_be<uint16_t>();
                pdu.count = r.read_be<uint16_t>();
                if (r.ok()) {
                    pdu.set(Has::Address);
                    pdu.set(Has::Count);
                }
                break;
            case Function::Write:
                pdu.address = r.read_be<uint16_t>();
                if (r.ok()) pdu.set(Has::Address);
                pdu.data = r.read_bytes(r.remaining());
                pdu.set(Has::Data);
                break;
            case Function::Ping:
                break;
        }
    } else if (static_cast<Function>(pdu.function()) == Function::Read) {
        pdu.data = r.read_bytes(r.remaining());
        pdu.set(Has::Data);
    }
    if (!r.ok() || !r.empty()) pdu.anomalies |= bit(Anomaly::MalformedBody);
}

}  // namespace

bool plausible_header(std::span<const uint8_t> in) noexcept
{
    if (in.size() < header_len) return false;
    const uint16_t length = static_cast<uint16_t>((in[6] << 8) | in[7]);
    return in[0] == magic0 && in[1] == magic1 && in[2] == version_1 &&
           known_function(in[3] & function_mask) && length <= max_body_len;
}

ParseResult parse_frame(std::span<const uint8_t> in, Pdu& out) noexcept
{
    if (in.size() < header_len) {
        // Reject early on a wrong magic so non-protocol bytes are not held back.
        if ((!in.empty() && in[0] != magic0) || (in.size() > 1 && in[1] != magic1))
            return ParseResult::not_this_protocol();
        return ParseResult::need_more(header_len);
    }
    dissect::ByteReader r{in};
    if (r.read_u8() != magic0 || r.read_u8() != magic1) return ParseResult::not_this_protocol();
    out = Pdu{};
    out.version = r.read_u8();
    out.function_byte = r.read_u8();
    out.request_id = r.read_be<uint16_t>();
    out.length = r.read_be<uint16_t>();
    if (out.version != version_1) return ParseResult::anomaly(Anomaly::BadVersion);
    if (out.length > max_body_len) return ParseResult::anomaly(Anomaly::BadLength);
    const size_t total = header_len + out.length;
    if (in.size() < total) return ParseResult::need_more(total);
    parse_body(r.read_bytes(out.length), out);
    return ParseResult::ok(total);
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction /*dir*/) noexcept
{
    if (data.size() < header_len) {
        if ((!data.empty() && data[0] != magic0) || (data.size() > 1 && data[1] != magic1))
            return dissect::ProbeResult::NoMatch;
        return dissect::ProbeResult::NeedMore;
    }
    return plausible_header(data) ? dissect::ProbeResult::Match : dissect::ProbeResult::NoMatch;
}

}  // namespace otsentry::tpl
