// The multi-worker pipeline gives every flow the same records whatever the number of workers,
// the batch size and the queue depth (issue 3: "output per flow is identical whatever N is").
#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "app/pipeline.h"
#include "dissectors/modbus/tests/modbus_vectors.h"
#include "tests/support/frame_builder.h"

namespace otsentry::app {
namespace {

namespace mv = modbus::test;
using test::Bytes;
using test::TcpConversation;

// Several workers submit at once, as they do to the store writer.
class Collect final : public RecordOutput {
public:
    void submit(alerts::Record&& r) override
    {
        const std::lock_guard lock{mu_};
        lines.push_back(std::move(r.eve_json));
    }
    std::vector<std::string> sorted()
    {
        const std::lock_guard lock{mu_};
        auto v = lines;
        std::sort(v.begin(), v.end());
        return v;
    }
    std::vector<std::string> lines;

private:
    std::mutex mu_;
};

// 200 Modbus connections from 40 clients to 5 servers, their packets interleaved at random
// (fixed seed), with an anomaly now and then (an exception response), and a UDP packet and a
// non-IP frame between them.
std::vector<Bytes> traffic()
{
    std::vector<std::vector<Bytes>> flows;
    for (uint8_t i = 0; i < 200; ++i) {
        const uint8_t client[4] = {10, 1, static_cast<uint8_t>(i % 40), 10};
        const uint8_t server[4] = {10, 0, 0, static_cast<uint8_t>(1 + i % 5)};
        TcpConversation c{client, static_cast<uint16_t>(40000 + i), server, 502};
        std::vector<Bytes> f = c.handshake();
        for (int k = 0; k < 3; ++k) {
            f.push_back(c.to_server(mv::read_holding_req));
            f.push_back(c.to_client(i % 17 == 0 ? std::span<const uint8_t>{mv::exception_resp}
                                                : std::span<const uint8_t>{mv::read_holding_resp}));
        }
        flows.push_back(std::move(f));
    }
    std::mt19937 rng{7};
    std::vector<Bytes> out;
    std::vector<size_t> next(flows.size(), 0);
    size_t left = 0;
    for (const auto& f : flows)
        left += f.size();
    while (left > 0) {
        const size_t i = rng() % flows.size();
        if (next[i] == flows[i].size()) continue;
        out.push_back(flows[i][next[i]++]);
        --left;
        if (out.size() % 97 == 0) out.push_back(Bytes(20, 0xee));  // not an IP frame
    }
    return out;
}

std::vector<std::string> run(const PipelineConfig& cfg, const std::vector<Bytes>& frames,
                             EngineTotals* totals = nullptr)
{
    Collect out;
    Pipeline p{cfg, out};
    uint64_t n = 0;
    for (const auto& f : frames) {
        capture::RawPacket pkt;
        pkt.data = f;
        pkt.caplen = pkt.wire_len = static_cast<uint32_t>(f.size());
        pkt.pcap_cnt = ++n;
        pkt.ts_us = 1'700'000'000'000'000 + static_cast<int64_t>(n) * 1000;
        p.process(pkt);
        if (n % 500 == 0) p.flush();
    }
    p.finish();
    if (totals != nullptr) *totals = p.totals();
    EXPECT_EQ(p.packets(), frames.size());
    return out.sorted();
}

TEST(Pipeline, SameRecordsWhateverTheWorkerCount)
{
    const auto frames = traffic();
    EngineTotals one_totals;
    const auto one = run(PipelineConfig{}, frames, &one_totals);
    ASSERT_EQ(one_totals.counters.events[static_cast<size_t>(Protocol::Modbus)], 600u);
    ASSERT_GT(one_totals.counters.alerts, 0u);
    for (unsigned workers : {2u, 3u, 4u}) {
        PipelineConfig cfg;
        cfg.workers = workers;
        EngineTotals totals;
        EXPECT_EQ(run(cfg, frames, &totals), one) << workers << " workers";
        EXPECT_EQ(totals.counters.packets, one_totals.counters.packets);
        EXPECT_EQ(totals.counters.non_flow_packets, one_totals.counters.non_flow_packets);
        EXPECT_EQ(totals.counters.alerts, one_totals.counters.alerts);
        EXPECT_EQ(totals.flows.created, one_totals.flows.created);
        EXPECT_EQ(totals.decode.total_errors(), one_totals.decode.total_errors());
    }
}

TEST(Pipeline, TinyBatchesAndShallowQueuesChangeNothing)
{
    const auto frames = traffic();
    const auto one = run(PipelineConfig{}, frames);
    PipelineConfig cfg;
    cfg.workers = 3;
    cfg.batch_packets = 1;       // every packet a hand-over
    cfg.batches_per_worker = 1;  // the reader waits for the worker all the time
    EXPECT_EQ(run(cfg, frames), one);
    cfg.batch_packets = 1000;
    cfg.batch_bytes = 2000;  // the byte limit, not the packet limit, closes batches
    cfg.batches_per_worker = 2;
    EXPECT_EQ(run(cfg, frames), one);
}

TEST(Pipeline, SnapshotCountsEveryPacketAfterFinish)
{
    const auto frames = traffic();
    Collect out;
    PipelineConfig cfg;
    cfg.workers = 2;
    Pipeline p{cfg, out};
    for (const auto& f : frames) {
        capture::RawPacket pkt;
        pkt.data = f;
        pkt.caplen = pkt.wire_len = static_cast<uint32_t>(f.size());
        p.process(pkt);
    }
    p.finish();
    const auto snap = p.snapshot();
    ASSERT_EQ(snap.size(), 2u);
    EXPECT_EQ(snap[0].packets + snap[1].packets, frames.size());
    EXPECT_GT(snap[0].packets, 0u);  // 200 flows spread over both workers
    EXPECT_GT(snap[1].packets, 0u);
    EXPECT_EQ(snap[0].events + snap[1].events, 600u);
}

TEST(Pipeline, DestroyedWithoutFinishStopsItsThreads)
{
    Collect out;
    PipelineConfig cfg;
    cfg.workers = 2;
    {
        Pipeline p{cfg, out};
        const auto frames = traffic();
        for (size_t i = 0; i < 100; ++i) {
            capture::RawPacket pkt;
            pkt.data = frames[i];
            pkt.caplen = pkt.wire_len = static_cast<uint32_t>(frames[i].size());
            p.process(pkt);
        }
    }
    SUCCEED();  // no hang, no leak (ASan)
}

TEST(Pipeline, AdvanceTimeEndsIdleFlowsWithoutAPacket)
{
    // One request, never answered: it is reported when the flow times out. Without a packet
    // after the timeout only advance_time() can end the flow (live capture on a quiet link).
    const uint8_t client[4] = {10, 1, 0, 10};
    const uint8_t server[4] = {10, 0, 0, 1};
    for (unsigned workers : {1u, 2u}) {
        TcpConversation c{client, 40000, server, 502};
        std::vector<Bytes> frames = c.handshake();
        frames.push_back(c.to_server(mv::read_holding_req));
        Collect out;
        PipelineConfig cfg;
        cfg.workers = workers;
        Pipeline p{cfg, out};
        int64_t ts = 1'700'000'000'000'000;
        for (const auto& f : frames) {
            capture::RawPacket pkt;
            pkt.data = f;
            pkt.caplen = pkt.wire_len = static_cast<uint32_t>(f.size());
            pkt.ts_us = ts;
            p.process(pkt);
        }
        p.advance_time(ts + 10'000'000);  // well within the TCP timeout: nothing ends
        p.flush();
        p.advance_time(ts + cfg.engine.flows.tcp_timeout_us + 2'000'000);
        // The records arrive from the worker thread: wait for them (bounded).
        for (int i = 0; i < 2000 && out.sorted().empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        const auto lines = out.sorted();
        ASSERT_EQ(lines.size(), 1u) << workers << " workers";
        EXPECT_NE(lines[0].find("\"request\""), std::string::npos);
        EXPECT_EQ(lines[0].find("\"response\""), std::string::npos);
        p.finish();
        EXPECT_EQ(out.sorted().size(), 1u);  // ended once, not again at finish
        EXPECT_EQ(p.totals().flows.timed_out, 1u);
    }
}

}  // namespace
}  // namespace otsentry::app
