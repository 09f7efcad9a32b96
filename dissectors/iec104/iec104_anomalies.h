// IEC 60870-5-104 anomalies: stable codes and names (they form the built-in signature ids
// 2003000 + code, see dissectors/common/anomaly.h), one sentence for the analyst, severity
// 1 (high) .. 3 (low). Codes never change meaning; new anomalies take the next free code.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::iec104 {

enum class Anomaly : uint16_t {
    BadStartByte = 1,
    BadLength = 2,
    BadControlField = 3,
    UnknownUFunction = 4,
    UConWithoutAct = 5,
    SendSeqGap = 6,
    SendSeqRepeat = 7,
    AckUnsent = 8,
    IFrameBeforeStartdt = 9,
    ShortAsdu = 10,
    UnknownTypeId = 11,
    CotNotAllowed = 12,
    ObjectCountMismatch = 13,
    TrailingBytes = 14,
    NegativeConfirmation = 15,
    UnexpectedConfirmation = 16,
    TooManyPending = 17,
    TruncatedApdu = 18,
};

inline constexpr std::array<dissect::AnomalyInfo, 18> anomaly_table = {{
    {1, "iec104.bad_start_byte", "An APDU does not start with 0x68 in a flow that carried IEC 104.", 2},
    {2, "iec104.bad_length",
     "APDU length outside 4..253, a U- or S-format APDU longer than 4, or an I-format APDU without an ASDU.",
     2},
    {3, "iec104.bad_control_field", "Reserved bits of the APCI control field are set.", 2},
    {4, "iec104.unknown_u_function", "U-format APDU with no, several or undefined function bits.", 2},
    {5, "iec104.u_con_without_act",
     "U-format confirmation (STARTDT, STOPDT or TESTFR con) with no activation.", 2},
    {6, "iec104.send_seq_gap", "The send sequence number N(S) skipped I-format APDUs.", 2},
    {7, "iec104.send_seq_repeat", "The send sequence number N(S) repeated or went back (replay or restart).",
     2},
    {8, "iec104.ack_unsent", "The receive sequence number N(R) acknowledges I-format APDUs never sent.", 2},
    {9, "iec104.i_frame_before_startdt",
     "I-format APDU before STARTDT was confirmed, in a connection seen from its start.", 3},
    {10, "iec104.short_asdu", "The ASDU is shorter than its header.", 2},
    {11, "iec104.unknown_type_id", "Type identification is reserved, private or not defined by -101/-104.",
     2},
    {12, "iec104.cot_not_allowed", "Cause of transmission not allowed for the type (or 0, or reserved).", 2},
    {13, "iec104.object_count_mismatch",
     "The number of information objects does not fit the APDU length (fewer bytes than announced).", 2},
    {14, "iec104.trailing_bytes", "Bytes left in the APDU after the announced information objects.", 2},
    {15, "iec104.negative_confirmation",
     "A command was refused: negative confirmation or unknown type, cause, common address or IOA.", 3},
    {16, "iec104.unexpected_confirmation",
     "Confirmation or termination of a command that was never activated on this connection.", 3},
    {17, "iec104.too_many_pending",
     "Too many commands wait for confirmation or termination; the oldest was reported as it was.", 2},
    {18, "iec104.truncated_apdu",
     "The flow ended inside an APDU: its length announced more bytes than arrived.", 2},
}};

constexpr const dissect::AnomalyInfo& info(Anomaly a) noexcept
{
    return anomaly_table[static_cast<size_t>(a) - 1];
}

constexpr uint32_t bit(Anomaly a) noexcept
{
    return 1u << (static_cast<unsigned>(a) - 1);
}

// Table order is code order, so info() is an index.
static_assert([] {
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        if (anomaly_table[i].code != i + 1) return false;
    return true;
}());

}  // namespace otsentry::iec104
