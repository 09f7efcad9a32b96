// DNP3 parser tests: CRC, link frames (every strict prefix, bad CRCs and lengths), probe, and
// the application layer per function and object family, with the values EVE shows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "dissectors/common/json_writer.h"
#include "dissectors/dnp3/dnp3_objects.h"
#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/dnp3/dnp3_session.h"
#include "dissectors/dnp3/tests/dnp3_vectors.h"

namespace otsentry::dnp3 {
namespace {

namespace v = vectors;
using Objects = std::vector<std::tuple<int, int, int, uint32_t>>;  // group, variation, qualifier, count

Pdu parse(std::span<const uint8_t> app)
{
    Pdu pdu;
    parse_application(app, pdu);
    return pdu;
}

Objects objects_of(const Pdu& p)
{
    Objects out;
    for (size_t i = 0; i < p.object_count; ++i)
        out.emplace_back(p.objects[i].group, p.objects[i].variation, p.objects[i].qualifier,
                         p.objects[i].count);
    return out;
}

nlohmann::json to_json(const Pdu& p)
{
    std::string out;
    dissect::JsonWriter w{out};
    write_pdu_json(w, p);
    EXPECT_EQ(w.depth(), 0u);
    return nlohmann::json::parse(out);
}

// ------------------------------------------------------------------------------------ CRC

TEST(Dnp3Crc, CatalogueValueAndReferenceImplementation)
{
    const std::array<uint8_t, 9> check = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(crc16(check), 0xEA82);
    std::vector<uint8_t> bytes;
    for (int i = 0; i < 300; ++i) {
        bytes.push_back(static_cast<uint8_t>(i * 37 + 11));
        EXPECT_EQ(crc16(bytes), v::reference_crc(bytes)) << i;
    }
}

TEST(Dnp3Crc, HeaderOfACapturedFrame)
{
    // iti-dnp3_read_and_response.pcap frame 4: 05 64 14 c4 0a 00 01 00, CRC 0xed8f (tshark).
    const std::array<uint8_t, 8> header = {0x05, 0x64, 0x14, 0xC4, 0x0A, 0x00, 0x01, 0x00};
    EXPECT_EQ(crc16(header), 0xED8F);
}

// ------------------------------------------------------------------------------ link frames

TEST(Dnp3Link, ParsesHeaderAndJoinsBlocks)
{
    const auto bytes = v::from_master(v::read_class_req);
    LinkFrame f;
    const auto r = parse_link_frame(bytes, f);
    ASSERT_EQ(r.kind, ParseResult::Kind::Ok);
    EXPECT_EQ(r.size, bytes.size());
    EXPECT_EQ(f.header.length, 5 + 1 + v::read_class_req.size());
    EXPECT_EQ(f.header.src, v::master);
    EXPECT_EQ(f.header.dst, v::outstation);
    EXPECT_TRUE(f.header.dir());
    EXPECT_TRUE(f.header.prm());
    EXPECT_EQ(f.header.function(), 4);
    EXPECT_TRUE(f.header.carries_segment());
    EXPECT_FALSE(f.bad_data_crc);
    ASSERT_EQ(f.user_len, 1 + v::read_class_req.size());
    EXPECT_EQ(f.user_data[0], 0xC0);  // transport FIR FIN seq 0
    EXPECT_TRUE(std::equal(v::read_class_req.begin(), v::read_class_req.end(), f.user_data.begin() + 1));
}

TEST(Dnp3Link, FrameSizesFollowTheBlocks)
{
    EXPECT_EQ(link_frame_len(5), 10u);   // header only
    EXPECT_EQ(link_frame_len(6), 13u);   // 1 byte + CRC
    EXPECT_EQ(link_frame_len(21), 28u);  // one full block
    EXPECT_EQ(link_frame_len(22), 31u);  // a second block of 1
    EXPECT_EQ(link_frame_len(255), 292u);
}

TEST(Dnp3Link, EveryStrictPrefixNeedsMore)
{
    for (size_t user : {0u, 1u, 15u, 16u, 17u, 32u, 249u, 250u}) {
        const std::vector<uint8_t> data(user, 0x5A);
        const auto bytes = v::link_frame(0x44, 1, 10, data);
        ASSERT_EQ(bytes.size(), link_frame_len(static_cast<uint8_t>(5 + user)));
        LinkFrame f;
        EXPECT_EQ(parse_link_frame(bytes, f).kind, ParseResult::Kind::Ok);
        for (size_t n = 0; n < bytes.size(); ++n) {
            const auto r = parse_link_frame(std::span<const uint8_t>{bytes}.first(n), f);
            ASSERT_EQ(r.kind, ParseResult::Kind::NeedMore) << user << " " << n;
            EXPECT_GT(r.size, n);
            EXPECT_LE(r.size, bytes.size());
        }
    }
}

TEST(Dnp3Link, BadHeaderCrcLengthAndStart)
{
    LinkFrame f;
    auto bytes = v::from_master(v::read_class_req);
    bytes[8] ^= 0x01;  // header CRC
    EXPECT_EQ(parse_link_frame(bytes, f).reason, Anomaly::BadLinkCrc);

    auto short_len = v::link_frame(0xC9, 10, 1);
    short_len[2] = 4;  // length below 5, with a CRC that matches it
    const uint16_t c = crc16(std::span<const uint8_t>{short_len}.first(8));
    short_len[8] = static_cast<uint8_t>(c & 0xFF);
    short_len[9] = static_cast<uint8_t>(c >> 8);
    const auto r = parse_link_frame(short_len, f);
    EXPECT_EQ(r.kind, ParseResult::Kind::Anomaly);
    EXPECT_EQ(r.reason, Anomaly::BadLinkLength);
    EXPECT_FALSE(plausible_header(short_len));

    const std::array<uint8_t, 4> http = {'G', 'E', 'T', ' '};
    EXPECT_EQ(parse_link_frame(http, f).kind, ParseResult::Kind::NotThisProtocol);
    const std::array<uint8_t, 2> half = {0x05, 0x00};
    EXPECT_EQ(parse_link_frame(half, f).kind, ParseResult::Kind::NotThisProtocol);
}

TEST(Dnp3Link, BadDataCrcIsFlaggedAndTheDataKept)
{
    auto bytes = v::from_master(v::read_class_req);
    bytes[bytes.size() - 1] ^= 0xFF;  // CRC of the only data block
    LinkFrame f;
    ASSERT_EQ(parse_link_frame(bytes, f).kind, ParseResult::Kind::Ok);
    EXPECT_TRUE(f.bad_data_crc);
    EXPECT_EQ(f.user_len, 1 + v::read_class_req.size());
}

TEST(Dnp3Link, LinkOnlyFrames)
{
    LinkFrame f;
    const auto status = v::link_frame(0xC9, v::outstation, v::master);  // request link status
    ASSERT_EQ(parse_link_frame(status, f).kind, ParseResult::Kind::Ok);
    EXPECT_EQ(f.user_len, 0u);
    EXPECT_FALSE(f.header.carries_segment());
    EXPECT_EQ(link_function_name(true, 9), "request_link_status");
    EXPECT_EQ(link_function_name(false, 11), "link_status");
    EXPECT_EQ(link_function_name(false, 0), "ack");
    EXPECT_FALSE(known_link_function(true, 5));
    EXPECT_FALSE(known_link_function(false, 2));
}

// ------------------------------------------------------------------------------------ probe

TEST(Dnp3Probe, ByContent)
{
    const auto bytes = v::from_master(v::read_class_req);
    EXPECT_EQ(probe(bytes, Direction::ToServer), dissect::ProbeResult::Match);
    // Mid-stream: the tail of a frame, then a frame.
    std::vector<uint8_t> mid(bytes.begin() + 7, bytes.end());
    mid.insert(mid.end(), bytes.begin(), bytes.end());
    EXPECT_EQ(probe(mid, Direction::ToServer), dissect::ProbeResult::Match);
    EXPECT_EQ(probe(std::span<const uint8_t>{bytes}.first(1), Direction::ToServer),
              dissect::ProbeResult::NeedMore);
    EXPECT_EQ(probe(std::span<const uint8_t>{bytes}.first(6), Direction::ToServer),
              dissect::ProbeResult::NeedMore);
    const std::array<uint8_t, 16> http = {'G', 'E', 'T', ' ', '/', ' ', 'H',  'T',
                                          'T', 'P', '/', '1', '.', '1', '\r', '\n'};
    EXPECT_EQ(probe(http, Direction::ToServer), dissect::ProbeResult::NoMatch);
    const std::vector<uint8_t> zeros(400, 0);
    EXPECT_EQ(probe(zeros, Direction::ToServer), dissect::ProbeResult::NoMatch);
    auto bad = bytes;
    bad[9] ^= 0x10;  // header CRC
    EXPECT_EQ(probe(bad, Direction::ToClient), dissect::ProbeResult::NoMatch);
}

// ------------------------------------------------------------------------ application layer

struct Case {
    const char* name;
    std::span<const uint8_t> app;
    uint8_t function;
    Objects objects;
};

const std::vector<Case>& cases()
{
    static const std::vector<Case> all = {
        {"read class",
         v::read_class_req,
         0x01,
         {{60, 2, 0x06, 0}, {60, 3, 0x06, 0}, {60, 4, 0x06, 0}, {60, 1, 0x06, 0}}},
        {"class response",
         v::read_class_resp,
         0x81,
         {{1, 2, 0x00, 4},
          {30, 1, 0x00, 2},
          {1, 1, 0x00, 10},
          {3, 1, 0x00, 4},
          {20, 1, 0x00, 1},
          {40, 1, 0x00, 1},
          {10, 2, 0x00, 1}}},
        {"events response",
         v::events_resp,
         0x81,
         {{2, 2, 0x28, 1},
          {51, 1, 0x07, 1},
          {2, 3, 0x17, 1},
          {32, 7, 0x17, 1},
          {22, 1, 0x17, 1},
          {4, 2, 0x17, 1},
          {11, 1, 0x17, 1},
          {13, 1, 0x17, 1},
          {42, 2, 0x17, 1},
          {43, 1, 0x17, 1}}},
        {"static response",
         v::static_resp,
         0x81,
         {{20, 2, 0, 1},
          {20, 5, 0, 1},
          {20, 6, 0, 1},
          {21, 1, 0, 1},
          {21, 5, 0, 1},
          {21, 9, 0, 1},
          {23, 1, 0x17, 1},
          {30, 2, 0, 1},
          {30, 3, 0, 1},
          {30, 4, 0, 1},
          {30, 5, 0, 1},
          {30, 6, 0, 1},
          {31, 1, 0, 1},
          {33, 1, 0x17, 1},
          {34, 1, 0, 1},
          {40, 2, 0, 1},
          {40, 3, 0, 1},
          {40, 4, 0, 1}}},
        {"select", v::select_req, 0x03, {{12, 1, 0x28, 1}}},
        {"operate", v::operate_req, 0x04, {{12, 1, 0x28, 1}}},
        {"direct operate", v::direct_operate_req, 0x05, {{12, 1, 0x28, 1}}},
        {"direct operate response", v::direct_operate_resp, 0x81, {{12, 1, 0x28, 1}}},
        {"direct operate no ack", v::direct_operate_nr_req, 0x06, {{12, 1, 0x28, 1}}},
        {"analog output block",
         v::aob_req,
         0x05,
         {{41, 1, 0x17, 1}, {41, 2, 0x17, 1}, {41, 3, 0x17, 1}, {41, 4, 0x17, 1}}},
        {"delay measure", v::delay_measure_req, 0x17, {}},
        {"delay measure response", v::delay_measure_resp, 0x81, {{52, 2, 0x07, 1}}},
        {"write time", v::write_time_req, 0x02, {{50, 1, 0x07, 1}}},
        {"record current time", v::record_time_req, 0x18, {}},
        {"freeze at time", v::freeze_at_time_req, 0x0B, {{50, 2, 0x07, 1}, {20, 0, 0x06, 0}}},
        {"immediate freeze", v::immediate_freeze_req, 0x07, {{20, 0, 0x06, 0}}},
        {"freeze clear no ack", v::freeze_clear_nr_req, 0x0A, {{20, 0, 0x06, 0}}},
        {"cold restart", v::cold_restart_req, 0x0D, {}},
        {"cold restart response", v::cold_restart_resp, 0x81, {{52, 1, 0x07, 1}}},
        {"warm restart", v::warm_restart_req, 0x0E, {}},
        {"warm restart response", v::warm_restart_resp, 0x81, {{52, 2, 0x07, 1}}},
        {"stop application", v::stop_app_req, 0x12, {{90, 1, 0x5B, 1}}},
        {"start application", v::start_app_req, 0x11, {{90, 1, 0x5B, 1}}},
        {"initialize application", v::init_app_req, 0x10, {{90, 1, 0x5B, 1}}},
        {"save configuration", v::save_config_req, 0x13, {}},
        {"initialize data", v::init_data_req, 0x0F, {}},
        {"enable unsolicited", v::enable_unsol_req, 0x14, {{60, 2, 6, 0}, {60, 3, 6, 0}, {60, 4, 6, 0}}},
        {"disable unsolicited", v::disable_unsol_req, 0x15, {{60, 2, 6, 0}, {60, 3, 6, 0}, {60, 4, 6, 0}}},
        {"assign class", v::assign_class_req, 0x16, {{60, 2, 6, 0}, {1, 0, 6, 0}}},
        {"write iin", v::write_iin_req, 0x02, {{80, 1, 0x00, 1}}},
        {"read attributes", v::read_attributes_req, 0x01, {{0, 254, 0x06, 0}}},
        {"attributes response", v::attributes_resp, 0x81, {{0, 252, 0x00, 1}, {0, 241, 0x00, 1}}},
        {"open file", v::open_file_req, 0x19, {{70, 3, 0x5B, 1}}},
        {"open file response", v::open_file_resp, 0x81, {{70, 4, 0x5B, 1}}},
        {"file data", v::file_data_resp, 0x81, {{70, 5, 0x5B, 1}}},
        {"close file", v::close_file_req, 0x1A, {{70, 4, 0x5B, 1}}},
        {"authenticate file", v::file_auth_req, 0x1D, {{70, 2, 0x5B, 1}}},
        {"activate config", v::activate_config_req, 0x1F, {{70, 8, 0x5B, 1}}},
        {"auth challenge", v::auth_challenge_resp, 0x83, {{120, 1, 0x5B, 1}}},
        {"auth reply", v::auth_reply_req, 0x20, {{120, 2, 0x5B, 1}}},
        {"octet strings", v::write_strings_req, 0x02, {{110, 4, 0x00, 1}, {112, 3, 0x17, 1}}},
        {"null unsolicited", v::null_unsolicited, 0x82, {}},
        {"unsolicited events", v::unsolicited_events, 0x82, {{2, 1, 0x17, 1}}},
        {"unsolicited confirm", v::unsolicited_confirm0, 0x00, {}},
    };
    return all;
}

TEST(Dnp3App, EveryVectorParsesWithoutAnomaly)
{
    for (const auto& c : cases()) {
        const Pdu p = parse(c.app);
        EXPECT_TRUE(p.has_header) << c.name;
        EXPECT_EQ(p.function, c.function) << c.name;
        EXPECT_EQ(p.anomalies, 0u) << c.name;
        EXPECT_EQ(objects_of(p), c.objects) << c.name;
        EXPECT_EQ(p.has_iin, is_response_function(c.function)) << c.name;
        EXPECT_FALSE(function_name(c.function) == "unknown") << c.name;
        // The data offsets tile the fragment: every byte after the header belongs to a header or
        // its objects.
        if (p.object_count > 0) {
            const auto& last = p.objects[p.object_count - 1];
            EXPECT_EQ(size_t{last.data_offset} + last.data_len, c.app.size()) << c.name;
        }
        const auto j = to_json(p);
        EXPECT_EQ(j["function_code"], c.function) << c.name;
    }
}

TEST(Dnp3App, EveryStrictPrefixIsSafeAndKeepsWhatCameBefore)
{
    for (const auto& c : cases()) {
        const Pdu full = parse(c.app);
        for (size_t n = 0; n < c.app.size(); ++n) {
            const Pdu p = parse(c.app.first(n));
            ASSERT_LE(p.object_count, full.object_count) << c.name << " " << n;
            const bool header_cut =
                n < (is_response_function(c.function) ? response_header_len : request_header_len);
            if (header_cut) {
                EXPECT_NE(p.anomalies & anomaly_bit(Anomaly::TruncatedFragment), 0u) << c.name << " " << n;
                continue;
            }
            for (size_t i = 0; i + 1 < p.object_count; ++i) {
                EXPECT_EQ(p.objects[i].group, full.objects[i].group);
                EXPECT_EQ(p.objects[i].data_len, full.objects[i].data_len);
            }
            // Cut at an object boundary: fewer objects, no anomaly; elsewhere: truncated.
            const bool at_boundary =
                p.anomalies == 0 &&
                (p.object_count == 0 || !p.objects[p.object_count - 1].has(ObjectHeader::Truncated));
            if (!at_boundary) {
                EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::TruncatedFragment)) << c.name << " " << n;
            }
            (void)to_json(p);
        }
    }
}

TEST(Dnp3App, ControlAndIin)
{
    const Pdu p = parse(v::events_resp);
    EXPECT_TRUE(p.fir());
    EXPECT_TRUE(p.fin());
    EXPECT_TRUE(p.con());
    EXPECT_FALSE(p.uns());
    EXPECT_EQ(p.app_seq(), 2);
    EXPECT_EQ(p.iin, 0x0200);
    const Pdu r = parse(v::read_class_resp);
    EXPECT_EQ(r.iin, 0x9000);
    const auto j = to_json(r);
    EXPECT_EQ(j["iin"], 0x9000);
    EXPECT_EQ(j["iin_names"], (nlohmann::json{"device_restart", "need_time"}));
    EXPECT_EQ(j["control"]["seq"], 1);
    const Pdu u = parse(v::unsolicited_events);
    EXPECT_TRUE(u.uns());
    EXPECT_EQ(to_json(u)["iin_names"], nlohmann::json{"class_1_events"});
}

TEST(Dnp3App, StaticValues)
{
    const auto j = to_json(parse(v::read_class_resp));
    const auto& o = j["objects"];
    ASSERT_EQ(o.size(), 7u);
    EXPECT_EQ(o[0]["name"], "binary_input");
    EXPECT_EQ(o[0]["range"]["stop"], 3);
    EXPECT_EQ(o[0]["points"][0]["value"], 1);
    EXPECT_EQ(o[0]["points"][1]["value"], 0);
    EXPECT_EQ(o[0]["points"][1]["flags"], 1);
    EXPECT_EQ(o[0]["points"][3]["index"], 3);
    EXPECT_EQ(o[1]["points"][0]["value"], 1000);
    EXPECT_EQ(o[1]["points"][1]["value"], -1000);
    std::string bits;
    for (const auto& p : o[2]["points"])
        bits += std::to_string(p["value"].get<int>());
    EXPECT_EQ(bits, "1010000001");
    ASSERT_EQ(o[3]["points"].size(), 4u);
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(o[3]["points"][i]["value"], i);
    EXPECT_EQ(o[4]["points"][0]["index"], 5);
    EXPECT_EQ(o[4]["points"][0]["value"], 12345);
    EXPECT_EQ(o[5]["points"][0]["value"], 100);
    EXPECT_EQ(o[6]["points"][0]["value"], 1);
    EXPECT_EQ(parse(v::read_class_resp).point_count, 23u);
}

TEST(Dnp3App, EventValuesAndTimes)
{
    const auto o = to_json(parse(v::events_resp))["objects"];
    EXPECT_EQ(o[0]["points"][0]["index"], 7);
    EXPECT_EQ(o[0]["points"][0]["value"], 1);
    EXPECT_EQ(o[0]["points"][0]["time"], v::t0_ms);
    EXPECT_EQ(o[1]["points"][0]["time"], v::t0_ms);
    EXPECT_EQ(o[2]["points"][0]["relative_time_ms"], 10);
    EXPECT_EQ(o[3]["points"][0]["value"], 1.5);
    EXPECT_EQ(o[3]["points"][0]["time"], v::t0_ms);
    EXPECT_EQ(o[4]["points"][0]["value"], 10);
    EXPECT_EQ(o[5]["points"][0]["value"], 2);  // double-bit: determined on
    EXPECT_EQ(o[6]["points"][0]["value"], 1);
    EXPECT_EQ(o[7]["points"][0]["value"], 1);
    EXPECT_EQ(o[8]["points"][0]["value"], 300);
    EXPECT_EQ(o[9]["points"][0]["status"], 0);
    EXPECT_EQ(o[9]["points"][0]["value"], 300);
}

TEST(Dnp3App, CounterAndAnalogValues)
{
    const auto o = to_json(parse(v::static_resp))["objects"];
    const std::vector<nlohmann::json> want = {7,      8,    9,   11, 12, 13, 14, 32767, 65536,
                                              -32768, 10.0, 2.5, 5,  6,  10, 50, 1.0,   1.0};
    ASSERT_EQ(o.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
        EXPECT_EQ(o[i]["points"][0]["value"], want[i]) << i;
    EXPECT_EQ(o[4]["points"][0]["time"], v::t0_ms);
    EXPECT_FALSE(o[1]["points"][0].contains("flags"));
}

TEST(Dnp3App, CrobAndAnalogOutputBlock)
{
    const Pdu p = parse(v::direct_operate_req);
    EXPECT_TRUE(p.has_crob);
    EXPECT_EQ(p.crob_control_code, 0x41);
    const auto pt = to_json(p)["objects"][0]["points"][0];
    EXPECT_EQ(pt["index"], 3);
    EXPECT_EQ(pt["control_code"], 0x41);
    EXPECT_EQ(pt["op_type"], "pulse_on");
    EXPECT_EQ(pt["tcc"], "close");
    EXPECT_EQ(pt["queue"], false);
    EXPECT_EQ(pt["clear"], false);
    EXPECT_EQ(pt["count"], 1);
    EXPECT_EQ(pt["on_time"], 500);
    EXPECT_EQ(pt["off_time"], 0);
    EXPECT_EQ(pt["status_name"], "success");
    const auto o = to_json(parse(v::aob_req))["objects"];
    EXPECT_EQ(o[0]["points"][0]["value"], 10000);
    EXPECT_EQ(o[1]["points"][0]["value"], 100);
    EXPECT_EQ(o[1]["points"][0]["index"], 1);
    EXPECT_EQ(o[2]["points"][0]["value"], 10.0);
    EXPECT_EQ(o[3]["points"][0]["value"], 1.0);
    EXPECT_EQ(o[3]["points"][0]["status"], 0);
    EXPECT_FALSE(parse(v::aob_req).has_crob);
}

TEST(Dnp3App, TimeSyncRestartsAndFreeze)
{
    EXPECT_EQ(to_json(parse(v::write_time_req))["objects"][0]["points"][0]["time"], v::t0_ms);
    EXPECT_EQ(to_json(parse(v::delay_measure_resp))["objects"][0]["points"][0]["delay_ms"], 5);
    EXPECT_EQ(to_json(parse(v::cold_restart_resp))["objects"][0]["points"][0]["delay_ms"], 2000);
    EXPECT_EQ(to_json(parse(v::warm_restart_resp))["objects"][0]["points"][0]["delay_ms"], 500);
    const auto f = to_json(parse(v::freeze_at_time_req))["objects"];
    EXPECT_EQ(f[0]["points"][0]["interval"], 60000);
    EXPECT_EQ(f[0]["points"][0]["time"], v::t0_ms);
    EXPECT_FALSE(f[1].contains("points"));  // counters to freeze: no values
    EXPECT_EQ(function_name(0x0D), "cold_restart");
    EXPECT_EQ(function_name(0x12), "stop_application");
}

TEST(Dnp3App, DeviceAttributes)
{
    const auto o = to_json(parse(v::attributes_resp))["objects"];
    EXPECT_EQ(o[0]["points"][0]["attribute"], "manufacturer_name");
    EXPECT_EQ(o[0]["points"][0]["value"], "Acme");
    EXPECT_EQ(o[1]["points"][0]["attribute"], "max_rx_fragment_size");
    EXPECT_EQ(o[1]["points"][0]["value"], 2048);
}

TEST(Dnp3App, FileTransferKeyFields)
{
    const auto open = to_json(parse(v::open_file_req))["objects"][0]["points"][0];
    EXPECT_EQ(open["file_name"], "/log.txt");
    EXPECT_EQ(open["mode_name"], "read");
    EXPECT_EQ(open["max_block_size"], 1024);
    EXPECT_EQ(open["request_id"], 7);
    EXPECT_EQ(open["created"], v::t0_ms);
    const auto status = to_json(parse(v::open_file_resp))["objects"][0]["points"][0];
    EXPECT_EQ(status["handle"], 0x12345678);
    EXPECT_EQ(status["file_size"], 100);
    EXPECT_EQ(status["status"], 0);
    const auto data = to_json(parse(v::file_data_resp))["objects"][0]["points"][0];
    EXPECT_EQ(data["last"], true);
    EXPECT_EQ(data["block"], 0);
    EXPECT_EQ(data["data_len"], 4);
    const auto auth = to_json(parse(v::file_auth_req))["objects"][0]["points"][0];
    EXPECT_EQ(auth["user_name"], "op");
    EXPECT_EQ(auth["password_len"], 6);
    EXPECT_EQ(to_json(parse(v::file_auth_req)).dump().find("secret"), std::string::npos);  // never logged
    EXPECT_EQ(to_json(parse(v::activate_config_req))["objects"][0]["points"][0]["file_name"], "conf.xml");
}

TEST(Dnp3App, StringsTerminalAndAuthentication)
{
    const auto o = to_json(parse(v::write_strings_req))["objects"];
    EXPECT_EQ(o[0]["points"][0]["value"], "61626364");
    EXPECT_EQ(o[1]["points"][0]["index"], 2);
    EXPECT_EQ(o[1]["points"][0]["value"], "78797a");
    const auto a = to_json(parse(v::auth_challenge_resp))["objects"][0]["points"][0];
    EXPECT_EQ(a["csq"], 3);
    EXPECT_EQ(a["user"], 1);
    EXPECT_EQ(a["len"], 12);
    const auto s = to_json(parse(v::stop_app_req))["objects"][0]["points"][0];
    EXPECT_EQ(s["len"], 5);
}

TEST(Dnp3App, IndexPrefixesInAReadRequest)
{
    // READ g1v2 with a 1-byte index prefix and a 1-byte count: indexes, no values.
    const std::array<uint8_t, 7> req = {0xC0, 0x01, 0x01, 0x02, 0x17, 0x02, 0x03};
    Pdu p = parse(req);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::TruncatedFragment));  // the second index is missing
    const std::array<uint8_t, 8> whole = {0xC0, 0x01, 0x01, 0x02, 0x17, 0x02, 0x03, 0x09};
    p = parse(whole);
    EXPECT_EQ(p.anomalies, 0u);
    const auto pts = to_json(p)["objects"][0]["points"];
    ASSERT_EQ(pts.size(), 2u);
    EXPECT_EQ(pts[1]["index"], 9);
    EXPECT_FALSE(pts[1].contains("value"));
}

// --------------------------------------------------------------------------------- anomalies

TEST(Dnp3AppAnomaly, UnknownFunction)
{
    const Pdu p = parse(v::unknown_function_req);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::UnknownFunction));
    EXPECT_EQ(to_json(p)["function_name"], "unknown");
}

TEST(Dnp3AppAnomaly, UnknownObjectWithoutValuesIsSkipped)
{
    const Pdu p = parse(v::unknown_object_read);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::UnknownObject));
    EXPECT_EQ(objects_of(p), (Objects{{200, 1, 6, 0}, {60, 1, 6, 0}}));
    EXPECT_EQ(to_json(p)["objects"][0]["unknown"], true);
}

TEST(Dnp3AppAnomaly, UnknownObjectWithValuesEndsTheParse)
{
    const Pdu p = parse(v::unknown_object_resp);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::UnknownObject));
    EXPECT_EQ(objects_of(p), (Objects{{200, 1, 0, 1}}));
}

TEST(Dnp3AppAnomaly, MalformedObjectHeaders)
{
    EXPECT_EQ(parse(v::reserved_qualifier_req).anomalies, anomaly_bit(Anomaly::MalformedObjectHeader));
    EXPECT_EQ(parse(v::stop_below_start_req).anomalies, anomaly_bit(Anomaly::MalformedObjectHeader));
    // A known free-format object without its size prefix, and a packed object with an index prefix.
    const std::array<uint8_t, 7> no_size = {0xC0, 0x12, 0x5A, 0x01, 0x07, 0x01, 0x00};
    EXPECT_EQ(parse(no_size).anomalies, anomaly_bit(Anomaly::MalformedObjectHeader));
    const std::array<uint8_t, 10> packed_prefix = {0xC0, 0x81, 0, 0, 0x01, 0x01, 0x17, 0x01, 0x00, 0x01};
    EXPECT_EQ(parse(packed_prefix).anomalies, anomaly_bit(Anomaly::MalformedObjectHeader));
    const std::array<uint8_t, 5> reserved_bit = {0xC0, 0x01, 0x01, 0x02, 0x86};
    EXPECT_EQ(parse(reserved_bit).anomalies, anomaly_bit(Anomaly::MalformedObjectHeader));
}

TEST(Dnp3AppAnomaly, TruncatedObjectsKeepTheHeader)
{
    const Pdu p = parse(v::truncated_objects_resp);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::TruncatedFragment));
    ASSERT_EQ(p.object_count, 1);
    EXPECT_TRUE(p.objects[0].has(ObjectHeader::Truncated));
    const auto o = to_json(p)["objects"][0];
    EXPECT_EQ(o["truncated"], true);
    EXPECT_EQ(o["count"], 3);
    EXPECT_EQ(o["points"].size(), 1u);  // the one whole object
    EXPECT_FALSE(o.contains("points_truncated"));
    const std::array<uint8_t, 3> short_resp = {0xC0, 0x81, 0x00};
    EXPECT_EQ(parse(short_resp).anomalies, anomaly_bit(Anomaly::TruncatedFragment));
    const std::array<uint8_t, 1> one = {0xC0};
    EXPECT_FALSE(parse(one).has_header);
}

// ---------------------------------------------------------------------------------------- caps

TEST(Dnp3App, ObjectAndPointCaps)
{
    // 40 class objects: 32 kept, 8 counted.
    std::vector<uint8_t> read = {0xC0, 0x01};
    for (int i = 0; i < 40; ++i)
        read.insert(read.end(), {0x3C, 0x01, 0x06});
    Pdu p = parse(read);
    EXPECT_EQ(p.anomalies, 0u);
    EXPECT_EQ(p.object_count, max_objects);
    EXPECT_EQ(p.objects_total, 40);
    EXPECT_EQ(to_json(p)["objects_truncated"], 8);
    // 1000 packed binary inputs: 64 points written.
    std::vector<uint8_t> resp = {0xC0, 0x81, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0xE7, 0x03};
    resp.insert(resp.end(), 125, 0xFF);
    p = parse(resp);
    EXPECT_EQ(p.anomalies, 0u);
    const auto o = to_json(p)["objects"][0];
    EXPECT_EQ(o["count"], 1000);
    EXPECT_EQ(o["points"].size(), max_eve_points_per_object);
    EXPECT_EQ(o["points_truncated"], 1000 - max_eve_points_per_object);
    // A 32-bit range announcing 2^32 objects does not loop or overflow.
    const std::array<uint8_t, 13> huge = {0xC0, 0x81, 0, 0, 0x01, 0x01, 0x02, 0, 0, 0, 0, 0xFF, 0xFF};
    const std::array<uint8_t, 15> huge_all = {0xC0, 0x81, 0, 0,    0x01, 0x01, 0x02, 0,
                                              0,    0,    0, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(parse(huge).anomalies, anomaly_bit(Anomaly::TruncatedFragment));
    p = parse(huge_all);
    EXPECT_EQ(p.objects[0].count, UINT32_MAX);
    EXPECT_EQ(p.anomalies, anomaly_bit(Anomaly::TruncatedFragment));
    (void)to_json(p);
}

}  // namespace
}  // namespace otsentry::dnp3
