// The pure S7comm-plus parser: the header, integrity part and fixed fields of one PDU (whole
// COTP user data). No I/O, no globals, no allocation. Problems inside a PDU are flagged in
// Pdu::anomalies; a PDU that is not S7comm-plus is rejected.
#pragma once

#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/s7commplus/s7commplus_anomalies.h"
#include "dissectors/s7commplus/s7commplus_types.h"

namespace otsentry::s7commplus {

enum class ParseStatus : uint8_t { Ok, NotS7commPlus };

// `continuation`: the previous PDU of this direction was a fragment, so this one continues it
// (its header is checked, the body is not read as a new PDU).
ParseStatus parse_pdu(std::span<const uint8_t> in, bool continuation, Pdu& out) noexcept;

// Probe: the first COTP DT user octet is 0x72 (after CR/CC, or mid-stream).
dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

}  // namespace otsentry::s7commplus
