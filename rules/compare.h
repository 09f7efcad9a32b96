// The integer comparator grammar shared by every integer keyword (dsize, modbus_unit, dnp3_func
// numbers, ...) and by our generic field keywords (`modbus.address: 100-200;`):
//
//   5  0x1F  =5  !5  !=5  <5  >5  <=5  >=5     single value
//   5-10     inclusive range                    5<>10  exclusive range (Suricata)
//   &0x80    any of the bits set                5,7,9  or  [5,7,9]  any of
//   !5-10  !5,7  ![5,7]                          a leading `!` negates a range or list
//
// Every value is checked against the width of what it is compared with, so `modbus.address:
// 70000` is an error instead of a rule that can never match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dissectors/common/field_catalog.h"
#include "rules/rule.h"

namespace otsentry::rules {

// What a comparator is compared with: its largest value and the name errors use.
struct IntLimit {
    std::string_view what;  // "modbus.address", "dsize"
    unsigned bits = 64;

    [[nodiscard]] uint64_t max() const noexcept
    {
        return bits >= 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    }
};

// The limit of an integer field (U8 .. U64); 64 bits for non-integer types.
IntLimit limit_of(const dissect::FieldDesc& field) noexcept;

// Width in bits of an integer field type; 0 for Bytes/String/Name.
unsigned bits_of(dissect::FieldType type) noexcept;

// Parses one unsigned number, decimal or 0x-hex, surrounding blanks allowed, checked against
// `lim`. `after` names what preceded the number for "expected a number after '<'".
std::optional<uint64_t> parse_number(std::string_view text, const IntLimit& lim, std::string& error,
                                     std::string_view after = {});

// Parses a comparator; on failure returns nullopt and sets `error`.
std::optional<IntMatch> parse_int_match(std::string_view text, const IntLimit& lim, std::string& error);

// Maximum number of values in an `a,b,c` list.
constexpr size_t max_list_values = 256;

}  // namespace otsentry::rules
