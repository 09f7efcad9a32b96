// What the engine hands to the store writer: a protocol event or an alert, already rendered as
// its EVE JSON line (rendered once on the worker, written to the EVE file and stored as is),
// plus the columns the store indexes.
#pragma once

#include <cstdint>
#include <string>

namespace otsentry::alerts {

// Stats: a periodic `"event_type":"stats"` line of a live capture; written to the EVE file and
// kept in the store's capture_stats table (only eve_json and ts_us are set).
enum class RecordKind : uint8_t { Event, Alert, Stats };

struct Record {
    RecordKind kind = RecordKind::Event;
    int64_t ts_us = 0;
    uint64_t flow_id = 0;
    std::string src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    std::string proto;      // "TCP", "UDP"
    std::string app_proto;  // "modbus", ...
    uint64_t pcap_cnt = 0;
    // Alerts only.
    uint32_t gid = 0, sid = 0, rev = 0;
    std::string signature, category;
    uint8_t severity = 3;
    // The complete EVE line, without the trailing newline.
    std::string eve_json;
    // Alerts only, may be empty: the packets that led to the alert (the triggering one and up to
    // K before it on the same flow) as a complete pcap file (global header + records), for the
    // store's evidence download (`otsentry alerts pcap ID`).
    std::string evidence_pcap;
};

}  // namespace otsentry::alerts
