// Pure Modbus/TCP ADU parser: one MBAP header plus its PDU from the start of a byte span. No I/O,
// no globals, no allocation; all reads go through ByteReader. Framing problems end the parse with
// a named outcome; problems inside a well-framed PDU are flagged in Pdu::anomalies and the PDU is
// still returned, so it becomes an event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/modbus/modbus_anomalies.h"
#include "dissectors/modbus/modbus_types.h"

namespace otsentry::modbus {

struct ParseResult {
    enum class Kind : uint8_t {
        Ok,               // `size` bytes (one ADU) consumed
        NeedMore,         // at least `size` more bytes are needed
        NotThisProtocol,  // protocol id is not 0
        Anomaly,          // the header cannot be framed (`reason` says why)
    };
    Kind kind = Kind::NeedMore;
    size_t size = 0;
    modbus::Anomaly reason{};

    static constexpr ParseResult ok(size_t consumed) noexcept { return {Kind::Ok, consumed, {}}; }
    static constexpr ParseResult need_more(size_t n) noexcept { return {Kind::NeedMore, n, {}}; }
    static constexpr ParseResult not_this_protocol() noexcept { return {Kind::NotThisProtocol, 0, {}}; }
    static constexpr ParseResult anomaly(modbus::Anomaly a) noexcept { return {Kind::Anomaly, 0, a}; }
};

// Parses one ADU at the start of `in`. ToServer bytes are requests, ToClient bytes responses.
// On Ok, `out`'s spans point into `in`.
ParseResult parse_pdu(std::span<const uint8_t> in, Direction dir, Pdu& out) noexcept;

// True when `in` starts with a plausible MBAP header and function code: protocol id 0, length
// 2..254, and a public, user-defined or reserved function (or, ToClient, an exception response
// to one). Needs min_probe_len bytes; used by probe() and by resynchronisation after a gap.
bool plausible_header(std::span<const uint8_t> in, Direction dir) noexcept;

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

}  // namespace otsentry::modbus
