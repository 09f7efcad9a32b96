// Modbus/TCP test vectors shared by the parser and session tests, most from the examples in
// the Modbus Application Protocol v1.1b3 (section numbers on each), wrapped in an MBAP header
// with unit id 0x11 and transaction id = function code.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "dissectors/common/types.h"

namespace otsentry::modbus::test {

// §6.1 Read Coils
constexpr uint8_t read_coils_req[] = {
    0x00, 0x01,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x01,        // function: read coils
    0x00, 0x13,  // start address 19
    0x00, 0x13,  // quantity 19
};
constexpr uint8_t read_coils_resp[] = {
    0x00, 0x01,        // transaction id
    0x00, 0x00,        // protocol id
    0x00, 0x06,        // length
    0x11,              // unit id
    0x01,              // function: read coils
    0x03,              // byte count
    0xCD, 0x6B, 0x05,  // coil status 19..45 (only 19 bits are real)
};

// §6.2 Read Discrete Inputs
constexpr uint8_t read_discrete_req[] = {
    0x00, 0x02,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x02,        // function: read discrete inputs
    0x00, 0xC4,  // start address 196
    0x00, 0x16,  // quantity 22
};
constexpr uint8_t read_discrete_resp[] = {
    0x00, 0x02,        // transaction id
    0x00, 0x00,        // protocol id
    0x00, 0x06,        // length
    0x11,              // unit id
    0x02,              // function: read discrete inputs
    0x03,              // byte count
    0xAC, 0xDB, 0x35,  // input status
};

// §6.3 Read Holding Registers
constexpr uint8_t read_holding_req[] = {
    0x00, 0x03,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x03,        // function: read holding registers
    0x00, 0x6B,  // start address 107
    0x00, 0x03,  // quantity 3
};
constexpr uint8_t read_holding_resp[] = {
    0x00, 0x03,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x09,  // length
    0x11,        // unit id
    0x03,        // function: read holding registers
    0x06,        // byte count
    0x02, 0x2B,  // register 107 = 555
    0x00, 0x00,  // register 108 = 0
    0x00, 0x64,  // register 109 = 100
};

// §6.4 Read Input Registers
constexpr uint8_t read_input_req[] = {
    0x00, 0x04,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x04,        // function: read input registers
    0x00, 0x08,  // start address 8
    0x00, 0x01,  // quantity 1
};
constexpr uint8_t read_input_resp[] = {
    0x00, 0x04,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x05,  // length
    0x11,        // unit id
    0x04,        // function: read input registers
    0x02,        // byte count
    0x00, 0x0A,  // register 8 = 10
};

// §6.5 Write Single Coil (request and response are the same)
constexpr uint8_t write_coil_req[] = {
    0x00, 0x05,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x05,        // function: write single coil
    0x00, 0xAC,  // output address 172
    0xFF, 0x00,  // value: on
};

// §6.6 Write Single Register (request and response are the same)
constexpr uint8_t write_register_req[] = {
    0x00, 0x06,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x06,        // function: write single register
    0x00, 0x01,  // register address 1
    0x00, 0x03,  // value 3
};

// §6.7 Read Exception Status
constexpr uint8_t read_exception_status_req[] = {
    0x00, 0x07,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x02,  // length
    0x11,        // unit id
    0x07,        // function: read exception status
};
constexpr uint8_t read_exception_status_resp[] = {
    0x00, 0x07,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x03,  // length
    0x11,        // unit id
    0x07,        // function: read exception status
    0x6D,        // output data
};

// §6.8 Diagnostics, sub-function 0 Return Query Data (response echoes the request)
constexpr uint8_t diagnostics_req[] = {
    0x00, 0x08,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x08,        // function: diagnostics
    0x00, 0x00,  // sub-function: return query data
    0xA5, 0x37,  // data
};

// §6.8.1 sub-function 4 Force Listen Only Mode: never answered
constexpr uint8_t force_listen_only_req[] = {
    0x00, 0x09,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x08,        // function: diagnostics
    0x00, 0x04,  // sub-function: force listen only mode
    0x00, 0x00,  // data
};

// §6.9 Get Comm Event Counter
constexpr uint8_t comm_event_counter_req[] = {
    0x00, 0x0B,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x02,  // length
    0x11,        // unit id
    0x0B,        // function: get comm event counter
};
constexpr uint8_t comm_event_counter_resp[] = {
    0x00, 0x0B,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x0B,        // function: get comm event counter
    0xFF, 0xFF,  // status: busy
    0x01, 0x08,  // event count 264
};

// §6.10 Get Comm Event Log
constexpr uint8_t comm_event_log_req[] = {
    0x00, 0x0C,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x02,  // length
    0x11,        // unit id
    0x0C,        // function: get comm event log
};
constexpr uint8_t comm_event_log_resp[] = {
    0x00, 0x0C,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x0B,  // length
    0x11,        // unit id
    0x0C,        // function: get comm event log
    0x08,        // byte count
    0x00, 0x00,  // status
    0x01, 0x08,  // event count 264
    0x01, 0x21,  // message count 289
    0x20, 0x00,  // events
};

// §6.11 Write Multiple Coils
constexpr uint8_t write_coils_req[] = {
    0x00, 0x0F,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x09,  // length
    0x11,        // unit id
    0x0F,        // function: write multiple coils
    0x00, 0x13,  // start address 19
    0x00, 0x0A,  // quantity 10
    0x02,        // byte count
    0xCD, 0x01,  // outputs 1,0,1,1,0,0,1,1, 1,0
};
constexpr uint8_t write_coils_resp[] = {
    0x00, 0x0F,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x0F,        // function: write multiple coils
    0x00, 0x13,  // start address 19
    0x00, 0x0A,  // quantity 10
};

// §6.12 Write Multiple Registers
constexpr uint8_t write_registers_req[] = {
    0x00, 0x10,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x0B,  // length
    0x11,        // unit id
    0x10,        // function: write multiple registers
    0x00, 0x01,  // start address 1
    0x00, 0x02,  // quantity 2
    0x04,        // byte count
    0x00, 0x0A,  // register 1 = 10
    0x01, 0x02,  // register 2 = 258
};
constexpr uint8_t write_registers_resp[] = {
    0x00, 0x10,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x10,        // function: write multiple registers
    0x00, 0x01,  // start address 1
    0x00, 0x02,  // quantity 2
};

// §6.13 Report Server ID
constexpr uint8_t report_server_id_req[] = {
    0x00, 0x11,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x02,  // length
    0x11,        // unit id
    0x11,        // function: report server id
};
constexpr uint8_t report_server_id_resp[] = {
    0x00, 0x11,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x06,  // length
    0x11,        // unit id
    0x11,        // function: report server id
    0x03,        // byte count
    0x2A,        // server id (device specific)
    0xFF,        // run indicator: on
    0x01,        // additional data
};

// §6.14 Read File Record
constexpr uint8_t read_file_req[] = {
    0x00, 0x14,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x11,  // length
    0x11,        // unit id
    0x14,        // function: read file record
    0x0E,        // byte count
    0x06,        // sub-request 1: reference type
    0x00, 0x04,  //   file number 4
    0x00, 0x01,  //   record number 1
    0x00, 0x02,  //   record length 2
    0x06,        // sub-request 2: reference type
    0x00, 0x03,  //   file number 3
    0x00, 0x09,  //   record number 9
    0x00, 0x02,  //   record length 2
};
constexpr uint8_t read_file_resp[] = {
    0x00, 0x14,              // transaction id
    0x00, 0x00,              // protocol id
    0x00, 0x0F,              // length
    0x11,                    // unit id
    0x14,                    // function: read file record
    0x0C,                    // response data length
    0x05,                    // sub-response 1: file response length
    0x06,                    //   reference type
    0x0D, 0xFE, 0x00, 0x20,  //   record data
    0x05,                    // sub-response 2: file response length
    0x06,                    //   reference type
    0x33, 0xCD, 0x00, 0x40,  //   record data
};

// §6.15 Write File Record (response echoes the request)
constexpr uint8_t write_file_req[] = {
    0x00, 0x15,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x10,  // length
    0x11,        // unit id
    0x15,        // function: write file record
    0x0D,        // request data length
    0x06,        // sub-request 1: reference type
    0x00, 0x04,  //   file number 4
    0x00, 0x07,  //   record number 7
    0x00, 0x03,  //   record length 3
    0x06, 0xAF,  //   record data
    0x04, 0xBE,  //
    0x10, 0x0D,  //
};

// §6.16 Mask Write Register (response echoes the request)
constexpr uint8_t mask_write_req[] = {
    0x00, 0x16,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x08,  // length
    0x11,        // unit id
    0x16,        // function: mask write register
    0x00, 0x04,  // reference address 4
    0x00, 0xF2,  // and mask
    0x00, 0x25,  // or mask
};

// §6.17 Read/Write Multiple Registers
constexpr uint8_t read_write_req[] = {
    0x00, 0x17,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x11,  // length
    0x11,        // unit id
    0x17,        // function: read/write multiple registers
    0x00, 0x03,  // read starting address 3
    0x00, 0x06,  // quantity to read 6
    0x00, 0x0E,  // write starting address 14
    0x00, 0x03,  // quantity to write 3
    0x06,        // write byte count
    0x00, 0xFF,  // write register 14 = 255
    0x00, 0xFF,  // write register 15 = 255
    0x00, 0xFF,  // write register 16 = 255
};
constexpr uint8_t read_write_resp[] = {
    0x00, 0x17,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x0F,  // length
    0x11,        // unit id
    0x17,        // function: read/write multiple registers
    0x0C,        // byte count
    0x00, 0xFE,  // register 3 = 254
    0x0A, 0xCD,  // register 4 = 2765
    0x00, 0x01,  // register 5 = 1
    0x00, 0x03,  // register 6 = 3
    0x00, 0x0D,  // register 7 = 13
    0x00, 0xFF,  // register 8 = 255
};

// §6.18 Read FIFO Queue
constexpr uint8_t read_fifo_req[] = {
    0x00, 0x18,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x04,  // length
    0x11,        // unit id
    0x18,        // function: read fifo queue
    0x04, 0xDE,  // FIFO pointer address 1246
};
constexpr uint8_t read_fifo_resp[] = {
    0x00, 0x18,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x0A,  // length
    0x11,        // unit id
    0x18,        // function: read fifo queue
    0x00, 0x06,  // byte count
    0x00, 0x02,  // FIFO count
    0x01, 0xB8,  // FIFO value 440
    0x12, 0x84,  // FIFO value 4740
};

// §6.20 CANopen General Reference (request and response carry opaque data)
constexpr uint8_t canopen_req[] = {
    0x00, 0x2C,        // transaction id
    0x00, 0x00,        // protocol id
    0x00, 0x06,        // length
    0x11,              // unit id
    0x2B,              // function: encapsulated interface transport
    0x0D,              // MEI type: CANopen general reference
    0x01, 0x02, 0x03,  // CANopen data
};
constexpr uint8_t canopen_resp[] = {
    0x00, 0x2C,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x05,  // length
    0x11,        // unit id
    0x2B,        // function: encapsulated interface transport
    0x0D,        // MEI type: CANopen general reference
    0x0A, 0x0B,  // CANopen data
};

// §6.21 Read Device Identification
constexpr uint8_t device_id_req[] = {
    0x00, 0x2B,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x05,  // length
    0x11,        // unit id
    0x2B,        // function: encapsulated interface transport
    0x0E,        // MEI type: read device identification
    0x01,        // read device id code: basic
    0x00,        // object id: VendorName
};
constexpr uint8_t device_id_resp[] = {
    0x00, 0x2B,                           // transaction id
    0x00, 0x00,                           // protocol id
    0x00, 0x21,                           // length
    0x11,                                 // unit id
    0x2B,                                 // function: encapsulated interface transport
    0x0E,                                 // MEI type: read device identification
    0x01,                                 // read device id code: basic
    0x01,                                 // conformity level
    0x00,                                 // more follows: no
    0x00,                                 // next object id
    0x03,                                 // number of objects
    0x00, 0x07,                           // object 0 VendorName, length 7
    'C',  'o',  'm', 'p', 'a', 'n', 'y',  //   value
    0x01, 0x07,                           // object 1 ProductCode, length 7
    'P',  'r',  'o', 'd', 'u', 'c', 't',  //   value
    0x02, 0x05,                           // object 2 MajorMinorRevision, length 5
    'V',  '2',  '.', '1', '1',            //   value
};

// §7 Exception response: read holding registers, illegal data address
constexpr uint8_t exception_resp[] = {
    0x00, 0x03,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x03,  // length
    0x11,        // unit id
    0x83,        // function: read holding registers | exception bit
    0x02,        // exception code: illegal data address
};

// §5 user-defined function 65 with opaque data
constexpr uint8_t user_defined_req[] = {
    0x00, 0x41,  // transaction id
    0x00, 0x00,  // protocol id
    0x00, 0x04,  // length
    0x11,        // unit id
    0x41,        // function: 65 (user-defined)
    0xDE, 0xAD,  // data
};

struct Vector {
    std::string_view name;
    Direction dir;
    std::span<const uint8_t> bytes;
};

// Every well-formed vector; each parses with no anomaly except the exception response.
constexpr Vector all_vectors[] = {
    {"read_coils_req", Direction::ToServer, read_coils_req},
    {"read_coils_resp", Direction::ToClient, read_coils_resp},
    {"read_discrete_req", Direction::ToServer, read_discrete_req},
    {"read_discrete_resp", Direction::ToClient, read_discrete_resp},
    {"read_holding_req", Direction::ToServer, read_holding_req},
    {"read_holding_resp", Direction::ToClient, read_holding_resp},
    {"read_input_req", Direction::ToServer, read_input_req},
    {"read_input_resp", Direction::ToClient, read_input_resp},
    {"write_coil_req", Direction::ToServer, write_coil_req},
    {"write_coil_resp", Direction::ToClient, write_coil_req},
    {"write_register_req", Direction::ToServer, write_register_req},
    {"write_register_resp", Direction::ToClient, write_register_req},
    {"read_exception_status_req", Direction::ToServer, read_exception_status_req},
    {"read_exception_status_resp", Direction::ToClient, read_exception_status_resp},
    {"diagnostics_req", Direction::ToServer, diagnostics_req},
    {"diagnostics_resp", Direction::ToClient, diagnostics_req},
    {"force_listen_only_req", Direction::ToServer, force_listen_only_req},
    {"comm_event_counter_req", Direction::ToServer, comm_event_counter_req},
    {"comm_event_counter_resp", Direction::ToClient, comm_event_counter_resp},
    {"comm_event_log_req", Direction::ToServer, comm_event_log_req},
    {"comm_event_log_resp", Direction::ToClient, comm_event_log_resp},
    {"write_coils_req", Direction::ToServer, write_coils_req},
    {"write_coils_resp", Direction::ToClient, write_coils_resp},
    {"write_registers_req", Direction::ToServer, write_registers_req},
    {"write_registers_resp", Direction::ToClient, write_registers_resp},
    {"report_server_id_req", Direction::ToServer, report_server_id_req},
    {"report_server_id_resp", Direction::ToClient, report_server_id_resp},
    {"read_file_req", Direction::ToServer, read_file_req},
    {"read_file_resp", Direction::ToClient, read_file_resp},
    {"write_file_req", Direction::ToServer, write_file_req},
    {"write_file_resp", Direction::ToClient, write_file_req},
    {"mask_write_req", Direction::ToServer, mask_write_req},
    {"mask_write_resp", Direction::ToClient, mask_write_req},
    {"read_write_req", Direction::ToServer, read_write_req},
    {"read_write_resp", Direction::ToClient, read_write_resp},
    {"read_fifo_req", Direction::ToServer, read_fifo_req},
    {"read_fifo_resp", Direction::ToClient, read_fifo_resp},
    {"canopen_req", Direction::ToServer, canopen_req},
    {"canopen_resp", Direction::ToClient, canopen_resp},
    {"device_id_req", Direction::ToServer, device_id_req},
    {"device_id_resp", Direction::ToClient, device_id_resp},
    {"exception_resp", Direction::ToClient, exception_resp},
    {"user_defined_req", Direction::ToServer, user_defined_req},
};

}  // namespace otsentry::modbus::test
