// The single store writer: every worker submits records through one multi-producer queue; one
// thread drains it, appends each record's EVE line to the EVE file (rotated by size or age),
// inserts the batch into SQLite in one transaction and hands alerts to the syslog exporter.
// Batches close on size or age, whichever comes first. A full queue blocks or drops protocol
// events by policy, never alerts; a failing database or EVE file is reported once, counted, and
// retried, and alerts the database could not take wait in a bounded spill until it can.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/record.h"
#include "alerts/store.h"
#include "alerts/syslog.h"

namespace otsentry::alerts {

// PRAGMA synchronous of the writer's connection (WAL mode). Either way a process crash
// (kill -9, abort) loses no committed batch: the WAL is in the OS page cache. On a power cut
// or kernel crash, Normal may lose the batches committed since the WAL was last synced (at a
// checkpoint), but never corrupts the database; Full syncs the WAL at every commit, so a
// committed batch survives a power cut, at the price of one fsync per batch.
enum class Synchronous : uint8_t { Normal, Full };

// What submit() does when queue_max records are waiting. Alerts always wait for room.
// Block: protocol events wait too (replay: slowing the reader loses nothing).
// DropEvents: protocol events and stats records are dropped and counted (live capture: a
// stalled capture thread would lose packets in the kernel instead, alerts among them).
enum class QueueFullPolicy : uint8_t { Block, DropEvents };

struct WriterConfig {
    std::string db_path;       // empty: no database
    std::string eve_path;      // empty: no EVE file; "-": standard output
    size_t batch_max = 16384;  // records per transaction
    std::chrono::milliseconds batch_age{200};
    // Records waiting; beyond it submit() follows `queue_full`. About 64k records of ~0.7 kB each
    // bounds the queue to tens of MB (it can hold twice that while a batch is written).
    size_t queue_max = 1 << 16;
    Synchronous synchronous = Synchronous::Normal;
    QueueFullPolicy queue_full = QueueFullPolicy::Block;
    // Alerts kept in memory while the database fails (disk full, I/O error), stored when it
    // works again; past this they are counted in alerts_not_stored (they still reach EVE/syslog).
    size_t spill_max = 1 << 16;
    // How often a failing database is tried again (the EVE file is tried at every batch).
    std::chrono::milliseconds retry_interval{5000};
    // Store options (aggregation, evidence cap) for the writer's connection.
    StoreOptions store{};
    // Retention: when set, Store::prune runs on the writer thread every prune_interval, in the
    // small batches RetentionConfig allows, between record batches.
    std::optional<RetentionConfig> retention{};
    std::chrono::seconds prune_interval{60};
    // EVE rotation (see EveFileConfig): by size, by age, keeping eve_keep rotated files.
    uint64_t eve_rotate_bytes = 0;
    std::chrono::seconds eve_rotate_seconds{0};
    unsigned eve_keep = 5;
    bool eve_rotate_timestamped = false;
    std::optional<SyslogConfig> syslog{};
    // Called on the writer thread when a sink starts failing and when it recovers (one message
    // each, not one per batch). Default: "otsentry: warning: <message>" on standard error.
    std::function<void(const std::string&)> on_condition{};
};

struct WriterStats {
    uint64_t events = 0, alerts = 0;  // records written to every configured sink
    uint64_t stats = 0;               // stats records (EVE only) written
    // Records that missed a sink for good (a failed EVE batch, an event the database did not
    // take, an alert that never reached the database), or were submitted after close().
    uint64_t failed = 0;
    uint64_t batches = 0;
    uint64_t blocked_submits = 0;  // submits that had to wait for room in the queue
    uint64_t blocked_alerts = 0;   // of which alerts
    uint64_t dropped_events = 0;   // events/stats dropped on a full queue (policy DropEvents)
    uint64_t eve_bytes = 0;
    uint64_t queued = 0;  // records waiting in the queue now (not yet taken by the writer)

    // Database failures (counted per record; failed counts them too unless noted).
    uint64_t events_not_stored = 0;  // events the database did not take (EVE has them)
    uint64_t alerts_spilled = 0;     // alerts put into the spill (not in failed)
    uint64_t alerts_recovered = 0;   // spilled alerts stored later (then in alerts)
    uint64_t alerts_not_stored = 0;  // alerts that never reached the database (spill full, closed)
    uint64_t spill_pending = 0;      // alerts in the spill now (neither alerts nor failed yet)
    uint64_t db_errors = 0;          // failed database attempts (batches and retries)
    uint64_t db_recoveries = 0;
    bool db_ok = true;  // the last database attempt worked

    // EVE file failures.
    uint64_t eve_failed = 0;  // records whose EVE line was not written
    uint64_t eve_errors = 0;  // failed batch writes
    uint64_t eve_recoveries = 0;
    uint64_t eve_rotations = 0, eve_reopens = 0;
    bool eve_ok = true;

    // Store results (aggregation and suppression happen in Store::insert_batch).
    uint64_t alerts_aggregated = 0, alerts_suppressed = 0;
    uint64_t pruned_alerts = 0, pruned_events = 0;

    SyslogStats syslog;

    // Every submitted record is in exactly one of these.
    [[nodiscard]] uint64_t accounted() const
    {
        return events + alerts + stats + failed + dropped_events + spill_pending;
    }
};

class Writer {
public:
    // Opens the database (migrating it), the EVE file and the syslog socket; throws
    // StoreError / std::runtime_error naming the file or target when one cannot be opened.
    // Starts the writer thread.
    explicit Writer(WriterConfig cfg);
    ~Writer();  // close()
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Thread-safe. Takes ownership of the record.
    void submit(Record&& r);
    // Thread-safe. Appends to `out` the EVE line buffers of records already written, emptied but
    // with their capacity, for the caller's next records: rendering into one spares the
    // allocation of a line (and its free on the writer thread). Up to batch_max are kept.
    void take_line_buffers(std::vector<std::string>& out);
    // Waits until everything submitted so far is written and committed, counted as failed, or
    // (alerts the database refused) in the spill.
    void flush();
    // Flushes, tries the database once more for spilled alerts, sends what syslog still holds
    // (for up to a second), stops the thread and closes the files. Idempotent.
    void close();
    // Closes and reopens the EVE file before the next batch (logrotate's postrotate, SIGHUP).
    // Thread-safe; not async-signal-safe: call it from the thread that handles signals.
    void reopen_eve();

    // After close(), or from the writer's own point of view at any time (approximate).
    [[nodiscard]] WriterStats stats() const;
    // The first write error, if any ("<file>: <reason>"); writing goes on for the other sink.
    [[nodiscard]] std::optional<std::string> error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace otsentry::alerts
