#include "app/alerts_cli.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "alerts/store.h"

namespace otsentry::app {

namespace {

namespace al = otsentry::alerts;

constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2;

// A bad value on the command line that CLI11's own checks cannot see (--since, --before).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr const char* list_footer = R"(
Examples:
  otsentry alerts list --severity 1 --status new --since 24h
  otsentry alerts list --proto modbus --host 10.1.2.3 --limit 200
  otsentry alerts list --before 1714564803000000:812      (the next page, as printed at the end)

Newest first. COUNT is the number of alerts aggregated into the row (same rule on the same flow
within the aggregation window). --since and --until take a UTC date or time (2024-05-01,
2024-05-01T12:00:00Z) or an age (90s, 30m, 24h, 7d); --since matches rows last seen at or after
it, --until rows first seen before it.)";

constexpr const char* triage_footer = R"(
Examples:
  otsentry alerts ack 812 813 --comment "vendor laptop, ticket 4711"
  otsentry alerts resolve 812 --by alice

Every change is recorded with who (--by, default: the Unix user) and when, in the alert's history
and the audit log. Exit status 1 if an ID does not exist (the others are still changed).)";

constexpr const char* pcap_footer = R"(
Example:
  otsentry alerts pcap 812 > alert-812.pcap && tshark -r alert-812.pcap

Writes the alert's evidence (the triggering packet and the packets of its flow just before it)
as a pcap file to standard output, which must not be a terminal.)";

// --- time ---

int64_t wall_clock_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "2024-05-01 12:00:03" (UTC), with ".123456" when `micros`.
std::string format_time(int64_t us, bool micros = false)
{
    if (us == 0) return "-";
    const auto secs = static_cast<time_t>(us >= 0 ? us / 1'000'000 : (us - 999'999) / 1'000'000);
    const auto frac = us - static_cast<int64_t>(secs) * 1'000'000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (micros) out += fmt::format(".{:06}", frac);
    return out;
}

// An age ("90s", "30m", "24h", "7d") before now, or a UTC date/time: "2024-05-01",
// "2024-05-01T12:00:00Z", "2024-05-01 12:00:00".
int64_t parse_time(const std::string& text, int64_t now_us, const char* option)
{
    if (text.size() >= 2 && text.size() <= 12) {
        const char unit = text.back();
        const std::string digits = text.substr(0, text.size() - 1);
        if (digits.find_first_not_of("0123456789") == std::string::npos) {
            const int64_t n = std::stoll(digits);
            const int64_t mult = unit == 's'   ? 1
                                 : unit == 'm' ? 60
                                 : unit == 'h' ? 3600
                                 : unit == 'd' ? 86400
                                               : 0;
            if (mult != 0) return now_us - n * mult * 1'000'000;
        }
    }
    std::tm tm{};
    int year = 0, mon = 0, mday = 0, hour = 0, min = 0, sec = 0;
    char sep = 0, zone = 0, extra = 0;
    const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%c%c", &year, &mon, &mday, &sep, &hour,
                              &min, &sec, &zone, &extra);
    const bool date_only = n == 3;
    const bool date_time = (n == 7 || (n == 8 && zone == 'Z')) && (sep == 'T' || sep == ' ');
    if (!date_only && !date_time)
        throw UsageError(
            std::string(option) + " '" + text +
            "': expected a UTC date or time (2024-05-01, 2024-05-01T12:00:00Z) or an age (24h, 7d)");
    if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60)
        throw UsageError(std::string(option) + " '" + text + "': not a valid date and time");
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

// "TS:ID", as printed at the end of a page.
al::AlertCursor parse_cursor(const std::string& text)
{
    long long ts = 0, id = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%lld:%lld%c", &ts, &id, &extra) != 2 || id <= 0)
        throw UsageError("--before '" + text + "': expected TS:ID as printed after a page");
    return {ts, id};
}

std::string unix_user()
{
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
    if (const char* u = std::getenv("USER"); u && *u) return u;
    return "uid:" + std::to_string(geteuid());
}

al::Actor actor_of(const AlertsCli& s, int64_t now_us)
{
    return al::Actor{s.by.empty() ? unix_user() : s.by, now_us};
}

std::string endpoint(const std::string& ip, uint16_t port)
{
    if (ip.empty()) return "-";
    if (port == 0) return ip;
    return ip.find(':') != std::string::npos ? fmt::format("[{}]:{}", ip, port)
                                             : fmt::format("{}:{}", ip, port);
}

al::AlertFilter make_filter(const AlertsCli& s, int64_t now_us)
{
    al::AlertFilter f;
    for (int sev : s.severities)
        f.severities.push_back(static_cast<uint8_t>(sev));
    for (const auto& name : s.statuses) {
        const auto st = al::parse_status(name == "false-positive" ? "false_positive" : name);
        if (!st)
            throw UsageError("--status '" + name +
                             "': expected new, acknowledged, resolved or false_positive");
        f.statuses.push_back(*st);
    }
    f.app_proto = s.proto;
    f.sid = s.sid;
    f.host = s.host;
    f.text = s.text;
    if (!s.since.empty()) f.since_us = parse_time(s.since, now_us, "--since");
    if (!s.until.empty()) f.until_us = parse_time(s.until, now_us, "--until");
    if (!s.before.empty()) f.before = parse_cursor(s.before);
    f.limit = s.limit;
    return f;
}

nlohmann::json to_json(const al::StoredAlert& a)
{
    return {{"id", a.id},
            {"ts_us", a.ts_us},
            {"first_seen_us", a.first_seen_us},
            {"last_seen_us", a.last_seen_us},
            {"count", a.count},
            {"status", al::to_string(a.status)},
            {"assignee", a.assignee},
            {"severity", a.severity},
            {"gid", a.gid},
            {"sid", a.sid},
            {"rev", a.rev},
            {"signature", a.signature},
            {"category", a.category},
            {"proto", a.proto},
            {"app_proto", a.app_proto},
            {"src_ip", a.src_ip},
            {"src_port", a.src_port},
            {"dest_ip", a.dest_ip},
            {"dest_port", a.dest_port},
            {"flow_id", a.flow_id},
            {"evidence_bytes", a.evidence_bytes}};
}

int do_list(const al::Store& store, const AlertsCli& s, std::ostream& out, int64_t now_us)
{
    const auto page = store.list_alerts(make_filter(s, now_us));
    if (s.json) {
        for (const auto& a : page.alerts)
            out << to_json(a).dump() << '\n';
        return exit_ok;
    }
    if (page.alerts.empty()) {
        out << "no alerts match\n";
        return exit_ok;
    }
    size_t id_w = 2, route_w = 22, proto_w = 5, sid_w = 3;
    std::vector<std::string> routes;
    for (const auto& a : page.alerts) {
        routes.push_back(endpoint(a.src_ip, a.src_port) + " -> " + endpoint(a.dest_ip, a.dest_port));
        id_w = std::max(id_w, std::to_string(a.id).size());
        route_w = std::max(route_w, routes.back().size());
        proto_w = std::max(proto_w, a.app_proto.size());
        sid_w = std::max(sid_w, std::to_string(a.sid).size());
    }
    out << fmt::format("{:<{}}  {:<19}  {:>3}  {:<14}  {:>6}  {:<{}}  {:<{}}  {:<{}}  {}\n", "ID", id_w,
                       "LAST SEEN (UTC)", "SEV", "STATUS", "COUNT", "PROTO", proto_w, "SOURCE -> DESTINATION",
                       route_w, "SID", sid_w, "SIGNATURE");
    for (size_t i = 0; i < page.alerts.size(); ++i) {
        const auto& a = page.alerts[i];
        out << fmt::format("{:<{}}  {:<19}  {:>3}  {:<14}  {:>6}  {:<{}}  {:<{}}  {:<{}}  {}\n", a.id, id_w,
                           format_time(a.last_seen_us), a.severity, al::to_string(a.status), a.count,
                           a.app_proto.empty() ? "-" : a.app_proto, proto_w, routes[i], route_w, a.sid, sid_w,
                           a.signature);
    }
    out << page.alerts.size() << (page.alerts.size() == 1 ? " alert row" : " alert rows");
    if (page.next) out << fmt::format("; next page: --before {}:{}", page.next->ts_us, page.next->id);
    out << '\n';
    return exit_ok;
}

int do_show(const al::Store& store, const AlertsCli& s, std::ostream& out, std::ostream& err)
{
    int rc = exit_ok;
    for (int64_t id : s.ids) {
        const auto d = store.alert_detail(id);
        if (!d) {
            err << "otsentry alerts show: no alert " << id << '\n';
            rc = exit_failed;
            continue;
        }
        const auto& a = d->alert;
        if (s.json) {
            auto j = to_json(a);
            try {
                j["eve"] = nlohmann::json::parse(a.eve_json);
            } catch (const nlohmann::json::exception&) {
                j["eve"] = a.eve_json;
            }
            j["comments"] = nlohmann::json::array();
            for (const auto& c : d->comments)
                j["comments"].push_back({{"ts_us", c.ts_us}, {"actor", c.actor}, {"text", c.text}});
            j["history"] = nlohmann::json::array();
            for (const auto& h : d->history)
                j["history"].push_back({{"ts_us", h.ts_us},
                                        {"actor", h.actor},
                                        {"field", h.field},
                                        {"old", h.old_value},
                                        {"new", h.new_value}});
            j["evidence_packets"] = d->evidence_packets;
            out << j.dump() << '\n';
            continue;
        }
        out << "Alert " << a.id << '\n';
        out << fmt::format("  signature:    [{}:{}:{}] {}\n", a.gid, a.sid, a.rev, a.signature);
        out << fmt::format("  category:     {}\n", a.category.empty() ? "-" : a.category);
        out << fmt::format("  severity:     {}\n", a.severity);
        out << fmt::format("  status:       {}{}\n", al::to_string(a.status),
                           a.updated_us ? " (changed " + format_time(a.updated_us) + " UTC)" : "");
        out << fmt::format("  assignee:     {}\n", a.assignee.empty() ? "-" : a.assignee);
        out << fmt::format("  protocol:     {} / {}\n", a.proto.empty() ? "-" : a.proto,
                           a.app_proto.empty() ? "-" : a.app_proto);
        out << fmt::format("  source:       {}\n", endpoint(a.src_ip, a.src_port));
        out << fmt::format("  destination:  {}\n", endpoint(a.dest_ip, a.dest_port));
        out << fmt::format("  flow id:      {}\n", a.flow_id);
        out << fmt::format("  first seen:   {} UTC\n", format_time(a.first_seen_us, true));
        out << fmt::format("  last seen:    {} UTC\n", format_time(a.last_seen_us, true));
        out << fmt::format("  count:        {}\n", a.count);
        if (a.evidence_bytes > 0)
            out << fmt::format(
                "  evidence:     {} packet{}, {} bytes{} (otsentry alerts pcap {} > alert-{}.pcap)\n",
                d->evidence_packets, d->evidence_packets == 1 ? "" : "s", a.evidence_bytes,
                d->evidence_truncated ? ", truncated" : "", a.id, a.id);
        else
            out << "  evidence:     none\n";
        out << "EVE:\n";
        try {
            out << nlohmann::json::parse(a.eve_json).dump(2) << '\n';
        } catch (const nlohmann::json::exception&) {
            out << a.eve_json << '\n';
        }
        out << "Comments:" << (d->comments.empty() ? " none\n" : "\n");
        for (const auto& c : d->comments)
            out << fmt::format("  {} {}: {}\n", format_time(c.ts_us), c.actor, c.text);
        out << "History:" << (d->history.empty() ? " none\n" : "\n");
        for (const auto& h : d->history)
            out << fmt::format("  {} {}: {} {} -> {}\n", format_time(h.ts_us), h.actor, h.field,
                               h.old_value.empty() ? "-" : h.old_value,
                               h.new_value.empty() ? "-" : h.new_value);
        if (s.ids.size() > 1) out << '\n';
    }
    return rc;
}

std::string join(const std::vector<int64_t>& ids)
{
    std::string out;
    for (int64_t id : ids)
        out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

int report(const al::TriageResult& r, const std::string& verb, std::ostream& out, std::ostream& err)
{
    if (!r.changed.empty()) out << verb << ": " << join(r.changed) << '\n';
    if (!r.unchanged.empty()) out << "already so: " << join(r.unchanged) << '\n';
    if (!r.missing.empty()) err << "otsentry alerts: no alert " << join(r.missing) << '\n';
    return r.missing.empty() ? exit_ok : exit_failed;
}

int do_counts(const al::Store& store, const AlertsCli& s, std::ostream& out, int64_t now_us)
{
    const auto facet = al::parse_facet(s.facet);
    if (!facet) throw UsageError("--by '" + s.facet + "': expected severity, status, proto, sid, src or dst");
    auto filter = make_filter(s, now_us);
    const auto counts = store.count_by(*facet, filter, s.limit);
    if (s.json) {
        for (const auto& c : counts)
            out << nlohmann::json{{"value", c.value}, {"rows", c.rows}, {"alerts", c.alerts}}.dump() << '\n';
        return exit_ok;
    }
    size_t w = s.facet.size();
    for (const auto& c : counts)
        w = std::max(w, c.value.size());
    std::string title = s.facet;
    for (char& ch : title)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out << fmt::format("{:<{}}  {:>10}  {:>10}\n", title, w, "ALERTS", "ROWS");
    for (const auto& c : counts)
        out << fmt::format("{:<{}}  {:>10}  {:>10}\n", c.value.empty() ? "-" : c.value, w, c.alerts, c.rows);
    return exit_ok;
}

int do_prune(al::Store& store, const AlertsCli& s, std::ostream& out, int64_t now_us)
{
    al::RetentionConfig cfg;
    if (s.max_age_days) cfg.alert_max_age_us = *s.max_age_days * 86'400'000'000LL;
    if (s.max_rows) cfg.alert_max_rows = *s.max_rows;
    if (s.max_size_mb) cfg.max_db_bytes = *s.max_size_mb * 1024 * 1024;
    cfg.max_batches = 1'000'000;  // by hand: run to the end
    const int64_t before = store.database_bytes();
    const auto r = store.prune(cfg, now_us);
    out << fmt::format(
        "pruned {} alert rows (age {}, rows {}, size {}), {} events, {} flows, {} audit entries in {} "
        "batches; "
        "database {} -> {} bytes\n",
        r.alerts(), r.alerts_by_age, r.alerts_by_rows, r.alerts_by_size, r.events(), r.flows_by_age,
        r.audit_by_age, r.batches, before, store.database_bytes());
    return exit_ok;
}

int run(const AlertsCli& s, std::ostream& out, std::ostream& err, bool out_is_tty, int64_t now_us)
{
    const std::string& a = s.action;
    const bool reads = a == "list" || a == "show" || a == "pcap" || a == "counts" || a == "suppressions";
    // Read-only commands never create or migrate a database (a mistyped --db is an error).
    al::StoreOptions options;
    options.read_only = reads;
    auto store = al::Store::open(s.db_path, options);
    if (a == "list") return do_list(store, s, out, now_us);
    if (a == "show") return do_show(store, s, out, err);
    if (a == "counts") return do_counts(store, s, out, now_us);
    if (a == "pcap") {
        const int64_t id = s.ids.front();
        if (out_is_tty) {
            err << fmt::format(
                "otsentry alerts pcap: standard output is a terminal; redirect it: otsentry alerts pcap {} > "
                "alert-{}.pcap\n",
                id, id);
            return exit_failed;
        }
        const auto pcap = store.evidence(id);
        if (!pcap) {
            err << "otsentry alerts pcap: " << (store.alert_detail(id) ? "alert " : "no alert ") << id
                << (store.alert_detail(id) ? " has no evidence\n" : "\n");
            return exit_failed;
        }
        out.write(pcap->data(), static_cast<std::streamsize>(pcap->size()));
        out.flush();
        return out ? exit_ok : exit_failed;
    }
    if (a == "suppressions") {
        const auto list = store.suppressions();
        if (list.empty()) out << "no suppressions\n";
        for (const auto& x : list)
            out << fmt::format("{}  [{}:{}] {} -> {}  hits {}  by {} at {} UTC{}{}\n", x.id, x.gid, x.sid,
                               x.src_ip.empty() ? "any" : x.src_ip, x.dest_ip.empty() ? "any" : x.dest_ip,
                               x.hits, x.created_by, format_time(x.created_us),
                               x.from_alert_id ? fmt::format("  from alert {}", x.from_alert_id) : "",
                               x.reason.empty() ? "" : "  reason: " + x.reason);
        return exit_ok;
    }
    const al::Actor actor = actor_of(s, now_us);
    if (a == "ack" || a == "resolve" || a == "false-positive" || a == "reopen") {
        const auto status = a == "ack"       ? al::AlertStatus::Acknowledged
                            : a == "resolve" ? al::AlertStatus::Resolved
                            : a == "reopen"  ? al::AlertStatus::New
                                             : al::AlertStatus::FalsePositive;
        return report(store.set_status(s.ids, status, actor, s.comment), std::string(al::to_string(status)),
                      out, err);
    }
    if (a == "assign") {
        return report(store.assign(s.ids, s.assignee, actor),
                      s.assignee.empty() ? "unassigned" : "assigned to " + s.assignee, out, err);
    }
    if (a == "comment") {
        store.add_comment(s.ids.front(), s.comment_text, actor);
        out << "commented: " << s.ids.front() << '\n';
        return exit_ok;
    }
    if (a == "suppress") {
        const int64_t id = store.suppress(s.ids.front(), actor, s.reason);
        const auto list = store.suppressions();
        for (const auto& x : list)
            if (x.id == id)
                out << fmt::format("suppression {}: alerts [{}:{}] {} -> {} are no longer stored\n", id,
                                   x.gid, x.sid, x.src_ip.empty() ? "any" : x.src_ip,
                                   x.dest_ip.empty() ? "any" : x.dest_ip);
        return exit_ok;
    }
    if (a == "unsuppress") {
        if (!store.remove_suppression(s.ids.front(), actor)) {
            err << "otsentry alerts unsuppress: no suppression " << s.ids.front() << '\n';
            return exit_failed;
        }
        out << "removed suppression " << s.ids.front() << '\n';
        return exit_ok;
    }
    if (a == "prune") return do_prune(store, s, out, now_us);
    if (a == "vacuum") {
        const int64_t before = store.database_bytes();
        store.vacuum();
        out << fmt::format("vacuumed: {} -> {} bytes\n", before, store.database_bytes());
        return exit_ok;
    }
    err << "otsentry alerts: no command given (see otsentry alerts --help)\n";
    return exit_usage;
}

CLI::App* leaf(CLI::App* parent, AlertsCli& s, const std::string& name, const std::string& help)
{
    auto* c = parent->add_subcommand(name, help);
    c->add_option("--db", s.db_path, "SQLite store (as on replay)")->capture_default_str();
    c->callback([&s, name] { s.action = name; });
    return c;
}

void add_filters(CLI::App* c, AlertsCli& s)
{
    c->add_option("--severity", s.severities, "Severity (1 highest); repeat or comma-separate for several")
        ->delimiter(',')
        ->check(CLI::Range(1, 255));
    c->add_option("--status", s.statuses, "new, acknowledged, resolved, false_positive; repeatable")
        ->delimiter(',');
    c->add_option("--proto", s.proto, "Application protocol (modbus, dnp3, iec104, s7comm, ...)");
    c->add_option_function<uint32_t>(
        "--sid", [&s](const uint32_t& v) { s.sid = v; }, "Rule signature id");
    c->add_option("--host", s.host, "Source or destination IP address");
    c->add_option("--text", s.text, "Text in the signature (case-insensitive)");
    c->add_option("--since", s.since, "Last seen at or after: a UTC date/time or an age (24h, 7d)");
    c->add_option("--until", s.until, "First seen before: a UTC date/time or an age");
    c->add_flag("--json", s.json, "One JSON object per line instead of a table");
}

// One positional ID (a vector option would also swallow the positional after it).
void add_id(CLI::App& c, AlertsCli& s, const std::string& help)
{
    c.add_option_function<int64_t>(
         "id", [&s](const int64_t& v) { s.ids = {v}; }, help)
        ->required()
        ->check(CLI::PositiveNumber);
}

void add_triage_options(CLI::App* c, AlertsCli& s)
{
    c->add_option("--by", s.by, "Who makes the change (default: the Unix user)");
}

}  // namespace

CLI::App* add_alerts_commands(CLI::App& app, AlertsCli& s)
{
    auto* alerts = app.add_subcommand("alerts", "List, inspect and triage the alerts in the store");
    alerts->require_subcommand(1);

    auto* list = leaf(alerts, s, "list", "List alerts, newest first, with filters");
    add_filters(list, s);
    list->add_option("--limit", s.limit, "Rows per page")->check(CLI::Range(1, 1000))->capture_default_str();
    list->add_option("--before", s.before, "Continue after a page: TS:ID as printed at its end");
    list->footer(list_footer);

    auto* show = leaf(alerts, s, "show", "One alert in full: fields, EVE record, comments, history");
    show->add_option("ids", s.ids, "Alert IDs")->required()->check(CLI::PositiveNumber);
    show->add_flag("--json", s.json, "As one JSON object per alert");

    auto* counts = leaf(alerts, s, "counts", "Count alerts per severity, status, proto, sid, src or dst");
    add_filters(counts, s);
    counts->add_option("--by", s.facet, "What to count by: severity, status, proto, sid, src, dst")
        ->capture_default_str();
    counts->add_option("--limit", s.limit, "Values shown")->check(CLI::Range(1, 1000))->capture_default_str();

    for (const auto& [name, help] : {std::pair{"ack", "Acknowledge alerts (status acknowledged)"},
                                     std::pair{"resolve", "Resolve alerts"},
                                     std::pair{"false-positive", "Mark alerts as false positives"},
                                     std::pair{"reopen", "Set alerts back to new"}}) {
        auto* c = leaf(alerts, s, name, help);
        c->add_option("ids", s.ids, "Alert IDs")->required()->check(CLI::PositiveNumber);
        add_triage_options(c, s);
        c->add_option("--comment", s.comment, "Also add this comment to each alert");
        c->footer(triage_footer);
    }

    auto* assign = leaf(alerts, s, "assign", "Assign alerts to someone");
    assign->add_option("ids", s.ids, "Alert IDs")->required()->check(CLI::PositiveNumber);
    assign->add_option("--to", s.assignee, "Assignee ('' to unassign)")->required();
    add_triage_options(assign, s);

    auto* comment = leaf(alerts, s, "comment", "Add a comment to an alert");
    add_id(*comment, s, "Alert ID");
    comment->add_option("text", s.comment_text, "The comment")->required();
    add_triage_options(comment, s);

    auto* suppress = leaf(alerts, s, "suppress",
                          "Stop storing alerts of this alert's rule between the same two hosts "
                          "(they still go to the EVE file)");
    add_id(*suppress, s, "Alert ID");
    suppress->add_option("--reason", s.reason, "Why (kept with the suppression)");
    add_triage_options(suppress, s);

    auto* unsuppress = leaf(alerts, s, "unsuppress", "Remove a suppression");
    add_id(*unsuppress, s, "Suppression ID (see 'suppressions')");
    add_triage_options(unsuppress, s);

    leaf(alerts, s, "suppressions", "List the suppressions");

    auto* pcap = leaf(alerts, s, "pcap", "Write an alert's evidence packets to standard output as pcap");
    add_id(*pcap, s, "Alert ID");
    pcap->footer(pcap_footer);

    auto* prune = leaf(alerts, s, "prune",
                       "Apply retention now (defaults: alerts 183 days, 10 million rows, database 16 GiB)");
    prune
        ->add_option_function<int64_t>(
            "--max-age-days", [&s](const int64_t& v) { s.max_age_days = v; },
            "Keep alerts last seen this many days back")
        ->check(CLI::Range(int64_t{1}, int64_t{100'000}));
    prune
        ->add_option_function<int64_t>(
            "--max-rows", [&s](const int64_t& v) { s.max_rows = v; }, "Keep at most this many alert rows")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
    prune
        ->add_option_function<int64_t>(
            "--max-size-mb", [&s](const int64_t& v) { s.max_size_mb = v; },
            "Keep the database under this size")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));

    leaf(alerts, s, "vacuum", "Rebuild the database file (switches an old store to incremental vacuum)");
    return alerts;
}

int run_alerts_cli(const AlertsCli& state, std::ostream& out, std::ostream& err, bool out_is_tty,
                   int64_t now_us)
{
    try {
        return run(state, out, err, out_is_tty, now_us);
    } catch (const UsageError& e) {
        err << "otsentry alerts " << state.action << ": " << e.what() << '\n';
        return exit_usage;
    } catch (const al::InvalidRequest& e) {
        err << "otsentry alerts " << state.action << ": " << e.what() << '\n';
        return exit_failed;
    } catch (const std::exception& e) {
        err << "otsentry alerts " << state.action << ": " << e.what() << '\n';
        return exit_failed;
    }
}

int run_alerts_cli(const AlertsCli& state)
{
    return run_alerts_cli(state, std::cout, std::cerr, isatty(STDOUT_FILENO) != 0, wall_clock_us());
}

}  // namespace otsentry::app
