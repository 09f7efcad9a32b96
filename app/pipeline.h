// The multi-core pipeline: one reader thread (the caller) hands each packet to the worker that
// owns its flow; each worker runs its own Engine, so flows never move between threads and a
// flow's events are the same whatever the number of workers. Packets travel in batches (their
// bytes copied into the batch) through lock-free single-producer queues, and the empty batches
// come back the same way, so steady state allocates nothing. Events and alerts leave through the
// one RecordOutput (the store writer), which must accept submissions from several threads.
//
// With one worker there is no thread at all: the reader runs the engine itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/engine.h"
#include "app/packet_front.h"
#include "capture/source/pcap_source.h"

namespace otsentry::app {

struct PipelineConfig {
    unsigned workers = 1;
    EngineConfig engine;
    // A batch goes to its worker when it holds this many packets or bytes, or when flush() is
    // called (live capture calls it when the link is idle and every 100 ms).
    size_t batch_packets = 256;
    size_t batch_bytes = 256 * 1024;
    size_t batches_per_worker = 16;  // in flight per worker: the queue depth
};

// The default worker count for this machine: one core is left to the reader and the writer.
unsigned default_workers() noexcept;

// Progress of one worker, readable from any thread while it runs.
struct WorkerSnapshot {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t events = 0;
    uint64_t alerts = 0;
    uint64_t anomalies = 0;
    uint64_t flows_active = 0, flows_created = 0, flows_timed_out = 0, flows_evicted = 0;
    uint64_t queue_waits = 0;     // times the reader found this worker's queue full
    capture::DecodeStats decode;  // per-reason decode errors among them
    capture::StreamStats stream;  // reassembly: gaps, overlaps, memcap hits
};

// Fragments are reassembled by the reader (its own PacketFront), since only a whole datagram has
// ports to pick the worker by; the workers see the reassembled datagram as a raw IP packet. The
// reader's defragmentation anomalies are alerts like the engines', and its counters are part of
// totals().
class Pipeline : private capture::DefragSink {
public:
    Pipeline(PipelineConfig cfg, RecordOutput& out);
    ~Pipeline() override;
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Called by one thread (the reader) for every packet, in capture order.
    void process(const capture::RawPacket& pkt);
    // Hands partly filled batches to their workers now.
    void flush();
    // Live capture on a quiet link: every engine (and the reader's defragmenter) expires what is
    // idle at `now_us` (the clock that stamps packets), after the packets already handed over.
    void advance_time(int64_t now_us);
    // End of input: every packet is processed, every flow ended, the workers joined. Once.
    void finish();

    [[nodiscard]] unsigned workers() const noexcept;
    // Packets handed to process() so far.
    [[nodiscard]] uint64_t packets() const noexcept { return packets_; }
    // Per-worker progress, from the reader thread (workers publish after each batch).
    [[nodiscard]] std::vector<WorkerSnapshot> snapshot() const;
    // The sum of every engine's counters. Call after finish() (with one worker: any time from
    // the reader thread).
    [[nodiscard]] EngineTotals totals() const;
    // Defragmentation so far (the reader's, or the engine's with one worker); reader thread.
    [[nodiscard]] const capture::DefragStats& defrag_stats() const noexcept;

private:
    struct Worker;
    struct Batch;
    void dispatch(const capture::RawPacket& pkt, Worker& w);
    void hand_over(Worker& w);
    [[nodiscard]] Worker& worker_for(uint64_t hash) noexcept;
    void on_defrag_anomaly(const capture::DefragReport& r) override;

    PipelineConfig cfg_;
    RecordOutput& out_;
    std::unique_ptr<Engine> inline_engine_;  // one worker: no threads
    std::vector<std::unique_ptr<Worker>> workers_;
    PacketFront front_;
    capture::Decoded scratch_;
    EngineCounters reader_counters_;  // the reader's defragmentation alerts
    uint64_t packets_ = 0, bytes_ = 0, wire_bytes_ = 0;
    bool finished_ = false;
};

}  // namespace otsentry::app
