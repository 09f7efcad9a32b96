// The store's read API for the CLI and the web UI (filtered alert pages, facet counts, alert
// detail, evidence) and the triage API (status, assignee, comments, suppressions), each change
// recorded in triage_history and audit_log in the same transaction. Every value is a bound
// parameter; the only SQL text built at run time is chosen from fixed fragments.
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/sqlite_util.h"
#include "alerts/store.h"

namespace otsentry::alerts {

using detail::bind_text;
using detail::bind_text_not_null;
using detail::column_text;
using detail::fail;
using detail::prepare;
using detail::require;
using detail::step_done;
using detail::StmtPtr;

namespace {

constexpr int max_page = 1000;
constexpr size_t max_ids = 1000;
constexpr size_t max_name_len = 64;
constexpr size_t max_comment_len = 4000;
constexpr size_t max_reason_len = 1000;
constexpr size_t max_filter_text_len = 200;

using Param = std::variant<int64_t, std::string>;

void check_length(const std::string& v, size_t max, const char* what)
{
    if (v.size() > max)
        throw InvalidRequest(std::string(what) + " longer than " + std::to_string(max) + " bytes");
}

void check_actor(const Actor& actor)
{
    if (actor.name.empty()) throw InvalidRequest("actor name is empty");
    check_length(actor.name, max_name_len, "actor name");
}

void check_ids(std::span<const int64_t> ids)
{
    if (ids.empty()) throw InvalidRequest("no alert id given");
    if (ids.size() > max_ids) throw InvalidRequest("more than " + std::to_string(max_ids) + " alert ids");
    for (int64_t id : ids)
        if (id <= 0) throw InvalidRequest("alert id " + std::to_string(id) + " is not positive");
}

void check_limit(int limit)
{
    if (limit < 1 || limit > max_page)
        throw InvalidRequest("limit " + std::to_string(limit) + " is not in 1.." + std::to_string(max_page));
}

// LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped.
std::string like_pattern(const std::string& text)
{
    std::string p = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') p += '\\';
        p += c;
    }
    p += '%';
    return p;
}

// WHERE clause (starting with " WHERE", or empty) of the filter, its values appended to params.
std::string where_clause(const AlertFilter& f, std::vector<Param>& params, bool with_cursor)
{
    std::vector<std::string> terms;
    const auto placeholder = [&](Param p) {
        params.push_back(std::move(p));
        return "?" + std::to_string(params.size());
    };
    if (f.since_us) terms.push_back("a.last_seen_us >= " + placeholder(*f.since_us));
    if (f.until_us) terms.push_back("a.ts_us < " + placeholder(*f.until_us));
    if (!f.severities.empty()) {
        std::string t = "a.severity IN (";
        for (size_t i = 0; i < f.severities.size(); ++i)
            t += (i ? ", " : "") + placeholder(int64_t{f.severities[i]});
        terms.push_back(t + ")");
    }
    if (!f.statuses.empty()) {
        std::string t = "a.status IN (";
        for (size_t i = 0; i < f.statuses.size(); ++i)
            t += (i ? ", " : "") + placeholder(std::string(to_string(f.statuses[i])));
        terms.push_back(t + ")");
    }
    if (!f.app_proto.empty()) terms.push_back("a.app_proto = " + placeholder(f.app_proto));
    if (f.sid) terms.push_back("a.sid = " + placeholder(int64_t{*f.sid}));
    if (!f.host.empty()) {
        const std::string p = placeholder(f.host);
        terms.push_back("(a.src_ip = " + p + " OR a.dest_ip = " + p + ")");
    }
    if (!f.text.empty())
        terms.push_back("a.signature LIKE " + placeholder(like_pattern(f.text)) + " ESCAPE '\\'");
    if (with_cursor && f.before) {
        const std::string ts = placeholder(f.before->ts_us);
        terms.push_back("(a.ts_us, a.id) < (" + ts + ", " + placeholder(f.before->id) + ")");
    }
    std::string out;
    for (size_t i = 0; i < terms.size(); ++i)
        out += (i ? " AND " : " WHERE ") + terms[i];
    return out;
}

void check_filter(const AlertFilter& f)
{
    check_length(f.text, max_filter_text_len, "text filter");
    check_length(f.host, max_name_len, "host filter");
    check_length(f.app_proto, max_name_len, "protocol filter");
    if (f.severities.size() > 16) throw InvalidRequest("more than 16 severities");
}

void bind_params(sqlite3_stmt* s, const std::vector<Param>& params)
{
    for (size_t i = 0; i < params.size(); ++i) {
        const int idx = static_cast<int>(i + 1);
        if (const auto* v = std::get_if<int64_t>(&params[i]))
            sqlite3_bind_int64(s, idx, *v);
        else
            bind_text_not_null(s, idx, std::get<std::string>(params[i]));
    }
}

std::string alert_target(int64_t id)
{
    return "alert/" + std::to_string(id);
}

void insert_audit(sqlite3* db, const std::string& path, const Actor& actor, const std::string& action,
                  const std::string& target, const std::string& detail_json, bool ok)
{
    auto s = prepare(db, path,
                     "INSERT INTO audit_log (ts_us, actor, action, target, detail, ok)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_bind_int64(s.get(), 1, actor.now_us);
    bind_text_not_null(s.get(), 2, actor.name);
    bind_text_not_null(s.get(), 3, action);
    bind_text(s.get(), 4, target);
    bind_text(s.get(), 5, detail_json);
    sqlite3_bind_int(s.get(), 6, ok ? 1 : 0);
    step_done(db, path, s.get(), "audit log");
}

// Sets one text column of the given alerts, with history and audit rows; one transaction.
TriageResult set_field(sqlite3* db, const std::string& path, std::span<const int64_t> ids, const char* field,
                       const std::string& value, const Actor& actor, const std::string& comment)
{
    TriageResult result;
    detail::WriteTransaction tx(db, path, std::string("set ") + field);
    // `field` is one of our two literals, never input.
    auto get = prepare(db, path, std::string("SELECT ") + field + " FROM alerts WHERE id = ?1");
    auto set =
        prepare(db, path, std::string("UPDATE alerts SET ") + field + " = ?2, updated_us = ?3 WHERE id = ?1");
    auto hist = prepare(db, path,
                        "INSERT INTO triage_history (alert_id, ts_us, actor, field, old, new)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    auto note =
        prepare(db, path, "INSERT INTO comments (alert_id, ts_us, actor, text) VALUES (?1, ?2, ?3, ?4)");
    for (int64_t id : ids) {
        sqlite3_reset(get.get());
        sqlite3_bind_int64(get.get(), 1, id);
        const int rc = sqlite3_step(get.get());
        if (rc == SQLITE_DONE) {
            result.missing.push_back(id);
            continue;
        }
        if (rc != SQLITE_ROW) fail(db, path, std::string("read ") + field);
        const std::string old = column_text(get.get(), 0);
        sqlite3_reset(get.get());
        if (!comment.empty()) {
            sqlite3_reset(note.get());
            sqlite3_bind_int64(note.get(), 1, id);
            sqlite3_bind_int64(note.get(), 2, actor.now_us);
            bind_text_not_null(note.get(), 3, actor.name);
            bind_text_not_null(note.get(), 4, comment);
            step_done(db, path, note.get(), "add comment");
        }
        if (old == value) {
            result.unchanged.push_back(id);
            if (!comment.empty())
                insert_audit(db, path, actor, "alert.comment", alert_target(id),
                             nlohmann::json{{"text", comment}}.dump(), true);
            continue;
        }
        sqlite3_reset(set.get());
        sqlite3_bind_int64(set.get(), 1, id);
        bind_text(set.get(), 2, value);
        sqlite3_bind_int64(set.get(), 3, actor.now_us);
        step_done(db, path, set.get(), std::string("set ") + field);
        sqlite3_reset(hist.get());
        sqlite3_bind_int64(hist.get(), 1, id);
        sqlite3_bind_int64(hist.get(), 2, actor.now_us);
        bind_text_not_null(hist.get(), 3, actor.name);
        bind_text_not_null(hist.get(), 4, field);
        bind_text(hist.get(), 5, old);
        bind_text(hist.get(), 6, value);
        step_done(db, path, hist.get(), "triage history");
        nlohmann::json d{{"field", field}, {"old", old}, {"new", value}};
        if (!comment.empty()) d["comment"] = comment;
        insert_audit(db, path, actor, std::string("alert.") + field, alert_target(id), d.dump(), true);
        result.changed.push_back(id);
    }
    if (!result.missing.empty())
        insert_audit(db, path, actor, std::string("alert.") + field, {},
                     nlohmann::json{{"field", field}, {"new", value}, {"missing", result.missing}}.dump(),
                     false);
    tx.commit();
    return result;
}

}  // namespace

std::optional<Facet> parse_facet(std::string_view name)
{
    if (name == "severity") return Facet::Severity;
    if (name == "status") return Facet::Status;
    if (name == "app_proto" || name == "proto") return Facet::AppProto;
    if (name == "sid") return Facet::Sid;
    if (name == "src_ip" || name == "src") return Facet::SrcIp;
    if (name == "dest_ip" || name == "dst") return Facet::DestIp;
    return std::nullopt;
}

AlertPage Store::list_alerts(const AlertFilter& filter) const
{
    require(db_, path_);
    check_limit(filter.limit);
    check_filter(filter);
    std::vector<Param> params;
    std::string sql = std::string("SELECT ") + detail::alert_columns +
                      " FROM alerts a LEFT JOIN evidence e ON e.alert_id = a.id" +
                      where_clause(filter, params, /*with_cursor=*/true);
    params.emplace_back(int64_t{filter.limit} + 1);  // one more: is there a next page?
    sql += " ORDER BY a.ts_us DESC, a.id DESC LIMIT ?" + std::to_string(params.size());
    auto s = prepare(db_, path_, sql);
    bind_params(s.get(), params);
    AlertPage page;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        page.alerts.push_back(detail::read_alert(s.get()));
    if (rc != SQLITE_DONE) fail(db_, path_, "list alerts");
    if (page.alerts.size() > static_cast<size_t>(filter.limit)) {
        page.alerts.pop_back();
        page.next = AlertCursor{page.alerts.back().ts_us, page.alerts.back().id};
    }
    return page;
}

std::vector<FacetCount> Store::count_by(Facet facet, const AlertFilter& filter, int limit) const
{
    require(db_, path_);
    check_limit(limit);
    check_filter(filter);
    const char* column = "a.severity";
    switch (facet) {
        case Facet::Severity:
            column = "a.severity";
            break;
        case Facet::Status:
            column = "a.status";
            break;
        case Facet::AppProto:
            column = "a.app_proto";
            break;
        case Facet::Sid:
            column = "a.sid";
            break;
        case Facet::SrcIp:
            column = "a.src_ip";
            break;
        case Facet::DestIp:
            column = "a.dest_ip";
            break;
    }
    // Sid over the whole store: alerts_sid_ts (sid, ts_us, count) delivers the rows already grouped.
    const bool by_sid_index = facet == Facet::Sid && !filter.since_us && !filter.until_us &&
                              filter.severities.empty() && filter.statuses.empty() &&
                              filter.app_proto.empty() && filter.host.empty() && filter.text.empty();
    std::vector<Param> params;
    // Otherwise GROUP BY +column: the unary + keeps the planner from walking an index of that column for
    // the grouping, with a table lookup per row; the covering alerts_last_seen index is then used
    // for both the time range and the counting (measured in bench/store_bench).
    std::string sql = std::string("SELECT ") + column + ", count(*), sum(a.count) FROM alerts a" +
                      where_clause(filter, params, /*with_cursor=*/false) + " GROUP BY " +
                      (by_sid_index ? "" : "+") + column;
    params.emplace_back(int64_t{limit});
    sql += " ORDER BY 3 DESC, 1 LIMIT ?" + std::to_string(params.size());
    auto s = prepare(db_, path_, sql);
    bind_params(s.get(), params);
    std::vector<FacetCount> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back(
            {column_text(s.get(), 0), sqlite3_column_int64(s.get(), 1), sqlite3_column_int64(s.get(), 2)});
    if (rc != SQLITE_DONE) fail(db_, path_, "count alerts");
    return out;
}

std::optional<AlertDetail> Store::alert_detail(int64_t id) const
{
    require(db_, path_);
    AlertDetail d;
    {
        auto s = prepare(db_, path_,
                         std::string("SELECT ") + detail::alert_columns +
                             ", coalesce(e.packets, 0), coalesce(e.truncated, 0)"
                             " FROM alerts a LEFT JOIN evidence e ON e.alert_id = a.id WHERE a.id = ?1");
        sqlite3_bind_int64(s.get(), 1, id);
        const int rc = sqlite3_step(s.get());
        if (rc == SQLITE_DONE) return std::nullopt;
        if (rc != SQLITE_ROW) fail(db_, path_, "alert detail");
        d.alert = detail::read_alert(s.get());
        d.evidence_packets = sqlite3_column_int64(s.get(), 23);
        d.evidence_truncated = sqlite3_column_int(s.get(), 24) != 0;
    }
    {
        auto s = prepare(
            db_, path_, "SELECT id, ts_us, actor, text FROM comments WHERE alert_id = ?1 ORDER BY ts_us, id");
        sqlite3_bind_int64(s.get(), 1, id);
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
            d.comments.push_back({sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1),
                                  column_text(s.get(), 2), column_text(s.get(), 3)});
        if (rc != SQLITE_DONE) fail(db_, path_, "alert comments");
    }
    {
        auto s = prepare(db_, path_,
                         "SELECT ts_us, actor, field, old, new FROM triage_history WHERE alert_id = ?1"
                         " ORDER BY ts_us, id");
        sqlite3_bind_int64(s.get(), 1, id);
        int rc = SQLITE_OK;
        while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
            d.history.push_back({sqlite3_column_int64(s.get(), 0), column_text(s.get(), 1),
                                 column_text(s.get(), 2), column_text(s.get(), 3), column_text(s.get(), 4)});
        if (rc != SQLITE_DONE) fail(db_, path_, "alert history");
    }
    return d;
}

std::optional<std::string> Store::evidence(int64_t alert_id) const
{
    auto s = prepare(require(db_, path_), path_, "SELECT pcap FROM evidence WHERE alert_id = ?1");
    sqlite3_bind_int64(s.get(), 1, alert_id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db_, path_, "read evidence");
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s.get(), 0));
    return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(s.get(), 0)));
}

TriageResult Store::set_status(std::span<const int64_t> ids, AlertStatus status, const Actor& actor,
                               const std::string& comment)
{
    require(db_, path_);
    check_actor(actor);
    check_ids(ids);
    check_length(comment, max_comment_len, "comment");
    return set_field(db_, path_, ids, "status", std::string(to_string(status)), actor, comment);
}

TriageResult Store::assign(std::span<const int64_t> ids, const std::string& assignee, const Actor& actor)
{
    require(db_, path_);
    check_actor(actor);
    check_ids(ids);
    check_length(assignee, max_name_len, "assignee");
    return set_field(db_, path_, ids, "assignee", assignee, actor, {});
}

int64_t Store::add_comment(int64_t alert_id, const std::string& text, const Actor& actor)
{
    require(db_, path_);
    check_actor(actor);
    if (text.empty()) throw InvalidRequest("comment is empty");
    check_length(text, max_comment_len, "comment");
    detail::WriteTransaction tx(db_, path_, "add comment");
    auto exists = prepare(db_, path_, "SELECT 1 FROM alerts WHERE id = ?1");
    sqlite3_bind_int64(exists.get(), 1, alert_id);
    if (sqlite3_step(exists.get()) != SQLITE_ROW)
        throw InvalidRequest("no alert " + std::to_string(alert_id));
    auto s =
        prepare(db_, path_, "INSERT INTO comments (alert_id, ts_us, actor, text) VALUES (?1, ?2, ?3, ?4)");
    sqlite3_bind_int64(s.get(), 1, alert_id);
    sqlite3_bind_int64(s.get(), 2, actor.now_us);
    bind_text_not_null(s.get(), 3, actor.name);
    bind_text_not_null(s.get(), 4, text);
    step_done(db_, path_, s.get(), "add comment");
    const int64_t id = sqlite3_last_insert_rowid(db_);
    insert_audit(db_, path_, actor, "alert.comment", alert_target(alert_id),
                 nlohmann::json{{"comment_id", id}, {"text", text}}.dump(), true);
    tx.commit();
    return id;
}

int64_t Store::suppress(int64_t alert_id, const Actor& actor, const std::string& reason)
{
    require(db_, path_);
    check_actor(actor);
    check_length(reason, max_reason_len, "reason");
    detail::WriteTransaction tx(db_, path_, "suppress");
    auto a = prepare(db_, path_, "SELECT gid, sid, src_ip, dest_ip FROM alerts WHERE id = ?1");
    sqlite3_bind_int64(a.get(), 1, alert_id);
    if (sqlite3_step(a.get()) != SQLITE_ROW) throw InvalidRequest("no alert " + std::to_string(alert_id));
    const int64_t gid = sqlite3_column_int64(a.get(), 0), sid = sqlite3_column_int64(a.get(), 1);
    const std::string src = column_text(a.get(), 2), dst = column_text(a.get(), 3);
    // IS compares NULL (no address: an L2 protocol) as equal.
    auto existing = prepare(db_, path_,
                            "SELECT id FROM suppressions WHERE gid = ?1 AND sid = ?2 AND src_ip IS ?3"
                            " AND dest_ip IS ?4");
    sqlite3_bind_int64(existing.get(), 1, gid);
    sqlite3_bind_int64(existing.get(), 2, sid);
    bind_text(existing.get(), 3, src);
    bind_text(existing.get(), 4, dst);
    if (sqlite3_step(existing.get()) == SQLITE_ROW) return sqlite3_column_int64(existing.get(), 0);
    auto s = prepare(db_, path_,
                     "INSERT INTO suppressions (gid, sid, src_ip, dest_ip, created_by, created_us, reason,"
                     " from_alert_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_bind_int64(s.get(), 1, gid);
    sqlite3_bind_int64(s.get(), 2, sid);
    bind_text(s.get(), 3, src);
    bind_text(s.get(), 4, dst);
    bind_text_not_null(s.get(), 5, actor.name);
    sqlite3_bind_int64(s.get(), 6, actor.now_us);
    bind_text(s.get(), 7, reason);
    sqlite3_bind_int64(s.get(), 8, alert_id);
    step_done(db_, path_, s.get(), "suppress");
    const int64_t id = sqlite3_last_insert_rowid(db_);
    insert_audit(db_, path_, actor, "suppression.add", "suppression/" + std::to_string(id),
                 nlohmann::json{{"gid", gid},
                                {"sid", sid},
                                {"src_ip", src},
                                {"dest_ip", dst},
                                {"reason", reason},
                                {"from_alert_id", alert_id}}
                     .dump(),
                 true);
    tx.commit();
    return id;
}

bool Store::remove_suppression(int64_t suppression_id, const Actor& actor)
{
    require(db_, path_);
    check_actor(actor);
    detail::WriteTransaction tx(db_, path_, "remove suppression");
    auto s = prepare(db_, path_, "DELETE FROM suppressions WHERE id = ?1");
    sqlite3_bind_int64(s.get(), 1, suppression_id);
    step_done(db_, path_, s.get(), "remove suppression");
    const bool removed = sqlite3_changes(db_) == 1;
    insert_audit(db_, path_, actor, "suppression.remove", "suppression/" + std::to_string(suppression_id),
                 "{}", removed);
    tx.commit();
    return removed;
}

std::vector<Suppression> Store::suppressions() const
{
    auto s = prepare(require(db_, path_), path_,
                     "SELECT id, gid, sid, src_ip, dest_ip, created_by, reason, created_us,"
                     " coalesce(from_alert_id, 0), hits FROM suppressions ORDER BY id");
    std::vector<Suppression> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        Suppression x;
        x.id = sqlite3_column_int64(s.get(), 0);
        x.gid = static_cast<uint32_t>(sqlite3_column_int64(s.get(), 1));
        x.sid = static_cast<uint32_t>(sqlite3_column_int64(s.get(), 2));
        x.src_ip = column_text(s.get(), 3);
        x.dest_ip = column_text(s.get(), 4);
        x.created_by = column_text(s.get(), 5);
        x.reason = column_text(s.get(), 6);
        x.created_us = sqlite3_column_int64(s.get(), 7);
        x.from_alert_id = sqlite3_column_int64(s.get(), 8);
        x.hits = sqlite3_column_int64(s.get(), 9);
        out.push_back(std::move(x));
    }
    if (rc != SQLITE_DONE) fail(db_, path_, "list suppressions");
    return out;
}

void Store::record_audit(const Actor& actor, const std::string& action, const std::string& target,
                         const std::string& detail_json, bool ok)
{
    require(db_, path_);
    check_actor(actor);
    if (action.empty()) throw InvalidRequest("audit action is empty");
    insert_audit(db_, path_, actor, action, target, detail_json, ok);
}

std::vector<AuditEntry> Store::audit_log(int limit) const
{
    require(db_, path_);
    check_limit(limit);
    auto s = prepare(db_, path_,
                     "SELECT id, ts_us, actor, action, target, detail, ok FROM audit_log"
                     " ORDER BY ts_us DESC, id DESC LIMIT ?1");
    sqlite3_bind_int(s.get(), 1, limit);
    std::vector<AuditEntry> out;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back({sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1),
                       column_text(s.get(), 2), column_text(s.get(), 3), column_text(s.get(), 4),
                       column_text(s.get(), 5), sqlite3_column_int(s.get(), 6) != 0});
    if (rc != SQLITE_DONE) fail(db_, path_, "read audit log");
    return out;
}

}  // namespace otsentry::alerts
