// The DNP3 object library (IEEE 1815-2012 Annex A): how each group/variation is laid out on the
// wire, so an object header can be skipped (the parser) and its objects decoded (the EVE writer).
// An object whose size cannot be known (unknown group/variation without a size prefix) ends the
// parse of its fragment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dissectors/common/json_writer.h"
#include "dissectors/dnp3/dnp3_types.h"

namespace otsentry::dnp3 {

enum class Kind : uint8_t {
    Unknown,
    NoData,        // class data (g60): never followed by objects
    Packed,        // `bits` per point, least significant bits first (g1v1, g3v1, g10v1, g12v3, g80v1)
    Flags,         // a flags octet holding the state in bit 7 (or bits 7-6), optional (relative) time
    Numeric,       // [flags or status] value [time] or value status (g41)
    Crob,          // g12v1 CROB and g12v2 PCB: code, count, on time, off time, status
    Time,          // 48-bit milliseconds since 1970 UTC (g50v1, g50v3, g51)
    TimeInterval,  // g50v2: time + 32-bit interval; g50v4: + units octet
    Delay,         // g52: 16-bit delay; g52v1 in seconds, g52v2 in milliseconds
    Attribute,     // g0: data type, length, value
    OctetString,   // g110-g113: the variation is the length
    FreeFormat,    // sized by a size prefix only (g70, g83, g85-g88, g90, g120)
    Raw,           // fixed size, not decoded (BCD, security statistics, some g120)
};

enum class ValueType : uint8_t { None, U8, U16, U32, I16, I32, F32, F64 };

struct Layout {
    Kind kind = Kind::Unknown;
    uint8_t size = 0;  // bytes per object for fixed-size kinds
    uint8_t bits = 0;  // Packed: bits per point; Flags: state bits (1 or 2)
    ValueType value = ValueType::None;
    bool lead_octet = false;      // Numeric: a flags (or status) octet before the value
    bool lead_is_status = false;  // g43: that octet is a command status, not flags
    bool status_last = false;     // Numeric: a command status octet after the value (g41)
    bool time = false;            // a 48-bit absolute time follows
    bool rel_time = false;        // a 16-bit relative time follows (g2v3, g4v3)
};

Layout layout_of(uint8_t group, uint8_t variation) noexcept;

// A group we know, so variation 0 ("any variation", in requests) is not an unknown object.
bool known_group(uint8_t group) noexcept;

// Short snake_case name of a group (or of a well-known variation), for EVE.
std::string_view object_name(uint8_t group, uint8_t variation) noexcept;

// Whether the objects under a header can be stepped over: a size prefix sizes anything; without
// one the library must know the size.
constexpr bool sizable(const Layout& l, uint8_t prefix_code) noexcept
{
    if (is_size_prefix(prefix_code)) return true;
    return l.kind != Kind::Unknown && l.kind != Kind::FreeFormat;
}

// One object under a header.
struct PointView {
    bool has_index = false;
    uint32_t index = 0;
    std::span<const uint8_t> data;  // the object without its prefix (empty for Packed)
    uint8_t value = 0;              // Packed: the point's bits
};

// Steps through the objects of one header. `bytes` starts at the header's first prefix/object;
// `with_data` says whether objects follow the header (false: only index prefixes, if any).
class ObjectWalker {
public:
    ObjectWalker(std::span<const uint8_t> bytes, const ObjectHeader& h, const Layout& layout,
                 bool with_data) noexcept;

    // The next object; false when all `count` were returned or the bytes ran out (truncated()).
    bool next(PointView& p) noexcept;
    [[nodiscard]] bool truncated() const noexcept { return truncated_; }
    [[nodiscard]] size_t offset() const noexcept { return pos_; }

private:
    bool take(size_t n, std::span<const uint8_t>& out) noexcept;

    std::span<const uint8_t> bytes_;
    const ObjectHeader& h_;
    const Layout& layout_;
    bool with_data_;
    uint64_t done_ = 0;
    size_t pos_ = 0;
    bool truncated_ = false;
};

// Writes the `points` array of one header (at most `budget` points; `budget` is decreased) and
// `points_truncated` when some were left out.
void write_points(dissect::JsonWriter& w, std::span<const uint8_t> fragment, const ObjectHeader& h,
                  size_t& budget);

// Milliseconds since 1970 UTC from a 48-bit little-endian DNP3 time.
uint64_t read_time48(std::span<const uint8_t> b) noexcept;

}  // namespace otsentry::dnp3
