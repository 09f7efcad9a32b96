// S7comm-plus anomalies. Codes are stable (they form the built-in sids 2005000 + code, see
// dissectors/common/anomaly.h); a new anomaly takes the next free code; severity 1 (high) .. 3.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::s7commplus {

enum class Anomaly : uint16_t {
    BadTpkt = 1,
    BadCotp = 2,
    BadHeader = 3,
    BadLength = 4,
    BadTrailer = 5,
    UnknownOpcode = 6,
    ResponseWithoutRequest = 7,
    TooManyOutstanding = 8,
    TruncatedPdu = 9,
    ReassemblyOverflow = 10,
};

inline constexpr std::array<dissect::AnomalyInfo, 10> anomaly_table = {{
    {1, "s7commplus.bad_tpkt",
     "TPKT header with a wrong version or a length outside 7..8196; framing resynchronised.", 2},
    {2, "s7commplus.bad_cotp",
     "COTP TPDU whose length indicator does not fit the frame or whose code is unknown.", 2},
    {3, "s7commplus.bad_header",
     "COTP user data that is not S7comm-plus (protocol id not 0x72, unknown version, or too short).", 2},
    {4, "s7commplus.bad_length", "S7comm-plus data length does not match the COTP user data.", 2},
    {5, "s7commplus.bad_trailer", "S7comm-plus trailer is not 0x72, the header's version and a zero length.",
     2},
    {6, "s7commplus.unknown_opcode",
     "S7comm-plus opcode is not request, response, response2 or notification.", 2},
    {7, "s7commplus.response_without_request",
     "Response whose sequence number matches no outstanding request.", 3},
    {8, "s7commplus.too_many_outstanding",
     "Too many unanswered requests; the oldest was reported unanswered.", 2},
    {9, "s7commplus.truncated_pdu", "The flow ended inside a TPKT frame or a fragmented S7comm-plus PDU.", 2},
    {10, "s7commplus.reassembly_overflow",
     "A PDU segmented over COTP DT TPDUs grew past 8192 octets; dropped.", 2},
}};

constexpr uint32_t bit(Anomaly a) noexcept
{
    return 1u << (static_cast<unsigned>(a) - 1);
}

}  // namespace otsentry::s7commplus
