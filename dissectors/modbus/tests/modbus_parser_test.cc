#include "dissectors/modbus/modbus_parser.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "dissectors/modbus/modbus_session.h"
#include "dissectors/modbus/tests/modbus_vectors.h"

namespace otsentry::modbus {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace): the vectors
using Kind = ParseResult::Kind;

Pdu parse_ok(std::span<const uint8_t> bytes, Direction dir, uint32_t anomalies = 0)
{
    Pdu p;
    const auto r = parse_pdu(bytes, dir, p);
    EXPECT_EQ(r.kind, Kind::Ok);
    EXPECT_EQ(r.size, bytes.size());
    EXPECT_EQ(p.anomalies, anomalies);
    return p;
}

nlohmann::json render(const Pdu& p)
{
    std::string out;
    dissect::JsonWriter w{out};
    write_pdu_json(w, p);
    return nlohmann::json::parse(out);
}

std::vector<uint8_t> bytes_of(std::span<const uint8_t> s)
{
    return {s.begin(), s.end()};
}

// --- happy paths, one per function ---

TEST(ModbusParser, ReadCoils)
{
    auto q = parse_ok(read_coils_req, Direction::ToServer);
    EXPECT_EQ(q.transaction_id, 1);
    EXPECT_EQ(q.unit_id, 0x11);
    EXPECT_EQ(q.function(), 1);
    EXPECT_EQ(q.address, 19);
    EXPECT_EQ(q.quantity, 19);
    EXPECT_TRUE(q.has(Has::Address) && q.has(Has::Quantity));
    auto r = parse_ok(read_coils_resp, Direction::ToClient);
    EXPECT_EQ(r.byte_count, 3);
    EXPECT_EQ(r.value_kind, ValueKind::Bits);
    EXPECT_EQ(r.value_count, 24);
    EXPECT_FALSE(r.has(Has::Address));
    const auto j = render(r);
    ASSERT_EQ(j["coils"].get<std::string>().size(), 24u);
    EXPECT_EQ(j["coils"].get<std::string>().substr(0, 8), "10110011");  // 0xCD = 1100 1101, LSB first
    EXPECT_FALSE(j.contains("values"));
    EXPECT_EQ(j["function_name"], "read_coils");
}

TEST(ModbusParser, ReadDiscreteInputs)
{
    auto q = parse_ok(read_discrete_req, Direction::ToServer);
    EXPECT_EQ(q.function(), 2);
    EXPECT_EQ(q.address, 196);
    EXPECT_EQ(q.quantity, 22);
    auto r = parse_ok(read_discrete_resp, Direction::ToClient);
    EXPECT_EQ(r.values.size(), 3u);
}

TEST(ModbusParser, ReadHoldingRegisters)
{
    auto q = parse_ok(read_holding_req, Direction::ToServer);
    EXPECT_EQ(q.address, 107);
    EXPECT_EQ(q.quantity, 3);
    auto r = parse_ok(read_holding_resp, Direction::ToClient);
    EXPECT_EQ(r.value_kind, ValueKind::Registers);
    EXPECT_EQ(r.value_count, 3);
    EXPECT_EQ(render(r)["values"], nlohmann::json({555, 0, 100}));
}

TEST(ModbusParser, ReadInputRegisters)
{
    auto q = parse_ok(read_input_req, Direction::ToServer);
    EXPECT_EQ(q.function(), 4);
    EXPECT_EQ(q.address, 8);
    auto r = parse_ok(read_input_resp, Direction::ToClient);
    EXPECT_EQ(render(r)["values"], nlohmann::json({10}));
}

TEST(ModbusParser, WriteSingleCoilAndRegister)
{
    auto c = parse_ok(write_coil_req, Direction::ToServer);
    EXPECT_EQ(c.address, 172);
    EXPECT_EQ(c.value, 0xFF00);
    auto cr = parse_ok(write_coil_req, Direction::ToClient);
    EXPECT_EQ(cr.value, 0xFF00);
    auto g = parse_ok(write_register_req, Direction::ToServer);
    EXPECT_EQ(g.address, 1);
    EXPECT_EQ(g.value, 3);
    EXPECT_FALSE(g.has(Has::Quantity));
}

TEST(ModbusParser, ReadExceptionStatus)
{
    auto q = parse_ok(read_exception_status_req, Direction::ToServer);
    EXPECT_EQ(q.present, 0u);
    auto r = parse_ok(read_exception_status_resp, Direction::ToClient);
    EXPECT_EQ(r.value, 0x6D);
    EXPECT_TRUE(r.has(Has::Value));
}

TEST(ModbusParser, Diagnostics)
{
    auto q = parse_ok(diagnostics_req, Direction::ToServer);
    EXPECT_EQ(q.subfunction, 0);
    EXPECT_EQ(bytes_of(q.data), (std::vector<uint8_t>{0xA5, 0x37}));
    auto f = parse_ok(force_listen_only_req, Direction::ToServer);
    EXPECT_EQ(f.subfunction, 4);
    const auto j = render(f);
    EXPECT_EQ(j["subfunction_name"], "force_listen_only_mode");
    EXPECT_EQ(j["data"], "0000");
}

TEST(ModbusParser, CommEventCounterAndLog)
{
    parse_ok(comm_event_counter_req, Direction::ToServer);
    auto c = parse_ok(comm_event_counter_resp, Direction::ToClient);
    EXPECT_EQ(c.status, 0xFFFF);
    EXPECT_EQ(c.event_count, 264);
    parse_ok(comm_event_log_req, Direction::ToServer);
    auto l = parse_ok(comm_event_log_resp, Direction::ToClient);
    EXPECT_EQ(l.byte_count, 8);
    EXPECT_EQ(l.event_count, 264);
    EXPECT_EQ(l.message_count, 289);
    EXPECT_EQ(bytes_of(l.data), (std::vector<uint8_t>{0x20, 0x00}));
}

TEST(ModbusParser, WriteMultipleCoils)
{
    auto q = parse_ok(write_coils_req, Direction::ToServer);
    EXPECT_EQ(q.address, 19);
    EXPECT_EQ(q.quantity, 10);
    EXPECT_EQ(q.byte_count, 2);
    EXPECT_EQ(q.value_count, 10);
    EXPECT_EQ(render(q)["coils"], "1011001110");
    auto r = parse_ok(write_coils_resp, Direction::ToClient);
    EXPECT_EQ(r.quantity, 10);
    EXPECT_EQ(r.value_kind, ValueKind::None);
}

TEST(ModbusParser, WriteMultipleRegisters)
{
    auto q = parse_ok(write_registers_req, Direction::ToServer);
    EXPECT_EQ(q.quantity, 2);
    EXPECT_EQ(render(q)["values"], nlohmann::json({10, 258}));
    auto r = parse_ok(write_registers_resp, Direction::ToClient);
    EXPECT_EQ(r.address, 1);
    EXPECT_EQ(r.quantity, 2);
}

TEST(ModbusParser, ReportServerId)
{
    parse_ok(report_server_id_req, Direction::ToServer);
    auto r = parse_ok(report_server_id_resp, Direction::ToClient);
    EXPECT_EQ(r.byte_count, 3);
    EXPECT_EQ(render(r)["data"], "2aff01");
}

TEST(ModbusParser, ReadFileRecord)
{
    auto q = parse_ok(read_file_req, Direction::ToServer);
    EXPECT_EQ(q.item_kind, ItemKind::FileReadRequest);
    EXPECT_EQ(q.item_count, 2);
    EXPECT_EQ(render(q)["records"], nlohmann::json::parse(R"([
        {"file_number":4,"record_number":1,"record_length":2},
        {"file_number":3,"record_number":9,"record_length":2}])"));
    auto r = parse_ok(read_file_resp, Direction::ToClient);
    EXPECT_EQ(r.item_count, 2);
    EXPECT_EQ(render(r)["records"], nlohmann::json::parse(R"([
        {"record_length":2,"data":"0dfe0020"},{"record_length":2,"data":"33cd0040"}])"));
}

TEST(ModbusParser, WriteFileRecord)
{
    for (auto dir : {Direction::ToServer, Direction::ToClient}) {
        auto p = parse_ok(write_file_req, dir);
        EXPECT_EQ(p.item_kind, ItemKind::FileWrite);
        EXPECT_EQ(render(p)["records"], nlohmann::json::parse(R"([
            {"file_number":4,"record_number":7,"record_length":3,"data":"06af04be100d"}])"));
    }
}

TEST(ModbusParser, MaskWriteRegister)
{
    auto q = parse_ok(mask_write_req, Direction::ToServer);
    EXPECT_EQ(q.address, 4);
    EXPECT_EQ(q.and_mask, 0xF2);
    EXPECT_EQ(q.or_mask, 0x25);
    parse_ok(mask_write_req, Direction::ToClient);
}

TEST(ModbusParser, ReadWriteMultipleRegisters)
{
    auto q = parse_ok(read_write_req, Direction::ToServer);
    EXPECT_EQ(q.address, 3);
    EXPECT_EQ(q.quantity, 6);
    EXPECT_EQ(q.write_address, 14);
    EXPECT_EQ(q.write_quantity, 3);
    EXPECT_EQ(render(q)["values"], nlohmann::json({255, 255, 255}));
    auto r = parse_ok(read_write_resp, Direction::ToClient);
    EXPECT_EQ(render(r)["values"], nlohmann::json({254, 2765, 1, 3, 13, 255}));
}

TEST(ModbusParser, ReadFifoQueue)
{
    auto q = parse_ok(read_fifo_req, Direction::ToServer);
    EXPECT_EQ(q.address, 1246);
    auto r = parse_ok(read_fifo_resp, Direction::ToClient);
    EXPECT_EQ(r.byte_count, 6);
    EXPECT_EQ(r.fifo_count, 2);
    EXPECT_EQ(render(r)["values"], nlohmann::json({440, 4740}));
}

TEST(ModbusParser, CanopenGeneralReference)
{
    auto q = parse_ok(canopen_req, Direction::ToServer);
    EXPECT_EQ(q.mei_type, 13);
    EXPECT_EQ(bytes_of(q.data), (std::vector<uint8_t>{1, 2, 3}));
    auto r = parse_ok(canopen_resp, Direction::ToClient);
    EXPECT_EQ(render(r)["data"], "0a0b");
}

TEST(ModbusParser, ReadDeviceIdentification)
{
    auto q = parse_ok(device_id_req, Direction::ToServer);
    EXPECT_EQ(q.mei_type, 14);
    EXPECT_EQ(q.read_dev_id_code, 1);
    EXPECT_EQ(q.object_id, 0);
    EXPECT_TRUE(q.has(Has::ObjectId));
    auto r = parse_ok(device_id_resp, Direction::ToClient);
    EXPECT_EQ(r.conformity_level, 1);
    EXPECT_EQ(r.more_follows, 0);
    EXPECT_EQ(r.object_count, 3);
    const auto j = render(r);
    EXPECT_EQ(j["number_of_objects"], 3);
    EXPECT_EQ(j["objects"], nlohmann::json::parse(R"([
        {"id":0,"name":"VendorName","value":"Company"},
        {"id":1,"name":"ProductCode","value":"Product"},
        {"id":2,"name":"MajorMinorRevision","value":"V2.11"}])"));
}

TEST(ModbusParser, ExceptionResponse)
{
    auto r = parse_ok(exception_resp, Direction::ToClient, anomaly_bit(Anomaly::Exception));
    EXPECT_TRUE(r.is_exception());
    EXPECT_EQ(r.function(), 3);
    EXPECT_EQ(r.exception_code, 2);
    const auto j = render(r);
    EXPECT_EQ(j["function_code"], 3);
    EXPECT_EQ(j["exception_code"], 2);
    EXPECT_EQ(j["exception_name"], "illegal_data_address");
}

TEST(ModbusParser, UserDefinedFunctionIsNotUnknown)
{
    auto q = parse_ok(user_defined_req, Direction::ToServer);
    EXPECT_EQ(render(q)["function_name"], "user_defined");
    EXPECT_EQ(bytes_of(q.data), (std::vector<uint8_t>{0xDE, 0xAD}));
}

// --- properties over every vector ---

TEST(ModbusParser, EveryVectorParsesWhole)
{
    for (const auto& v : all_vectors) {
        SCOPED_TRACE(v.name);
        Pdu p;
        const auto r = parse_pdu(v.bytes, v.dir, p);
        ASSERT_EQ(r.kind, Kind::Ok);
        EXPECT_EQ(r.size, v.bytes.size());
        EXPECT_EQ(p.anomalies, v.bytes.data() == exception_resp ? anomaly_bit(Anomaly::Exception) : 0u);
        // Contract keys are always there.
        const auto j = render(p);
        EXPECT_TRUE(j.contains("transaction_id") && j.contains("unit_id") && j.contains("function_code") &&
                    j.contains("pcap_cnt"));
    }
}

TEST(ModbusParser, EveryStrictPrefixNeedsMore)
{
    for (const auto& v : all_vectors) {
        SCOPED_TRACE(v.name);
        for (size_t n = 0; n < v.bytes.size(); ++n) {
            // An exactly sized heap copy so ASan sees any read past the end.
            const std::vector<uint8_t> prefix(v.bytes.begin(),
                                              v.bytes.begin() + static_cast<std::ptrdiff_t>(n));
            Pdu p;
            const auto r = parse_pdu(prefix, v.dir, p);
            ASSERT_EQ(r.kind, Kind::NeedMore) << "prefix " << n;
            EXPECT_EQ(r.size, n < mbap_header_len ? mbap_header_len - n : v.bytes.size() - n);
        }
    }
}

TEST(ModbusParser, TrailingBytesAreNotConsumed)
{
    auto two = bytes_of(read_holding_req);
    two.insert(two.end(), std::begin(read_input_req), std::end(read_input_req));
    Pdu p;
    const auto r = parse_pdu(two, Direction::ToServer, p);
    ASSERT_EQ(r.kind, Kind::Ok);
    EXPECT_EQ(r.size, sizeof read_holding_req);
    EXPECT_EQ(p.function(), 3);
}

// --- one test per parser-level anomaly ---

TEST(ModbusParserAnomaly, BadProtocolIdIsNotThisProtocol)
{
    auto b = bytes_of(read_holding_req);
    b[3] = 0x01;  // protocol id 1
    Pdu p;
    EXPECT_EQ(parse_pdu(b, Direction::ToServer, p).kind, Kind::NotThisProtocol);
}

TEST(ModbusParserAnomaly, BadLength)
{
    for (uint16_t len : {0, 1, max_framed_length_field + 1, 0xFFFF}) {
        auto b = bytes_of(read_holding_req);
        b[4] = static_cast<uint8_t>(len >> 8);
        b[5] = static_cast<uint8_t>(len);
        Pdu p;
        const auto r = parse_pdu(b, Direction::ToServer, p);
        EXPECT_EQ(r.kind, Kind::Anomaly) << len;
        EXPECT_EQ(r.reason, Anomaly::BadLength);
    }
}

TEST(ModbusParserAnomaly, OverLongLengthIsFramedAndFlagged)
{
    // A Schneider PLC answers UMAS (FC 90) with length 255, one over the spec limit.
    std::vector<uint8_t> b = {
        0x00, 0x07,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0xFF,  // length 255
        0x00,        // unit id
        0x5A,        // function: 90 (reserved; UMAS)
    };
    b.resize(6 + 255, 0xAB);  // 253 bytes of UMAS payload
    auto p = parse_ok(b, Direction::ToClient,
                      anomaly_bit(Anomaly::BadLength) | anomaly_bit(Anomaly::ReservedFunction));
    EXPECT_EQ(p.data.size(), 253u);
    EXPECT_FALSE(plausible_header(b, Direction::ToClient));  // resync stays strict
}

TEST(ModbusParserAnomaly, UnknownFunction)
{
    constexpr uint8_t b[] = {
        0x00, 0x01,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x03,  // length
        0x11,        // unit id
        0x30,        // function: 48, not defined anywhere
        0x00,        // data
    };
    auto p = parse_ok(b, Direction::ToServer, anomaly_bit(Anomaly::UnknownFunction));
    EXPECT_EQ(render(p)["function_name"], "unknown");
}

TEST(ModbusParserAnomaly, ExceptionBitInRequestIsUnknownFunction)
{
    auto b = bytes_of(exception_resp);
    parse_ok(b, Direction::ToServer, anomaly_bit(Anomaly::UnknownFunction));
}

TEST(ModbusParserAnomaly, ReservedFunction)
{
    constexpr uint8_t umas[] = {
        0x00, 0x01,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x04,  // length
        0x11,        // unit id
        0x5A,        // function: 90 (reserved; Schneider UMAS)
        0x00, 0x02,  // UMAS payload
    };
    auto p = parse_ok(umas, Direction::ToServer, anomaly_bit(Anomaly::ReservedFunction));
    EXPECT_EQ(render(p)["function_name"], "reserved");
    auto mei = bytes_of(canopen_req);
    mei[8] = 0x05;  // MEI type 5: reserved
    parse_ok(mei, Direction::ToServer, anomaly_bit(Anomaly::ReservedFunction));
}

TEST(ModbusParserAnomaly, Exception)
{
    parse_ok(exception_resp, Direction::ToClient, anomaly_bit(Anomaly::Exception));
}

TEST(ModbusParserAnomaly, InvalidQuantity)
{
    struct Case {
        std::span<const uint8_t> vec;
        size_t offset;  // where the quantity sits
        uint16_t quantity;
    };
    const Case cases[] = {
        {read_coils_req, 10, 0}, {read_coils_req, 10, 2001},    {read_holding_req, 10, 126},
        {read_input_req, 10, 0}, {read_discrete_req, 10, 2001},
    };
    for (const auto& c : cases) {
        auto b = bytes_of(c.vec);
        b[c.offset] = static_cast<uint8_t>(c.quantity >> 8);
        b[c.offset + 1] = static_cast<uint8_t>(c.quantity);
        SCOPED_TRACE(c.quantity);
        parse_ok(b, Direction::ToServer, anomaly_bit(Anomaly::InvalidQuantity));
    }
    // Range past address 65535: read 3 registers from 65534.
    auto b = bytes_of(read_holding_req);
    b[8] = 0xFF;
    b[9] = 0xFE;
    parse_ok(b, Direction::ToServer, anomaly_bit(Anomaly::InvalidQuantity));
    // Write multiple registers, quantity 124 (byte count then cannot be checked against it).
    auto w = bytes_of(write_registers_req);
    w[11] = 124;
    parse_ok(w, Direction::ToServer, anomaly_bit(Anomaly::InvalidQuantity));
    // Read/write multiple, quantity to write 122.
    auto rw = bytes_of(read_write_req);
    rw[15] = 122;
    parse_ok(rw, Direction::ToServer, anomaly_bit(Anomaly::InvalidQuantity));
    // FIFO count above 31.
    constexpr uint8_t fifo[] = {
        0x00, 0x18,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x06,  // length
        0x11,        // unit id
        0x18,        // function: read fifo queue
        0x00, 0x42,  // byte count (2 + 2 * 32)
        0x00, 0x20,  // FIFO count 32
    };
    parse_ok(fifo, Direction::ToClient,
             anomaly_bit(Anomaly::InvalidQuantity) | anomaly_bit(Anomaly::ByteCountMismatch));
}

TEST(ModbusParserAnomaly, InvalidValue)
{
    auto coil = bytes_of(write_coil_req);
    coil[10] = 0x12;  // value 0x1200: neither on nor off
    parse_ok(coil, Direction::ToServer, anomaly_bit(Anomaly::InvalidValue));
    auto exc = bytes_of(exception_resp);
    exc[8] = 0x09;  // exception code 9: undefined
    parse_ok(exc, Direction::ToClient, anomaly_bit(Anomaly::Exception) | anomaly_bit(Anomaly::InvalidValue));
    auto file = bytes_of(read_file_req);
    file[9] = 0x07;  // reference type 7
    parse_ok(file, Direction::ToServer, anomaly_bit(Anomaly::InvalidValue));
    auto dev = bytes_of(device_id_req);
    dev[9] = 0x05;  // read device id code 5
    parse_ok(dev, Direction::ToServer, anomaly_bit(Anomaly::InvalidValue));
    auto devr = bytes_of(device_id_resp);
    devr[11] = 0x01;  // more follows 1
    parse_ok(devr, Direction::ToClient, anomaly_bit(Anomaly::InvalidValue));
}

TEST(ModbusParserAnomaly, ByteCountMismatch)
{
    auto coils = bytes_of(write_coils_req);
    coils[12] = 0x01;  // byte count 1, two bytes follow, 10 coils need 2
    parse_ok(coils, Direction::ToServer, anomaly_bit(Anomaly::ByteCountMismatch));
    auto regs = bytes_of(read_holding_resp);
    regs[8] = 0x05;  // odd byte count, six bytes follow
    auto p = parse_ok(regs, Direction::ToClient, anomaly_bit(Anomaly::ByteCountMismatch));
    EXPECT_EQ(p.values.size(), 5u);
    EXPECT_EQ(p.value_count, 2);
    auto devr = bytes_of(device_id_resp);
    devr[13] = 0x04;  // says four objects, three follow
    parse_ok(devr, Direction::ToClient, anomaly_bit(Anomaly::ByteCountMismatch));
}

TEST(ModbusParserAnomaly, MalformedPdu)
{
    constexpr uint8_t short_read[] = {
        0x00, 0x03,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x04,  // length: too short for address and quantity
        0x11,        // unit id
        0x03,        // function: read holding registers
        0x00, 0x6B,  // start address; quantity missing
    };
    auto p = parse_ok(short_read, Direction::ToServer, anomaly_bit(Anomaly::MalformedPdu));
    EXPECT_TRUE(p.has(Has::Address));
    EXPECT_FALSE(p.has(Has::Quantity));
    constexpr uint8_t long_write[] = {
        0x00, 0x06,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x07,  // length: one byte more than the fields
        0x11,        // unit id
        0x06,        // function: write single register
        0x00, 0x01,  // register address
        0x00, 0x03,  // value
        0x99,        // trailing byte
    };
    parse_ok(long_write, Direction::ToServer, anomaly_bit(Anomaly::MalformedPdu));
    auto file = bytes_of(read_file_resp);
    file[9] = 0x0F;  // first sub-response claims 15 bytes, runs past the end
    parse_ok(file, Direction::ToClient, anomaly_bit(Anomaly::MalformedPdu));
}

// --- probe and plausibility ---

TEST(ModbusProbe, Cases)
{
    using dissect::ProbeResult;
    EXPECT_EQ(probe(read_holding_req, Direction::ToServer), ProbeResult::Match);
    EXPECT_EQ(probe(read_holding_resp, Direction::ToClient), ProbeResult::Match);
    EXPECT_EQ(probe(exception_resp, Direction::ToClient), ProbeResult::Match);
    EXPECT_EQ(probe(exception_resp, Direction::ToServer), ProbeResult::NoMatch);
    EXPECT_EQ(probe(user_defined_req, Direction::ToServer), ProbeResult::Match);
    EXPECT_EQ(probe(std::span{read_holding_req}.first(7), Direction::ToServer), ProbeResult::NeedMore);
    EXPECT_EQ(probe({}, Direction::ToServer), ProbeResult::NeedMore);
    constexpr uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    EXPECT_EQ(probe(http, Direction::ToServer), ProbeResult::NoMatch);
    EXPECT_EQ(probe(std::span{http}.first(4), Direction::ToServer), ProbeResult::NoMatch);
    auto b = bytes_of(read_holding_req);
    b[5] = 0x01;  // length 1
    EXPECT_EQ(probe(b, Direction::ToServer), ProbeResult::NoMatch);
    b = bytes_of(read_holding_req);
    b[7] = 0x30;  // function 48
    EXPECT_EQ(probe(b, Direction::ToServer), ProbeResult::NoMatch);
    b[7] = 0x00;  // function 0
    EXPECT_EQ(probe(b, Direction::ToServer), ProbeResult::NoMatch);
}

TEST(ModbusInfo, DissectorInfo)
{
    EXPECT_EQ(dissector_info.proto, Protocol::Modbus);
    EXPECT_EQ(dissector_info.transport, dissect::Transport::Tcp);
    ASSERT_EQ(dissector_info.ports.size(), 1u);
    EXPECT_EQ(dissector_info.ports[0], 502);
    EXPECT_EQ(dissector_info.anomalies.size(), anomaly_table.size());
}

TEST(ModbusInfo, AnomalyTableIsStable)
{
    std::set<std::string_view> names;
    for (size_t i = 0; i < anomaly_table.size(); ++i) {
        const auto& a = anomaly_table[i];
        EXPECT_EQ(a.code, i + 1);
        EXPECT_TRUE(a.name.starts_with("modbus."));
        EXPECT_GE(a.severity, 1);
        EXPECT_LE(a.severity, 3);
        EXPECT_FALSE(a.text.empty());
        EXPECT_TRUE(names.insert(a.name).second) << a.name;
    }
    EXPECT_EQ(info(Anomaly::BadLength).name, "modbus.bad_length");
    EXPECT_EQ(info(Anomaly::Exception).severity, 3);
}

TEST(ModbusInfo, FieldTable)
{
    std::set<std::string_view> names;
    std::set<std::string_view> keys;
    for (const auto& f : fields()) {
        EXPECT_TRUE(f.name.starts_with("modbus.")) << f.name;
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        if (!f.eve_key.empty()) {
            EXPECT_TRUE(keys.insert(f.eve_key).second) << f.eve_key;
        }
        EXPECT_FALSE(f.doc.empty());
    }
    for (auto k : {"transaction_id", "unit_id", "function_code", "exception_code", "address", "quantity"})
        EXPECT_TRUE(keys.contains(k)) << k;
}

}  // namespace
}  // namespace otsentry::modbus
