// S7comm anomalies. Codes are stable (they form the built-in sids 2004000 + code, see
// dissectors/common/anomaly.h); a new anomaly takes the next free code; severity 1 (high) .. 3.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::s7comm {

enum class Anomaly : uint16_t {
    BadTpkt = 1,
    BadCotp = 2,
    BadHeader = 3,
    BadLength = 4,
    UnknownRosctr = 5,
    UnknownFunction = 6,
    ItemCountMismatch = 7,
    ResponseWithoutRequest = 8,
    ErrorResponse = 9,
    TruncatedPdu = 10,
    TooManyOutstanding = 11,
    MalformedParameter = 12,
    ReassemblyOverflow = 13,
    CotpError = 14,
};

inline constexpr std::array<dissect::AnomalyInfo, 14> anomaly_table = {{
    {1, "s7comm.bad_tpkt",
     "TPKT header with a wrong version or a length outside 7..8196; framing resynchronised.", 2},
    {2, "s7comm.bad_cotp",
     "COTP TPDU whose length indicator does not fit the frame or whose code is unknown.", 2},
    {3, "s7comm.bad_header",
     "COTP user data that is not an S7 PDU (protocol id not 0x32, or shorter than the header).", 2},
    {4, "s7comm.bad_length", "S7 header parameter and data lengths do not add up to the PDU length.", 2},
    {5, "s7comm.unknown_rosctr", "S7 ROSCTR (PDU type) is not job, ack, ack-data or userdata.", 2},
    {6, "s7comm.unknown_function", "S7 function code is not defined.", 2},
    {7, "s7comm.item_count_mismatch",
     "Item count disagrees with the items present, or a response carries a different number of items than "
     "its "
     "request.",
     2},
    {8, "s7comm.response_without_request", "Ack or ack-data whose PDU reference matches no outstanding job.",
     3},
    {9, "s7comm.error_response", "Ack or ack-data with a non-zero error class: the PLC refused the request.",
     3},
    {10, "s7comm.truncated_pdu", "The flow ended inside a TPKT frame or a segmented S7 PDU.", 2},
    {11, "s7comm.too_many_outstanding", "Too many unanswered jobs; the oldest was reported unanswered.", 2},
    {12, "s7comm.malformed_parameter",
     "Parameter or data part does not have the layout its function requires.", 2},
    {13, "s7comm.reassembly_overflow",
     "An S7 PDU segmented over COTP DT TPDUs grew past 8192 octets; dropped.", 2},
    {14, "s7comm.cotp_error", "COTP ER TPDU: a transport protocol error was reported by the peer.", 2},
}};

constexpr uint32_t bit(Anomaly a) noexcept
{
    return 1u << (static_cast<unsigned>(a) - 1);
}

}  // namespace otsentry::s7comm
