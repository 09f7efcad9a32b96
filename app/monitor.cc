#include "app/monitor.h"

#include <functional>

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "alerts/store.h"
#include "app/engine.h"
#include "app/eve.h"
#include "app/rule_service.h"
#include "app/summary.h"
#include "app/writer_output.h"
#include "dissectors/common/json_writer.h"

namespace otsentry::app {

namespace {

using Clock = std::chrono::steady_clock;

// How long a stop may spend on frames already captured (LiveSource returns Timeout after 100 ms
// of silence, so an idle link adds that much to the stop).
constexpr auto drain_limit = std::chrono::milliseconds(500);

int64_t wall_clock_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The packet-processing stage as the monitor drives it: the pipeline (one engine on the capture
// thread with --workers 1, else N worker threads), and the counters the statistics need.
class Processing {
public:
    Processing(unsigned workers, rules::LiveRules* rules, bool evidence, RecordOutput& out)
        : pipeline_{make_config(workers, rules, evidence), out}
    {
    }

    void process(const capture::RawPacket& pkt) { pipeline_.process(pkt); }
    // A quiet link: packets waiting in partly filled batches go to their workers now.
    void flush() { pipeline_.flush(); }
    void advance_time(int64_t now_us) { pipeline_.advance_time(now_us); }
    // Ends every flow (reports unanswered requests). Once, after the last packet.
    void finish() { pipeline_.finish(); }

    // Fills the engine's part of a snapshot (from the capture thread).
    void counters(MonitorSnapshot& s) const
    {
        s.workers = pipeline_.snapshot();
        s.packets = s.bytes = s.events = s.alerts = s.anomalies = 0;
        s.flows_active = s.flows_created = s.flows_timed_out = s.flows_evicted = 0;
        for (const auto& w : s.workers) {
            s.packets += w.packets;
            s.bytes += w.bytes;
            s.events += w.events;
            s.alerts += w.alerts;
            s.anomalies += w.anomalies;
            s.flows_active += w.flows_active;
            s.flows_created += w.flows_created;
            s.flows_timed_out += w.flows_timed_out;
            s.flows_evicted += w.flows_evicted;
            EngineTotals part;
            part.decode = w.decode;
            part.stream = w.stream;
            EngineTotals sum;
            sum.decode = s.decode;
            sum.stream = s.stream;
            sum.add(part);
            s.decode = sum.decode;
            s.stream = sum.stream;
        }
        s.defrag = pipeline_.defrag_stats();
    }

    // For the end-of-run summary, after finish().
    [[nodiscard]] EngineTotals totals() const { return pipeline_.totals(); }
    [[nodiscard]] std::vector<WorkerSnapshot> workers() const { return pipeline_.snapshot(); }

private:
    static PipelineConfig make_config(unsigned workers, rules::LiveRules* rules, bool evidence)
    {
        PipelineConfig cfg;
        cfg.workers = workers;
        cfg.engine.rules = rules;
        if (!evidence) cfg.engine.evidence.packets = 0;  // no database: nothing would keep it
        return cfg;
    }
    Pipeline pipeline_;
};

// SIGTERM and SIGINT ask for a stop, a second SIGINT ends the process at once, SIGHUP is
// reserved for rule reload. The signals are blocked in every thread and taken by one thread
// with sigtimedwait(), so no work runs in a signal handler; the capture loop polls the flag.
class SignalWatcher {
public:
    // Blocks the signals in the calling thread. Construct it before any other thread starts,
    // so that every thread inherits the mask and only the watcher takes them.
    // `on_reload` runs on the watcher's thread for every SIGHUP (may be empty).
    explicit SignalWatcher(std::function<void()> on_reload) : on_reload_{std::move(on_reload)}
    {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        sigaddset(&set_, SIGHUP);
        // The mask is not restored afterwards: a SIGHUP arriving after the watcher stopped
        // would otherwise terminate the process while it prints its summary.
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
        thread_ = std::thread([this] { run(); });
    }
    ~SignalWatcher()
    {
        done_.store(true);
        thread_.join();
    }
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    [[nodiscard]] bool stop_requested() const noexcept { return stop_.load(std::memory_order_relaxed); }

private:
    void run()
    {
        // Wakes every 100 ms to notice done_; signals themselves are taken at once.
        constexpr timespec poll_interval{0, 100'000'000};
        while (!done_.load()) {
            const int sig = sigtimedwait(&set_, nullptr, &poll_interval);
            if (sig < 0) continue;  // EAGAIN (timeout) or EINTR
            if (sig == SIGHUP) {
                // Compiles here, off the capture thread: packets keep flowing meanwhile.
                if (on_reload_) {
                    on_reload_();
                } else {
                    fmt::print(stderr, "otsentry: info: SIGHUP: no rules to reload (--no-rules)\n");
                }
                continue;
            }
            if (stop_.load() && sig == SIGINT) {
                fmt::print(stderr, "otsentry: second SIGINT: exiting without flushing\n");
                std::fflush(stderr);
                std::_Exit(128 + SIGINT);
            }
            if (!stop_.exchange(true))
                fmt::print(stderr, "otsentry: {}: stopping (Ctrl-C again to exit at once)\n",
                           sig == SIGINT ? "SIGINT" : "SIGTERM");
        }
    }

    std::function<void()> on_reload_;
    sigset_t set_{};
    std::atomic<bool> stop_{false};
    std::atomic<bool> done_{false};
    std::thread thread_;
};

struct UserIds {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

std::optional<UserIds> lookup_user(const std::string& name, std::string& error)
{
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
    passwd pw{};
    passwd* found = nullptr;
    int rc = 0;
    while ((rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (rc != 0) {
        error = "--user " + name + ": cannot look up the user: " + std::strerror(rc);
        return std::nullopt;
    }
    if (found == nullptr) {
        error = "--user " + name + ": no such user";
        return std::nullopt;
    }
    return UserIds{name, pw.pw_uid, pw.pw_gid};
}

// Gives up root for good: supplementary groups, then group, then user (real, effective and
// saved), and checks that root cannot be taken back. Capture handles and output files opened
// before stay usable.
bool drop_privileges(const UserIds& u, std::string& error)
{
    const auto fail = [&](const char* what) {
        error = "--user " + u.name + ": cannot drop privileges: " + what + ": " + std::strerror(errno);
        return false;
    };
    if (getuid() == u.uid && geteuid() == u.uid && getgid() == u.gid && getegid() == u.gid)
        return true;  // already that user
    if (initgroups(u.name.c_str(), u.gid) != 0) return fail("initgroups");
    if (setresgid(u.gid, u.gid, u.gid) != 0) return fail("setresgid");
    if (setresuid(u.uid, u.uid, u.uid) != 0) return fail("setresuid");
    uid_t ruid = 0, euid = 0, suid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0;
    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0) return fail("getresuid");
    if (ruid != u.uid || euid != u.uid || suid != u.uid || rgid != u.gid || egid != u.gid || sgid != u.gid) {
        error = "--user " + u.name + ": cannot drop privileges: the ids did not change";
        return false;
    }
    if (u.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        error = "--user " + u.name + ": cannot drop privileges: root could be regained";
        return false;
    }
    return true;
}

std::string describe_capture(const capture::LiveSource& src)
{
    std::string ifaces;
    for (size_t i = 0; i < src.interfaces().size(); ++i)
        ifaces += fmt::format("{}{} ({})", i == 0 ? "" : ", ", src.interfaces()[i],
                              capture::link_type_name(src.link(i)));
    const auto& cfg = src.config();
    return fmt::format("capturing on {}; snaplen {}, buffer {} MiB per interface{}", ifaces, cfg.snaplen,
                       cfg.buffer_bytes >> 20, cfg.bpf.empty() ? "" : ", filter '" + cfg.bpf + "'");
}

}  // namespace

double MonitorSnapshot::events_per_s() const
{
    return interval_s > 0 ? static_cast<double>(interval_events) / interval_s : 0.0;
}

std::string render_stats_record(const MonitorSnapshot& s)
{
    std::string out;
    out.reserve(512);
    dissect::JsonWriter w{out};
    char ts[timestamp_len];
    format_timestamp(ts, s.ts_us);
    uint64_t received = 0, kernel_drops = 0, if_drops = 0;
    for (const auto& i : s.interfaces) {
        received += i.received;
        kernel_drops += i.kernel_dropped;
        if_drops += i.if_dropped;
    }
    w.begin_object();
    w.field("timestamp", std::string_view{ts, timestamp_len});
    w.field("event_type", "stats");
    w.key("stats").begin_object();
    w.field("uptime", static_cast<uint64_t>(s.uptime_s));
    w.key("capture").begin_object();
    w.field("received", received).field("kernel_drops", kernel_drops).field("if_drops", if_drops);
    w.key("interfaces").begin_array();
    for (const auto& i : s.interfaces) {
        w.begin_object();
        w.field("name", std::string_view{i.name});
        w.field("received", i.received)
            .field("kernel_drops", i.kernel_dropped)
            .field("if_drops", i.if_dropped);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    w.key("engine").begin_object();
    w.field("packets", s.packets).field("bytes", s.bytes);
    w.field("events", s.events);
    // One decimal is plenty for a rate, and keeps the line short.
    w.field("events_per_s", static_cast<double>(static_cast<uint64_t>(s.events_per_s() * 10 + 0.5)) / 10);
    w.field("alerts", s.alerts).field("anomalies", s.anomalies);
    w.end_object();
    w.key("flows").begin_object();
    w.field("active", s.flows_active).field("created", s.flows_created);
    w.field("timed_out", s.flows_timed_out).field("evicted", s.flows_evicted);
    w.end_object();
    // What a user needs to judge the capture's health: decode errors by reason, reassembly
    // trouble, fragments.
    w.key("decode").begin_object();
    w.field("errors", s.decode.total_errors());
    w.key("error_reasons").begin_object();
    for (size_t i = 1; i < s.decode.errors.size(); ++i)
        if (s.decode.errors[i] != 0)
            w.field(capture::decode_error_name(static_cast<capture::DecodeError>(i)), s.decode.errors[i]);
    w.end_object();
    w.end_object();
    w.key("tcp").begin_object();
    w.field("gaps", s.stream.gaps).field("gap_bytes", s.stream.gap_bytes);
    w.field("out_of_order", s.stream.out_of_order).field("retransmissions", s.stream.retransmissions);
    w.field("overlaps", s.stream.overlaps).field("overlap_conflicts", s.stream.overlap_conflicts);
    w.field("memcap_hits", s.stream.memcap_hits).field("midstream", s.stream.midstream);
    w.end_object();
    w.key("defrag").begin_object();
    w.field("fragments", s.defrag.fragments).field("reassembled", s.defrag.reassembled);
    w.field("anomalies", s.defrag.total_anomalies()).field("timeouts", s.defrag.timeouts);
    w.field("memcap_drops", s.defrag.memcap_drops);
    w.end_object();
    if (s.workers.size() > 1) {
        w.key("workers").begin_array();
        for (const auto& wk : s.workers) {
            w.begin_object();
            w.field("packets", wk.packets).field("events", wk.events).field("alerts", wk.alerts);
            w.field("flows_active", wk.flows_active).field("queue_waits", wk.queue_waits);
            w.end_object();
        }
        w.end_array();
    }
    w.key("output").begin_object();
    w.field("events", s.written.events).field("alerts", s.written.alerts);
    w.field("failed", s.written.failed).field("blocked_submits", s.written.blocked_submits);
    w.end_object();
    w.end_object();
    w.end_object();
    return out;
}

std::string stats_line(const MonitorSnapshot& s)
{
    std::string line = "otsentry: stats:";
    for (const auto& i : s.interfaces)
        line +=
            fmt::format(" {}: received {}, dropped {} by the kernel, {} by the interface;", i.name,
                        with_commas(i.received), with_commas(i.kernel_dropped), with_commas(i.if_dropped));
    line += fmt::format(" processed {} packets, {:.1f} events/s, {} alerts, {} flows active",
                        with_commas(s.packets), s.events_per_s(), with_commas(s.alerts),
                        with_commas(s.flows_active));
    return line;
}

int run_monitor(const MonitorOptions& opts)
{
    // Rules first: a fatal rule problem stops us before any capture starts.
    std::unique_ptr<RuleService> rules;
    if (const int rc = RuleService::from_options(opts.rules, false, rules, opts.db_path); rc != 0) return rc;
    // The web UI of `monitor --serve` may reload these rules while we run, and not after.
    struct SlotGuard {
        ReloadSlot* slot;
        ~SlotGuard()
        {
            if (slot) slot->detach();
        }
    } slot_guard{rules ? opts.reload_slot : nullptr};
    if (slot_guard.slot) slot_guard.slot->attach(rules.get());
    // Opened below, after the signal mask is set; declared here so SIGHUP can reopen its EVE file
    // (and so it outlives the signal thread).
    std::optional<alerts::Writer> writer;
    std::atomic<alerts::Writer*> live_writer{nullptr};  // what the signal thread may touch
    // Before the writer starts its thread: every thread must inherit the blocked mask. SIGHUP
    // reopens the EVE file (logrotate moved it) and reloads the rules.
    std::function<void()> reload = [&rules, &live_writer] {
        if (alerts::Writer* w = live_writer.load()) w->reopen_eve();
        if (!rules) {
            fmt::print(stderr, "otsentry: SIGHUP: EVE file reopened (no rules to reload: --no-rules)\n");
            return;
        }
        fmt::print(stderr, "otsentry: SIGHUP: EVE file reopened, reloading rules\n");
        std::string message;
        rules->reload(message);
        fmt::print(stderr, "otsentry: {}\n", message);
        std::fflush(stderr);
    };
    SignalWatcher signals{reload};

    std::optional<UserIds> user;
    if (!opts.user.empty()) {
        std::string err;
        user = lookup_user(opts.user, err);
        if (!user) {
            fmt::print(stderr, "otsentry: error: {}\n", err);
            return 1;
        }
    }

    capture::LiveConfig cfg;
    cfg.interfaces = opts.interfaces;
    cfg.bpf = opts.bpf;
    cfg.snaplen = opts.snaplen;
    cfg.buffer_bytes = size_t{opts.buffer_mb} << 20;
    capture::LiveSource source{cfg};
    if (const auto errors = source.open(); !errors.empty()) {
        for (const auto& e : errors)
            fmt::print(stderr, "otsentry: error: {}\n", e.message());
        return 1;
    }
    size_t warnings_shown = 0;
    const auto show_warnings = [&] {
        for (; warnings_shown < source.warnings().size(); ++warnings_shown)
            fmt::print(stderr, "otsentry: warning: {}\n", source.warnings()[warnings_shown]);
    };
    show_warnings();

    // The run is recorded at the end through a connection opened now, while the database is
    // still writable whoever owns it (after --user it may not be).
    std::optional<alerts::Store> run_store;
    try {
        alerts::WriterConfig wcfg{.db_path = opts.db_path, .eve_path = opts.eve_path};
        std::string err;
        if (!opts.output.apply(wcfg, true, err)) {
            fmt::print(stderr, "otsentry: error: {}\n", err);
            return 2;
        }
        writer.emplace(std::move(wcfg));
        live_writer.store(&*writer);
        if (rules) rules->record_catalog();
        if (!opts.db_path.empty()) run_store.emplace(alerts::Store::open(opts.db_path));
    } catch (const std::exception& e) {
        fmt::print(stderr, "otsentry: error: {}\n", e.what());
        return 1;
    }

    if (user) {
        std::string err;
        if (!drop_privileges(*user, err)) {
            fmt::print(stderr, "otsentry: error: {}\n", err);
            return 1;
        }
    }

    WriterOutput output{*writer};
    Processing processing{opts.workers, rules ? &rules->live() : nullptr, !opts.db_path.empty(), output};
    fmt::print(stderr, "otsentry: {}{}\n", describe_capture(source), user ? ", as user " + user->name : "");
    std::fflush(stderr);

    const auto wall_start = wall_clock_us();
    const auto start = Clock::now();
    // The run is in the store from its start (finished_us NULL), so the web UI knows it is live.
    int64_t run_id = 0;
    if (run_store) {
        try {
            run_id = run_store->record_run(
                alerts::RunRecord{.started_us = wall_start, .command = "monitor", .inputs = opts.interfaces});
        } catch (const std::exception& e) {
            fmt::print(stderr, "otsentry: warning: {}\n", e.what());
        }
    }
    const auto interval = std::chrono::seconds(opts.stats_interval_s);
    auto next_stats = start + interval;
    auto last_snapshot = start;
    uint64_t last_events = 0;

    const auto snapshot = [&](Clock::time_point now) {
        MonitorSnapshot s;
        s.ts_us = wall_clock_us();
        s.uptime_s = std::chrono::duration<double>(now - start).count();
        s.interval_s = std::chrono::duration<double>(now - last_snapshot).count();
        s.interfaces = source.stats();
        processing.counters(s);
        s.interval_events = s.events - last_events;
        s.written = writer->stats();
        last_snapshot = now;
        last_events = s.events;
        return s;
    };
    const auto emit_stats = [&](const MonitorSnapshot& s, bool to_stderr) {
        alerts::Record r;
        r.kind = alerts::RecordKind::Stats;
        r.ts_us = s.ts_us;
        r.eve_json = render_stats_record(s);
        writer->submit(std::move(r));
        if (to_stderr) fmt::print(stderr, "{}\n", stats_line(s));
    };

    int status = 0;
    capture::RawPacket pkt;
    uint64_t since_clock_check = 0;
    auto last_flush = Clock::now();
    auto last_tick = last_flush;
    while (!signals.stop_requested()) {
        const auto st = source.next(pkt);
        if (st == capture::LiveSource::Status::Error) {
            show_warnings();
            fmt::print(stderr, "otsentry: error: {}\n",
                       source.error() ? source.error()->message() : "capture failed");
            status = 1;
            break;
        }
        if (st == capture::LiveSource::Status::Packet) {
            processing.process(pkt);
            // The clock is read every 64 packets under load, and on every quiet timeout.
            if ((++since_clock_check & 63) != 0) continue;
        }
        show_warnings();
        const auto now = Clock::now();
        // Every 100 ms at most, partly filled batches move on, so a slow link is not held back.
        if (st == capture::LiveSource::Status::Timeout ||
            now - last_flush >= std::chrono::milliseconds(100)) {
            processing.flush();
            last_flush = now;
        }
        // A quiet link still moves time on: idle flows end (their unanswered requests are
        // reported) without waiting for the next packet. At most once a second.
        if (st == capture::LiveSource::Status::Timeout && now - last_tick >= std::chrono::seconds(1)) {
            processing.advance_time(wall_clock_us());
            last_tick = now;
        }
        if (interval.count() == 0) continue;
        if (now < next_stats) continue;
        emit_stats(snapshot(now), !opts.quiet);
        next_stats += interval;
        if (next_stats <= now) next_stats = now + interval;  // fell behind: do not burst
    }

    if (status == 0) {
        // Frames the kernel already holds are processed too; bounded, so that a busy link
        // cannot delay the stop.
        const auto drain_until = Clock::now() + drain_limit;
        while (Clock::now() < drain_until && source.next(pkt) == capture::LiveSource::Status::Packet)
            processing.process(pkt);
    }
    processing.finish();
    const auto final_stats = snapshot(Clock::now());
    emit_stats(final_stats, false);
    writer->close();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    if (const auto err = writer->error()) {
        fmt::print(stderr, "otsentry: error: {}\n", *err);
        status = 1;
    }
    const auto written = writer->stats();
    if (run_store) {
        try {
            const alerts::RunRecord run{.started_us = wall_start,
                                        .finished_us = wall_clock_us(),
                                        .command = "monitor",
                                        .inputs = opts.interfaces,
                                        .packets = final_stats.packets,
                                        .bytes = final_stats.bytes,
                                        .events = written.events,
                                        .alerts = written.alerts};
            if (run_id != 0)
                run_store->finish_run(run_id, run);
            else
                run_store->record_run(run);
        } catch (const std::exception& e) {
            fmt::print(stderr, "otsentry: error: {}\n", e.what());
            status = 1;
        }
        run_store.reset();
    }

    if (!opts.quiet) {
        LiveRunInfo live;
        live.interfaces = opts.interfaces;
        for (const auto& i : final_stats.interfaces) {
            live.received += i.received;
            live.kernel_dropped += i.kernel_dropped;
            live.if_dropped += i.if_dropped;
        }
        // With EVE on standard output the summary goes to stderr, so stdout stays pure JSON.
        std::FILE* out = opts.eve_path == "-" ? stderr : stdout;
        print_summary(out, RunInfo{0, elapsed, opts.db_path, opts.eve_path}, processing.totals(), written,
                      &live, processing.workers());
        std::fflush(out);
    }
    return status;
}

}  // namespace otsentry::app
