// DNP3 test vectors shared by the parser and session tests: annotated application fragments, one
// per function and object family, and builders that wrap them into link frames. The builders
// compute CRCs with a bit-by-bit CRC-16/DNP written independently of the parser's table.
//
// Addresses: master 1, outstation 10. Master frames: control 0xC4 (DIR, PRM, unconfirmed user
// data); outstation frames: 0x44 (PRM, unconfirmed user data).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace otsentry::dnp3::vectors {

constexpr uint16_t master = 1;
constexpr uint16_t outstation = 10;
constexpr uint8_t ctl_from_master = 0xC4;
constexpr uint8_t ctl_from_outstation = 0x44;

// 1700000000000 ms (2023-11-14T22:13:20Z) as a 48-bit little-endian DNP3 time. The macros only
// splice repeated bytes into the constexpr vectors below and are undefined at the end.
#define DNP3_T0 0x00, 0x68, 0xE5, 0xCF, 0x8B, 0x01
constexpr uint64_t t0_ms = 1700000000000ull;

inline uint16_t reference_crc(std::span<const uint8_t> bytes)
{
    uint16_t crc = 0;
    for (uint8_t b : bytes) {
        crc ^= b;
        for (int i = 0; i < 8; ++i)
            crc = (crc & 1u) != 0 ? static_cast<uint16_t>((crc >> 1) ^ 0xA6BC)
                                  : static_cast<uint16_t>(crc >> 1);
    }
    return static_cast<uint16_t>(~crc);
}

inline void append_crc(std::vector<uint8_t>& out, std::span<const uint8_t> bytes)
{
    const uint16_t c = reference_crc(bytes);
    out.push_back(static_cast<uint8_t>(c & 0xFF));
    out.push_back(static_cast<uint8_t>(c >> 8));
}

// One link frame: header, header CRC, user data in 16-byte blocks each with its CRC.
inline std::vector<uint8_t> link_frame(uint8_t control, uint16_t dst, uint16_t src,
                                       std::span<const uint8_t> user = {})
{
    std::vector<uint8_t> out = {0x05,
                                0x64,
                                static_cast<uint8_t>(5 + user.size()),
                                control,
                                static_cast<uint8_t>(dst & 0xFF),
                                static_cast<uint8_t>(dst >> 8),
                                static_cast<uint8_t>(src & 0xFF),
                                static_cast<uint8_t>(src >> 8)};
    append_crc(out, std::span<const uint8_t>{out}.first(8));
    for (size_t off = 0; off < user.size(); off += 16) {
        const auto block = user.subspan(off, std::min<size_t>(16, user.size() - off));
        out.insert(out.end(), block.begin(), block.end());
        append_crc(out, block);
    }
    return out;
}

// An application fragment as link frames of at most `segment` application bytes each, with
// transport sequence numbers from `tseq`, concatenated.
inline std::vector<uint8_t> frames(uint8_t control, uint16_t dst, uint16_t src, std::span<const uint8_t> app,
                                   uint8_t tseq = 0, size_t segment = 249)
{
    std::vector<uint8_t> out;
    size_t off = 0;
    do {
        const size_t n = std::min(segment, app.size() - off);
        std::vector<uint8_t> user;
        uint8_t th = tseq & 0x3F;
        if (off == 0) th |= 0x40;               // FIR
        if (off + n == app.size()) th |= 0x80;  // FIN
        user.push_back(th);
        user.insert(user.end(), app.begin() + static_cast<std::ptrdiff_t>(off),
                    app.begin() + static_cast<std::ptrdiff_t>(off + n));
        const auto f = link_frame(control, dst, src, user);
        out.insert(out.end(), f.begin(), f.end());
        off += n;
        tseq = static_cast<uint8_t>((tseq + 1) & 0x3F);
    } while (off < app.size());
    return out;
}

inline std::vector<uint8_t> from_master(std::span<const uint8_t> app, uint8_t tseq = 0)
{
    return frames(ctl_from_master, outstation, master, app, tseq);
}

inline std::vector<uint8_t> from_outstation(std::span<const uint8_t> app, uint8_t tseq = 0)
{
    return frames(ctl_from_outstation, master, outstation, app, tseq);
}

// clang-format off

// ------------------------------------------------------------------------------- class poll
constexpr std::array<uint8_t, 14> read_class_req = {
    0xC1, 0x01,        // FIR FIN seq 1, read
    0x3C, 0x02, 0x06,  // g60v2 class 1 data, all
    0x3C, 0x03, 0x06,  // g60v3 class 2
    0x3C, 0x04, 0x06,  // g60v4 class 3
    0x3C, 0x01, 0x06,  // g60v1 class 0
};
constexpr std::array<uint8_t, 67> read_class_resp = {
    0xC1, 0x81, 0x90, 0x00,        // FIR FIN seq 1, response, IIN1 device restart + need time
    0x01, 0x02, 0x00, 0x00, 0x03,  // g1v2 binary input with flags, 8-bit start 0 stop 3
    0x81, 0x01, 0x81, 0x01,        //   online; states 1 0 1 0
    0x1E, 0x01, 0x00, 0x00, 0x01,  // g30v1 32-bit analog input, start 0 stop 1
    0x01, 0xE8, 0x03, 0x00, 0x00,  //   online, 1000
    0x01, 0x18, 0xFC, 0xFF, 0xFF,  //   online, -1000
    0x01, 0x01, 0x00, 0x00, 0x09,  // g1v1 packed binary input, start 0 stop 9
    0x05, 0x02,                    //   1 0 1 0 0 0 0 0 | 0 1
    0x03, 0x01, 0x00, 0x00, 0x03,  // g3v1 packed double-bit input, start 0 stop 3
    0xE4,                          //   0 1 2 3 (two bits each, low bits first)
    0x14, 0x01, 0x00, 0x05, 0x05,  // g20v1 32-bit counter with flag, start 5 stop 5
    0x01, 0x39, 0x30, 0x00, 0x00,  //   online, 12345
    0x28, 0x01, 0x00, 0x00, 0x00,  // g40v1 32-bit analog output status, start 0 stop 0
    0x01, 0x64, 0x00, 0x00, 0x00,  //   online, 100
    0x0A, 0x02, 0x00, 0x00, 0x00,  // g10v2 binary output status, start 0 stop 0
    0x81,                          //   online, state 1
};

// --------------------------------------------------------------- events (class 1 read answer)
constexpr std::array<uint8_t, 2> read_events_req = {0xC2, 0x01};  // FIR FIN seq 2, read (no objects)
constexpr std::array<uint8_t, 104> events_resp = {
    0xE2, 0x81, 0x02, 0x00,                          // FIR FIN CON seq 2, response, IIN1 class 1 events
    0x02, 0x02, 0x28, 0x01, 0x00,                    // g2v2 binary input event with time, 2-byte index, count 1
    0x07, 0x00, 0x81, DNP3_T0,                       //   index 7, online state 1, t0
    0x33, 0x01, 0x07, 0x01, DNP3_T0,                 // g51v1 CTO, count 1, t0
    0x02, 0x03, 0x17, 0x01, 0x03, 0x01, 0x0A, 0x00,  // g2v3 relative time: index 3, online state 0, +10 ms
    0x20, 0x07, 0x17, 0x01,                          // g32v7 float analog event with time, 1-byte index, count 1
    0x02, 0x01, 0x00, 0x00, 0xC0, 0x3F, DNP3_T0,     //   index 2, online, 1.5, t0
    0x16, 0x01, 0x17, 0x01,                          // g22v1 32-bit counter event
    0x04, 0x01, 0x0A, 0x00, 0x00, 0x00,              //   index 4, online, 10
    0x04, 0x02, 0x17, 0x01, 0x00, 0x81, DNP3_T0,     // g4v2 double-bit event with time: index 0, flags 0x81 (state 2)
    0x0B, 0x01, 0x17, 0x01, 0x01, 0x81,              // g11v1 binary output event: index 1, state 1
    0x0D, 0x01, 0x17, 0x01, 0x01, 0x80,              // g13v1 command event: index 1, commanded on
    0x2A, 0x02, 0x17, 0x01, 0x00, 0x01, 0x2C, 0x01,  // g42v2 16-bit analog output event: index 0, 300
    0x2B, 0x01, 0x17, 0x01, 0x00, 0x00, 0x2C, 0x01, 0x00, 0x00,  // g43v1 AO command event: index 0, status 0, 300
};
constexpr std::array<uint8_t, 2> confirm_seq2 = {0xC2, 0x00};  // FIR FIN seq 2, confirm

// ------------------------------------------------------------- static counters and analogs
constexpr std::array<uint8_t, 2> read_static_req = {0xC3, 0x01};
constexpr std::array<uint8_t, 180> static_resp = {
    0xC3, 0x81, 0x00, 0x00,
    0x14, 0x02, 0x00, 0x00, 0x00, 0x01, 0x07, 0x00,                    // g20v2 16-bit counter: online, 7
    0x14, 0x05, 0x00, 0x01, 0x01, 0x08, 0x00, 0x00, 0x00,              // g20v5 32-bit no flag, index 1: 8
    0x14, 0x06, 0x00, 0x02, 0x02, 0x09, 0x00,                          // g20v6 16-bit no flag, index 2: 9
    0x15, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0B, 0x00, 0x00, 0x00,        // g21v1 frozen counter: 11
    0x15, 0x05, 0x00, 0x00, 0x00, 0x01, 0x0C, 0x00, 0x00, 0x00, DNP3_T0,  // g21v5 with time: 12, t0
    0x15, 0x09, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x00, 0x00,              // g21v9 no flag: 13
    0x17, 0x01, 0x17, 0x01, 0x00, 0x01, 0x0E, 0x00, 0x00, 0x00,        // g23v1 frozen counter event, index 0: 14
    0x1E, 0x02, 0x00, 0x00, 0x00, 0x01, 0xFF, 0x7F,                    // g30v2 16-bit: 32767
    0x1E, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,              // g30v3 32-bit no flag: 65536
    0x1E, 0x04, 0x00, 0x00, 0x00, 0x00, 0x80,                          // g30v4 16-bit no flag: -32768
    0x1E, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x20, 0x41,        // g30v5 float: 10.0
    0x1E, 0x06, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x04, 0x40,  // g30v6 double: 2.5
    0x1F, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00,        // g31v1 frozen analog: 5
    0x21, 0x01, 0x17, 0x01, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00,        // g33v1 frozen analog event, index 0: 6
    0x22, 0x01, 0x00, 0x00, 0x00, 0x0A, 0x00,                          // g34v1 16-bit deadband: 10
    0x28, 0x02, 0x00, 0x00, 0x00, 0x01, 0x32, 0x00,                    // g40v2 16-bit AO status: 50
    0x28, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80, 0x3F,        // g40v3 float: 1.0
    0x28, 0x04, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,  // g40v4 double: 1.0
};

// ----------------------------------------------------------------------------------- control
// g12v1 CROB with a 2-byte index prefix and a 2-byte count; `fc` and `ctl` vary.
#define DNP3_CROB_BODY                                          \
    0x0C, 0x01, 0x28, 0x01, 0x00, /* g12v1 CROB, count 1 */     \
        0x03, 0x00,               /* index 3 */                 \
        0x41,                     /* close + pulse on */        \
        0x01,                     /* count 1 */                 \
        0xF4, 0x01, 0x00, 0x00,   /* on time 500 ms */          \
        0x00, 0x00, 0x00, 0x00,   /* off time 0 */              \
        0x00                      /* status success */
constexpr std::array<uint8_t, 20> select_req = {0xC4, 0x03, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 22> select_resp = {0xC4, 0x81, 0x00, 0x00, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 20> operate_req = {0xC5, 0x04, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 22> operate_resp = {0xC5, 0x81, 0x00, 0x00, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 20> direct_operate_req = {0xC6, 0x05, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 22> direct_operate_resp = {0xC6, 0x81, 0x00, 0x00, DNP3_CROB_BODY};
constexpr std::array<uint8_t, 20> direct_operate_nr_req = {0xC7, 0x06, DNP3_CROB_BODY};  // never answered

constexpr std::array<uint8_t, 44> aob_req = {
    0xC8, 0x05,                                                 // FIR FIN seq 8, direct operate
    0x29, 0x01, 0x17, 0x01, 0x00, 0x10, 0x27, 0x00, 0x00, 0x00,  // g41v1 index 0: 10000, status 0
    0x29, 0x02, 0x17, 0x01, 0x01, 0x64, 0x00, 0x00,              // g41v2 index 1: 100
    0x29, 0x03, 0x17, 0x01, 0x02, 0x00, 0x00, 0x20, 0x41, 0x00,  // g41v3 index 2: 10.0
    0x29, 0x04, 0x17, 0x01, 0x03, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x00,  // g41v4 index 3: 1.0
};

// ------------------------------------------------------------------------------- time sync
constexpr std::array<uint8_t, 2> delay_measure_req = {0xC9, 0x17};
constexpr std::array<uint8_t, 10> delay_measure_resp = {
    0xC9, 0x81, 0x10, 0x00,        // IIN1 need time
    0x34, 0x02, 0x07, 0x01,        // g52v2 fine time delay, count 1
    0x05, 0x00,                    //   5 ms
};
constexpr std::array<uint8_t, 12> write_time_req = {
    0xCA, 0x02,                    // FIR FIN seq 10, write
    0x32, 0x01, 0x07, 0x01,        // g50v1 absolute time, count 1
    DNP3_T0,
};
constexpr std::array<uint8_t, 4> null_resp_seq10 = {0xCA, 0x81, 0x00, 0x00};
constexpr std::array<uint8_t, 2> record_time_req = {0xCB, 0x18};
constexpr std::array<uint8_t, 4> null_resp_seq11 = {0xCB, 0x81, 0x00, 0x00};
constexpr std::array<uint8_t, 19> freeze_at_time_req = {
    0xCC, 0x0B,                    // FIR FIN seq 12, freeze at time
    0x32, 0x02, 0x07, 0x01,        // g50v2 time and interval, count 1
    DNP3_T0, 0x60, 0xEA, 0x00, 0x00,  //   t0, every 60000 ms
    0x14, 0x00, 0x06,              // g20v0 all counters (no values)
};
constexpr std::array<uint8_t, 5> immediate_freeze_req = {0xCD, 0x07, 0x14, 0x00, 0x06};
constexpr std::array<uint8_t, 5> freeze_clear_nr_req = {0xCE, 0x0A, 0x14, 0x00, 0x06};

// ------------------------------------------------------------------------ restarts, application
constexpr std::array<uint8_t, 2> cold_restart_req = {0xCF, 0x0D};
constexpr std::array<uint8_t, 10> cold_restart_resp = {
    0xCF, 0x81, 0x00, 0x00,
    0x34, 0x01, 0x07, 0x01, 0x02, 0x00,  // g52v1 coarse time delay: 2 s
};
constexpr std::array<uint8_t, 2> warm_restart_req = {0xC0, 0x0E};
constexpr std::array<uint8_t, 10> warm_restart_resp = {
    0xC0, 0x81, 0x00, 0x00,
    0x34, 0x02, 0x07, 0x01, 0xF4, 0x01,  // g52v2 fine time delay: 500 ms
};
constexpr std::array<uint8_t, 13> stop_app_req = {
    0xC1, 0x12,                    // FIR FIN seq 1, stop application
    0x5A, 0x01, 0x5B, 0x01,        // g90v1 application identifier, free format, count 1
    0x05, 0x00,                    //   object size 5
    'p', 'u', 'm', 'p', '1',
};
constexpr std::array<uint8_t, 13> start_app_req = {0xC2, 0x11, 0x5A, 0x01, 0x5B, 0x01, 0x05, 0x00, 'p', 'u', 'm', 'p', '1'};
constexpr std::array<uint8_t, 13> init_app_req = {0xC3, 0x10, 0x5A, 0x01, 0x5B, 0x01, 0x05, 0x00, 'p', 'u', 'm', 'p', '1'};
constexpr std::array<uint8_t, 2> save_config_req = {0xC4, 0x13};
constexpr std::array<uint8_t, 2> init_data_req = {0xC5, 0x0F};
constexpr std::array<uint8_t, 11> enable_unsol_req = {0xC6, 0x14, 0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06};
constexpr std::array<uint8_t, 11> disable_unsol_req = {0xC7, 0x15, 0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06};
constexpr std::array<uint8_t, 8> assign_class_req = {
    0xC8, 0x16,                    // FIR FIN seq 8, assign class
    0x3C, 0x02, 0x06,              // to class 1:
    0x01, 0x00, 0x06,              //   g1v0 all binary inputs
};
constexpr std::array<uint8_t, 8> write_iin_req = {
    0xC9, 0x02,                    // FIR FIN seq 9, write
    0x50, 0x01, 0x00, 0x07, 0x07,  // g80v1 IIN, start 7 stop 7
    0x00,                          //   device restart bit cleared
};

// ----------------------------------------------------------------------- device attributes
constexpr std::array<uint8_t, 5> read_attributes_req = {0xCA, 0x01, 0x00, 0xFE, 0x06};  // g0v254, all
constexpr std::array<uint8_t, 24> attributes_resp = {
    0xCA, 0x81, 0x00, 0x00,
    0x00, 0xFC, 0x00, 0x00, 0x00,  // g0v252 manufacturer name, start 0 stop 0
    0x01, 0x04, 'A', 'c', 'm', 'e',  //   VSTR, length 4
    0x00, 0xF1, 0x00, 0x00, 0x00,  // g0v241 max receive fragment size
    0x02, 0x02, 0x00, 0x08,        //   UINT, length 2: 2048
};

// ------------------------------------------------------------------------------ file transfer
constexpr std::array<uint8_t, 42> open_file_req = {
    0xCB, 0x19,                    // FIR FIN seq 11, open file
    0x46, 0x03, 0x5B, 0x01,        // g70v3 file command, free format, count 1
    0x22, 0x00,                    //   object size 34
    0x1A, 0x00, 0x08, 0x00,        //   name offset 26, name size 8
    DNP3_T0,                       //   created t0
    0xFF, 0x01,                    //   permissions 0777
    0x00, 0x00, 0x00, 0x00,        //   authentication key 0
    0x00, 0x00, 0x00, 0x00,        //   file size 0
    0x01, 0x00,                    //   mode: read
    0x00, 0x04,                    //   max block size 1024
    0x07, 0x00,                    //   request id 7
    '/', 'l', 'o', 'g', '.', 't', 'x', 't',
};
constexpr std::array<uint8_t, 23> open_file_resp = {
    0xCB, 0x81, 0x00, 0x00,
    0x46, 0x04, 0x5B, 0x01, 0x0D, 0x00,  // g70v4 file command status, size 13
    0x78, 0x56, 0x34, 0x12,        //   handle 0x12345678
    0x64, 0x00, 0x00, 0x00,        //   file size 100
    0x00, 0x04, 0x07, 0x00,        //   max block 1024, request id 7
    0x00,                          //   status success
};
constexpr std::array<uint8_t, 22> file_data_resp = {
    0xCC, 0x81, 0x00, 0x00,
    0x46, 0x05, 0x5B, 0x01, 0x0C, 0x00,  // g70v5 file transport, size 12
    0x78, 0x56, 0x34, 0x12,        //   handle
    0x00, 0x00, 0x00, 0x80,        //   block 0, last
    'a', 'b', 'c', 'd',
};
constexpr std::array<uint8_t, 21> close_file_req = {
    0xCD, 0x1A,                    // FIR FIN seq 13, close file
    0x46, 0x04, 0x5B, 0x01, 0x0D, 0x00,
    0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
};
constexpr std::array<uint8_t, 28> file_auth_req = {
    0xCE, 0x1D,                    // FIR FIN seq 14, authenticate file
    0x46, 0x02, 0x5B, 0x01, 0x14, 0x00,  // g70v2 authentication, size 20
    0x0C, 0x00, 0x02, 0x00,        //   user name at 12, 2 bytes
    0x0E, 0x00, 0x06, 0x00,        //   password at 14, 6 bytes
    0x00, 0x00, 0x00, 0x00,        //   authentication key
    'o', 'p', 's', 'e', 'c', 'r', 'e', 't',
};
constexpr std::array<uint8_t, 16> activate_config_req = {
    0xCF, 0x1F,                    // FIR FIN seq 15, activate config
    0x46, 0x08, 0x5B, 0x01, 0x08, 0x00,  // g70v8 file specification, size 8
    'c', 'o', 'n', 'f', '.', 'x', 'm', 'l',
};

// ---------------------------------------------------------------------- secure authentication
constexpr std::array<uint8_t, 22> auth_challenge_resp = {
    0xC6, 0x83, 0x90, 0x00,        // FIR FIN seq 6, authenticate response
    0x78, 0x01, 0x5B, 0x01, 0x0C, 0x00,  // g120v1 challenge, size 12
    0x03, 0x00, 0x00, 0x00,        //   challenge sequence number 3
    0x01, 0x00,                    //   user 1
    0x04, 0x01,                    //   MAC algorithm, reason
    's', 't', 'e', 'v',            //   challenge data
};
constexpr std::array<uint8_t, 18> auth_reply_req = {
    0xC6, 0x20,                    // FIR FIN seq 6, authenticate request
    0x78, 0x02, 0x5B, 0x01, 0x0A, 0x00,  // g120v2 reply, size 10
    0x03, 0x00, 0x00, 0x00, 0x01, 0x00,  //   CSQ 3, user 1
    0xDE, 0xAD, 0xBE, 0xEF,        //   MAC
};

// ------------------------------------------------------------------- octet strings, terminal
constexpr std::array<uint8_t, 19> write_strings_req = {
    0xC0, 0x02,                    // FIR FIN seq 0, write
    0x6E, 0x04, 0x00, 0x00, 0x00,  // g110v4 octet string (4 bytes), start 0 stop 0
    'a', 'b', 'c', 'd',
    0x70, 0x03, 0x17, 0x01, 0x02,  // g112v3 virtual terminal output (3 bytes), index 2
    'x', 'y', 'z',
};

// -------------------------------------------------------------------------------- unsolicited
constexpr std::array<uint8_t, 4> null_unsolicited = {0xF0, 0x82, 0x80, 0x00};  // FIR FIN CON UNS seq 0, restart
constexpr std::array<uint8_t, 2> unsolicited_confirm0 = {0xD0, 0x00};          // FIR FIN UNS seq 0, confirm
constexpr std::array<uint8_t, 10> unsolicited_events = {
    0xF1, 0x82, 0x02, 0x00,        // FIR FIN CON UNS seq 1, unsolicited response, class 1 events
    0x02, 0x01, 0x17, 0x01, 0x03, 0x81,  // g2v1 index 3: online, state 1
};
constexpr std::array<uint8_t, 2> unsolicited_confirm1 = {0xD1, 0x00};

// ---------------------------------------------------------------------------- bad fragments
constexpr std::array<uint8_t, 2> unknown_function_req = {0xC0, 0x50};
constexpr std::array<uint8_t, 8> unknown_object_read = {
    0xC1, 0x01,
    0xC8, 0x01, 0x06,              // g200v1: not in the library (reported, parse goes on: no values)
    0x3C, 0x01, 0x06,              // g60v1 class 0
};
constexpr std::array<uint8_t, 11> unknown_object_resp = {
    0xC1, 0x81, 0x00, 0x00,
    0xC8, 0x01, 0x00, 0x00, 0x00,  // g200v1 with a value: cannot be sized
    0xAA, 0xBB,
};
constexpr std::array<uint8_t, 9> reserved_qualifier_req = {
    0xC2, 0x02,
    0x1E, 0x01, 0x0A,              // range code 0xA is reserved
    0x00, 0x00, 0x00, 0x00,
};
constexpr std::array<uint8_t, 7> stop_below_start_req = {
    0xC3, 0x01,
    0x1E, 0x01, 0x00, 0x05, 0x02,  // g30v1 start 5 stop 2
};
constexpr std::array<uint8_t, 17> truncated_objects_resp = {
    0xC4, 0x81, 0x00, 0x00,
    0x1E, 0x01, 0x00, 0x00, 0x02,  // g30v1 start 0 stop 2: three objects of 5 bytes
    0x01, 0x01, 0x00, 0x00, 0x00,  //   1
    0x01, 0x02, 0x00,              //   ... cut
};

// clang-format on

#undef DNP3_T0
#undef DNP3_CROB_BODY

}  // namespace otsentry::dnp3::vectors
