// Annotated S7comm vectors: COTP connection TPDUs, and S7 PDUs each wrapped in one TPKT frame and
// one COTP DT TPDU with EOT (03 00 len | 02 F0 80). Shared by the unit tests and, as seeds, by the
// fuzz corpus and the segmentation test.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace otsentry::s7comm::vectors {

// Wraps S7 bytes in TPKT + COTP DT (EOT).
inline std::vector<uint8_t> dt(std::initializer_list<uint8_t> s7)
{
    const size_t len = 7 + s7.size();
    std::vector<uint8_t> v = {
        0x03, 0x00, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len & 0xFF), 0x02, 0xF0, 0x80};
    v.insert(v.end(), s7.begin(), s7.end());
    return v;
}

inline const std::vector<uint8_t> connect_request = {
    0x03, 0x00, 0x00, 0x16,  // TPKT: version 3, length 22
    0x11, 0xE0,              // COTP LI 17, CR
    0x00, 0x00, 0x00, 0x01,  // dst ref, src ref
    0x00,                    // class 0
    0xC0, 0x01, 0x0A,        // TPDU size 1024
    0xC1, 0x02, 0x01, 0x00,  // source TSAP 0x0100
    0xC2, 0x02, 0x01, 0x02,  // destination TSAP 0x0102: PG (1), rack 0, slot 2
};

inline const std::vector<uint8_t> connect_confirm = {
    0x03, 0x00, 0x00, 0x16,  // TPKT length 22
    0x11, 0xD0,              // COTP LI 17, CC
    0x00, 0x01, 0x00, 0x01,  // dst ref, src ref
    0x00,                    // class 0
    0xC0, 0x01, 0x0A,        // TPDU size 1024
    0xC1, 0x02, 0x01, 0x00,  // calling TSAP, as in the CR
    0xC2, 0x02, 0x01, 0x02,  // called TSAP, as in the CR: the PLC's (rack 0, slot 2)
};

inline const std::vector<uint8_t> setup_job = dt({
    0x32, 0x01,              // protocol id, ROSCTR job
    0x00, 0x00, 0x00, 0x01,  // redundancy id, PDU reference 1
    0x00, 0x08, 0x00, 0x00,  // parameter length 8, data length 0
    0xF0, 0x00,              // setup communication, reserved
    0x00, 0x01, 0x00, 0x01,  // max AmQ calling 1, called 1
    0x01, 0xE0,              // PDU size 480
});

inline const std::vector<uint8_t> setup_ack = dt({
    0x32, 0x03,                                      // ack-data
    0x00, 0x00, 0x00, 0x01,                          // PDU reference 1
    0x00, 0x08, 0x00, 0x00,                          // parameter 8, data 0
    0x00, 0x00,                                      // error class, code
    0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xF0,  // setup: AmQ 1/1, PDU size 240
});

inline const std::vector<uint8_t> read_job = dt({
    0x32, 0x01, 0x00, 0x00, 0x00, 0x02,  // job, PDU reference 2
    0x00, 0x1A, 0x00, 0x00,              // parameter 26, data 0
    0x04, 0x02,                          // read var, 2 items
    0x12, 0x0A, 0x10,                    // item 1: var spec, length 10, S7ANY
    0x02, 0x00, 0x04,                    //   transport size BYTE, 4 elements
    0x00, 0x01, 0x84,                    //   DB 1, area DB
    0x00, 0x00, 0x50,                    //   address 0x50 = byte 10 bit 0
    0x12, 0x0A, 0x10,                    // item 2
    0x01, 0x00, 0x01,                    //   transport size BIT, 1
    0x00, 0x00, 0x83,                    //   DB 0, area flags (M)
    0x00, 0x00, 0x1B,                    //   address 0x1B = byte 3 bit 3
});

inline const std::vector<uint8_t> read_ack = dt({
    0x32, 0x03, 0x00, 0x00, 0x00, 0x02,  // ack-data, PDU reference 2
    0x00, 0x02, 0x00, 0x0D,              // parameter 2, data 13
    0x00, 0x00,                          // no error
    0x04, 0x02,                          // read var, 2 items
    0xFF, 0x04, 0x00, 0x20,              // item 1: success, BYTE/WORD/DWORD, 32 bits
    0x01, 0x02, 0x03, 0x04,              //   data
    0xFF, 0x03, 0x00, 0x01,              // item 2: success, BIT, 1 bit
    0x01,                                //   data; no fill octet after the last item
});

inline const std::vector<uint8_t> write_job = dt({
    0x32, 0x01, 0x00, 0x00, 0x00, 0x03,  // job, PDU reference 3
    0x00, 0x0E, 0x00, 0x06,              // parameter 14, data 6
    0x05, 0x01,                          // write var, 1 item
    0x12, 0x0A, 0x10, 0x02, 0x00, 0x02,  // S7ANY, BYTE x2
    0x00, 0x00, 0x82,                    // area outputs (Q)
    0x00, 0x00, 0x00,                    // byte 0
    0x00, 0x04, 0x00, 0x10, 0xAB, 0xCD,  // data: reserved, BYTE, 16 bits, value
});

inline const std::vector<uint8_t> write_ack = dt({
    0x32, 0x03, 0x00, 0x00, 0x00, 0x03,  // ack-data, PDU reference 3
    0x00, 0x02, 0x00, 0x01, 0x00, 0x00,  // parameter 2, data 1, no error
    0x05, 0x01,                          // write var, 1 item
    0xFF,                                // item 1: success
});

inline const std::vector<uint8_t> szl_11_job = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x04,  // userdata, PDU reference 4
    0x00, 0x08, 0x00, 0x08,              // parameter 8, data 8
    0x00, 0x01, 0x12, 0x04,              // parameter head, length 4
    0x11, 0x44, 0x01, 0x00,              // request, type 4 group 4 (CPU), read SZL, sequence 0
    0xFF, 0x09, 0x00, 0x04,              // data: return code, octet string, 4
    0x00, 0x11, 0x00, 0x01,              // SZL id 0x0011, index 1
});

inline const std::vector<uint8_t> szl_11_ack = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x04,  // userdata, PDU reference 4
    0x00, 0x0C, 0x00, 0x44,              // parameter 12, data 68
    0x00, 0x01, 0x12, 0x08,              // parameter head, length 8
    0x12, 0x84, 0x01, 0x01,              // response, type 8 group 4, read SZL, sequence 1
    0x00, 0x00, 0x00, 0x00,              // data unit ref, last data unit, error code
    0xFF, 0x09, 0x00, 0x40,              // return code, octet string, 64
    0x00, 0x11, 0x00, 0x01,              // SZL id, index
    0x00, 0x1C, 0x00, 0x02,              // record length 28, 2 records
    0x00, 0x01,                          // index 1: module
    '6', 'E', 'S', '7', ' ', '3', '1', '5', '-', '2', 'E', 'H', '1', '4', '-', '0', 'A', 'B', '0', ' ', 0x00,
    0xC0, 0x00, 0x04, 0x00, 0x01,  // BGTyp, Ausbg, Ausbe: hardware
                                   // version 1
    0x00, 0x07,                    // index 7: firmware
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x00,
    0xC0, 'V', 0x03, 0x02, 0x06,  // V3.2.6
});

inline const std::vector<uint8_t> szl_1c_job = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0x08, 0x00, 0x08,  // userdata, PDU reference 5
    0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00,              // CPU functions, read SZL
    0xFF, 0x09, 0x00, 0x04, 0x00, 0x1C, 0x00, 0x00,              // SZL 0x001C index 0
});

inline const std::vector<uint8_t> szl_1c_ack =
    dt(
        {
            0x32, 0x07, 0x00, 0x00, 0x00, 0x05,  // userdata, PDU reference 5
            0x00, 0x0C, 0x00, 0x50,              // parameter 12, data 80
            0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
            0xFF, 0x09, 0x00, 0x4C,  // return code, octet string, 76
            0x00, 0x1C, 0x00, 0x00,  // SZL 0x001C, index 0
            0x00, 0x22, 0x00, 0x02,  // record length 34, 2 records
            0x00, 0x01,              // index 1: station name
            'P',  'L',  'C',  '-',  'A',  0,    0,    0,    0,    0,    0,    0,
            0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
            0,    0,    0,    0,    0,    0,    0,    0,    0x00, 0x05,  // index 5: serial number
            'S',  ' ',  'C',  '-',  'X',  '1',  '2',  '3',  0,    0,    0,    0,
            0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
            0,    0,    0,    0,    0,    0,    0,    0,
        });

inline const std::vector<uint8_t> request_download = dt({
    0x32, 0x01, 0x00, 0x00, 0x01, 0x00,                      // job, PDU reference 0x100
    0x00, 0x20, 0x00, 0x00,                                  // parameter 32, data 0
    0x1A, 0x00, 0x01, 0x00,                                  // request download, status, unknown
    0x00, 0x00, 0x00, 0x00,                                  // session id
    0x09, '_',  '0',  '8',  '0',  '0',  '0', '0', '1', 'P',  // "_0800001P": OB 1, passive file system
    0x0D, '1',  '0',  '0',  '0',  '3',  '3', '2', '0', '0', '0', '2', '1', '2',  // part 2: lengths
});
inline const std::vector<uint8_t> request_download_ack = dt({
    0x32, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // ack-data, ref 0x100
    0x1A,                                                                    // request download
});
// The PLC asks the programming device for the block (the job travels to the client).
inline const std::vector<uint8_t> download_block = dt({
    0x32, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x00, 0x00,  // job, ref 0x200, param 18
    0x1B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // download block
    0x09, '_',  '0',  '8',  '0',  '0',  '0',  '0',  '1',  'P',
});
inline const std::vector<uint8_t> download_block_ack = dt({
    0x32, 0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x08, 0x00, 0x00,  // ack-data, data 8
    0x1B, 0x00,                                                              // download block, last
    0x00, 0x04, 0x00, 0xFB,                                                  // length 4, unknown
    0x70, 0x70, 0x01, 0x01,                                                  // block data
});
inline const std::vector<uint8_t> download_ended = dt({
    0x32, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x12, 0x00, 0x00,  // job, ref 0x300
    0x1C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // download ended
    0x09, '_',  '0',  '8',  '0',  '0',  '0',  '0',  '1',  'P',
});
inline const std::vector<uint8_t> download_ended_ack = dt({
    0x32,
    0x03,
    0x00,
    0x00,
    0x03,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x1C,
});

inline const std::vector<uint8_t> pi_inse = dt({
    0x32, 0x01, 0x00, 0x00, 0x04, 0x00,                       // job, ref 0x400
    0x00, 0x1A, 0x00, 0x00,                                   // parameter 26
    0x28,                                                     // PLC control (PI service)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFD,                 // unknown
    0x00, 0x0A,                                               // parameter block length 10
    0x01, 0x00, '0',  '8',  '0',  '0',  '0',  '0', '1', 'P',  // 1 block, OB 1
    0x05, '_',  'I',  'N',  'S',  'E',                        // PI service "_INSE"
});
inline const std::vector<uint8_t> pi_ack = dt({
    0x32,
    0x03,
    0x00,
    0x00,
    0x04,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x28,
});

inline const std::vector<uint8_t> plc_stop = dt({
    0x32, 0x01, 0x00, 0x00, 0x05, 0x00,  // job, ref 0x500
    0x00, 0x10, 0x00, 0x00,              // parameter 16
    0x29, 0x00, 0x00, 0x00, 0x00, 0x00,  // PLC stop, unknown
    0x09, 'P',  '_',  'P',  'R',  'O',  'G', 'R', 'A', 'M',
});
inline const std::vector<uint8_t> plc_stop_ack = dt({
    0x32,
    0x03,
    0x00,
    0x00,
    0x05,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x29,
});
// The PLC refuses: error class 0x81 (application relationship), code 0x04.
inline const std::vector<uint8_t> plc_stop_refused = dt({
    0x32,
    0x02,
    0x00,
    0x00,
    0x05,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x81,
    0x04,
});

inline const std::vector<uint8_t> password_job = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x06, 0x00, 0x08, 0x00, 0x0C,  // userdata, ref 6, data 12
    0x00, 0x01, 0x12, 0x04, 0x11, 0x45, 0x01, 0x00,              // request, security, PLC password
    0xFF, 0x09, 0x00, 0x08,                                      // octet string, 8
    0x55, 0x54, 0x45, 0x50, 0x45, 0x55, 0x54, 0x45,              // scrambled password
});

inline const std::vector<uint8_t> read_clock_job = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x04,  // userdata, ref 7
    0x00, 0x01, 0x12, 0x04, 0x11, 0x47, 0x01, 0x00,              // request, time functions, read clock
    0x0A, 0x00, 0x00, 0x00,                                      // no data
});
inline const std::vector<uint8_t> read_clock_ack = dt({
    0x32, 0x07, 0x00, 0x00, 0x00, 0x07, 0x00, 0x0C, 0x00, 0x0E,  // userdata, ref 7, data 14
    0x00, 0x01, 0x12, 0x08, 0x12, 0x87, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0xFF, 0x09, 0x00, 0x0A,                          // octet string, 10
    0x00, 0x19, 0x24, 0x05, 0x17, 0x12, 0x30, 0x45, 0x12, 0x34,  // reserved, 2024-05-17 12:30:45.123
});

inline const std::vector<uint8_t> disconnect_request = {
    0x03, 0x00, 0x00, 0x0B,  // TPKT length 11
    0x06, 0x80,              // LI 6, DR
    0x00, 0x01, 0x00, 0x01,  // dst ref, src ref
    0x00,                    // reason: normal
};

}  // namespace otsentry::s7comm::vectors
