// TEMPLATE: the fields the rules may use (`tpl.*`); the same table gives the scalar keys of each
// EVE PDU object and the field list in README.md.
#include "dissectors/template/template_session.h"

#include "dissectors/common/field_catalog.h"

namespace otsentry::tpl {

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
    {"tpl.request_id", "request_id", FieldType::U16, "request id pairing a response with its request",
     [](const Pdu& p) { return FieldValue::of(p.request_id); }},
    {"tpl.function", "function_code", FieldType::U8, "function code without the response/error bits",
     [](const Pdu& p) { return FieldValue::of(p.function()); }},
    {"tpl.function_name", "function_name", FieldType::Name, "function name, e.g. read",
     [](const Pdu& p) { return FieldValue::of_str(function_name(p.function())); }},
    {"tpl.length", "", FieldType::U16, "body length from the header",
     [](const Pdu& p) { return FieldValue::of(p.length); }},
    {"tpl.address", "address", FieldType::U16, "first address read or written",
     opt<Has::Address, &Pdu::address>},
    {"tpl.count", "count", FieldType::U16, "number of items read", opt<Has::Count, &Pdu::count>},
    {"tpl.error_code", "error_code", FieldType::U8, "error code of an error response",
     opt<Has::ErrorCode, &Pdu::error_code>},
};

}  // namespace

std::span<const FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{protocol, field_table};
    return erased.table();
}

}  // namespace otsentry::tpl
