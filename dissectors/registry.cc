#include "dissectors/registry.h"

#include <array>

#include "dissectors/dnp3/dnp3_session.h"
#include "dissectors/iec104/iec104_session.h"
#include "dissectors/modbus/modbus_session.h"
#include "dissectors/s7comm/s7comm_session.h"
#include "dissectors/s7commplus/s7commplus_session.h"

namespace otsentry::dissect {

namespace {
const std::array<const DissectorInfo*, 6> registry = {
    &modbus::dissector_info,
    &iec104::dissector_info,
    &dnp3::dissector_info,
    &dnp3::udp_dissector_info,
    // TCP 102 (TPKT/COTP) is registered for neither: their probes tell S7comm (0x32),
    // S7comm-plus (0x72) and MMS apart by the first COTP DT user octet.
    &s7comm::dissector_info,
    &s7commplus::dissector_info,
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

std::span<const ProtocolFields* const> all_field_tables()
{
    static const std::array<const ProtocolFields*, 5> tables = {
        &modbus::protocol_fields(), &dnp3::protocol_fields(),       &iec104::protocol_fields(),
        &s7comm::protocol_fields(), &s7commplus::protocol_fields(),
    };
    return tables;
}

const ProtocolFields* field_table(Protocol proto)
{
    for (const ProtocolFields* t : all_field_tables())
        if (t->proto == proto) return t;
    return nullptr;
}

const FieldDesc* find_field(std::string_view name)
{
    for (const ProtocolFields* t : all_field_tables())
        for (const FieldDesc& f : t->fields)
            if (f.name == name) return &f;
    return nullptr;
}

}  // namespace otsentry::dissect
