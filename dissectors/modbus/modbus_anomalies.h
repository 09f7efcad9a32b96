// Modbus/TCP anomalies: stable codes and names (they form the built-in signature ids, see
// dissectors/common/anomaly.h), one sentence for the analyst, severity 1 (high) .. 3 (low).
// Codes never change meaning; new anomalies take the next free code.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::modbus {

enum class Anomaly : uint16_t {
    BadProtocolId = 1,
    BadLength = 2,
    UnknownFunction = 3,
    ResponseWithoutRequest = 4,
    Exception = 5,
    TooManyOutstanding = 6,
    InvalidQuantity = 7,
    InvalidValue = 8,
    ByteCountMismatch = 9,
    MalformedPdu = 10,
    ReservedFunction = 11,
    UnitIdMismatch = 12,
    FunctionMismatch = 13,
    DuplicateTransactionId = 14,
    TruncatedAdu = 15,
};

inline constexpr std::array<dissect::AnomalyInfo, 15> anomaly_table = {{
    {1, "modbus.bad_protocol_id", "MBAP protocol identifier is not 0 in a flow that carried Modbus.", 2},
    {2, "modbus.bad_length", "MBAP length field is outside the spec range 2..254.", 2},
    {3, "modbus.unknown_function", "Function code is neither public, user-defined nor reserved.", 2},
    {4, "modbus.response_without_request", "Response whose transaction id matches no outstanding request.",
     3},
    {5, "modbus.exception", "Server answered with an exception response.", 3},
    {6, "modbus.too_many_outstanding", "Too many unanswered requests; the oldest was reported unanswered.",
     2},
    {7, "modbus.invalid_quantity", "Quantity is outside the spec range or runs past address 65535.", 2},
    {8, "modbus.invalid_value", "A field holds a value the spec does not allow.", 2},
    {9, "modbus.byte_count_mismatch", "Byte count disagrees with the quantity or with the bytes present.", 2},
    {10, "modbus.malformed_pdu", "PDU fields do not fit the MBAP length (truncated or trailing bytes).", 2},
    {11, "modbus.reserved_function", "Function code or MEI type the spec reserves (legacy or vendor use).",
     3},
    {12, "modbus.unit_id_mismatch", "Response unit id differs from its request's.", 2},
    {13, "modbus.function_mismatch", "Response function code differs from its request's.", 2},
    {14, "modbus.duplicate_transaction_id",
     "Request reuses the id of an outstanding request; the older one was reported unanswered.", 3},
    {15, "modbus.truncated_adu",
     "The flow ended inside an ADU: its header announced more bytes than arrived.", 2},
}};

constexpr const dissect::AnomalyInfo& info(Anomaly a) noexcept
{
    return anomaly_table[static_cast<size_t>(a) - 1];
}

constexpr uint32_t anomaly_bit(Anomaly a) noexcept
{
    return 1u << static_cast<unsigned>(a);
}

// Table order is code order, so info() is an index.
static_assert([] {
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        if (anomaly_table[i].code != i + 1) return false;
    return true;
}());

}  // namespace otsentry::modbus
