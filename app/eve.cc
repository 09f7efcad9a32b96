#include "app/eve.h"

#include <ctime>

namespace otsentry::app {

namespace {
char* put2(char* p, unsigned v)
{
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}
}  // namespace

void format_timestamp(char* p, int64_t ts_us)
{
    int64_t secs = ts_us / 1'000'000;
    int64_t us = ts_us % 1'000'000;
    if (us < 0) {  // before the epoch: keep the fraction positive
        us += 1'000'000;
        --secs;
    }
    const time_t t = static_cast<time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    const unsigned year = static_cast<unsigned>(tm.tm_year + 1900) % 10000;
    p = put2(p, year / 100);
    p = put2(p, year % 100);
    *p++ = '-';
    p = put2(p, static_cast<unsigned>(tm.tm_mon + 1));
    *p++ = '-';
    p = put2(p, static_cast<unsigned>(tm.tm_mday));
    *p++ = 'T';
    p = put2(p, static_cast<unsigned>(tm.tm_hour));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(tm.tm_min));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(tm.tm_sec));
    *p++ = '.';
    auto u = static_cast<unsigned>(us);
    for (int i = 5; i >= 0; --i) {
        p[i] = static_cast<char>('0' + u % 10);
        u /= 10;
    }
    p += 6;
    for (char c : std::string_view{"+0000"})
        *p++ = c;
}

std::string format_timestamp(int64_t ts_us)
{
    char buf[timestamp_len];
    format_timestamp(buf, ts_us);
    return std::string{buf, sizeof buf};
}

void begin_record(dissect::JsonWriter& w, int64_t ts_us, uint64_t pcap_cnt, std::string_view event_type,
                  const EveEndpoints& ep, std::string_view app_proto)
{
    w.begin_object();
    char buf[timestamp_len + 2];
    format_timestamp(buf + 1, ts_us);
    buf[0] = '"';
    buf[timestamp_len + 1] = '"';
    w.key("timestamp").raw(std::string_view{buf, sizeof buf});
    w.field("flow_id", ep.flow_id);
    w.field("pcap_cnt", pcap_cnt);
    w.field("event_type", event_type);
    w.field("src_ip", ep.src_ip);
    w.field("src_port", ep.src_port);
    w.field("dest_ip", ep.dest_ip);
    w.field("dest_port", ep.dest_port);
    w.field("proto", ep.proto);
    if (!app_proto.empty()) w.field("app_proto", app_proto);
}

void render_event(std::string& out, int64_t ts_us, const EveEndpoints& ep, Protocol proto,
                  const dissect::EventBody& body)
{
    dissect::JsonWriter w{out};
    const auto name = protocol_name(proto);
    begin_record(w, ts_us, body.pcap_cnt(), name, ep, name);
    w.key(name);
    body.write_json(w);
    w.end_object();
}

void render_alert(std::string& out, int64_t ts_us, uint64_t pcap_cnt, const EveEndpoints& ep, Protocol proto,
                  const AlertInfo& alert, std::string_view anomaly_name, const dissect::EventBody* context)
{
    dissect::JsonWriter w{out};
    const auto name = proto == Protocol::Unknown ? std::string_view{} : protocol_name(proto);
    begin_record(w, ts_us, pcap_cnt, "alert", ep, name);
    w.field("direction", alert.direction == Direction::ToServer ? "to_server" : "to_client");
    w.key("alert").begin_object();
    w.field("action", "allowed");  // passive sensor: nothing is ever blocked
    w.field("gid", alert.gid);
    w.field("signature_id", alert.sid);
    w.field("rev", alert.rev);
    w.field("signature", alert.signature);
    w.field("category", alert.category);
    w.field("severity", alert.severity);
    w.end_object();
    if (!anomaly_name.empty()) {
        w.key("anomaly").begin_object();
        w.field("type", "applayer");
        w.field("event", anomaly_name);
        w.end_object();
    }
    if (context != nullptr) {
        w.key(name);
        context->write_json(w);
    }
    w.end_object();
}

}  // namespace otsentry::app
