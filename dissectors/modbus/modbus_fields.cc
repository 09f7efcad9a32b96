// The Modbus fields the rules may use. The same table gives the scalar keys of each EVE PDU
// object (DESIGN.md's output contract: transaction_id, unit_id, function_code, exception_code,
// address, quantity) and the field list in README.md.
#include "dissectors/modbus/modbus_session.h"

#include <algorithm>
#include <array>

#include "dissectors/common/field_catalog.h"

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

// The coils/registers a PDU reads or writes, as at most two runs of consecutive addresses: FC 23
// writes one run and reads another. A read response carries values but no address (its
// request has it); a read request carries addresses but no values.
struct RegisterRun {
    bool has_address = false;
    uint16_t base = 0;
    size_t count = 0;
    bool has_values = false;  // values[0..] belong to this run
};
constexpr size_t max_register_elements = 2000;  // the largest quantity the spec allows (FC 1/2)

size_t register_runs(const Pdu& p, std::array<RegisterRun, 2>& out) noexcept
{
    if (p.has(Has::ExceptionCode)) return 0;
    const bool values = p.value_kind != ValueKind::None;
    if (p.has(Has::WriteAddress)) {  // FC 23 request: the write run carries the values
        out[0] = {true, p.write_address, p.write_quantity, values};
        out[1] = {true, p.address, p.has(Has::Quantity) ? p.quantity : size_t{0}, false};
        return 2;
    }
    if (p.has(Has::Address) && p.has(Has::Value)) {  // FC 5, 6 (and their echoes)
        out[0] = {true, p.address, 1, false};
        return 1;
    }
    if (p.has(Has::Address)) {
        const size_t n = p.has(Has::Quantity) ? p.quantity : (values ? p.value_count : size_t{1});
        out[0] = {true, p.address, n, values};
        return 1;
    }
    if (values) {
        out[0] = {false, 0, p.value_count, true};
        return 1;
    }
    return 0;
}

size_t register_count(const Pdu& p) noexcept
{
    std::array<RegisterRun, 2> runs{};
    const size_t n = register_runs(p, runs);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i)
        total += runs[i].count;
    return std::min(total, max_register_elements);
}

uint16_t value_at(const Pdu& p, size_t i) noexcept
{
    if (p.value_kind == ValueKind::Bits) return (p.values[i / 8] >> (i % 8)) & 1u;
    return static_cast<uint16_t>(p.values[2 * i] << 8 | p.values[2 * i + 1]);
}

FieldValue register_element(const Pdu& p, size_t element, bool want_address) noexcept
{
    std::array<RegisterRun, 2> runs{};
    const size_t n = register_runs(p, runs);
    if (element >= max_register_elements) return FieldValue::none();
    for (size_t r = 0; r < n; ++r) {
        const RegisterRun& run = runs[r];
        if (element >= run.count) {
            element -= run.count;
            continue;
        }
        if (want_address) {
            return run.has_address ? FieldValue::of((run.base + element) & 0xFFFFu) : FieldValue::none();
        }
        if (p.has(Has::Value) && !p.has(Has::WriteAddress)) return FieldValue::of(p.value);
        return run.has_values && element < p.value_count ? FieldValue::of(value_at(p, element))
                                                         : FieldValue::none();
    }
    return FieldValue::none();
}

// The addresses of all elements: each run is consecutive, so the range needs no walk.
bool register_address_range(const Pdu& p, uint64_t& lo, uint64_t& hi) noexcept
{
    std::array<RegisterRun, 2> runs{};
    const size_t n = register_runs(p, runs);
    lo = UINT64_MAX;
    hi = 0;
    size_t seen = 0;
    for (size_t r = 0; r < n && seen < max_register_elements; ++r) {
        const RegisterRun& run = runs[r];
        const size_t count = std::min(run.count, max_register_elements - seen);
        seen += count;
        if (!run.has_address || count == 0) continue;
        // Addresses wrap at 65535 like register_element's; a wrapping run spans everything.
        const uint64_t first = run.base;
        const uint64_t last = first + count - 1;
        if (last > 0xFFFF) {
            lo = 0;
            hi = 0xFFFF;
            continue;
        }
        lo = std::min(lo, first);
        hi = std::max(hi, last);
    }
    return true;
}

constexpr uint8_t register_list = 1;

constexpr dissect::ElementFieldSpec<Pdu> element_table[] = {
    {"modbus.register.address", register_list, FieldType::U16,
     "address of each coil/register the PDU reads or writes (absent in read responses)",
     [](const Pdu& p, size_t i) { return register_element(p, i, true); }, &register_address_range},
    {"modbus.register.value", register_list, FieldType::U16,
     "value of each coil (0/1) or register the PDU carries, at the same element as its address",
     [](const Pdu& p, size_t i) { return register_element(p, i, false); }},
};

constexpr dissect::ListSpec<Pdu> list_table[] = {{register_list, &register_count}};

}  // namespace

void write_eve_fields(dissect::JsonWriter& w, const Pdu& pdu)
{
    dissect::write_fields<field_table>(w, pdu);
}

std::span<const dissect::FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{Protocol::Modbus, field_table, element_table, list_table};
    return erased.table();
}

}  // namespace otsentry::modbus
