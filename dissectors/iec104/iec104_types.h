// IEC 60870-5-104 (IEC 104): the typed form of one APDU and the tables the parser, the session
// and the EVE writer share (type identifications, causes of transmission, U-format functions).
//
// An APDU (IEC 60870-5-104:2006 §5.1) is
//
//     0x68 | length (1) = 4..253 | control field (4) | ASDU (I-format only)
//
// The control field says the format (§5.2-5.4): I (numbered information transfer: send and
// receive sequence numbers, 15 bits each), S (numbered supervisory: receive sequence number
// only) or U (unnumbered control: STARTDT, STOPDT, TESTFR, each act or con). The ASDU
// (IEC 60870-5-101 §7.1, with the 104 field lengths of -104 §7.1 by default) is
//
//     type id (1) | SQ + number of objects (1) | T + P/N + COT (1) | originator (1)
//     | common address (2) | objects
//
// and each information object is an address (IOA, 3 octets) followed by the elements its type
// defines (-101 §7.3). With SQ = 1 only the first object carries an address; the others follow
// at consecutive addresses. All multi-octet values are little-endian (-5-4 §4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace otsentry::iec104 {

constexpr uint8_t start_byte = 0x68;
constexpr size_t apci_len = 6;           // start byte, length, control field
constexpr size_t min_apdu_length = 4;    // the length field counts the control field and the ASDU
constexpr size_t max_apdu_length = 253;  // -104 §5.1: at most 253 octets follow the length field
constexpr size_t max_frame_len = 2 + max_apdu_length;  // 255: the most one direction ever buffers
constexpr uint16_t seq_modulus = 32768;                // sequence numbers are 15 bits (-104 §5.1)
constexpr size_t max_objects = 127;                    // the 7-bit number of objects (-101 §7.2.2)

// Field lengths of the ASDU header and the IOA. IEC 104 fixes the COT at 2 octets (with the
// originator address) and uses 2-octet common addresses and 3-octet IOAs; IEC 101 and some
// vendor profiles use shorter ones, so the parser takes them as a parameter.
struct AsduConfig {
    uint8_t cot_len = 2;  // 1 or 2 (2: the second octet is the originator address)
    uint8_t ca_len = 2;   // 1 or 2
    uint8_t ioa_len = 3;  // 1, 2 or 3

    [[nodiscard]] constexpr bool valid() const noexcept
    {
        return cot_len >= 1 && cot_len <= 2 && ca_len >= 1 && ca_len <= 2 && ioa_len >= 1 && ioa_len <= 3;
    }
    [[nodiscard]] constexpr size_t header_len() const noexcept { return 2u + cot_len + ca_len; }
};

enum class ApciType : uint8_t { I, S, U };

constexpr std::string_view apci_type_name(ApciType t) noexcept
{
    switch (t) {
        case ApciType::I:
            return "I";
        case ApciType::S:
            return "S";
        case ApciType::U:
            return "U";
    }
    return "?";
}

// U-format functions: one bit of control octet 1 each (-104 §5.3), bits 0-1 being 1 1.
enum class UFunction : uint8_t {
    StartdtAct = 0x04,
    StartdtCon = 0x08,
    StopdtAct = 0x10,
    StopdtCon = 0x20,
    TestfrAct = 0x40,
    TestfrCon = 0x80,
};

constexpr std::string_view u_function_name(uint8_t bits) noexcept
{
    switch (bits) {
        case 0x04:
            return "startdt_act";
        case 0x08:
            return "startdt_con";
        case 0x10:
            return "stopdt_act";
        case 0x20:
            return "stopdt_con";
        case 0x40:
            return "testfr_act";
        case 0x80:
            return "testfr_con";
        default:
            return "unknown";
    }
}

constexpr bool known_u_function(uint8_t bits) noexcept
{
    return bits == 0x04 || bits == 0x08 || bits == 0x10 || bits == 0x20 || bits == 0x40 || bits == 0x80;
}

// Causes of transmission (-101 §7.2.3); 48-63 are for special use (private range).
namespace cot {
constexpr uint8_t periodic = 1;
constexpr uint8_t background = 2;
constexpr uint8_t spontaneous = 3;
constexpr uint8_t initialized = 4;
constexpr uint8_t request = 5;
constexpr uint8_t activation = 6;
constexpr uint8_t activation_con = 7;
constexpr uint8_t deactivation = 8;
constexpr uint8_t deactivation_con = 9;
constexpr uint8_t activation_term = 10;
constexpr uint8_t return_remote = 11;
constexpr uint8_t return_local = 12;
constexpr uint8_t file_transfer = 13;
constexpr uint8_t interrogated = 20;          // 21..36: group 1..16
constexpr uint8_t counter_interrogated = 37;  // 38..41: group 1..4
constexpr uint8_t unknown_type = 44;
constexpr uint8_t unknown_cot = 45;
constexpr uint8_t unknown_ca = 46;
constexpr uint8_t unknown_ioa = 47;
constexpr uint8_t private_first = 48;
}  // namespace cot

constexpr std::string_view cot_name(uint8_t c) noexcept
{
    switch (c) {
        case 1:
            return "periodic";
        case 2:
            return "background";
        case 3:
            return "spontaneous";
        case 4:
            return "initialized";
        case 5:
            return "request";
        case 6:
            return "activation";
        case 7:
            return "activation_con";
        case 8:
            return "deactivation";
        case 9:
            return "deactivation_con";
        case 10:
            return "activation_term";
        case 11:
            return "return_remote";
        case 12:
            return "return_local";
        case 13:
            return "file_transfer";
        case 44:
            return "unknown_type";
        case 45:
            return "unknown_cause";
        case 46:
            return "unknown_common_address";
        case 47:
            return "unknown_ioa";
        default:
            break;
    }
    if (c == 20) return "interrogated_station";
    if (c > 20 && c <= 36) return "interrogated_group";
    if (c == 37) return "counter_interrogated";
    if (c > 37 && c <= 41) return "counter_interrogated_group";
    if (c >= cot::private_first) return "private";
    return "reserved";
}

// How the elements of one information object are laid out (-101 §7.3), after its IOA.
enum class Layout : uint8_t {
    Siq,         // single-point with quality
    Diq,         // double-point with quality
    VtiQds,      // step position + QDS
    BsiQds,      // 32-bit bitstring + QDS
    NvaQds,      // normalized value + QDS
    SvaQds,      // scaled value + QDS
    FloatQds,    // short float + QDS
    Bcr,         // binary counter reading
    SepCp16,     // protection event: SEP + elapsed time
    SpeQdpCp16,  // packed start events: SPE + QDP + relay duration
    OciQdpCp16,  // packed output circuit: OCI + QDP + relay operating time
    ScdQds,      // status + change detection + QDS
    Nva,         // normalized value without quality
    Sco,
    Dco,
    Rco,
    NvaQos,
    SvaQos,
    FloatQos,
    Bsi,
    Coi,
    Qoi,
    Qcc,
    Empty,  // C_RD_NA_1: the address alone
    Cp56,   // C_CS_NA_1: the time to set
    Fbp,    // fixed test pattern
    Qrp,
    Cp16,     // C_CD_NA_1: delay
    TscCp56,  // C_TS_TA_1: test sequence counter + time
    NvaQpm,
    SvaQpm,
    FloatQpm,
    Qpa,
    FileReady,     // NOF LOF FRQ
    SectionReady,  // NOF NOS LOF SRQ
    CallFile,      // NOF NOS SCQ
    LastSection,   // NOF NOS LSQ CHS
    AckFile,       // NOF NOS AFQ
    Segment,       // NOF NOS LOS + LOS octets (the only variable-length object)
    Directory,     // NOF LOF SOF CP56
    QueryLog,      // NOF CP56 start, CP56 stop
};

enum class TimeTag : uint8_t { None, Cp24, Cp56 };

// What a type id is for; pairing and the EVE writer use it.
enum class Category : uint8_t { Monitor, Control, System, Parameter, File };

struct TypeInfo {
    uint8_t id = 0;
    std::string_view name;
    Layout layout = Layout::Empty;
    TimeTag time = TimeTag::None;
    uint8_t size = 0;  // element octets after the IOA, time tag included; Segment: the fixed part
    Category category = Category::Monitor;
    uint64_t cots = 0;  // bit n set: COT n is allowed (-101 §7.2.3 / -104 §9 interoperability)
};

namespace detail {

constexpr uint64_t bits(std::initializer_list<int> list) noexcept
{
    uint64_t m = 0;
    for (int b : list)
        m |= uint64_t{1} << b;
    return m;
}
constexpr uint64_t range(int lo, int hi) noexcept
{
    uint64_t m = 0;
    for (int b = lo; b <= hi; ++b)
        m |= uint64_t{1} << b;
    return m;
}

// The COT sets below follow the interoperability lists of -101/-104 and are a little wider where
// equipment commonly differs: time-tagged monitor types may also answer an interrogation
// (20-36), as the zeek-iec104 capture shows.
constexpr uint64_t interrogated = range(20, 36);
constexpr uint64_t negative = range(44, 47);
constexpr uint64_t status = bits({2, 3, 5, 11, 12}) | interrogated;
constexpr uint64_t bitstring = bits({2, 3, 5}) | interrogated;
constexpr uint64_t measured = bits({1, 2, 3, 5}) | interrogated;
constexpr uint64_t counters = bits({3}) | range(37, 41);
constexpr uint64_t protection = bits({3});
constexpr uint64_t command = range(6, 10) | negative;
constexpr uint64_t act_con = bits({6, 7}) | negative;
constexpr uint64_t file = bits({3, 5, 13}) | negative;

constexpr std::array<TypeInfo, 67> types = {{
    {1, "M_SP_NA_1", Layout::Siq, TimeTag::None, 1, Category::Monitor, status},
    {2, "M_SP_TA_1", Layout::Siq, TimeTag::Cp24, 4, Category::Monitor, status},
    {3, "M_DP_NA_1", Layout::Diq, TimeTag::None, 1, Category::Monitor, status},
    {4, "M_DP_TA_1", Layout::Diq, TimeTag::Cp24, 4, Category::Monitor, status},
    {5, "M_ST_NA_1", Layout::VtiQds, TimeTag::None, 2, Category::Monitor, status},
    {6, "M_ST_TA_1", Layout::VtiQds, TimeTag::Cp24, 5, Category::Monitor, status},
    {7, "M_BO_NA_1", Layout::BsiQds, TimeTag::None, 5, Category::Monitor, bitstring},
    {8, "M_BO_TA_1", Layout::BsiQds, TimeTag::Cp24, 8, Category::Monitor, bitstring},
    {9, "M_ME_NA_1", Layout::NvaQds, TimeTag::None, 3, Category::Monitor, measured},
    {10, "M_ME_TA_1", Layout::NvaQds, TimeTag::Cp24, 6, Category::Monitor, measured},
    {11, "M_ME_NB_1", Layout::SvaQds, TimeTag::None, 3, Category::Monitor, measured},
    {12, "M_ME_TB_1", Layout::SvaQds, TimeTag::Cp24, 6, Category::Monitor, measured},
    {13, "M_ME_NC_1", Layout::FloatQds, TimeTag::None, 5, Category::Monitor, measured},
    {14, "M_ME_TC_1", Layout::FloatQds, TimeTag::Cp24, 8, Category::Monitor, measured},
    {15, "M_IT_NA_1", Layout::Bcr, TimeTag::None, 5, Category::Monitor, counters},
    {16, "M_IT_TA_1", Layout::Bcr, TimeTag::Cp24, 8, Category::Monitor, counters},
    {17, "M_EP_TA_1", Layout::SepCp16, TimeTag::Cp24, 6, Category::Monitor, protection},
    {18, "M_EP_TB_1", Layout::SpeQdpCp16, TimeTag::Cp24, 7, Category::Monitor, protection},
    {19, "M_EP_TC_1", Layout::OciQdpCp16, TimeTag::Cp24, 7, Category::Monitor, protection},
    {20, "M_PS_NA_1", Layout::ScdQds, TimeTag::None, 5, Category::Monitor, status},
    {21, "M_ME_ND_1", Layout::Nva, TimeTag::None, 2, Category::Monitor, measured},
    {30, "M_SP_TB_1", Layout::Siq, TimeTag::Cp56, 8, Category::Monitor, status},
    {31, "M_DP_TB_1", Layout::Diq, TimeTag::Cp56, 8, Category::Monitor, status},
    {32, "M_ST_TB_1", Layout::VtiQds, TimeTag::Cp56, 9, Category::Monitor, status},
    {33, "M_BO_TB_1", Layout::BsiQds, TimeTag::Cp56, 12, Category::Monitor, bitstring},
    {34, "M_ME_TD_1", Layout::NvaQds, TimeTag::Cp56, 10, Category::Monitor, measured},
    {35, "M_ME_TE_1", Layout::SvaQds, TimeTag::Cp56, 10, Category::Monitor, measured},
    {36, "M_ME_TF_1", Layout::FloatQds, TimeTag::Cp56, 12, Category::Monitor, measured},
    {37, "M_IT_TB_1", Layout::Bcr, TimeTag::Cp56, 12, Category::Monitor, counters},
    {38, "M_EP_TD_1", Layout::SepCp16, TimeTag::Cp56, 10, Category::Monitor, protection},
    {39, "M_EP_TE_1", Layout::SpeQdpCp16, TimeTag::Cp56, 11, Category::Monitor, protection},
    {40, "M_EP_TF_1", Layout::OciQdpCp16, TimeTag::Cp56, 11, Category::Monitor, protection},
    {45, "C_SC_NA_1", Layout::Sco, TimeTag::None, 1, Category::Control, command},
    {46, "C_DC_NA_1", Layout::Dco, TimeTag::None, 1, Category::Control, command},
    {47, "C_RC_NA_1", Layout::Rco, TimeTag::None, 1, Category::Control, command},
    {48, "C_SE_NA_1", Layout::NvaQos, TimeTag::None, 3, Category::Control, command},
    {49, "C_SE_NB_1", Layout::SvaQos, TimeTag::None, 3, Category::Control, command},
    {50, "C_SE_NC_1", Layout::FloatQos, TimeTag::None, 5, Category::Control, command},
    {51, "C_BO_NA_1", Layout::Bsi, TimeTag::None, 4, Category::Control, command},
    {58, "C_SC_TA_1", Layout::Sco, TimeTag::Cp56, 8, Category::Control, command},
    {59, "C_DC_TA_1", Layout::Dco, TimeTag::Cp56, 8, Category::Control, command},
    {60, "C_RC_TA_1", Layout::Rco, TimeTag::Cp56, 8, Category::Control, command},
    {61, "C_SE_TA_1", Layout::NvaQos, TimeTag::Cp56, 10, Category::Control, command},
    {62, "C_SE_TB_1", Layout::SvaQos, TimeTag::Cp56, 10, Category::Control, command},
    {63, "C_SE_TC_1", Layout::FloatQos, TimeTag::Cp56, 12, Category::Control, command},
    {64, "C_BO_TA_1", Layout::Bsi, TimeTag::Cp56, 11, Category::Control, command},
    {70, "M_EI_NA_1", Layout::Coi, TimeTag::None, 1, Category::System, bits({4})},
    {100, "C_IC_NA_1", Layout::Qoi, TimeTag::None, 1, Category::System, command},
    {101, "C_CI_NA_1", Layout::Qcc, TimeTag::None, 1, Category::System, command},
    {102, "C_RD_NA_1", Layout::Empty, TimeTag::None, 0, Category::System, bits({5}) | negative},
    {103, "C_CS_NA_1", Layout::Cp56, TimeTag::None, 7, Category::System, bits({3}) | act_con},
    {104, "C_TS_NA_1", Layout::Fbp, TimeTag::None, 2, Category::System, act_con},
    {105, "C_RP_NA_1", Layout::Qrp, TimeTag::None, 1, Category::System, act_con},
    {106, "C_CD_NA_1", Layout::Cp16, TimeTag::None, 2, Category::System, bits({3}) | act_con},
    {107, "C_TS_TA_1", Layout::TscCp56, TimeTag::Cp56, 9, Category::System, act_con},
    {110, "P_ME_NA_1", Layout::NvaQpm, TimeTag::None, 3, Category::Parameter, act_con | interrogated},
    {111, "P_ME_NB_1", Layout::SvaQpm, TimeTag::None, 3, Category::Parameter, act_con | interrogated},
    {112, "P_ME_NC_1", Layout::FloatQpm, TimeTag::None, 5, Category::Parameter, act_con | interrogated},
    {113, "P_AC_NA_1", Layout::Qpa, TimeTag::None, 1, Category::Parameter, range(6, 9) | negative},
    {120, "F_FR_NA_1", Layout::FileReady, TimeTag::None, 6, Category::File, file},
    {121, "F_SR_NA_1", Layout::SectionReady, TimeTag::None, 7, Category::File, file},
    {122, "F_SC_NA_1", Layout::CallFile, TimeTag::None, 4, Category::File, file},
    {123, "F_LS_NA_1", Layout::LastSection, TimeTag::None, 5, Category::File, file},
    {124, "F_AF_NA_1", Layout::AckFile, TimeTag::None, 4, Category::File, file},
    {125, "F_SG_NA_1", Layout::Segment, TimeTag::None, 4, Category::File, file},
    {126, "F_DR_TA_1", Layout::Directory, TimeTag::Cp56, 13, Category::File, file},
    {127, "F_SC_NB_1", Layout::QueryLog, TimeTag::Cp56, 16, Category::File, file},
}};

constexpr std::array<int16_t, 256> make_index() noexcept
{
    std::array<int16_t, 256> idx{};
    idx.fill(-1);
    for (size_t i = 0; i < types.size(); ++i)
        idx[types[i].id] = static_cast<int16_t>(i);
    return idx;
}
constexpr std::array<int16_t, 256> type_index = make_index();

}  // namespace detail

// The standard type ids we parse, in id order.
constexpr std::span<const TypeInfo> standard_types() noexcept
{
    return detail::types;
}

// nullptr for a reserved or private type id.
constexpr const TypeInfo* type_info(uint8_t id) noexcept
{
    const int16_t i = detail::type_index[id];
    return i < 0 ? nullptr : &detail::types[static_cast<size_t>(i)];
}

constexpr std::string_view type_name(uint8_t id) noexcept
{
    const TypeInfo* t = type_info(id);
    return t != nullptr ? t->name : "unknown";
}

// COT 0 is never allowed; the private range 48-63 always is (its meaning is the operator's).
constexpr bool cot_allowed(const TypeInfo& t, uint8_t c) noexcept
{
    if (c == 0 || c > 63) return false;
    if (c >= cot::private_first) return true;
    return (t.cots & (uint64_t{1} << c)) != 0;
}

// Which optional fields a Pdu carries (bit set), so absent and zero are told apart.
enum class Has : uint32_t {
    Asdu = 1u << 0,        // an ASDU header was read (I-format)
    Originator = 1u << 1,  // COT field of 2 octets
    FirstIoa = 1u << 2,    // at least one whole information object
    Command = 1u << 3,     // SCO/DCO/RCO of the first object: command_state, select, qu
    Qos = 1u << 4,         // set-point qualifier of the first object
    Qoi = 1u << 5,
    Qcc = 1u << 6,
    Qrp = 1u << 7,
    Coi = 1u << 8,
    Qpm = 1u << 9,
    Qpa = 1u << 10,
};

struct Pdu {
    // APCI
    ApciType apci = ApciType::I;
    uint8_t length = 0;     // APDU length field
    uint8_t control1 = 0;   // control octet 1 as on the wire (U-format: the function bits)
    uint16_t send_seq = 0;  // N(S), I-format
    uint16_t recv_seq = 0;  // N(R), I- and S-format

    // ASDU header (Has::Asdu)
    AsduConfig config{};
    uint8_t type_id = 0;
    uint8_t vsq = 0;        // SQ bit + number of objects
    uint8_t cot_octet = 0;  // T bit, P/N bit, cause
    uint8_t originator = 0;
    uint16_t common_address = 0;

    // Information objects: `objects` holds the whole objects that fit, `object_count` of them;
    // the first one's interesting elements are copied for the rules.
    std::span<const uint8_t> asdu;     // the whole ASDU (header included)
    std::span<const uint8_t> objects;  // whole objects only
    uint8_t object_count = 0;
    uint32_t first_ioa = 0;
    // Object 1's command or qualifier octet, as on the wire: SCO/DCO/RCO (Has::Command), QOS,
    // QOI, QCC, QRP, COI, QPM or QPA (the Has bit says which).
    uint8_t first_octet = 0;

    uint32_t has_mask = 0;
    uint32_t anomalies = 0;  // bit (code - 1) per Anomaly found in a framed APDU
    uint64_t pcap_cnt = 0;

    [[nodiscard]] bool has(Has h) const noexcept { return (has_mask & static_cast<uint32_t>(h)) != 0; }
    void set(Has h) noexcept { has_mask |= static_cast<uint32_t>(h); }

    [[nodiscard]] uint8_t num_objects() const noexcept { return vsq & 0x7F; }
    [[nodiscard]] bool sq() const noexcept { return (vsq & 0x80) != 0; }
    [[nodiscard]] uint8_t cause() const noexcept { return cot_octet & 0x3F; }
    [[nodiscard]] bool negative() const noexcept { return (cot_octet & 0x40) != 0; }
    [[nodiscard]] bool test() const noexcept { return (cot_octet & 0x80) != 0; }
    [[nodiscard]] uint8_t u_function() const noexcept { return control1 & 0xFC; }
};

}  // namespace otsentry::iec104
