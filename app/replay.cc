#include "app/replay.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "alerts/store.h"
#include "alerts/writer.h"
#include "app/pipeline.h"
#include "app/rule_service.h"
#include "app/summary.h"
#include "app/writer_output.h"
#include "capture/source/pcap_source.h"

namespace otsentry::app {

namespace {

using Clock = std::chrono::steady_clock;

// One progress line on stderr, redrawn in place, at most four times a second.
class Progress {
public:
    explicit Progress(bool enabled) : enabled_{enabled}, start_{Clock::now()}, last_{start_} {}

    void maybe_update(const capture::PcapFileSource& src, uint64_t packets)
    {
        if (!enabled_ || (packets & 0x3fff) != 0) return;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        draw(src, packets, now);
    }

    void finish()
    {
        if (enabled_) std::fputs("\r\033[K", stderr);
    }

private:
    void draw(const capture::PcapFileSource& src, uint64_t packets, Clock::time_point now)
    {
        const double secs = std::chrono::duration<double>(now - start_).count();
        const uint64_t done = src.bytes_done();
        const uint64_t total = src.bytes_total();
        std::string pct =
            total != 0
                ? fmt::format("{:5.1f}% ", 100.0 * static_cast<double>(done) / static_cast<double>(total))
                : std::string{};
        fmt::print(stderr, "\r\033[K{}{} / {}  {} packets  {} packets/s", pct, human_bytes(done),
                   total != 0 ? human_bytes(total) : std::string{"?"}, with_commas(packets),
                   with_commas(static_cast<uint64_t>(static_cast<double>(packets) / std::max(secs, 1e-3))));
        std::fflush(stderr);
    }

    bool enabled_;
    Clock::time_point start_, last_;
};

}  // namespace

int run_replay(const ReplayOptions& opts)
{
    capture::PcapFileSource source{opts.inputs};
    if (const auto errors = source.check_all(); !errors.empty()) {
        for (const auto& e : errors)
            fmt::print(stderr, "otsentry: error: {}\n", e.message());
        return 1;
    }

    std::unique_ptr<RuleService> rules;
    if (const int rc = RuleService::from_options(opts.rules, opts.quiet, rules, opts.db_path); rc != 0)
        return rc;

    std::optional<alerts::Writer> writer;
    try {
        alerts::WriterConfig wcfg{.db_path = opts.db_path, .eve_path = opts.eve_path};
        std::string err;
        if (!opts.output.apply(wcfg, false, err)) {
            fmt::print(stderr, "otsentry: error: {}\n", err);
            return 2;
        }
        writer.emplace(std::move(wcfg));
        if (rules) rules->record_catalog();
    } catch (const std::exception& e) {
        fmt::print(stderr, "otsentry: error: {}\n", e.what());
        return 1;
    }
    WriterOutput output{*writer};
    PipelineConfig pipeline_cfg;
    pipeline_cfg.workers = opts.workers;
    if (rules) pipeline_cfg.engine.rules = &rules->live();
    if (opts.db_path.empty()) pipeline_cfg.engine.evidence.packets = 0;  // nothing would keep it
    Pipeline pipeline{pipeline_cfg, output};

    const bool show_progress = opts.progress == ReplayOptions::Progress::Always ||
                               (opts.progress == ReplayOptions::Progress::Auto && isatty(STDERR_FILENO) != 0);
    Progress progress{show_progress};
    const auto wall_start = std::chrono::system_clock::now();
    const auto start = Clock::now();
    int status = 0;
    capture::RawPacket pkt;
    for (;;) {
        const auto st = source.next(pkt);
        if (st == capture::PcapFileSource::Status::End) break;
        if (st == capture::PcapFileSource::Status::Error) {
            progress.finish();
            fmt::print(stderr, "otsentry: error: {}\n",
                       source.error() ? source.error()->message() : "read error");
            status = 1;
            continue;
        }
        pipeline.process(pkt);
        progress.maybe_update(source, pipeline.packets());
    }
    pipeline.finish();
    const EngineTotals totals = pipeline.totals();
    writer->close();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    progress.finish();

    for (const auto& w : source.warnings())
        fmt::print(stderr, "otsentry: warning: {}\n", w);
    if (const auto err = writer->error()) {
        fmt::print(stderr, "otsentry: error: {}\n", *err);
        status = 1;
    }

    const auto written = writer->stats();
    if (!opts.db_path.empty()) {
        try {
            auto store = alerts::Store::open(opts.db_path);
            const auto& c = totals.counters;
            store.record_run(alerts::RunRecord{
                .started_us =
                    std::chrono::duration_cast<std::chrono::microseconds>(wall_start.time_since_epoch())
                        .count(),
                .finished_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count(),
                .command = "replay",
                .inputs = opts.inputs,
                .packets = c.packets,
                .bytes = c.bytes,
                .events = written.events,
                .alerts = written.alerts});
        } catch (const std::exception& e) {
            fmt::print(stderr, "otsentry: error: {}\n", e.what());
            status = 1;
        }
    }

    if (!opts.quiet) {
        print_summary(stdout, RunInfo{opts.inputs.size(), elapsed, opts.db_path, opts.eve_path}, totals,
                      written, nullptr, pipeline.snapshot());
    }
    return status;
}

}  // namespace otsentry::app
