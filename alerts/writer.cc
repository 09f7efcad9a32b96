#include "alerts/writer.h"

#include <algorithm>
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

#include "alerts/store.h"

namespace otsentry::alerts {

namespace {
// Large enough that a batch of EVE lines leaves in a few write(2) calls.
constexpr size_t eve_buffer_size = size_t{1} << 20;
}  // namespace

struct Writer::Impl {
    WriterConfig cfg_;
    std::optional<Store> store_;
    FILE* eve_ = nullptr;
    bool eve_is_stdout_ = false;
    // setvbuf keeps a pointer to it: freed only after fclose.
    std::unique_ptr<char[]> eve_buffer_;

    // Everything below up to `close_mu_` is guarded by `mu_`.
    mutable std::mutex mu_;
    std::condition_variable work_cv_;   // the writer waits for records, a full batch or a flush
    std::condition_variable space_cv_;  // producers wait for room in the queue
    std::condition_variable done_cv_;   // flush() waits for `completed_`
    std::vector<Record> queue_;
    std::chrono::steady_clock::time_point oldest_{};  // when the queue last became non-empty
    // Records are numbered in submit order; the writer handles them in that order, so
    // "completed_ >= n" means records 1..n are all written (or counted as failed).
    uint64_t submitted_ = 0;
    uint64_t completed_ = 0;
    uint64_t flush_target_ = 0;  // a flush() waits for this many: do not wait for batch_age
    bool stopping_ = false;
    bool running_ = false;  // the thread still takes records; false before start and after it ends
    WriterStats stats_;
    std::optional<std::string> first_error_;

    std::mutex close_mu_;  // serialises close() calls
    bool closed_ = false;
    std::thread thread_;

    // The queue size that wakes the writer before batch_age: a full batch, or a full queue when
    // queue_max is below batch_max (producers are waiting).
    [[nodiscard]] size_t wake_size() const { return std::min(cfg_.batch_max, cfg_.queue_max); }

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    // Only reached with the file still open when the constructor failed after opening it.
    ~Impl()
    {
        if (eve_ && !eve_is_stdout_) std::fclose(eve_);
    }

    void run();
    void write_batch(std::span<const Record> batch);
    void note_error(std::string msg);
    [[nodiscard]] std::string eve_name() const { return cfg_.eve_path == "-" ? "<stdout>" : cfg_.eve_path; }
};

Writer::Writer(WriterConfig cfg) : impl_(std::make_unique<Impl>())
{
    Impl& w = *impl_;
    w.cfg_ = std::move(cfg);
    w.cfg_.batch_max = std::max<size_t>(w.cfg_.batch_max, 1);
    w.cfg_.queue_max = std::max<size_t>(w.cfg_.queue_max, 1);

    if (!w.cfg_.db_path.empty()) w.store_.emplace(Store::open(w.cfg_.db_path));
    if (w.cfg_.eve_path == "-") {
        // stdout's buffering cannot be changed once used; fflush per batch is what matters.
        w.eve_ = stdout;
        w.eve_is_stdout_ = true;
    } else if (!w.cfg_.eve_path.empty()) {
        // Append, like Suricata: a restarted monitor must not truncate what the SIEM has not read.
        w.eve_ = std::fopen(w.cfg_.eve_path.c_str(), "a");
        if (!w.eve_)
            throw std::runtime_error(w.cfg_.eve_path + ": cannot open for writing: " + std::strerror(errno));
        w.eve_buffer_ = std::make_unique<char[]>(eve_buffer_size);
        std::setvbuf(w.eve_, w.eve_buffer_.get(), _IOFBF, eve_buffer_size);
    }

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
        ++w.stats_.blocked_submits;
        // No loss: the producer waits (back-pressure to the capture) rather than dropping.
        w.space_cv_.wait(lk, [&] { return w.queue_.size() < w.cfg_.queue_max || !w.running_; });
    }
    if (!w.running_) {
        // After close() nothing will write it; counted so that the totals still add up.
        ++w.stats_.failed;
        if (!w.first_error_) w.first_error_ = "writer: record submitted after close()";
        return;
    }
    if (w.queue_.empty()) w.oldest_ = std::chrono::steady_clock::now();
    w.queue_.push_back(std::move(r));
    ++w.submitted_;
    // Wake the writer only at the transitions it waits for, not on every record.
    if (w.queue_.size() == 1 || w.queue_.size() == w.wake_size()) w.work_cv_.notify_one();
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
    if (w.eve_) {
        const bool ok = std::fflush(w.eve_) == 0 && (w.eve_is_stdout_ || std::fclose(w.eve_) == 0);
        if (!ok) w.note_error(w.eve_name() + ": close: " + std::strerror(errno));
        w.eve_ = nullptr;
    }
    w.store_.reset();
}

WriterStats Writer::stats() const
{
    std::lock_guard lk(impl_->mu_);
    return impl_->stats_;
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

void Writer::Impl::run()
{
    std::vector<Record> work;
    std::unique_lock lk(mu_);
    for (;;) {
        work_cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) break;  // stopping, and everything is written
        // A batch closes when full, when its oldest record is batch_age old, or when someone
        // waits for it (flush, close).
        work_cv_.wait_until(lk, oldest_ + cfg_.batch_age, [&] {
            return stopping_ || queue_.size() >= wake_size() || flush_target_ > completed_;
        });
        // Take everything in one swap: producers hold the lock only for a push_back.
        work.swap(queue_);
        space_cv_.notify_all();
        lk.unlock();

        std::span<const Record> all(work);
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
        // Keep the capacity: the next swap hands it to the producers.
        work.clear();
        lk.lock();
    }
    running_ = false;
    // Producers blocked on a full queue and flush() callers must not wait for a thread that is gone.
    space_cv_.notify_all();
    done_cv_.notify_all();
}

void Writer::Impl::write_batch(std::span<const Record> batch)
{
    bool failed = false;
    uint64_t bytes = 0;
    std::optional<std::string> err;
    if (eve_) {
        int eve_errno = 0;
        for (const Record& r : batch) {
            if (std::fwrite(r.eve_json.data(), 1, r.eve_json.size(), eve_) != r.eve_json.size() ||
                std::fputc('\n', eve_) == EOF) {
                eve_errno = errno;
                break;
            }
            bytes += r.eve_json.size() + 1;
        }
        // Flushed at each batch end so that a tail -f or a shipper sees whole lines promptly.
        if (std::fflush(eve_) != 0 && eve_errno == 0) eve_errno = errno;
        if (eve_errno != 0) {
            // Which lines of the batch reached the disk is unknown: count the batch as failed.
            err = eve_name() + ": write failed: " + std::strerror(eve_errno);
            // The stream's error flag is sticky; clear it so that the next batch tries again
            // (the disk may have room by then).
            std::clearerr(eve_);
            failed = true;
        }
    }
    if (store_) {
        try {
            // Stats records belong to the EVE log only. They are rare (one per interval), so a
            // batch holding one is copied without it rather than teaching the store about them.
            const auto is_stats = [](const Record& r) { return r.kind == RecordKind::Stats; };
            if (std::none_of(batch.begin(), batch.end(), is_stats)) {
                store_->insert_batch(batch);
            } else {
                std::vector<Record> rows;
                rows.reserve(batch.size());
                std::remove_copy_if(batch.begin(), batch.end(), std::back_inserter(rows), is_stats);
                store_->insert_batch(rows);
            }
        } catch (const std::exception& e) {
            if (!err) err = e.what();
            failed = true;
        }
    }

    std::lock_guard lk(mu_);
    if (err && !first_error_) first_error_ = std::move(err);
    ++stats_.batches;
    stats_.eve_bytes += bytes;
    if (failed) {
        stats_.failed += batch.size();
        return;
    }
    for (const Record& r : batch) {
        if (r.kind == RecordKind::Alert)
            ++stats_.alerts;
        else if (r.kind == RecordKind::Stats)
            ++stats_.stats;
        else
            ++stats_.events;
    }
}

}  // namespace otsentry::alerts
