#include "dissectors/registry.h"

#include <array>

#include "dissectors/dnp3/dnp3_session.h"
#include "dissectors/iec104/iec104_session.h"
#include "dissectors/modbus/modbus_session.h"

namespace otsentry::dissect {

namespace {
const std::array<const DissectorInfo*, 4> registry = {
    &modbus::dissector_info,
    &iec104::dissector_info,
    &dnp3::dissector_info,
    &dnp3::udp_dissector_info,
};
}  // namespace

std::span<const DissectorInfo* const> all_dissectors()
{
    return registry;
}

const DissectorInfo* find_dissector(Protocol proto)
{
    for (const auto* d : registry)
        if (d->proto == proto) return d;
    return nullptr;
}

}  // namespace otsentry::dissect
