#include "dissectors/registry.h"

#include <array>

#include "dissectors/modbus/modbus_session.h"

namespace otsentry::dissect {

namespace {
const std::array<const DissectorInfo*, 1> registry = {
    &modbus::dissector_info,
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
