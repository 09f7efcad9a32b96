// Every dissector the engine knows, in the order the engine probes them.
#pragma once

#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/field_catalog.h"

namespace otsentry::dissect {

std::span<const DissectorInfo* const> all_dissectors();
const DissectorInfo* find_dissector(Protocol proto);

}  // namespace otsentry::dissect
