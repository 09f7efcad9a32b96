#include "app/pipeline.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>

#include "app/spsc_queue.h"
#include "capture/defrag/defrag_anomalies.h"
#include "capture/flow/flow_table.h"

namespace otsentry::app {

namespace {

// Where a packet's bytes sit in its batch, with the capture metadata.
struct PacketDesc {
    int64_t ts_us;
    uint64_t pcap_cnt;
    size_t offset;
    uint32_t caplen, wire_len, file_index;
    capture::LinkType link;
};

// A symmetric hash of the two addresses only: both directions, and every fragment of a
// datagram, land on the same worker.
uint64_t address_pair_hash(const capture::Decoded& d) noexcept
{
    capture::Decoded pair;
    pair.src = std::min(d.src, d.dst);
    pair.dst = std::max(d.src, d.dst);
    pair.l4 = capture::L4::Udp;
    return capture::hash(capture::flow_key_of(pair));
}

// What a worker shows of its engine while it runs.
WorkerSnapshot snapshot_of(const Engine& engine)
{
    const auto& c = engine.counters();
    const auto& f = engine.flow_stats();
    WorkerSnapshot s;
    s.packets = c.packets;
    s.bytes = c.bytes;
    for (uint64_t e : c.events)
        s.events += e;
    s.alerts = c.alerts;
    s.anomalies = c.anomalies;
    s.flows_active = f.active;
    s.flows_created = f.created;
    s.flows_timed_out = f.timed_out;
    s.flows_evicted = f.evicted;
    s.decode = engine.decode_stats();
    s.stream = engine.stream_stats();
    return s;
}

}  // namespace

unsigned default_workers() noexcept
{
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 2 ? cores - 1 : 1;
}

struct Pipeline::Batch {
    std::vector<uint8_t> bytes;
    std::vector<PacketDesc> packets;
    bool stop = false;    // the last batch: end every flow and leave
    int64_t tick_us = 0;  // non-zero: after the packets, advance the engine's clock to it
};

struct Pipeline::Worker {
    Worker(const PipelineConfig& cfg, RecordOutput& out)
        : engine{cfg.engine, out}, full{cfg.batches_per_worker}, empty{cfg.batches_per_worker + 1}
    {
        batches.resize(cfg.batches_per_worker);
        for (auto& b : batches) {
            b = std::make_unique<Batch>();
            b->bytes.reserve(cfg.batch_bytes);
            b->packets.reserve(cfg.batch_packets);
            empty.push(b.get());
        }
    }

    void run()
    {
        for (;;) {
            Batch* b = full.pop();
            for (const PacketDesc& d : b->packets) {
                capture::RawPacket pkt;
                pkt.ts_us = d.ts_us;
                pkt.caplen = d.caplen;
                pkt.wire_len = d.wire_len;
                pkt.data = std::span<const uint8_t>{b->bytes.data() + d.offset, d.caplen};
                pkt.link = d.link;
                pkt.pcap_cnt = d.pcap_cnt;
                pkt.file_index = d.file_index;
                engine.process(pkt);
            }
            if (b->tick_us != 0) engine.advance_time(b->tick_us);
            const bool stop = b->stop;
            if (stop) engine.finish();
            publish();
            b->bytes.clear();
            b->packets.clear();
            b->tick_us = 0;
            empty.push(b);
            if (stop) return;
        }
    }

    void publish() noexcept
    {
        const WorkerSnapshot s = snapshot_of(engine);
        const std::lock_guard lock{published_mu};
        published = s;
    }

    WorkerSnapshot read() const
    {
        const std::lock_guard lock{published_mu};
        return published;
    }

    Engine engine;
    SpscQueue<Batch> full;   // reader -> worker
    SpscQueue<Batch> empty;  // worker -> reader
    std::vector<std::unique_ptr<Batch>> batches;
    Batch* filling = nullptr;  // the reader's current batch for this worker
    uint64_t queue_waits = 0;  // reader side
    // What the worker published after its last batch (a lock taken once per batch, never
    // contended for long).
    mutable std::mutex published_mu;
    WorkerSnapshot published;
    std::thread thread;
};

Pipeline::Pipeline(PipelineConfig cfg, RecordOutput& out) : cfg_{std::move(cfg)}, out_{out}
{
    cfg_.workers = std::max(1u, cfg_.workers);
    if (cfg_.workers == 1) {
        inline_engine_ = std::make_unique<Engine>(cfg_.engine, out_);
        return;
    }
    for (unsigned i = 0; i < cfg_.workers; ++i)
        workers_.push_back(std::make_unique<Worker>(cfg_, out_));
    for (auto& w : workers_)
        w->thread = std::thread{[&worker = *w] { worker.run(); }};
}

Pipeline::~Pipeline()
{
    // Normally finish() ran; otherwise stop the threads without waiting for a caller.
    if (!finished_) finish();
}

unsigned Pipeline::workers() const noexcept
{
    return cfg_.workers;
}

Pipeline::Worker& Pipeline::worker_for(uint64_t hash) noexcept
{
    // The hash's high 32 bits, scaled onto [0, workers) without a division.
    const auto idx = static_cast<size_t>(((hash >> 32) * workers_.size()) >> 32);
    return *workers_[idx];
}

void Pipeline::process(const capture::RawPacket& pkt)
{
    ++packets_;
    bytes_ += pkt.caplen;
    wire_bytes_ += pkt.wire_len;
    if (inline_engine_) {
        inline_engine_->process(pkt);
        return;
    }
    // The reader decodes for the hash only (the worker decodes again and counts), and
    // reassembles fragments, which the workers then never see.
    if (front_.process(pkt, scratch_, *this)) {
        const bool flow = scratch_.l4 == capture::L4::Tcp || scratch_.l4 == capture::L4::Udp;
        const uint64_t h = flow ? capture::hash(capture::flow_key_of(scratch_)) : address_pair_hash(scratch_);
        if (!front_.reassembled()) {
            dispatch(pkt, worker_for(h));
            return;
        }
        capture::RawPacket whole = pkt;
        whole.data = scratch_.l3;
        whole.caplen = whole.wire_len = static_cast<uint32_t>(scratch_.l3.size());
        whole.link = scratch_.ip_version == 4 ? capture::LinkType::RawIpv4 : capture::LinkType::RawIpv6;
        dispatch(whole, worker_for(h));
        return;
    }
    // A fragment held for its datagram stays with the reader; a frame that did not decode goes
    // to a worker, which counts its error.
    if (front_.error() != capture::DecodeError::None)
        dispatch(pkt, worker_for(scratch_.ip_version != 0 ? address_pair_hash(scratch_) : 0));
}

void Pipeline::on_defrag_anomaly(const capture::DefragReport& r)
{
    const auto& anomaly = capture::info(r.anomaly);
    ++reader_counters_.anomalies;
    ++reader_counters_.alerts;
    ++reader_counters_.anomaly_counts[&anomaly];
    out_.submit(defrag_alert(r));
}

void Pipeline::dispatch(const capture::RawPacket& pkt, Worker& w)
{
    if (w.filling != nullptr && (w.filling->packets.size() >= cfg_.batch_packets ||
                                 w.filling->bytes.size() + pkt.caplen > cfg_.batch_bytes))
        hand_over(w);
    if (w.filling == nullptr) {
        w.filling = w.empty.try_pop();
        if (w.filling == nullptr) {
            ++w.queue_waits;  // the worker is behind: wait for it (back-pressure on the reader)
            w.filling = w.empty.pop();
        }
    }
    Batch& b = *w.filling;
    const size_t offset = b.bytes.size();
    b.bytes.resize(offset + pkt.caplen);
    if (pkt.caplen != 0) std::memcpy(b.bytes.data() + offset, pkt.data.data(), pkt.caplen);
    b.packets.push_back(
        PacketDesc{pkt.ts_us, pkt.pcap_cnt, offset, pkt.caplen, pkt.wire_len, pkt.file_index, pkt.link});
}

void Pipeline::hand_over(Worker& w)
{
    if (w.filling == nullptr) return;
    w.full.push(w.filling);
    w.filling = nullptr;
}

void Pipeline::flush()
{
    for (auto& w : workers_)
        if (w->filling != nullptr && !w->filling->packets.empty()) hand_over(*w);
}

void Pipeline::advance_time(int64_t now_us)
{
    if (inline_engine_) {
        inline_engine_->advance_time(now_us);
        return;
    }
    front_.expire(now_us, *this);
    for (auto& w : workers_) {
        if (w->filling == nullptr) w->filling = w->empty.pop();
        w->filling->tick_us = now_us;
        hand_over(*w);
    }
}

void Pipeline::finish()
{
    if (finished_) return;
    finished_ = true;
    if (inline_engine_) {
        inline_engine_->finish();
        return;
    }
    front_.finish();
    for (auto& w : workers_) {
        if (w->filling == nullptr) w->filling = w->empty.pop();
        w->filling->stop = true;
        hand_over(*w);
    }
    for (auto& w : workers_)
        w->thread.join();
}

std::vector<WorkerSnapshot> Pipeline::snapshot() const
{
    std::vector<WorkerSnapshot> out;
    if (inline_engine_) {
        out.push_back(snapshot_of(*inline_engine_));
        return out;
    }
    for (const auto& w : workers_) {
        WorkerSnapshot s = w->read();
        s.queue_waits = w->queue_waits;
        out.push_back(s);
    }
    return out;
}

const capture::DefragStats& Pipeline::defrag_stats() const noexcept
{
    return inline_engine_ ? inline_engine_->defrag_stats() : front_.defrag_stats();
}

EngineTotals Pipeline::totals() const
{
    if (inline_engine_) return inline_engine_->totals();
    EngineTotals sum;
    for (const auto& w : workers_)
        sum.add(w->engine.totals());
    // The reader's part: every frame it read (a reassembled datagram counts once more in its
    // worker's decode counters), the fragments it held and their anomalies.
    EngineTotals reader;
    reader.counters = reader_counters_;
    reader.defrag = front_.defrag_stats();
    reader.decode.fragments = front_.decode_stats().fragments;
    sum.add(reader);
    sum.counters.packets = packets_;
    sum.counters.bytes = bytes_;
    sum.counters.wire_bytes = wire_bytes_;
    return sum;
}

}  // namespace otsentry::app
