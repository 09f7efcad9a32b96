// The fields the rules may use (`s7comm.*`); the same table gives the scalar keys of each EVE PDU
// object and the field list in README.md. Item fields (area, db, address, ...) are those of the
// first item; EVE lists every item under `items`.
#include "dissectors/s7comm/s7comm_session.h"

#include "dissectors/common/field_catalog.h"

namespace otsentry::s7comm {

namespace {

using dissect::FieldSpec;
using dissect::FieldType;
using dissect::FieldValue;

template <Has H, auto Member>
constexpr FieldValue opt(const Pdu& p) noexcept
{
    return p.has(H) ? FieldValue::of(p.*Member) : FieldValue::none();
}

template <auto Member>
constexpr FieldValue s7(const Pdu& p) noexcept
{
    return p.is_cotp() ? FieldValue::none() : FieldValue::of(p.*Member);
}

template <auto Member>
constexpr FieldValue item(const Pdu& p) noexcept
{
    const Item* it = p.first_item();
    return it != nullptr && it->has_spec ? FieldValue::of(it->*Member) : FieldValue::none();
}

FieldValue text(std::span<const uint8_t> s) noexcept
{
    return FieldValue::of_str({reinterpret_cast<const char*>(s.data()), s.size()});
}

FieldValue identity(const Pdu& p, Has h, uint16_t index) noexcept
{
    if (!p.has(h)) return FieldValue::none();
    for (unsigned i = 0; i < p.szl_records_kept; ++i)
        if (p.szl[i].index == index) return text(p.szl[i].text);
    return FieldValue::none();
}

constexpr FieldSpec<Pdu> field_table[] = {
    {"s7comm.cotp", "cotp", FieldType::Name, "COTP TPDU of a connection event: CR, CC, DR, DC, ER",
     [](const Pdu& p) {
         return p.is_cotp() ? FieldValue::of_str(cotp::tpdu_name(static_cast<cotp::TpduType>(p.tpdu_type)))
                            : FieldValue::none();
     }},
    {"s7comm.tsap_src", "tsap_src", FieldType::U16, "COTP CR/CC source TSAP (two octets)",
     opt<Has::Tsap, &Pdu::tsap_src>},
    {"s7comm.tsap_dst", "tsap_dst", FieldType::U16, "COTP CR/CC destination TSAP (two octets)",
     opt<Has::Tsap, &Pdu::tsap_dst>},
    {"s7comm.connection_type", "connection_type", FieldType::U8,
     "high octet of the PLC's TSAP: 1 PG, 2 OP, 3 S7 basic",
     [](const Pdu& p) {
         const uint16_t t = p.tsap_dst;  // the called (PLC) TSAP in CR and CC
         return p.has(Has::Rack) ? FieldValue::of(t >> 8) : FieldValue::none();
     }},
    {"s7comm.rack", "rack", FieldType::U8, "rack of the PLC's TSAP (low octet >> 5)",
     [](const Pdu& p) {
         const uint16_t t = p.tsap_dst;  // the called (PLC) TSAP in CR and CC
         return p.has(Has::Rack) ? FieldValue::of((t & 0xFF) >> 5) : FieldValue::none();
     }},
    {"s7comm.slot", "slot", FieldType::U8, "slot of the PLC's TSAP (low octet & 0x1F)",
     [](const Pdu& p) {
         const uint16_t t = p.tsap_dst;  // the called (PLC) TSAP in CR and CC
         return p.has(Has::Rack) ? FieldValue::of(t & 0x1F) : FieldValue::none();
     }},
    {"s7comm.tpdu_size", "tpdu_size", FieldType::U8, "COTP CR/CC TPDU size code (0x0A = 1024 octets)",
     [](const Pdu& p) {
         return p.tpdu_size_code != 0 ? FieldValue::of(p.tpdu_size_code) : FieldValue::none();
     }},
    {"s7comm.rosctr", "rosctr", FieldType::U8, "PDU type: 1 job, 2 ack, 3 ack-data, 7 userdata",
     s7<&Pdu::rosctr>},
    {"s7comm.rosctr_name", "rosctr_name", FieldType::Name, "job, ack, ack_data, userdata",
     [](const Pdu& p) {
         return p.is_cotp() ? FieldValue::none() : FieldValue::of_str(rosctr_name(p.rosctr));
     }},
    {"s7comm.pdu_ref", "pdu_ref", FieldType::U16, "PDU reference pairing a response with its request",
     s7<&Pdu::pdu_ref>},
    {"s7comm.param_length", "", FieldType::U16, "parameter length from the header", s7<&Pdu::param_len>},
    {"s7comm.data_length", "", FieldType::U16, "data length from the header", s7<&Pdu::data_len>},
    {"s7comm.error_class", "error_class", FieldType::U8, "ack/ack-data error class (0 = none)",
     opt<Has::Error, &Pdu::error_class>},
    {"s7comm.error_code", "error_code", FieldType::U8, "ack/ack-data error code",
     opt<Has::Error, &Pdu::error_code>},
    {"s7comm.function", "function_code", FieldType::U8,
     "job/ack-data function (0x04 read var, 0x29 PLC stop...)", opt<Has::Function, &Pdu::function>},
    {"s7comm.function_name", "function_name", FieldType::Name, "function name, e.g. read_var, plc_stop",
     [](const Pdu& p) {
         return p.has(Has::Function) ? FieldValue::of_str(function_name(p.function)) : FieldValue::none();
     }},
    {"s7comm.item_count", "item_count", FieldType::U8, "read/write var item count as sent",
     opt<Has::ItemCount, &Pdu::item_count>},
    {"s7comm.area", "", FieldType::U8, "first item's area (0x81 I, 0x82 Q, 0x83 M, 0x84 DB, 0x1C C, 0x1D T)",
     item<&Item::area>},
    {"s7comm.db", "", FieldType::U16, "first item's DB number", item<&Item::db>},
    {"s7comm.address", "", FieldType::U32, "first item's byte address",
     [](const Pdu& p) {
         const Item* it = p.first_item();
         return it != nullptr && it->has_spec ? FieldValue::of(it->byte_address()) : FieldValue::none();
     }},
    {"s7comm.transport_size", "", FieldType::U8, "first item's transport size", item<&Item::transport_size>},
    {"s7comm.length", "", FieldType::U16, "first item's element count", item<&Item::length>},
    {"s7comm.pdu_size", "pdu_size", FieldType::U16, "setup communication: PDU size",
     opt<Has::Setup, &Pdu::pdu_size>},
    {"s7comm.max_amq_calling", "max_amq_calling", FieldType::U16, "setup communication: max AmQ calling",
     opt<Has::Setup, &Pdu::max_amq_calling>},
    {"s7comm.max_amq_called", "max_amq_called", FieldType::U16, "setup communication: max AmQ called",
     opt<Has::Setup, &Pdu::max_amq_called>},
    {"s7comm.filename", "filename", FieldType::String, "block file name of download/upload (\"_0800001P\")",
     [](const Pdu& p) { return p.filename.empty() ? FieldValue::none() : text(p.filename); }},
    {"s7comm.block_type", "block_type", FieldType::Name,
     "block type from the file name: OB, DB, SDB, FC, SFC, FB, SFB",
     [](const Pdu& p) {
         return p.has(Has::Block) ? FieldValue::of_str(block_type_name(p.block_type)) : FieldValue::none();
     }},
    {"s7comm.block_number", "block_number", FieldType::U32, "block number from the file name",
     opt<Has::Block, &Pdu::block_number>},
    {"s7comm.upload_id", "", FieldType::U32, "download/upload session id octets",
     opt<Has::UploadId, &Pdu::upload_id>},
    {"s7comm.download_id", "download_id", FieldType::U32,
     "program download this PDU belongs to (request download .. download ended), 1-based per flow",
     opt<Has::Download, &Pdu::download_id>},
    {"s7comm.pi_service", "pi_service", FieldType::String,
     "PI service of PLC control/stop: _INSE, P_PROGRAM, _GARB",
     [](const Pdu& p) { return p.has(Has::Pi) ? text(p.pi_service) : FieldValue::none(); }},
    {"s7comm.userdata_type", "userdata_type", FieldType::U8, "userdata type: 0 push, 4 request, 8 response",
     opt<Has::Userdata, &Pdu::ud_type>},
    {"s7comm.userdata_group", "userdata_group", FieldType::U8,
     "userdata function group: 1 programmer, 2 cyclic, 3 block, 4 CPU, 5 security, 7 time",
     opt<Has::Userdata, &Pdu::ud_group>},
    {"s7comm.userdata_group_name", "userdata_group_name", FieldType::Name, "userdata function group name",
     [](const Pdu& p) {
         return p.has(Has::Userdata) ? FieldValue::of_str(userdata_group_name(p.ud_group))
                                     : FieldValue::none();
     }},
    {"s7comm.userdata_subfunction", "userdata_subfunction", FieldType::U8, "userdata subfunction",
     opt<Has::Userdata, &Pdu::ud_subfunction>},
    {"s7comm.userdata_subfunction_name", "userdata_subfunction_name", FieldType::Name,
     "userdata subfunction name, e.g. read_szl, plc_password, set_clock",
     [](const Pdu& p) {
         return p.has(Has::Userdata)
                    ? FieldValue::of_str(userdata_subfunction_name(p.ud_group, p.ud_subfunction))
                    : FieldValue::none();
     }},
    {"s7comm.userdata_sequence", "userdata_sequence", FieldType::U8, "userdata sequence number",
     opt<Has::Userdata, &Pdu::ud_sequence>},
    {"s7comm.userdata_error_code", "userdata_error_code", FieldType::U16, "userdata response error code",
     opt<Has::UserdataError, &Pdu::ud_error_code>},
    {"s7comm.return_code", "return_code", FieldType::U8, "userdata data return code (0xFF success)",
     opt<Has::ReturnCode, &Pdu::return_code>},
    {"s7comm.szl_id", "szl_id", FieldType::U16, "SZL id of a read-SZL request/response",
     opt<Has::Szl, &Pdu::szl_id>},
    {"s7comm.szl_index", "szl_index", FieldType::U16, "SZL index", opt<Has::Szl, &Pdu::szl_index>},
    {"s7comm.password", "password_function", FieldType::U8, "1 on userdata security PLC-password PDUs",
     [](const Pdu& p) { return p.has(Has::Password) ? FieldValue::of(1) : FieldValue::none(); }},
    {"s7comm.order_number", "", FieldType::String, "SZL 0x0011 index 1: order number (EVE: identity)",
     [](const Pdu& p) { return identity(p, Has::Identity11, 1); }},
    {"s7comm.module_type_name", "", FieldType::String, "SZL 0x001C index 7: module type name (EVE: identity)",
     [](const Pdu& p) { return identity(p, Has::Identity1C, 7); }},
    {"s7comm.serial_number", "", FieldType::String, "SZL 0x001C index 5: serial number (EVE: identity)",
     [](const Pdu& p) { return identity(p, Has::Identity1C, 5); }},
};

constexpr uint8_t item_list = 1;

template <auto Member>
FieldValue item_member(const Pdu& p, size_t i) noexcept
{
    return i < p.items_parsed && p.items[i].has_spec ? FieldValue::of(p.items[i].*Member)
                                                     : FieldValue::none();
}

constexpr dissect::ElementFieldSpec<Pdu> element_table[] = {
    {"s7comm.item.area", item_list, FieldType::U8,
     "memory area of each read/write item (0x84 DB, 0x83 M ...)", &item_member<&Item::area>},
    {"s7comm.item.db", item_list, FieldType::U16, "DB number of each item", &item_member<&Item::db>},
    {"s7comm.item.address", item_list, FieldType::U32, "bit address of each item (byte << 3 | bit)",
     &item_member<&Item::address>},
    {"s7comm.item.return_code", item_list, FieldType::U8, "return code of each item (responses)",
     [](const Pdu& p, size_t i) {
         return i < p.items_parsed && p.items[i].has_return_code ? FieldValue::of(p.items[i].return_code)
                                                                 : FieldValue::none();
     }},
};

constexpr dissect::ListSpec<Pdu> list_table[] = {
    {item_list, [](const Pdu& p) -> size_t { return p.items_parsed; }}};

}  // namespace

std::span<const FieldSpec<Pdu>> fields() noexcept
{
    return field_table;
}

const dissect::ProtocolFields& protocol_fields()
{
    static const dissect::ErasedFields<Pdu> erased{Protocol::S7comm, field_table, element_table, list_table};
    return erased.table();
}

}  // namespace otsentry::s7comm
