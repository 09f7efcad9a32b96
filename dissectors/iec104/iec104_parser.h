// The pure IEC 104 parser: one APDU from the start of a byte span (APCI, then the ASDU of an
// I-format APDU with every information object), no I/O, no globals, no allocation, every read
// through ByteReader. Framing problems end the parse with a named outcome; problems inside a
// framed APDU are flagged in Pdu::anomalies and the APDU is still returned, so it becomes an event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/iec104/iec104_anomalies.h"
#include "dissectors/iec104/iec104_types.h"

namespace otsentry::iec104 {

struct ParseResult {
    enum class Kind : uint8_t { Ok, NeedMore, NotThisProtocol, Anomaly };
    Kind kind = Kind::NeedMore;
    size_t size = 0;  // Ok: bytes consumed; NeedMore: bytes needed in all
    Anomaly reason{};

    static constexpr ParseResult ok(size_t n) noexcept { return {Kind::Ok, n, {}}; }
    static constexpr ParseResult need_more(size_t n) noexcept { return {Kind::NeedMore, n, {}}; }
    static constexpr ParseResult not_this_protocol() noexcept { return {Kind::NotThisProtocol, 0, {}}; }
    static constexpr ParseResult anomaly(Anomaly a) noexcept { return {Kind::Anomaly, 0, a}; }
};

// Parses one APDU at the start of `in`; on Ok, `out`'s spans point into `in`. NotThisProtocol
// when the first byte is not 0x68; Anomaly(BadLength) when the length field is outside 4..253
// (the APDU cannot be framed).
ParseResult parse_apdu(std::span<const uint8_t> in, Pdu& out, const AsduConfig& cfg = {}) noexcept;

// Parses an ASDU (the octets after the control field) into `out`'s ASDU fields and anomaly bits.
void parse_asdu(std::span<const uint8_t> asdu, const AsduConfig& cfg, Pdu& out) noexcept;

// Octets of one information object's elements (after its IOA) at the start of `elements`; no_fit
// when they do not fit. Fixed by the type except for F_SG_NA_1, whose segment length is in the
// object.
constexpr size_t no_fit = SIZE_MAX;
size_t element_size(const TypeInfo& t, std::span<const uint8_t> elements) noexcept;

// Whether `in` starts with a plausible APDU: start byte, length 4..253, a valid control field
// (U: one defined function, S: no reserved bits, both of length 4) and, for I-format, a defined
// type id, an allowed cause, at least one object and a length that holds exactly the announced
// objects. Strict on purpose: it is what probe() and resynchronisation accept, so that 0x68 in
// other protocols or inside an ASDU does not pass.
enum class Plausible : uint8_t { Yes, No, NeedMore };
Plausible plausible_header(std::span<const uint8_t> in, const AsduConfig& cfg = {}) noexcept;

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

// Walks the information objects the parser kept (Pdu::objects): address and element octets.
class ObjectWalker {
public:
    explicit ObjectWalker(const Pdu& pdu) noexcept;
    struct Object {
        uint32_t ioa = 0;
        std::span<const uint8_t> elements;
    };
    // False after the last object.
    bool next(Object& out) noexcept;

private:
    const Pdu& pdu_;
    const TypeInfo* type_;
    size_t pos_ = 0;
    size_t index_ = 0;
};

}  // namespace otsentry::iec104
