// IEEE 802.1Q VLAN tags and QinQ (802.1ad, and the older 0x9100 S-tag): up to two tags.
#include "capture/decode/layers.h"
#include "dissectors/common/byte_reader.h"

namespace otsentry::capture::detail {

namespace {
constexpr size_t vlan_tag_len = 4;  // TCI(2) + inner ethertype(2)
constexpr uint16_t vlan_id_mask = 0x0fff;
}  // namespace

DecodeError decode_vlan(Bytes in, Decoded& out, DecodeStats& stats)
{
    if (out.vlan_count >= out.vlan.size()) return DecodeError::VlanTooDeep;
    dissect::ByteReader r{in};
    const auto tci = r.read_be<uint16_t>();
    const auto ethertype = r.read_be<uint16_t>();
    if (!r.ok()) return DecodeError::VlanTruncated;
    if (out.vlan_count == 0) ++stats.vlan;  // tagged frames, not tags
    out.vlan[out.vlan_count++] = static_cast<uint16_t>(tci & vlan_id_mask);
    out.ethertype = ethertype;
    return dispatch_ethertype(ethertype, in.subspan(vlan_tag_len), out, stats);
}

}  // namespace otsentry::capture::detail
