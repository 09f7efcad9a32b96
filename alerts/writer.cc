#include "alerts/writer.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "alerts/eve_file.h"

namespace otsentry::alerts {

namespace {

using SteadyClock = std::chrono::steady_clock;

// How often the writer wakes up while syslog has bytes waiting for the socket.
constexpr std::chrono::milliseconds syslog_pump_interval{50};
// Spilled alerts per retry transaction.
constexpr size_t spill_retry_batch = 1024;
// close(): how long unsent syslog messages may hold up the shutdown.
constexpr std::chrono::milliseconds syslog_close_timeout{1000};

int64_t wall_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void default_condition(const std::string& msg)
{
    std::fprintf(stderr, "otsentry: warning: %s\n", msg.c_str());
    std::fflush(stderr);
}

// One alert the database refused, with whether its EVE line made it (for the final count).
struct Spilled {
    Record record;
    bool eve_ok = true;
};

}  // namespace

struct Writer::Impl {
    WriterConfig cfg_;
    std::optional<Store> store_;
    std::optional<EveFile> eve_;
    std::optional<SyslogExporter> syslog_;

    // Everything below up to `close_mu_` is guarded by `mu_`.
    mutable std::mutex mu_;
    std::condition_variable work_cv_;   // the writer waits for records, a full batch or a flush
    std::condition_variable space_cv_;  // producers wait for room in the queue
    std::condition_variable done_cv_;   // flush() waits for `completed_`
    std::vector<Record> queue_;
    std::vector<std::string> spare_lines_;  // see take_line_buffers()
    SteadyClock::time_point oldest_{};      // when the queue last became non-empty
    // Records are numbered in submit order; the writer handles them in that order, so
    // "completed_ >= n" means records 1..n are all written (or counted as failed, or spilled).
    uint64_t submitted_ = 0;
    uint64_t completed_ = 0;
    uint64_t flush_target_ = 0;  // a flush() waits for this many: do not wait for batch_age
    bool stopping_ = false;
    bool running_ = false;  // the thread still takes records; false before start and after it ends
    bool reopen_requested_ = false;
    WriterStats stats_;
    std::optional<std::string> first_error_;

    std::mutex close_mu_;  // serialises close() calls
    bool closed_ = false;
    std::thread thread_;

    // Writer-thread state: only the writer thread (or close() after joining it) touches these.
    bool db_ok_ = true;
    bool eve_ok_ = true;
    SteadyClock::time_point next_db_retry_{};
    SteadyClock::time_point next_prune_{};
    bool prune_due_ = false;  // the last prune stopped at max_batches: go on at the next tick
    std::vector<Spilled> spill_;
    std::vector<Record> rows_;                // spilled alerts on their way back to the store
    std::vector<std::string> written_lines_;  // line buffers of the last batch, for spare_lines_

    [[nodiscard]] size_t wake_size() const { return std::min(cfg_.batch_max, cfg_.queue_max); }

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void run();
    // Keeps the line buffers of written records for take_line_buffers().
    void collect_lines(std::span<Record> written);
    void write_batch(std::span<Record> batch);
    // Retries, syslog, rotation and retention between batches.
    void housekeeping(SteadyClock::time_point now);
    // The next time housekeeping must run even if no record arrives; nullopt: none due.
    [[nodiscard]] std::optional<SteadyClock::time_point> next_tick(SteadyClock::time_point now) const;
    // Inserts the rows; on failure switches to the failing state. Returns whether it worked.
    bool store_rows(std::span<const Record> rows, SteadyClock::time_point now, InsertResult& result);
    bool drain_spill(SteadyClock::time_point now);
    void db_failed(const std::string& msg, SteadyClock::time_point now);
    void condition(const std::string& msg);
    void note_error(std::string msg);
    void finish();
};

Writer::Writer(WriterConfig cfg) : impl_(std::make_unique<Impl>())
{
    Impl& w = *impl_;
    w.cfg_ = std::move(cfg);
    w.cfg_.batch_max = std::max<size_t>(w.cfg_.batch_max, 1);
    w.cfg_.queue_max = std::max<size_t>(w.cfg_.queue_max, 1);
    if (!w.cfg_.on_condition) w.cfg_.on_condition = default_condition;

    if (!w.cfg_.db_path.empty()) {
        w.store_.emplace(Store::open(w.cfg_.db_path, w.cfg_.store));
        if (w.cfg_.synchronous == Synchronous::Full) {
            char* msg = nullptr;
            if (sqlite3_exec(w.store_->handle(), "PRAGMA synchronous=FULL", nullptr, nullptr, &msg) !=
                SQLITE_OK) {
                const std::string text = msg ? msg : "unknown error";
                sqlite3_free(msg);
                throw StoreError(w.cfg_.db_path + ": PRAGMA synchronous=FULL: " + text);
            }
        }
    }
    if (!w.cfg_.eve_path.empty()) {
        w.eve_.emplace(EveFileConfig{.path = w.cfg_.eve_path,
                                     .rotate_bytes = w.cfg_.eve_rotate_bytes,
                                     .rotate_seconds = w.cfg_.eve_rotate_seconds,
                                     .keep = w.cfg_.eve_keep,
                                     .timestamped = w.cfg_.eve_rotate_timestamped});
    }
    if (w.cfg_.syslog) w.syslog_.emplace(*w.cfg_.syslog);
    w.next_prune_ = SteadyClock::now() + w.cfg_.prune_interval;
    // Room for a batch in both vectors run() swaps, from the start: a record is moved once, into
    // the queue, rather than again at each reallocation while the queue grows to its usual size
    // (in a short replay, most records). Pages of the reserve that are never used take no memory.
    w.queue_.reserve(w.wake_size());

    w.running_ = true;
    w.thread_ = std::thread([&w] { w.run(); });
}

Writer::~Writer()
{
    close();
}

void Writer::submit(Record&& r)
{
    Impl& w = *impl_;
    std::unique_lock lk(w.mu_);
    if (w.queue_.size() >= w.cfg_.queue_max && w.running_) {
        if (r.kind != RecordKind::Alert && w.cfg_.queue_full == QueueFullPolicy::DropEvents) {
            ++w.stats_.dropped_events;
            return;
        }
        ++w.stats_.blocked_submits;
        if (r.kind == RecordKind::Alert) ++w.stats_.blocked_alerts;
        // An alert is never dropped here: the producer waits (back-pressure to the capture).
        w.space_cv_.wait(lk, [&] { return w.queue_.size() < w.cfg_.queue_max || !w.running_; });
    }
    if (!w.running_) {
        // After close() nothing will write it; counted so that the totals still add up.
        ++w.stats_.failed;
        if (!w.first_error_) w.first_error_ = "writer: record submitted after close()";
        return;
    }
    if (w.queue_.empty()) w.oldest_ = SteadyClock::now();
    w.queue_.push_back(std::move(r));
    ++w.submitted_;
    // Wake the writer only at the transitions it waits for, not on every record.
    if (w.queue_.size() == 1 || w.queue_.size() == w.wake_size()) w.work_cv_.notify_one();
}

void Writer::take_line_buffers(std::vector<std::string>& out)
{
    Impl& w = *impl_;
    std::lock_guard lk(w.mu_);
    if (out.empty()) {
        out.swap(w.spare_lines_);
        return;
    }
    for (auto& s : w.spare_lines_)
        out.push_back(std::move(s));
    w.spare_lines_.clear();
}

void Writer::flush()
{
    Impl& w = *impl_;
    std::unique_lock lk(w.mu_);
    const uint64_t target = w.submitted_;
    if (w.completed_ >= target) return;
    w.flush_target_ = std::max(w.flush_target_, target);
    w.work_cv_.notify_one();
    w.done_cv_.wait(lk, [&] { return w.completed_ >= target || !w.running_; });
}

void Writer::reopen_eve()
{
    Impl& w = *impl_;
    {
        std::lock_guard lk(w.mu_);
        w.reopen_requested_ = true;
    }
    w.work_cv_.notify_one();
}

void Writer::close()
{
    Impl& w = *impl_;
    std::lock_guard close_lk(w.close_mu_);
    if (w.closed_) return;
    w.closed_ = true;
    {
        std::lock_guard lk(w.mu_);
        w.stopping_ = true;
    }
    w.work_cv_.notify_one();
    // The thread drains the queue before it ends: closing is a flush.
    if (w.thread_.joinable()) w.thread_.join();
    w.finish();
}

WriterStats Writer::stats() const
{
    std::lock_guard lk(impl_->mu_);
    WriterStats s = impl_->stats_;
    s.queued = impl_->queue_.size();
    return s;
}

std::optional<std::string> Writer::error() const
{
    std::lock_guard lk(impl_->mu_);
    return impl_->first_error_;
}

void Writer::Impl::note_error(std::string msg)
{
    std::lock_guard lk(mu_);
    if (!first_error_) first_error_ = std::move(msg);
}

void Writer::Impl::condition(const std::string& msg)
{
    try {
        cfg_.on_condition(msg);
    } catch (const std::exception&) {
        // A reporting callback must not take the writer thread down.
    }
}

std::optional<SteadyClock::time_point> Writer::Impl::next_tick(SteadyClock::time_point now) const
{
    std::optional<SteadyClock::time_point> t;
    const auto earliest = [&t](SteadyClock::time_point c) {
        if (!t || c < *t) t = c;
    };
    if (store_ && !spill_.empty()) earliest(next_db_retry_);
    if (syslog_ && syslog_->has_pending()) earliest(now + syslog_pump_interval);
    if (store_ && cfg_.retention && db_ok_) earliest(prune_due_ ? now : next_prune_);
    if (eve_ && cfg_.eve_rotate_seconds.count() > 0) earliest(now + std::chrono::seconds(1));
    return t;
}

void Writer::Impl::run()
{
    std::vector<Record> work;
    work.reserve(wake_size());
    std::unique_lock lk(mu_);
    for (;;) {
        const auto pred = [&] { return stopping_ || !queue_.empty() || reopen_requested_; };
        if (const auto tick = next_tick(SteadyClock::now()))
            work_cv_.wait_until(lk, *tick, pred);
        else
            work_cv_.wait(lk, pred);
        if (queue_.empty()) {
            lk.unlock();
            housekeeping(SteadyClock::now());
            lk.lock();
            if (stopping_ && queue_.empty()) break;  // stopping, and everything is written
            continue;
        }
        // A batch closes when full, when its oldest record is batch_age old, or when someone
        // waits for it (flush, close).
        work_cv_.wait_until(lk, oldest_ + cfg_.batch_age, [&] {
            return stopping_ || queue_.size() >= wake_size() || flush_target_ > completed_;
        });
        // Take everything in one swap: producers hold the lock only for a push_back.
        work.swap(queue_);
        space_cv_.notify_all();
        lk.unlock();

        housekeeping(SteadyClock::now());
        std::span<Record> all(work);
        for (size_t at = 0; at < all.size(); at += cfg_.batch_max) {
            const auto batch = all.subspan(at, std::min(cfg_.batch_max, all.size() - at));
            try {
                write_batch(batch);
            } catch (const std::exception& e) {
                // Only allocation can get here; the thread must survive it, and the records count.
                note_error(std::string("writer: ") + e.what());
                std::lock_guard failed_lk(mu_);
                stats_.failed += batch.size();
            }
            std::lock_guard done_lk(mu_);
            completed_ += batch.size();
            done_cv_.notify_all();
        }
        housekeeping(SteadyClock::now());
        collect_lines(work);
        // Keep the capacity: the next swap hands it to the producers.
        work.clear();
        lk.lock();
        for (auto& s : written_lines_) {
            if (spare_lines_.size() >= cfg_.batch_max) break;
            spare_lines_.push_back(std::move(s));
        }
        written_lines_.clear();
    }
    running_ = false;
    // Producers blocked on a full queue and flush() callers must not wait for a thread that is gone.
    space_cv_.notify_all();
    done_cv_.notify_all();
}

void Writer::Impl::collect_lines(std::span<Record> written)
{
    // Only buffers of an ordinary line's size: a moved-from line has none, and a rare huge one
    // (thousands of coils) is not worth holding on to.
    constexpr size_t min_capacity = 256;
    constexpr size_t max_capacity = 4096;
    for (Record& r : written) {
        if (written_lines_.size() >= cfg_.batch_max) return;
        std::string& line = r.eve_json;
        if (line.capacity() < min_capacity || line.capacity() > max_capacity) continue;
        line.clear();
        written_lines_.push_back(std::move(line));
    }
}

void Writer::Impl::housekeeping(SteadyClock::time_point now)
{
    bool reopen = false;
    {
        std::lock_guard lk(mu_);
        std::swap(reopen, reopen_requested_);
    }
    if (reopen && eve_) {
        if (eve_->reopen()) {
            std::lock_guard lk(mu_);
            ++stats_.eve_reopens;
        } else {
            note_error(eve_->display_name() + ": reopen failed: " + std::strerror(eve_->errno_value()));
            condition(eve_->display_name() + ": reopen failed: " + std::strerror(eve_->errno_value()) +
                      "; trying again at the next batch");
        }
    }
    if (eve_) {
        const uint64_t before = eve_->rotations();
        if (!eve_->maybe_rotate())
            note_error(eve_->display_name() + ": rotate failed: " + std::strerror(eve_->errno_value()));
        if (eve_->rotations() != before) {
            std::lock_guard lk(mu_);
            stats_.eve_rotations = eve_->rotations();
        }
    }
    if (store_ && !spill_.empty() && now >= next_db_retry_) drain_spill(now);
    if (store_ && cfg_.retention && db_ok_ && (prune_due_ || now >= next_prune_)) {
        next_prune_ = now + cfg_.prune_interval;
        try {
            const PruneResult pr = store_->prune(*cfg_.retention, wall_us());
            prune_due_ = !pr.complete;
            std::lock_guard lk(mu_);
            stats_.pruned_alerts += static_cast<uint64_t>(pr.alerts());
            stats_.pruned_events += static_cast<uint64_t>(pr.events());
        } catch (const std::exception& e) {
            // Pruning failing (a full disk makes DELETE fail too) must not stop the writing.
            prune_due_ = false;
            note_error(std::string("retention: ") + e.what());
        }
    }
    if (syslog_) {
        syslog_->pump(now);
        const SyslogStats s = syslog_->stats();
        std::lock_guard lk(mu_);
        stats_.syslog = s;
    }
}

void Writer::Impl::db_failed(const std::string& msg, SteadyClock::time_point now)
{
    next_db_retry_ = now + cfg_.retry_interval;
    {
        std::lock_guard lk(mu_);
        ++stats_.db_errors;
        stats_.db_ok = false;
        if (!first_error_) first_error_ = msg;
    }
    if (db_ok_) {
        db_ok_ = false;
        condition(msg + "; alerts are kept in memory (up to " + std::to_string(cfg_.spill_max) +
                  ") and the database is tried again every " + std::to_string(cfg_.retry_interval.count()) +
                  " ms; events are not stored meanwhile (the EVE file has them)");
    }
}

bool Writer::Impl::store_rows(std::span<const Record> rows, SteadyClock::time_point now, InsertResult& result)
{
    if (rows.empty()) return true;
    try {
        result = store_->insert_batch(rows);
    } catch (const std::exception& e) {
        db_failed(e.what(), now);
        return false;
    }
    if (!db_ok_) {
        db_ok_ = true;
        {
            std::lock_guard lk(mu_);
            ++stats_.db_recoveries;
            stats_.db_ok = true;
        }
        condition(store_->path() + ": the database takes records again");
    }
    return true;
}

bool Writer::Impl::drain_spill(SteadyClock::time_point now)
{
    // The retry: the spilled alerts go first, in small batches so that a disk with a little room
    // again takes some of them; the first failure ends the attempt.
    while (!spill_.empty()) {
        const size_t n = std::min({spill_.size(), cfg_.batch_max, spill_retry_batch});
        rows_.clear();
        for (size_t i = 0; i < n; ++i)
            rows_.push_back(std::move(spill_[i].record));
        InsertResult res;
        if (!store_rows(rows_, now, res)) {
            for (size_t i = 0; i < n; ++i)
                spill_[i].record = std::move(rows_[i]);
            rows_.clear();
            return false;
        }
        uint64_t ok = 0;
        for (size_t i = 0; i < n; ++i)
            ok += spill_[i].eve_ok ? 1 : 0;
        spill_.erase(spill_.begin(), spill_.begin() + static_cast<std::ptrdiff_t>(n));
        rows_.clear();
        std::lock_guard lk(mu_);
        stats_.alerts_recovered += n;
        stats_.alerts += ok;
        stats_.failed += n - ok;
        stats_.spill_pending = spill_.size();
        stats_.alerts_aggregated += res.aggregated;
        stats_.alerts_suppressed += res.suppressed;
    }
    return true;
}

void Writer::Impl::write_batch(std::span<Record> batch)
{
    const auto now = SteadyClock::now();
    bool eve_ok = true;
    uint64_t bytes = 0;
    std::optional<std::string> err;
    if (eve_) {
        for (const Record& r : batch)
            eve_->append(r.eve_json);
        const uint64_t before = eve_->size();
        eve_ok = eve_->commit();
        bytes = eve_->size() - before;
        if (!eve_ok) {
            // The file keeps only whole lines; this batch's lines are lost (counted), and the
            // next batch tries again (the disk may have room by then).
            err = eve_->display_name() + ": write failed: " + std::strerror(eve_->errno_value());
            if (eve_ok_) {
                eve_ok_ = false;
                condition(*err + "; its lines are counted as lost and writing is tried again at every batch");
            }
        } else if (!eve_ok_) {
            eve_ok_ = true;
            {
                std::lock_guard lk(mu_);
                ++stats_.eve_recoveries;
            }
            condition(eve_->display_name() + ": writing works again");
        }
    }
    if (syslog_) {
        for (const Record& r : batch)
            syslog_->submit(r);
    }

    // The database: tried now unless it is failing and the retry is not due yet.
    bool db_ok = true;
    InsertResult res;
    if (store_) {
        if (!db_ok_ && now < next_db_retry_) {
            db_ok = false;
        } else {
            // Stats records go in too: the store keeps the newest ones for the status page.
            db_ok = store_rows(batch, now, res);
            // The database is back: the alerts it missed go in before the next batch.
            if (db_ok && !spill_.empty()) drain_spill(now);
        }
    }

    WriterStats d;
    for (Record& r : batch) {
        switch (r.kind) {
            case RecordKind::Stats:
                ++(eve_ok ? d.stats : d.failed);
                break;
            case RecordKind::Event:
                if (!db_ok) ++d.events_not_stored;
                ++(eve_ok && db_ok ? d.events : d.failed);
                break;
            case RecordKind::Alert:
                if (db_ok) {
                    ++(eve_ok ? d.alerts : d.failed);
                } else if (spill_.size() < cfg_.spill_max) {
                    ++d.alerts_spilled;
                    spill_.push_back(Spilled{std::move(r), eve_ok});
                } else {
                    ++d.alerts_not_stored;
                    ++d.failed;
                }
                break;
        }
        if (!eve_ok) ++d.eve_failed;
    }

    std::lock_guard lk(mu_);
    if (err && !first_error_) first_error_ = std::move(err);
    ++stats_.batches;
    stats_.eve_bytes += bytes;
    stats_.events += d.events;
    stats_.alerts += d.alerts;
    stats_.stats += d.stats;
    stats_.failed += d.failed;
    stats_.events_not_stored += d.events_not_stored;
    stats_.alerts_spilled += d.alerts_spilled;
    stats_.alerts_not_stored += d.alerts_not_stored;
    stats_.spill_pending = spill_.size();
    stats_.eve_failed += d.eve_failed;
    stats_.eve_ok = eve_ok;
    if (!eve_ok) ++stats_.eve_errors;
    stats_.alerts_aggregated += res.aggregated;
    stats_.alerts_suppressed += res.suppressed;
}

void Writer::Impl::finish()
{
    // Last chance for the spill, whatever the retry timer says.
    if (store_ && !spill_.empty()) drain_spill(SteadyClock::now());
    if (!spill_.empty()) {
        condition(cfg_.db_path + ": " + std::to_string(spill_.size()) +
                  " alerts could not be stored before closing (the EVE file has them)");
        std::lock_guard lk(mu_);
        stats_.alerts_not_stored += spill_.size();
        stats_.failed += spill_.size();
        stats_.spill_pending = 0;
        spill_.clear();
    }
    if (syslog_) {
        syslog_->drain(syslog_close_timeout);
        const SyslogStats s = syslog_->stats();
        std::lock_guard lk(mu_);
        stats_.syslog = s;
    }
    eve_.reset();
    syslog_.reset();
    store_.reset();
}

}  // namespace otsentry::alerts
