#include "dissectors/modbus/modbus_parser.h"

#include <algorithm>

#include "dissectors/common/byte_reader.h"

namespace otsentry::modbus {

namespace {

using dissect::ByteReader;

void flag(Pdu& p, Anomaly a) noexcept
{
    p.anomalies |= anomaly_bit(a);
}

// Reads a 16-bit field; it is marked present only when the bytes were there.
uint16_t read16(ByteReader& r, Pdu& p, uint16_t& field, Has h) noexcept
{
    const auto v = r.read_be<uint16_t>();
    if (r.ok()) {
        field = v;
        p.set(h);
    }
    return v;
}

uint8_t read8(ByteReader& r, Pdu& p, uint8_t& field, Has h) noexcept
{
    const auto v = r.read_u8();
    if (r.ok()) {
        field = v;
        p.set(h);
    }
    return v;
}

// App §6.1-6.17: quantity within 1..max, and the range must not run past address 65535.
constexpr bool range_ok(uint16_t address, uint16_t quantity, uint16_t max) noexcept
{
    return quantity != 0 && quantity <= max && uint32_t{address} + quantity <= 0x10000u;
}

// Reads a starting address and quantity; returns whether the quantity is within the spec.
bool read_address_quantity(ByteReader& r, Pdu& p, uint16_t max) noexcept
{
    read16(r, p, p.address, Has::Address);
    read16(r, p, p.quantity, Has::Quantity);
    if (!r.ok()) return false;
    if (range_ok(p.address, p.quantity, max)) return true;
    flag(p, Anomaly::InvalidQuantity);
    return false;
}

void pass_through(ByteReader& r, Pdu& p) noexcept
{
    p.data = r.rest();
    p.set(Has::Data);
    r.skip(p.data.size());
}

// A one-byte byte count followed by that many bytes. A count that disagrees with the bytes
// present is flagged; the bytes present (up to the count) are kept and the rest skipped.
std::span<const uint8_t> read_counted(ByteReader& r, Pdu& p) noexcept
{
    const uint8_t bc = r.read_u8();
    if (!r.ok()) return {};
    p.byte_count = bc;
    p.set(Has::ByteCount);
    const size_t avail = r.remaining();
    if (bc != avail) flag(p, Anomaly::ByteCountMismatch);
    auto bytes = r.read_bytes(std::min<size_t>(bc, avail));
    r.skip(r.remaining());
    return bytes;
}

// Coil or register values behind a byte count. `quantity` (0 when the PDU has none) bounds the
// number of values and gives the byte count the spec expects.
void read_values(ByteReader& r, Pdu& p, ValueKind kind, uint16_t quantity, bool quantity_valid) noexcept
{
    p.values = read_counted(r, p);
    if (!p.has(Has::ByteCount)) return;
    p.value_kind = kind;
    if (kind == ValueKind::Bits) {
        const size_t bits = p.values.size() * 8;
        p.value_count = static_cast<uint16_t>(quantity != 0 ? std::min<size_t>(quantity, bits) : bits);
        if (quantity_valid && p.byte_count != (quantity + 7u) / 8u) flag(p, Anomaly::ByteCountMismatch);
    } else {
        const size_t regs = p.values.size() / 2;
        p.value_count = static_cast<uint16_t>(quantity != 0 ? std::min<size_t>(quantity, regs) : regs);
        if (p.byte_count % 2 != 0 || (quantity_valid && p.byte_count != quantity * 2u))
            flag(p, Anomaly::ByteCountMismatch);
    }
}

void check_file_reference(Pdu& p, uint8_t ref, uint16_t file, uint16_t record) noexcept
{
    if (ref != file_reference_type || file == 0 || record > max_file_record_number)
        flag(p, Anomaly::InvalidValue);
}

// App §6.14 request: sub-requests of reference type, file number, record number, record length.
void read_file_read_request(ByteReader& r, Pdu& p) noexcept
{
    const auto region = read_counted(r, p);
    if (!p.has(Has::ByteCount)) return;
    constexpr size_t sub_len = 7;
    if (p.byte_count < 0x07 || p.byte_count > 0xF5 || p.byte_count % sub_len != 0)
        flag(p, Anomaly::ByteCountMismatch);
    ByteReader s{region};
    size_t count = 0;
    while (s.has(sub_len)) {
        const auto ref = s.read_u8();
        const auto file = s.read_be<uint16_t>();
        const auto record = s.read_be<uint16_t>();
        s.skip(2);  // record length
        check_file_reference(p, ref, file, record);
        ++count;
    }
    p.items = region.first(count * sub_len);
    p.item_kind = ItemKind::FileReadRequest;
    p.item_count = static_cast<uint8_t>(count);
}

// App §6.14 response: sub-responses of length, reference type, record data.
void read_file_read_response(ByteReader& r, Pdu& p) noexcept
{
    const auto region = read_counted(r, p);
    if (!p.has(Has::ByteCount)) return;
    if (p.byte_count < 0x07 || p.byte_count > 0xF5) flag(p, Anomaly::ByteCountMismatch);
    ByteReader s{region};
    size_t count = 0;
    size_t end = 0;
    while (!s.empty()) {
        const auto len = s.read_u8();
        if (len == 0 || !s.has(len)) {
            flag(p, Anomaly::MalformedPdu);
            break;
        }
        const auto ref = s.read_u8();
        s.skip(len - 1u);
        if (ref != file_reference_type || (len - 1u) % 2 != 0) flag(p, Anomaly::InvalidValue);
        end = s.offset();
        ++count;
    }
    p.items = region.first(end);
    p.item_kind = ItemKind::FileReadResponse;
    p.item_count = static_cast<uint8_t>(count);
}

// App §6.15, request and (echoed) response: reference type, file, record, length, record data.
void read_file_write(ByteReader& r, Pdu& p) noexcept
{
    const auto region = read_counted(r, p);
    if (!p.has(Has::ByteCount)) return;
    if (p.byte_count < 0x09 || p.byte_count > 0xFB) flag(p, Anomaly::ByteCountMismatch);
    ByteReader s{region};
    size_t count = 0;
    size_t end = 0;
    while (!s.empty()) {
        if (!s.has(7)) {
            flag(p, Anomaly::MalformedPdu);
            break;
        }
        const auto ref = s.read_u8();
        const auto file = s.read_be<uint16_t>();
        const auto record = s.read_be<uint16_t>();
        const auto len = s.read_be<uint16_t>();
        if (!s.has(size_t{len} * 2)) {
            flag(p, Anomaly::MalformedPdu);
            break;
        }
        s.skip(size_t{len} * 2);
        check_file_reference(p, ref, file, record);
        end = s.offset();
        ++count;
    }
    p.items = region.first(end);
    p.item_kind = ItemKind::FileWrite;
    p.item_count = static_cast<uint8_t>(count);
}

void read_mei_request(ByteReader& r, Pdu& p) noexcept
{
    const auto mei = read8(r, p, p.mei_type, Has::MeiType);
    if (!r.ok()) return;
    if (mei == to_underlying(MeiType::ReadDeviceIdentification)) {
        const auto code = read8(r, p, p.read_dev_id_code, Has::ReadDevIdCode);
        read8(r, p, p.object_id, Has::ObjectId);
        if (r.ok() && (code < 1 || code > 4)) flag(p, Anomaly::InvalidValue);
    } else {
        if (mei != to_underlying(MeiType::CanopenGeneralReference)) flag(p, Anomaly::ReservedFunction);
        pass_through(r, p);
    }
}

// App §6.21 response: header, then objects of id, length, value.
void read_device_id_response(ByteReader& r, Pdu& p) noexcept
{
    const auto code = read8(r, p, p.read_dev_id_code, Has::ReadDevIdCode);
    const auto level = read8(r, p, p.conformity_level, Has::ConformityLevel);
    const auto more = read8(r, p, p.more_follows, Has::MoreFollows);
    read8(r, p, p.next_object_id, Has::NextObjectId);
    read8(r, p, p.object_count, Has::ObjectCount);
    if (!r.ok()) return;
    const bool level_ok = (level >= 0x01 && level <= 0x03) || (level >= 0x81 && level <= 0x83);
    if (code < 1 || code > 4 || !level_ok || (more != 0x00 && more != 0xFF)) flag(p, Anomaly::InvalidValue);
    const auto region = r.rest();
    ByteReader s{region};
    size_t count = 0;
    size_t end = 0;
    while (!s.empty()) {
        s.skip(1);  // object id
        const auto len = s.read_u8();
        if (!s.ok() || !s.has(len)) {
            flag(p, Anomaly::MalformedPdu);
            break;
        }
        s.skip(len);
        end = s.offset();
        ++count;
    }
    r.skip(region.size());
    p.items = region.first(end);
    p.item_kind = ItemKind::DeviceObjects;
    p.item_count = static_cast<uint8_t>(count);
    if (count != p.object_count) flag(p, Anomaly::ByteCountMismatch);
}

void read_mei_response(ByteReader& r, Pdu& p) noexcept
{
    const auto mei = read8(r, p, p.mei_type, Has::MeiType);
    if (!r.ok()) return;
    if (mei == to_underlying(MeiType::ReadDeviceIdentification)) {
        read_device_id_response(r, p);
    } else {
        if (mei != to_underlying(MeiType::CanopenGeneralReference)) flag(p, Anomaly::ReservedFunction);
        pass_through(r, p);
    }
}

void check_function_class(Pdu& p, uint8_t fc) noexcept
{
    switch (classify_function(fc)) {
        case FunctionClass::Reserved:
            flag(p, Anomaly::ReservedFunction);
            break;
        case FunctionClass::Unknown:
            flag(p, Anomaly::UnknownFunction);
            break;
        case FunctionClass::Public:
        case FunctionClass::UserDefined:
            break;
    }
}

void read_write_single(ByteReader& r, Pdu& p) noexcept
{
    read16(r, p, p.address, Has::Address);
    const auto v = read16(r, p, p.value, Has::Value);
    // App §6.5: a coil is written with 0xFF00 (on) or 0x0000 (off), nothing else.
    if (r.ok() && p.function_code == to_underlying(FunctionCode::WriteSingleCoil) && v != 0 && v != coil_on)
        flag(p, Anomaly::InvalidValue);
}

void read_mask_write(ByteReader& r, Pdu& p) noexcept
{
    read16(r, p, p.address, Has::Address);
    read16(r, p, p.and_mask, Has::AndMask);
    read16(r, p, p.or_mask, Has::OrMask);
}

void read_diagnostics(ByteReader& r, Pdu& p) noexcept
{
    read16(r, p, p.subfunction, Has::SubFunction);
    if (r.ok()) pass_through(r, p);
}

void parse_request(ByteReader& r, Pdu& p) noexcept
{
    switch (p.function_code) {
        case to_underlying(FunctionCode::ReadCoils):
        case to_underlying(FunctionCode::ReadDiscreteInputs):
            read_address_quantity(r, p, max_read_bits);
            break;
        case to_underlying(FunctionCode::ReadHoldingRegisters):
        case to_underlying(FunctionCode::ReadInputRegisters):
            read_address_quantity(r, p, max_read_registers);
            break;
        case to_underlying(FunctionCode::WriteSingleCoil):
        case to_underlying(FunctionCode::WriteSingleRegister):
            read_write_single(r, p);
            break;
        case to_underlying(FunctionCode::ReadExceptionStatus):
        case to_underlying(FunctionCode::GetCommEventCounter):
        case to_underlying(FunctionCode::GetCommEventLog):
        case to_underlying(FunctionCode::ReportServerId):
            break;  // no fields
        case to_underlying(FunctionCode::Diagnostics):
            read_diagnostics(r, p);
            break;
        case to_underlying(FunctionCode::WriteMultipleCoils): {
            const bool valid = read_address_quantity(r, p, max_write_bits);
            if (r.ok()) read_values(r, p, ValueKind::Bits, p.quantity, valid);
            break;
        }
        case to_underlying(FunctionCode::WriteMultipleRegisters): {
            const bool valid = read_address_quantity(r, p, max_write_registers);
            if (r.ok()) read_values(r, p, ValueKind::Registers, p.quantity, valid);
            break;
        }
        case to_underlying(FunctionCode::ReadFileRecord):
            read_file_read_request(r, p);
            break;
        case to_underlying(FunctionCode::WriteFileRecord):
            read_file_write(r, p);
            break;
        case to_underlying(FunctionCode::MaskWriteRegister):
            read_mask_write(r, p);
            break;
        case to_underlying(FunctionCode::ReadWriteMultipleRegisters): {
            read_address_quantity(r, p, max_read_registers);
            read16(r, p, p.write_address, Has::WriteAddress);
            read16(r, p, p.write_quantity, Has::WriteQuantity);
            if (!r.ok()) break;
            const bool write_ok = range_ok(p.write_address, p.write_quantity, max_rw_write_registers);
            if (!write_ok) flag(p, Anomaly::InvalidQuantity);
            read_values(r, p, ValueKind::Registers, p.write_quantity, write_ok);
            break;
        }
        case to_underlying(FunctionCode::ReadFifoQueue):
            read16(r, p, p.address, Has::Address);
            break;
        case to_underlying(FunctionCode::EncapsulatedInterface):
            read_mei_request(r, p);
            break;
        default:
            check_function_class(p, p.function_code);
            pass_through(r, p);
            break;
    }
}

void parse_response(ByteReader& r, Pdu& p) noexcept
{
    switch (p.function_code) {
        case to_underlying(FunctionCode::ReadCoils):
        case to_underlying(FunctionCode::ReadDiscreteInputs):
            read_values(r, p, ValueKind::Bits, 0, false);
            break;
        case to_underlying(FunctionCode::ReadHoldingRegisters):
        case to_underlying(FunctionCode::ReadInputRegisters):
        case to_underlying(FunctionCode::ReadWriteMultipleRegisters):
            read_values(r, p, ValueKind::Registers, 0, false);
            break;
        case to_underlying(FunctionCode::WriteSingleCoil):
        case to_underlying(FunctionCode::WriteSingleRegister):
            read_write_single(r, p);
            break;
        case to_underlying(FunctionCode::ReadExceptionStatus): {
            uint8_t out = 0;
            read8(r, p, out, Has::Value);
            p.value = out;
            break;
        }
        case to_underlying(FunctionCode::Diagnostics):
            read_diagnostics(r, p);
            break;
        case to_underlying(FunctionCode::GetCommEventCounter):
            read16(r, p, p.status, Has::Status);
            read16(r, p, p.event_count, Has::EventCount);
            break;
        case to_underlying(FunctionCode::GetCommEventLog): {
            // App §6.10: byte count covers status, event count, message count and the events.
            const auto bytes = read_counted(r, p);
            if (!p.has(Has::ByteCount)) break;
            ByteReader s{bytes};
            read16(s, p, p.status, Has::Status);
            read16(s, p, p.event_count, Has::EventCount);
            read16(s, p, p.message_count, Has::MessageCount);
            if (!s.ok()) {
                flag(p, Anomaly::MalformedPdu);
                break;
            }
            pass_through(s, p);
            break;
        }
        case to_underlying(FunctionCode::WriteMultipleCoils):
            read_address_quantity(r, p, max_write_bits);
            break;
        case to_underlying(FunctionCode::WriteMultipleRegisters):
            read_address_quantity(r, p, max_write_registers);
            break;
        case to_underlying(FunctionCode::ReportServerId):
            // App §6.13: server id and run indicator are device specific; keep the bytes.
            p.data = read_counted(r, p);
            if (p.has(Has::ByteCount)) p.set(Has::Data);
            break;
        case to_underlying(FunctionCode::ReadFileRecord):
            read_file_read_response(r, p);
            break;
        case to_underlying(FunctionCode::WriteFileRecord):
            read_file_write(r, p);
            break;
        case to_underlying(FunctionCode::MaskWriteRegister):
            read_mask_write(r, p);
            break;
        case to_underlying(FunctionCode::ReadFifoQueue): {
            // App §6.18: a two-byte byte count, then the FIFO count and that many registers.
            read16(r, p, p.byte_count, Has::ByteCount);
            read16(r, p, p.fifo_count, Has::FifoCount);
            if (!r.ok()) break;
            if (p.fifo_count > max_fifo_count) flag(p, Anomaly::InvalidQuantity);
            const size_t avail = r.remaining();
            if (p.byte_count != 2u + 2u * p.fifo_count || avail != 2u * p.fifo_count)
                flag(p, Anomaly::ByteCountMismatch);
            p.values = r.read_bytes(std::min<size_t>(avail, 2u * p.fifo_count) & ~size_t{1});
            r.skip(r.remaining());
            p.value_kind = ValueKind::Registers;
            p.value_count = static_cast<uint16_t>(p.values.size() / 2);
            break;
        }
        case to_underlying(FunctionCode::EncapsulatedInterface):
            read_mei_response(r, p);
            break;
        default:
            check_function_class(p, p.function_code);
            pass_through(r, p);
            break;
    }
}

void parse_exception(ByteReader& r, Pdu& p) noexcept
{
    // App §7: function code | 0x80, then one exception code.
    flag(p, Anomaly::Exception);
    check_function_class(p, p.function());
    const auto code = read8(r, p, p.exception_code, Has::ExceptionCode);
    if (r.ok() && !is_known_exception(code)) flag(p, Anomaly::InvalidValue);
}

}  // namespace

ParseResult parse_pdu(std::span<const uint8_t> in, Direction dir, Pdu& out) noexcept
{
    if (in.size() < mbap_header_len) return ParseResult::need_more(mbap_header_len - in.size());
    out = Pdu{};
    out.dir = dir;
    ByteReader r{in};
    r.read_be(out.transaction_id);
    r.read_be(out.protocol_id);
    r.read_be(out.length);
    out.unit_id = r.read_u8();
    if (out.protocol_id != 0) return ParseResult::not_this_protocol();
    if (out.length < min_length_field || out.length > max_framed_length_field)
        return ParseResult::anomaly(Anomaly::BadLength);
    const size_t adu_len = out.adu_len();
    if (in.size() < adu_len) return ParseResult::need_more(adu_len - in.size());

    // The PDU is exactly what the length field frames (length counts the unit id).
    ByteReader pdu{in.subspan(mbap_header_len, out.length - 1u)};
    out.function_code = pdu.read_u8();
    out.body = pdu.rest();
    if (out.is_exception())
        parse_exception(pdu, out);
    else if (dir == Direction::ToServer)
        parse_request(pdu, out);
    else
        parse_response(pdu, out);
    // Fields that ran past the PDU, or bytes left after the last field.
    if (!pdu.ok() || !pdu.empty()) flag(out, Anomaly::MalformedPdu);
    if (out.length > max_length_field) flag(out, Anomaly::BadLength);
    return ParseResult::ok(adu_len);
}

bool plausible_header(std::span<const uint8_t> in, Direction dir) noexcept
{
    if (in.size() < min_probe_len) return false;
    ByteReader r{in};
    r.skip(2);  // transaction id
    const auto protocol_id = r.read_be<uint16_t>();
    const auto length = r.read_be<uint16_t>();
    r.skip(1);  // unit id
    const auto fc = r.read_u8();
    if (protocol_id != 0 || length < min_length_field || length > max_length_field) return false;
    const bool exception = (fc & exception_bit) != 0;
    if (exception && dir == Direction::ToServer) return false;
    // An exception response is the function code, the exception bit and one code byte.
    if (exception && length != 3) return false;
    const auto base = static_cast<uint8_t>(fc & ~exception_bit);
    return base != 0 && classify_function(base) != FunctionClass::Unknown;
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction dir) noexcept
{
    // Reject as soon as the bytes present disprove the header, so a non-Modbus flow is not
    // held back waiting for a full header.
    if (data.size() >= 4 && (data[2] != 0 || data[3] != 0)) return dissect::ProbeResult::NoMatch;
    if (data.size() < min_probe_len) return dissect::ProbeResult::NeedMore;
    return plausible_header(data, dir) ? dissect::ProbeResult::Match : dissect::ProbeResult::NoMatch;
}

}  // namespace otsentry::modbus
