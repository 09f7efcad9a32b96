#include "app/eve.h"

#include <climits>
#include <cstring>
#include <ctime>

namespace otsentry::app {

namespace {
char* put2(char* p, unsigned v)
{
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}

void write_alert_objects(dissect::JsonWriter& w, const AlertInfo& alert, std::string_view anomaly_type,
                         std::string_view anomaly_name)
{
    w.key("alert").begin_object();
    w.key("action").name("allowed");  // passive sensor: nothing is ever blocked
    w.field("gid", alert.gid);
    w.field("signature_id", alert.sid);
    w.field("rev", alert.rev);
    w.field("signature", alert.signature);
    w.field("category", alert.category);
    w.field("severity", alert.severity);
    if (!alert.metadata.empty()) {
        // Values of one key together, keys in the order they first appear.
        w.key("metadata").begin_object();
        for (size_t i = 0; i < alert.metadata.size(); ++i) {
            const auto& key = alert.metadata[i].first;
            bool first = true;
            for (size_t j = 0; j < i && first; ++j)
                first = alert.metadata[j].first != key;
            if (!first) continue;
            w.key(key).begin_array();
            for (size_t j = i; j < alert.metadata.size(); ++j)
                if (alert.metadata[j].first == key) w.value(alert.metadata[j].second);
            w.end_array();
        }
        w.end_object();
    }
    w.end_object();
    if (!anomaly_name.empty()) {
        w.key("anomaly").begin_object();
        w.key("type").name(anomaly_type);
        w.key("event").name(anomaly_name);
        w.end_object();
    }
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
    // Packets come in time order, so the date and time of day rarely change between records:
    // each rendering thread keeps the last second it formatted.
    constexpr size_t date_time_len = 19;  // "YYYY-MM-DDTHH:MM:SS"
    thread_local int64_t cached_secs = INT64_MIN;
    thread_local char cached[date_time_len];
    if (secs != cached_secs) {
        const time_t t = static_cast<time_t>(secs);
        std::tm tm{};
        gmtime_r(&t, &tm);
        const unsigned year = static_cast<unsigned>(tm.tm_year + 1900) % 10000;
        char* q = cached;
        q = put2(q, year / 100);
        q = put2(q, year % 100);
        *q++ = '-';
        q = put2(q, static_cast<unsigned>(tm.tm_mon + 1));
        *q++ = '-';
        q = put2(q, static_cast<unsigned>(tm.tm_mday));
        *q++ = 'T';
        q = put2(q, static_cast<unsigned>(tm.tm_hour));
        *q++ = ':';
        q = put2(q, static_cast<unsigned>(tm.tm_min));
        *q++ = ':';
        put2(q, static_cast<unsigned>(tm.tm_sec));
        cached_secs = secs;
    }
    std::memcpy(p, cached, date_time_len);
    p += date_time_len;
    *p++ = '.';
    const auto u = static_cast<unsigned>(us);
    std::memcpy(p, dissect::decimal_pairs + 2 * (u / 10000), 2);
    std::memcpy(p + 2, dissect::decimal_pairs + 2 * (u / 100 % 100), 2);
    std::memcpy(p + 4, dissect::decimal_pairs + 2 * (u % 100), 2);
    p += 6;
    std::memcpy(p, "+0000", 5);
}

std::string format_timestamp(int64_t ts_us)
{
    char buf[timestamp_len];
    format_timestamp(buf, ts_us);
    return std::string{buf, sizeof buf};
}

namespace {
// Appends a literal fragment (its length a constant: a few moves).
template <size_t N>
char* put(char* p, const char (&text)[N]) noexcept
{
    std::memcpy(p, text, N - 1);
    return p + N - 1;
}

char* put(char* p, std::string_view s) noexcept
{
    return dissect::JsonWriter::copy_short(p, s.data(), s.size());
}
}  // namespace

void begin_record(dissect::JsonWriter& w, int64_t ts_us, uint64_t pcap_cnt, std::string_view event_type,
                  const EveEndpoints& ep, std::string_view app_proto)
{
    using dissect::JsonWriter;
    w.begin_object();
    // Every record starts with this fixed layout: written by hand in one piece rather than as
    // twenty tokens. The strings are ours (names, addresses we formatted): no escaping.
    constexpr size_t literal_len = 129;  // the quoted keys and punctuation below
    const size_t n = literal_len + timestamp_len + 2 * 20 + 2 * 5 + event_type.size() + ep.src_ip.size() +
                     ep.dest_ip.size() + ep.proto.size() + app_proto.size();
    char* p = w.begin_members(n);
    p = put(p, R"("timestamp":")");
    format_timestamp(p, ts_us);
    p += timestamp_len;
    p = put(p, R"(","flow_id":)");
    p = put(p, ep.flow_id.view());
    p = put(p, R"(,"pcap_cnt":)");
    p = JsonWriter::put_u64(p, pcap_cnt);
    p = put(p, R"(,"event_type":")");
    p = put(p, event_type);
    p = put(p, R"(","src_ip":")");
    p = put(p, ep.src_ip);
    p = put(p, R"(","src_port":)");
    p = JsonWriter::put_u16(p, ep.src_port);
    p = put(p, R"(,"dest_ip":")");
    p = put(p, ep.dest_ip);
    p = put(p, R"(","dest_port":)");
    p = JsonWriter::put_u16(p, ep.dest_port);
    p = put(p, R"(,"proto":")");
    p = put(p, ep.proto);
    *p++ = '"';
    if (!app_proto.empty()) {
        p = put(p, R"(,"app_proto":")");
        p = put(p, app_proto);
        *p++ = '"';
    }
    w.end_members(p);
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
    w.key("direction").name(alert.direction == Direction::ToServer ? "to_server" : "to_client");
    write_alert_objects(w, alert, "applayer", anomaly_name);
    if (context != nullptr) {
        w.key(name);
        context->write_json(w);
    }
    w.end_object();
}

void render_packet_alert(std::string& out, int64_t ts_us, uint64_t pcap_cnt, const EveEndpoints& ep,
                         std::span<const uint16_t> vlan, const AlertInfo& alert,
                         std::string_view anomaly_name)
{
    dissect::JsonWriter w{out};
    begin_record(w, ts_us, pcap_cnt, "alert", ep, {});
    if (!vlan.empty()) {
        w.key("vlan").begin_array();
        for (const uint16_t id : vlan)
            w.value(id);
        w.end_array();
    }
    // Suricata's anomaly type for packet-level (decoder) events.
    write_alert_objects(w, alert, "decode", anomaly_name);
    w.end_object();
}

}  // namespace otsentry::app
