#include "dissectors/iec104/iec104_objects.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdio>

#include "dissectors/common/byte_reader.h"

namespace otsentry::iec104 {

namespace {

using dissect::ByteReader;
using dissect::JsonWriter;

constexpr size_t max_eve_segment = 64;  // F_SG_NA_1 segment octets written (hex)

// The shortest decimal form of the float, as a double: 1.1f is written 1.1, not 1.100000023841858.
double shortest(float f) noexcept
{
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
    double d = f;
    if (ec == std::errc{}) std::from_chars(buf, end, d);
    return d;
}

float read_float(ByteReader& r) noexcept
{
    return std::bit_cast<float>(r.read_le<uint32_t>());
}

int16_t read_i16(ByteReader& r) noexcept
{
    return static_cast<int16_t>(r.read_le<uint16_t>());
}

uint32_t read_u24(ByteReader& r) noexcept
{
    const uint32_t lo = r.read_le<uint16_t>();
    return lo | (static_cast<uint32_t>(r.read_u8()) << 16);
}

// Quality descriptor bits (-101 §7.2.6.1-4): IV, NT, SB, BL, then OV (QDS) or EI (QDP).
enum class Extra : uint8_t { None, Ov, Ei };

void write_quality(JsonWriter& w, uint8_t q, Extra extra)
{
    w.key("quality").begin_object();
    w.field("iv", (q & 0x80) != 0);
    w.field("nt", (q & 0x40) != 0);
    w.field("sb", (q & 0x20) != 0);
    w.field("bl", (q & 0x10) != 0);
    if (extra == Extra::Ov) w.field("ov", (q & 0x01) != 0);
    if (extra == Extra::Ei) w.field("ei", (q & 0x08) != 0);
    w.end_object();
}

// Normalized value: a 16-bit fixed-point fraction of full scale, -1 .. 1 - 2^-15 (-101 §7.2.6.6).
double normalized(int16_t v) noexcept
{
    return static_cast<double>(v) / 32768.0;
}

void write_qos(JsonWriter& w, uint8_t q)
{
    w.key("qos").begin_object();
    w.field("ql", static_cast<uint8_t>(q & 0x7F));
    w.field("select", (q & 0x80) != 0);
    w.end_object();
}

void write_qpm(JsonWriter& w, uint8_t q)
{
    w.key("qpm").begin_object();
    w.field("kpa", static_cast<uint8_t>(q & 0x3F));
    w.field("lpc", (q & 0x40) != 0);
    w.field("pop", (q & 0x80) != 0);
    w.end_object();
}

// SCO/DCO/RCO (-101 §7.2.6.15-17): state in bit 0 (SCO) or bits 0-1, QU in bits 2-6, S/E in 7.
void write_command(JsonWriter& w, uint8_t c, uint8_t state_mask)
{
    w.key("command").begin_object();
    w.field("state", static_cast<uint8_t>(c & state_mask));
    w.field("select", (c & 0x80) != 0);
    w.field("qu", static_cast<uint8_t>((c >> 2) & 0x1F));
    w.end_object();
}

void write_cp56(JsonWriter& w, ByteReader& r)
{
    const auto bytes = r.read_bytes(7);
    if (bytes.size() != 7) return;
    char buf[32];
    w.field("time", format_cp56(std::span<const uint8_t, 7>{bytes.data(), 7}, buf));
    if ((bytes[2] & 0x80) != 0) w.field("time_invalid", true);
    if ((bytes[3] & 0x80) != 0) w.field("summer_time", true);
}

// CP24Time2a (-101 §7.2.6.19): milliseconds and minutes only, written as "MM:SS.mmm".
void write_cp24(JsonWriter& w, ByteReader& r)
{
    const uint16_t ms = r.read_le<uint16_t>();
    const uint8_t min = r.read_u8();
    if (!r.ok()) return;
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%02u:%02u.%03u", static_cast<unsigned>(min & 0x3F),
                                static_cast<unsigned>(ms / 1000), static_cast<unsigned>(ms % 1000));
    w.field("time_of_hour", std::string_view{buf, static_cast<size_t>(std::max(n, 0))});
    if ((min & 0x80) != 0) w.field("time_invalid", true);
}

}  // namespace

std::string_view format_cp56(std::span<const uint8_t, 7> t, char (&buf)[32]) noexcept
{
    const unsigned ms = static_cast<unsigned>(t[0] | (t[1] << 8));
    const int n = std::snprintf(buf, sizeof buf, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", 2000u + (t[6] & 0x7Fu),
                                t[5] & 0x0Fu, t[4] & 0x1Fu, t[3] & 0x1Fu, t[2] & 0x3Fu, ms / 1000, ms % 1000);
    return {buf, static_cast<size_t>(std::clamp(n, 0, 31))};
}

void write_elements(JsonWriter& w, const TypeInfo& t, std::span<const uint8_t> elements)
{
    ByteReader r{elements};
    switch (t.layout) {
        case Layout::Siq: {
            const uint8_t b = r.read_u8();
            w.field("value", static_cast<uint8_t>(b & 0x01));
            write_quality(w, b, Extra::None);
            break;
        }
        case Layout::Diq: {
            const uint8_t b = r.read_u8();
            w.field("value", static_cast<uint8_t>(b & 0x03));
            write_quality(w, b, Extra::None);
            break;
        }
        case Layout::VtiQds: {
            // VTI (-101 §7.2.6.5): a 7-bit two's complement value and the transient bit.
            const uint8_t v = r.read_u8();
            w.field("value", static_cast<int>(static_cast<int8_t>(static_cast<uint8_t>(v << 1)) >> 1));
            w.field("transient", (v & 0x80) != 0);
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        }
        case Layout::BsiQds:
            w.field("value", r.read_le<uint32_t>());
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        case Layout::NvaQds:
            w.field("value", normalized(read_i16(r)));
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        case Layout::SvaQds:
            w.field("value", static_cast<int>(read_i16(r)));
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        case Layout::FloatQds:
            w.field("value", shortest(read_float(r)));
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        case Layout::Bcr: {
            // BCR (-101 §7.2.6.9): signed 32-bit counter, then sequence number, CY, CA, IV.
            w.field("value", static_cast<int64_t>(static_cast<int32_t>(r.read_le<uint32_t>())));
            const uint8_t s = r.read_u8();
            w.key("counter").begin_object();
            w.field("sq", static_cast<uint8_t>(s & 0x1F));
            w.field("cy", (s & 0x20) != 0);
            w.field("ca", (s & 0x40) != 0);
            w.field("iv", (s & 0x80) != 0);
            w.end_object();
            break;
        }
        case Layout::SepCp16: {
            const uint8_t sep = r.read_u8();
            w.field("event_state", static_cast<uint8_t>(sep & 0x03));
            write_quality(w, sep, Extra::Ei);
            w.field("elapsed_ms", r.read_le<uint16_t>());
            break;
        }
        case Layout::SpeQdpCp16:
            w.field("start_events", r.read_u8());
            write_quality(w, r.read_u8(), Extra::Ei);
            w.field("duration_ms", r.read_le<uint16_t>());
            break;
        case Layout::OciQdpCp16:
            w.field("output_circuits", r.read_u8());
            write_quality(w, r.read_u8(), Extra::Ei);
            w.field("operating_ms", r.read_le<uint16_t>());
            break;
        case Layout::ScdQds:
            w.field("status", r.read_le<uint16_t>());
            w.field("change_detection", r.read_le<uint16_t>());
            write_quality(w, r.read_u8(), Extra::Ov);
            break;
        case Layout::Nva:
            w.field("value", normalized(read_i16(r)));
            break;
        case Layout::Sco:
            write_command(w, r.read_u8(), 0x01);
            break;
        case Layout::Dco:
        case Layout::Rco:
            write_command(w, r.read_u8(), 0x03);
            break;
        case Layout::NvaQos:
            w.field("value", normalized(read_i16(r)));
            write_qos(w, r.read_u8());
            break;
        case Layout::SvaQos:
            w.field("value", static_cast<int>(read_i16(r)));
            write_qos(w, r.read_u8());
            break;
        case Layout::FloatQos:
            w.field("value", shortest(read_float(r)));
            write_qos(w, r.read_u8());
            break;
        case Layout::Bsi:
            w.field("value", r.read_le<uint32_t>());
            break;
        case Layout::Coi: {
            const uint8_t c = r.read_u8();
            w.key("coi").begin_object();
            w.field("cause", static_cast<uint8_t>(c & 0x7F));
            w.field("local_change", (c & 0x80) != 0);
            w.end_object();
            break;
        }
        case Layout::Qoi:
            w.field("qoi", r.read_u8());
            break;
        case Layout::Qcc: {
            const uint8_t q = r.read_u8();
            w.key("qcc").begin_object();
            w.field("rqt", static_cast<uint8_t>(q & 0x3F));
            w.field("frz", static_cast<uint8_t>(q >> 6));
            w.end_object();
            break;
        }
        case Layout::Empty:
            break;
        case Layout::Cp56:
            write_cp56(w, r);
            break;
        case Layout::Fbp:
            w.field("fbp", r.read_le<uint16_t>());
            break;
        case Layout::Qrp:
            w.field("qrp", r.read_u8());
            break;
        case Layout::Cp16:
            w.field("delay_ms", r.read_le<uint16_t>());
            break;
        case Layout::TscCp56:
            w.field("tsc", r.read_le<uint16_t>());
            break;
        case Layout::NvaQpm:
            w.field("value", normalized(read_i16(r)));
            write_qpm(w, r.read_u8());
            break;
        case Layout::SvaQpm:
            w.field("value", static_cast<int>(read_i16(r)));
            write_qpm(w, r.read_u8());
            break;
        case Layout::FloatQpm:
            w.field("value", shortest(read_float(r)));
            write_qpm(w, r.read_u8());
            break;
        case Layout::Qpa:
            w.field("qpa", r.read_u8());
            break;
        case Layout::FileReady:
            w.field("nof", r.read_le<uint16_t>());
            w.field("lof", read_u24(r));
            w.field("frq", r.read_u8());
            break;
        case Layout::SectionReady:
            w.field("nof", r.read_le<uint16_t>());
            w.field("nos", r.read_u8());
            w.field("lof", read_u24(r));
            w.field("srq", r.read_u8());
            break;
        case Layout::CallFile:
            w.field("nof", r.read_le<uint16_t>());
            w.field("nos", r.read_u8());
            w.field("scq", r.read_u8());
            break;
        case Layout::LastSection:
            w.field("nof", r.read_le<uint16_t>());
            w.field("nos", r.read_u8());
            w.field("lsq", r.read_u8());
            w.field("chs", r.read_u8());
            break;
        case Layout::AckFile:
            w.field("nof", r.read_le<uint16_t>());
            w.field("nos", r.read_u8());
            w.field("afq", r.read_u8());
            break;
        case Layout::Segment: {
            w.field("nof", r.read_le<uint16_t>());
            w.field("nos", r.read_u8());
            const uint8_t los = r.read_u8();
            w.field("los", los);
            const auto seg = r.read_bytes(los);
            w.key("segment").hex(seg.first(std::min(seg.size(), max_eve_segment)));
            if (seg.size() > max_eve_segment) w.field("segment_truncated", true);
            break;
        }
        case Layout::Directory:
            w.field("nof", r.read_le<uint16_t>());
            w.field("lof", read_u24(r));
            w.field("sof", r.read_u8());
            break;
        case Layout::QueryLog: {
            w.field("nof", r.read_le<uint16_t>());
            const auto start = r.read_bytes(7);
            const auto stop = r.read_bytes(7);
            if (r.ok()) {
                char buf[32];
                w.field("start_time", format_cp56(std::span<const uint8_t, 7>{start.data(), 7}, buf));
                w.field("stop_time", format_cp56(std::span<const uint8_t, 7>{stop.data(), 7}, buf));
            }
            break;
        }
    }
    // The time tag follows the elements (-101 §7.3.1): CP24Time2a or CP56Time2a.
    if (t.time == TimeTag::Cp24)
        write_cp24(w, r);
    else if (t.time == TimeTag::Cp56 && t.layout != Layout::QueryLog)
        write_cp56(w, r);
}

}  // namespace otsentry::iec104
