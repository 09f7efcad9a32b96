// Retention: prunes alerts, protocol events, flow summaries and the audit log by age, row count
// and database size, in transactions of RetentionConfig::batch_rows rows so that the writer (or
// the web UI) never waits on the write lock for long, then gives free pages back to the file
// system with incremental vacuum. See alerts/README.md ("Retention").
#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "alerts/sqlite_util.h"
#include "alerts/store.h"

namespace otsentry::alerts {

using detail::exec;
using detail::prepare;
using detail::query_int;
using detail::require;

namespace {

// Pages handed back per PRAGMA incremental_vacuum: each call is one short write transaction.
constexpr int vacuum_step_pages = 2048;

class Pruner {
public:
    Pruner(sqlite3* db, const std::string& path, const RetentionConfig& cfg, PruneResult& result)
        : db_(db), path_(path), cfg_(cfg), result_(result)
    {
    }

    [[nodiscard]] bool budget_left() const { return result_.batches < cfg_.max_batches; }

    // Runs `sql` (a DELETE whose ?1 is a bound value and ?2 the batch size) in batches until it
    // deletes fewer than a batch, `max_rows` are gone, or the batch budget is spent.
    int64_t repeat(const char* sql, int64_t value, int64_t max_rows = INT64_MAX)
    {
        int64_t total = 0;
        auto s = prepare(db_, path_, sql);
        while (total < max_rows) {
            if (!budget_left()) {
                result_.complete = false;
                break;
            }
            const int64_t n = std::min<int64_t>(cfg_.batch_rows, max_rows - total);
            detail::WriteTransaction tx(db_, path_, "prune");
            sqlite3_reset(s.get());
            sqlite3_bind_int64(s.get(), 1, value);
            sqlite3_bind_int64(s.get(), 2, n);
            detail::step_done(db_, path_, s.get(), "prune");
            const int64_t deleted = sqlite3_changes(db_);
            tx.commit();
            // A batch that found nothing held the lock for an index probe: it does not use up the
            // budget, or a step with nothing to do would starve the steps after it.
            if (deleted > 0) ++result_.batches;
            total += deleted;
            if (deleted < n) break;
        }
        return total;
    }

    // Rows beyond the newest `max_rows` by id (insert order). max(id) - min(id) + 1 is an upper
    // bound of count(*) found in two index probes; only when it is over the limit is the exact
    // count (a scan of the smallest index) taken: gaps left by age pruning would otherwise make
    // us delete too much.
    int64_t excess(const char* table, int64_t max_rows)
    {
        if (max_rows <= 0) return 0;
        const std::string span = std::string("SELECT coalesce(max(id) - min(id) + 1, 0) FROM ") + table;
        if (query_int(db_, path_, span.c_str()) <= max_rows) return 0;
        const std::string count = std::string("SELECT count(*) FROM ") + table;
        return std::max<int64_t>(0, query_int(db_, path_, count.c_str()) - max_rows);
    }

    int64_t used_bytes()
    {
        return (query_int(db_, path_, "PRAGMA page_count") - query_int(db_, path_, "PRAGMA freelist_count")) *
               query_int(db_, path_, "PRAGMA page_size");
    }

private:
    sqlite3* db_;
    const std::string& path_;
    const RetentionConfig& cfg_;
    PruneResult& result_;
};

constexpr const char* alerts_by_age_sql =
    "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE last_seen_us < ?1 ORDER BY last_seen_us "
    "LIMIT ?2)";
constexpr const char* events_by_age_sql =
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts_us < ?1 ORDER BY ts_us LIMIT ?2)";
constexpr const char* flows_by_age_sql =
    "DELETE FROM flows WHERE id IN (SELECT id FROM flows WHERE last_ts_us < ?1 ORDER BY last_ts_us LIMIT ?2)";
constexpr const char* audit_by_age_sql =
    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE ts_us < ?1 ORDER BY ts_us LIMIT ?2)";
// ?1 is unused by the oldest-first deletes; it keeps one calling convention.
constexpr const char* oldest_alerts_sql =
    "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE ?1 = ?1 ORDER BY id LIMIT ?2)";
constexpr const char* oldest_events_sql =
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ?1 = ?1 ORDER BY id LIMIT ?2)";

}  // namespace

PruneResult Store::prune(const RetentionConfig& cfg, int64_t now_us)
{
    require(db_, path_);
    if (cfg.batch_rows < 1 || cfg.max_batches < 1)
        throw InvalidRequest("retention batch_rows and max_batches must be >= 1");
    PruneResult r;
    Pruner p(db_, path_, cfg, r);

    if (cfg.alert_max_age_us > 0)
        r.alerts_by_age = p.repeat(alerts_by_age_sql, now_us - cfg.alert_max_age_us);
    if (cfg.event_max_age_us > 0) {
        r.events_by_age = p.repeat(events_by_age_sql, now_us - cfg.event_max_age_us);
        r.flows_by_age = p.repeat(flows_by_age_sql, now_us - cfg.event_max_age_us);
    }
    if (cfg.audit_max_age_us > 0) r.audit_by_age = p.repeat(audit_by_age_sql, now_us - cfg.audit_max_age_us);
    if (const int64_t n = p.excess("alerts", cfg.alert_max_rows); n > 0)
        r.alerts_by_rows = p.repeat(oldest_alerts_sql, 0, n);
    if (const int64_t n = p.excess("events", cfg.event_max_rows); n > 0)
        r.events_by_rows = p.repeat(oldest_events_sql, 0, n);

    // Size: protocol events go first (the alerts are what the audit requirement is about), then
    // the oldest alerts. Measured on pages in use, so free pages not yet vacuumed do not count.
    if (cfg.max_db_bytes > 0) {
        while (p.budget_left() && p.used_bytes() > cfg.max_db_bytes) {
            if (query_int(db_, path_, "SELECT EXISTS (SELECT 1 FROM events)")) {
                r.events_by_size += p.repeat(oldest_events_sql, 0, cfg.batch_rows);
            } else if (query_int(db_, path_, "SELECT EXISTS (SELECT 1 FROM alerts)")) {
                r.alerts_by_size += p.repeat(oldest_alerts_sql, 0, cfg.batch_rows);
            } else {
                break;  // what is left is schema, audit log and flows: nothing more to give
            }
        }
        if (!p.budget_left() && p.used_bytes() > cfg.max_db_bytes) r.complete = false;
    }

    // Incremental vacuum (a no-op on a database without auto_vacuum=INCREMENTAL).
    if (query_int(db_, path_, "PRAGMA auto_vacuum") == 2) {
        const std::string step = "PRAGMA incremental_vacuum(" + std::to_string(vacuum_step_pages) + ")";
        int64_t before = query_int(db_, path_, "PRAGMA page_count");
        // Bounded like the deletes: at most max_batches steps of vacuum_step_pages pages.
        for (int i = 0; query_int(db_, path_, "PRAGMA freelist_count") > 0; ++i) {
            if (i == cfg.max_batches) {
                r.complete = false;
                break;
            }
            // The PRAGMA returns no rows; stepping it through exec frees the pages.
            exec(db_, path_, step.c_str(), "incremental vacuum");
            const int64_t after = query_int(db_, path_, "PRAGMA page_count");
            r.pages_vacuumed += before - after;
            if (after == before) break;
            before = after;
        }
    }
    return r;
}

void Store::vacuum()
{
    require(db_, path_);
    exec(db_, path_, "PRAGMA auto_vacuum=INCREMENTAL", "vacuum");
    exec(db_, path_, "VACUUM", "vacuum");
}

int64_t Store::database_bytes() const
{
    require(db_, path_);
    return query_int(db_, path_, "PRAGMA page_count") * query_int(db_, path_, "PRAGMA page_size");
}

}  // namespace otsentry::alerts
