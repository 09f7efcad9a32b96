// The IEC 104 fields the rules may use (`iec104.*`). The same table gives the scalar keys of each
// EVE PDU object (DESIGN.md's output contract: apci_type, tx_seq/rx_seq, u_function, type_id,
// cause, common_address; `ioas` is written after the table) and the field list in README.md.
// Fields of "object 1" come from the first information object of the ASDU.
#include "dissectors/iec104/iec104_session.h"

#include "dissectors/common/field_catalog.h"

namespace otsentry::iec104 {

namespace {

using dissect::FieldSpec;
using dissect::FieldType;
using dissect::FieldValue;

template <Has H>
constexpr FieldValue first(const Pdu& p, uint8_t v) noexcept
{
    return p.has(H) ? FieldValue::of(v) : FieldValue::none();
}

FieldValue asdu_u8(const Pdu& p, uint8_t v) noexcept
{
    return p.has(Has::Asdu) ? FieldValue::of(v) : FieldValue::none();
}

uint8_t state_mask(const Pdu& p) noexcept
{
    const TypeInfo* t = type_info(p.type_id);
    return t != nullptr && t->layout == Layout::Sco ? 0x01 : 0x03;
}

// The raw command octet of object 1, for one command layout.
template <Layout L>
FieldValue command_octet(const Pdu& p) noexcept
{
    const TypeInfo* t = type_info(p.type_id);
    return p.has(Has::Command) && t != nullptr && t->layout == L ? FieldValue::of(p.first_octet)
                                                                 : FieldValue::none();
}

constexpr FieldSpec<Pdu> field_table[] = {
    {"iec104.apci_type", "apci_type", FieldType::String, "APCI format: I, S or U",
     [](const Pdu& p) { return FieldValue::of_str(apci_type_name(p.apci)); }},
    {"iec104.length", "", FieldType::U8, "APDU length field (control field + ASDU)",
     [](const Pdu& p) { return FieldValue::of(p.length); }},
    {"iec104.u_function", "u_function", FieldType::String,
     "U-format function: startdt_act, startdt_con, stopdt_act, stopdt_con, testfr_act, testfr_con, unknown",
     [](const Pdu& p) {
         return p.apci == ApciType::U ? FieldValue::of_str(u_function_name(p.u_function()))
                                      : FieldValue::none();
     }},
    {"iec104.send_seq", "tx_seq", FieldType::U16, "send sequence number N(S) (I-format)",
     [](const Pdu& p) { return p.apci == ApciType::I ? FieldValue::of(p.send_seq) : FieldValue::none(); }},
    {"iec104.recv_seq", "rx_seq", FieldType::U16, "receive sequence number N(R) (I- and S-format)",
     [](const Pdu& p) { return p.apci != ApciType::U ? FieldValue::of(p.recv_seq) : FieldValue::none(); }},
    {"iec104.type_id", "type_id", FieldType::U8, "ASDU type identification",
     [](const Pdu& p) { return asdu_u8(p, p.type_id); }},
    {"iec104.type_name", "type_name", FieldType::String,
     "type name, e.g. C_SC_NA_1 (unknown when not defined)",
     [](const Pdu& p) {
         return p.has(Has::Asdu) ? FieldValue::of_str(type_name(p.type_id)) : FieldValue::none();
     }},
    {"iec104.num_objects", "num_objects", FieldType::U8, "number of information objects announced (VSQ)",
     [](const Pdu& p) { return asdu_u8(p, p.num_objects()); }},
    {"iec104.sq", "", FieldType::U8, "SQ bit: 1 = one address, consecutive objects (EVE: boolean `sq`)",
     [](const Pdu& p) { return asdu_u8(p, p.sq() ? 1 : 0); }},
    {"iec104.cot", "cause", FieldType::U8, "cause of transmission (6 bits)",
     [](const Pdu& p) { return asdu_u8(p, p.cause()); }},
    {"iec104.cot_name", "cause_name", FieldType::String, "cause name, e.g. activation, spontaneous",
     [](const Pdu& p) {
         return p.has(Has::Asdu) ? FieldValue::of_str(cot_name(p.cause())) : FieldValue::none();
     }},
    {"iec104.negative", "", FieldType::U8, "P/N bit: 1 = negative confirmation (EVE: boolean `negative`)",
     [](const Pdu& p) { return asdu_u8(p, p.negative() ? 1 : 0); }},
    {"iec104.test", "", FieldType::U8, "T bit: 1 = test (EVE: boolean `test`)",
     [](const Pdu& p) { return asdu_u8(p, p.test() ? 1 : 0); }},
    {"iec104.originator", "originator", FieldType::U8, "originator address (second COT octet)",
     [](const Pdu& p) { return p.has(Has::Originator) ? FieldValue::of(p.originator) : FieldValue::none(); }},
    {"iec104.common_address", "common_address", FieldType::U16, "common address of the ASDU (station)",
     [](const Pdu& p) { return p.has(Has::Asdu) ? FieldValue::of(p.common_address) : FieldValue::none(); }},
    {"iec104.ioa", "", FieldType::U32, "information object address of object 1 (EVE: `ioas` lists all)",
     [](const Pdu& p) { return p.has(Has::FirstIoa) ? FieldValue::of(p.first_ioa) : FieldValue::none(); }},
    {"iec104.sco", "", FieldType::U8, "object 1's single command octet (C_SC_NA_1, C_SC_TA_1)",
     command_octet<Layout::Sco>},
    {"iec104.dco", "", FieldType::U8, "object 1's double command octet (C_DC_NA_1, C_DC_TA_1)",
     command_octet<Layout::Dco>},
    {"iec104.rco", "", FieldType::U8, "object 1's regulating step command octet (C_RC_NA_1, C_RC_TA_1)",
     command_octet<Layout::Rco>},
    {"iec104.command_state", "", FieldType::U8,
     "object 1's commanded state: SCS (0 off, 1 on), DCS (1 off, 2 on), RCS (1 lower, 2 higher)",
     [](const Pdu& p) {
         return first<Has::Command>(p, static_cast<uint8_t>(p.first_octet & state_mask(p)));
     }},
    {"iec104.select", "", FieldType::U8, "object 1's S/E bit: 1 select, 0 execute (commands and set-points)",
     [](const Pdu& p) {
         return p.has(Has::Command) || p.has(Has::Qos) ? FieldValue::of((p.first_octet >> 7) & 1u)
                                                       : FieldValue::none();
     }},
    {"iec104.qu", "", FieldType::U8,
     "object 1's command qualifier QU (0 none, 1 short, 2 long pulse, 3 persistent)",
     [](const Pdu& p) { return first<Has::Command>(p, static_cast<uint8_t>((p.first_octet >> 2) & 0x1F)); }},
    {"iec104.ql", "", FieldType::U8, "object 1's set-point qualifier QL (QOS bits 0-6)",
     [](const Pdu& p) { return first<Has::Qos>(p, static_cast<uint8_t>(p.first_octet & 0x7F)); }},
    {"iec104.qoi", "", FieldType::U8, "qualifier of interrogation (C_IC_NA_1: 20 station, 21-36 group)",
     [](const Pdu& p) { return first<Has::Qoi>(p, p.first_octet); }},
    {"iec104.qcc", "", FieldType::U8, "qualifier of counter interrogation (C_CI_NA_1)",
     [](const Pdu& p) { return first<Has::Qcc>(p, p.first_octet); }},
    {"iec104.qrp", "", FieldType::U8,
     "qualifier of reset process (C_RP_NA_1: 1 general reset, 2 reset events)",
     [](const Pdu& p) { return first<Has::Qrp>(p, p.first_octet); }},
    {"iec104.coi", "", FieldType::U8, "cause of initialization (M_EI_NA_1)",
     [](const Pdu& p) { return first<Has::Coi>(p, p.first_octet); }},
    {"iec104.qpm", "", FieldType::U8, "qualifier of parameter of measured values (P_ME_*)",
     [](const Pdu& p) { return first<Has::Qpm>(p, p.first_octet); }},
    {"iec104.qpa", "", FieldType::U8, "qualifier of parameter activation (P_AC_NA_1)",
     [](const Pdu& p) { return first<Has::Qpa>(p, p.first_octet); }},
    {"iec104.asdu", "", FieldType::Bytes, "the whole ASDU (for content matches)",
     [](const Pdu& p) { return p.apci == ApciType::I ? FieldValue::of_bytes(p.asdu) : FieldValue::none(); }},
};

constexpr uint8_t object_list = 1;

// Objects of a type we decode are walked; of an unknown type only object 1's address is known.
size_t object_count(const Pdu& p) noexcept
{
    if (!p.has(Has::Asdu)) return 0;
    if (type_info(p.type_id) == nullptr) return p.has(Has::FirstIoa) ? 1 : 0;
    return p.object_count;
}

FieldValue object_ioa(const Pdu& p, size_t i) noexcept
{
    if (i >= object_count(p)) return FieldValue::none();
    if (type_info(p.type_id) == nullptr) return FieldValue::of(p.first_ioa);
    ObjectWalker walk{p};
    ObjectWalker::Object o;
    for (size_t n = 0; walk.next(o); ++n)
        if (n == i) return FieldValue::of(o.ioa);
    return FieldValue::none();
}

constexpr dissect::ElementFieldSpec<Pdu> element_table[] = {
    {"iec104.object.ioa", object_list, FieldType::U32, "information object address of each object",
     &object_ioa},
};

constexpr dissect::ListSpec<Pdu> list_table[] = {{object_list, &object_count}};

}  // namespace

std::span<const dissect::FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{Protocol::Iec104, field_table, element_table, list_table};
    return erased.table();
}

}  // namespace otsentry::iec104
