// Renders the information objects of an ASDU for EVE: address, value, quality, command or
// qualifier fields and time tag of each object, decoded per type (-101 §7.2.6 information
// elements, §7.3 objects).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dissectors/common/json_writer.h"
#include "dissectors/iec104/iec104_types.h"

namespace otsentry::iec104 {

// Writes the keys of one object's elements (after "ioa") into the current JSON object.
void write_elements(dissect::JsonWriter& w, const TypeInfo& t, std::span<const uint8_t> elements);

// CP56Time2a as ISO 8601 without zone ("2024-05-01T12:00:00.123"), from the 7 octets; the year
// is 2000 + the 7-bit year. Out-of-range fields are printed as they are, so nothing is hidden.
std::string_view format_cp56(std::span<const uint8_t, 7> t, char (&buf)[32]) noexcept;

}  // namespace otsentry::iec104
