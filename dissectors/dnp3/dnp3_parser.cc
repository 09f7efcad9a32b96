#include "dissectors/dnp3/dnp3_parser.h"

#include <algorithm>
#include <cstdint>

#include "dissectors/common/byte_reader.h"
#include "dissectors/dnp3/dnp3_objects.h"

namespace otsentry::dnp3 {

namespace {

using dissect::ByteReader;

constexpr std::array<uint16_t, 256> crc_table = [] {
    constexpr uint16_t reflected_poly = 0xA6BC;  // 0x3D65 bit-reversed
    std::array<uint16_t, 256> t{};
    for (unsigned i = 0; i < 256; ++i) {
        uint16_t c = static_cast<uint16_t>(i);
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) != 0 ? static_cast<uint16_t>((c >> 1) ^ reflected_poly)
                              : static_cast<uint16_t>(c >> 1);
        t[i] = c;
    }
    return t;
}();

constexpr uint16_t crc16_of(std::span<const uint8_t> bytes) noexcept
{
    uint16_t crc = 0;
    for (const uint8_t b : bytes)
        crc = static_cast<uint16_t>((crc >> 8) ^ crc_table[(crc ^ b) & 0xFFu]);
    return static_cast<uint16_t>(~crc);
}

// The catalogue check value of CRC-16/DNP.
constexpr std::array<uint8_t, 9> crc_check_input = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
static_assert(crc16_of(crc_check_input) == 0xEA82);

bool crc_ok(std::span<const uint8_t> data, std::span<const uint8_t> crc) noexcept
{
    const uint16_t c = crc16_of(data);
    return crc[0] == (c & 0xFF) && crc[1] == (c >> 8);
}

void flag(Pdu& p, Anomaly a) noexcept
{
    p.anomalies |= anomaly_bit(a);
}

void keep(Pdu& p, const ObjectHeader& h) noexcept
{
    if (p.object_count < max_objects) p.objects[p.object_count++] = h;
    ++p.objects_total;
}

constexpr bool is_count_range(uint8_t rc) noexcept
{
    return rc >= to_underlying(RangeCode::Count8) && rc <= to_underlying(RangeCode::Count32);
}

// Reads the range field; false for a reserved qualifier or combination (1815 §4.2.2.7, the
// qualifier code table: index prefixes go with counts, size prefixes with counts or free format).
bool read_range(ByteReader& r, ObjectHeader& h) noexcept
{
    const uint8_t rc = h.range_code();
    const uint8_t pc = h.prefix_code();
    if ((h.qualifier & 0x80) != 0 || pc == 7) return false;
    if (is_index_prefix(pc) && !is_count_range(rc)) return false;
    if (is_size_prefix(pc) && !is_count_range(rc) && rc != to_underlying(RangeCode::FreeFormat)) return false;
    switch (rc) {
        case 0x0:
        case 0x3:
            h.start = r.read_u8();
            h.stop = r.read_u8();
            h.flags |= ObjectHeader::HasRange;
            break;
        case 0x1:
        case 0x4:
            h.start = r.read_le<uint16_t>();
            h.stop = r.read_le<uint16_t>();
            h.flags |= ObjectHeader::HasRange;
            break;
        case 0x2:
        case 0x5:
            h.start = r.read_le<uint32_t>();
            h.stop = r.read_le<uint32_t>();
            h.flags |= ObjectHeader::HasRange;
            break;
        case 0x6:
            h.count = 0;
            break;
        case 0x7:
            h.count = r.read_u8();
            h.flags |= ObjectHeader::CountField;
            break;
        case 0x8:
            h.count = r.read_le<uint16_t>();
            h.flags |= ObjectHeader::CountField;
            break;
        case 0x9:
            h.count = r.read_le<uint32_t>();
            h.flags |= ObjectHeader::CountField;
            break;
        case 0xB:
            if (!is_size_prefix(pc)) return false;
            h.count = r.read_u8();
            h.flags |= ObjectHeader::CountField;
            break;
        default:
            return false;
    }
    return true;
}

// Bytes the objects under `h` occupy, or more than `avail` when they do not fit.
uint64_t objects_len(std::span<const uint8_t> rest, const ObjectHeader& h, const Layout& l,
                     bool with_data) noexcept
{
    const uint8_t pc = h.prefix_code();
    const uint64_t plen = prefix_len(pc);
    if (!with_data) {
        if (is_index_prefix(pc)) return h.count * plen;
        if (!is_size_prefix(pc)) return 0;
    }
    if (with_data && !is_size_prefix(pc)) {
        switch (l.kind) {
            case Kind::Packed:
                return (uint64_t{h.count} * l.bits + 7) / 8;
            case Kind::NoData:
                return h.count * plen;
            case Kind::OctetString:
                return h.count * (plen + h.variation);
            case Kind::Attribute:
                break;  // sized object by object
            default:
                return h.count * (plen + l.size);
        }
    }
    // Size-prefixed or self-describing objects: every object takes at least one byte, so the walk
    // is bounded by the fragment.
    ObjectWalker walker{rest, h, l, true};
    PointView p;
    while (walker.next(p)) {}
    return walker.truncated() ? rest.size() + 1 : walker.offset();
}

void parse_objects(ByteReader& r, Pdu& out) noexcept
{
    const auto frag = out.fragment;
    while (!r.empty()) {
        ObjectHeader h;
        if (!r.has(3)) {
            flag(out, Anomaly::TruncatedFragment);
            return;
        }
        h.group = r.read_u8();
        h.variation = r.read_u8();
        h.qualifier = r.read_u8();
        const bool range_ok = read_range(r, h);
        if (!r.ok()) {
            // The fragment ends inside the range field.
            h.flags |= ObjectHeader::Truncated;
            keep(out, h);
            flag(out, Anomaly::TruncatedFragment);
            return;
        }
        if (!range_ok || (h.has(ObjectHeader::HasRange) && h.stop < h.start)) {
            keep(out, h);
            flag(out, Anomaly::MalformedObjectHeader);
            return;
        }
        if (h.has(ObjectHeader::HasRange))  // stop >= start; a full 32-bit range saturates
            h.count = h.stop - h.start == UINT32_MAX ? UINT32_MAX : h.stop - h.start + 1;

        const bool with_data = carries_data(out.function, h.group);
        if (with_data) h.flags |= ObjectHeader::HasData;
        const Layout l = layout_of(h.group, h.variation);
        const bool known = l.kind != Kind::Unknown || (h.variation == 0 && known_group(h.group));
        if (!known) {
            h.flags |= ObjectHeader::Unknown;
            flag(out, Anomaly::UnknownObject);
        }
        h.data_offset = static_cast<uint16_t>(r.offset());
        if (with_data && (!sizable(l, h.prefix_code()) || (l.kind == Kind::Packed && h.prefix_code() != 0))) {
            // Nothing tells how long these objects are: the rest of the fragment cannot be read.
            keep(out, h);
            if (known) flag(out, Anomaly::MalformedObjectHeader);
            return;
        }
        const auto rest = r.rest();
        const uint64_t len = objects_len(rest, h, l, with_data);
        out.point_count += h.count;
        if (len > rest.size()) {
            h.data_len = static_cast<uint16_t>(rest.size());
            h.flags |= ObjectHeader::Truncated;
            keep(out, h);
            flag(out, Anomaly::TruncatedFragment);
            return;
        }
        h.data_len = static_cast<uint16_t>(len);
        if (!out.has_crob && with_data && h.group == 12 && (h.variation == 1 || h.variation == 2) &&
            h.count > 0) {
            const size_t at = h.data_offset + prefix_len(h.prefix_code());
            if (at < frag.size()) {
                out.has_crob = true;
                out.crob_control_code = frag[at];
            }
        }
        keep(out, h);
        r.skip(static_cast<size_t>(len));
    }
}

}  // namespace

uint16_t crc16(std::span<const uint8_t> bytes) noexcept
{
    return crc16_of(bytes);
}

bool plausible_header(std::span<const uint8_t> in) noexcept
{
    if (in.size() < link_header_len) return false;
    return in[0] == start_byte_0 && in[1] == start_byte_1 && in[2] >= min_link_length &&
           crc_ok(in.first(8), in.subspan(8, 2));
}

ParseResult parse_link_frame(std::span<const uint8_t> in, LinkFrame& out) noexcept
{
    if ((!in.empty() && in[0] != start_byte_0) || (in.size() > 1 && in[1] != start_byte_1))
        return ParseResult::not_this_protocol();
    if (in.size() < link_header_len) return ParseResult::need_more(link_header_len);
    if (!crc_ok(in.first(8), in.subspan(8, 2))) return ParseResult::anomaly(Anomaly::BadLinkCrc);
    ByteReader r{in};
    r.skip(2);
    out.header.length = r.read_u8();
    out.header.control = r.read_u8();
    out.header.dst = r.read_le<uint16_t>();
    out.header.src = r.read_le<uint16_t>();
    r.skip(crc_len);
    if (out.header.length < min_link_length) return ParseResult::anomaly(Anomaly::BadLinkLength);
    const size_t total = link_frame_len(out.header.length);
    if (in.size() < total) return ParseResult::need_more(total);
    out.user_len = 0;
    out.bad_data_crc = false;
    size_t left = out.header.user_data_len();
    while (left > 0) {
        const size_t n = std::min(left, data_block_len);
        const auto block = r.read_bytes(n);
        const auto crc = r.read_bytes(crc_len);
        if (!crc_ok(block, crc)) out.bad_data_crc = true;
        std::copy(block.begin(), block.end(),
                  out.user_data.begin() + static_cast<std::ptrdiff_t>(out.user_len));
        out.user_len += n;
        left -= n;
    }
    return ParseResult::ok(total);
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction /*dir*/) noexcept
{
    // A frame start can be anywhere in the first frame's worth of bytes (mid-stream pickup).
    const size_t scan = std::min(data.size(), max_link_frame_len + link_header_len);
    bool partial = false;
    for (size_t i = 0; i < scan; ++i) {
        if (data[i] != start_byte_0) continue;
        const auto rest = data.subspan(i);
        if (rest.size() >= link_header_len) {
            if (plausible_header(rest)) return dissect::ProbeResult::Match;
        } else if (rest.size() == 1 || rest[1] == start_byte_1) {
            partial = true;  // a header may be completing in the next bytes
        }
    }
    return partial ? dissect::ProbeResult::NeedMore : dissect::ProbeResult::NoMatch;
}

bool carries_data(uint8_t fc, uint8_t group) noexcept
{
    if (group == 60) return false;
    switch (static_cast<Function>(fc)) {
        case Function::Read:
        case Function::ImmediateFreeze:
        case Function::ImmediateFreezeNr:
        case Function::FreezeClear:
        case Function::FreezeClearNr:
        case Function::EnableUnsolicited:
        case Function::DisableUnsolicited:
        case Function::AssignClass:
            return false;
        case Function::FreezeAtTime:
        case Function::FreezeAtTimeNr:
            return group == 50;  // the time and interval; the objects to freeze follow without values
        default:
            return true;
    }
}

void parse_application(std::span<const uint8_t> fragment, Pdu& out) noexcept
{
    if (fragment.size() > max_fragment_len) {
        // The session never reassembles more; a direct caller gets the first max_fragment_len bytes.
        flag(out, Anomaly::ReassemblyOverflow);
        fragment = fragment.first(max_fragment_len);
    }
    out.fragment = fragment;
    ByteReader r{fragment};
    if (fragment.size() < request_header_len) {
        flag(out, Anomaly::TruncatedFragment);
        return;
    }
    out.control = r.read_u8();
    out.function = r.read_u8();
    out.has_header = true;
    if (is_response_function(out.function)) {
        if (!r.has(2)) {
            flag(out, Anomaly::TruncatedFragment);
            return;
        }
        const uint8_t iin1 = r.read_u8();
        const uint8_t iin2 = r.read_u8();
        out.iin = static_cast<uint16_t>((iin1 << 8) | iin2);
        out.has_iin = true;
    }
    if (!known_function(out.function)) {
        // Without the function the layout of what follows is unknown.
        flag(out, Anomaly::UnknownFunction);
        return;
    }
    parse_objects(r, out);
}

}  // namespace otsentry::dnp3
