// The Modbus fields the rules may use. The same table gives the scalar keys of each EVE PDU
// object (DESIGN.md's output contract: transaction_id, unit_id, function_code, exception_code,
// address, quantity) and the field list in README.md.
#include "dissectors/modbus/modbus_session.h"

namespace otsentry::modbus {

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
    {"modbus.transaction_id", "transaction_id", FieldType::U16, "MBAP transaction identifier",
     [](const Pdu& p) { return FieldValue::of(p.transaction_id); }},
    {"modbus.unit", "unit_id", FieldType::U8, "MBAP unit identifier",
     [](const Pdu& p) { return FieldValue::of(p.unit_id); }},
    {"modbus.length", "", FieldType::U16, "MBAP length field (unit id + PDU)",
     [](const Pdu& p) { return FieldValue::of(p.length); }},
    {"modbus.function", "function_code", FieldType::U8, "function code without the exception bit",
     [](const Pdu& p) { return FieldValue::of(p.function()); }},
    {"modbus.function_name", "function_name", FieldType::Name, "function name, e.g. read_coils",
     [](const Pdu& p) { return FieldValue::of_str(function_name(p.function())); }},
    {"modbus.exception", "exception_code", FieldType::U8, "exception code (exception responses)",
     opt<Has::ExceptionCode, &Pdu::exception_code>},
    {"modbus.exception_name", "exception_name", FieldType::Name, "exception name",
     [](const Pdu& p) {
         return p.has(Has::ExceptionCode) ? FieldValue::of_str(exception_name(p.exception_code))
                                          : FieldValue::none();
     }},
    {"modbus.address", "address", FieldType::U16,
     "starting address (FC 23: read address; FC 24: FIFO pointer)", opt<Has::Address, &Pdu::address>},
    {"modbus.quantity", "quantity", FieldType::U16, "quantity of coils/registers (FC 23: to read)",
     opt<Has::Quantity, &Pdu::quantity>},
    {"modbus.value", "value", FieldType::U16, "value written by FC 5/6; output data of FC 7",
     opt<Has::Value, &Pdu::value>},
    {"modbus.byte_count", "byte_count", FieldType::U16, "byte count field",
     opt<Has::ByteCount, &Pdu::byte_count>},
    {"modbus.write_address", "write_address", FieldType::U16, "FC 23 write starting address",
     opt<Has::WriteAddress, &Pdu::write_address>},
    {"modbus.write_quantity", "write_quantity", FieldType::U16, "FC 23 quantity to write",
     opt<Has::WriteQuantity, &Pdu::write_quantity>},
    {"modbus.and_mask", "and_mask", FieldType::U16, "FC 22 AND mask", opt<Has::AndMask, &Pdu::and_mask>},
    {"modbus.or_mask", "or_mask", FieldType::U16, "FC 22 OR mask", opt<Has::OrMask, &Pdu::or_mask>},
    {"modbus.subfunction", "subfunction", FieldType::U16, "FC 8 diagnostics sub-function",
     opt<Has::SubFunction, &Pdu::subfunction>},
    {"modbus.subfunction_name", "subfunction_name", FieldType::Name, "diagnostics sub-function name",
     [](const Pdu& p) {
         return p.has(Has::SubFunction) ? FieldValue::of_str(diag_subfunction_name(p.subfunction))
                                        : FieldValue::none();
     }},
    {"modbus.status", "status", FieldType::U16, "FC 11/12 status word", opt<Has::Status, &Pdu::status>},
    {"modbus.event_count", "event_count", FieldType::U16, "FC 11/12 event count",
     opt<Has::EventCount, &Pdu::event_count>},
    {"modbus.message_count", "message_count", FieldType::U16, "FC 12 message count",
     opt<Has::MessageCount, &Pdu::message_count>},
    {"modbus.fifo_count", "fifo_count", FieldType::U16, "FC 24 FIFO count",
     opt<Has::FifoCount, &Pdu::fifo_count>},
    {"modbus.mei_type", "mei_type", FieldType::U8, "FC 43 MEI type (13 CANopen, 14 device id)",
     opt<Has::MeiType, &Pdu::mei_type>},
    {"modbus.read_device_id_code", "read_device_id_code", FieldType::U8, "FC 43/14 read device id code",
     opt<Has::ReadDevIdCode, &Pdu::read_dev_id_code>},
    {"modbus.object_id", "object_id", FieldType::U8, "FC 43/14 requested object id",
     opt<Has::ObjectId, &Pdu::object_id>},
    {"modbus.conformity_level", "conformity_level", FieldType::U8, "FC 43/14 conformity level",
     opt<Has::ConformityLevel, &Pdu::conformity_level>},
    {"modbus.more_follows", "more_follows", FieldType::U8, "FC 43/14 more follows (0 or 255)",
     opt<Has::MoreFollows, &Pdu::more_follows>},
    {"modbus.next_object_id", "next_object_id", FieldType::U8, "FC 43/14 next object id",
     opt<Has::NextObjectId, &Pdu::next_object_id>},
    {"modbus.object_count", "number_of_objects", FieldType::U8, "FC 43/14 number of objects",
     opt<Has::ObjectCount, &Pdu::object_count>},
    {"modbus.data", "data", FieldType::Bytes,
     "bytes passed through undecoded (diagnostics data, CANopen, server id, event log, user-defined)",
     [](const Pdu& p) { return p.has(Has::Data) ? FieldValue::of_bytes(p.data) : FieldValue::none(); }},
    {"modbus.values", "", FieldType::Bytes, "raw coil/register bytes read or written",
     [](const Pdu& p) {
         return p.value_kind != ValueKind::None ? FieldValue::of_bytes(p.values) : FieldValue::none();
     }},
    {"modbus.pdu", "", FieldType::Bytes, "the whole PDU after the function code (for content matches)",
     [](const Pdu& p) { return FieldValue::of_bytes(p.body); }},
};

}  // namespace

std::span<const dissect::FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

}  // namespace otsentry::modbus
