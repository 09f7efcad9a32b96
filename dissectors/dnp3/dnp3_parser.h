// Pure DNP3 parsers: one link frame from the start of a byte span (IEEE 1815-2012 §9.2), and one
// reassembled application fragment (§4.2.2). No I/O, no globals, no allocation; all reads go
// through ByteReader. A link frame that cannot be framed ends with a named outcome; problems
// inside an application fragment are flagged in Pdu::anomalies and what came before the problem
// is kept, so the fragment still becomes an event.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/dnp3/dnp3_anomalies.h"
#include "dissectors/dnp3/dnp3_types.h"

namespace otsentry::dnp3 {

struct ParseResult {
    enum class Kind : uint8_t {
        Ok,               // `size` bytes (one link frame) consumed
        NeedMore,         // `size` bytes are needed in all
        NotThisProtocol,  // no 0x05 0x64 start
        Anomaly,          // the header cannot be framed (`reason`: bad header CRC or length)
    };
    Kind kind = Kind::NeedMore;
    size_t size = 0;
    Anomaly reason{};

    static constexpr ParseResult ok(size_t n) noexcept { return {Kind::Ok, n, {}}; }
    static constexpr ParseResult need_more(size_t n) noexcept { return {Kind::NeedMore, n, {}}; }
    static constexpr ParseResult not_this_protocol() noexcept { return {Kind::NotThisProtocol, 0, {}}; }
    static constexpr ParseResult anomaly(Anomaly a) noexcept { return {Kind::Anomaly, 0, a}; }
};

// One link frame with its user data joined (block CRCs removed).
struct LinkFrame {
    LinkHeader header;
    std::array<uint8_t, max_user_data> user_data{};
    size_t user_len = 0;
    bool bad_data_crc = false;  // some block failed its CRC; its bytes are still in user_data

    [[nodiscard]] std::span<const uint8_t> data() const noexcept { return {user_data.data(), user_len}; }
};

// CRC-16/DNP (1815 §9.2.4.2): polynomial 0x3D65, bit-reversed, complemented, sent low byte first.
uint16_t crc16(std::span<const uint8_t> bytes) noexcept;

// Parses one link frame at the start of `in`.
ParseResult parse_link_frame(std::span<const uint8_t> in, LinkFrame& out) noexcept;

// True when `in` starts with a valid link header: 0x05 0x64, length >= 5 and a matching header
// CRC. Needs link_header_len bytes. The CRC keeps zero runs and other protocols from matching.
bool plausible_header(std::span<const uint8_t> in) noexcept;

// Recognises DNP3 by content: a valid link header anywhere in the first bytes (a flow picked up
// mid-stream starts inside a frame).
dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

// Whether object headers of function `fc` are followed by objects (READ requests, freezes and
// class assignments name objects without values; class data objects never carry any).
bool carries_data(uint8_t fc, uint8_t group) noexcept;

// Parses an application fragment into `out` (application header, IIN for responses, object
// headers). `out.fragment` and the headers point into `fragment`.
void parse_application(std::span<const uint8_t> fragment, Pdu& out) noexcept;

}  // namespace otsentry::dnp3
