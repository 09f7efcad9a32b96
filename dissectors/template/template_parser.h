// TEMPLATE: the pure parser. One frame from the start of a byte span: no I/O, no globals, no
// allocation, every read through ByteReader. Framing problems end the parse with a named outcome;
// problems inside a well-framed PDU are flagged in Pdu::anomalies and the PDU is still returned,
// so it becomes an event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/template/template_anomalies.h"
#include "dissectors/template/template_types.h"

namespace otsentry::tpl {

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

// Parses one frame at the start of `in`; on Ok, `out`'s spans point into `in`.
ParseResult parse_frame(std::span<const uint8_t> in, Pdu& out) noexcept;

// True when `in` starts with a plausible header (magic, version, known function, length within
// the maximum). Needs header_len bytes. Used by probe() and to resynchronise after a gap.
bool plausible_header(std::span<const uint8_t> in) noexcept;

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

}  // namespace otsentry::tpl
