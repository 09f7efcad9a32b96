// The events explorer's query (see events_query.h).
#include "alerts/events_query.h"

#include "alerts/sqlite_util.h"

namespace otsentry::alerts {

using detail::bind_text_not_null;
using detail::column_text;

namespace {

constexpr size_t max_text = 200;

}  // namespace

EventPage query_events(const Store& store, const EventFilter& f)
{
    sqlite3* db = detail::require(store.handle(), store.path());
    if (f.limit < 1 || f.limit > 500) throw InvalidRequest("limit must be 1..500");
    if (f.text.size() > max_text) throw InvalidRequest("text filter must be at most 200 bytes");
    if (f.since_us && f.until_us && *f.since_us > *f.until_us)
        throw InvalidRequest("since must not be after until");

    // Clauses are fixed text with numbered parameters; only those of the filters given are used,
    // so SQLite can pick the ts_us or (app_proto, ts_us) index.
    std::string sql =
        "SELECT id, ts_us, flow_id, src_ip, src_port, dest_ip, dest_port, proto, app_proto, pcap_cnt, eve"
        " FROM events WHERE 1";
    if (f.since_us) sql += " AND ts_us >= ?1";
    if (f.until_us) sql += " AND ts_us < ?2";
    if (!f.app_proto.empty()) sql += " AND app_proto = ?3";
    if (!f.src_host.empty()) sql += " AND src_ip = ?4";
    if (!f.dest_host.empty()) sql += " AND dest_ip = ?5";
    if (!f.host.empty()) sql += " AND (src_ip = ?6 OR dest_ip = ?6)";
    if (!f.text.empty()) sql += " AND instr(lower(eve), lower(?7)) > 0";
    if (f.before) sql += " AND (ts_us < ?8 OR (ts_us = ?8 AND id < ?9))";
    sql += " ORDER BY ts_us DESC, id DESC LIMIT ?10";

    auto s = detail::prepare(db, store.path(), sql);
    if (f.since_us) sqlite3_bind_int64(s.get(), 1, *f.since_us);
    if (f.until_us) sqlite3_bind_int64(s.get(), 2, *f.until_us);
    if (!f.app_proto.empty()) bind_text_not_null(s.get(), 3, f.app_proto);
    if (!f.src_host.empty()) bind_text_not_null(s.get(), 4, f.src_host);
    if (!f.dest_host.empty()) bind_text_not_null(s.get(), 5, f.dest_host);
    if (!f.host.empty()) bind_text_not_null(s.get(), 6, f.host);
    if (!f.text.empty()) bind_text_not_null(s.get(), 7, f.text);
    if (f.before) {
        sqlite3_bind_int64(s.get(), 8, f.before->ts_us);
        sqlite3_bind_int64(s.get(), 9, f.before->id);
    }
    sqlite3_bind_int(s.get(), 10, f.limit + 1);  // one more tells whether there is a next page

    EventPage page;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        if (static_cast<int>(page.events.size()) == f.limit) {
            const auto& last = page.events.back();
            page.next = EventCursor{last.ts_us, last.id};
            break;
        }
        StoredEvent e;
        e.id = sqlite3_column_int64(s.get(), 0);
        e.ts_us = sqlite3_column_int64(s.get(), 1);
        e.flow_id = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 2));
        e.src_ip = column_text(s.get(), 3);
        e.src_port = static_cast<uint16_t>(sqlite3_column_int(s.get(), 4));
        e.dest_ip = column_text(s.get(), 5);
        e.dest_port = static_cast<uint16_t>(sqlite3_column_int(s.get(), 6));
        e.proto = column_text(s.get(), 7);
        e.app_proto = column_text(s.get(), 8);
        e.pcap_cnt = sqlite3_column_int64(s.get(), 9);
        e.eve_json = column_text(s.get(), 10);
        page.events.push_back(std::move(e));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) detail::fail(db, store.path(), "query events");
    return page;
}

}  // namespace otsentry::alerts
