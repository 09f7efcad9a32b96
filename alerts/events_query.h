// The events explorer's query over the `events` table (alerts/store.h): filters, newest first,
// cursor pages by (ts_us, id). SQL on a Store's connection (Store::handle()); every value is a
// bound parameter, only fixed clause text is put together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/store.h"

namespace otsentry::alerts {

// Where the previous page stopped: the next page has rows strictly older by (ts_us, id).
struct EventCursor {
    int64_t ts_us = 0;
    int64_t id = 0;
};

struct EventFilter {
    std::optional<int64_t> since_us;  // ts_us >= since_us
    std::optional<int64_t> until_us;  // ts_us < until_us
    std::string app_proto;            // exact; empty: any
    std::string src_host;             // exact src_ip; empty: any
    std::string dest_host;            // exact dest_ip; empty: any
    std::string host;                 // src_ip or dest_ip; empty: any
    std::string text;                 // substring of the EVE line, ASCII case-insensitive; at most 200 bytes
    std::optional<EventCursor> before;
    int limit = 50;  // 1..500
};

struct StoredEvent {
    int64_t id = 0;
    int64_t ts_us = 0;
    uint64_t flow_id = 0;
    std::string src_ip, dest_ip;  // empty: NULL (no IP layer)
    uint16_t src_port = 0, dest_port = 0;
    std::string proto, app_proto;
    int64_t pcap_cnt = 0;
    std::string eve_json;
};

struct EventPage {
    std::vector<StoredEvent> events;  // newest first
    std::optional<EventCursor> next;  // set when more rows match
};

// InvalidRequest for a limit outside 1..500, a text over 200 bytes or since > until.
EventPage query_events(const Store& store, const EventFilter& filter);

}  // namespace otsentry::alerts
