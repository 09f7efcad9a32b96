// The IEC 104 parser: every type id we claim (one vector each, iec104_vectors.h), the APCI
// formats, every strict prefix, each framing and ASDU anomaly, the configurable field lengths,
// probe() and the rendering of the information objects.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <vector>

#include "dissectors/common/json_writer.h"
#include "dissectors/iec104/iec104_objects.h"
#include "dissectors/iec104/iec104_parser.h"
#include "dissectors/iec104/iec104_session.h"
#include "dissectors/iec104/tests/iec104_vectors.h"

namespace otsentry::iec104 {
namespace {

using test::all_types;

constexpr Direction C = Direction::ToServer;

// clang-format off
constexpr uint8_t startdt_act[] = {0x68, 0x04, 0x07, 0x00, 0x00, 0x00};  // U: STARTDT act
constexpr uint8_t startdt_con[] = {0x68, 0x04, 0x0B, 0x00, 0x00, 0x00};  // U: STARTDT con
constexpr uint8_t stopdt_act[]  = {0x68, 0x04, 0x13, 0x00, 0x00, 0x00};  // U: STOPDT act
constexpr uint8_t stopdt_con[]  = {0x68, 0x04, 0x23, 0x00, 0x00, 0x00};  // U: STOPDT con
constexpr uint8_t testfr_act[]  = {0x68, 0x04, 0x43, 0x00, 0x00, 0x00};  // U: TESTFR act
constexpr uint8_t testfr_con[]  = {0x68, 0x04, 0x83, 0x00, 0x00, 0x00};  // U: TESTFR con
constexpr uint8_t s_frame[] = {
    0x68, 0x04,
    0x01, 0x00,              // S-format
    0xFE, 0xFF,              // N(R) 32767 (the largest)
};
constexpr uint8_t i_max_seq[] = {
    0x68, 0x0E,
    0xFE, 0xFF,              // N(S) 32767
    0x02, 0x00,              // N(R) 1
    0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01,  // M_SP_NA_1 spont, IOA 66051, on
};
// M_SP_NA_1, SQ = 1, three objects from IOA 10: one address, then three SIQ octets.
constexpr uint8_t sp_sequence[] = {
    0x68, 0x10,
    0x00, 0x00, 0x00, 0x00,
    0x01,                    // M_SP_NA_1
    0x83,                    // SQ 1, 3 objects
    0x14,                    // COT 20 interrogated
    0x00, 0x01, 0x00,        // originator 0, common address 1
    0x0A, 0x00, 0x00,        // IOA 10
    0x01, 0x00, 0x81,        // on; off; on + invalid
};
// M_ME_NC_1 with two objects (SQ 0): each with its own address.
constexpr uint8_t me_two[] = {
    0x68, 0x1A,
    0x00, 0x00, 0x00, 0x00,
    0x0D, 0x02, 0x03, 0x00, 0x01, 0x00,           // M_ME_NC_1, 2 objects, spont, CA 1
    0x14, 0x05, 0x00, 0xCD, 0xCC, 0x8C, 0x3F, 0x00,  // IOA 1300: 1.1f, good
    0x15, 0x05, 0x00, 0x00, 0x00, 0x20, 0xC1, 0x01,  // IOA 1301: -10.0f, overflow
};
// Framing faults.
constexpr uint8_t len_3[]   = {0x68, 0x03, 0x01, 0x00, 0x00};
constexpr uint8_t len_254[] = {0x68, 0xFE, 0x00, 0x00};
constexpr uint8_t u_len_5[] = {0x68, 0x05, 0x43, 0x00, 0x00, 0x00, 0x00};  // TESTFR act + 1 byte
constexpr uint8_t i_no_asdu[] = {0x68, 0x04, 0x00, 0x00, 0x00, 0x00};      // I-format, nothing after
constexpr uint8_t s_reserved[] = {0x68, 0x04, 0x05, 0x00, 0x00, 0x00};     // S with bit 2 set
constexpr uint8_t i_reserved[] = {
    0x68, 0x0E, 0x00, 0x00,
    0x01, 0x00,              // bit 0 of octet 3 set: reserved in I-format
    0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t u_two_bits[] = {0x68, 0x04, 0x0F, 0x00, 0x00, 0x00};  // STARTDT act + con at once
constexpr uint8_t u_no_bits[]  = {0x68, 0x04, 0x03, 0x00, 0x00, 0x00};
constexpr uint8_t u_octet3[]   = {0x68, 0x04, 0x43, 0x00, 0x01, 0x00};  // TESTFR act, octet 3 != 0
constexpr uint8_t short_asdu[] = {0x68, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00};
constexpr uint8_t unknown_type[] = {
    0x68, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x16,                    // type id 22: reserved
    0x01, 0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t cot_not_allowed[] = {
    0x68, 0x0E, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x01,
    0x06,                    // COT 6 activation: not for single-point information
    0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t cot_zero[] = {
    0x68, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x00,                    // COT 0: not defined
    0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t cot_private[] = {
    0x68, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
    0x30,                    // COT 48: private range, allowed
    0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t count_mismatch[] = {
    0x68, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x02,                    // 2 objects announced, 1 present
    0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01};
constexpr uint8_t trailing[] = {
    0x68, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01,
    0xEE};                   // one byte after the announced object
// clang-format on

ParseResult parse(std::span<const uint8_t> bytes, Pdu& pdu, const AsduConfig& cfg = {})
{
    return parse_apdu(bytes, pdu, cfg);
}

nlohmann::json render(const Pdu& pdu)
{
    std::string out;
    dissect::JsonWriter w{out};
    write_pdu_json(w, pdu);
    EXPECT_EQ(w.depth(), 0u);
    return nlohmann::json::parse(out);
}

nlohmann::json render(std::span<const uint8_t> bytes)
{
    Pdu pdu;
    EXPECT_EQ(parse(bytes, pdu).kind, ParseResult::Kind::Ok);
    return render(pdu);
}

TEST(Iec104Parser, EveryTypeVectorParsesClean)
{
    for (const auto& v : all_types) {
        SCOPED_TRACE(std::string{v.name});
        Pdu pdu;
        const auto r = parse(v.bytes, pdu);
        ASSERT_EQ(r.kind, ParseResult::Kind::Ok);
        EXPECT_EQ(r.size, v.bytes.size());
        EXPECT_EQ(pdu.apci, ApciType::I);
        EXPECT_EQ(pdu.type_id, v.type_id);
        EXPECT_EQ(pdu.cause(), v.cot);
        EXPECT_EQ(pdu.common_address, 258);
        EXPECT_EQ(pdu.originator, 0);
        EXPECT_EQ(pdu.first_ioa, 66051u);
        EXPECT_EQ(pdu.object_count, 1);
        EXPECT_EQ(pdu.anomalies, 0u);
        EXPECT_EQ(plausible_header(v.bytes), Plausible::Yes);
        EXPECT_EQ(probe(v.bytes, C), dissect::ProbeResult::Match);
        const auto j = render(pdu);
        EXPECT_EQ(j["type_name"], type_name(v.type_id));
        EXPECT_EQ(j["ioas"], nlohmann::json::array({66051}));
        EXPECT_EQ(j["objects"].size(), 1u);
    }
}

TEST(Iec104Parser, EveryStandardTypeHasAVector)
{
    for (const auto& t : standard_types()) {
        bool found = false;
        for (const auto& v : all_types)
            found = found || v.type_id == t.id;
        EXPECT_TRUE(found) << t.name;
    }
}

TEST(Iec104Parser, EveryStrictPrefixNeedsMore)
{
    std::vector<std::span<const uint8_t>> all;
    for (const auto& v : all_types)
        all.push_back(v.bytes);
    for (std::span<const uint8_t> b :
         {std::span<const uint8_t>{startdt_act}, std::span<const uint8_t>{s_frame},
          std::span<const uint8_t>{sp_sequence}, std::span<const uint8_t>{me_two}})
        all.push_back(b);
    for (const auto& b : all)
        for (size_t n = 0; n < b.size(); ++n) {
            Pdu pdu;
            EXPECT_EQ(parse(b.first(n), pdu).kind, ParseResult::Kind::NeedMore) << n;
            EXPECT_NE(plausible_header(b.first(n)), Plausible::No) << n;
        }
}

TEST(Iec104Parser, UFormatFunctions)
{
    const std::pair<std::span<const uint8_t>, std::string_view> cases[] = {
        {startdt_act, "startdt_act"}, {startdt_con, "startdt_con"}, {stopdt_act, "stopdt_act"},
        {stopdt_con, "stopdt_con"},   {testfr_act, "testfr_act"},   {testfr_con, "testfr_con"},
    };
    for (const auto& [bytes, name] : cases) {
        Pdu pdu;
        ASSERT_EQ(parse(bytes, pdu).kind, ParseResult::Kind::Ok);
        EXPECT_EQ(pdu.apci, ApciType::U);
        EXPECT_EQ(pdu.anomalies, 0u);
        EXPECT_EQ(u_function_name(pdu.u_function()), name);
        const auto j = render(pdu);
        EXPECT_EQ(j["apci_type"], "U");
        EXPECT_EQ(j["u_function"], name);
        EXPECT_FALSE(j.contains("tx_seq"));
        EXPECT_FALSE(j.contains("type_id"));
    }
}

TEST(Iec104Parser, SequenceNumbersUseAll15Bits)
{
    Pdu pdu;
    ASSERT_EQ(parse(s_frame, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.apci, ApciType::S);
    EXPECT_EQ(pdu.recv_seq, 32767);
    EXPECT_EQ(pdu.anomalies, 0u);
    EXPECT_EQ(render(pdu)["rx_seq"], 32767);
    ASSERT_EQ(parse(i_max_seq, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.send_seq, 32767);
    EXPECT_EQ(pdu.recv_seq, 1);
    const auto j = render(pdu);
    EXPECT_EQ(j["tx_seq"], 32767);
    EXPECT_EQ(j["rx_seq"], 1);
}

TEST(Iec104Parser, SequenceOfObjectsHasConsecutiveAddresses)
{
    Pdu pdu;
    ASSERT_EQ(parse(sp_sequence, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.anomalies, 0u);
    EXPECT_TRUE(pdu.sq());
    EXPECT_EQ(pdu.object_count, 3);
    const auto j = render(pdu);
    EXPECT_EQ(j["sq"], true);
    EXPECT_EQ(j["ioas"], nlohmann::json::array({10, 11, 12}));
    EXPECT_EQ(j["objects"][1]["value"], 0);
    EXPECT_EQ(j["objects"][2]["quality"]["iv"], true);
    EXPECT_EQ(j["cause_name"], "interrogated_station");
}

TEST(Iec104Parser, FloatsAreWrittenInTheirShortestForm)
{
    const auto j = render(me_two);
    EXPECT_EQ(j["ioas"], nlohmann::json::array({1300, 1301}));
    EXPECT_EQ(j["objects"][0]["value"].dump(), "1.1");
    EXPECT_EQ(j["objects"][1]["value"].dump(), "-10");  // a whole number is written without ".0"
    EXPECT_EQ(j["objects"][1]["quality"]["ov"], true);
}

// What the objects of some vectors render as: one check per kind of information element.
TEST(Iec104Parser, ObjectElements)
{
    struct Check {
        std::span<const uint8_t> bytes;
        const char* pointer;
        nlohmann::json want;
    };
    const Check checks[] = {
        {test::m_sp_na_1, "/objects/0/value", 1},
        {test::m_sp_na_1, "/objects/0/quality/iv", false},
        {test::m_sp_ta_1, "/objects/0/time_of_hour", "05:04.660"},
        {test::m_dp_na_1, "/objects/0/value", 2},
        {test::m_st_na_1, "/objects/0/value", -1},
        {test::m_st_na_1, "/objects/0/transient", false},
        {test::m_bo_na_1, "/objects/0/value", 0x12345678},
        {test::m_me_na_1, "/objects/0/value", 0.5},
        {test::m_me_nb_1, "/objects/0/value", -100},
        {test::m_me_nc_1, "/objects/0/value", 1.5},
        {test::m_me_nc_1, "/objects/0/quality/iv", true},
        {test::m_it_na_1, "/objects/0/value", 1000},
        {test::m_it_na_1, "/objects/0/counter/sq", 5},
        {test::m_ep_ta_1, "/objects/0/event_state", 2},
        {test::m_ep_ta_1, "/objects/0/elapsed_ms", 1000},
        {test::m_ep_tb_1, "/objects/0/start_events", 1},
        {test::m_ep_tc_1, "/objects/0/output_circuits", 1},
        {test::m_ps_na_1, "/objects/0/status", 15},
        {test::m_me_nd_1, "/objects/0/value", 0.5},
        {test::m_sp_tb_1, "/objects/0/time", "2024-05-01T12:34:56.789"},
        {test::m_it_tb_1, "/objects/0/time", "2024-05-01T12:34:56.789"},
        {test::c_sc_na_1, "/objects/0/command", {{"state", 1}, {"select", true}, {"qu", 0}}},
        {test::c_dc_na_1, "/objects/0/command", {{"state", 2}, {"select", false}, {"qu", 1}}},
        {test::c_rc_na_1, "/objects/0/command/state", 1},
        {test::c_se_na_1, "/objects/0/qos", {{"ql", 0}, {"select", false}}},
        {test::c_se_nc_1, "/objects/0/qos/select", true},
        {test::c_bo_na_1, "/objects/0/value", 0x12345678},
        {test::c_sc_ta_1, "/objects/0/time", "2024-05-01T12:34:56.789"},
        {test::m_ei_na_1, "/objects/0/coi", {{"cause", 2}, {"local_change", false}}},
        {test::c_ic_na_1, "/objects/0/qoi", 20},
        {test::c_ci_na_1, "/objects/0/qcc", {{"rqt", 5}, {"frz", 1}}},
        {test::c_rd_na_1, "/objects/0", {{"ioa", 66051}}},
        {test::c_cs_na_1, "/objects/0/time", "2024-05-01T12:34:56.789"},
        {test::c_ts_na_1, "/objects/0/fbp", 0x55AA},
        {test::c_rp_na_1, "/objects/0/qrp", 1},
        {test::c_cd_na_1, "/objects/0/delay_ms", 1000},
        {test::c_ts_ta_1, "/objects/0/tsc", 42},
        {test::p_me_na_1, "/objects/0/qpm", {{"kpa", 1}, {"lpc", false}, {"pop", false}}},
        {test::p_ac_na_1, "/objects/0/qpa", 3},
        {test::f_fr_na_1, "/objects/0/lof", 256},
        {test::f_sr_na_1, "/objects/0/nos", 2},
        {test::f_sc_na_1, "/objects/0/scq", 1},
        {test::f_ls_na_1, "/objects/0/chs", 0x5A},
        {test::f_af_na_1, "/objects/0/afq", 1},
        {test::f_sg_na_1, "/objects/0/segment", "deadbe"},
        {test::f_dr_ta_1, "/objects/0/sof", 0x20},
        {test::f_sc_nb_1, "/objects/0/stop_time", "2024-05-01T12:34:56.789"},
    };
    for (const auto& c : checks) {
        const auto j = render(c.bytes);
        const auto ptr = nlohmann::json::json_pointer{c.pointer};
        ASSERT_TRUE(j.contains(ptr)) << c.pointer << " in " << j.dump();
        EXPECT_EQ(j[ptr], c.want) << c.pointer << " in " << j.dump();
    }
}

TEST(Iec104Parser, HeaderFieldsAndRuleFields)
{
    Pdu pdu;
    ASSERT_EQ(parse(test::c_dc_na_1, pdu).kind, ParseResult::Kind::Ok);
    const auto j = render(pdu);
    EXPECT_EQ(j["apci_type"], "I");
    EXPECT_EQ(j["tx_seq"], 0);
    EXPECT_EQ(j["type_id"], 46);
    EXPECT_EQ(j["type_name"], "C_DC_NA_1");
    EXPECT_EQ(j["cause"], 6);
    EXPECT_EQ(j["cause_name"], "activation");
    EXPECT_EQ(j["negative"], false);
    EXPECT_EQ(j["test"], false);
    EXPECT_EQ(j["originator"], 0);
    EXPECT_EQ(j["common_address"], 258);
    EXPECT_EQ(j["num_objects"], 1);
    auto field = [&](std::string_view name) {
        for (const auto& f : fields())
            if (f.name == name) return f.get(pdu);
        ADD_FAILURE() << "no field " << name;
        return dissect::FieldValue::none();
    };
    EXPECT_EQ(field("iec104.ioa").u, 66051u);
    EXPECT_EQ(field("iec104.dco").u, 0x06u);
    EXPECT_FALSE(field("iec104.sco").present);
    EXPECT_EQ(field("iec104.command_state").u, 2u);
    EXPECT_EQ(field("iec104.select").u, 0u);
    EXPECT_EQ(field("iec104.qu").u, 1u);
    EXPECT_EQ(field("iec104.cot").u, 6u);
    EXPECT_EQ(field("iec104.apci_type").str, "I");
    EXPECT_EQ(field("iec104.asdu").bytes.size(), sizeof(test::c_dc_na_1) - 6);
    EXPECT_FALSE(field("iec104.qoi").present);
    ASSERT_EQ(parse(test::c_ic_na_1, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(field("iec104.qoi").u, 20u);
    ASSERT_EQ(parse(test::c_rp_na_1, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(field("iec104.qrp").u, 1u);
    ASSERT_EQ(parse(test::c_se_nc_1, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(field("iec104.select").u, 1u);
    EXPECT_EQ(field("iec104.ql").u, 0u);
    ASSERT_EQ(parse(testfr_act, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(field("iec104.u_function").str, "testfr_act");
    EXPECT_FALSE(field("iec104.type_id").present);
    EXPECT_FALSE(field("iec104.recv_seq").present);
}

TEST(Iec104ParserAnomaly, FramingOutcomes)
{
    Pdu pdu;
    const std::array<uint8_t, 3> http = {'G', 'E', 'T'};
    EXPECT_EQ(parse(http, pdu).kind, ParseResult::Kind::NotThisProtocol);
    for (std::span<const uint8_t> b : {std::span<const uint8_t>{len_3}, std::span<const uint8_t>{len_254}}) {
        const auto r = parse(b, pdu);
        EXPECT_EQ(r.kind, ParseResult::Kind::Anomaly);
        EXPECT_EQ(r.reason, Anomaly::BadLength);
        EXPECT_EQ(plausible_header(b), Plausible::No);
    }
}

TEST(Iec104ParserAnomaly, FlaggedInsideAFramedApdu)
{
    const std::pair<std::span<const uint8_t>, Anomaly> cases[] = {
        {u_len_5, Anomaly::BadLength},           {i_no_asdu, Anomaly::BadLength},
        {s_reserved, Anomaly::BadControlField},  {i_reserved, Anomaly::BadControlField},
        {u_two_bits, Anomaly::UnknownUFunction}, {u_no_bits, Anomaly::UnknownUFunction},
        {u_octet3, Anomaly::UnknownUFunction},   {short_asdu, Anomaly::ShortAsdu},
        {unknown_type, Anomaly::UnknownTypeId},  {cot_not_allowed, Anomaly::CotNotAllowed},
        {cot_zero, Anomaly::CotNotAllowed},      {count_mismatch, Anomaly::ObjectCountMismatch},
        {trailing, Anomaly::TrailingBytes},
    };
    for (const auto& [bytes, anomaly] : cases) {
        Pdu pdu;
        const auto r = parse(bytes, pdu);
        ASSERT_EQ(r.kind, ParseResult::Kind::Ok) << info(anomaly).name;
        EXPECT_EQ(r.size, bytes.size());
        EXPECT_EQ(pdu.anomalies, bit(anomaly)) << info(anomaly).name;
        EXPECT_EQ(plausible_header(bytes), Plausible::No) << info(anomaly).name;
        render(pdu);  // still renders as an event
    }
    Pdu pdu;
    ASSERT_EQ(parse(cot_private, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.anomalies, 0u);
    EXPECT_EQ(render(pdu)["cause_name"], "private");
}

TEST(Iec104ParserAnomaly, WhatWasParsedIsKept)
{
    Pdu pdu;
    ASSERT_EQ(parse(count_mismatch, pdu).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.object_count, 1);
    EXPECT_EQ(render(pdu)["ioas"], nlohmann::json::array({66051}));
    ASSERT_EQ(parse(unknown_type, pdu).kind, ParseResult::Kind::Ok);
    const auto j = render(pdu);
    EXPECT_EQ(j["type_id"], 22);
    EXPECT_EQ(j["type_name"], "unknown");
    EXPECT_EQ(j["common_address"], 258);
    EXPECT_EQ(j["ioas"], nlohmann::json::array({66051}));  // the first address is where it always is
    EXPECT_FALSE(j.contains("objects"));
}

// IEC 101 profiles and vendor variants: 1-octet COT (no originator), 1-octet common address,
// 1- and 2-octet IOAs.
TEST(Iec104Parser, ConfigurableFieldLengths)
{
    // clang-format off
    constexpr uint8_t short_fields[] = {
        0x68, 0x0B, 0x00, 0x00, 0x00, 0x00,
        0x2D,                // C_SC_NA_1
        0x01,                // 1 object
        0x06,                // COT 6 (1 octet: no originator)
        0x07,                // common address 7 (1 octet)
        0x34, 0x12,          // IOA 0x1234 (2 octets)
        0x01,                // SCO on, execute
    };
    constexpr uint8_t ioa_1[] = {
        0x68, 0x0E, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x82, 0x03, 0x05,  // M_SP_NA_1, SQ 1, 2 objects, spont, originator 5
        0x02, 0x01,              // common address 258
        0xFF,                    // IOA 255 (1 octet)
        0x01, 0x00,              // on, off
        0xEE,                    // trailing
    };
    // clang-format on
    const AsduConfig small{1, 1, 2};
    ASSERT_TRUE(small.valid());
    Pdu pdu;
    ASSERT_EQ(parse(short_fields, pdu, small).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.anomalies, 0u);
    EXPECT_FALSE(pdu.has(Has::Originator));
    EXPECT_EQ(pdu.common_address, 7);
    EXPECT_EQ(pdu.first_ioa, 0x1234u);
    auto j = render(pdu);
    EXPECT_FALSE(j.contains("originator"));
    EXPECT_EQ(j["objects"][0]["command"]["state"], 1);
    EXPECT_EQ(plausible_header(short_fields, small), Plausible::Yes);
    EXPECT_EQ(plausible_header(short_fields), Plausible::No);  // too short for the 104 lengths

    const AsduConfig one{2, 2, 1};
    ASSERT_EQ(parse(ioa_1, pdu, one).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(pdu.anomalies, bit(Anomaly::TrailingBytes));
    EXPECT_EQ(pdu.originator, 5);
    j = render(pdu);
    // SQ addresses stay within the 1-octet field: 255, then 0.
    EXPECT_EQ(j["ioas"], nlohmann::json::array({255, 0}));
    EXPECT_FALSE(AsduConfig({0, 2, 3}).valid());
    EXPECT_FALSE(AsduConfig({2, 3, 3}).valid());
    EXPECT_FALSE(AsduConfig({2, 2, 4}).valid());
}

TEST(Iec104Parser, Probe)
{
    EXPECT_EQ(probe(startdt_act, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(s_frame, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(test::m_me_tf_1, C), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(std::span<const uint8_t>{startdt_act}.first(1), C), dissect::ProbeResult::NeedMore);
    EXPECT_EQ(probe(std::span<const uint8_t>{test::c_sc_na_1}.first(7), C), dissect::ProbeResult::NeedMore);
    const std::array<uint8_t, 8> http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T'};
    EXPECT_EQ(probe(http, C), dissect::ProbeResult::NoMatch);
    // A Modbus request: transaction id 0x6804 would look like a start byte and a length.
    const std::array<uint8_t, 12> modbus = {0x68, 0x04, 0x00, 0x00, 0x00, 0x06,
                                            0x01, 0x03, 0x00, 0x00, 0x00, 0x02};
    EXPECT_EQ(probe(modbus, C), dissect::ProbeResult::NoMatch);
    EXPECT_EQ(probe(len_3, C), dissect::ProbeResult::NoMatch);
    EXPECT_EQ(probe(u_two_bits, C), dissect::ProbeResult::NoMatch);
    EXPECT_EQ(probe(count_mismatch, C), dissect::ProbeResult::NoMatch);
}

TEST(Iec104Parser, Cp56Formatting)
{
    const std::array<uint8_t, 7> t = {0xE7, 0x03, 0x3B, 0x17, 0x1F, 0x0C, 0x63};  // 999 ms, 23:59, 31.12.99
    char buf[32];
    EXPECT_EQ(format_cp56(t, buf), "2099-12-31T23:59:00.999");
    const std::array<uint8_t, 7> odd = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};  // out of range
    EXPECT_EQ(format_cp56(odd, buf), "2127-15-31T31:63:65.535");
}

}  // namespace
}  // namespace otsentry::iec104
