// Modbus/TCP vocabulary: MBAP limits, function/exception/sub-function codes and their names, and
// the parsed PDU. References are to "MODBUS Application Protocol Specification V1.1b3" (App) and
// "MODBUS Messaging on TCP/IP Implementation Guide V1.0b" (TCP).
//
// A Pdu is a view: its spans point into the bytes it was parsed from, so it lives no longer than
// those bytes (the session copies a request's bytes while it waits for the response).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "dissectors/common/types.h"

namespace otsentry::modbus {

// TCP §3.1.3: transaction id (2), protocol id (2), length (2), unit id (1).
constexpr size_t mbap_header_len = 7;
// The length field counts the unit id and the PDU.
constexpr size_t mbap_length_offset = 6;
constexpr uint16_t min_length_field = 2;    // unit id + function code
constexpr uint16_t max_length_field = 254;  // App §4.1: max ADU 260 bytes on TCP
// Some stacks overrun the limit by a little (a Schneider PLC answers UMAS with length 255). Up
// to this length an ADU is still framed and reported, flagged bad_length; longer cannot be framed.
constexpr uint16_t max_framed_length_field = 300;
constexpr size_t max_adu_len = mbap_length_offset + max_framed_length_field;
// MBAP header plus function code: what probe() and resync need to judge a header.
constexpr size_t min_probe_len = mbap_header_len + 1;

constexpr uint8_t exception_bit = 0x80;

enum class FunctionCode : uint8_t {
    ReadCoils = 0x01,                   // App §6.1
    ReadDiscreteInputs = 0x02,          // §6.2
    ReadHoldingRegisters = 0x03,        // §6.3
    ReadInputRegisters = 0x04,          // §6.4
    WriteSingleCoil = 0x05,             // §6.5
    WriteSingleRegister = 0x06,         // §6.6
    ReadExceptionStatus = 0x07,         // §6.7 (serial line only)
    Diagnostics = 0x08,                 // §6.8 (serial line only)
    GetCommEventCounter = 0x0B,         // §6.9 (serial line only)
    GetCommEventLog = 0x0C,             // §6.10 (serial line only)
    WriteMultipleCoils = 0x0F,          // §6.11
    WriteMultipleRegisters = 0x10,      // §6.12
    ReportServerId = 0x11,              // §6.13 (serial line only)
    ReadFileRecord = 0x14,              // §6.14
    WriteFileRecord = 0x15,             // §6.15
    MaskWriteRegister = 0x16,           // §6.16
    ReadWriteMultipleRegisters = 0x17,  // §6.17
    ReadFifoQueue = 0x18,               // §6.18
    EncapsulatedInterface = 0x2B,       // §6.19-6.21 (MEI)
};

// App §5 / Annex A: public codes are defined by the spec, 65-72 and 100-110 are for users, and a
// handful are reserved for legacy vendor products (90 is Schneider's UMAS, for example).
enum class FunctionClass : uint8_t { Public, UserDefined, Reserved, Unknown };

enum class MeiType : uint8_t {
    CanopenGeneralReference = 0x0D,   // App §6.20
    ReadDeviceIdentification = 0x0E,  // App §6.21
};

enum class ExceptionCode : uint8_t {  // App §7
    IllegalFunction = 0x01,
    IllegalDataAddress = 0x02,
    IllegalDataValue = 0x03,
    ServerDeviceFailure = 0x04,
    Acknowledge = 0x05,
    ServerDeviceBusy = 0x06,
    NegativeAcknowledge = 0x07,  // legacy Modicon, not in v1.1b3 but seen on the wire
    MemoryParityError = 0x08,
    GatewayPathUnavailable = 0x0A,
    GatewayTargetFailedToRespond = 0x0B,
};

enum class DiagSubFunction : uint16_t {  // App §6.8.1
    ReturnQueryData = 0x00,
    RestartCommunications = 0x01,
    ReturnDiagnosticRegister = 0x02,
    ChangeAsciiInputDelimiter = 0x03,
    ForceListenOnlyMode = 0x04,
    ClearCounters = 0x0A,
    ReturnBusMessageCount = 0x0B,
    ReturnBusCommunicationErrorCount = 0x0C,
    ReturnBusExceptionErrorCount = 0x0D,
    ReturnServerMessageCount = 0x0E,
    ReturnServerNoResponseCount = 0x0F,
    ReturnServerNakCount = 0x10,
    ReturnServerBusyCount = 0x11,
    ReturnBusCharacterOverrunCount = 0x12,
    ClearOverrunCounter = 0x14,
};

// Spec limits on quantities (App §6.1-6.17).
constexpr uint16_t max_read_bits = 2000;             // FC 1, 2
constexpr uint16_t max_read_registers = 125;         // FC 3, 4, 23 (read part)
constexpr uint16_t max_write_bits = 1968;            // FC 15
constexpr uint16_t max_write_registers = 123;        // FC 16
constexpr uint16_t max_rw_write_registers = 121;     // FC 23 (write part)
constexpr uint16_t max_fifo_count = 31;              // FC 24
constexpr uint16_t max_file_record_number = 0x270F;  // FC 20, 21
constexpr uint8_t file_reference_type = 6;           // FC 20, 21
constexpr uint16_t coil_on = 0xFF00;                 // FC 5

template <typename E>
constexpr auto to_underlying(E e) noexcept
{
    return static_cast<std::underlying_type_t<E>>(e);
}

constexpr FunctionClass classify_function(uint8_t fc) noexcept
{
    switch (fc) {
        case 0x01:
        case 0x02:
        case 0x03:
        case 0x04:
        case 0x05:
        case 0x06:
        case 0x07:
        case 0x08:
        case 0x0B:
        case 0x0C:
        case 0x0F:
        case 0x10:
        case 0x11:
        case 0x14:
        case 0x15:
        case 0x16:
        case 0x17:
        case 0x18:
        case 0x2B:
            return FunctionClass::Public;
        case 9:
        case 10:
        case 13:
        case 14:
        case 41:
        case 42:
        case 90:
        case 91:
        case 125:
        case 126:
        case 127:
            return FunctionClass::Reserved;
        default:
            break;
    }
    if ((fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110)) return FunctionClass::UserDefined;
    return FunctionClass::Unknown;
}

// Name of a function code without the exception bit, as written to EVE.
constexpr std::string_view function_name(uint8_t fc) noexcept
{
    switch (fc) {
        case 0x01:
            return "read_coils";
        case 0x02:
            return "read_discrete_inputs";
        case 0x03:
            return "read_holding_registers";
        case 0x04:
            return "read_input_registers";
        case 0x05:
            return "write_single_coil";
        case 0x06:
            return "write_single_register";
        case 0x07:
            return "read_exception_status";
        case 0x08:
            return "diagnostics";
        case 0x0B:
            return "get_comm_event_counter";
        case 0x0C:
            return "get_comm_event_log";
        case 0x0F:
            return "write_multiple_coils";
        case 0x10:
            return "write_multiple_registers";
        case 0x11:
            return "report_server_id";
        case 0x14:
            return "read_file_record";
        case 0x15:
            return "write_file_record";
        case 0x16:
            return "mask_write_register";
        case 0x17:
            return "read_write_multiple_registers";
        case 0x18:
            return "read_fifo_queue";
        case 0x2B:
            return "encapsulated_interface_transport";
        default:
            break;
    }
    switch (classify_function(fc)) {
        case FunctionClass::UserDefined:
            return "user_defined";
        case FunctionClass::Reserved:
            return "reserved";
        default:
            return "unknown";
    }
}

constexpr std::string_view exception_name(uint8_t code) noexcept
{
    switch (code) {
        case 0x01:
            return "illegal_function";
        case 0x02:
            return "illegal_data_address";
        case 0x03:
            return "illegal_data_value";
        case 0x04:
            return "server_device_failure";
        case 0x05:
            return "acknowledge";
        case 0x06:
            return "server_device_busy";
        case 0x07:
            return "negative_acknowledge";
        case 0x08:
            return "memory_parity_error";
        case 0x0A:
            return "gateway_path_unavailable";
        case 0x0B:
            return "gateway_target_failed_to_respond";
        default:
            return "unknown";
    }
}

constexpr bool is_known_exception(uint8_t code) noexcept
{
    return exception_name(code) != "unknown";
}

constexpr std::string_view diag_subfunction_name(uint16_t sub) noexcept
{
    switch (sub) {
        case 0x00:
            return "return_query_data";
        case 0x01:
            return "restart_communications";
        case 0x02:
            return "return_diagnostic_register";
        case 0x03:
            return "change_ascii_input_delimiter";
        case 0x04:
            return "force_listen_only_mode";
        case 0x0A:
            return "clear_counters_and_diagnostic_register";
        case 0x0B:
            return "return_bus_message_count";
        case 0x0C:
            return "return_bus_communication_error_count";
        case 0x0D:
            return "return_bus_exception_error_count";
        case 0x0E:
            return "return_server_message_count";
        case 0x0F:
            return "return_server_no_response_count";
        case 0x10:
            return "return_server_nak_count";
        case 0x11:
            return "return_server_busy_count";
        case 0x12:
            return "return_bus_character_overrun_count";
        case 0x14:
            return "clear_overrun_counter_and_flag";
        default:
            return "reserved";
    }
}

constexpr std::string_view mei_type_name(uint8_t mei) noexcept
{
    switch (mei) {
        case 0x0D:
            return "canopen_general_reference";
        case 0x0E:
            return "read_device_identification";
        default:
            return "reserved";
    }
}

// App §6.21 table of object ids.
constexpr std::string_view device_object_name(uint8_t id) noexcept
{
    switch (id) {
        case 0x00:
            return "VendorName";
        case 0x01:
            return "ProductCode";
        case 0x02:
            return "MajorMinorRevision";
        case 0x03:
            return "VendorUrl";
        case 0x04:
            return "ProductName";
        case 0x05:
            return "ModelName";
        case 0x06:
            return "UserApplicationName";
        default:
            return id < 0x80 ? "reserved" : "private";
    }
}

// Which optional fields a Pdu carries (bit positions in Pdu::present).
enum class Has : uint32_t {
    ExceptionCode = 1u << 0,
    Address = 1u << 1,
    Quantity = 1u << 2,
    Value = 1u << 3,
    ByteCount = 1u << 4,
    SubFunction = 1u << 5,
    AndMask = 1u << 6,
    OrMask = 1u << 7,
    WriteAddress = 1u << 8,
    WriteQuantity = 1u << 9,
    Status = 1u << 10,
    EventCount = 1u << 11,
    MessageCount = 1u << 12,
    FifoCount = 1u << 13,
    MeiType = 1u << 14,
    ReadDevIdCode = 1u << 15,
    ObjectId = 1u << 16,
    ConformityLevel = 1u << 17,
    MoreFollows = 1u << 18,
    NextObjectId = 1u << 19,
    ObjectCount = 1u << 20,
    Data = 1u << 21,
};

// How `Pdu::values` is laid out.
enum class ValueKind : uint8_t {
    None,
    Bits,       // packed, least significant bit of the first byte first (App §6.1)
    Registers,  // big-endian 16-bit words
};

// How `Pdu::items` is laid out; the parser keeps only complete items in it.
enum class ItemKind : uint8_t {
    None,
    FileReadRequest,   // FC 20 request: ref type, file, record, length (App §6.14)
    FileReadResponse,  // FC 20 response: length, ref type, data (App §6.14)
    FileWrite,         // FC 21 request and response: ref type, file, record, length, data (§6.15)
    DeviceObjects,     // FC 43/14 response: id, length, value (App §6.21)
};

struct Pdu {
    // MBAP header (TCP §3.1.3).
    uint16_t transaction_id = 0;
    uint16_t protocol_id = 0;
    uint16_t length = 0;
    uint8_t unit_id = 0;
    uint8_t function_code = 0;  // as on the wire, exception bit included
    Direction dir = Direction::ToServer;

    uint32_t present = 0;    // bits of Has
    uint32_t anomalies = 0;  // bit (1 << code) for every Anomaly found in this PDU alone

    uint16_t address = 0;   // starting address; FC 23: read address; FC 24: FIFO pointer
    uint16_t quantity = 0;  // FC 23: quantity to read
    uint16_t value = 0;     // FC 5, 6: value written; FC 7: output data
    uint16_t byte_count = 0;
    uint16_t subfunction = 0;
    uint16_t and_mask = 0;
    uint16_t or_mask = 0;
    uint16_t write_address = 0;
    uint16_t write_quantity = 0;
    uint16_t status = 0;
    uint16_t event_count = 0;
    uint16_t message_count = 0;
    uint16_t fifo_count = 0;
    uint16_t value_count = 0;  // coils or registers in `values`
    uint8_t exception_code = 0;
    uint8_t mei_type = 0;
    uint8_t read_dev_id_code = 0;
    uint8_t object_id = 0;
    uint8_t conformity_level = 0;
    uint8_t more_follows = 0;
    uint8_t next_object_id = 0;
    uint8_t object_count = 0;
    ValueKind value_kind = ValueKind::None;
    ItemKind item_kind = ItemKind::None;
    uint8_t item_count = 0;

    std::span<const uint8_t> body;    // the PDU after the function code
    std::span<const uint8_t> data;    // bytes passed through undecoded (Has::Data)
    std::span<const uint8_t> values;  // coil or register bytes
    std::span<const uint8_t> items;   // file records or device id objects

    uint64_t pcap_cnt = 0;  // packet that completed this PDU (set by the session)

    [[nodiscard]] constexpr bool has(Has h) const noexcept { return (present & to_underlying(h)) != 0; }
    constexpr void set(Has h) noexcept { present |= to_underlying(h); }
    [[nodiscard]] constexpr bool is_exception() const noexcept
    {
        return dir == Direction::ToClient && (function_code & exception_bit) != 0;
    }
    // The function code without the exception bit (what Wireshark and the rules call the function).
    [[nodiscard]] constexpr uint8_t function() const noexcept
    {
        return is_exception() ? static_cast<uint8_t>(function_code & ~exception_bit) : function_code;
    }
    [[nodiscard]] constexpr size_t adu_len() const noexcept { return mbap_length_offset + length; }
};

}  // namespace otsentry::modbus
