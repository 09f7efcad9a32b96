// Protocol anomalies: malformed or suspicious traffic a dissector noticed. They are data, not
// errors: each becomes an alert with a built-in signature id, so an analyst sees them in the
// same place as rule alerts. Every dissector declares its anomalies in one table.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "dissectors/common/types.h"

namespace otsentry::dissect {

struct AnomalyInfo {
    uint16_t code;          // stable within the protocol; part of the signature id
    std::string_view name;  // stable dotted name, e.g. "modbus.bad_length"
    std::string_view text;  // one sentence for the analyst
    uint8_t severity;       // 1 (high) .. 3 (low), as in Suricata
};

// Built-in anomaly alerts use generator id 2 and signature ids in a block per protocol,
// so they never collide with rule sids (rule sets use gid 1).
constexpr uint32_t anomaly_gid = 2;
constexpr uint32_t anomaly_sid(Protocol p, uint16_t code) noexcept
{
    return 2'000'000u + static_cast<uint32_t>(p) * 1000u + code;
}

// Looks up an anomaly by code in a protocol's table; the tables are small and ordered by code.
constexpr const AnomalyInfo* find_anomaly(std::span<const AnomalyInfo> table, uint16_t code) noexcept
{
    for (const auto& a : table)
        if (a.code == code) return &a;
    return nullptr;
}

}  // namespace otsentry::dissect
