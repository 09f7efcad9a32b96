// DNP3 vocabulary: link, transport and application layer constants, function codes and their
// names, IIN bits, and the parsed PDU. References are to IEEE Std 1815-2012 ("1815"): clause 9
// data link layer, clause 8 transport function, clause 4 application layer (4.2.2 fragment
// structure), Annex A object library.
//
// A Pdu is one application fragment (reassembled from one or more link frames) or one link frame
// without user data (link resets and status requests). It is a view: `fragment` and the object
// headers point into the bytes it was parsed from, so it lives no longer than those bytes (the
// session copies a request's fragment while it waits for the response).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace otsentry::dnp3 {

// ---------------------------------------------------------------------------- link layer (1815 §9.2)
//     0x05 0x64 | length | control | destination (LE) | source (LE) | CRC | user data blocks
// `length` counts control, addresses and user data (5..255); the user data comes in blocks of up
// to 16 bytes, each followed by its own CRC.
constexpr uint8_t start_byte_0 = 0x05;
constexpr uint8_t start_byte_1 = 0x64;
constexpr size_t link_header_len = 10;
constexpr uint8_t min_link_length = 5;
constexpr size_t max_user_data = 255 - min_link_length;  // 250
constexpr size_t data_block_len = 16;
constexpr size_t crc_len = 2;
// 10 + 250 + 16 block CRCs: the largest frame on the wire.
constexpr size_t max_link_frame_len = link_header_len + max_user_data + crc_len * 16;

// Bytes a frame occupies on the wire for a given length field (which must be >= 5).
constexpr size_t link_frame_len(uint8_t length) noexcept
{
    const size_t user = length - size_t{min_link_length};
    return link_header_len + user + crc_len * ((user + data_block_len - 1) / data_block_len);
}
static_assert(link_frame_len(255) == max_link_frame_len);

// Control octet (1815 §9.2.4.1).
constexpr uint8_t ctl_dir = 0x80;
constexpr uint8_t ctl_prm = 0x40;
constexpr uint8_t ctl_fcb = 0x20;      // primary frames
constexpr uint8_t ctl_fcv_dfc = 0x10;  // FCV in primary frames, DFC in secondary frames
constexpr uint8_t ctl_function = 0x0F;

enum class LinkPrimary : uint8_t {
    ResetLinkStates = 0,
    ResetUserProcess = 1,  // obsolete
    TestLinkStates = 2,
    ConfirmedUserData = 3,
    UnconfirmedUserData = 4,
    RequestLinkStatus = 9,
};

enum class LinkSecondary : uint8_t {
    Ack = 0,
    Nack = 1,
    LinkStatus = 11,
    NotFunctioning = 14,  // obsolete
    NotSupported = 15,
};

constexpr std::string_view link_function_name(bool primary, uint8_t fc) noexcept
{
    if (primary) {
        switch (fc) {
            case 0:
                return "reset_link_states";
            case 1:
                return "reset_user_process";
            case 2:
                return "test_link_states";
            case 3:
                return "confirmed_user_data";
            case 4:
                return "unconfirmed_user_data";
            case 9:
                return "request_link_status";
            default:
                return "reserved";
        }
    }
    switch (fc) {
        case 0:
            return "ack";
        case 1:
            return "nack";
        case 11:
            return "link_status";
        case 14:
            return "not_functioning";
        case 15:
            return "not_supported";
        default:
            return "reserved";
    }
}

constexpr bool known_link_function(bool primary, uint8_t fc) noexcept
{
    return link_function_name(primary, fc) != "reserved";
}

// Destinations 0xFFFD-0xFFFF are broadcasts (1815 §9.2.5.3): never answered.
constexpr uint16_t min_broadcast_address = 0xFFFD;

// --------------------------------------------------------------------- transport (1815 §8.2)
constexpr uint8_t tr_fin = 0x80;
constexpr uint8_t tr_fir = 0x40;
constexpr uint8_t tr_seq = 0x3F;
constexpr uint8_t tr_seq_modulo = 64;

// The largest application fragment we reassemble. 1815 §4.2.1 recommends 2048 octets as the
// maximum fragment size, and opendnp3 and Suricata use the same default; a longer one is
// reported (reassembly_overflow) and dropped.
constexpr size_t max_fragment_len = 2048;

// ---------------------------------------------------------- application layer (1815 §4.2.2)
constexpr uint8_t app_fir = 0x80;
constexpr uint8_t app_fin = 0x40;
constexpr uint8_t app_con = 0x20;
constexpr uint8_t app_uns = 0x10;
constexpr uint8_t app_seq_mask = 0x0F;
constexpr size_t request_header_len = 2;   // control, function
constexpr size_t response_header_len = 4;  // control, function, IIN (2)

// Function codes (1815 §4.2.2.5, Table 4-1 and 4-2).
enum class Function : uint8_t {
    Confirm = 0x00,
    Read = 0x01,
    Write = 0x02,
    Select = 0x03,
    Operate = 0x04,
    DirectOperate = 0x05,
    DirectOperateNr = 0x06,
    ImmediateFreeze = 0x07,
    ImmediateFreezeNr = 0x08,
    FreezeClear = 0x09,
    FreezeClearNr = 0x0A,
    FreezeAtTime = 0x0B,
    FreezeAtTimeNr = 0x0C,
    ColdRestart = 0x0D,
    WarmRestart = 0x0E,
    InitializeData = 0x0F,
    InitializeApplication = 0x10,
    StartApplication = 0x11,
    StopApplication = 0x12,
    SaveConfiguration = 0x13,
    EnableUnsolicited = 0x14,
    DisableUnsolicited = 0x15,
    AssignClass = 0x16,
    DelayMeasure = 0x17,
    RecordCurrentTime = 0x18,
    OpenFile = 0x19,
    CloseFile = 0x1A,
    DeleteFile = 0x1B,
    GetFileInfo = 0x1C,
    AuthenticateFile = 0x1D,
    AbortFile = 0x1E,
    ActivateConfig = 0x1F,
    AuthenticateRequest = 0x20,
    AuthenticateRequestNoAck = 0x21,
    Response = 0x81,
    UnsolicitedResponse = 0x82,
    AuthenticateResponse = 0x83,
};

template <typename E>
constexpr auto to_underlying(E e) noexcept
{
    return static_cast<std::underlying_type_t<E>>(e);
}

constexpr bool is_request_function(uint8_t fc) noexcept
{
    return fc <= to_underlying(Function::AuthenticateRequestNoAck);
}

constexpr bool is_response_function(uint8_t fc) noexcept
{
    return fc >= to_underlying(Function::Response) && fc <= to_underlying(Function::AuthenticateResponse);
}

constexpr bool known_function(uint8_t fc) noexcept
{
    return is_request_function(fc) || is_response_function(fc);
}

// Requests the outstation never answers (1815 §4.4): confirm and the "no ack" variants.
constexpr bool expects_response(uint8_t fc) noexcept
{
    switch (static_cast<Function>(fc)) {
        case Function::Confirm:
        case Function::DirectOperateNr:
        case Function::ImmediateFreezeNr:
        case Function::FreezeClearNr:
        case Function::FreezeAtTimeNr:
        case Function::AuthenticateRequestNoAck:
            return false;
        default:
            return is_request_function(fc);
    }
}

constexpr std::string_view function_name(uint8_t fc) noexcept
{
    constexpr std::array<std::string_view, 34> requests = {
        "confirm",
        "read",
        "write",
        "select",
        "operate",
        "direct_operate",
        "direct_operate_nr",
        "immediate_freeze",
        "immediate_freeze_nr",
        "freeze_clear",
        "freeze_clear_nr",
        "freeze_at_time",
        "freeze_at_time_nr",
        "cold_restart",
        "warm_restart",
        "initialize_data",
        "initialize_application",
        "start_application",
        "stop_application",
        "save_configuration",
        "enable_unsolicited",
        "disable_unsolicited",
        "assign_class",
        "delay_measure",
        "record_current_time",
        "open_file",
        "close_file",
        "delete_file",
        "get_file_info",
        "authenticate_file",
        "abort_file",
        "activate_config",
        "authenticate_request",
        "authenticate_request_no_ack",
    };
    if (fc < requests.size()) return requests[fc];
    switch (fc) {
        case 0x81:
            return "response";
        case 0x82:
            return "unsolicited_response";
        case 0x83:
            return "authenticate_response";
        default:
            return "unknown";
    }
}

// Internal indications (1815 §4.2.2.6), as one 16-bit value the way Wireshark shows it
// (dnp3.al.iin): IIN1 in the high byte, IIN2 in the low byte.
constexpr std::array<std::string_view, 16> iin_bit_names = {
    // IIN2 bits 0-7
    "no_func_code_support",
    "object_unknown",
    "parameter_error",
    "event_buffer_overflow",
    "already_executing",
    "config_corrupt",
    "reserved_2",
    "reserved_1",
    // IIN1 bits 0-7
    "broadcast",
    "class_1_events",
    "class_2_events",
    "class_3_events",
    "need_time",
    "local_control",
    "device_trouble",
    "device_restart",
};

// ---------------------------------------------------------- object headers (1815 §4.2.2.7)
// Qualifier octet: bit 7 reserved, bits 6-4 object prefix code, bits 3-0 range specifier code.
enum class RangeCode : uint8_t {
    Start8Stop8 = 0x0,
    Start16Stop16 = 0x1,
    Start32Stop32 = 0x2,
    Virtual8 = 0x3,  // start/stop virtual addresses, same layout as 0-2
    Virtual16 = 0x4,
    Virtual32 = 0x5,
    All = 0x6,  // no range field
    Count8 = 0x7,
    Count16 = 0x8,
    Count32 = 0x9,
    FreeFormat = 0xB,  // 1-octet count of variable-sized objects (with a size prefix)
};

enum class PrefixCode : uint8_t {
    None = 0,
    Index8 = 1,
    Index16 = 2,
    Index32 = 3,
    Size8 = 4,
    Size16 = 5,
    Size32 = 6,
};

constexpr size_t prefix_len(uint8_t prefix_code) noexcept
{
    switch (prefix_code) {
        case 1:
        case 4:
            return 1;
        case 2:
        case 5:
            return 2;
        case 3:
        case 6:
            return 4;
        default:
            return 0;
    }
}

constexpr bool is_index_prefix(uint8_t prefix_code) noexcept
{
    return prefix_code >= 1 && prefix_code <= 3;
}

constexpr bool is_size_prefix(uint8_t prefix_code) noexcept
{
    return prefix_code >= 4 && prefix_code <= 6;
}

// CROB control code (1815 Annex A, g12v1).
constexpr std::string_view crob_op_type_name(uint8_t code) noexcept
{
    switch (code & 0x0F) {
        case 0:
            return "nul";
        case 1:
            return "pulse_on";
        case 2:
            return "pulse_off";
        case 3:
            return "latch_on";
        case 4:
            return "latch_off";
        default:
            return "undefined";
    }
}

constexpr std::string_view crob_tcc_name(uint8_t code) noexcept
{
    switch (code >> 6) {
        case 0:
            return "nul";
        case 1:
            return "close";
        case 2:
            return "trip";
        default:
            return "reserved";
    }
}

// Command status codes (1815 Annex A, the status field of g12v1), shared by g12, g41, g13 and g43.
constexpr std::string_view command_status_name(uint8_t status) noexcept
{
    constexpr std::array<std::string_view, 19> names = {
        "success",
        "timeout",
        "no_select",
        "format_error",
        "not_supported",
        "already_active",
        "hardware_error",
        "local",
        "too_many_objs",
        "not_authorized",
        "automation_inhibit",
        "processing_limited",
        "out_of_range",
        "downstream_local",
        "already_complete",
        "blocked",
        "canceled",
        "blocked_other_master",
        "downstream_fail",
    };
    if (status < names.size()) return names[status];
    if (status == 126) return "non_participating";
    return "undefined";
}

// ------------------------------------------------------------------------------ the parsed PDU
constexpr size_t max_objects = 32;  // object headers kept per fragment (more are counted)

struct LinkHeader {
    uint8_t length = 0;
    uint8_t control = 0;
    uint16_t dst = 0;
    uint16_t src = 0;

    [[nodiscard]] constexpr bool dir() const noexcept { return (control & ctl_dir) != 0; }
    [[nodiscard]] constexpr bool prm() const noexcept { return (control & ctl_prm) != 0; }
    [[nodiscard]] constexpr bool fcb() const noexcept { return (control & ctl_fcb) != 0; }
    [[nodiscard]] constexpr bool fcv_dfc() const noexcept { return (control & ctl_fcv_dfc) != 0; }
    [[nodiscard]] constexpr uint8_t function() const noexcept { return control & ctl_function; }
    [[nodiscard]] constexpr size_t user_data_len() const noexcept
    {
        return length >= min_link_length ? length - size_t{min_link_length} : 0;
    }
    // Primary confirmed/unconfirmed user data with bytes: the frame carries a transport segment.
    [[nodiscard]] constexpr bool carries_segment() const noexcept
    {
        return prm() && user_data_len() > 0 &&
               (function() == to_underlying(LinkPrimary::ConfirmedUserData) ||
                function() == to_underlying(LinkPrimary::UnconfirmedUserData));
    }
};

// One object header of an application fragment and where its objects are.
struct ObjectHeader {
    enum Flag : uint8_t {
        HasRange = 1,     // start/stop from the range field (range codes 0-5)
        HasData = 2,      // the header is followed by objects (not in READ requests, etc.)
        Truncated = 4,    // the fragment ended inside the objects
        Unknown = 8,      // group/variation not in our library
        CountField = 16,  // count from the range field (codes 7-9, B)
    };
    uint8_t group = 0;
    uint8_t variation = 0;
    uint8_t qualifier = 0;
    uint8_t flags = 0;
    uint32_t start = 0;
    uint32_t stop = 0;
    uint32_t count = 0;        // objects announced by the range field
    uint16_t data_offset = 0;  // in the fragment: the first prefix/object
    uint16_t data_len = 0;     // bytes of prefixes and objects present

    [[nodiscard]] constexpr uint8_t prefix_code() const noexcept { return (qualifier >> 4) & 0x07; }
    [[nodiscard]] constexpr uint8_t range_code() const noexcept { return qualifier & 0x0F; }
    [[nodiscard]] constexpr bool has(Flag f) const noexcept { return (flags & f) != 0; }
};

enum class PduKind : uint8_t {
    LinkOnly,     // a link frame without a transport segment (reset, test, status, ack...)
    Application,  // a reassembled application fragment
};

struct Pdu {
    PduKind kind = PduKind::Application;
    LinkHeader link;            // of the frame that completed the PDU
    uint8_t link_frames = 0;    // link frames that carried the fragment
    bool bad_data_crc = false;  // a user data block of one of those frames failed its CRC
    uint8_t transport = 0;      // transport header of the final segment

    // Application layer (kind == Application).
    bool has_header = false;  // control and function were present
    bool has_iin = false;     // responses
    uint8_t control = 0;
    uint8_t function = 0;
    uint16_t iin = 0;
    std::span<const uint8_t> fragment;  // the whole application fragment
    std::array<ObjectHeader, max_objects> objects{};
    uint16_t object_count = 0;   // headers kept in `objects`
    uint16_t objects_total = 0;  // headers parsed (object_count + those past the cap)
    uint64_t point_count = 0;    // objects announced by all parsed headers
    bool has_crob = false;
    uint8_t crob_control_code = 0;  // of the first g12v1/v2 object

    uint32_t anomalies = 0;  // bit (1 << code) per Anomaly found in this PDU alone
    uint64_t pcap_cnt = 0;   // packet that completed this PDU (set by the session)

    [[nodiscard]] constexpr bool is_application() const noexcept
    {
        return kind == PduKind::Application && has_header;
    }
    [[nodiscard]] constexpr uint8_t app_seq() const noexcept { return control & app_seq_mask; }
    [[nodiscard]] constexpr bool fir() const noexcept { return (control & app_fir) != 0; }
    [[nodiscard]] constexpr bool fin() const noexcept { return (control & app_fin) != 0; }
    [[nodiscard]] constexpr bool con() const noexcept { return (control & app_con) != 0; }
    [[nodiscard]] constexpr bool uns() const noexcept { return (control & app_uns) != 0; }
};

}  // namespace otsentry::dnp3
