// The pure S7comm parser: one S7 PDU (whole COTP user data) into a Pdu. No I/O, no globals, no
// allocation, every read through ByteReader. A PDU that is not S7 (wrong protocol id, shorter
// than its header) is rejected; problems inside an S7 PDU are flagged in Pdu::anomalies and the
// PDU is still returned, so it becomes an event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"
#include "dissectors/cotp/cotp.h"
#include "dissectors/s7comm/s7comm_anomalies.h"
#include "dissectors/s7comm/s7comm_types.h"

namespace otsentry::s7comm {

enum class ParseStatus : uint8_t { Ok, NotS7 };

// Parses the S7 PDU `in` (COTP user data); on Ok, `out`'s spans point into `in`.
ParseStatus parse_pdu(std::span<const uint8_t> in, Pdu& out) noexcept;

// Describes a COTP connection TPDU (CR, CC, DR, DC, ER) as a Pdu with Has::Cotp.
void describe_tpdu(const cotp::Tpdu& t, Pdu& out) noexcept;

// A response item's data length in octets (transport sizes 3, 4, 5 count bits).
size_t item_data_octets(uint8_t transport_size, uint16_t length) noexcept;

// Probe: the first COTP DT user octet is 0x32 (after CR/CC, or mid-stream).
dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept;

}  // namespace otsentry::s7comm
