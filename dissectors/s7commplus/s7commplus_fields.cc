// The fields the rules may use (`s7commplus.*`); the same table gives the keys of each EVE PDU
// object and the field list in README.md.
#include "dissectors/s7commplus/s7commplus_session.h"

#include "dissectors/common/field_catalog.h"

namespace otsentry::s7commplus {

namespace {

using dissect::FieldSpec;
using dissect::FieldType;
using dissect::FieldValue;

template <Has H, auto Member>
constexpr FieldValue opt(const Pdu& p) noexcept
{
    return p.has(H) ? FieldValue::of(p.*Member) : FieldValue::none();
}

constexpr FieldSpec<Pdu> field_table[] = {
    {"s7commplus.version", "version", FieldType::U8,
     "protocol version: 1, 2, 3 (integrity digest), 0xFE keep-alive",
     [](const Pdu& p) { return FieldValue::of(p.version); }},
    {"s7commplus.data_length", "", FieldType::U16, "data length from the header",
     [](const Pdu& p) { return FieldValue::of(p.data_length); }},
    {"s7commplus.opcode", "opcode", FieldType::U8,
     "0x31 request, 0x32 response, 0x33 notification, 0x02 response2", opt<Has::Opcode, &Pdu::opcode>},
    {"s7commplus.opcode_name", "opcode_name", FieldType::Name, "opcode name",
     [](const Pdu& p) {
         return p.has(Has::Opcode) ? FieldValue::of_str(opcode_name(p.opcode)) : FieldValue::none();
     }},
    {"s7commplus.function", "function_code", FieldType::U16,
     "function (0x04CA create object, 0x0542 set multi ...)", opt<Has::Function, &Pdu::function>},
    {"s7commplus.function_name", "function_name", FieldType::Name, "function name, e.g. set_multi_variables",
     [](const Pdu& p) {
         return p.has(Has::Function) ? FieldValue::of_str(function_name(p.function)) : FieldValue::none();
     }},
    {"s7commplus.sequence", "sequence", FieldType::U16, "sequence number pairing a response with its request",
     opt<Has::Sequence, &Pdu::sequence>},
    {"s7commplus.session_id", "session_id", FieldType::U32, "session id of a request",
     opt<Has::Session, &Pdu::session_id>},
    {"s7commplus.transport_flags", "transport_flags", FieldType::U8, "transport flags octet",
     opt<Has::TransportFlags, &Pdu::transport_flags>},
    {"s7commplus.integrity", "", FieldType::U8,
     "1 when the header carries a 32-octet integrity digest (v3; EVE: integrity)",
     [](const Pdu& p) { return p.integrity() ? FieldValue::of(1) : FieldValue::none(); }},
};

}  // namespace

std::span<const FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{Protocol::S7commPlus, field_table};
    return erased.table();
}

}  // namespace otsentry::s7commplus
