// IEC 104 test vectors shared by the parser and session tests: one I-format APDU per standard
// type id (-101 §7.3, -104 §8), each with one information object at IOA 0x010203 (66051) and
// common address 0x0102 (258), originator 0, sent as the first I-format APDU of its direction
// (N(S) 0, N(R) 0). Values are chosen to be recognisable: SPI/DPI on, NVA 0x4000 = 0.5,
// SVA -100, float 1.5, BSI 0x12345678, counter 1000, CP56Time2a 2024-05-01 12:34:56.789.
// One annotation per field; the fuzz seed corpus is built from these (iec104_session_test.cc).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace otsentry::iec104::test {

// clang-format off
// M_SP_NA_1 (1), monitor direction
constexpr uint8_t m_sp_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x01,                    // type id 1 M_SP_NA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SIQ: SPI on
};
// M_SP_TA_1 (2), monitor direction
constexpr uint8_t m_sp_ta_1[] = {
    0x68, 0x11,              // start, APDU length 17
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x02,                    // type id 2 M_SP_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SIQ: SPI on
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_DP_NA_1 (3), monitor direction
constexpr uint8_t m_dp_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x03,                    // type id 3 M_DP_NA_1
    0x01,                    // SQ 0, 1 object
    0x14,                    // COT 20
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // DIQ: DPI on
};
// M_DP_TA_1 (4), monitor direction
constexpr uint8_t m_dp_ta_1[] = {
    0x68, 0x11,              // start, APDU length 17
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x04,                    // type id 4 M_DP_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // DIQ: DPI on
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_ST_NA_1 (5), monitor direction
constexpr uint8_t m_st_na_1[] = {
    0x68, 0x0F,              // start, APDU length 15
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x05,                    // type id 5 M_ST_NA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x7F,                    // VTI: -1, not transient
    0x00,                    // QDS: good
};
// M_ST_TA_1 (6), monitor direction
constexpr uint8_t m_st_ta_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x06,                    // type id 6 M_ST_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x7F,                    // VTI: -1, not transient
    0x00,                    // QDS: good
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_BO_NA_1 (7), monitor direction
constexpr uint8_t m_bo_na_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x07,                    // type id 7 M_BO_NA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x78,                    // BSI 0x12345678 (lo)
    0x56,
    0x34,
    0x12,                    // (hi)
    0x00,                    // QDS: good
};
// M_BO_TA_1 (8), monitor direction
constexpr uint8_t m_bo_ta_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x08,                    // type id 8 M_BO_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x78,                    // BSI 0x12345678 (lo)
    0x56,
    0x34,
    0x12,                    // (hi)
    0x00,                    // QDS: good
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_ME_NA_1 (9), monitor direction
constexpr uint8_t m_me_na_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x09,                    // type id 9 M_ME_NA_1
    0x01,                    // SQ 0, 1 object
    0x01,                    // COT 1
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x00,                    // QDS: good
};
// M_ME_TA_1 (10), monitor direction
constexpr uint8_t m_me_ta_1[] = {
    0x68, 0x13,              // start, APDU length 19
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0A,                    // type id 10 M_ME_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x00,                    // QDS: good
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_ME_NB_1 (11), monitor direction
constexpr uint8_t m_me_nb_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0B,                    // type id 11 M_ME_NB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x00,                    // QDS: good
};
// M_ME_TB_1 (12), monitor direction
constexpr uint8_t m_me_tb_1[] = {
    0x68, 0x13,              // start, APDU length 19
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0C,                    // type id 12 M_ME_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x00,                    // QDS: good
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_ME_NC_1 (13), monitor direction
constexpr uint8_t m_me_nc_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0D,                    // type id 13 M_ME_NC_1
    0x01,                    // SQ 0, 1 object
    0x14,                    // COT 20
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x80,                    // QDS: IV (invalid)
};
// M_ME_TC_1 (14), monitor direction
constexpr uint8_t m_me_tc_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0E,                    // type id 14 M_ME_TC_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x00,                    // QDS: good
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_IT_NA_1 (15), monitor direction
constexpr uint8_t m_it_na_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x0F,                    // type id 15 M_IT_NA_1
    0x01,                    // SQ 0, 1 object
    0x25,                    // COT 37
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xE8,                    // BCR counter 1000 (lo)
    0x03,
    0x00,
    0x00,                    // (hi)
    0x05,                    // sequence 5, no carry/adjust/invalid
};
// M_IT_TA_1 (16), monitor direction
constexpr uint8_t m_it_ta_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x10,                    // type id 16 M_IT_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xE8,                    // BCR counter 1000 (lo)
    0x03,
    0x00,
    0x00,                    // (hi)
    0x05,                    // sequence 5, no carry/adjust/invalid
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_EP_TA_1 (17), monitor direction
constexpr uint8_t m_ep_ta_1[] = {
    0x68, 0x13,              // start, APDU length 19
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x11,                    // type id 17 M_EP_TA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // SEP: event state on
    0xE8,                    // CP16Time2a elapsed time: 1000 ms (lo)
    0x03,                    // (hi)
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_EP_TB_1 (18), monitor direction
constexpr uint8_t m_ep_tb_1[] = {
    0x68, 0x14,              // start, APDU length 20
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x12,                    // type id 18 M_EP_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SPE: general start
    0x00,                    // QDP: good
    0xE8,                    // CP16Time2a relay duration: 1000 ms (lo)
    0x03,                    // (hi)
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_EP_TC_1 (19), monitor direction
constexpr uint8_t m_ep_tc_1[] = {
    0x68, 0x14,              // start, APDU length 20
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x13,                    // type id 19 M_EP_TC_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // OCI: general command
    0x00,                    // QDP: good
    0xE8,                    // CP16Time2a relay operating time: 1000 ms (lo)
    0x03,                    // (hi)
    0x34,                    // CP24Time2a: ms 4660 (lo)
    0x12,                    // ms (hi)
    0x05,                    // minute 5
};
// M_PS_NA_1 (20), monitor direction
constexpr uint8_t m_ps_na_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x14,                    // type id 20 M_PS_NA_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x0F,                    // SCD status (lo)
    0x00,                    // (hi)
    0x01,                    // SCD change detection (lo)
    0x00,                    // (hi)
    0x00,                    // QDS: good
};
// M_ME_ND_1 (21), monitor direction
constexpr uint8_t m_me_nd_1[] = {
    0x68, 0x0F,              // start, APDU length 15
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x15,                    // type id 21 M_ME_ND_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
};
// M_SP_TB_1 (30), monitor direction
constexpr uint8_t m_sp_tb_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x1E,                    // type id 30 M_SP_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SIQ: SPI on
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_DP_TB_1 (31), monitor direction
constexpr uint8_t m_dp_tb_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x1F,                    // type id 31 M_DP_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // DIQ: DPI on
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_ST_TB_1 (32), monitor direction
constexpr uint8_t m_st_tb_1[] = {
    0x68, 0x16,              // start, APDU length 22
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x20,                    // type id 32 M_ST_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x7F,                    // VTI: -1, not transient
    0x00,                    // QDS: good
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_BO_TB_1 (33), monitor direction
constexpr uint8_t m_bo_tb_1[] = {
    0x68, 0x19,              // start, APDU length 25
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x21,                    // type id 33 M_BO_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x78,                    // BSI 0x12345678 (lo)
    0x56,
    0x34,
    0x12,                    // (hi)
    0x00,                    // QDS: good
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_ME_TD_1 (34), monitor direction
constexpr uint8_t m_me_td_1[] = {
    0x68, 0x17,              // start, APDU length 23
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x22,                    // type id 34 M_ME_TD_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x00,                    // QDS: good
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_ME_TE_1 (35), monitor direction
constexpr uint8_t m_me_te_1[] = {
    0x68, 0x17,              // start, APDU length 23
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x23,                    // type id 35 M_ME_TE_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x00,                    // QDS: good
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_ME_TF_1 (36), monitor direction
constexpr uint8_t m_me_tf_1[] = {
    0x68, 0x19,              // start, APDU length 25
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x24,                    // type id 36 M_ME_TF_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x00,                    // QDS: good
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_IT_TB_1 (37), monitor direction
constexpr uint8_t m_it_tb_1[] = {
    0x68, 0x19,              // start, APDU length 25
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x25,                    // type id 37 M_IT_TB_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xE8,                    // BCR counter 1000 (lo)
    0x03,
    0x00,
    0x00,                    // (hi)
    0x05,                    // sequence 5, no carry/adjust/invalid
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_EP_TD_1 (38), monitor direction
constexpr uint8_t m_ep_td_1[] = {
    0x68, 0x17,              // start, APDU length 23
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x26,                    // type id 38 M_EP_TD_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // SEP: event state on
    0xE8,                    // CP16Time2a elapsed time: 1000 ms (lo)
    0x03,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_EP_TE_1 (39), monitor direction
constexpr uint8_t m_ep_te_1[] = {
    0x68, 0x18,              // start, APDU length 24
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x27,                    // type id 39 M_EP_TE_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SPE: general start
    0x00,                    // QDP: good
    0xE8,                    // CP16Time2a relay duration: 1000 ms (lo)
    0x03,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_EP_TF_1 (40), monitor direction
constexpr uint8_t m_ep_tf_1[] = {
    0x68, 0x18,              // start, APDU length 24
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x28,                    // type id 40 M_EP_TF_1
    0x01,                    // SQ 0, 1 object
    0x03,                    // COT 3
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // OCI: general command
    0x00,                    // QDP: good
    0xE8,                    // CP16Time2a relay operating time: 1000 ms (lo)
    0x03,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_SC_NA_1 (45), control direction
constexpr uint8_t c_sc_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x2D,                    // type id 45 C_SC_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x81,                    // SCO: on, QU 0, select
};
// C_DC_NA_1 (46), control direction
constexpr uint8_t c_dc_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x2E,                    // type id 46 C_DC_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x06,                    // DCO: on (2), QU 1 (short pulse), execute
};
// C_RC_NA_1 (47), control direction
constexpr uint8_t c_rc_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x2F,                    // type id 47 C_RC_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // RCO: lower (1), QU 0, execute
};
// C_SE_NA_1 (48), control direction
constexpr uint8_t c_se_na_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x30,                    // type id 48 C_SE_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x00,                    // QOS: QL 0, execute
};
// C_SE_NB_1 (49), control direction
constexpr uint8_t c_se_nb_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x31,                    // type id 49 C_SE_NB_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x00,                    // QOS: QL 0, execute
};
// C_SE_NC_1 (50), control direction
constexpr uint8_t c_se_nc_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x32,                    // type id 50 C_SE_NC_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x80,                    // QOS: QL 0, select
};
// C_BO_NA_1 (51), control direction
constexpr uint8_t c_bo_na_1[] = {
    0x68, 0x11,              // start, APDU length 17
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x33,                    // type id 51 C_BO_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x78,                    // BSI 0x12345678 (lo)
    0x56,
    0x34,
    0x12,                    // (hi)
};
// C_SC_TA_1 (58), control direction
constexpr uint8_t c_sc_ta_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3A,                    // type id 58 C_SC_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // SCO: on, execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_DC_TA_1 (59), control direction
constexpr uint8_t c_dc_ta_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3B,                    // type id 59 C_DC_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // DCO: off (1), execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_RC_TA_1 (60), control direction
constexpr uint8_t c_rc_ta_1[] = {
    0x68, 0x15,              // start, APDU length 21
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3C,                    // type id 60 C_RC_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // RCO: higher (2), execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_SE_TA_1 (61), control direction
constexpr uint8_t c_se_ta_1[] = {
    0x68, 0x17,              // start, APDU length 23
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3D,                    // type id 61 C_SE_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x00,                    // QOS: QL 0, execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_SE_TB_1 (62), control direction
constexpr uint8_t c_se_tb_1[] = {
    0x68, 0x17,              // start, APDU length 23
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3E,                    // type id 62 C_SE_TB_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x00,                    // QOS: QL 0, execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_SE_TC_1 (63), control direction
constexpr uint8_t c_se_tc_1[] = {
    0x68, 0x19,              // start, APDU length 25
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x3F,                    // type id 63 C_SE_TC_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x00,                    // QOS: QL 0, execute
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_BO_TA_1 (64), control direction
constexpr uint8_t c_bo_ta_1[] = {
    0x68, 0x18,              // start, APDU length 24
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x40,                    // type id 64 C_BO_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x78,                    // BSI 0x12345678 (lo)
    0x56,
    0x34,
    0x12,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// M_EI_NA_1 (70), system direction
constexpr uint8_t m_ei_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x46,                    // type id 70 M_EI_NA_1
    0x01,                    // SQ 0, 1 object
    0x04,                    // COT 4
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x02,                    // COI: remote reset, no local change
};
// C_IC_NA_1 (100), system direction
constexpr uint8_t c_ic_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x64,                    // type id 100 C_IC_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x14,                    // QOI 20: station interrogation
};
// C_CI_NA_1 (101), system direction
constexpr uint8_t c_ci_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x65,                    // type id 101 C_CI_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x45,                    // QCC: RQT 5 (general), FRZ 1 (freeze)
};
// C_RD_NA_1 (102), system direction
constexpr uint8_t c_rd_na_1[] = {
    0x68, 0x0D,              // start, APDU length 13
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x66,                    // type id 102 C_RD_NA_1
    0x01,                    // SQ 0, 1 object
    0x05,                    // COT 5
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
};
// C_CS_NA_1 (103), system direction
constexpr uint8_t c_cs_na_1[] = {
    0x68, 0x14,              // start, APDU length 20
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x67,                    // type id 103 C_CS_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// C_TS_NA_1 (104), system direction
constexpr uint8_t c_ts_na_1[] = {
    0x68, 0x0F,              // start, APDU length 15
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x68,                    // type id 104 C_TS_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xAA,                    // FBP 0x55AA (lo)
    0x55,                    // (hi)
};
// C_RP_NA_1 (105), system direction
constexpr uint8_t c_rp_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x69,                    // type id 105 C_RP_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // QRP 1: general reset of process
};
// C_CD_NA_1 (106), system direction
constexpr uint8_t c_cd_na_1[] = {
    0x68, 0x0F,              // start, APDU length 15
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x6A,                    // type id 106 C_CD_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0xE8,                    // CP16Time2a delay 1000 ms (lo)
    0x03,                    // (hi)
};
// C_TS_TA_1 (107), system direction
constexpr uint8_t c_ts_ta_1[] = {
    0x68, 0x16,              // start, APDU length 22
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x6B,                    // type id 107 C_TS_TA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x2A,                    // TSC 42 (lo)
    0x00,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// P_ME_NA_1 (110), parameter direction
constexpr uint8_t p_me_na_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x6E,                    // type id 110 P_ME_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // NVA 0x4000 = 0.5 (lo)
    0x40,                    // (hi)
    0x01,                    // QPM: KPA 1 (threshold)
};
// P_ME_NB_1 (111), parameter direction
constexpr uint8_t p_me_nb_1[] = {
    0x68, 0x10,              // start, APDU length 16
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x6F,                    // type id 111 P_ME_NB_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x9C,                    // SVA -100 (lo)
    0xFF,                    // (hi)
    0x01,                    // QPM: KPA 1 (threshold)
};
// P_ME_NC_1 (112), parameter direction
constexpr uint8_t p_me_nc_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x70,                    // type id 112 P_ME_NC_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x00,                    // float 1.5 (lo)
    0x00,
    0xC0,
    0x3F,                    // (hi)
    0x01,                    // QPM: KPA 1 (threshold)
};
// P_AC_NA_1 (113), parameter direction
constexpr uint8_t p_ac_na_1[] = {
    0x68, 0x0E,              // start, APDU length 14
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x71,                    // type id 113 P_AC_NA_1
    0x01,                    // SQ 0, 1 object
    0x06,                    // COT 6
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x03,                    // QPA 3: act/deact of cyclic transmission
};
// F_FR_NA_1 (120), file direction
constexpr uint8_t f_fr_na_1[] = {
    0x68, 0x13,              // start, APDU length 19
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x78,                    // type id 120 F_FR_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x00,                    // LOF 256 (lo)
    0x01,
    0x00,                    // (hi)
    0x00,                    // FRQ: default, positive
};
// F_SR_NA_1 (121), file direction
constexpr uint8_t f_sr_na_1[] = {
    0x68, 0x14,              // start, APDU length 20
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x79,                    // type id 121 F_SR_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x02,                    // NOS 2
    0x80,                    // LOF 128 (lo)
    0x00,
    0x00,                    // (hi)
    0x00,                    // SRQ: section ready
};
// F_SC_NA_1 (122), file direction
constexpr uint8_t f_sc_na_1[] = {
    0x68, 0x11,              // start, APDU length 17
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7A,                    // type id 122 F_SC_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x00,                    // NOS 0
    0x01,                    // SCQ 1: select file
};
// F_LS_NA_1 (123), file direction
constexpr uint8_t f_ls_na_1[] = {
    0x68, 0x12,              // start, APDU length 18
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7B,                    // type id 123 F_LS_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x02,                    // NOS 2
    0x01,                    // LSQ 1: file transfer without deact
    0x5A,                    // CHS checksum
};
// F_AF_NA_1 (124), file direction
constexpr uint8_t f_af_na_1[] = {
    0x68, 0x11,              // start, APDU length 17
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7C,                    // type id 124 F_AF_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x02,                    // NOS 2
    0x01,                    // AFQ 1: positive ack of file
};
// F_SG_NA_1 (125), file direction
constexpr uint8_t f_sg_na_1[] = {
    0x68, 0x14,              // start, APDU length 20
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7D,                    // type id 125 F_SG_NA_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x02,                    // NOS 2
    0x03,                    // LOS 3
    0xDE,                    // segment
    0xAD,
    0xBE,
};
// F_DR_TA_1 (126), file direction
constexpr uint8_t f_dr_ta_1[] = {
    0x68, 0x1A,              // start, APDU length 26
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7E,                    // type id 126 F_DR_TA_1
    0x01,                    // SQ 0, 1 object
    0x05,                    // COT 5
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0x00,                    // LOF 256 (lo)
    0x01,
    0x00,                    // (hi)
    0x20,                    // SOF: FOR (directory entry is a file)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// F_SC_NB_1 (127), file direction
constexpr uint8_t f_sc_nb_1[] = {
    0x68, 0x1D,              // start, APDU length 29
    0x00, 0x00, 0x00, 0x00,  // I-format, N(S) 0, N(R) 0
    0x7F,                    // type id 127 F_SC_NB_1
    0x01,                    // SQ 0, 1 object
    0x0D,                    // COT 13
    0x00,                    // originator 0
    0x02, 0x01,              // common address 258
    0x03, 0x02, 0x01,        // IOA 66051
    0x01,                    // NOF 1 (lo)
    0x00,                    // (hi)
    0xD5,                    // CP56Time2a: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
    0xD5,                    // CP56Time2a stop: ms 56789 (lo)
    0xDD,                    // ms (hi)
    0x22,                    // minute 34
    0x0C,                    // hour 12
    0x61,                    // day 1, day of week 3
    0x05,                    // month 5
    0x18,                    // year 24
};
// clang-format on
struct Vector {
    std::string_view name;
    uint8_t type_id;
    uint8_t cot;
    std::span<const uint8_t> bytes;
};

inline constexpr std::array<Vector, 67> all_types = {{
    {"m_sp_na_1", 1, 3, m_sp_na_1},    {"m_sp_ta_1", 2, 3, m_sp_ta_1},    {"m_dp_na_1", 3, 20, m_dp_na_1},
    {"m_dp_ta_1", 4, 3, m_dp_ta_1},    {"m_st_na_1", 5, 3, m_st_na_1},    {"m_st_ta_1", 6, 3, m_st_ta_1},
    {"m_bo_na_1", 7, 3, m_bo_na_1},    {"m_bo_ta_1", 8, 3, m_bo_ta_1},    {"m_me_na_1", 9, 1, m_me_na_1},
    {"m_me_ta_1", 10, 3, m_me_ta_1},   {"m_me_nb_1", 11, 3, m_me_nb_1},   {"m_me_tb_1", 12, 3, m_me_tb_1},
    {"m_me_nc_1", 13, 20, m_me_nc_1},  {"m_me_tc_1", 14, 3, m_me_tc_1},   {"m_it_na_1", 15, 37, m_it_na_1},
    {"m_it_ta_1", 16, 3, m_it_ta_1},   {"m_ep_ta_1", 17, 3, m_ep_ta_1},   {"m_ep_tb_1", 18, 3, m_ep_tb_1},
    {"m_ep_tc_1", 19, 3, m_ep_tc_1},   {"m_ps_na_1", 20, 3, m_ps_na_1},   {"m_me_nd_1", 21, 3, m_me_nd_1},
    {"m_sp_tb_1", 30, 3, m_sp_tb_1},   {"m_dp_tb_1", 31, 3, m_dp_tb_1},   {"m_st_tb_1", 32, 3, m_st_tb_1},
    {"m_bo_tb_1", 33, 3, m_bo_tb_1},   {"m_me_td_1", 34, 3, m_me_td_1},   {"m_me_te_1", 35, 3, m_me_te_1},
    {"m_me_tf_1", 36, 3, m_me_tf_1},   {"m_it_tb_1", 37, 3, m_it_tb_1},   {"m_ep_td_1", 38, 3, m_ep_td_1},
    {"m_ep_te_1", 39, 3, m_ep_te_1},   {"m_ep_tf_1", 40, 3, m_ep_tf_1},   {"c_sc_na_1", 45, 6, c_sc_na_1},
    {"c_dc_na_1", 46, 6, c_dc_na_1},   {"c_rc_na_1", 47, 6, c_rc_na_1},   {"c_se_na_1", 48, 6, c_se_na_1},
    {"c_se_nb_1", 49, 6, c_se_nb_1},   {"c_se_nc_1", 50, 6, c_se_nc_1},   {"c_bo_na_1", 51, 6, c_bo_na_1},
    {"c_sc_ta_1", 58, 6, c_sc_ta_1},   {"c_dc_ta_1", 59, 6, c_dc_ta_1},   {"c_rc_ta_1", 60, 6, c_rc_ta_1},
    {"c_se_ta_1", 61, 6, c_se_ta_1},   {"c_se_tb_1", 62, 6, c_se_tb_1},   {"c_se_tc_1", 63, 6, c_se_tc_1},
    {"c_bo_ta_1", 64, 6, c_bo_ta_1},   {"m_ei_na_1", 70, 4, m_ei_na_1},   {"c_ic_na_1", 100, 6, c_ic_na_1},
    {"c_ci_na_1", 101, 6, c_ci_na_1},  {"c_rd_na_1", 102, 5, c_rd_na_1},  {"c_cs_na_1", 103, 6, c_cs_na_1},
    {"c_ts_na_1", 104, 6, c_ts_na_1},  {"c_rp_na_1", 105, 6, c_rp_na_1},  {"c_cd_na_1", 106, 6, c_cd_na_1},
    {"c_ts_ta_1", 107, 6, c_ts_ta_1},  {"p_me_na_1", 110, 6, p_me_na_1},  {"p_me_nb_1", 111, 6, p_me_nb_1},
    {"p_me_nc_1", 112, 6, p_me_nc_1},  {"p_ac_na_1", 113, 6, p_ac_na_1},  {"f_fr_na_1", 120, 13, f_fr_na_1},
    {"f_sr_na_1", 121, 13, f_sr_na_1}, {"f_sc_na_1", 122, 13, f_sc_na_1}, {"f_ls_na_1", 123, 13, f_ls_na_1},
    {"f_af_na_1", 124, 13, f_af_na_1}, {"f_sg_na_1", 125, 13, f_sg_na_1}, {"f_dr_ta_1", 126, 5, f_dr_ta_1},
    {"f_sc_nb_1", 127, 13, f_sc_nb_1},
}};

}  // namespace otsentry::iec104::test
