// The API's routes about the engine rather than the alerts (docs/api.md, "Rules" and "Status"):
// the rule catalogue an engine loaded, rule states and uploaded rule files, reload, and the
// store's and the live capture's status.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "alerts/rule_catalog.h"
#include "rules/parser.h"
#include "webui/api.h"
#include "webui/api_util.h"

namespace otsentry::webui {

using namespace api;  // NOLINT(google-build-using-namespace): the handlers' shared vocabulary
using alerts::Role;
using nlohmann::json;

namespace {

constexpr size_t max_rule_file_bytes = 512 * 1024;
constexpr size_t max_rule_files = 100;  // uploaded files kept in the store; each upload re-checks them all
constexpr size_t max_text_filter = 200;
constexpr int status_runs = 10;
constexpr int throughput_points = 60;
constexpr int64_t min_live_window_us = 180LL * 1'000'000;  // a capture is live if it reported this recently

constexpr std::string_view rule_states[] = {"active", "unavailable", "disabled", "rejected"};

json rule_json(const alerts::CatalogEntry& e)
{
    const auto& r = e.rule;
    return {{"gid", r.gid},
            {"sid", r.sid ? json(*r.sid) : json(nullptr)},
            {"rev", r.rev},
            {"action", null_if_empty(r.action)},
            {"proto", null_if_empty(r.proto)},
            {"msg", null_if_empty(r.msg)},
            {"classtype", null_if_empty(r.classtype)},
            {"severity", r.severity != 0 ? json(r.severity) : json(nullptr)},
            {"source", r.source},
            {"line", r.line},
            {"state", r.state},
            {"reason", null_if_empty(r.reason)},
            {"enabled", e.enabled},
            {"alerts", e.alerts},
            {"text", r.text}};
}

json loaded_json(const alerts::Store& store)
{
    const auto info = alerts::rule_load_info(store);
    if (!info) return nullptr;
    json counts = {{"active", 0}, {"unavailable", 0}, {"disabled", 0}, {"rejected", 0}};
    for (const auto state : rule_states) {
        alerts::CatalogFilter f;
        f.states = {std::string{state}};
        f.limit = 0;
        counts[std::string{state}] = alerts::list_rule_catalog(store, f).total;
    }
    return {{"ts_us", info->ts_us},
            {"summary", info->summary},
            {"sources", info->sources},
            {"accepted", counts["active"].get<int64_t>() + counts["unavailable"].get<int64_t>()},
            {"unavailable", counts["unavailable"]},
            {"disabled", counts["disabled"]},
            {"rejected", counts["rejected"]},
            {"pending", info->pending()}};
}

json file_json(const alerts::RuleFile& f)
{
    return {{"name", f.name},
            {"bytes", f.bytes},
            {"rules", f.rules},
            {"uploaded_by", f.uploaded_by},
            {"uploaded_us", f.uploaded_us}};
}

json problem_json(uint32_t line, std::optional<uint32_t> sid, const std::string& reason)
{
    return {{"line", line}, {"sid", sid ? json(*sid) : json(nullptr)}, {"reason", reason}};
}

// "1:1001001" -> (1, 1001001); 404 for anything else.
std::pair<uint32_t, uint32_t> parse_rule_id(std::string_view s)
{
    const auto colon = s.find(':');
    const auto part = [&](std::string_view v) -> uint32_t {
        uint64_t x = 0;
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
        if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || x < 1 || x > UINT32_MAX)
            fail(404, "not_found", "no such rule (the path is /rules/GID:SID)");
        return static_cast<uint32_t>(x);
    };
    if (colon == std::string_view::npos) part({});
    return {part(s.substr(0, colon)), part(s.substr(colon + 1))};
}

std::string rule_file_name(std::string_view segment)
{
    const auto name = percent_decode(segment);
    if (!alerts::valid_rule_file_name(name)) fail(404, "not_found", "no such rule file");
    return name;
}

// Parses an uploaded file the way the engine will: with the variables of its last load. Rejected
// rules and sids that another source already defines are errors; unavailable rules are warnings.
struct UploadCheck {
    size_t accepted = 0;
    json errors = json::array(), warnings = json::array();
};

UploadCheck check_upload(const alerts::Store& store, const std::string& name, const std::string& text)
{
    rules::Variables vars;
    if (const auto info = alerts::rule_load_info(store))
        for (const auto& [k, v] : info->vars) {
            std::string ignored;  // the engine accepted them; a later build may not: then the default stays
            vars.set(k, v, ignored);
        }
    rules::RuleFileSet set{rules::ParseContext{&vars, nullptr}};
    const std::string source = "db:" + name;
    set.add_text(text, source);
    UploadCheck out;
    for (const auto& e : set.errors())
        out.errors.push_back(problem_json(e.line, e.sid, e.reason));
    for (const auto& r : set.rules()) {
        if (const auto other = alerts::find_catalog_rule(store, r.gid, r.sid);
            other && other->rule.source != source && other->rule.state != "rejected") {
            out.errors.push_back(problem_json(r.line, r.sid,
                                              "duplicate sid " + std::to_string(r.sid) +
                                                  ": already defined at " + other->rule.source + ":" +
                                                  std::to_string(other->rule.line)));
            continue;
        }
        ++out.accepted;
        if (!r.unavailable.empty()) out.warnings.push_back(problem_json(r.line, r.sid, r.unavailable));
    }
    auto by_line = [](const json& a, const json& b) {
        return a["line"].get<int64_t>() < b["line"].get<int64_t>();
    };
    std::sort(out.errors.begin(), out.errors.end(), by_line);
    return out;
}

// ---- status ----

json run_json(const alerts::RunRecord& r)
{
    return {{"started_us", r.started_us},
            {"finished_us", r.finished_us != 0 ? json(r.finished_us) : json(nullptr)},
            {"command", r.command},
            {"inputs", r.inputs},
            {"packets", r.packets},
            {"bytes", r.bytes},
            {"events", r.events},
            {"alerts", r.alerts}};
}

uint64_t counter(const json& j, std::initializer_list<const char*> path)
{
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object()) return 0;
        const auto it = p->find(k);
        if (it == p->end()) return 0;
        p = &*it;
    }
    return p->is_number_unsigned() || p->is_number_integer() ? p->get<uint64_t>() : 0;
}

struct StatsPoint {
    int64_t ts_us = 0;
    json stats;  // the EVE record's "stats" object
};

// The rates from `a` to `b`, or nullopt when they are not two points of one capture (the uptime
// went back: a new monitor started in between).
struct Rates {
    double packets_per_s = 0, bits_per_s = 0;
    uint64_t kernel_drops = 0;
};
std::optional<Rates> rates(const StatsPoint& a, const StatsPoint& b)
{
    const double dt = static_cast<double>(b.ts_us - a.ts_us) / 1e6;
    const uint64_t pa = counter(a.stats, {"engine", "packets"}), pb = counter(b.stats, {"engine", "packets"});
    const uint64_t ba = counter(a.stats, {"engine", "bytes"}), bb = counter(b.stats, {"engine", "bytes"});
    const uint64_t da = counter(a.stats, {"capture", "kernel_drops"});
    const uint64_t db = counter(b.stats, {"capture", "kernel_drops"});
    if (dt <= 0 || pb < pa || bb < ba || db < da ||
        counter(b.stats, {"uptime"}) < counter(a.stats, {"uptime"}))
        return std::nullopt;
    const auto round1 = [](double x) { return static_cast<double>(static_cast<int64_t>(x * 10 + 0.5)) / 10; };
    return Rates{round1(static_cast<double>(pb - pa) / dt), round1(static_cast<double>(bb - ba) * 8 / dt),
                 db - da};
}

}  // namespace

Response Api::route_rules(const Request& request, std::string_view query,
                          std::span<const std::string_view> rest, alerts::Store& store,
                          const alerts::User& user)
{
    const int64_t t = now();
    const alerts::Actor actor{user.name, t};

    if (rest.size() == 1) {
        allow(request, {"GET"});
        static constexpr std::string_view keys[] = {"q", "state", "proto", "sid", "limit", "offset"};
        const auto q = parse_query(query, keys);
        alerts::CatalogFilter f;
        if (const auto it = q.find("q"); it != q.end()) {
            if (it->second.size() > max_text_filter || !printable(it->second))
                fail(400, "invalid_parameter", "q must be at most 200 printable characters");
            f.text = it->second;
        }
        if (const auto it = q.find("state"); it != q.end()) {
            for (const auto s : split_list(it->second)) {
                if (std::find(std::begin(rule_states), std::end(rule_states), s) == std::end(rule_states))
                    fail(400, "invalid_parameter", "state must be active, unavailable, disabled or rejected");
                if (std::find(f.states.begin(), f.states.end(), s) == f.states.end())
                    f.states.emplace_back(s);
            }
        }
        if (const auto it = q.find("proto"); it != q.end()) {
            if (!valid_proto(it->second))
                fail(400, "invalid_parameter", "proto must be 1..32 of a-z 0-9 _ -");
            f.proto = it->second;
        }
        if (const auto it = q.find("sid"); it != q.end())
            f.sid = static_cast<uint32_t>(parse_int("sid", it->second, 1, UINT32_MAX));
        if (const auto it = q.find("limit"); it != q.end())
            f.limit = static_cast<int>(parse_int("limit", it->second, 1, 500));
        if (const auto it = q.find("offset"); it != q.end())
            f.offset = static_cast<int>(parse_int("offset", it->second, 0, 1'000'000));
        const auto page = alerts::list_rule_catalog(store, f);
        json list = json::array();
        for (const auto& e : page.rules)
            list.push_back(rule_json(e));
        return json_response(200, json{{"rules", std::move(list)},
                                       {"total", page.total},
                                       {"loaded", loaded_json(store)},
                                       {"engine_attached", static_cast<bool>(config_.reload_rules)}});
    }

    if (rest.size() == 2 && rest[1] == "reload") {
        allow(request, {"POST"});
        parse_query(query, {});
        require_role(user, Role::Admin);
        parse_empty_body(request);
        if (!config_.reload_rules)
            fail(409, "no_engine",
                 "this server runs no capture engine (otsentry serve): the changes apply when the monitor "
                 "next starts or receives SIGHUP");
        std::string message;
        const auto ok = config_.reload_rules(message);
        if (!ok)
            fail(409, "no_engine",
                 "the capture engine has no rules to reload (it runs with --no-rules, or stopped)");
        store.record_audit(actor, "rules.reload", "rules", dump(json{{"message", message}}), *ok);
        if (!*ok) fail(422, "reload_failed", message);
        return json_response(200, json{{"message", message}, {"loaded", loaded_json(store)}});
    }

    if (rest.size() == 2 && rest[1] == "files") {
        allow(request, {"GET", "POST"});
        parse_query(query, {});
        if (request.method == "GET") {
            json list = json::array();
            for (const auto& f : alerts::list_rule_files(store))
                list.push_back(file_json(f));
            return json_response(200, json{{"files", std::move(list)}});
        }
        require_role(user, Role::Admin);
        const auto body = parse_body(request, {"name", "text", "dry_run"});
        const auto name = string_field(body, "name", 1, 64);
        if (!alerts::valid_rule_file_name(name))
            fail(422, "invalid_field",
                 "name must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit and ending in "
                 ".rules");
        const auto text = string_field(body, "text", 1, max_rule_file_bytes);
        bool dry_run = false;
        if (const auto it = body.find("dry_run"); it != body.end()) {
            if (!it->is_boolean()) fail(422, "invalid_field", "dry_run must be true or false");
            dry_run = it->get<bool>();
        }
        if (!alerts::find_rule_file(store, name) && alerts::list_rule_files(store).size() >= max_rule_files)
            fail(409, "too_many_files",
                 "the store holds " + std::to_string(max_rule_files) +
                     " rule files already: delete one, or replace a file by uploading it under its name");
        auto check = check_upload(store, name, text);
        if (!check.errors.empty()) {
            const size_t bad = check.errors.size();
            auto r = json_response(
                422, json{{"error",
                           {{"code", "invalid_rules"},
                            {"message", std::to_string(bad) + " of " + std::to_string(bad + check.accepted) +
                                            " rules are rejected; nothing was stored"}}},
                          {"problems", std::move(check.errors)}});
            if (!dry_run)
                store.record_audit(actor, "rules.upload", "rules/files/" + name,
                                   dump(json{{"rejected", bad}, {"accepted", check.accepted}}), false);
            return r;
        }
        if (check.accepted == 0) fail(422, "invalid_field", "text holds no rule");
        if (dry_run)
            return json_response(200, json{{"file", nullptr},
                                           {"accepted", check.accepted},
                                           {"problems", std::move(check.warnings)}});
        alerts::RuleFile f;
        f.name = name;
        f.text = text;
        f.rules = static_cast<int64_t>(check.accepted);
        f.uploaded_by = user.name;
        alerts::save_rule_file(store, f, t);
        store.record_audit(actor, "rules.upload", "rules/files/" + name,
                           dump(json{{"accepted", check.accepted}, {"bytes", text.size()}}), true);
        const auto saved = alerts::find_rule_file(store, name);
        return json_response(201, json{{"file", saved ? file_json(*saved) : json(nullptr)},
                                       {"accepted", check.accepted},
                                       {"problems", std::move(check.warnings)}});
    }

    if (rest.size() == 3 && rest[1] == "files") {
        allow(request, {"GET", "DELETE"});
        parse_query(query, {});
        const auto name = rule_file_name(rest[2]);
        if (request.method == "GET") {
            const auto f = alerts::find_rule_file(store, name);
            if (!f) fail(404, "not_found", "no such rule file");
            Response r;
            r.content_type = "text/plain; charset=utf-8";
            r.body = f->text;
            return r;
        }
        require_role(user, Role::Admin);
        if (!alerts::delete_rule_file(store, name, t)) fail(404, "not_found", "no such rule file");
        store.record_audit(actor, "rules.delete", "rules/files/" + name, "{}", true);
        return json_response(200, json{{"ok", true}});
    }

    if (rest.size() == 2) {
        allow(request, {"PUT"});
        parse_query(query, {});
        const auto [gid, sid] = parse_rule_id(rest[1]);
        require_role(user, Role::Admin);
        const auto body = parse_body(request, {"enabled"});
        const auto it = body.find("enabled");
        if (it == body.end() || !it->is_boolean())
            fail(422, "invalid_field", "enabled must be true or false");
        if (!alerts::find_catalog_rule(store, gid, sid)) fail(404, "not_found", "no such rule");
        const bool enabled = it->get<bool>();
        alerts::set_rule_enabled(store, gid, sid, enabled, user.name, t);
        store.record_audit(actor, enabled ? "rule.enable" : "rule.disable",
                           "rule/" + std::to_string(gid) + ":" + std::to_string(sid), "{}", true);
        return json_response(200, json{{"rule", rule_json(*alerts::find_catalog_rule(store, gid, sid))}});
    }

    fail(404, "not_found", "no such API route");
}

Response Api::route_status(const Request& request, std::string_view query, alerts::Store& store)
{
    allow(request, {"GET"});
    parse_query(query, {});
    const int64_t t = now();
    const auto runs = alerts::recent_runs(store, status_runs);
    json run_list = json::array();
    for (const auto& r : runs)
        run_list.push_back(run_json(r));

    // The live capture: the newest monitor run that has not recorded its end, and the statistics
    // it wrote since it started.
    const alerts::RunRecord* monitor = nullptr;
    for (const auto& r : runs)
        if (r.command == "monitor") {
            monitor = &r;
            break;
        }
    std::vector<StatsPoint> points;
    for (auto& [ts, line] : alerts::capture_stats(store, throughput_points + 1)) {
        auto j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("stats") && j["stats"].is_object())
            points.push_back(StatsPoint{ts, std::move(j["stats"])});
    }
    json capture = nullptr, throughput = json::array();
    if (!points.empty()) {
        const StatsPoint& last = points.back();
        std::optional<Rates> rate;
        int64_t interval_us = 0;
        if (points.size() >= 2) {
            rate = rates(points[points.size() - 2], last);
            interval_us = last.ts_us - points[points.size() - 2].ts_us;
        }
        const bool running =
            monitor != nullptr && monitor->finished_us == 0 && last.ts_us >= monitor->started_us;
        const bool live = running && t - last.ts_us <= std::max(3 * interval_us, min_live_window_us);
        json interfaces = json::array();
        if (const auto it = last.stats.find("capture"); it != last.stats.end() && it->is_object())
            if (const auto i = it->find("interfaces"); i != it->end() && i->is_array()) interfaces = *i;
        capture = {{"live", live},
                   {"ts_us", last.ts_us},
                   {"uptime_s", counter(last.stats, {"uptime"})},
                   {"received", counter(last.stats, {"capture", "received"})},
                   {"kernel_drops", counter(last.stats, {"capture", "kernel_drops"})},
                   {"if_drops", counter(last.stats, {"capture", "if_drops"})},
                   {"packets", counter(last.stats, {"engine", "packets"})},
                   {"bytes", counter(last.stats, {"engine", "bytes"})},
                   {"events", counter(last.stats, {"engine", "events"})},
                   {"alerts", counter(last.stats, {"engine", "alerts"})},
                   {"flows_active", counter(last.stats, {"flows", "active"})},
                   {"packets_per_s", rate ? json(rate->packets_per_s) : json(nullptr)},
                   {"bits_per_s", rate ? json(rate->bits_per_s) : json(nullptr)},
                   {"interfaces", std::move(interfaces)},
                   {"stats", last.stats}};
        for (size_t i = 1; i < points.size(); ++i)
            if (const auto r = rates(points[i - 1], points[i]))
                throughput.push_back({{"ts_us", points[i].ts_us},
                                      {"packets_per_s", r->packets_per_s},
                                      {"bits_per_s", r->bits_per_s},
                                      {"kernel_drops", r->kernel_drops}});
    }
    return json_response(200, json{{"version", config_.version},
                                   {"db_path", store.path()},
                                   {"db_bytes", store.database_bytes()},
                                   {"alerts", store.count_alerts()},
                                   {"alert_rows", store.count_alert_rows()},
                                   {"events", store.count_events()},
                                   {"schema_version", store.schema_version()},
                                   {"last_run", runs.empty() ? json(nullptr) : run_json(runs.front())},
                                   {"runs", std::move(run_list)},
                                   {"capture", std::move(capture)},
                                   {"throughput", std::move(throughput)}});
}

}  // namespace otsentry::webui
