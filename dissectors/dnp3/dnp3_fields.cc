// The DNP3 fields the rules may use. The same table gives the scalar keys of each EVE PDU object
// (DESIGN.md's output contract: src, dst, function_code, iin; objects are written after them)
// and the field list in README.md. Object fields describe the first object header; the rule
// engine's issue adds iteration over all of them.
#include "dissectors/dnp3/dnp3_session.h"

#include "dissectors/common/field_catalog.h"

namespace otsentry::dnp3 {

namespace {

using dissect::FieldSpec;
using dissect::FieldType;
using dissect::FieldValue;

constexpr FieldValue app(const Pdu& p, uint64_t v) noexcept
{
    return p.is_application() ? FieldValue::of(v) : FieldValue::none();
}

constexpr FieldValue first_object(const Pdu& p, uint8_t ObjectHeader::*member) noexcept
{
    return p.is_application() && p.object_count > 0 ? FieldValue::of(p.objects[0].*member)
                                                    : FieldValue::none();
}

constexpr FieldSpec<Pdu> field_table[] = {
    {"dnp3.src", "src", FieldType::U16, "link source address",
     [](const Pdu& p) { return FieldValue::of(p.link.src); }},
    {"dnp3.dst", "dst", FieldType::U16, "link destination address",
     [](const Pdu& p) { return FieldValue::of(p.link.dst); }},
    {"dnp3.link_function", "", FieldType::U8, "link control function code (primary or secondary)",
     [](const Pdu& p) { return FieldValue::of(p.link.function()); }},
    {"dnp3.link_dir", "", FieldType::U8, "link DIR bit (1: from the master)",
     [](const Pdu& p) { return FieldValue::of(p.link.dir() ? 1 : 0); }},
    {"dnp3.link_prm", "", FieldType::U8, "link PRM bit (1: primary frame)",
     [](const Pdu& p) { return FieldValue::of(p.link.prm() ? 1 : 0); }},
    {"dnp3.transport_seq", "", FieldType::U8, "transport sequence number of the final segment",
     [](const Pdu& p) {
         return p.kind == PduKind::Application ? FieldValue::of(p.transport & tr_seq) : FieldValue::none();
     }},
    {"dnp3.function", "function_code", FieldType::U8, "application function code",
     [](const Pdu& p) { return app(p, p.function); }},
    {"dnp3.function_name", "function_name", FieldType::String, "function name, e.g. direct_operate",
     [](const Pdu& p) {
         return p.is_application() ? FieldValue::of_str(function_name(p.function)) : FieldValue::none();
     }},
    {"dnp3.app_seq", "", FieldType::U8, "application sequence number",
     [](const Pdu& p) { return app(p, p.app_seq()); }},
    {"dnp3.fir", "", FieldType::U8, "application FIR bit",
     [](const Pdu& p) { return app(p, p.fir() ? 1 : 0); }},
    {"dnp3.fin", "", FieldType::U8, "application FIN bit",
     [](const Pdu& p) { return app(p, p.fin() ? 1 : 0); }},
    {"dnp3.con", "", FieldType::U8, "application CON bit (confirmation requested)",
     [](const Pdu& p) { return app(p, p.con() ? 1 : 0); }},
    {"dnp3.uns", "", FieldType::U8, "application UNS bit (unsolicited)",
     [](const Pdu& p) { return app(p, p.uns() ? 1 : 0); }},
    {"dnp3.iin", "iin", FieldType::U16, "internal indications (IIN1 << 8 | IIN2), responses",
     [](const Pdu& p) { return p.has_iin ? FieldValue::of(p.iin) : FieldValue::none(); }},
    {"dnp3.object_group", "", FieldType::U8, "group of the first object header",
     [](const Pdu& p) { return first_object(p, &ObjectHeader::group); }},
    {"dnp3.object_variation", "", FieldType::U8, "variation of the first object header",
     [](const Pdu& p) { return first_object(p, &ObjectHeader::variation); }},
    {"dnp3.object_qualifier", "", FieldType::U8, "qualifier of the first object header",
     [](const Pdu& p) { return first_object(p, &ObjectHeader::qualifier); }},
    {"dnp3.object_count", "", FieldType::U16, "number of object headers in the fragment",
     [](const Pdu& p) { return app(p, p.objects_total); }},
    {"dnp3.point_count", "", FieldType::U64, "objects (points) announced by all object headers",
     [](const Pdu& p) { return app(p, p.point_count); }},
    {"dnp3.crob_control_code", "", FieldType::U8, "control code of the first CROB (g12v1/v2)",
     [](const Pdu& p) { return p.has_crob ? FieldValue::of(p.crob_control_code) : FieldValue::none(); }},
    {"dnp3.data", "", FieldType::Bytes, "the application fragment after its header (for content matches)",
     [](const Pdu& p) {
         if (!p.is_application()) return FieldValue::none();
         const size_t skip = p.has_iin ? response_header_len : request_header_len;
         return FieldValue::of_bytes(p.fragment.size() > skip ? p.fragment.subspan(skip)
                                                              : std::span<const uint8_t>{});
     }},
};

constexpr uint8_t object_list = 1;

template <auto Member>
FieldValue object_member(const Pdu& p, size_t i) noexcept
{
    return p.is_application() && i < p.object_count ? FieldValue::of(p.objects[i].*Member)
                                                    : FieldValue::none();
}

constexpr dissect::ElementFieldSpec<Pdu> element_table[] = {
    {"dnp3.object.group", object_list, FieldType::U8, "group of each object header (first 32 kept)",
     &object_member<&ObjectHeader::group>},
    {"dnp3.object.variation", object_list, FieldType::U8, "variation of each object header",
     &object_member<&ObjectHeader::variation>},
    {"dnp3.object.qualifier", object_list, FieldType::U8, "qualifier of each object header",
     &object_member<&ObjectHeader::qualifier>},
    {"dnp3.object.count", object_list, FieldType::U32, "objects announced by each header's range field",
     &object_member<&ObjectHeader::count>},
};

constexpr dissect::ListSpec<Pdu> list_table[] = {
    {object_list, [](const Pdu& p) -> size_t { return p.is_application() ? p.object_count : 0; }}};

}  // namespace

std::span<const FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{Protocol::Dnp3, field_table, element_table, list_table};
    return erased.table();
}

}  // namespace otsentry::dnp3
