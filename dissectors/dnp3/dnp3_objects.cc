#include "dissectors/dnp3/dnp3_objects.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "dissectors/common/byte_reader.h"

namespace otsentry::dnp3 {

namespace {

using dissect::ByteReader;
using dissect::JsonWriter;
using VT = ValueType;

constexpr uint8_t time_len = 6;
constexpr uint8_t rel_time_len = 2;

constexpr uint8_t width(ValueType t) noexcept
{
    switch (t) {
        case VT::U8:
            return 1;
        case VT::U16:
        case VT::I16:
            return 2;
        case VT::U32:
        case VT::I32:
        case VT::F32:
            return 4;
        case VT::F64:
            return 8;
        case VT::None:
            break;
    }
    return 0;
}

constexpr Layout numeric(bool lead, ValueType v, bool time = false) noexcept
{
    Layout l{Kind::Numeric};
    l.value = v;
    l.lead_octet = lead;
    l.time = time;
    l.size = static_cast<uint8_t>((lead ? 1 : 0) + width(v) + (time ? time_len : 0));
    return l;
}

// g43: a command status octet leads.
constexpr Layout status_numeric(ValueType v, bool time = false) noexcept
{
    Layout l = numeric(true, v, time);
    l.lead_is_status = true;
    return l;
}

// g41: the status octet follows the value.
constexpr Layout numeric_status_last(ValueType v) noexcept
{
    Layout l{Kind::Numeric};
    l.value = v;
    l.status_last = true;
    l.size = static_cast<uint8_t>(width(v) + 1);
    return l;
}

constexpr Layout flags(uint8_t state_bits, bool time = false, bool rel_time = false) noexcept
{
    Layout l{Kind::Flags};
    l.bits = state_bits;
    l.time = time;
    l.rel_time = rel_time;
    l.size = static_cast<uint8_t>(1 + (time ? time_len : 0) + (rel_time ? rel_time_len : 0));
    return l;
}

constexpr Layout packed(uint8_t bits) noexcept
{
    Layout l{Kind::Packed};
    l.bits = bits;
    return l;
}

constexpr Layout fixed(Kind k, uint8_t size) noexcept
{
    Layout l{k};
    l.size = size;
    return l;
}

constexpr Layout unknown() noexcept
{
    return Layout{};
}

// g22/g23 (counter events) and the first 8 variations of g21 share one shape.
constexpr Layout counter_event(uint8_t v) noexcept
{
    switch (v) {
        case 1:
        case 3:
            return numeric(true, VT::U32);
        case 2:
        case 4:
            return numeric(true, VT::U16);
        case 5:
        case 7:
            return numeric(true, VT::U32, true);
        case 6:
        case 8:
            return numeric(true, VT::U16, true);
        default:
            return unknown();
    }
}

// g32/g33 (analog input events) and g42 (analog output events) share one shape.
constexpr Layout analog_event(uint8_t v) noexcept
{
    switch (v) {
        case 1:
            return numeric(true, VT::I32);
        case 2:
            return numeric(true, VT::I16);
        case 3:
            return numeric(true, VT::I32, true);
        case 4:
            return numeric(true, VT::I16, true);
        case 5:
            return numeric(true, VT::F32);
        case 6:
            return numeric(true, VT::F64);
        case 7:
            return numeric(true, VT::F32, true);
        case 8:
            return numeric(true, VT::F64, true);
        default:
            return unknown();
    }
}

constexpr Layout layout_table(uint8_t g, uint8_t v) noexcept
{
    switch (g) {
        case 0:  // device attributes (1815 §5.5)
            return v != 0 ? Layout{Kind::Attribute} : unknown();
        case 1:  // binary input
            if (v == 1) return packed(1);
            if (v == 2) return flags(1);
            break;
        case 2:  // binary input event
            if (v == 1) return flags(1);
            if (v == 2) return flags(1, true);
            if (v == 3) return flags(1, false, true);
            break;
        case 3:  // double-bit binary input
            if (v == 1) return packed(2);
            if (v == 2) return flags(2);
            break;
        case 4:  // double-bit binary input event
            if (v == 1) return flags(2);
            if (v == 2) return flags(2, true);
            if (v == 3) return flags(2, false, true);
            break;
        case 10:  // binary output
            if (v == 1) return packed(1);
            if (v == 2) return flags(1);
            break;
        case 11:  // binary output event
            if (v == 1) return flags(1);
            if (v == 2) return flags(1, true);
            break;
        case 12:  // binary output command: CROB, PCB, pattern mask
            if (v == 1 || v == 2) return fixed(Kind::Crob, 11);
            if (v == 3) return packed(1);
            break;
        case 13:  // binary output command event: commanded state in bit 7, status in bits 0-6
            if (v == 1) return flags(1);
            if (v == 2) return flags(1, true);
            break;
        case 20:  // counter
            switch (v) {
                case 1:
                case 3:
                    return numeric(true, VT::U32);
                case 2:
                case 4:
                    return numeric(true, VT::U16);
                case 5:
                case 7:
                    return numeric(false, VT::U32);
                case 6:
                case 8:
                    return numeric(false, VT::U16);
                default:
                    break;
            }
            break;
        case 21:  // frozen counter
            if (v >= 1 && v <= 8) return counter_event(v);
            if (v == 9 || v == 11) return numeric(false, VT::U32);
            if (v == 10 || v == 12) return numeric(false, VT::U16);
            break;
        case 22:  // counter event
        case 23:  // frozen counter event
            return counter_event(v);
        case 30:  // analog input
            switch (v) {
                case 1:
                    return numeric(true, VT::I32);
                case 2:
                    return numeric(true, VT::I16);
                case 3:
                    return numeric(false, VT::I32);
                case 4:
                    return numeric(false, VT::I16);
                case 5:
                    return numeric(true, VT::F32);
                case 6:
                    return numeric(true, VT::F64);
                default:
                    break;
            }
            break;
        case 31:  // frozen analog input
            switch (v) {
                case 1:
                    return numeric(true, VT::I32);
                case 2:
                    return numeric(true, VT::I16);
                case 3:
                    return numeric(true, VT::I32, true);
                case 4:
                    return numeric(true, VT::I16, true);
                case 5:
                    return numeric(false, VT::I32);
                case 6:
                    return numeric(false, VT::I16);
                case 7:
                    return numeric(true, VT::F32);
                case 8:
                    return numeric(true, VT::F64);
                default:
                    break;
            }
            break;
        case 32:  // analog input event
        case 33:  // frozen analog input event
        case 42:  // analog output event
            return analog_event(v);
        case 34:  // analog input reporting deadband
            if (v == 1) return numeric(false, VT::U16);
            if (v == 2) return numeric(false, VT::U32);
            if (v == 3) return numeric(false, VT::F32);
            break;
        case 40:  // analog output status
            if (v == 1) return numeric(true, VT::I32);
            if (v == 2) return numeric(true, VT::I16);
            if (v == 3) return numeric(true, VT::F32);
            if (v == 4) return numeric(true, VT::F64);
            break;
        case 41:  // analog output block (command)
            if (v == 1) return numeric_status_last(VT::I32);
            if (v == 2) return numeric_status_last(VT::I16);
            if (v == 3) return numeric_status_last(VT::F32);
            if (v == 4) return numeric_status_last(VT::F64);
            break;
        case 43:  // analog output command event
            switch (v) {
                case 1:
                    return status_numeric(VT::I32);
                case 2:
                    return status_numeric(VT::I16);
                case 3:
                    return status_numeric(VT::I32, true);
                case 4:
                    return status_numeric(VT::I16, true);
                case 5:
                    return status_numeric(VT::F32);
                case 6:
                    return status_numeric(VT::F64);
                case 7:
                    return status_numeric(VT::F32, true);
                case 8:
                    return status_numeric(VT::F64, true);
                default:
                    break;
            }
            break;
        case 50:  // time and date
            if (v == 1 || v == 3) return fixed(Kind::Time, time_len);
            if (v == 2) return fixed(Kind::TimeInterval, time_len + 4);
            if (v == 4) return fixed(Kind::TimeInterval, time_len + 4 + 1);
            break;
        case 51:  // common time of occurrence
            if (v == 1 || v == 2) return fixed(Kind::Time, time_len);
            break;
        case 52:  // time delay
            if (v == 1 || v == 2) return fixed(Kind::Delay, 2);
            break;
        case 60:  // class data
            if (v >= 1 && v <= 4) return Layout{Kind::NoData};
            break;
        case 70:  // file control (1815 §5.3): all free format
            if (v >= 1 && v <= 8) return Layout{Kind::FreeFormat};
            break;
        case 80:  // internal indications
            if (v == 1) return packed(1);
            break;
        case 83:  // data set registration / private registration object
        case 85:  // data set prototype
        case 86:  // data set descriptor
        case 87:  // data set present value
        case 88:  // data set snapshot
            if (v >= 1 && v <= 3) return Layout{Kind::FreeFormat};
            break;
        case 90:  // application identifier
            if (v == 1) return Layout{Kind::FreeFormat};
            break;
        case 101:  // binary-coded decimal integers
            if (v == 1) return fixed(Kind::Raw, 2);
            if (v == 2) return fixed(Kind::Raw, 4);
            if (v == 3) return fixed(Kind::Raw, 8);
            break;
        case 102:  // unsigned 8-bit integer
            if (v == 1) return numeric(false, VT::U8);
            break;
        case 110:  // octet string
        case 111:  // octet string event
        case 112:  // virtual terminal output block
        case 113:  // virtual terminal event data
            // Variation 0 only asks for "any length" in requests: objects of no size are not sized.
            if (v != 0) return fixed(Kind::OctetString, v);
            break;
        case 120:                                    // secure authentication (1815 clause 7)
            if (v == 3) return fixed(Kind::Raw, 6);  // aggressive mode request: CSQ, user
            if (v == 4) return fixed(Kind::Raw, 2);  // session key status request: user
            if (v >= 1 && v <= 15) return Layout{Kind::FreeFormat};
            break;
        case 121:  // security statistic: flags, association id, 32-bit value
            if (v == 1) return fixed(Kind::Raw, 7);
            break;
        case 122:  // security statistic event
            if (v == 1) return fixed(Kind::Raw, 7);
            if (v == 2) return fixed(Kind::Raw, 7 + time_len);
            break;
        default:
            break;
    }
    return unknown();
}

// Reads a little-endian unsigned value of `n` (1, 2 or 4) bytes.
uint32_t read_le(std::span<const uint8_t> b, size_t n) noexcept
{
    uint32_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = (v << 8) | (i < b.size() ? b[i] : 0u);
    return v;
}

void write_text(JsonWriter& w, std::span<const uint8_t> bytes)
{
    // Names and strings from the wire: copied to chars (never cast), escaped by the writer.
    std::array<char, 256> text{};
    const size_t n = std::min(bytes.size(), text.size());
    std::copy_n(bytes.begin(), n, text.begin());
    w.value(std::string_view{text.data(), n});
}

void write_value(JsonWriter& w, ValueType t, ByteReader& r)
{
    switch (t) {
        case VT::U8:
            w.value(r.read_u8());
            break;
        case VT::U16:
            w.value(r.read_le<uint16_t>());
            break;
        case VT::U32:
            w.value(r.read_le<uint32_t>());
            break;
        case VT::I16:
            w.value(static_cast<int64_t>(static_cast<int16_t>(r.read_le<uint16_t>())));
            break;
        case VT::I32:
            w.value(static_cast<int64_t>(static_cast<int32_t>(r.read_le<uint32_t>())));
            break;
        case VT::F32:
            w.value(static_cast<double>(std::bit_cast<float>(r.read_le<uint32_t>())));
            break;
        case VT::F64:
            w.value(std::bit_cast<double>(r.read_le<uint64_t>()));
            break;
        case VT::None:
            w.null();
            break;
    }
}

void write_time(JsonWriter& w, ByteReader& r)
{
    w.field("time", read_time48(r.read_bytes(time_len)));
}

constexpr std::string_view attribute_name(uint8_t v) noexcept
{
    switch (v) {
        case 240:
            return "max_tx_fragment_size";
        case 241:
            return "max_rx_fragment_size";
        case 242:
            return "software_version";
        case 243:
            return "hardware_version";
        case 245:
            return "location";
        case 246:
            return "device_id";
        case 247:
            return "device_name";
        case 248:
            return "serial_number";
        case 249:
            return "subset_and_conformance";
        case 250:
            return "product_name_and_model";
        case 252:
            return "manufacturer_name";
        case 254:
            return "all_attributes";
        case 255:
            return "attribute_list";
        default:
            return {};
    }
}

// g0 (1815 §5.5): data type code, length, value.
void write_attribute(JsonWriter& w, uint8_t variation, std::span<const uint8_t> data)
{
    ByteReader r{data};
    const uint8_t type = r.read_u8();
    const uint8_t len = r.read_u8();
    const auto value = r.read_bytes(std::min<size_t>(len, r.remaining()));
    if (const auto name = attribute_name(variation); !name.empty()) w.field("attribute", name);
    w.field("data_type", type);
    w.key("value");
    ByteReader v{value};
    switch (type) {
        case 1:  // VSTR
            write_text(w, value);
            break;
        case 2:  // UINT
            if (value.size() == 1 || value.size() == 2 || value.size() == 4)
                w.value(read_le(value, value.size()));
            else
                w.hex(value);
            break;
        case 3:  // INT
            if (value.size() == 1)
                w.value(static_cast<int64_t>(static_cast<int8_t>(value[0])));
            else if (value.size() == 2)
                w.value(static_cast<int64_t>(static_cast<int16_t>(v.read_le<uint16_t>())));
            else if (value.size() == 4)
                w.value(static_cast<int64_t>(static_cast<int32_t>(v.read_le<uint32_t>())));
            else
                w.hex(value);
            break;
        case 4:  // FLT
            if (value.size() == 4)
                write_value(w, VT::F32, v);
            else if (value.size() == 8)
                write_value(w, VT::F64, v);
            else
                w.hex(value);
            break;
        case 7:  // DNP3 time
            if (value.size() == time_len)
                w.value(read_time48(value));
            else
                w.hex(value);
            break;
        default:  // OSTR, BSTR, attribute lists: raw
            w.hex(value);
            break;
    }
}

constexpr std::string_view file_mode_name(uint16_t mode) noexcept
{
    switch (mode) {
        case 0:
            return "null";
        case 1:
            return "read";
        case 2:
            return "write";
        case 3:
            return "append";
        default:
            return "unknown";
    }
}

// A name at (offset, size) inside the object when it lies there, else right after the fixed part.
std::span<const uint8_t> string_at(std::span<const uint8_t> obj, uint16_t offset, uint16_t size,
                                   size_t fixed_end) noexcept
{
    if (offset >= fixed_end && size_t{offset} + size <= obj.size()) return obj.subspan(offset, size);
    if (fixed_end >= obj.size()) return {};
    return obj.subspan(fixed_end, std::min<size_t>(size, obj.size() - fixed_end));
}

// g70 file transfer objects (1815 §5.3, Annex A g70): the key fields. A password (g70v2) is
// never written, only its length.
void write_file_object(JsonWriter& w, uint8_t v, std::span<const uint8_t> obj)
{
    ByteReader r{obj};
    switch (v) {
        case 2: {
            const auto user_off = r.read_le<uint16_t>();
            const auto user_len = r.read_le<uint16_t>();
            r.skip(2);  // password offset
            const auto pass_len = r.read_le<uint16_t>();
            w.field("auth_key", r.read_le<uint32_t>());
            if (!r.ok()) break;
            w.key("user_name");
            write_text(w, string_at(obj, user_off, user_len, 12));
            w.field("password_len", pass_len);
            break;
        }
        case 3: {
            const auto name_off = r.read_le<uint16_t>();
            const auto name_len = r.read_le<uint16_t>();
            const auto created = read_time48(r.read_bytes(time_len));
            const auto perms = r.read_le<uint16_t>();
            const auto auth = r.read_le<uint32_t>();
            const auto size = r.read_le<uint32_t>();
            const auto mode = r.read_le<uint16_t>();
            const auto block = r.read_le<uint16_t>();
            const auto req = r.read_le<uint16_t>();
            if (!r.ok()) break;
            w.key("file_name");
            write_text(w, string_at(obj, name_off, name_len, 26));
            w.field("mode", mode).field("mode_name", file_mode_name(mode));
            w.field("created", created).field("permissions", perms).field("auth_key", auth);
            w.field("file_size", size).field("max_block_size", block).field("request_id", req);
            break;
        }
        case 4: {
            const auto handle = r.read_le<uint32_t>();
            const auto size = r.read_le<uint32_t>();
            const auto block = r.read_le<uint16_t>();
            const auto req = r.read_le<uint16_t>();
            const auto status = r.read_u8();
            if (!r.ok()) break;
            w.field("handle", handle).field("file_size", size).field("max_block_size", block);
            w.field("request_id", req).field("status", status);
            break;
        }
        case 5:
        case 6: {
            const auto handle = r.read_le<uint32_t>();
            const auto block = r.read_le<uint32_t>();
            if (!r.ok()) break;
            w.field("handle", handle).field("block", block & 0x7FFFFFFFu).field("last", (block >> 31) != 0);
            if (v == 5) {
                w.field("data_len", static_cast<uint64_t>(r.remaining()));
            } else {
                const auto status = r.read_u8();
                if (r.ok()) w.field("status", status);
            }
            break;
        }
        case 7: {
            const auto name_off = r.read_le<uint16_t>();
            const auto name_len = r.read_le<uint16_t>();
            const auto type = r.read_le<uint16_t>();
            const auto size = r.read_le<uint32_t>();
            const auto created = read_time48(r.read_bytes(time_len));
            const auto perms = r.read_le<uint16_t>();
            const auto req = r.read_le<uint16_t>();
            if (!r.ok()) break;
            w.key("file_name");
            write_text(w, string_at(obj, name_off, name_len, 20));
            w.field("file_type", type).field("file_size", size).field("created", created);
            w.field("permissions", perms).field("request_id", req);
            break;
        }
        case 8:
            w.key("file_name");
            write_text(w, obj);
            break;
        default:
            break;
    }
}

// g120 (1815 clause 7): the challenge sequence number and user of the common objects.
void write_auth_object(JsonWriter& w, uint8_t v, std::span<const uint8_t> obj)
{
    ByteReader r{obj};
    if (v == 1 || v == 2 || v == 7) {
        const auto csq = r.read_le<uint32_t>();
        const auto user = r.read_le<uint16_t>();
        if (r.ok()) w.field("csq", csq).field("user", user);
        if (v == 7) {
            r.skip(2);  // association id
            const auto code = r.read_u8();
            if (r.ok()) w.field("error_code", code);
        }
    }
}

void write_point(JsonWriter& w, const ObjectHeader& h, const Layout& l, const PointView& p, bool with_data)
{
    w.begin_object();
    if (p.has_index) w.field("index", p.index);
    if (!with_data) {
        w.end_object();
        return;
    }
    ByteReader r{p.data};
    switch (l.kind) {
        case Kind::Packed:
            w.field("value", p.value);
            break;
        case Kind::Flags: {
            const uint8_t f = r.read_u8();
            w.field("value", static_cast<uint8_t>(l.bits == 2 ? f >> 6 : f >> 7));
            w.field("flags", f);
            if (l.time) write_time(w, r);
            if (l.rel_time) w.field("relative_time_ms", r.read_le<uint16_t>());
            break;
        }
        case Kind::Numeric: {
            uint8_t lead = 0;
            if (l.lead_octet) lead = r.read_u8();
            w.key("value");
            write_value(w, l.value, r);
            if (l.lead_octet) w.field(l.lead_is_status ? "status" : "flags", lead);
            if (l.status_last) w.field("status", r.read_u8());
            if (l.time) write_time(w, r);
            break;
        }
        case Kind::Crob: {
            const uint8_t code = r.read_u8();
            w.field("control_code", code);
            w.field("op_type", crob_op_type_name(code)).field("tcc", crob_tcc_name(code));
            w.field("queue", (code & 0x10) != 0).field("clear", (code & 0x20) != 0);
            w.field("count", r.read_u8());
            w.field("on_time", r.read_le<uint32_t>()).field("off_time", r.read_le<uint32_t>());
            const uint8_t status = r.read_u8() & 0x7F;
            w.field("status", status).field("status_name", command_status_name(status));
            break;
        }
        case Kind::Time:
            write_time(w, r);
            break;
        case Kind::TimeInterval:
            write_time(w, r);
            w.field("interval", r.read_le<uint32_t>());
            if (h.variation == 4) w.field("units", r.read_u8());
            break;
        case Kind::Delay: {
            const uint32_t scale = h.variation == 1 ? 1000 : 1;
            w.field("delay_ms", r.read_le<uint16_t>() * scale);
            break;
        }
        case Kind::Attribute:
            write_attribute(w, h.variation, p.data);
            break;
        case Kind::OctetString:
        case Kind::Raw:
            w.key("value").hex(p.data);
            break;
        case Kind::FreeFormat:
        case Kind::Unknown:
            w.field("len", static_cast<uint64_t>(p.data.size()));
            if (h.group == 70) write_file_object(w, h.variation, p.data);
            if (h.group == 120) write_auth_object(w, h.variation, p.data);
            break;
        case Kind::NoData:
            break;
    }
    w.end_object();
}

}  // namespace

Layout layout_of(uint8_t group, uint8_t variation) noexcept
{
    return layout_table(group, variation);
}

bool known_group(uint8_t group) noexcept
{
    for (uint8_t v = 1; v < 16; ++v)
        if (layout_table(group, v).kind != Kind::Unknown) return true;
    return group == 0 || group >= 110;
}

std::string_view object_name(uint8_t group, uint8_t variation) noexcept
{
    switch (group) {
        case 0:
            return "device_attributes";
        case 1:
            return "binary_input";
        case 2:
            return "binary_input_event";
        case 3:
            return "double_bit_binary_input";
        case 4:
            return "double_bit_binary_input_event";
        case 10:
            return "binary_output";
        case 11:
            return "binary_output_event";
        case 12:
            if (variation == 1) return "crob";
            if (variation == 2) return "pattern_control_block";
            if (variation == 3) return "pattern_mask";
            return "binary_output_command";
        case 13:
            return "binary_output_command_event";
        case 20:
            return "counter";
        case 21:
            return "frozen_counter";
        case 22:
            return "counter_event";
        case 23:
            return "frozen_counter_event";
        case 30:
            return "analog_input";
        case 31:
            return "frozen_analog_input";
        case 32:
            return "analog_input_event";
        case 33:
            return "frozen_analog_input_event";
        case 34:
            return "analog_input_deadband";
        case 40:
            return "analog_output_status";
        case 41:
            return "analog_output_block";
        case 42:
            return "analog_output_event";
        case 43:
            return "analog_output_command_event";
        case 50:
            if (variation == 1) return "absolute_time";
            if (variation == 3) return "last_recorded_time";
            return "time_and_date";
        case 51:
            return "common_time_of_occurrence";
        case 52:
            return "time_delay";
        case 60:
            switch (variation) {
                case 1:
                    return "class_0_data";
                case 2:
                    return "class_1_data";
                case 3:
                    return "class_2_data";
                case 4:
                    return "class_3_data";
                default:
                    return "class_data";
            }
        case 70:
            switch (variation) {
                case 2:
                    return "file_authentication";
                case 3:
                    return "file_command";
                case 4:
                    return "file_command_status";
                case 5:
                    return "file_transport";
                case 6:
                    return "file_transport_status";
                case 7:
                    return "file_descriptor";
                case 8:
                    return "file_specification";
                default:
                    return "file_control";
            }
        case 80:
            return "internal_indications";
        case 81:
            return "storage_object";
        case 82:
            return "device_profile";
        case 83:
            return "private_registration_object";
        case 85:
            return "data_set_prototype";
        case 86:
            return "data_set_descriptor";
        case 87:
            return "data_set_present_value";
        case 88:
            return "data_set_snapshot";
        case 90:
            return "application_identifier";
        case 91:
            return "status_of_requested_operation";
        case 101:
            return "bcd_integer";
        case 102:
            return "unsigned_integer";
        case 110:
            return "octet_string";
        case 111:
            return "octet_string_event";
        case 112:
            return "virtual_terminal_output";
        case 113:
            return "virtual_terminal_event";
        case 120:
            return "authentication";
        case 121:
            return "security_statistic";
        case 122:
            return "security_statistic_event";
        default:
            return "unknown";
    }
}

uint64_t read_time48(std::span<const uint8_t> b) noexcept
{
    uint64_t v = 0;
    for (size_t i = std::min<size_t>(b.size(), 6); i-- > 0;)
        v = (v << 8) | b[i];
    return v;
}

ObjectWalker::ObjectWalker(std::span<const uint8_t> bytes, const ObjectHeader& h, const Layout& layout,
                           bool with_data) noexcept
    : bytes_{bytes}, h_{h}, layout_{layout}, with_data_{with_data}
{
}

bool ObjectWalker::take(size_t n, std::span<const uint8_t>& out) noexcept
{
    if (bytes_.size() - pos_ < n) {
        truncated_ = true;
        return false;
    }
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool ObjectWalker::next(PointView& p) noexcept
{
    if (truncated_ || done_ >= h_.count) return false;
    p = PointView{};
    if (h_.has(ObjectHeader::HasRange)) {
        p.has_index = true;
        p.index = static_cast<uint32_t>(h_.start + done_);
    }
    const uint8_t pc = h_.prefix_code();
    if (with_data_ && layout_.kind == Kind::Packed && pc == 0) {
        const uint64_t bit = done_ * layout_.bits;
        if (bit / 8 >= bytes_.size()) {
            truncated_ = true;
            return false;
        }
        p.value = static_cast<uint8_t>((bytes_[bit / 8] >> (bit % 8)) & ((1u << layout_.bits) - 1u));
        ++done_;
        pos_ = static_cast<size_t>((done_ * layout_.bits + 7) / 8);
        return true;
    }
    std::span<const uint8_t> prefix;
    if (!take(prefix_len(pc), prefix)) return false;
    size_t size = 0;
    if (is_index_prefix(pc)) {
        p.has_index = true;
        p.index = read_le(prefix, prefix.size());
    } else if (is_size_prefix(pc)) {
        size = read_le(prefix, prefix.size());
    }
    if (with_data_ && !is_size_prefix(pc)) {
        switch (layout_.kind) {
            case Kind::Attribute:
                if (bytes_.size() - pos_ < 2) {
                    truncated_ = true;
                    return false;
                }
                size = 2 + size_t{bytes_[pos_ + 1]};
                break;
            case Kind::OctetString:
                size = h_.variation;
                break;
            case Kind::NoData:
                size = 0;
                break;
            default:
                size = layout_.size;
                break;
        }
    }
    if (with_data_ && !take(size, p.data)) return false;
    ++done_;
    return true;
}

void write_points(JsonWriter& w, std::span<const uint8_t> fragment, const ObjectHeader& h, size_t& budget)
{
    const Layout l = layout_of(h.group, h.variation);
    const bool with_data = h.has(ObjectHeader::HasData);
    // Headers without objects and without index prefixes (a READ of a range, class data) have no
    // points to show: their range and count say it all.
    if (!with_data && !is_index_prefix(h.prefix_code())) return;
    if (with_data && !sizable(l, h.prefix_code())) return;
    if (size_t{h.data_offset} + h.data_len > fragment.size()) return;
    ObjectWalker walker{fragment.subspan(h.data_offset, h.data_len), h, l, with_data};
    w.key("points").begin_array();
    PointView p;
    uint64_t written = 0;
    while (budget > 0 && walker.next(p)) {
        write_point(w, h, l, p, with_data);
        --budget;
        ++written;
    }
    w.end_array();
    // Points left out by the cap (a truncated header simply has fewer points: "truncated").
    if (written < h.count && !walker.truncated() && !h.has(ObjectHeader::Truncated))
        w.field("points_truncated", static_cast<uint64_t>(h.count - written));
}

}  // namespace otsentry::dnp3
