// The typed form of one S7comm PDU (the "S7 communication" protocol of Siemens S7-300/400 and,
// for compatibility, S7-1200/1500 PLCs), carried in COTP DT user data on TCP 102 (see README.md
// for the public descriptions it follows).
//
//     S7 header: 0x32 | ROSCTR (1) | redundancy id (2) | PDU reference (2) | parameter length (2)
//                | data length (2) | [ack, ack-data: error class (1) | error code (1)]
//     parameter (function, items, ...) | data (item values, SZL records, ...)
//
// A Pdu also describes the COTP connection TPDUs (CR, CC, DR, DC, ER), so the TSAPs that name
// rack and slot appear in the event log next to the S7 traffic they open.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace otsentry::s7comm {

constexpr uint8_t protocol_id = 0x32;
constexpr size_t header_len = 10;
constexpr size_t ack_header_len = 12;  // ack and ack-data carry error class and code
// Items kept per PDU; the item count octet allows 255, a 960-octet PDU fits about 80 items.
constexpr size_t max_items = 64;
constexpr size_t max_szl_records = 16;  // identity records kept from one SZL response

enum class Rosctr : uint8_t { Job = 1, Ack = 2, AckData = 3, Userdata = 7 };

constexpr bool known_rosctr(uint8_t r) noexcept
{
    return r == 1 || r == 2 || r == 3 || r == 7;
}

std::string_view rosctr_name(uint8_t r) noexcept;

enum class Function : uint8_t {
    CpuServices = 0x00,
    ReadVar = 0x04,
    WriteVar = 0x05,
    RequestDownload = 0x1A,
    DownloadBlock = 0x1B,
    DownloadEnded = 0x1C,
    StartUpload = 0x1D,
    Upload = 0x1E,
    EndUpload = 0x1F,
    PiService = 0x28,
    PlcStop = 0x29,
    SetupCommunication = 0xF0,
};

bool known_function(uint8_t f) noexcept;
std::string_view function_name(uint8_t f) noexcept;

// Memory areas of an S7ANY address.
std::string_view area_name(uint8_t a) noexcept;

// Userdata function groups (low nibble of the type/group octet) and types (high nibble).
enum class UserdataGroup : uint8_t {
    ModeTransition = 0x0,
    ProgrammerCommands = 0x1,
    CyclicData = 0x2,
    BlockFunctions = 0x3,
    CpuFunctions = 0x4,
    Security = 0x5,
    PbcBsend = 0x6,
    TimeFunctions = 0x7,
    NcProgramming = 0xF,
};
std::string_view userdata_group_name(uint8_t g) noexcept;
std::string_view userdata_subfunction_name(uint8_t group, uint8_t sub) noexcept;
constexpr uint8_t userdata_push = 0x0;
constexpr uint8_t userdata_request = 0x4;
constexpr uint8_t userdata_response = 0x8;
constexpr uint8_t cpu_read_szl = 0x01;
constexpr uint8_t security_password = 0x01;

// Block types in block file names ("_0800001P": '0' + type octet, 5 digits, file system).
std::string_view block_type_name(uint8_t c) noexcept;

// Which optional fields a Pdu carries, so absent and zero are told apart.
enum class Has : uint32_t {
    Error = 1u << 0,          // error class/code (ack, ack-data)
    Function = 1u << 1,       // job, ack-data
    ItemCount = 1u << 2,      // read/write var
    Setup = 1u << 3,          // setup communication
    Block = 1u << 4,          // block file name (download/upload, PI _INSE/_DELE)
    Pi = 1u << 5,             // PI service name
    Userdata = 1u << 6,       // userdata parameter
    UserdataError = 1u << 7,  // userdata parameter with data unit ref / error code
    Szl = 1u << 8,            // SZL id and index
    ReturnCode = 1u << 9,     // userdata data return code
    BlockData = 1u << 10,     // download block / upload data
    Tsap = 1u << 11,          // COTP CR/CC
    Rack = 1u << 12,          // rack/slot derived from the destination TSAP
    UploadId = 1u << 13,
    Identity11 = 1u << 14,  // SZL 0x0011 records
    Identity1C = 1u << 15,  // SZL 0x001C records
    Cotp = 1u << 16,        // the Pdu is a COTP connection TPDU, not an S7 PDU
    Password = 1u << 17,    // userdata security function (PLC password)
    Time = 1u << 18,        // userdata time function with a BCD time stamp
    Download = 1u << 19,    // part of a program download (download_id)
};

struct Item {
    uint8_t var_spec = 0;   // 0x12
    uint8_t syntax_id = 0;  // 0x10 S7ANY; others (0xB0 DBREAD, 0xA2 NCK, ...) are not decoded
    uint8_t transport_size = 0;
    uint16_t length = 0;
    uint16_t db = 0;
    uint8_t area = 0;
    uint32_t address = 0;  // 24 bits: byte address << 3 | bit address
    bool has_spec = false;
    // Data part (write var request, read var response, write var response return code).
    uint8_t return_code = 0;
    uint8_t data_transport_size = 0;
    uint16_t data_length = 0;  // as on the wire (bits for transport sizes 3, 4, 5)
    std::span<const uint8_t> data;
    bool has_data = false;
    bool has_return_code = false;

    [[nodiscard]] uint32_t byte_address() const noexcept { return address >> 3; }
    [[nodiscard]] uint8_t bit_address() const noexcept { return static_cast<uint8_t>(address & 7); }
};

// One identity record of SZL 0x0011 (module identification) or 0x001C (component identification).
struct SzlRecord {
    uint16_t index = 0;
    std::span<const uint8_t> text;     // order number / name (trimmed)
    std::array<uint8_t, 4> version{};  // 0x0011: BGTyp-less Ausbg + Ausbe
};

struct Pdu {
    // COTP connection TPDUs (Has::Cotp)
    uint8_t tpdu_type = 0;
    uint16_t tsap_src = 0;
    uint16_t tsap_dst = 0;
    uint8_t tpdu_size_code = 0;
    uint8_t cotp_reason = 0;
    // S7 header
    uint8_t rosctr = 0;
    uint16_t redundancy_id = 0;
    uint16_t pdu_ref = 0;
    uint16_t param_len = 0;
    uint16_t data_len = 0;
    uint8_t error_class = 0;
    uint8_t error_code = 0;
    // Parameter
    uint8_t function = 0;
    uint8_t item_count = 0;  // as on the wire
    uint8_t items_parsed = 0;
    std::array<Item, max_items> items{};
    uint16_t max_amq_calling = 0;
    uint16_t max_amq_called = 0;
    uint16_t pdu_size = 0;
    uint8_t function_status = 0;        // download/upload
    std::span<const uint8_t> filename;  // "_0800001P"
    uint8_t block_type = 0;             // the type octet of the file name ('8' = OB)
    uint32_t block_number = 0;
    uint32_t upload_id = 0;
    std::span<const uint8_t> block_data;
    std::span<const uint8_t> pi_service;     // "_INSE", "P_PROGRAM"
    std::span<const uint8_t> pi_parameters;  // the parameter block as sent
    // Userdata
    uint8_t ud_method = 0;
    uint8_t ud_type = 0;
    uint8_t ud_group = 0;
    uint8_t ud_subfunction = 0;
    uint8_t ud_sequence = 0;
    uint8_t ud_data_unit_ref = 0;
    uint8_t ud_last_data_unit = 0;
    uint16_t ud_error_code = 0;
    uint8_t return_code = 0;  // userdata data part
    uint16_t szl_id = 0;
    uint16_t szl_index = 0;
    uint16_t szl_record_len = 0;
    uint16_t szl_record_count = 0;
    uint8_t szl_records_kept = 0;
    std::array<SzlRecord, max_szl_records> szl{};
    std::span<const uint8_t> time;  // BCD time stamp (10 octets) of time functions
    // Session-level
    uint32_t download_id = 0;

    uint32_t has_mask = 0;
    uint32_t anomalies = 0;  // bit (code - 1) per Anomaly found inside a framed PDU
    uint64_t pcap_cnt = 0;

    [[nodiscard]] bool has(Has h) const noexcept { return (has_mask & static_cast<uint32_t>(h)) != 0; }
    void set(Has h) noexcept { has_mask |= static_cast<uint32_t>(h); }
    [[nodiscard]] bool is_cotp() const noexcept { return has(Has::Cotp); }
    [[nodiscard]] const Item* first_item() const noexcept { return items_parsed > 0 ? &items[0] : nullptr; }
};

}  // namespace otsentry::s7comm
